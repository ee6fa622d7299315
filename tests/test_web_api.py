"""/api/*: the same parameters and shape as `baoku search --json`, CORS only for configured origins."""

from __future__ import annotations

import pytest

from webui import create_app

QUERY = "中国"
ALLOWED = "https://news.example"


@pytest.fixture(scope="module")
def app(web_data_dir):
    return create_app({"DATA_DIR": web_data_dir, "TESTING": True, "CORS_ORIGINS": ALLOWED})


def without_timing(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "took_ms"}


def test_api_search_is_the_archive_result(client, archive):
    args = {
        "q": QUERY,
        "limit": 5,
        "offset": 3,
        "from": "2019-01-01",
        "to": "2020-12-31",
        "sort": "newest",
    }
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    expected = archive.search(
        QUERY, limit=5, offset=3, date_from="2019-01-01", date_to="2020-12-31", sort="newest"
    )
    assert without_timing(body) == without_timing(expected.to_dict())
    assert {"query", "total", "hits", "facets"} <= body.keys()
    assert set(body["hits"][0]) >= {"id", "title", "paper", "date", "page", "score", "snippet"}


def test_api_search_page_filter_and_fields(client, archive):
    body = client.get(
        "/api/search", query_string={"q": QUERY, "page": "01", "fields": "id,date"}
    ).get_json()
    expected = archive.search(QUERY, page="01")
    assert body["total"] == expected.total
    assert body["hits"] == [{"id": h.id, "date": h.date} for h in expected.hits]


def test_api_article(client, archive):
    hit = archive.search(QUERY, limit=1).hits[0]
    body = client.get(f"/api/article/{hit.id}").get_json()
    assert body == archive.get(hit.id).to_dict()
    missing = client.get("/api/article/nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ({"q": "x" * 501}, "q"),
        ({"q": QUERY, "limit": "-1"}, "limit"),
        ({"q": QUERY, "limit": "ten"}, "limit"),
        ({"q": QUERY, "limit": "101"}, "limit"),
        ({"q": QUERY, "offset": "-5"}, "offset"),
        ({"q": QUERY, "offset": "1.5"}, "offset"),
        ({"q": QUERY, "from": "2020/01/01"}, "from"),
        ({"q": QUERY, "to": "2020-02-30"}, "to"),
        ({"q": QUERY, "from": "2020-03-01", "to": "2020-01-01"}, "from"),
        ({"q": QUERY, "sort": "random"}, "sort"),
        ({"q": QUERY, "page": "<b>"}, "page"),
        ({"q": QUERY, "fields": "id,body"}, "fields"),
        ({"q": QUERY, "colour": "red"}, "colour"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_api_bad_input_is_a_json_400(client, args, parameter):
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and error["message"]


def test_api_repeated_parameter_is_400(client):
    response = client.get("/api/search?q=a&q=b")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "q"


def test_cors_for_a_configured_origin(client):
    response = client.get("/api/search", query_string={"q": QUERY}, headers={"Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in response.headers["Vary"]
    preflight = client.options(
        "/api/search", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_no_cors_for_other_origins_or_pages(client):
    other = client.get(
        "/api/search", query_string={"q": QUERY}, headers={"Origin": "https://evil.example"}
    )
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers
    page = client.get("/search", query_string={"q": QUERY}, headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in page.headers


def test_api_only_answers_get(client):
    response = client.post("/api/search", data={"q": QUERY})
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405


def test_api_search_counts_near_matches_apart(client):
    data = client.get("/api/search?q=珀猫头").get_json()
    assert (data["total"], data["total_near"]) == (1, 1)
    assert [(h["id"], h["near"]) for h in data["hits"]] == [
        ("web-near-exact", False),
        ("web-near-apart", True),
    ]
