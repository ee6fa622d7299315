"""Ties in the ranking are broken the same way in every build of one archive."""

from types import SimpleNamespace

import numpy as np

from indexer.search import _top


def test_ties_follow_indexing_order_not_docnums():
    # docnum order is the reverse of indexing order, as when the second writer process's
    # segment comes first
    view = SimpleNamespace(dk=np.array([5, 4, 3, 2, 1, 0]))
    docs = np.arange(6)
    scores = np.array([1.0, 2.0, 2.0, 2.0, 2.0, 0.5])
    dates = np.zeros(6)
    picked = docs[_top(view, docs, scores, dates, 2)]
    assert list(picked) == [4, 3]  # the two tied docs indexed first, although docnums 1, 2 are
    assert list(docs[_top(view, docs, scores, dates, 6)]) == [4, 3, 2, 1, 0, 5]


def test_dates_break_score_ties_before_indexing_order():
    view = SimpleNamespace(dk=np.arange(4))
    docs = np.arange(4)
    scores = np.array([3.0, 3.0, 3.0, 1.0])
    dates = np.array([10, 30, 20, 40])
    assert list(docs[_top(view, docs, scores, dates, 3)]) == [1, 2, 0]
    assert list(docs[_top(view, docs, scores, dates, 0)]) == []
