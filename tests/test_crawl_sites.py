"""`crawl` against real HTTP servers on 127.0.0.1 serving rendered e-paper sites.

Each site holds a few articles of the synthetic corpus (tests/synthetic.py) on three dates with a
gap date between them, in one of the three templates. The crawl must find every article of every
date in range, and the cleaned fields must equal the source articles'.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.article import Article, Caption
from indexer.crawl import CrawlReport, crawl
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, SAMPLE_GAP, EpaperServer, sample_articles
from tests.sitegen import article_paths, render_site
from tests.synthetic import PAPER

FAST = {"delay": 0.002, "timeout": 5.0, "backoff": 0.01, "paper": PAPER}
FIRST, LAST = SAMPLE_DATES[0], SAMPLE_DATES[-1]


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return sample_articles()


def _norm(text: str) -> str:
    return " ".join(text.split())


def assert_same_article(got: Article, want: Article) -> None:
    where = f"{got.url} ({want.id})"
    assert _norm(got.title) == _norm(want.title), where
    assert _norm(got.kicker) == _norm(want.kicker), where
    assert _norm(got.subtitle) == _norm(want.subtitle), where
    assert got.date == want.date, where
    assert got.page == want.page, where
    assert got.page_name == want.page_name, where
    assert got.paper == want.paper, where
    assert [_norm(p) for p in got.paragraphs] == [_norm(p) for p in want.paragraphs], where
    assert got.headings == want.headings, where
    assert [_norm(c.text) for c in got.captions] == [_norm(c.text) for c in want.captions], where


def assert_crawled_all(store: Store, server: EpaperServer, sources: list[Article], template: str):
    paths = article_paths(sources, template)
    by_url = {server.url + paths[a.id]: a for a in sources}
    stored = list(store.iter_articles())
    assert sorted(a.url for a in stored) == sorted(by_url), "every article exactly once"
    for article in stored:
        assert_same_article(article, by_url[article.url])
        assert article.source and store.read_raw(article.source)


def run(store: Store, url: str, **options) -> CrawlReport:
    return crawl(store, url, **{**FAST, **options})


@pytest.mark.parametrize("template", ["founder", "rmrb", "hubei"])
def test_crawl_finds_every_article_of_every_date(tmp_path: Path, articles, template: str) -> None:
    site = render_site(articles, template)
    with EpaperServer(site) as server:
        store = Store(tmp_path)
        report = run(store, server.url, date_from=FIRST, date_to=LAST)
        assert report.failures == []
        assert sorted(report.dates) == sorted(SAMPLE_DATES)
        assert report.skipped_dates == [(SAMPLE_GAP, "no issue (HTTP 404)")]
        assert report.new == len(articles) and report.unchanged == 0
        assert_crawled_all(store, server, articles, template)
        # Layout pages are kept too, byte for byte.
        first_layout = next(
            p for p in sorted(site) if "node_" in p and _date_dir(template, FIRST) in p
        )
        source = store.raw_source(server.url + first_layout)
        assert source is not None and store.read_raw(source) == site[first_layout]
        state = json.loads((tmp_path / "crawl" / f"127.0.0.1_{_port(server)}.json").read_text())
        assert state["last_success"] == LAST
        assert state["dates"][SAMPLE_GAP]["status"] == "no-issue"
        assert state["failed"] == {}


def _date_dir(template: str, day: str) -> str:
    y, m, d = day.split("-")
    return f"{y}-{m}/{d}" if template == "founder" else f"{y}{m}/{d}"


def _port(server: EpaperServer) -> str:
    return server.url.rstrip("/").rsplit(":", 1)[1]


def test_gbk_site_without_charset_header(tmp_path: Path, articles) -> None:
    """Served as GBK, Content-Type says no charset, the meta says gb2312, text has 镕/喆/堃."""
    sources = [Article.from_dict(a.to_dict()) for a in articles]
    rare = sources[0]
    rare.title = rare.title + "镕"
    rare.sections[0].paragraphs.append("喆与堃是GBK里有、GB2312里没有的字。")
    rare.body = "\n".join(rare.paragraphs)
    rare.captions = [Caption("图为朱镕基同志旧照")]
    site = render_site(sources, "founder", encoding="gbk", meta_charset="gb2312")
    page = site[article_paths(sources, "founder")[rare.id]]
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")
    assert b"charset=gb2312" in page
    with EpaperServer(site, content_type=lambda path: "text/html") as server:
        store = Store(tmp_path)
        report = run(store, server.url, date_from=FIRST, date_to=LAST)
        assert report.failures == []
        assert_crawled_all(store, server, sources, "founder")
        got = next(a for a in store.iter_articles() if a.title.endswith("镕"))
        assert "喆与堃" in got.body and got.captions[0].text == "图为朱镕基同志旧照"
        assert store.read_raw(got.source) == page  # kept as served, not re-encoded


def test_second_crawl_fetches_no_article_page_again(tmp_path: Path, articles) -> None:
    site = render_site(articles, "rmrb")
    with EpaperServer(site) as server:
        store = Store(tmp_path)
        run(store, server.url, date_from=FIRST, date_to=LAST)
        first_run = len(server.article_hits())
        assert first_run == len(articles)
        again = run(store, server.url, date_from=FIRST, date_to=LAST)
        assert len(server.article_hits()) == first_run, "no article page fetched twice"
        assert again.new == 0 and again.updated == 0
        assert again.unchanged == len(articles)
        assert len(store) == len(articles)


def test_update_crawls_only_from_the_last_successful_date(tmp_path: Path, articles) -> None:
    older = [a for a in articles if a.date != LAST]
    store = Store(tmp_path)
    with EpaperServer(render_site(older, "hubei")) as server:
        run(store, server.url, date_from=FIRST, date_to=SAMPLE_DATES[1])
        assert len(store) == len(older)
        # The next day's issue appears; the nightly job runs with --update.
        server.files = render_site(articles, "hubei")
        server.requests.clear()
        report = run(store, server.url, update=True)
        assert sorted(report.dates) == [SAMPLE_DATES[1], LAST]
        assert report.new == len(articles) - len(older)
        requested = server.hits()
        assert not any(_date_dir("hubei", FIRST) in p for p in requested), "older dates untouched"
        # The last successful date's layout pages are fetched again, its articles are not.
        assert any(_date_dir("hubei", SAMPLE_DATES[1]) in p and "node_" in p for p in requested)
        assert not any(_date_dir("hubei", SAMPLE_DATES[1]) in p for p in server.article_hits())
        assert_crawled_all(store, server, articles, "hubei")


def test_entry_may_be_any_layout_page(tmp_path: Path, articles) -> None:
    site = render_site(articles, "rmrb")
    second_page = next(
        p for p in sorted(site) if p.endswith("node_02.html") and _date_dir("rmrb", FIRST) in p
    )
    with EpaperServer(site) as server:
        store = Store(tmp_path)
        report = run(store, server.url + second_page, date_from=FIRST, date_to=LAST)
        assert report.failures == []
        assert_crawled_all(store, server, articles, "rmrb")


def _rename_first_day(site: dict[str, bytes]) -> dict[str, bytes]:
    """The first day's layout pages get other names, so the URL pattern misses them."""
    day_dir = f"html/{_date_dir('founder', FIRST)}/"
    moved: dict[str, bytes] = {}
    for path, data in site.items():
        if path.startswith(day_dir):
            path = path.replace("node_", "page_")
            data = data.replace(b"node_", b"page_")
        elif "上一期".encode() in data:
            data = data.replace(f"{FIRST[-2:]}/node_".encode(), f"{FIRST[-2:]}/page_".encode())
        moved[path] = data
    return moved


def test_date_navigation_walks_back_from_the_newest_issue(tmp_path: Path, articles) -> None:
    """Only the oldest day is asked for; the walk goes 上一期 by 上一期 from the front page."""
    with EpaperServer(_rename_first_day(render_site(articles, "founder"))) as server:
        store = Store(tmp_path)
        report = run(store, server.url, date_from=FIRST, date_to=FIRST)
        assert report.failures == [] and report.dates == [FIRST]
        on_first_day = [a for a in articles if a.date == FIRST]
        assert_crawled_all(store, server, on_first_day, "founder")
        assert not any("content_" in p and FIRST[-2:] + "/" not in p for p in server.hits())


def test_the_entry_page_is_downloaded_once(tmp_path: Path, articles) -> None:
    site = render_site(articles, "hubei")
    with EpaperServer(site) as server:
        run(Store(tmp_path), server.url, date_from=FIRST, date_to=LAST)
        newest_first_page = f"pc/layout/{_date_dir('hubei', LAST)}/node_01.html"
        assert server.hits(lambda p: p == newest_first_page) == [newest_first_page]


def test_date_navigation_when_the_url_pattern_fails(tmp_path: Path, articles) -> None:
    """One day's first page has another name; only 上一期 on the next issue leads to it."""
    with EpaperServer(_rename_first_day(render_site(articles, "founder"))) as server:
        store = Store(tmp_path)
        report = run(store, server.url, date_from=FIRST, date_to=LAST)
        assert report.failures == []
        assert FIRST in report.dates
        assert_crawled_all(store, server, articles, "founder")
        guessed = f"html/{_date_dir('founder', FIRST)}/node_2.htm"
        assert guessed not in server.hits(), "the known link is used, not guessed"
