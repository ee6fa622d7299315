"""`crawl` against a 127.0.0.1 server that misbehaves: 5xx, stalls, short and cut bodies,
redirect loops, robots.txt, and a crawl killed halfway (a real `baoku crawl` subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.article import Article
from indexer.crawl import CrawlError, crawl
from indexer.fetch import USER_AGENT
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, EpaperServer, sample_articles
from tests.sitegen import article_paths, render_site
from tests.synthetic import PAPER

REPO = Path(__file__).resolve().parent.parent
FAST = {"delay": 0.002, "timeout": 5.0, "backoff": 0.01, "paper": PAPER}
FIRST, LAST = SAMPLE_DATES[0], SAMPLE_DATES[-1]
TEMPLATE = "rmrb"


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return sample_articles()


@pytest.fixture(scope="module")
def site(articles) -> dict[str, bytes]:
    return render_site(articles, TEMPLATE)


@pytest.fixture
def server(site):
    with EpaperServer(dict(site)) as running:
        yield running


def _norm(text: str) -> str:
    return " ".join(text.split())


def run(store: Store, server: EpaperServer, **options):
    return crawl(store, server.url, date_from=FIRST, date_to=LAST, **{**FAST, **options})


def path_of(articles: list[Article], index: int) -> str:
    return article_paths(articles, TEMPLATE)[articles[index].id]


def state_of(data_dir: Path, server: EpaperServer) -> dict:
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    return json.loads((data_dir / "crawl" / f"127.0.0.1_{port}.json").read_text("utf-8"))


def test_500_twice_then_200_is_archived(tmp_path: Path, server, articles) -> None:
    target = path_of(articles, 4)
    server.fail(target, 500, times=2)
    store = Store(tmp_path)
    report = run(store, server)
    assert report.failures == []
    assert server.hits(lambda p: p == target) == [target] * 3
    assert store.raw_source(server.url + target) is not None
    assert len(store) == len(articles)


def test_a_page_that_keeps_failing_is_recorded_and_retried_next_run(
    tmp_path: Path, server, articles
) -> None:
    target = path_of(articles, 2)
    server.fail(target, 503)
    store = Store(tmp_path)
    report = run(store, server, retries=2)
    assert report.failures == [(server.url + target, "HTTP 503 (after retries)")]
    assert len(server.hits(lambda p: p == target)) == 3
    assert store.raw_source(server.url + target) is None
    assert state_of(tmp_path, server)["failed"][server.url + target]["reason"].startswith(
        "HTTP 503"
    )
    server.clear()
    again = run(store, server)
    assert again.failures == [] and again.new == 1
    assert len(store) == len(articles)
    assert state_of(tmp_path, server)["failed"] == {}


def test_a_stalled_page_times_out_and_is_fetched_on_the_next_run(
    tmp_path: Path, server, articles
) -> None:
    target = path_of(articles, 5)
    server.stall(target, seconds=30)
    store = Store(tmp_path)
    report = run(store, server, timeout=0.3, retries=1)
    assert [url for url, _ in report.failures] == [server.url + target]
    assert "timed out" in report.failures[0][1]
    assert len(store) == len(articles) - 1, "the rest of the issue goes on"
    assert store.raw_source(server.url + target) is None
    server.clear()
    # --update starts at the last successful date; the failed date is retried all the same.
    again = crawl(store, server.url, update=True, **FAST)
    assert again.failures == []
    assert len(store) == len(articles)
    assert store.raw_source(server.url + target) is not None


def test_a_body_shorter_than_its_content_length_is_never_stored(
    tmp_path: Path, server, articles
) -> None:
    target = path_of(articles, 1)
    server.short_body(target)
    store = Store(tmp_path)
    report = run(store, server, retries=1)
    assert [url for url, _ in report.failures] == [server.url + target]
    assert report.failures[0][1].startswith("truncated body")
    assert store.raw_source(server.url + target) is None
    assert all(a.url != server.url + target for a in store.iter_articles())
    assert len(store) == len(articles) - 1


def test_cut_html_is_a_clean_error_and_never_stored(tmp_path: Path, server, articles) -> None:
    target = path_of(articles, 7)
    server.cut(target)
    store = Store(tmp_path)
    report = run(store, server)
    assert [url for url, _ in report.failures] == [server.url + target]
    assert "truncated" in report.failures[0][1].lower()
    assert store.raw_source(server.url + target) is None
    assert len(store) == len(articles) - 1


def test_a_cut_layout_page_is_never_kept_and_its_day_is_retried(
    tmp_path: Path, server, site, articles
) -> None:
    day = SAMPLE_DATES[1].replace("-", "")
    layout = f"rmrb/pc/layout/{day[:6]}/{day[6:]}/node_01.html"
    assert layout in site
    server.cut(layout)
    store = Store(tmp_path)
    report = run(store, server)
    assert report.failures[0][0] == server.url + layout
    assert report.failures[0][1].startswith("truncated layout page")
    assert store.raw_source(server.url + layout) is None
    assert state_of(tmp_path, server)["dates"][SAMPLE_DATES[1]]["status"] == "failed"
    server.clear()
    crawl(store, server.url, update=True, **FAST)  # the failed day comes back by itself
    assert len(store) == len(articles)


def test_a_whole_page_without_an_article_is_kept_and_not_downloaded_again(
    tmp_path: Path, articles
) -> None:
    """A title with no text and no photo under it: the cleaner finds no article (a photo story
    with captions is one, see test_crawl_photos.py); the page is still whole."""
    empty = Article(
        id="empty-1", paper=PAPER, date=FIRST, page="01", page_name="要闻", title="图片报道"
    )
    sources = [*articles, empty]
    target = article_paths(sources, TEMPLATE)[empty.id]
    with EpaperServer(render_site(sources, TEMPLATE)) as server:
        store = Store(tmp_path)
        report = run(store, server)
        assert [url for url, _ in report.failures] == [server.url + target]
        assert store.raw_source(server.url + target) is not None, "kept for a later reclean"
        assert len(store) == len(articles)
        state = state_of(tmp_path, server)
        assert state["failed"][server.url + target]["kind"] == "unreadable"
        # Its day is done: a nightly --update does not come back to it.
        assert state["dates"][FIRST]["status"] == "done"
        again = run(store, server)
        assert [url for url, _ in again.failures] == [server.url + target], "still on record"
        assert server.hits(lambda p: p == target) == [target], "downloaded once"


def test_a_redirect_loop_ends_with_a_clear_error(tmp_path: Path, server, articles) -> None:
    target = path_of(articles, 3)
    server.redirect(target, "/loop-b.html")
    server.redirect("loop-b.html", "/" + target)
    store = Store(tmp_path)
    report = run(store, server)
    assert [url for url, _ in report.failures] == [server.url + target]
    assert report.failures[0][1].startswith("redirect loop: ")
    assert "loop-b.html" in report.failures[0][1]
    assert len(store) == len(articles) - 1


def test_a_redirect_loop_at_the_entry_stops_the_crawl(tmp_path: Path, server) -> None:
    server.redirect("index.html", "/start.html")
    server.redirect("start.html", "/index.html")
    with pytest.raises(CrawlError, match="redirect loop"):
        run(Store(tmp_path), server)


def test_robots_txt_forbidden_paths_are_never_requested(tmp_path: Path, server, articles) -> None:
    forbidden = f"/rmrb/pc/content/{SAMPLE_DATES[1].replace('-', '')[:6]}/{SAMPLE_DATES[1][-2:]}/"
    server.files["robots.txt"] = f"User-agent: *\nDisallow: {forbidden}\n".encode()
    store = Store(tmp_path)
    report = run(store, server)
    assert server.requests[0] == "robots.txt"
    assert not server.hits(lambda p: ("/" + p).startswith(forbidden))
    blocked = [a for a in articles if a.date == SAMPLE_DATES[1]]
    assert len(report.blocked) == len(blocked) > 0
    paths = article_paths(articles, TEMPLATE)
    assert sorted(a.url for a in store.iter_articles()) == sorted(
        server.url + paths[a.id] for a in articles if a.date != SAMPLE_DATES[1]
    )


@pytest.mark.parametrize("robots", ["forbid", "server error"])
def test_a_site_that_forbids_crawling_is_not_crawled(tmp_path: Path, server, robots: str) -> None:
    if robots == "forbid":
        server.files["robots.txt"] = b"User-agent: BaokuBot\nDisallow: /\n"
    else:  # RFC 9309: an unreachable robots.txt means "assume complete disallow"
        server.fail("robots.txt", 503)
    with pytest.raises(CrawlError, match="robots.txt forbids"):
        run(Store(tmp_path), server, retries=1)
    assert set(server.requests) == {"robots.txt"}


def test_every_request_names_the_bot(tmp_path: Path, server) -> None:
    run(Store(tmp_path), server)
    assert server.agents and set(server.agents) == {USER_AGENT}
    assert USER_AGENT.startswith("BaokuBot/")


# --- killed halfway ----------------------------------------------------------------------------


def _crawl_command(data_dir: Path, url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "indexer.cli",
        "--data",
        str(data_dir),
        "crawl",
        url,
        "--from",
        FIRST,
        "--to",
        LAST,
        "--delay",
        "0.002",
        "--paper",
        PAPER,
    ]


def _start_and_kill(data_dir: Path, server: EpaperServer, sig: signal.Signals, after: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        _crawl_command(data_dir, server.url),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        while len(server.article_hits()) < after and proc.poll() is None:
            time.sleep(0.01)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        proc.send_signal(sig)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_a_crawl_killed_halfway_resumes_without_loss_or_duplicates(
    tmp_path: Path, server, articles, sig: signal.Signals
) -> None:
    server.slow(0.05)  # so that "halfway" exists
    code = _start_and_kill(tmp_path, server, sig, after=len(articles) // 2)
    assert code == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    store = Store(tmp_path)
    kept_after_kill = {page.url for page in store.iter_raw()}
    assert kept_after_kill and len(store) < len(articles), "stopped halfway"
    if sig == signal.SIGINT:
        assert state_of(tmp_path, server)["entry"] == server.url, "state saved on Ctrl-C"

    server.slow(0)
    hits_before = len(server.requests)
    rerun = subprocess.run(
        _crawl_command(tmp_path, server.url),
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    second_run = server.requests[hits_before:]
    refetched = {server.url + p for p in second_run} & kept_after_kill
    assert not {u for u in refetched if "/content_" in u}, "archived articles not fetched again"

    store = Store(tmp_path)
    stored = list(store.iter_articles())
    assert sorted(a.id for a in stored) == sorted({a.id for a in stored}), "no duplicates"
    for path in store.article_files():
        ids = [a.id for a in store.read_parts(path)]
        assert len(ids) == len(set(ids)), f"duplicate lines in {path}"
    urls = {server.url + p for p in article_paths(articles, TEMPLATE).values()}
    assert {a.url for a in stored} == urls, "nothing lost"
    by_url = {server.url + article_paths(articles, TEMPLATE)[a.id]: a for a in articles}
    for article in stored:
        want = by_url[article.url]
        assert _norm(article.title) == _norm(want.title)
        assert [_norm(p) for p in article.paragraphs] == [_norm(p) for p in want.paragraphs]
    assert not list(tmp_path.rglob("*.tmp")), "no temp file left behind"
