"""The shared normalisation and segmentation (indexer.analysis)."""

from __future__ import annotations

import json
import random
from itertools import islice

import opencc
import pytest

from indexer.analysis import grams, normalize, query_grams, words
from tests.conftest import CORPORA, corpus_lines


def test_normalize_simplifies_halves_and_folds():
    assert normalize("蘭州新區") == "兰州新区"
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("iPhone") == "iphone"
    assert normalize("第\u30005版") == "第 5版"


@pytest.mark.parametrize("corpus_name", CORPORA)
def test_normalize_keeps_length_on_corpus_text(corpus_name):
    rng = random.Random(7)
    to_traditional = opencc.OpenCC("s2t")
    rows = [json.loads(line) for line in islice(corpus_lines(corpus_name), 300)]
    for row in rng.sample(rows, 50):
        body = row["body"] or ""
        assert len(normalize(body)) == len(body)
        traditional = to_traditional.convert(body)
        assert len(normalize(traditional)) == len(traditional)
    # ligatures and symbols that NFKC expands still keep one character per character
    for odd in ("ﬁ㈱ß①", "Ⅻ号", "\u00bd杯"):
        assert len(normalize(odd)) == len(odd)


def test_words_keep_digits_latin_and_newsroom_dictionary():
    tokens = words(normalize("兰州新区的重离子治疗，5G网络和iPhone第5版"))
    assert "兰州新区" in tokens
    assert "重离子" in tokens
    assert "5g" in tokens and "iphone" in tokens and "5" in tokens
    assert "，" not in tokens


def test_grams_cover_every_substring():
    text = normalize("新材料研发，第5版")
    found = grams(text)
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            fragment = text[start:end]
            if "，" in fragment:
                continue
            assert set(query_grams(fragment)) <= found, fragment
    assert "料研" in found and "材料" in found and "5版" in found
    assert "，第" not in found  # punctuation breaks runs
    assert query_grams("新材") == ["新材"]
    assert query_grams("a") == ["a"]
