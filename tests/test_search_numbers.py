"""Numbers (indexer/analysis.py): 2,000, 2，000, ２，０００ and 2000 find one another; 5G and ５Ｇ,
10.5% and 10.5％ too; a list like 1,2,3 is not a number; highlighting marks the text as
printed. A real index on disk built from hand-written articles."""

from __future__ import annotations

import re

import pytest

from indexer import Archive
from indexer.analysis import NUMBER_MARK, grams, normalize, words
from indexer.article import Article, Section
from indexer.index import reindex

MARK = re.compile(r"<mark>(.*?)</mark>")


def article(aid: str, body: str, title: str = "经济简讯") -> Article:
    return Article(
        id=aid,
        paper="测试报",
        date="2022-06-01",
        page="03",
        title=title,
        sections=[Section("", [body])],
    )


ARTICLES = [
    article("comma", "全市新增就业岗位2,000个，同比增长。"),
    article("wide-comma", "全市新增就业岗位２，０００个，同比增长。"),
    article("cjk-comma", "全市新增就业岗位2，000个，同比增长。"),
    article("plain", "全市新增就业岗位2000个，同比增长。"),
    article("big", "全年接待游客1,234,567人次。"),
    article("list", "第1,2,3项任务已经完成。"),
    article("other-number", "全市新增就业岗位2,500个，同比增长。"),
    article("g5", "全市建成５Ｇ基站。"),
    article("percent", "增速达到10.5％，高于预期。"),
    article("percent-ascii", "增速达到10.5%，高于预期。"),
    article("title", "项目陆续开工。", title="投资２，０００亿元"),
]
THOUSAND = {"comma", "wide-comma", "cjk-comma", "plain", "title"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("numbers")
    reindex(root / "index", lambda: iter(ARTICLES), rebuild=True, procs=1)
    with Archive(root) as opened:
        yield opened


def found(archive: Archive, query: str) -> set[str]:
    return {h.id for h in archive.search(query, limit=50).hits}


def test_normalize_keeps_length_and_marks_only_thousands_separators():
    for text in ("2,000", "２，０００", "1,234,567.89", "1,2,3", "12345,678", "0.123,456"):
        assert len(normalize(text)) == len(text)
    assert normalize("２，０００") == "2" + NUMBER_MARK + "000"
    assert normalize("1,234,567.89").count(NUMBER_MARK) == 2
    for text in ("1,2,3", "12345,678", "0.123,456", "1,2345"):
        assert NUMBER_MARK not in normalize(text), text
    assert grams(normalize("2,000")) == grams("2000")
    assert words(normalize("2,000元")) == words("2000元")


@pytest.mark.parametrize("query", ["2000", "2,000", "２，０００", "2，000", '"2,000"'])
def test_every_way_of_writing_a_thousand_finds_all(archive, query):
    assert found(archive, query) == THOUSAND


@pytest.mark.parametrize("query", ['"2,000个"', '"2000个"', "２０００个"])
def test_a_phrase_with_a_number_finds_all_writings(archive, query):
    assert found(archive, query) == THOUSAND - {"title"}


def test_a_number_inside_a_longer_one_and_lists(archive):
    assert found(archive, "1234567") == {"big"}
    assert found(archive, "234,567") == {"big"}
    assert found(archive, '"1,2,3"') == {"list"}
    assert found(archive, "123") == {"big"}  # 1,2,3 is a list: no 123 in it
    assert found(archive, "2500") == {"other-number"}


def test_a_number_in_a_field(archive):
    assert found(archive, "标题:2000") == found(archive, "title:2,000亿") == {"title"}
    assert found(archive, '标题:"2000亿元"') == {"title"}


def test_full_width_letters_and_percent(archive):
    assert found(archive, "5G") == found(archive, "５Ｇ") == {"g5"}
    assert found(archive, "10.5%") == found(archive, "10.5％") == {"percent", "percent-ascii"}


def test_highlighting_marks_the_number_as_printed(archive):
    snippets = {h.id: h.snippet for h in archive.search("2000", limit=50).hits}
    assert MARK.findall(snippets["comma"]) == ["2,000"]
    assert MARK.findall(snippets["wide-comma"]) == ["２，０００"]
    assert MARK.findall(snippets["plain"]) == ["2000"]
    assert archive.highlight("岗位2,000个", "2000") == "岗位<mark>2,000</mark>个"
    assert archive.highlight("岗位2000个", "2,000") == "岗位<mark>2000</mark>个"
