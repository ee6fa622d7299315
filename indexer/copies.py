"""Copies of one article: the same text printed more than once (a report on 第1版 and again
in full on the page it continues on, a speech on two pages, wire copy reprinted) shows once
in the results, with the other copies listed under it.

Design (why, and the measurements, in docs/copies.md):
- At index time each article gets a copy key (`copy_key`): a 63-bit hash of its normalised
  body with every space and punctuation mark removed, stored as the numeric column `ckey`.
  Two articles are copies when their keys are equal, i.e. their bodies hold the same
  letters, digits and CJK characters in the same order. Titles are not part of the key (a
  reprint may be retitled); bodies shorter than MIN_BODY_CHARS get no key (0), because short
  bodies are lines like 版式设计：蔡华伟 or a photo's one-sentence caption, equal in
  articles that are not copies. Exact equality only: a false merge would hide an article,
  which is worse than a missed copy.
- At search time, after ranking, `distinct_ranked` keeps the best-ranked article of each key
  and asks the ranking for a deeper list until a page of distinct hits is full; offset and
  limit count distinct hits. `copies_of` lists the other copies in the result set (matching
  the query and the filters) under each hit, by date and 版次.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from indexer.analysis import RUN
from indexer.results import Copy

if TYPE_CHECKING:
    from indexer.view import IndexView

# Below this many letters/digits/CJK characters a body is too short to call two articles
# copies (measured on the 人民日报 corpus: equal short bodies are credits and captions).
MIN_BODY_CHARS = 80
NO_KEY = 0

Ranked = list[tuple[int, float, bool]]  # (docnum, score, near), in the result's order


def copy_key(norm_body: str) -> int:
    """The copy key of a normalised body: equal for bodies equal but for spaces and
    punctuation, NO_KEY (0) for a body too short to compare."""
    text = "".join(RUN.findall(norm_body))
    if len(text) < MIN_BODY_CHARS:
        return NO_KEY
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    # 63 bits, never 0: fits the signed 64-bit column, and 0 stays "no key".
    return (int.from_bytes(digest, "big") >> 1) or 1


def distinct_count(keys: np.ndarray) -> int:
    """How many distinct texts among documents with these copy keys (no key: each its own)."""
    keyed = keys[keys != NO_KEY]
    if not len(keyed):
        return int(len(keys))
    # A sort and a neighbour comparison: np.unique hashes, several times slower here.
    ordered = np.sort(keyed)
    return int(len(keys) - len(keyed) + 1 + np.count_nonzero(ordered[1:] != ordered[:-1]))


def first_of_each(ranked: Ranked, keys: np.ndarray) -> Ranked:
    """`ranked` with every document whose copy key came earlier left out."""
    seen: set[int] = set()
    out: Ranked = []
    for item in ranked:
        key = int(keys[item[0]])
        if key != NO_KEY:
            if key in seen:
                continue
            seen.add(key)
        out.append(item)
    return out


def distinct_ranked(
    keys: np.ndarray, rank_to: Callable[[int], Ranked], depth: int, available: int
) -> Ranked:
    """The first `depth` distinct hits: `rank_to(n)` gives the first n of the full order
    (of `available` documents); it is asked for more until `depth` distinct ones are found
    or the documents run out."""
    # Twice as deep at once: the ranking's cost hardly depends on the depth (its rescored
    # pool does not), while a second call costs a whole ranking.
    n = min(available, 2 * depth)
    while True:
        ranked = rank_to(n)
        distinct = first_of_each(ranked, keys)
        if len(distinct) >= depth or len(ranked) >= available or n >= available:
            return distinct[:depth]
        # Ask for as many more as are missing, doubled: groups are rarely larger than two.
        n = min(available, n + 2 * (depth - len(distinct)))


def copies_of(view: IndexView, shown: Sequence[int], pool: np.ndarray) -> list[list[Copy]]:
    """For each shown docnum, the other documents of `pool` (the result set) with its copy
    key, oldest first and in 版次 order within a day."""
    keys = view.ckey
    shown_keys = keys[np.asarray(shown, dtype=np.int64)] if len(shown) else np.zeros(0)
    wanted = shown_keys[shown_keys != NO_KEY]
    if not len(wanted) or not len(pool):
        return [[] for _ in shown]
    members = pool[np.isin(keys[pool], wanted)]
    members = members[
        np.lexsort((view.dk[members], view.page_rank[view.page[members]], view.dord[members]))
    ]
    out = []
    for doc, key in zip(shown, shown_keys.tolist(), strict=True):
        same = members[keys[members] == key] if key != NO_KEY else members[:0]
        out.append([_copy(view, int(d)) for d in same.tolist() if d != doc])
    return out


def _copy(view: IndexView, docnum: int) -> Copy:
    # Imported here: indexer.index (and so indexer.view) imports this module.
    from indexer.original import OriginalParts
    from indexer.view import FIELD_INDEX, fmt_date

    stored = view.searcher.stored_fields(docnum)
    original = OriginalParts(view.text(docnum), stored.get("diffs") or [])  # one field of it
    return Copy(
        id=stored.get("id", ""),
        date=fmt_date(int(view.dord[docnum])),
        page=stored.get("page", ""),
        page_name=original[FIELD_INDEX["page_name"]],
        paper=stored.get("paper", ""),
    )


def copies_line(copies: Sequence[Copy]) -> str:
    """The line under a hit: 另有 N 篇相同稿件：2019-10-01 第02版 · 要闻；…"""
    where = []
    for c in copies:
        page = f"第{c.page}版" + (f" · {c.page_name}" if c.page_name else "") if c.page else ""
        where.append(" ".join(x for x in (c.date, page) if x))
    return f"另有 {len(copies)} 篇相同稿件：" + "；".join(where)
