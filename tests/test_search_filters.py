"""Searches without words: filters alone list every article they let through, newest first, with
exact totals and facets, and the opening text (escaped, unmarked) as snippet. Truth is computed
from the store at run time."""

from __future__ import annotations

import html
from collections import Counter

import pytest

from indexer import Archive
from indexer.results import SearchResult
from indexer.store import Store


@pytest.fixture(scope="module")
def archive_and_articles(web_data_dir):
    with Archive(web_data_dir) as archive:
        yield archive, list(Store(web_data_dir).iter_articles())


def everything(archive: Archive, query: str = "", **kw) -> SearchResult:
    result = archive.search(query, limit=100000, **kw)
    assert result.total == len(result.hits)
    return result


def test_page_and_month_list_every_matching_article_newest_first(archive_and_articles):
    archive, articles = archive_and_articles
    month = Counter(a.date[:7] for a in articles if a.page == "01").most_common(1)[0][0]
    truth = [a for a in articles if a.page == "01" and a.date.startswith(month)]
    assert len(truth) > 1
    for query, kw in (
        ("", {"page": "01", "date_from": f"{month}-01", "date_to": month}),
        (f"日期:{month} 版次:1", {}),
        ("", {"page": "1", "date_from": month, "date_to": month}),
    ):
        result = everything(archive, query, **kw)
        assert sorted(h.id for h in result.hits) == sorted(a.id for a in truth), query
        dates = [h.date for h in result.hits]
        assert dates == sorted(dates, reverse=True) and result.sort == "newest"
        assert result.facets.page == {"01": len(truth)}
        assert result.facets.month == {month: len(truth)}
        assert all(h.score == 0 for h in result.hits)


def test_snippet_is_the_escaped_opening_text_without_marks(archive_and_articles):
    archive, articles = archive_and_articles
    by_id = {a.id: a for a in articles}
    result = archive.search("", date_from="2019-10-15", date_to="2019-10-15", limit=100)
    assert result.total == sum(a.date == "2019-10-15" for a in articles)
    for hit in result.hits:
        assert "<mark>" not in hit.snippet
        opening = by_id[hit.id].body.replace("\n", " ")
        if opening:
            assert hit.snippet.startswith(html.escape(opening[:40])), hit.snippet
    crafted = next(h for h in result.hits if h.id == "web-xss-1")
    assert "&lt;img" in crafted.snippet and "<img" not in crafted.snippet


def test_sort_oldest_paper_and_exclusions(archive_and_articles):
    archive, articles = archive_and_articles
    oldest = everything(archive, "", page="07", sort="oldest")
    dates = [h.date for h in oldest.hits]
    assert dates == sorted(dates) and oldest.sort == "oldest"
    assert len(dates) == sum(a.page == "07" for a in articles)
    assert everything(archive, "排序:最早", page="07").hits == oldest.hits
    paper = everything(archive, "", paper="测试报")
    assert {h.id for h in paper.hits} == {a.id for a in articles if a.paper == "测试报"}
    without = everything(archive, "-冰雕", paper="测试报")
    assert {h.id for h in without.hits} == {"web-xss-1"}


def test_no_words_and_no_filters_finds_nothing(archive_and_articles):
    archive, _ = archive_and_articles
    for query in ("", "排序:最新", "  "):
        result = archive.search(query)
        assert result.total == 0 and result.hits == []
    # punctuation is not "no words": it is a query that matches nothing
    assert archive.search("，。", page="01").total == 0
