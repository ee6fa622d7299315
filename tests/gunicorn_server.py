"""gunicorn on 127.0.0.1 serving `webui:create_app()`, as production runs it (for the tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    data_dir: Path, env: dict[str, str] | None = None, workers: int = 1, threads: int = 4
) -> Iterator[str]:
    """Yield the server's base URL once /healthz answers; stop it afterwards."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "webui:create_app()",
    ]
    environ = {**os.environ, "PYTHONPATH": str(REPO), "BAOKU_DATA": str(data_dir), **(env or {})}
    server = subprocess.Popen(
        command, cwd=REPO, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(server, base)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def _wait_for(server: subprocess.Popen, base: str) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.stdout.read().decode()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # up, though the index may not be ready
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer /healthz")
