"""/trend, /trend.csv and /api/trend: up to five queries' coverage over time, from the Archive."""

from __future__ import annotations

import csv
import io
import re

import pytest

from indexer.results import Facets, SearchResult
from indexer.trend import MAX_QUERIES, build_trend
from webui import create_app

QUERIES = ["垃圾分类", "社区食堂", "集成电路", "江城", "生态修复", "夜间经济"]


@pytest.fixture(scope="module")
def app(web_data_dir):
    return create_app({"DATA_DIR": web_data_dir, "TESTING": True})


def month_counts(archive, query: str) -> dict[str, int]:
    return archive.search(query, limit=0).facets.month


@pytest.mark.parametrize("n", range(1, MAX_QUERIES + 1))
def test_trend_page_draws_one_line_per_query(client, archive, n):
    queries = QUERIES[:n]
    response = client.get("/trend", query_string=[("q", q) for q in queries])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    series = re.findall(r'<g class="series (s\d)" data-query="([^"]+)">', page)
    assert [q for _, q in series] == queries
    assert [css for css, _ in series] == [f"s{i}" for i in range(n)]
    # Every month of every series is a point whose <title> gives the archive's own count.
    for query in queries:
        expected = month_counts(archive, query)
        for month, count in expected.items():
            assert f"<title>{query} · {month}：{count} 篇</title>" in page
    assert "<script" not in page.split("</head>")[1]  # the chart needs no script


def test_trend_months_between_are_zero_and_shared(client, archive):
    body = client.get("/api/trend", query_string=[("q", "垃圾分类"), ("q", "集成电路")]).get_json()
    assert body["unit"] == "month"
    months = set(month_counts(archive, "垃圾分类")) | set(month_counts(archive, "集成电路"))
    assert body["periods"][0] == min(months) and body["periods"][-1] == max(months)
    # The synthetic corpus covers five months with gaps: the gaps are there, as zeros.
    assert len(body["periods"]) > len(months)
    for series in body["series"]:
        counts = dict(zip(body["periods"], series["counts"], strict=True))
        expected = month_counts(archive, series["query"])
        assert {m: c for m, c in counts.items() if c} == expected
        assert series["total"] == archive.search(series["query"], limit=0).total


def test_six_queries_are_refused(client):
    args = [("q", q) for q in QUERIES]
    for path in ("/trend", "/trend.csv", "/api/trend"):
        response = client.get(path, query_string=args)
        assert response.status_code == 400, path
    assert client.get("/api/trend", query_string=args).get_json()["error"]["parameter"] == "q"


def test_api_and_csv_need_a_query_and_reject_bad_input(client):
    assert client.get("/api/trend").status_code == 400
    assert client.get("/trend.csv").status_code == 400
    assert client.get("/trend").status_code == 200  # the empty form
    assert client.get("/api/trend", query_string={"q": "江城", "norm": "yes"}).status_code == 400
    assert client.get("/api/trend", query_string={"q": "江城", "x": "1"}).status_code == 400
    assert client.get("/api/trend", query_string={"q": "江城", "from": "2020/1"}).status_code == 400


def test_csv_is_the_series(client, archive):
    response = client.get("/trend.csv", query_string=[("q", "垃圾分类"), ("q", "社区食堂")])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["period", "published", "垃圾分类", "社区食堂"]
    body = client.get("/api/trend", query_string=[("q", "垃圾分类"), ("q", "社区食堂")]).get_json()
    assert [r[0] for r in rows[1:]] == body["periods"]
    assert [int(r[2]) for r in rows[1:]] == body["series"][0]["counts"]
    assert [int(r[3]) for r in rows[1:]] == body["series"][1]["counts"]
    assert [int(r[1]) for r in rows[1:]] == body["published"]


def test_normalised_is_the_share_of_articles_published(client, archive):
    body = client.get("/api/trend", query_string={"q": "江城", "norm": "1"}).get_json()
    assert body["normalised"] is True
    per_month: dict[str, int] = {}
    for ref in archive.issues():
        per_month[ref.date[:7]] = per_month.get(ref.date[:7], 0) + ref.articles
    series = body["series"][0]
    for period, published, count, value in zip(
        body["periods"], body["published"], series["counts"], series["values"], strict=True
    ):
        assert published == per_month.get(period, 0)
        assert value == pytest.approx(count / published if published else 0.0, abs=1e-6)
        assert 0.0 <= value <= 1.0
    page = client.get("/trend", query_string={"q": "江城", "norm": "1"}).get_data(as_text=True)
    assert "占当期文章" in page


def test_search_page_links_to_the_comparison(client):
    page = client.get("/search", query_string={"q": "垃圾分类"}).get_data(as_text=True)
    link = re.search(r'<a class="compare" href="([^"]+)">对比</a>', page)
    assert link, "the search page offers 对比"
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200


def result_with_months(months: dict[str, int]) -> SearchResult:
    return SearchResult(query="x", total=sum(months.values()), facets=Facets(month=months))


def test_spans_over_five_years_are_per_year():
    by_query = {"a": {"2010-03": 2, "2016-07": 1}, "b": {"2012-01": 4}}
    trend = build_trend(["a", "b"], lambda q: result_with_months(by_query[q]), {"2010-01": 10})
    assert trend.unit == "year"
    assert trend.periods == [str(y) for y in range(2010, 2017)]
    assert trend.series[0].counts == [2, 0, 0, 0, 0, 0, 1]
    assert trend.series[1].counts == [0, 0, 4, 0, 0, 0, 0]
    assert trend.published == [10, 0, 0, 0, 0, 0, 0]
    short = build_trend(["a"], lambda q: result_with_months({"2010-03": 1, "2015-02": 1}), {})
    assert short.unit == "month" and len(short.periods) == 60


def test_normalised_line_breaks_where_nothing_was_published(client, archive):
    body = client.get("/api/trend", query_string={"q": "江城", "norm": "1"}).get_json()
    empty = [p for p, n in zip(body["periods"], body["published"], strict=True) if n == 0]
    assert empty, "the synthetic corpus has months without issues"
    page = client.get("/trend", query_string={"q": "江城", "norm": "1"}).get_data(as_text=True)
    # No point (no 0%) for a month the archive holds nothing of; the line has one run per
    # stretch of months with articles.
    for period in empty:
        assert f'data-period="{period}"' not in page
    # One polyline per stretch of two or more months with articles (a lone month is a dot).
    stretches, length = [], 0
    for published in [*body["published"], 0]:
        if published:
            length += 1
        elif length:
            stretches.append(length)
            length = 0
    assert page.count('<polyline class="line"') == sum(1 for n in stretches if n > 1)
    assert page.count('<circle class="point"') == sum(stretches)
    counts = client.get("/trend", query_string={"q": "江城"}).get_data(as_text=True)
    assert counts.count('<polyline class="line"') == 1
