"""An index that is missing, of another schema version or damaged gives a clear 503 (page or
JSON) saying what to run, never a 500; a ready one is counted by Archive.count()."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from indexer import Archive
from indexer.store import Store
from tests.test_index_state import broken_copy, outdated_copy
from webui import create_app


def client_for(data_dir):
    return create_app({"DATA_DIR": data_dir, "TESTING": True}).test_client()


def message(response) -> str:
    if response.is_json:
        return response.get_json()["error"]["message"]
    return BeautifulSoup(response.get_data(as_text=True), "lxml").select_one(".message").get_text()


PAGES = ["/search?q=江城", "/search?page=01", "/browse", "/embed?q=江城", "/feed.atom?q=江城"]
API = ["/api/search?q=江城", "/api/search?page=01"]


@pytest.mark.parametrize(
    ("make", "command"),
    [
        (outdated_copy, "baoku index --rebuild"),
        (broken_copy, "baoku index --rebuild"),
        (None, "baoku index"),
    ],
    ids=["outdated", "broken", "missing"],
)
def test_an_unusable_index_is_a_503_that_says_what_to_run(demo_data_dir, tmp_path, make, command):
    data_dir = make(demo_data_dir, tmp_path / "copy") if make else tmp_path / "empty"
    client = client_for(data_dir)
    for url in PAGES + API:
        response = client.get(url)
        assert response.status_code == 503, url
        assert command in message(response), (url, message(response))
        if url.startswith("/api/"):
            assert response.get_json()["error"]["status"] == 503
    health = client.get("/healthz")
    assert health.status_code == 503 and command in health.get_json()["reason"]
    home = client.get("/")
    assert home.status_code == 200  # the home page stays up, without the overview
    assert BeautifulSoup(home.get_data(as_text=True), "lxml").select_one(".overview") is None


def test_an_index_outdated_under_a_running_site(demo_data_dir, tmp_path):
    """Pages that reach the index without the readiness check (an article's related articles)
    get the same 503 from IndexOutdated itself."""
    data_dir = outdated_copy(demo_data_dir, tmp_path / "copy")
    with Archive(demo_data_dir) as good:
        article_id = good.search("江城").hits[0].id
    client = client_for(data_dir)
    response = client.get(f"/article/{article_id}")  # the store has it; related needs the index
    assert response.status_code == 503 and "baoku index --rebuild" in message(response)


def test_counts_come_from_the_archive(demo_data_dir):
    client = client_for(demo_data_dir)
    with Archive(demo_data_dir) as archive:
        count = archive.count()
    assert count == len(Store(demo_data_dir))
    assert client.get("/healthz").get_json() == {"status": "ok", "articles": count}
    home = BeautifulSoup(client.get("/").get_data(as_text=True), "lxml")
    assert f"收录 {count} 篇文章" in home.select_one(".overview").get_text()
