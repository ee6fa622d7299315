"""Hostile pages against a real 127.0.0.1 server and on disk: a 50 MB page, a gzip bomb served
with Content-Encoding, an endless chunked response, tags nested 10,000 deep, and a redirect to
another host. Each ends as one recorded failure with its reason, within the limits of
indexer/limits.py, and the rest of the crawl (or ingest) goes on."""

from __future__ import annotations

import threading
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from indexer.clean import CleanError, clean_page
from indexer.crawl import crawl
from indexer.fetch import Fetcher, FetchError
from indexer.ingest import ingest_paths
from indexer.limits import MAX_PAGE_BYTES
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, EpaperServer, sample_articles
from tests.sitegen import article_paths, render_site
from tests.synthetic import PAPER

FAST = {"delay": 0.002, "timeout": 5.0, "backoff": 0.01, "retries": 0, "paper": PAPER}
TEMPLATE = "rmrb"
LINE_MB = 150  # the endless line of the import test
NESTED = (
    "<html><head><title>深</title></head><body>"
    + "<div>" * 10_000
    + "<h1>标题</h1><p>正文。</p>"
    + "</div>" * 10_000
    + "</body></html>"
)


@pytest.fixture(scope="module")
def articles():
    return sample_articles()


@pytest.fixture
def server(articles):
    with EpaperServer(render_site(articles, TEMPLATE)) as running:
        yield running


def _fetch_peak(url: str, **limits) -> tuple[str, int]:
    """The FetchError a download ends with, and the peak of Python memory meanwhile."""
    fetcher = Fetcher(delay=0, timeout=5.0, retries=0, backoff=0)
    for name, value in limits.items():
        setattr(fetcher, name, value)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetcher.get(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        fetcher.close()
    return str(caught.value), peak


@pytest.mark.parametrize("kind", ["huge", "gzip-bomb", "endless"])
def test_a_hostile_response_is_dropped_at_the_size_limit(server, kind: str) -> None:
    server.hostile("bad.html", kind)
    reason, peak = _fetch_peak(server.url + "bad.html")
    assert reason.startswith("page larger than 20 MB"), reason
    # Never the whole thing (50 MB, 512 MB inflated, endless) in memory: the limit and a bit.
    assert peak < MAX_PAGE_BYTES * 2, f"{peak:,} bytes"


def test_a_page_that_never_stops_trickling_is_dropped_at_the_time_limit() -> None:
    """Each piece comes well within the read timeout, so only a limit on the whole download
    ends it."""

    class Trickle(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(600):  # bounded: at most a minute
                    self.wfile.write(b"3\r\n<p>\r\n")
                    self.wfile.flush()
                    stop.wait(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass

    stop = threading.Event()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        reason, _ = _fetch_peak(f"http://127.0.0.1:{httpd.server_port}/", max_seconds=0.5)
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
    assert reason == "download still going after 0.5 s: dropped"


@pytest.mark.parametrize("kind", ["huge", "gzip-bomb", "endless"])
def test_the_crawl_records_a_hostile_page_and_goes_on(
    tmp_path: Path, server, articles, kind: str
) -> None:
    target = article_paths(articles, TEMPLATE)[articles[2].id]
    server.hostile(target, kind)
    store = Store(tmp_path)
    report = crawl(store, server.url, date_from=SAMPLE_DATES[0], date_to=SAMPLE_DATES[-1], **FAST)
    assert report.failures == [(server.url + target, report.failures[0][1])]
    assert report.failures[0][1].startswith("page larger than 20 MB")
    assert store.raw_source(server.url + target) is None
    assert len(store) == len(articles) - 1


def test_tags_nested_10000_deep_are_a_clean_error() -> None:
    with pytest.raises(CleanError, match="nested too deeply"):
        clean_page(NESTED.encode(), url="http://paper.example/content_1.htm")


def test_ingest_reports_a_huge_file_and_a_deeply_nested_one_and_stores_the_rest(
    tmp_path: Path, articles
) -> None:
    site = tmp_path / "site"
    for path, body in render_site(articles, TEMPLATE).items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(body)
    huge = site / "huge.html"
    with open(huge, "wb") as handle:
        handle.write(b"<html><body>")
        handle.truncate(50 << 20)  # 50 MB (sparse: the test needs no 50 MB of disk)
    (site / "nested.html").write_text(NESTED, encoding="utf-8")
    store = Store(tmp_path / "data")
    report = ingest_paths(store, [site], paper=PAPER)
    reasons = {Path(p.where).name: p.reason for p in report.errors}
    assert reasons["huge.html"].startswith("page larger than 20 MB")
    assert "nested too deeply" in reasons["nested.html"]
    assert len(store) == len(articles)


def test_a_redirect_to_another_host_is_recorded_and_not_followed(
    tmp_path: Path, server, articles
) -> None:
    target = article_paths(articles, TEMPLATE)[articles[1].id]
    with EpaperServer({"elsewhere.html": b"<html><body>elsewhere</body></html>"}) as other:
        server.redirect(target, other.url + "elsewhere.html")
        store = Store(tmp_path)
        report = crawl(
            store, server.url, date_from=SAMPLE_DATES[0], date_to=SAMPLE_DATES[-1], **FAST
        )
        assert other.requests == [], "the other host was never asked"
    assert report.failures == [
        (
            server.url + target,
            f"redirect to another host, not followed: {server.url + target} → "
            f"{other.url}elsewhere.html",
        )
    ]
    state = (tmp_path / "crawl").glob("*.json")
    assert any("redirect to another host" in p.read_text("utf-8") for p in state)
    assert len(store) == len(articles) - 1


def test_a_redirect_on_the_site_itself_is_followed(tmp_path: Path, server, articles) -> None:
    target = article_paths(articles, TEMPLATE)[articles[1].id]
    server.files["moved.html"] = server.files[target]
    server.files.pop(target)
    server.redirect(target, "/moved.html")
    store = Store(tmp_path)
    report = crawl(store, server.url, date_from=SAMPLE_DATES[0], date_to=SAMPLE_DATES[-1], **FAST)
    assert report.failures == []
    assert len(store) == len(articles)


def test_an_import_line_that_inflates_without_end_is_skipped(tmp_path: Path) -> None:
    """A .jsonl.gz of 3 lines, the middle one 150 MB of JSON string (150 KB gzipped)."""
    import gzip
    import json
    import zlib

    good = [
        json.dumps({"id": f"ok-{n}", "paper": PAPER, "date": f"2020-01-0{n}", "title": f"好{n}"})
        for n in (1, 2)
    ]
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress((good[0] + '\n{"id": "huge", "body": "').encode())]
    parts += [packer.compress(b"a" * (1 << 20)) for _ in range(LINE_MB)]
    parts.append(packer.compress(('"}\n' + good[1] + "\n").encode()) + packer.flush())
    source = tmp_path / "bomb.jsonl.gz"
    source.write_bytes(b"".join(parts))
    assert len(gzip.decompress(source.read_bytes())) > LINE_MB << 20
    from indexer.ingest import import_jsonl

    store = Store(tmp_path / "data")
    tracemalloc.start()
    try:
        report = import_jsonl(store, [source])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [str(p) for p in report.errors] == [f"{source}:2: line longer than 20 MB: skipped"]
    assert sorted(a.id for a in store.iter_articles()) == ["ok-1", "ok-2"]
    # Bounded by the limit (the reader's buffers hold a few copies of it), not by the line:
    # reading the 150 MB line whole would take more than 150 MB.
    assert peak < MAX_PAGE_BYTES * 4, f"{peak:,} bytes"
