"""The HTML pages against a real Whoosh index of real 人民日报 articles: what the Archive returns is
what the reader sees."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from webui import create_app

QUERY = "中国"  # in practically every issue of 人民日报; counts come from the Archive at run time


@pytest.fixture(scope="module")
def app(web_data_dir):
    return create_app({"DATA_DIR": web_data_dir, "TESTING": True})


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def shown_total(page: BeautifulSoup) -> int:
    return int(page.select_one(".summary .total").get_text())


def hit_ids(page: BeautifulSoup) -> list[str]:
    return [a["href"].split("/article/")[1].split("?")[0] for a in page.select(".hit-title a")]


# --- home and search -------------------------------------------------------------------------


def test_home_has_a_search_box_and_opensearch_link(client):
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("form.searchform input[name=q]") is not None
    link = page.select_one('link[rel=search][type="application/opensearchdescription+xml"]')
    assert link["href"] == "/opensearch.xml"
    assert page.html["lang"] == "zh-CN"


def test_home_gives_an_overview_of_the_archive(client, archive, web_data_dir):
    from indexer.store import Store

    page = soup(client.get("/"))
    overview = page.select_one(".overview").get_text()
    assert f"收录 {len(Store(web_data_dir))} 篇文章" in overview
    issues = archive.issues()
    assert f"{len(issues)} 期" in overview and issues[0].date in overview
    bars = page.select(".overview svg.chart rect.bar")
    assert sum(int(re.search(r"(\d+) 篇", b.title.text).group(1)) for b in bars) == len(
        Store(web_data_dir)
    )
    example = page.select_one(".hints a")
    assert client.get(example["href"]).status_code == 200


def test_search_shows_what_the_archive_found(client, archive):
    expected = archive.search(QUERY, limit=10)
    assert expected.total > 10, "the fixture should give this query several pages"
    page = soup(client.get("/search", query_string={"q": QUERY}))
    assert page.select_one("input[name=q]")["value"] == QUERY
    assert shown_total(page) == expected.total
    assert hit_ids(page) == [hit.id for hit in expected.hits]
    assert page.select_one(".took") is not None
    marks = page.select(".snippet mark")
    assert marks and all(QUERY in m.get_text() for m in marks)
    # Every result links to its article carrying the query, with date and 版次 shown.
    first = page.select_one(".hit")
    href = first.select_one(".hit-title a")["href"]
    assert parse_qs(urlsplit(href).query)["q"] == [QUERY]
    assert expected.hits[0].date in first.select_one(".hit-meta").get_text()
    assert f"第{int(expected.hits[0].page)}版" in first.select_one(".hit-meta").get_text()


def test_facets_are_links_that_filter(client, archive):
    expected = archive.search(QUERY, limit=0)
    page = soup(client.get("/search", query_string={"q": QUERY}))
    for name in ("year", "month", "page", "paper"):
        links = page.select(f".facet-{name} a[data-facet={name}]")
        shown = {a["data-value"]: int(a.find_next_sibling("span").get_text()) for a in links}
        assert shown == {str(k): v for k, v in getattr(expected.facets, name).items()}, name
    # Follow the first 版次 facet: the count is the archive's count for that page.
    link = page.select_one(".facet-page a[data-facet=page]")
    narrowed = soup(client.get(link["href"]))
    value = link["data-value"]
    assert shown_total(narrowed) == archive.search(QUERY, limit=0, page=value).total
    assert narrowed.select_one(".facet-page li.active a")["data-value"] == value
    # The active facet links back to the unfiltered results.
    back = narrowed.select_one(".facet-page li.active a")["href"]
    assert shown_total(soup(client.get(back))) == expected.total


def test_year_and_month_facets_become_date_ranges(client, archive):
    page = soup(client.get("/search", query_string={"q": QUERY}))
    month = page.select_one(".facet-month a[data-facet=month]")
    args = parse_qs(urlsplit(month["href"]).query)
    year, mon = re.match(r"(\d{4})-?(\d{2})", month["data-value"]).groups()
    assert args["from"] == [f"{year}-{mon}-01"]
    narrowed = soup(client.get(month["href"]))
    expected = archive.search(QUERY, limit=0, date_from=args["from"][0], date_to=args["to"][0])
    assert shown_total(narrowed) == expected.total == int(month.find_next_sibling("span").text)
    assert "日期" in narrowed.select_one(".filters").get_text()


def test_coverage_chart_has_a_bar_per_month(client, archive):
    months = archive.search(QUERY, limit=0).facets.month
    page = soup(client.get("/search", query_string={"q": QUERY}))
    bars = page.select("svg.chart rect.bar")
    counted = {
        re.match(r"(\d{4}-\d{2})", b.title.get_text()).group(1): int(
            re.search(r"(\d+) 篇", b.title.text).group(1)
        )
        for b in bars
    }
    for month, count in months.items():
        key = re.sub(r"^(\d{4})-?(\d{2})$", r"\1-\2", str(month))
        assert counted[key] == count
    # Months between the first and last without matches are kept as empty bars.
    assert len(bars) >= len(months)
    assert all(a["href"].startswith("/search?") for a in page.select("svg.chart a"))


def test_sort_newest_and_oldest(client):
    for sort, reverse in (("newest", True), ("oldest", False)):
        page = soup(client.get("/search", query_string={"q": QUERY, "sort": sort}))
        dates = [t["datetime"] for t in page.select(".hit-meta time")]
        assert dates == sorted(dates, reverse=reverse)
        assert (
            page.select_one(".sorts .current").get_text()
            == {"newest": "最新", "oldest": "最早"}[sort]
        )


def test_date_range_filters(client, archive):
    args = {"q": QUERY, "from": "2020-01-01", "to": "2020-01-31"}
    page = soup(client.get("/search", query_string=args))
    expected = archive.search(QUERY, limit=10, date_from="2020-01-01", date_to="2020-01-31")
    assert shown_total(page) == expected.total > 0
    assert all(t["datetime"].startswith("2020-01") for t in page.select(".hit-meta time"))


def test_pagination_pages_through_the_results(client, archive):
    expected = archive.search(QUERY, limit=10, offset=10)
    page1 = soup(client.get("/search", query_string={"q": QUERY}))
    next_link = page1.select_one(".pager a[rel=next]")
    page2 = soup(client.get(next_link["href"]))
    assert hit_ids(page2) == [h.id for h in expected.hits]
    assert page2.select_one(".pager .current").get_text() == "2"
    assert page2.select_one("ol.hits")["start"] == "11"


def test_a_page_past_the_end_says_so_and_links_back(client, archive):
    pages = -(-archive.search(QUERY, limit=0).total // 10)
    page = soup(client.get("/search", query_string={"q": QUERY, "p": pages + 5}))
    assert not page.select(".hit") and f"共 {pages} 页" in page.select_one(".empty").get_text()
    back = soup(client.get(page.select_one(".empty a")["href"]))
    assert back.select_one(".pager .current").get_text() == str(pages) and back.select(".hit")


def test_empty_result_says_why_and_suggests_broader(client):
    query = '"冰雕展开幕啦啦啦" 中国'
    response = client.get(
        "/search", query_string={"q": query, "page": "07", "from": "2019-02-01", "to": "2019-02-28"}
    )
    page = soup(response)
    assert response.status_code == 200 and shown_total(page) == 0
    text = page.select_one(".empty").get_text()
    assert "没有找到" in text and "筛选" in text and "引号" in text
    hrefs = [a["href"] for a in page.select(".empty a.chip")]
    assert any("page=" not in h and "from=" not in h for h in hrefs)  # without the filters
    assert any(parse_qs(urlsplit(h).query).get("q") == ["中国"] for h in hrefs)  # one word alone


def test_an_empty_query_is_the_home_page_keeping_the_sort(client):
    page = soup(client.get("/search", query_string={"sort": "oldest"}))
    assert page.select_one(".hero") is not None and not page.select(".hit")
    assert page.select_one("input[type=hidden][name=sort]")["value"] == "oldest"


def test_an_empty_query_with_a_filter_lists_what_it_lets_through(client, archive):
    expected = archive.search("", page="01", limit=10)
    assert expected.total > 10
    page = soup(client.get("/search", query_string={"page": "01"}))
    assert page.select_one(".hero") is None and shown_total(page) == expected.total
    assert hit_ids(page) == [h.id for h in expected.hits]
    assert page.select_one("input[type=hidden][name=page]")["value"] == "01"


def test_how_the_query_was_read(client, archive):
    traditional = "冰雕展開幕"  # 開: the archive searches the simplified form and says so
    expected = archive.search(traditional).parsed
    assert expected.suggestion
    page = soup(client.get("/search", query_string={"q": traditional}))
    assert page.select_one(".parsed .suggestion").get_text() == expected.suggestion
    assert [w.get_text() for w in page.select(".parsed .word")] == expected.terms
    assert "web-sections-1" in hit_ids(page)
    excluded = soup(client.get("/search", query_string={"q": "冰雕 -游客"}))
    assert [w.get_text() for w in excluded.select(".parsed .excluded")] == ["游客"]


# --- article ---------------------------------------------------------------------------------


def test_article_page_shows_the_cleaned_article(client, archive):
    hit = archive.search(QUERY, limit=1).hits[0]
    article = archive.get(hit.id)
    page = soup(client.get(f"/article/{article.id}"))
    assert page.select_one("h1.article-title").get_text() == article.title
    body = page.select_one(".article-body").get_text()
    assert all(p in body for p in article.paragraphs)
    assert page.select_one(".citation").get_text() == (
        f"《{article.paper}》{int(article.date[:4])}年{int(article.date[5:7])}月"
        f"{int(article.date[8:])}日第{int(article.page)}版《{article.title}》"
    )
    assert page.select_one("button.copy[data-copy-target=citation]") is not None
    assert not page.select("mark")


def test_article_from_a_search_highlights_the_query(client, archive):
    hit = archive.search(QUERY, limit=1).hits[0]
    page = soup(client.get(f"/article/{hit.id}", query_string={"q": QUERY}))
    marks = page.select(".article mark")
    assert marks and {m.get_text() for m in marks} == {QUERY}


def test_article_with_sections_captions_and_original_link(client):
    page = soup(client.get("/article/web-sections-1"))
    assert [h.get_text() for h in page.select("h2.section-heading")] == ["第一部分", "第二部分"]
    assert page.select_one(".kicker").get_text() == "引题文字"
    assert page.select_one(".subtitle").get_text() == "——副题文字"
    assert page.select_one(".author").get_text() == "本报记者 张三"
    assert "游客在冰雕展参观" in page.select_one("figure.photo figcaption").get_text()
    assert "第7版 · 文化" in page.select_one(".article-where").get_text()
    original = page.find("a", string="查看原版页面")
    assert original["href"] == "https://paper.example/2020-01/20/content_7.htm"
    assert page.select_one(".citation").get_text() == "《测试报》2020年1月20日第7版《冰雕展开幕》"
    # No image is fetched from outside the site: the photo is a placeholder with a link.
    assert not page.select("img")


def test_article_related_articles(client, archive):
    hit = archive.search(QUERY, limit=1).hits[0]
    page = soup(client.get(f"/article/{hit.id}"))
    related = page.select(".related li a")
    assert related, "more_like_this should find neighbours among a few hundred articles"
    assert all(a["href"].startswith("/article/") for a in related)
    assert f"/article/{hit.id}" not in [a["href"] for a in related]


def test_unknown_article_is_a_404_page(client):
    for path in ("/article/no-such-article", "/article/" + "x" * 300, "/article/..%2F..%2Fetc"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "找不到" in response.get_data(as_text=True)


# --- browse ----------------------------------------------------------------------------------


def test_browse_lists_issue_dates_then_pages_then_articles(client, archive):
    page = soup(client.get("/browse"))
    day_links = page.select(".issues a")
    assert [a.get_text() for a in day_links] == [ref.date for ref in archive.issues()]
    day = soup(client.get(day_links[0]["href"]))
    sections = day.select(".issue-page")
    assert sections
    first_article = sections[0].select_one("a")
    article = archive.get(first_article["href"].rsplit("/", 1)[1])
    assert article is not None and article.date == day.select_one("h1").get_text()[:10]
    assert f"第{int(article.page)}版" in sections[0].h3.get_text()
    # Every article of that issue is listed once.
    listed = sorted(a["href"].rsplit("/", 1)[1] for a in day.select(".issue-page a"))
    ref = archive.issues()[0]
    expected = sorted(a.id for p in archive.issue(ref.paper, ref.date) for a in p.articles)
    assert listed == expected and len(listed) == ref.articles


def test_browse_one_paper(client):
    page = soup(client.get("/browse", query_string={"paper": "测试报"}))
    assert [a.get_text() for a in page.select(".issues a")] == ["2020-01-20", "2019-10-15"]
    day = soup(client.get("/browse", query_string={"paper": "测试报", "date": "2020-01-20"}))
    assert "第7版 · 文化" in day.select_one(".issue-page h3").get_text()
    assert [a.get_text() for a in day.select(".issue-page a")] == ["冰雕展开幕"]


def test_browse_bad_date_is_400(client):
    assert client.get("/browse?date=2020-02-31").status_code == 400
    assert client.get("/browse?day=2020-02-01").status_code == 400
    assert client.get("/browse?date=2020-02").status_code == 400


# --- embed -----------------------------------------------------------------------------------


def test_embed_is_results_only_with_links_to_the_parent(client, archive):
    response = client.get("/embed", query_string={"q": QUERY})
    page = soup(response)
    assert page.select_one(".masthead") is None and page.select_one("form") is None
    assert shown_total(page) == archive.search(QUERY, limit=0).total
    assert all(a["target"] == "_parent" for a in page.select(".hit-title a"))
    assert page.select(".snippet mark")
    # Paging stays inside the frame, on /embed.
    pager = page.select(".pager a")
    assert pager and all(a["target"] == "_self" and a["href"].startswith("/embed?") for a in pager)


# --- tools -----------------------------------------------------------------------------------


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    html_url = root.find("os:Url[@type='text/html']", ns)
    assert html_url.get("template").startswith("http://localhost/search?q={searchTerms}")


def test_atom_feed_lists_newest_matches(client, archive):
    response = client.get("/feed.atom", query_string={"q": QUERY})
    assert response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.data)
    entries = root.findall("a:entry", ns)
    expected = archive.search(QUERY, limit=len(entries), sort="newest")
    assert [e.find("a:title", ns).text for e in entries] == [h.title for h in expected.hits]
    updated = [e.find("a:updated", ns).text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert entries[0].find("a:link", ns).get("href").startswith("http://localhost/article/")


def test_csv_export(client, archive):
    response = client.get("/export.csv", query_string={"q": QUERY, "limit": 25})
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    expected = archive.search(QUERY, limit=25)
    assert [r["id"] for r in rows] == [h.id for h in expected.hits]
    assert all("<mark>" not in r["snippet"] for r in rows)
    assert client.get("/export.csv").status_code == 400
    assert client.get("/feed.atom").status_code == 400


def test_healthz(client, tmp_path, web_data_dir):
    from indexer.store import Store

    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "articles": len(Store(web_data_dir))}
    broken = create_app({"DATA_DIR": tmp_path / "nothing-here"}).test_client()
    response = broken.get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "error"
    # The pages say the index is missing instead of failing.
    assert broken.get("/search?q=中国").status_code == 503
    home = broken.get("/")
    assert home.status_code == 200 and soup(home).select_one(".overview") is None


def test_article_marks_a_fragment_whole_not_its_words_elsewhere(client):
    """冰雕展开幕 stands whole in the title: paragraphs holding only 冰雕/开幕 get no marks."""
    page = soup(client.get("/article/web-sections-1", query_string={"q": "冰雕展开幕"}))
    assert [m.get_text() for m in page.select(".article mark")] == ["冰雕展开幕"]
    # A fragment the article never holds whole still shows where its words are.
    page = soup(client.get("/article/web-sections-1", query_string={"q": "冰雕开幕"}))
    assert {m.get_text() for m in page.select(".article mark")} >= {"冰雕", "开幕"}


def test_near_matches_are_counted_apart_and_listed_after(client):
    page = soup(client.get("/search?q=珀猫头"))
    assert page.select_one(".total").get_text() == "1"
    assert page.select_one(".total-near").get_text() == "1"
    assert "另有 1 篇包含全部字但不连续" in page.select_one(".summary").get_text()
    hits = page.select("li.hit")
    assert [h.select_one(".hit-title").get_text() for h in hits] == ["文创市集开张", "夜市见闻"]
    assert hits[0].select_one(".near") is None
    assert hits[1].select_one(".near").get_text() == "字不连续"
    assert hits[1].select(".snippet mark")  # the bigrams it holds are marked


def test_near_matches_alone_are_listed_not_an_empty_page(client):
    page = soup(client.get("/search?q=珀猫头&from=2020-02-04"))
    assert page.select_one(".total").get_text() == "0"
    assert page.select_one(".empty") is None
    assert [h.select_one(".hit-title").get_text() for h in page.select("li.hit")] == ["夜市见闻"]
