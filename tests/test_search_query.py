"""The query parser: syntax, and never raising on garbage."""

from __future__ import annotations

import random

from indexer.query import date_bound, parse


def test_words_or_not_and_phrases():
    p = parse('兰州 "一带一路" OR “丝绸之路” -新区 NOT 天水')
    assert [[c.text for c in g] for g in p.groups] == [["兰州"], ["一带一路", "丝绸之路"]]
    assert all(c.quoted for c in p.groups[1])
    assert [c.text for c in p.excluded] == ["新区", "天水"]


def test_field_prefixes_in_chinese_and_english():
    p = parse('标题:女排 caption:熊猫 作者:"张 三" 版名:要闻 版次:01 page:4')
    fields = [(c.field, c.text, c.quoted) for c in p.positive]
    assert fields == [
        ("title", "女排", False),
        ("captions", "熊猫", False),
        ("author", "张 三", True),
        ("page_name", "要闻", False),
    ]
    assert p.pages == ["01", "4"]


def test_minus_before_a_digit_is_literal():
    p = parse("-30℃ 严寒")
    assert [c.text for c in p.positive] == ["-30℃", "严寒"] and not p.excluded


def test_unknown_prefix_is_literal_text():
    p = parse("专访:习近平")
    assert [c.text for c in p.positive] == ["专访:习近平"]
    assert p.positive[0].field is None


def test_dates_and_sort():
    p = parse("日期:2019-10-01..2020-02 排序:最新 女排")
    assert (p.date_from, p.date_to, p.sort) == (20191001, 20200229, "newest")
    p = parse("date:2019 sort:oldest")
    assert (p.date_from, p.date_to, p.sort) == (20190101, 20191231, "oldest")
    p = parse("日期:..2019-10")
    assert (p.date_from, p.date_to) == (None, 20191031)
    p = parse("日期:2019-13 x")
    assert p.date_from is None and p.notes
    assert date_bound("2020-02", end=True) == 20200229
    assert date_bound("2019-02-30", end=False) is None


def test_traditional_and_full_width_queries_are_normalised():
    p = parse("“蘭州新區” ＡＢＣ")
    assert [c.text for c in p.positive] == ["兰州新区", "abc"]


def test_parser_never_raises_on_garbage():
    rng = random.Random(3)
    alphabet = list('"“”:-|() OR NOT 标题:图片:日期:..版次:作者:sort:中文abc123\\\t\n\x00') + [
        "OR",
        "NOT",
    ]
    cases = [
        '"unbalanced',
        "“半个引号",
        "OR",
        "-",
        "NOT",
        "标题:",
        "日期:",
        "日期:..",
        ":::",
        '""',
        "“”",
        "- - -",
        "OR OR 兰州",
        "兰州 OR",
        "x" * 50000,
        "标题:" * 500,
    ]
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(500)]
    for case in cases:
        parsed = parse(case)
        assert isinstance(parsed.groups, list)
    assert parse("").is_empty()
    assert parse("OR -").is_empty()
