"""Aliases (indexer/aliases.py): a name finds its group, the name typed ranks first among
equals, DATA/aliases.txt is re-read when edited, the expansion shows, bad lines are skipped
with a warning. A real index on disk built from hand-written articles."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import indexer.aliases as aliases_module
from indexer import Archive
from indexer.aliases import AliasList, expand, parse_files
from indexer.article import Article, Section
from indexer.index import reindex
from indexer.query import parse
from webui import create_app

FILLER = "会议听取了各部门关于今年工作的汇报，并对下一阶段任务作出部署。"


def article(aid: str, title: str, body: str, date: str = "2021-03-01") -> Article:
    return Article(
        id=aid, paper="测试报", date=date, page="02", title=title, sections=[Section("", [body])]
    )


ARTICLES = [
    article("covid-a", "社区防控见闻", "新冠肺炎疫情发生以来，社区志愿者坚守岗位。" + FILLER),
    article("covid-b", "医院一线纪实", "新型冠状病毒肺炎患者陆续康复出院。" + FILLER),
    article("covid-c", "国际观察", "多国报告COVID-19新增病例有所下降。" + FILLER),
    article("bank-a", "金融时评", "央行宣布下调存款准备金率。" + FILLER),
    article("bank-b", "中国人民银行发布公告", "存款准备金率将下调。" + FILLER),
    # Twins that differ only in the name: for ties broken by the name typed.
    article("whale", "海洋科考", "蓝鲸计划今年完成了第三次深潜试验。" + FILLER, "2021-03-05"),
    article("dolphin", "海洋科考", "海豚工程今年完成了第三次深潜试验。" + FILLER, "2021-03-05"),
    article("other", "春耕备耕", FILLER * 2),
]


@pytest.fixture
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("aliases")
    reindex(root / "index", lambda: iter(ARTICLES), rebuild=True, procs=1)
    return root


@pytest.fixture
def archive(data_dir: Path):
    (data_dir / "aliases.txt").write_text("蓝鲸计划 海豚工程\n", encoding="utf-8")
    with Archive(data_dir) as opened:
        yield opened


def found(archive: Archive, query: str) -> set[str]:
    return {h.id for h in archive.search(query, limit=50).hits}


def order(archive: Archive, query: str) -> list[str]:
    return [h.id for h in archive.search(query, limit=50).hits]


def test_each_name_of_a_default_group_finds_all_of_them(archive):
    for name in ("新冠肺炎", "新型冠状病毒肺炎", "COVID-19", "covid-19", '"新冠肺炎"'):
        assert found(archive, name) == {"covid-a", "covid-b", "covid-c"}, name
    for name in ("央行", "中国人民银行", "人民银行"):
        assert found(archive, name) == {"bank-a", "bank-b"}, name


def test_a_field_and_a_quote_stay_on_the_aliases(archive):
    assert found(archive, "标题:央行") == {"bank-b"}  # 中国人民银行 in its title only
    # 中国人民银行 holds 人民银行: searching the shorter name finds it already.
    assert archive.search('"央行"').parsed.aliases == {"央行": ["人民银行"]}
    parsed = expand(parse('"央行" 标题:新冠病毒'), archive.aliases.table())
    assert [(c.text, c.field, c.quoted, c.alias_of) for c in parsed.positive] == [
        ("央行", None, True, None),
        ("人民银行", None, True, "央行"),
        ("新冠病毒", "title", False, None),
        ("新型冠状病毒", "title", False, "新冠病毒"),
    ]
    assert found(archive, "存款准备金率 -央行") == set()


def test_without_aliases_a_name_finds_only_itself(data_dir, tmp_path):
    plain = aliases_module.AliasList(None, default=tmp_path / "none.txt")
    with Archive(data_dir) as bare:
        bare.aliases = plain
        assert found(bare, "央行") == {"bank-a"}
        assert found(bare, "蓝鲸计划") == {"whale"}


def test_the_name_typed_ranks_first_among_equals(archive, monkeypatch):
    assert order(archive, "蓝鲸计划")[:2] == ["whale", "dolphin"]
    assert order(archive, "海豚工程")[:2] == ["dolphin", "whale"]
    scores = {h.id: h.score for h in archive.search("海豚工程").hits}
    assert scores["dolphin"] > scores["whale"] > 0
    # Without the bonus the twins tie, and both queries give one order: the bonus decides.
    monkeypatch.setattr("indexer.search.TYPED_BONUS", 0.0)
    assert order(archive, "蓝鲸计划")[:2] == order(archive, "海豚工程")[:2]


def test_editing_the_file_changes_results_at_once(archive, data_dir):
    path = data_dir / "aliases.txt"
    assert found(archive, "蓝鲸计划") == {"whale", "dolphin"}
    path.write_text("# no groups of ours any more\n", encoding="utf-8")
    assert found(archive, "蓝鲸计划") == {"whale"}
    path.write_text("蓝鲸计划 海豚工程 春耕\n", encoding="utf-8")
    assert found(archive, "春耕") == {"whale", "dolphin", "other"}
    # A minus line takes a name out of the shipped list.
    path.write_text("-中国人民银行 -人民银行\n", encoding="utf-8")
    assert found(archive, "央行") == {"bank-a"}
    path.unlink()
    assert found(archive, "央行") == {"bank-a", "bank-b"}
    assert found(archive, "蓝鲸计划") == {"whale"}


def test_the_file_adds_names_to_a_shipped_group(archive, data_dir):
    (data_dir / "aliases.txt").write_text("央行 存款准备金\n", encoding="utf-8")
    parsed = archive.search("中国人民银行").parsed
    assert parsed.aliases["中国人民银行"] == ["央行", "人民银行", "存款准备金"]


def test_the_expansion_shows_in_parsed_info_and_on_the_page(archive, data_dir):
    result = archive.search("蓝鲸计划 深潜")
    assert result.parsed.aliases == {"蓝鲸计划": ["海豚工程"]}
    assert result.parsed.terms[0] == "蓝鲸 计划（同义：海豚工程）"
    assert result.parsed.terms[1:] == ["深潜"]
    assert result.to_dict()["parsed"]["aliases"] == {"蓝鲸计划": ["海豚工程"]}
    dolphin = next(h for h in result.hits if h.id == "dolphin")
    assert "<mark>海豚工程</mark>" in dolphin.snippet
    client = create_app({"DATA_DIR": data_dir, "TESTING": True}).test_client()
    page = BeautifulSoup(client.get("/search?q=蓝鲸计划").get_data(as_text=True), "lxml")
    line = page.select_one("p.parsed").get_text()
    assert "检索理解为" in line and "海豚工程" in line
    assert "蓝鲸 计划（同义：海豚工程）" in line


def test_article_page_marks_the_aliases(archive):
    dolphin = archive.get("dolphin")
    mark = archive.article_highlighter("蓝鲸计划", dolphin)
    assert mark(dolphin.body).startswith("<mark>海豚工程</mark>")


def test_bad_lines_are_skipped_with_a_warning(tmp_path, caplog):
    path = tmp_path / "aliases.txt"
    path.write_text("甲名 乙名\n孤名\n丙名 -甲名\n丁名 戊名 # a comment\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="indexer.aliases"):
        table = parse_files([path])
    assert table.problems == [
        "aliases.txt:2: a group needs at least two names; line skipped",
        "aliases.txt:3: names and -names mixed on one line; line skipped",
    ]
    assert [r.getMessage() for r in caplog.records] == [f"aliases: {p}" for p in table.problems]
    assert table.group_of("甲名") == ("甲名", "乙名")
    assert table.group_of("丁名") == ("丁名", "戊名")
    assert table.group_of("孤名") == () and table.group_of("丙名") == ()


def test_a_file_that_is_not_utf8_is_skipped_and_the_defaults_stay(archive, data_dir):
    (data_dir / "aliases.txt").write_bytes("蓝鲸计划 海豚工程\n".encode("gbk"))
    assert found(archive, "蓝鲸计划") == {"whale"}
    assert found(archive, "央行") == {"bank-a", "bank-b"}
    assert any("cannot be read" in p for p in archive.aliases.problems)


def test_groups_sharing_a_name_merge(tmp_path):
    path = tmp_path / "aliases.txt"
    path.write_text("甲 乙\n丙 丁\n乙 丙\n", encoding="utf-8")
    table = AliasList(tmp_path, default=tmp_path / "missing.txt").table()
    assert table.group_of("丁") == ("甲", "乙", "丙", "丁")
