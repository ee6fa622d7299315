"""The site over the demo archive (《江城晚报》, in the repository): suggestions as links,
filter-only searches, examples that find something, a clear 503 when the index is not usable."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from indexer.search import Archive
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
    expected = demo.search("植树月啊", page="01")["parsed"]
    assert expected["suggestion_query"]
    page = soup(client.get("/search", query_string={"q": "植树月啊", "page": "01"}))
    link = page.select_one(".parsed .suggestion a")
    assert link.get_text() == expected["suggestion"]
    args = query_of(link["href"])
    assert args["q"] == [expected["suggestion_query"]] and args["page"] == ["01"]
    followed = soup(client.get(link["href"]))
    truth = demo.search(expected["suggestion_query"], page="01")
    assert truth["total"] > 0 and hit_ids(followed) == [h["id"] for h in truth["hits"]]


def test_a_simplified_note_is_not_a_link(client):
    page = soup(client.get("/search", query_string={"q": "植樹月"}))
    assert "简体" in page.select_one(".parsed .suggestion").get_text()
    assert page.select_one(".parsed .suggestion a") is None
