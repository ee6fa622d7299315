"""Photo stories (图片报道) and ads (广告): article pages with a title and pictures but no text.

The synthetic corpus (tests/synthetic.py) has such records with an empty body, as the 人民日报
corpus of ../shared has. The corpora keep no captions, so each photo story gets captions made up
now from its own title; an ad gets a picture with no caption, as the paper prints it. Rendered
into each template and crawled over real HTTP, every one must come back as an article with the
source's title and captions; a page with a title and nothing else stays refused, kept and on
record as unreadable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.article import Article, Caption
from indexer.crawl import UNREADABLE, crawl
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, SAMPLE_PAGES, EpaperServer, sample_articles
from tests.sitegen import article_paths, render_site
from tests.synthetic import PAPER, synthetic_corpus_lines
from tests.test_crawl_sites import assert_crawled_all, assert_same_article

FAST = {"delay": 0.002, "timeout": 5.0, "backoff": 0.01, "paper": PAPER}
FIRST, LAST = SAMPLE_DATES[0], SAMPLE_DATES[-1]
PHOTO_STORIES, ADS = 6, 3


def textless_records() -> list[dict]:
    """Every record of the corpus with a title and an empty body."""
    records = [json.loads(line) for line in synthetic_corpus_lines() if '"body": ""' in line]
    return [r for r in records if not (r.get("body") or "").strip() and r.get("title")]


def pictured(record: dict, day: str, page: str) -> Article:
    """The record moved onto a sample date and page, with the pictures the corpus lacks."""
    article = Article.from_dict(record)
    article.date, article.page, article.page_name = day, page, SAMPLE_PAGES[page]
    article.pages = [page]
    if article.title == "广告":
        article.captions = [Caption("")]  # an ad is a picture and no words
    else:
        short = article.title[:10]
        article.captions = [
            Caption(f"图为{short}现场。新华社记者 摄"),
            Caption(f"{short}（资料图片）"),
        ]
    return article


@pytest.fixture(scope="module")
def photo_items() -> list[Article]:
    records = textless_records()
    stories = [r for r in records if r["title"] != "广告"][:PHOTO_STORIES]
    ads = [r for r in records if r["title"] == "广告"][:ADS]
    slots = [(day, page) for day in SAMPLE_DATES for page in SAMPLE_PAGES]
    return [pictured(r, *slots[i % len(slots)]) for i, r in enumerate(stories + ads)]


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return sample_articles(per_page=1)


def run(store: Store, url: str):
    return crawl(store, url, date_from=FIRST, date_to=LAST, **FAST)


@pytest.mark.parametrize("template", ["founder", "rmrb", "hubei"])
def test_photo_stories_and_ads_are_stored_with_their_captions(
    tmp_path: Path, articles, photo_items, template: str
) -> None:
    assert len(photo_items) == PHOTO_STORIES + ADS
    sources = [*articles, *photo_items]
    with EpaperServer(render_site(sources, template)) as server:
        store = Store(tmp_path)
        report = run(store, server.url)
        assert report.failures == []
        assert report.new == len(sources)
        assert_crawled_all(store, server, sources, template)
        paths = article_paths(sources, template)
        for want in photo_items:
            got = next(a for a in store.iter_articles() if a.url == server.url + paths[want.id])
            assert_same_article(got, want)
            assert got.title == want.title and got.body == "" and got.sections == []
            assert [c.text for c in got.captions] == [c.text for c in want.captions]
            assert all(c.src.endswith(".jpg") for c in got.captions), got.captions


def test_a_title_alone_stays_unreadable_beside_stored_photo_stories(
    tmp_path: Path, articles, photo_items
) -> None:
    bare = Article.from_dict(photo_items[0].to_dict())
    bare.id, bare.captions = bare.id + "-bare", []
    sources = [*articles, *photo_items, bare]
    target = article_paths(sources, "rmrb")[bare.id]
    with EpaperServer(render_site(sources, "rmrb")) as server:
        store = Store(tmp_path)
        report = run(store, server.url)
        assert [url for url, _ in report.failures] == [server.url + target]
        reason = report.failures[0][1]
        assert reason.startswith("no article found: a title") and bare.title in reason
        assert store.raw_source(server.url + target) is not None, "kept for a later reclean"
        assert len(store) == len(articles) + len(photo_items)
        port = server.url.rstrip("/").rsplit(":", 1)[1]
        state = json.loads((tmp_path / "crawl" / f"127.0.0.1_{port}.json").read_text("utf-8"))
        record = state["failed"][server.url + target]
        assert record["kind"] == UNREADABLE
        assert (record["page"], record["page_name"]) == (bare.page, bare.page_name)


def test_a_photo_story_kept_as_unreadable_by_an_older_run_is_stored_by_the_next(
    tmp_path: Path, articles, photo_items
) -> None:
    """Before the cleaner read photo stories, the crawler kept them raw and recorded them as
    unreadable. A nightly --update that does not reach their date stores them anyway, from
    the kept copy, with the 版次 and 版名 on record, and takes them off the failure list."""
    story = photo_items[0]
    assert story.date == FIRST != LAST
    sources = [*articles, story]
    site = render_site(sources, "rmrb")
    target = article_paths(sources, "rmrb")[story.id]
    with EpaperServer(site) as server:
        store = Store(tmp_path)
        crawl(store, server.url, date_from=LAST, date_to=LAST, **FAST)
        url = server.url + target
        # What an older crawler left of the story: the page kept, the failure on record.
        store.put_raw(url, site[target], content_type="text/html; charset=utf-8")
        state_path = next((tmp_path / "crawl").glob("*.json"))
        state = json.loads(state_path.read_text("utf-8"))
        assert state["failed"] == {} and state["last_success"] == LAST
        state["failed"][url] = {
            "reason": "no article found: no block of paragraphs on the page",
            "date": story.date,
            "kind": UNREADABLE,
            "attempts": 1,
            "at": "2024-01-01T00:00:00+00:00",
            "page": story.page,
            "page_name": story.page_name,
        }
        state_path.write_text(json.dumps(state, ensure_ascii=False), "utf-8")
        before = len(store)
        server.requests.clear()
        report = crawl(store, server.url, update=True, **FAST)
        assert report.dates == [LAST] and report.failures == []
        assert report.new == 1 and len(store) == before + 1
        assert not server.hits(lambda p: p == target), "cleaned from the kept copy"
        got = [a for a in store.iter_articles() if a.url == url]
        assert len(got) == 1
        assert_same_article(got[0], story)
        assert got[0].source == store.raw_source(url)
        assert url not in json.loads(state_path.read_text("utf-8"))["failed"]
