"""parsed.suggestion_query: the whole query a "did you mean" sentence proposes, ready to run
with the same filters, on the demo archive (《江城晚报》, in the repository)."""

from __future__ import annotations

import re

import pytest

from indexer import Archive


@pytest.fixture(scope="module")
def demo(demo_data_dir):
    with Archive(demo_data_dir) as archive:
        yield archive


def proposed_count(sentence: str) -> int:
    return int(re.search(r"（(\d+) 篇）", sentence).group(1))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("植树月啊", "植树月"),
        ("标题:植树月啊", "标题:植树月"),
        ('"植树月啊" 日期:2025-04', '"植树月" 日期:2025-04'),
        ("ＧＤＰ同比啊", "ＧＤＰ同比"),  # the reader's own full-width letters are kept
    ],
)
def test_a_typo_suggests_a_query_that_finds_what_it_promises(demo, query, expected):
    result = demo.search(query)
    assert result.total == 0
    parsed = result.parsed
    assert parsed.suggestion_query == expected
    assert expected.split()[0].split(":")[-1].strip('"') in parsed.suggestion
    again = demo.search(parsed.suggestion_query)
    assert again.total == proposed_count(parsed.suggestion) > 0


def test_the_suggestion_counts_under_the_same_filters(demo):
    everywhere = demo.search("植树月").hits[0]
    elsewhere = "04" if everywhere.page != "04" else "02"
    assert demo.search("植树月啊", page=elsewhere).parsed.suggestion_query is None
    inside = demo.search("植树月啊", page=everywhere.page).parsed
    assert inside.suggestion_query == "植树月"
    # an exclusion that removes the only article leaves nothing to suggest
    title_word = everywhere.title[:2]
    assert demo.search(f"植树月啊 -{title_word}").parsed.suggestion_query is None


def test_no_query_to_run_for_traditional_characters_or_hits(demo):
    traditional = demo.search("植樹月").parsed
    assert "简体" in traditional.suggestion and traditional.suggestion_query is None
    found = demo.search("植树月").parsed
    assert found.suggestion is None and found.suggestion_query is None
