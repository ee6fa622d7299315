"""A real HTTP server on 127.0.0.1 that serves a rendered e-paper site, with hooks for faults.

The crawler's tests talk to it over real sockets; nothing is mocked. Faults are set per path
(the URL path without the query, relative to the site root, e.g. "html/2019-10/01/node_2.htm"):

- ``fail(path, status, times)``: answer `status` that many times, then serve normally;
- ``stall(path, seconds)``: wait before answering (longer than the client's timeout);
- ``short_body(path)``: announce the full Content-Length, send half the body, close;
- ``cut(path)``: serve only the first half of the page, with a matching Content-Length;
- ``redirect(path, to)``: answer 302 to `to` (a path or a URL);
- ``slow(seconds)``: wait that long before every article page (to kill a crawl halfway);
- ``hostile(path, kind)``: "huge" (50 MB of HTML, chunked, no Content-Length), "gzip-bomb"
  (a small body that inflates to 512 MB, with Content-Encoding: gzip) or "endless" (a chunked
  response that never ends, until the client hangs up).

Every request is logged (path with query) in ``requests``, its User-Agent in ``agents``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
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
    agents: list[str] = field(default_factory=list)  # the User-Agent of every request

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

    def hostile(self, path: str, kind: str) -> None:
        assert kind in ("huge", "gzip-bomb", "endless"), kind
        if kind == "gzip-bomb":
            gzip_bomb()  # made before any client waits for it
        self._faults[path] = _Fault(kind)

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

    def _log(self, raw_path: str, agent: str) -> None:
        with self._lock:
            self.requests.append(raw_path)
            self.agents.append(agent)


def _handler_for(site: EpaperServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "EpaperTest/1.0"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            raw = self.path
            site._log(raw.lstrip("/"), self.headers.get("User-Agent", ""))
            path = urlsplit(raw).path.lstrip("/") or "index.html"
            fault = site._take_fault(path)
            if fault is not None and fault.kind == "stall":
                site._release.wait(fault.seconds)
            if fault is not None and fault.kind == "status":
                return self._send(fault.status, b"<html><body>error</body></html>", "text/html")
            if fault is not None and fault.kind in ("huge", "gzip-bomb", "endless"):
                return _send_hostile(self, fault.kind)
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
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
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
            # The client may have given up already (a stall test): nothing to do then.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


_BOMB: list[bytes] = []


def gzip_bomb(inflated: int = 512 << 20) -> bytes:
    """`inflated` bytes of zeros, gzipped (about 1/1000 of that), made once: one gzip member
    of 1 MB of zeros, repeated (a gzip stream may hold many members; clients inflate them
    all), which takes milliseconds where compressing 512 MB takes seconds."""
    if not _BOMB:
        import gzip

        member = gzip.compress(bytes(1 << 20), compresslevel=9)
        _BOMB.append(member * (inflated >> 20))
    return _BOMB[0]


def _send_hostile(handler: BaseHTTPRequestHandler, kind: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    if kind == "gzip-bomb":
        body = gzip_bomb()
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(body)
        return
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    piece = b"<p>" + "很长的一页。".encode() * 3640 + b"</p>\n"  # about 64 KB
    # 50 MB for "huge"; "endless" is bounded only so that a test can never hang on it.
    count = (50 << 20) // len(piece) + 1 if kind == "huge" else 1 << 16
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(f"{len(b'<html><body>'):x}\r\n<html><body>\r\n".encode())
        for _ in range(count):
            handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")
    handler.close_connection = True


# --- sample articles -------------------------------------------------------------------------

# Issue dates the crawl tests use; SAMPLE_GAP is left out so the site answers 404 for it.
SAMPLE_DATES = ("2019-10-01", "2019-10-02", "2019-10-04")
SAMPLE_GAP = "2019-10-03"
SAMPLE_PAGES = {"01": "要闻", "02": "要闻", "04": "综合"}


def sample_articles(per_page: int = 3) -> list:
    """Articles of the synthetic corpus (tests/synthetic.py): a few per date and page.

    Articles without a body (photo-only items, ads) and those opening with a short byline are
    left out: neither tests the crawler, and the cleaner rightly reads a byline as `author`.
    To exercise captions and 小标题, the second article of each page gets a caption made from
    its own title and its body split under two headings.
    """
    import json

    from indexer.article import Article, Caption, Section
    from tests.synthetic import synthetic_corpus_lines

    wanted = set(SAMPLE_DATES)
    counts: dict[tuple[str, str], int] = {}
    chosen = []
    for line in synthetic_corpus_lines():
        if not any(day in line[:200] for day in wanted):
            continue
        record = json.loads(line)
        key = (record["date"], record.get("page") or "")
        if record["date"] not in wanted or key[1] not in SAMPLE_PAGES:
            continue
        paragraphs = [p.strip() for p in (record.get("body") or "").split("\n") if p.strip()]
        if len(paragraphs) < 3 or len(paragraphs[0]) < 20 or counts.get(key, 0) >= per_page:
            continue
        counts[key] = counts.get(key, 0) + 1
        article = Article.from_dict(record)
        article.page_name = SAMPLE_PAGES[key[1]]
        # The model keeps 副题 without its leading dash; the corpus sometimes has it.
        article.subtitle = article.subtitle.lstrip("—-－ ").strip()
        if counts[key] == 2:
            half = len(paragraphs) // 2
            article.sections = [
                Section("", paragraphs[:1]),
                Section("小标题甲", paragraphs[1:half] or paragraphs[1:2]),
                Section("小标题乙", paragraphs[max(half, 2) :]),
            ]
            article.sections = [s for s in article.sections if s.paragraphs]
            article.body = "\n".join(article.paragraphs)
            article.captions = [Caption(f"图为{article.title[:12]}现场。新华社记者 摄")]
        chosen.append(article)
    return chosen


def crawled_data_dir(data: Path, site: dict[str, bytes]) -> Path:
    """`data` holding a crawl of the rendered `site` over SAMPLE_DATES, indexed."""
    from indexer import Archive
    from indexer.crawl import crawl
    from indexer.store import Store
    from tests.synthetic import PAPER

    with EpaperServer(dict(site)) as server:
        crawl(
            Store(data),
            server.url,
            date_from=SAMPLE_DATES[0],
            date_to=SAMPLE_DATES[-1],
            delay=0.002,
            paper=PAPER,
        )
    Archive(data).reindex(procs=1)
    return data
