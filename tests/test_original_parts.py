"""indexer/original.py: a field's original text from the normalised text and its diffs."""

from __future__ import annotations

import random

from indexer.analysis import normalize
from indexer.index import SEP, apply_diffs, text_diffs
from indexer.original import OriginalParts

CHARS = list("中國經濟發展，。（）ＡＢＣabc１２３123,.％% 　") + ["ß"]


def test_each_field_is_the_split_original() -> None:
    rng = random.Random(9)
    for _ in range(300):
        fields = [
            "".join(rng.choices(CHARS, k=rng.randint(0, 30))) for _ in range(rng.randint(1, 8))
        ]
        raw = SEP.join(fields)
        norm = normalize(raw)
        parts = OriginalParts(norm, text_diffs(raw, norm))
        order = list(range(len(fields)))
        rng.shuffle(order)  # asked in any order, each field once or twice
        for i in order + order[:2]:
            assert parts[i] == fields[i]
        assert parts[-1] == fields[-1]
        assert len(parts) == len(fields)


def test_a_diff_over_a_separator_gives_the_whole_texts_split() -> None:
    norm, diffs = "ab" + SEP + "cd" + SEP + "ef", [[1, "XYZ"], [6, "Q"]]
    expected = apply_diffs(norm, diffs).split(SEP)
    parts = OriginalParts(norm, diffs)
    assert [parts[i] for i in range(len(expected))] == expected
