"""The first search after a worker starts, cold and warmed (issue 16 §4; a benchmark, not a test).

    .venv/bin/python scripts/bench_warm.py [--data DIR] [--rounds 3] [--out docs/benchmarks.md]

Without --data it indexes the 人民日报 corpus of ../shared into a temp dir. For each server
(`baoku serve`, and gunicorn with one worker), started afresh every round, cold
(BAOKU_WARM=0) and warmed (the factory's warm-up; gunicorn with -c python:webui.gunicorn_conf):

- cold: as soon as the server answers a static file, GET /search?q=口罩 产能 (the reader's
  first search);
- warmed: as soon as /healthz says 200 (when a load balancer would send readers), the same.

Then the same search 20 times more: its warm p50. Times are the client's, wall clock over
HTTP on 127.0.0.1. The section between the warm:start/warm:end markers of --out is rewritten.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_search import load  # noqa: E402

from indexer.index import reindex  # noqa: E402

QUERY = "口罩 产能"
REPEATS = 20
START, END = "<!-- warm:start -->", "<!-- warm:end -->"


@dataclass
class Run:
    server: str
    warmed: bool
    first_ms: float
    warm_p50_ms: float
    ready_s: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(server: str, warmed: bool, data: Path, port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    if server == "baoku serve":
        return [str(bin_dir / "baoku"), "--data", str(data), "serve", "--port", str(port)]
    conf = ["-c", "python:webui.gunicorn_conf"] if warmed else []
    return [str(bin_dir / "gunicorn"), *conf, "-w", "1", "-b", f"127.0.0.1:{port}"] + [
        "webui:create_app()"
    ]


def get(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as reply:
            reply.read()
            status = reply.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} not 200 after {timeout} s")


def one_run(server: str, warmed: bool, data: Path) -> Run:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BAOKU_DATA": str(data), "BAOKU_WARM": "1" if warmed else "0"}
    proc = subprocess.Popen(
        command(server, warmed, data, port),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        started = time.perf_counter()
        wait_for(base + ("/healthz" if warmed else "/static/style.css"), proc)
        ready = time.perf_counter() - started
        search = f"{base}/search?q={quote(QUERY)}"
        status, first = get(search)
        assert status == 200, status
        times = [get(search)[1] for _ in range(REPEATS)]
        return Run(server, warmed, first, statistics.median(times), ready)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def markdown(runs: list[Run], rounds: int, cmd: str) -> str:
    lines = [
        START,
        "## First search after a worker starts (issue 16)",
        "",
        f"Measured by `{cmd}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"the 10,294 人民日报 articles; each server started afresh {rounds} times per row; "
        f"the first GET /search?q={QUERY} (cold: as soon as the server answers a static file; "
        "warmed: as soon as /healthz is 200), then the same search "
        f"{REPEATS} times more (its warm p50). Client wall-clock times over HTTP on 127.0.0.1; "
        "medians over the rounds.",
        "",
        "| server | warm-up | first search ms | warm p50 ms | first / warm p50 | "
        "start to ready s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for server in dict.fromkeys(r.server for r in runs):
        for warmed in (False, True):
            mine = [r for r in runs if r.server == server and r.warmed == warmed]
            if not mine:
                continue
            first = statistics.median(r.first_ms for r in mine)
            p50 = statistics.median(r.warm_p50_ms for r in mine)
            ready = statistics.median(r.ready_s for r in mine)
            how = "webui/warm.py" if warmed else "none (BAOKU_WARM=0)"
            lines.append(
                f"| {server} | {how} | {first:.1f} | {p50:.1f} | **{first / p50:.2f}×** | "
                f"{ready:.2f} |"
            )
    lines += ["", "Target: the first search within 2× the warm p50.", END]
    return "\n".join(lines)


def write(out: Path, section: str) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    out.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="an indexed data dir of the rmrb corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    data = Path(args.data or tempfile.mkdtemp(prefix="baoku-warm-"))
    if not (data / "index" / "CURRENT").exists():
        articles = load("rmrb-2019-2020.jsonl.gz")
        print(f"indexing {len(articles)} articles into {data}", flush=True)
        reindex(data / "index", lambda: iter(articles), rebuild=True, procs=2)
    runs = []
    for _ in range(args.rounds):
        for server in ("baoku serve", "gunicorn"):
            for warmed in (False, True):
                run = one_run(server, warmed, data)
                print(run, flush=True)
                runs.append(run)
    cmd = "python scripts/bench_warm.py " + " ".join(sys.argv[1:])
    section = markdown(runs, args.rounds, cmd.strip())
    write(Path(args.out), section)
    print(section)


if __name__ == "__main__":
    main()
