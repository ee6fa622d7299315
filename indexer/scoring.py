"""Ranking: every weight and constant that orders results, and the BM25 formula they feed.

A change of ranking is a diff of this module alone. Relevance is BM25F over the jieba words
of the query in the word fields (Whoosh's BM25 formula and idf, computed with numpy over
postings for the candidates only; field lengths in characters), plus a known-item bonus when
the query equals the title; candidates with no word match follow, newest first.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from indexer.analysis import words

# Word fields and their BM25F weights: title, kicker, subtitle > headings > captions > body.
# The index has one Whoosh word field per key (indexer/index.py makes the schema from it).
WORD_BOOSTS = {
    "title": 6.0,
    "kicker": 3.0,
    "subtitle": 3.0,
    "headings": 2.0,
    "captions": 1.5,
    "body": 1.0,
    "author": 1.0,
}
# Whoosh's BM25F defaults.
K1 = 1.2
B = 0.75
# A known item (query == title, punctuation aside) outranks any partial match.
TITLE_BONUS = 1000.0
# Words in more than one document in COMMON_WORD_ONE_IN (的, 中国 …) add almost nothing to
# BM25 yet have the longest posting lists: left out of scoring when the query has other words.
COMMON_WORD_ONE_IN = 3
# "More like this": the top words of an article (by tf·idf over the body), and the fields and
# weights they are looked up in.
SIMILAR_WORDS = 12
SIMILAR_MIN_WORD_LENGTH = 2
SIMILAR_BOOSTS = {"body": 1.0, "title": 2.0}


def bm25(
    doc_count: int,
    lengths: np.ndarray,
    avg_length: float,
    boost: float,
    df: int,
    tf: np.ndarray,
) -> np.ndarray:
    """boost × Whoosh's BM25 idf (from `df`, the word's document frequency among `doc_count`)
    × the saturated term frequency of each document, whose field lengths (in characters) are
    `lengths`, aligned with `tf`."""
    idf = math.log(doc_count / (df + 1)) + 1.0
    norm = 1 - B + B * lengths / avg_length
    return boost * idf * ((tf * (K1 + 1)) / (tf + K1 * norm))


def scoring_words(doc_frequency: Callable[[str], int], doc_count: int, text: str) -> list[str]:
    """The words of `text` to score with: the common ones (see COMMON_WORD_ONE_IN) are left out
    when the text has other words (the candidates already contain them all)."""
    found = list(dict.fromkeys(words(text)))
    common = {w for w in found if doc_frequency(w) > doc_count / COMMON_WORD_ONE_IN}
    rare = [w for w in found if w not in common]
    return rare or found


def similar_word_weight(tf: int, df: int, doc_count: int) -> float:
    """How much a word of an article says about it, for "more like this" (`df` counts one more
    than the word's document frequency, so a word no other article has is finite)."""
    return tf * math.log(doc_count / df)
