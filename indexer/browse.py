"""Browsing by issue, and the facets of a result set: numpy over the columns of an IndexView."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from indexer.entity_index import entity_facets
from indexer.index import SEP
from indexer.query import date_bound
from indexer.results import Facets
from indexer.view import FIELD_INDEX, IndexView, code_mask, fmt_date, page_sort


@dataclass
class IssueRef:
    paper: str
    date: str
    articles: int


@dataclass
class IssueArticle:
    id: str
    title: str


@dataclass
class IssuePage:
    page: str
    page_name: str
    articles: list[IssueArticle]


def list_issues(view: IndexView, paper: str | None = None) -> list[IssueRef]:
    """Every issue (paper, date) with its article count, newest first."""
    docs = np.flatnonzero(view.live)
    if paper:
        docs = docs[code_mask(view.paper_names, view.paper, paper, numeric=False)[docs]]
    pairs = Counter(zip(view.paper[docs].tolist(), view.dord[docs].tolist(), strict=True))
    refs = [IssueRef(view.paper_names[p], fmt_date(d), n) for (p, d), n in pairs.items()]
    refs.sort(key=lambda r: (r.date, r.paper), reverse=True)
    return refs


def issue_pages(view: IndexView, paper: str, date: str) -> list[IssuePage]:
    """One issue's articles by page, in the paper's order; [] for a malformed date."""
    dord = date_bound(date, end=False)
    if dord is None:
        return []
    mask = view.live & (view.dord == dord)
    mask &= code_mask(view.paper_names, view.paper, paper, numeric=False)
    pages: dict[str, IssuePage] = {}
    rows = []
    for d in np.flatnonzero(mask).tolist():
        stored, _, original = view.stored_texts(d)
        parts = original.split(SEP)
        rows.append(
            (stored.get("page", ""), stored["id"], parts[0], parts[FIELD_INDEX["page_name"]])
        )
    for page, doc_id, title, page_name in sorted(rows, key=lambda r: (page_sort(r[0]), r[1])):
        entry = pages.setdefault(page, IssuePage(page, page_name, []))
        entry.page_name = entry.page_name or page_name
        entry.articles.append(IssueArticle(doc_id, title))
    return list(pages.values())


def facets(view: IndexView, docs: np.ndarray) -> Facets:
    """Year, month, 版次 and paper counts of `docs`, in display order (see Facets)."""
    dord = view.dord[docs]
    known = dord[dord > 0]
    years, ycount = np.unique(known // 10000, return_counts=True)
    months, mcount = np.unique(known // 100, return_counts=True)
    pages, pcount = _code_counts(view.page[docs], len(view.page_names))
    papers, ncount = _code_counts(view.paper[docs], len(view.paper_names))
    page_facet = {
        view.page_names[int(c)]: int(n)
        for c, n in sorted(
            zip(pages, pcount, strict=True), key=lambda x: page_sort(view.page_names[int(x[0])])
        )
        if view.page_names[int(c)]
    }
    return Facets(
        **entity_facets(view, docs),
        year={str(int(y)): int(n) for y, n in zip(years, ycount, strict=True)},
        month={
            f"{int(m) // 100:04d}-{int(m) % 100:02d}": int(n)
            for m, n in zip(months, mcount, strict=True)
        },
        page=page_facet,
        paper={
            view.paper_names[int(c)]: int(n)
            for c, n in sorted(
                zip(papers, ncount, strict=True), key=lambda x: (-x[1], view.paper_names[int(x[0])])
            )
            if view.paper_names[int(c)]
        },
    )


def _code_counts(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(codes, return_counts=True) for codes indexing `size` names, by bincount."""
    counts = np.bincount(codes, minlength=size)
    present = np.flatnonzero(counts)
    return present, counts[present]
