"""The site over the demo archive (《江城晚报》, in the repository): suggestions as links,
filter-only searches, examples that find something, a clear 503 when the index is not usable."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from indexer import Archive
from webui import create_app


@pytest.fixture(scope="module")
def demo(demo_data_dir):
    with Archive(demo_data_dir) as archive:
        yield archive


@pytest.fixture(scope="module")
def client(demo_data_dir, demo):
    return create_app({"DATA_DIR": demo_data_dir, "ARCHIVE": demo, "TESTING": True}).test_client()


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def hit_ids(page: BeautifulSoup) -> list[str]:
    return [a["href"].split("/article/")[1].split("?")[0] for a in page.select(".hit-title a")]


# --- suggestions -----------------------------------------------------------------------------


def test_a_suggestion_links_to_its_query_keeping_the_filters(client, demo):
    expected = demo.search("植树月啊", page="01").parsed
    assert expected.suggestion_query
    page = soup(client.get("/search", query_string={"q": "植树月啊", "page": "01"}))
    link = page.select_one(".parsed .suggestion a")
    assert link.get_text() == expected.suggestion
    args = query_of(link["href"])
    assert args["q"] == [expected.suggestion_query] and args["page"] == ["01"]
    followed = soup(client.get(link["href"]))
    truth = demo.search(expected.suggestion_query, page="01")
    assert truth.total > 0 and hit_ids(followed) == [h.id for h in truth.hits]


def test_a_simplified_note_is_not_a_link(client):
    page = soup(client.get("/search", query_string={"q": "植樹月"}))
    assert "简体" in page.select_one(".parsed .suggestion").get_text()
    assert page.select_one(".parsed .suggestion a") is None


# --- filters without words -------------------------------------------------------------------


FRONT_PAGES = {"page": "01", "from": "2025-04-01", "to": "2025-04-30"}


def front_page_truth(demo_data_dir) -> list:
    from indexer.store import Store

    return [a for a in Store(demo_data_dir).iter_articles() if a.page == "01"]


def test_filters_alone_list_every_matching_article(client, demo_data_dir):
    truth = front_page_truth(demo_data_dir)
    assert 1 < len(truth) <= 10
    page = soup(client.get("/search", query_string=FRONT_PAGES))
    assert page.select_one(".hero") is None
    assert int(page.select_one(".summary .total").get_text()) == len(truth)
    assert "第1版" in page.select_one(".summary").get_text()
    assert sorted(hit_ids(page)) == sorted(a.id for a in truth)
    dates = [t.get_text() for t in page.select(".hit-meta time")]
    assert dates == sorted(dates, reverse=True)
    assert not page.select(".snippet mark")
    by_id = {a.id: a for a in truth}
    for hit, snippet in zip(hit_ids(page), page.select(".snippet"), strict=True):
        assert snippet.get_text().startswith(by_id[hit].body.replace("\n", " ")[:20])
    # no words, no relevance: the orders offered are newest (current) and oldest
    sorts = page.select_one(".sorts").get_text()
    assert "相关度" not in sorts and page.select_one(".sorts .current").get_text() == "最新"
    facets = {a["data-facet"] for a in page.select(".facets a[data-facet]")}
    assert {"page", "month"} <= facets


def test_filters_alone_in_the_feed_the_csv_and_the_api(client, demo_data_dir):
    import csv
    import io
    from xml.etree import ElementTree as ET

    truth = {a.id for a in front_page_truth(demo_data_dir)}
    feed = client.get("/feed.atom", query_string=FRONT_PAGES)
    assert feed.status_code == 200
    entries = ET.fromstring(feed.data).findall("{http://www.w3.org/2005/Atom}entry")
    links = {e.find("{http://www.w3.org/2005/Atom}id").text.rsplit("/", 1)[1] for e in entries}
    assert links == truth
    export = client.get("/export.csv", query_string=FRONT_PAGES)
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["id"] for r in rows} == truth and all(r["snippet"] for r in rows)
    api = client.get("/api/search", query_string={**FRONT_PAGES, "limit": 50}).get_json()
    assert {h["id"] for h in api["hits"]} == truth and api["sort"] == "newest"
    # no words and no filters: still refused where a result set is the point
    assert client.get("/feed.atom").status_code == 400
    assert client.get("/export.csv").status_code == 400


def test_no_words_no_filters_is_still_the_home_page(client):
    page = soup(client.get("/search", query_string={"sort": "newest"}))
    assert page.select_one(".hero") is not None and not page.select(".hit")


# --- examples on the home page ---------------------------------------------------------------


def example_links(client) -> list:
    return soup(client.get("/")).select(".hints a")


def check_examples(client, archive) -> list[str]:
    expected = archive.example_queries()
    links = example_links(client)
    assert [a.get_text() for a in links] == expected and len(expected) >= 3
    for link in links:
        page = soup(client.get(link["href"]))
        total = int(page.select_one(".summary .total").get_text())
        assert total > 0 and total == archive.search(link.get_text()).total, link["href"]
    return expected


def test_home_examples_come_from_the_demo_archive(client, demo):
    examples = check_examples(client, demo)
    kinds = {q.split(":", 1)[0] for q in examples if ":" in q}
    # the demo has captions and bylines, so both kinds of field search are shown
    assert {"标题", "图片", "作者"} <= kinds
    assert any(q.startswith('"') for q in examples) and any(" -" in q for q in examples)


def test_home_examples_come_from_the_test_archive(web_data_dir):
    with Archive(web_data_dir) as archive:
        app = create_app({"DATA_DIR": web_data_dir, "ARCHIVE": archive, "TESTING": True})
        check_examples(app.test_client(), archive)


def test_no_index_no_examples(tmp_path):
    client = create_app({"DATA_DIR": tmp_path, "TESTING": True}).test_client()
    assert example_links(client) == []
