"""The arithmetic of scripts/eval_relevance.py: nDCG@10 and P@10 on grades worked by hand."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from eval_relevance import (  # noqa: E402
    Query,
    distinct_grades,
    evaluate,
    load_judgments,
    ndcg_at,
    precision_at,
)


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise():
    grades = {"a": 2, "b": 1, "c": 0}
    assert ndcg_at(["a", "b", "c"], grades) == pytest.approx(1.0)
    # by hand: ideal 3/log2(2) + 1/log2(3); this order 1/log2(2) + 3/log2(3)
    ideal = 3 + 1 / math.log2(3)
    assert ndcg_at(["b", "a"], grades) == pytest.approx((1 + 3 / math.log2(3)) / ideal)
    assert ndcg_at(["x", "y"], grades) == 0.0  # unjudged counts as 0
    assert ndcg_at(["a"], {"a": 0}) == 0.0  # nothing relevant: no division by zero


def test_ndcg_ideal_is_cut_at_the_depth():
    grades = {f"d{i}": 2 for i in range(12)}
    assert ndcg_at([f"d{i}" for i in range(10)], grades) == pytest.approx(1.0)


def test_precision_counts_grade_one_and_up_over_the_full_depth():
    grades = {"a": 2, "b": 1, "c": 0}
    assert precision_at(["a", "b", "c"], grades) == pytest.approx(0.2)
    assert precision_at([], grades) == 0.0


def test_evaluate_means_per_set_and_counts_unjudged():
    queries = [Query("q1", "tune", "x"), Query("q2", "held", "y")]
    judged = {"q1": {"a": 2}, "q2": {"b": 1}}
    runs = {"r": {"q1": ["a"], "q2": ["z", "b"]}}
    rows = {row.split: row for row in evaluate(runs, queries, judged)}
    assert rows["tune"].ndcg == pytest.approx(1.0)
    assert rows["held"].ndcg == pytest.approx(1 / math.log2(3))
    assert rows["all"].ndcg == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert rows["all"].precision == pytest.approx(0.1)
    assert rows["all"].unjudged == 1 and rows["all"].queries == 2


def test_a_bad_grade_is_refused(tmp_path):
    path = tmp_path / "j.tsv"
    path.write_text("q1\ta\t3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="grade must be 0, 1 or 2"):
        load_judgments(path)


def test_copies_count_once_in_the_distinct_figures():
    # a and a2 are copies (key 7), b is on its own; a2 was never graded
    keys = {"a": 7, "a2": 7, "b": 0}
    grades = {"a": 2, "b": 1}
    ideal, shown = distinct_grades(["a2", "a", "b"], grades, keys)
    # the ungraded copy takes a's grade, the second copy counts 0, the ideal holds a once
    assert sorted(ideal.values(), reverse=True) == [2, 1]
    assert [ideal.get(s, 0) for s in shown] == [2, 0, 1]
    assert ndcg_at(shown, ideal) == pytest.approx((3 + 1 / math.log2(4)) / (3 + 1 / math.log2(3)))
    # a ranker listing each text once loses nothing
    ideal, shown = distinct_grades(["a", "b"], grades, keys)
    assert ndcg_at(shown, ideal) == pytest.approx(1.0)


def test_evaluate_gives_the_distinct_figures_beside_the_pooled_ones():
    queries = [Query("q1", "tune", "x")]
    judged = {"q1": {"a": 2, "a2": 2, "b": 2}}
    runs = {"r": {"q1": ["a", "a2", "b"]}}
    row = next(r for r in evaluate(runs, queries, judged, {"a": 5, "a2": 5}) if r.split == "all")
    assert row.ndcg == pytest.approx(1.0)  # pooled: the copy counts as a relevant article
    assert row.distinct_ndcg < 1.0  # copies once: the second copy takes b's place
    assert row.precision == pytest.approx(0.3) and row.distinct_precision == pytest.approx(0.2)
