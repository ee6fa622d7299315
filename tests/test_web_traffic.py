"""The site under traffic (webui/traffic.py, indexer/budget.py): rate limits per client with a
429 and Retry-After, ETag/Last-Modified from the index generation with 304s, and 400/413/414
over the limits on requests and on the work of one query. With the Flask client, and with
gunicorn on 127.0.0.1 as production runs it."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from indexer import Archive
from indexer.article import Article
from indexer.budget import QueryBudget, QueryTooCostly, limits
from indexer.cli import main
from indexer.store import Store
from tests.gunicorn_server import gunicorn
from webui import create_app

QUERY = "中国"


def make_client(data_dir, **config):
    return create_app({"DATA_DIR": data_dir, "TESTING": True, **config}).test_client()


def message(response) -> str:
    if response.is_json:
        return response.get_json()["error"]["message"]
    soup = BeautifulSoup(response.get_data(as_text=True), "lxml")
    return soup.select_one(".message").get_text()


def or_query(branches: int) -> str:
    return " OR ".join(f"词{i}" for i in range(branches))


# --- rate limits -----------------------------------------------------------------------------


def test_api_limit_is_per_client_with_retry_after(web_data_dir):
    client = make_client(web_data_dir, RATELIMIT_API="3/minute")
    one = {"REMOTE_ADDR": "192.0.2.1"}
    answers = [client.get(f"/api/search?q={QUERY}", environ_base=one) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    # /api/article shares the /api/* budget of this client
    over = client.get("/api/article/web-near-exact", environ_base=one)
    assert over.status_code == 429
    assert 0 < int(over.headers["Retry-After"]) <= 61  # one window, rounded up
    assert "请求过于频繁" in message(over) and over.get_json()["error"]["status"] == 429
    other = client.get(f"/api/search?q={QUERY}", environ_base={"REMOTE_ADDR": "192.0.2.2"})
    assert other.status_code == 200
    # the search pages themselves are not limited
    assert all(
        client.get(f"/search?q={QUERY}", environ_base=one).status_code == 200 for _ in "1234"
    )


@pytest.mark.parametrize(
    ("url", "key"),
    [("/feed.atom?q=中国", "RATELIMIT_FEED"), ("/export.csv?q=中国", "RATELIMIT_EXPORT")],
)
def test_feed_and_export_limits_answer_a_page(web_data_dir, url, key):
    client = make_client(web_data_dir, **{key: "2/minute"})
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    over = client.get(url)
    assert over.status_code == 429 and over.mimetype == "text/html"
    assert "请求过于频繁" in message(over) and int(over.headers["Retry-After"]) > 0


def test_proxy_hops_decide_who_the_client_is(web_data_dir):
    def statuses(client) -> list[int]:
        return [
            client.get(
                "/api/search?q=中国", headers={"X-Forwarded-For": f"198.51.100.{i}"}
            ).status_code
            for i in range(3)
        ]

    # Behind one proxy each forwarded address is its own client ...
    assert statuses(make_client(web_data_dir, RATELIMIT_API="1/minute", PROXY_HOPS=1)) == [200] * 3
    # ... without one the header is the client's own claim and is ignored.
    direct = statuses(make_client(web_data_dir, RATELIMIT_API="1/minute"))
    assert direct == [200, 429, 429]


def test_rate_limits_can_be_turned_off(web_data_dir):
    client = make_client(web_data_dir, RATELIMIT_API="1/minute", RATELIMIT_ENABLED="0")
    assert {client.get("/api/search?q=中国").status_code for _ in range(3)} == {200}


# --- HTTP caching ----------------------------------------------------------------------------


CACHED = ["/search?q=中国", "/api/search?q=中国", "/feed.atom?q=中国", "/export.csv?q=中国"]


@pytest.mark.parametrize("url", CACHED)
def test_validators_and_304(web_data_dir, url):
    client = make_client(web_data_dir, CACHE_MAX_AGE=120)
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"') and first.cache_control.public
    assert first.cache_control.max_age == 120
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    since = client.get(url, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = client.get(url, headers={"If-None-Match": 'W/"another"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == etag and stale.data


def test_errors_carry_no_validators(web_data_dir):
    client = make_client(web_data_dir)
    bad = client.get("/api/search?q=中国&limit=abc")
    assert bad.status_code == 400 and "ETag" not in bad.headers


def articles(n: int, day: str) -> list[Article]:
    return [
        Article(
            id=f"t-{day}-{i}",
            paper="测试报",
            date=day,
            page="01",
            title=f"新区建设{i}",
            body="新区建设进展顺利。",
        )
        for i in range(n)
    ]


def test_rebuild_and_update_change_the_validators(tmp_path):
    data = tmp_path / "data"
    Store(data).put_articles(articles(5, "2024-01-02"))
    Archive(data).reindex()
    client = make_client(data)
    url = "/api/search?q=新区"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    rebuilt = CliRunner().invoke(main, ["--data", str(data), "index", "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    after_rebuild = client.get(url, headers={"If-None-Match": etag})
    assert after_rebuild.status_code == 200 and after_rebuild.headers["ETag"] != etag

    Store(data).put_articles(articles(2, "2024-01-03"))
    updated = CliRunner().invoke(main, ["--data", str(data), "index"])
    assert updated.exit_code == 0, updated.output
    after_update = client.get(url, headers={"If-None-Match": after_rebuild.headers["ETag"]})
    assert after_update.status_code == 200
    assert after_update.headers["ETag"] not in (etag, after_rebuild.headers["ETag"])
    assert after_update.get_json()["total"] == 7


def test_index_version_follows_the_generation(tmp_path):
    data = tmp_path / "data"
    assert Archive(data).index_version() is None
    Store(data).put_articles(articles(3, "2024-01-02"))
    with Archive(data) as archive:
        archive.reindex()
        first = archive.index_version()
        assert first is not None and archive.index_version() == first
        archive.reindex(rebuild=True)
        assert archive.index_version().tag != first.tag


# --- limits on requests and on the work of a query ------------------------------------------


def test_too_many_or_branches_is_a_400_that_says_why(web_data_dir):
    client = make_client(web_data_dir, MAX_OR_BRANCHES=8)
    assert client.get("/api/search", query_string={"q": or_query(8)}).status_code == 200
    over = client.get("/api/search", query_string={"q": or_query(9)})
    assert over.status_code == 400
    assert "9 个 OR 分支" in message(over) and "上限 8" in message(over)
    page = client.get("/search", query_string={"q": or_query(9)})
    assert page.status_code == 400 and "OR 分支" in message(page)


def test_a_search_over_its_time_budget_is_a_400(web_data_dir):
    # A budget of a microsecond is spent before the first fragment's postings are read.
    client = make_client(web_data_dir, QUERY_TIME_MS=0.001)
    over = client.get("/api/search?q=中国")
    assert over.status_code == 400 and "检索用时超过上限" in message(over)
    assert make_client(web_data_dir).get("/api/search?q=中国").status_code == 200


def test_the_cli_has_no_budget(web_data_dir):
    with Archive(web_data_dir) as archive:
        assert archive.search(or_query(50)).total >= 0
        with pytest.raises(QueryTooCostly), limits(QueryBudget(max_or_branches=10)):
            archive.search(or_query(11))
        with pytest.raises(QueryTooCostly), limits(QueryBudget(time_ms=0)):
            archive.search(QUERY)
        assert archive.search(QUERY).total > 0  # the budget ends with its block


def test_request_size_limits(web_data_dir):
    client = make_client(web_data_dir, MAX_QUERY_STRING=200, MAX_CONTENT_LENGTH=1024)
    long = client.get("/search", query_string={"q": "中" * 100})
    assert long.status_code == 414 and "超过上限 200" in message(long)
    body = client.get("/search?q=中国", data=b"x" * 2048)
    assert body.status_code == 413 and "1024 字节" in message(body)


# --- the same over gunicorn ------------------------------------------------------------------


def fetch(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_limits_and_conditional_requests_under_gunicorn(web_data_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(web_data_dir, data)
    env = {"BAOKU_RATELIMIT_API": "4/minute", "BAOKU_PROXY_HOPS": "1"}
    url_q = urllib.parse.quote(QUERY)
    with gunicorn(data, env, workers=1, threads=4) as base:
        api = f"{base}/api/search?q={url_q}"
        alice = {"X-Forwarded-For": "203.0.113.7"}
        status, headers, _ = fetch(api, alice)
        assert status == 200
        etag = headers["ETag"]
        status, _, body = fetch(api, {**alice, "If-None-Match": etag})
        assert status == 304 and body == b""
        # a 304 is answered before the view and costs the client nothing of its budget
        assert [fetch(api, alice)[0] for _ in range(3)] == [200, 200, 200]
        status, headers, body = fetch(api, alice)
        assert status == 429 and int(headers["Retry-After"]) > 0
        assert "请求过于频繁" in json.loads(body)["error"]["message"]
        assert fetch(api, {"X-Forwarded-For": "203.0.113.8"})[0] == 200

        page = f"{base}/search?q={url_q}"
        status, headers, _ = fetch(page)
        assert status == 200 and headers["ETag"] == etag
        rebuilt = CliRunner().invoke(main, ["--data", str(data), "index", "--rebuild"])
        assert rebuilt.exit_code == 0, rebuilt.output
        status, headers, _ = fetch(page, {"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag
        assert fetch(page, {"If-None-Match": headers["ETag"]})[0] == 304

        status, _, body = fetch(
            f"{base}/api/search?" + urllib.parse.urlencode({"q": or_query(40)}),
            {"X-Forwarded-For": "203.0.113.9"},
        )
        assert status == 400 and "OR 分支" in json.loads(body)["error"]["message"]
