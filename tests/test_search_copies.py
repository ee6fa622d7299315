"""Copies of one article (issue 8 §2, indexer/copies.py): the same text printed more than once
shows once, the other copies listed under it; collapse=False shows every copy. Hand-written
articles on a real index; the groups of copies are known by construction."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer import Archive
from indexer.article import Article
from indexer.cli import main
from indexer.store import Store
from webui import create_app

WORD = "滇池"  # in every article below but the unrelated one

REPORT = (
    "本报昆明3月1日电  滇池治理进入新阶段。记者从云南省生态环境厅获悉，滇池全湖水质去年"
    "首次达到四类，为三十年来最好水平。沿湖各地关停排污口一百二十个，建成湿地五千亩。"
    "专家表示，滇池治理的经验在于截污、治污和生态修复一起抓，下一步将重点控制面源污染。"
)
# The same text as printed again: other spacing, full-width and half-width punctuation.
REPRINT = REPORT.replace("，", ",").replace("。", ". ").replace("  ", " ")
# Another article that shares most of the text but one sentence: not a copy.
FOLLOW_UP = REPORT.replace("建成湿地五千亩", "建成湿地八千亩")
CREDIT = "版式设计：张三"  # short bodies equal in articles that are not copies


def article(aid: str, date: str, page: str, title: str, body: str, **kw) -> Article:
    return Article(id=aid, paper="测试日报", date=date, page=page, title=title, body=body, **kw)


def filler(n: int) -> str:
    return (
        f"第{n}篇：滇池边的第{n}个村庄今年种下{n}千棵树，村民在湖边巡护，"
        f"记录水鸟{n}种，编号{n:03d}。这段文字只为让每篇稿件的正文各不相同，并且足够长，"
        "长到可以比较：村里的老人说，湖水清了，鱼也多了，孩子们又能在岸边捉虾了。"
    )


ARTICLES = [
    article("r-1", "2020-03-01", "01", "滇池水质创三十年最好", REPORT, page_name="要闻"),
    article("r-2", "2020-03-01", "04", "滇池水质创三十年最好", REPORT, page_name="要闻"),
    article("r-3", "2020-03-06", "02", "滇池治理见成效", REPRINT, page_name="综合"),
    article("f-1", "2020-03-02", "05", "滇池湿地扩建", FOLLOW_UP, page_name="生态"),
    article("c-1", "2020-03-03", "06", "滇池图片", CREDIT),
    article("c-2", "2020-03-04", "06", "滇池摄影", CREDIT),
    article("x-1", "2020-03-05", "07", "别的新闻", "与湖泊无关的一篇稿件。" * 10),
]
# Twelve more texts about 滇池, every one printed twice (pages 08 and 09): paging material.
for i in range(12):
    for page in ("08", "09"):
        ARTICLES.append(
            article(f"p-{i:02d}-{page}", f"2020-04-{i + 1:02d}", page, f"滇池村庄{i}", filler(i))
        )
GROUPS = [{"r-1", "r-2", "r-3"}] + [{f"p-{i:02d}-08", f"p-{i:02d}-09"} for i in range(12)]
MATCHING = {a.id for a in ARTICLES if WORD in a.title + a.body}
DISTINCT = len(MATCHING) - sum(len(g) - 1 for g in GROUPS)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> object:
    data = tmp_path_factory.mktemp("copies")
    Store(data).put_articles(ARTICLES)
    with Archive(data) as archive:
        archive.reindex()
    return data


@pytest.fixture(scope="module")
def archive(data_dir):
    with Archive(data_dir) as opened:
        yield opened


def group_of(aid: str) -> set[str]:
    return next((g for g in GROUPS if aid in g), {aid})


def test_an_exact_reprint_collapses_under_the_best_ranked_copy(archive):
    result = archive.search("滇池 水质", limit=50)
    shown = [h for h in result.hits if h.id in GROUPS[0]]
    assert len(shown) == 1
    hit = shown[0]
    everything = archive.search("滇池 水质", limit=50, collapse=False)
    best = next(h.id for h in everything.hits if h.id in GROUPS[0])
    assert hit.id == best
    listed = [(c.id, c.date, c.page, c.page_name, c.paper) for c in hit.copies]
    expected = sorted(
        ((a.id, a.date, a.page, a.page_name, a.paper) for a in ARTICLES if a.id in GROUPS[0]),
        key=lambda row: (row[1], row[2]),
    )
    assert listed == [row for row in expected if row[0] != hit.id]


def test_different_articles_do_not_collapse(archive):
    ids = [h.id for h in archive.search(WORD, limit=100).hits]
    assert "f-1" in ids  # one figure differs from the report: its own hit
    assert {"c-1", "c-2"} <= set(ids)  # equal short bodies (credits) are not copies
    hits = {h.id: h for h in archive.search(WORD, limit=100).hits}
    assert hits["f-1"].copies == [] and hits["c-1"].copies == []


def test_collapse_false_shows_every_copy(archive):
    result = archive.search(WORD, limit=100, collapse=False)
    assert {h.id for h in result.hits} == MATCHING
    assert all(h.copies == [] for h in result.hits)
    assert not result.collapsed


def test_hits_and_their_copies_are_every_match_once(archive):
    result = archive.search(WORD, limit=100)
    seen = [h.id for h in result.hits] + [c.id for h in result.hits for c in h.copies]
    assert sorted(seen) == sorted(MATCHING)
    for hit in result.hits:
        assert {hit.id} | {c.id for c in hit.copies} == group_of(hit.id)


def test_totals_count_articles_and_distinct_texts(archive):
    collapsed = archive.search(WORD, limit=100)
    every = archive.search(WORD, limit=100, collapse=False)
    assert collapsed.total == every.total == len(MATCHING)
    assert collapsed.total_collapsed == every.total_collapsed == DISTINCT
    assert len(collapsed.hits) == DISTINCT
    # Facets count every article, copies included, either way.
    assert collapsed.facets == every.facets
    assert sum(collapsed.facets.page.values()) == len(MATCHING)


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_pages_are_full_and_count_distinct_hits(archive, sort):
    whole = [h.id for h in archive.search(WORD, limit=100, sort=sort).hits]
    paged: list[str] = []
    for offset in range(0, DISTINCT + 3, 4):
        page = archive.search(WORD, limit=4, offset=offset, sort=sort)
        assert len(page.hits) == min(4, max(0, DISTINCT - offset))
        paged += [h.id for h in page.hits]
    assert paged == whole
    groups = [frozenset(group_of(i)) for i in paged]
    assert len(set(groups)) == len(groups)  # no text twice across pages


def test_filters_limit_the_copies_listed(archive):
    result = archive.search(WORD, date_from="2020-03-01", date_to="2020-03-01", limit=10)
    hit = next(h for h in result.hits if h.id in GROUPS[0])
    assert [c.id for c in hit.copies] == list({"r-1", "r-2"} - {hit.id})


def test_api_collapse_parameter(data_dir):
    client = create_app({"DATA_DIR": data_dir, "TESTING": True}).test_client()
    body = client.get("/api/search", query_string={"q": WORD, "limit": 100}).get_json()
    assert body["total"] == len(MATCHING) and body["total_collapsed"] == DISTINCT
    assert len(body["hits"]) == DISTINCT and body["collapsed"] is True
    report = next(h for h in body["hits"] if h["id"] in GROUPS[0])
    assert {c["id"] for c in report["copies"]} == GROUPS[0] - {report["id"]}
    assert set(report["copies"][0]) == {"id", "date", "page", "page_name", "paper"}
    q = {"q": WORD, "limit": 100, "collapse": 0}
    every = client.get("/api/search", query_string=q).get_json()
    assert {h["id"] for h in every["hits"]} == MATCHING
    bad = client.get("/api/search", query_string={"q": WORD, "collapse": "2"})
    assert bad.status_code == 400 and "collapse" in bad.get_data(as_text=True)


def test_web_page_says_how_many_copies(data_dir):
    client = create_app({"DATA_DIR": data_dir, "TESTING": True}).test_client()
    page = client.get("/search", query_string={"q": "滇池 水质"}).get_data(as_text=True)
    assert "另有 2 篇相同稿件" in page
    assert "2020-03-06</time> 第2版 · 综合" in page  # date, 版次 and 版名 of a copy
    assert "/article/r-3" in page and "/article/r-2" in page and "/article/r-1" in page
    assert "相同稿件合并后" in page


def test_cli_all_copies_flag(data_dir):
    runner = CliRunner()
    args = ["--data", str(data_dir), "search", WORD, "--limit", "100", "--json"]
    collapsed = json.loads(runner.invoke(main, args).output)
    every = json.loads(runner.invoke(main, [*args, "--all-copies"]).output)
    assert len(collapsed["hits"]) == DISTINCT
    assert {h["id"] for h in every["hits"]} == MATCHING
    text = runner.invoke(main, ["--data", str(data_dir), "search", "滇池 水质"]).output
    assert "另有 2 篇相同稿件" in text and "不同稿件" in text


def test_csv_export_collapses_unless_told_not_to(data_dir):
    client = create_app({"DATA_DIR": data_dir, "TESTING": True}).test_client()

    def rows(**extra) -> list[str]:
        q = {"q": WORD, "limit": 100, **extra}
        text = client.get("/export.csv", query_string=q).get_data(as_text=True)
        return [line.split(",")[0].lstrip("\ufeff") for line in text.splitlines()[1:]]

    assert len(rows()) == DISTINCT
    assert set(rows(collapse=0)) == MATCHING


def test_web_pager_counts_distinct_hits(data_dir):
    app = create_app({"DATA_DIR": data_dir, "TESTING": True, "PER_PAGE": 5})
    client = app.test_client()
    last = -(-DISTINCT // 5)
    page = client.get("/search", query_string={"q": WORD, "p": last}).get_data(as_text=True)
    assert page.count('<li class="hit">') == DISTINCT - 5 * (last - 1)
    assert f"p={last + 1}" not in page  # no page past the distinct hits


def test_copies_line_in_chromium(data_dir, browser):
    """The copies line in a real browser, at 1280 and 390 px: one line under the hit, opened
    it lists each copy's date and 版次 as a link to it. Screenshots in test-output/e2e/."""
    from tests.test_e2e_web import OUTPUT, Server

    server = Server(create_app({"DATA_DIR": data_dir, "TESTING": True}))
    try:
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{server.origin}/search?q=滇池 水质")
            summary = page.locator(".hit .copies summary").first
            assert summary.inner_text() == "另有 2 篇相同稿件"
            line = page.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('.copies summary'))"
                ".lineHeight) || 0"
            )
            box = summary.bounding_box()
            assert box and (not line or box["height"] <= line * 1.5), (width, box, line)
            links = page.locator(".hit .copies li a")
            assert not links.first.is_visible()  # closed until asked
            summary.click()
            assert links.count() == 2 and links.first.is_visible()
            texts = links.all_inner_texts()
            assert "2020-03-06 第2版 · 综合" in texts, texts
            OUTPUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUTPUT / f"copies-{width}.png"), full_page=True)
            links.last.click()
            page.wait_for_url("**/article/r-3**")
            page.close()
    finally:
        server.stop()
