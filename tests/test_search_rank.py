"""The second-stage ranking (indexer/rank.py): fragments inside words count, terms close
together rank first, a short article about a subject beats a long one that mentions it in
passing, and a title typed in full still comes first. Demo archive and hand-written articles."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import indexer.rank as rank
from indexer import Archive
from indexer.article import Article, Section
from indexer.index import reindex

# Made-up filler sentences with none of the words the tests search for.
FILLER = [
    "会议听取了各部门关于今年工作的汇报，并对下一阶段任务作出部署。",
    "与会代表一致认为，要坚持问题导向，把各项措施落到实处。",
    "各地要加强统筹协调，形成工作合力，确保按期完成目标。",
    "这一做法得到了基层干部群众的普遍欢迎，取得了良好效果。",
    "下一步，有关部门将继续完善配套政策，推动工作持续深入。",
]


def filler(sentences: int, start: int = 0) -> str:
    return "".join(FILLER[(start + i) % len(FILLER)] for i in range(sentences))


def article(aid: str, title: str, paragraphs: list[str], date: str = "2020-05-01") -> Article:
    return Article(
        id=aid,
        paper="测试报",
        date=date,
        page="04",
        title=title,
        sections=[Section("", paragraphs)],
    )


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    articles = [
        # proximity: the same text but for where one word stands; indexed first, so that a
        # tie would put the wrong one first
        article("apart", "基层治理纪事", [filler(3), "湿地公园" + filler(6, 1) + "志愿者"]),
        article("near", "基层治理纪事", [filler(3), "湿地公园志愿者" + filler(6, 1)]),
        # passing mentions in a long report against a short article about it
        article(
            "long",
            "政府工作报告全文",
            [filler(40, i) for i in range(4)]
            + ["推进候鸟保护。" + filler(30, 3), "加强候鸟保护。" + filler(30, 4)],
            date="2020-05-02",
        ),
        article(
            "short",
            "江畔春来早",
            ["候鸟保护站的工作人员每天巡护江滩，记录候鸟的数量。", "今年候鸟保护的成效明显。"],
        ),
        # known item: a title that is also a passage of many bodies
        article("known", "候鸟", ["江边见闻。" + filler(2)]),
    ]
    root = tmp_path_factory.mktemp("rank")
    reindex(root / "index", lambda: iter(articles), rebuild=True, procs=1)
    with Archive(root) as archive:
        yield archive


@pytest.fixture(scope="module")
def demo(demo_data_dir: Path) -> Archive:
    with Archive(demo_data_dir) as archive:
        yield archive


def titles(archive: Archive, query: str) -> list[str]:
    return [h.title for h in archive.search(query, limit=20).hits]


def ids(archive: Archive, query: str) -> list[str]:
    return [h.id for h in archive.search(query, limit=20).hits]


@pytest.fixture
def first_stage_only():
    saved = rank.WEIGHTS
    rank.WEIGHTS = replace(saved, enabled=False)
    yield
    rank.WEIGHTS = saved


def test_a_fragment_inside_a_word_of_the_title_counts(demo):
    # jieba cuts 地铁站 as one word: BM25F over words alone sees no 地铁 in that title
    found = titles(demo, "地铁")
    assert found.index("城市书房开进地铁站") < found.index("全市5G基站突破2万个")
    assert found[0] == "地铁5号线今晨开通试运营"


def test_without_the_second_stage_the_demo_example_loses(demo, first_stage_only):
    # the report, kept as a check that the test above measures the second stage
    found = titles(demo, "地铁")
    assert found.index("城市书房开进地铁站") > found.index("全市5G基站突破2万个")


def test_terms_close_together_rank_first(crafted):
    assert ids(crafted, "湿地公园 志愿者") == ["near", "apart"]
    saved = rank.WEIGHTS
    rank.WEIGHTS = replace(saved, proximity=False)
    try:
        assert ids(crafted, "湿地公园 志愿者") == ["apart", "near"]  # a tie without it
    finally:
        rank.WEIGHTS = saved


def test_a_short_article_about_it_beats_passing_mentions_in_a_long_report(crafted):
    found = ids(crafted, "候鸟保护")
    assert found.index("short") < found.index("long")


def test_a_title_typed_in_full_stays_first(crafted):
    assert ids(crafted, "候鸟")[0] == "known"


def test_the_order_is_the_same_in_every_run(crafted):
    assert ids(crafted, "候鸟") == ids(crafted, "候鸟")


def test_close_together_looks_around_every_occurrence():
    anchor, other = rank.Term(["甲"], 1.0), rank.Term(["乙", "丙"], 1.0)
    text = ("甲" + "。" * 30 + "乙" + "。" * 30 + "甲丙").encode()
    assert rank.close_together(text, 0, len(text), anchor, [other], 6)
    assert not rank.close_together(text[:-3], 0, len(text) - 3, anchor, [other], 6)
    assert rank.close_together(text[:-3], 0, len(text) - 3, anchor, [other], 100)


def test_pages_agree_with_one_long_page(crafted):
    # a pool smaller than the candidates, so that the pages beyond it keep the first order
    saved = rank.WEIGHTS
    rank.WEIGHTS = replace(saved, pool=2, scan_all=2)
    try:
        whole = [h.id for h in crafted.search("候鸟 OR 湿地公园", limit=10).hits]
        paged = [
            h.id
            for o in range(0, 10, 2)
            for h in crafted.search("候鸟 OR 湿地公园", limit=2, offset=o).hits
        ]
    finally:
        rank.WEIGHTS = saved
    assert len(whole) >= 4 and paged == whole
