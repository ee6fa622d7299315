"""A real HTTP server on 127.0.0.1 that serves a rendered e-paper site, with hooks for faults.

The crawler's tests talk to it over real sockets; nothing is mocked. Faults are set per path
(the URL path without the query, relative to the site root, e.g. "html/2019-10/01/node_2.htm"):

- ``fail(path, status, times)``: answer `status` that many times, then serve normally;
- ``stall(path, seconds)``: wait before answering (longer than the client's timeout);
- ``short_body(path)``: announce the full Content-Length, send half the body, close;
- ``cut(path)``: serve only the first half of the page, with a matching Content-Length;
- ``redirect(path, to)``: answer 302 to `to` (a path or a URL);
- ``slow(seconds)``: wait that long before every article page (to kill a crawl halfway).

Every request is logged (path with query) in ``requests``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class _Fault:
    kind: str
    status: int = 0
    times: int = -1  # -1: every time
    seconds: float = 0.0
    target: str = ""


@dataclass
class EpaperServer:
    files: dict[str, bytes]
    content_type: Callable[[str], str] = field(default=lambda path: "text/html; charset=utf-8")
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._faults: dict[str, _Fault] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._article_delay = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life --

    def start(self) -> EpaperServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> EpaperServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    # -- faults --

    def fail(self, path: str, status: int = 500, times: int = -1) -> None:
        self._faults[path] = _Fault("status", status=status, times=times)

    def stall(self, path: str, seconds: float = 30.0) -> None:
        self._faults[path] = _Fault("stall", seconds=seconds)

    def short_body(self, path: str) -> None:
        self._faults[path] = _Fault("short")

    def cut(self, path: str) -> None:
        self._faults[path] = _Fault("cut")

    def redirect(self, path: str, to: str) -> None:
        self._faults[path] = _Fault("redirect", target=to)

    def clear(self, path: str | None = None) -> None:
        if path is None:
            self._faults.clear()
        else:
            self._faults.pop(path, None)

    def slow(self, seconds: float) -> None:
        self._article_delay = seconds

    # -- what the tests read --

    def hits(self, predicate: Callable[[str], bool] = lambda path: True) -> list[str]:
        with self._lock:
            return [p for p in self.requests if predicate(p)]

    def article_hits(self) -> list[str]:
        return self.hits(lambda p: "/content_" in p or p.startswith("content_"))

    # -- serving --

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            fault = self._faults.get(path)
            if fault is None or fault.times == 0:
                return None
            if fault.times > 0:
                fault.times -= 1
            return fault

    def _log(self, raw_path: str) -> None:
        with self._lock:
            self.requests.append(raw_path)


def _handler_for(site: EpaperServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "EpaperTest/1.0"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.path
            site._log(raw.lstrip("/"))
            path = urlsplit(raw).path.lstrip("/") or "index.html"
            fault = site._take_fault(path)
            if fault is not None and fault.kind == "stall":
                site._release.wait(fault.seconds)
            if fault is not None and fault.kind == "status":
                return self._send(fault.status, b"<html><body>error</body></html>", "text/html")
            if fault is not None and fault.kind == "redirect":
                self.send_response(302)
                self.send_header("Location", fault.target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            body = site.files.get(path)
            if body is None:
                return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
            if "/content_" in path and site._article_delay:
                site._release.wait(site._article_delay)
            ctype = site.content_type(path)
            if fault is not None and fault.kind == "short":
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return None
            if fault is not None and fault.kind == "cut":
                body = body[: len(body) // 2]
            return self._send(200, body, ctype)

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a stall test): nothing to do

    return Handler
