"""Bad input, escaping, security headers, configuration and `baoku serve`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from bs4 import BeautifulSoup

from tests.conftest import REPO, XSS_TITLE
from webui import create_app

EMBEDDERS = "https://news.example http://127.0.0.1:8123"
XSS_QUERY = "<script>alert(1)</script><img src=x onerror=alert(1)>"
RAW_MARKUP = ("<script>alert(1)", "<img src=x", '<img src="x"', "onerror=alert(1)>")


@pytest.fixture(scope="module")
def client(web_data_dir):
    app = create_app({"DATA_DIR": web_data_dir, "TESTING": True, "EMBED_ORIGINS": EMBEDDERS})
    return app.test_client()


def assert_no_raw_markup(html: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, raw


# --- bad input on the pages -------------------------------------------------------------------

BAD_PAGE_REQUESTS = [
    "/search?q=" + "长" * 501,
    "/search?q=中国&from=2020-1-1",
    "/search?q=中国&from=not-a-date",
    "/search?q=中国&to=2019-02-29",
    "/search?q=中国&p=0",
    "/search?q=中国&p=-2",
    "/search?q=中国&p=two",
    "/search?q=中国&p=99999",
    "/search?q=中国&sort=best",
    "/search?q=中国&limit=10",
    "/search?q=中国&page=第一版",
    "/search?q=中国&q=美国",
    "/embed?q=中国&offset=-1",
    "/feed.atom?q=中国&from=yesterday",
    "/export.csv?q=中国&limit=999999",
    "/export.csv?q=中国&offset=abc",
    "/article/web-sections-1?q=" + "x" * 600,
    "/article/web-sections-1?utm_source=x",
    "/opensearch.xml?x=1",
]


@pytest.mark.parametrize("url", BAD_PAGE_REQUESTS)
def test_bad_parameters_give_a_readable_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "lxml")
    assert page.select_one(".error h1").get_text().startswith("请求有误")
    assert page.select_one(".error .message").get_text().strip()


def test_the_400_page_offers_the_url_without_the_bad_parameter(client):
    response = client.get("/search?q=中国&from=singlemessage&sort=newest")
    retry = BeautifulSoup(response.get_data(as_text=True), "lxml").select_one("a.retry")["href"]
    assert client.get(retry).status_code == 200
    assert "from=" not in retry and "sort=newest" in retry


def test_the_400_message_names_the_parameter(client):
    page = client.get("/search?q=中国&p=two").get_data(as_text=True)
    assert "参数 p 必须是整数" in page
    assert "未知参数 “limit”" in client.get("/search?q=中国&limit=10").get_data(as_text=True)


# --- escaping ------------------------------------------------------------------------------------


def test_query_echoes_are_escaped(client):
    for path in ("/search", "/embed", "/article/web-sections-1"):
        response = client.get(path, query_string={"q": XSS_QUERY})
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert_no_raw_markup(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


def test_article_markup_is_shown_as_text(client):
    response = client.get("/article/web-xss-1", query_string={"q": "跨站"})
    html = response.get_data(as_text=True)
    assert_no_raw_markup(html)
    page = BeautifulSoup(html, "lxml")
    assert page.select_one("h1.article-title").get_text() == XSS_TITLE
    assert "<img src=x onerror=alert(1)>" in page.select_one(".article-body").get_text()
    assert page.select_one(".article-body mark").get_text() == "跨站"
    assert page.select_one(".author").get_text() == "<b>记者</b>"
    # A javascript: URL from the data is never made into a link.
    assert "javascript:" not in html


def test_search_results_with_markup_in_the_article_are_escaped(client):
    for path in ("/search", "/embed", "/api/search", "/feed.atom", "/export.csv"):
        response = client.get(path, query_string={"q": "跨站脚本"})
        text = response.get_data(as_text=True)
        assert "alert(1)" in text, path  # the article was found …
        if path in ("/search", "/embed"):
            assert_no_raw_markup(text)  # … and its markup shows as text
            page = BeautifulSoup(text, "lxml")
            assert XSS_TITLE in [a.get_text() for a in page.select(".hit-title a")]
    feed = client.get("/feed.atom", query_string={"q": "跨站脚本"}).get_data(as_text=True)
    assert "<script>" not in feed and "&lt;script&gt;" in feed


def test_csv_cells_cannot_become_formulas(client, web_data_dir):
    from webui.tools import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("-1") == "'-1"
    assert csv_cell("中国") == "中国"


# --- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=中国",
        "/article/web-sections-1",
        "/browse",
        "/api/search?q=中国",
        "/feed.atom?q=中国",
        "/healthz",
        "/no-such-page",
        "/search?p=0",
    ],
)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_embed_may_be_framed_by_the_configured_origins_only(client):
    response = client.get("/embed", query_string={"q": "中国"})
    csp = response.headers["Content-Security-Policy"]
    ancestors = next(d for d in csp.split(";") if "frame-ancestors" in d).split()[1:]
    assert ancestors == ["'self'", "https://news.example", "http://127.0.0.1:8123"]
    assert "X-Frame-Options" not in response.headers


def test_pages_carry_no_inline_script_or_style(client):
    html = client.get("/search", query_string={"q": "中国"}).get_data(as_text=True)
    page = BeautifulSoup(html, "lxml")
    assert all(s.get("src") for s in page.find_all("script"))
    assert not page.find_all("style") and not page.select("[style]")
    assert not [t for t in page.find_all(True) if any(a.startswith("on") for a in t.attrs)]


# --- configuration ---------------------------------------------------------------------------------


def test_environment_configures_the_app(web_data_dir, monkeypatch):
    monkeypatch.setenv("BAOKU_DATA", str(web_data_dir))
    monkeypatch.setenv("BAOKU_EMBED_ORIGINS", "https://a.example, https://b.example:8443")
    monkeypatch.setenv("BAOKU_CORS_ORIGINS", "https://c.example")
    app = create_app()
    assert app.config["DATA_DIR"] == web_data_dir
    assert app.config["EMBED_ORIGINS"] == ["https://a.example", "https://b.example:8443"]
    assert app.config["CORS_ORIGINS"] == ["https://c.example"]
    # The config dict wins over the environment.
    assert create_app({"EMBED_ORIGINS": []}).config["EMBED_ORIGINS"] == []


@pytest.mark.parametrize("bad", ["news.example", "https://a.example/path", "ftp://a.example", "*"])
def test_a_malformed_origin_refuses_to_start(bad):
    with pytest.raises(ValueError, match="EMBED_ORIGINS"):
        create_app({"EMBED_ORIGINS": bad})


def test_cors_may_be_opened_to_everyone(web_data_dir):
    app = create_app({"DATA_DIR": web_data_dir, "CORS_ORIGINS": "*"})
    response = app.test_client().get("/api/search?q=中国", headers={"Origin": "https://x.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- baoku serve ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_baoku_serve_answers_http(web_data_dir):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-m",
        "indexer.cli",
        "--data",
        str(web_data_dir),
        "serve",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ) as response:
                    body = response.read()
                break
            except urllib.error.HTTPError as error:  # the server is up but says no: show why
                body = error.read()
                if b'"warming":true' not in body:
                    break
                time.sleep(0.1)
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        assert b'"status":"ok"' in body, server.stdout.read() if server.poll() is not None else ""
    finally:
        server.terminate()
        server.wait(timeout=10)
