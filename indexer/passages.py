"""Which passages of a text a hit's snippet shows, and where they are cut.

A reader scans a result list for the article they remember: each hit gets about two lines
(`SNIPPET_CHARS` characters of text) in 1–3 fragments. The fragments are the windows that
hold the most distinct query terms closest together (for 口罩 产能, a sentence with both
rather than the first 口罩), widened to whole clauses where the budget allows. A cut never
falls inside a match, a number or a Latin word, and prefers the end of a sentence or clause.

Everything here works on offsets of one field's text; normalisation keeps offsets, so the
spans found in the normalised text cut the original text at the same places.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from indexer.analysis import find_all, words

SNIPPET_CHARS = 160
MAX_FRAGMENTS = 3
# A fragment shorter than this is not worth its " … ": the budget goes to the others.
MIN_FRAGMENT = 24
# How much of a fragment's spare room may go before its first match (the rest follows it).
LEAD_SHARE = 0.25
# The most text before a fragment's first match when the text ends soon after it.
MAX_LEAD = 60
# Occurrences considered when looking for the best window: the first ones suffice, and a
# long article with a common term would otherwise cost a quadratic scan.
MAX_OCCURRENCES = 200

CLAUSE_ENDS = "。！？；，、：!?;\n"
CLOSERS = "”’）」』】》\"')"
ENDS = "。！？!?\n”’"  # a sentence's end (a closing quote after its 。)
_CLAUSE_END = re.compile(f"[{re.escape(CLAUSE_ENDS)}][{re.escape(CLOSERS)}]*")
# A number (3.5%, 2020-01-01, 1,000) or a Latin word, which a cut must not split.
_UNBREAKABLE = re.compile(
    r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+(?:[.．,:/\-·'][0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+)*[%％]?"
)


@dataclass(frozen=True)
class Occurrence:
    """A match of one query term (or, for a fragment matched by its words, of one word)."""

    start: int
    end: int
    label: str


def occurrences(norm: str, terms: list[str], whole_elsewhere: frozenset[str]) -> list[Occurrence]:
    """Every occurrence of the terms in `norm`, sorted, each labelled with what it matched.

    A fragment that never occurs whole (an unquoted fragment matched by its bigrams) falls
    back to its words of two or more characters, unless it is in `whole_elsewhere`: found
    whole in another part of the same document, where marking its bare words would be noise.
    """
    found: list[Occurrence] = []
    for term in terms:
        whole = _find_all(norm, term, term)
        if not whole and term not in whole_elsewhere:
            for word in words(term):
                if len(word) > 1:
                    whole.extend(_find_all(norm, word, word))
        found.extend(whole)
    found.sort(key=lambda o: (o.start, o.end))
    return found


def _find_all(norm: str, term: str, label: str) -> list[Occurrence]:
    # analysis.find_all reads numbers as printed: the term 2000 also finds 2,000.
    return [Occurrence(start, end, label) for start, end in find_all(norm, term)] if term else []


def merge_spans(found: list[Occurrence]) -> list[tuple[int, int]]:
    """The occurrences as disjoint (start, end) spans: touching or overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for o in found:
        if merged and o.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(o.end, merged[-1][1]))
        else:
            merged.append((o.start, o.end))
    return merged


class Cutter:
    """Where `text` may be cut: not inside a match span, a number or a Latin word; and where
    its clauses end."""

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.length = len(text)
        self.blocked = bytearray(len(text) + 1)
        for m in _UNBREAKABLE.finditer(text):
            self.blocked[m.start() + 1 : m.end()] = b"\x01" * (m.end() - m.start() - 1)
        for start, end in spans:
            if end - start > 1:
                self.blocked[start + 1 : end] = b"\x01" * (end - start - 1)
        self.bounds = _clause_bounds(text)

    def ok(self, i: int) -> bool:
        return 0 <= i <= self.length and not self.blocked[i]

    def back(self, i: int, floor: int) -> int:
        """The nearest allowed cut at or before i (not before `floor`)."""
        i = min(i, self.length)
        while i > floor and not self.ok(i):
            i -= 1
        return i

    def forward(self, i: int, ceiling: int) -> int:
        """The nearest allowed cut at or after i (not after `ceiling`)."""
        i = max(i, 0)
        while i < ceiling and not self.ok(i):
            i += 1
        return i

    def clause_start(self, i: int) -> int:
        """The start of the clause holding position i."""
        at = bisect_right(self.bounds, i)
        return self.bounds[at - 1] if at else 0

    def last_bound(self, lo: int, hi: int) -> int | None:
        """The last clause end in (lo, hi], or None."""
        at = bisect_right(self.bounds, hi)
        return self.bounds[at - 1] if at and self.bounds[at - 1] > lo else None


def _clause_bounds(text: str) -> list[int]:
    """Positions just after a clause's end (its punctuation and any closing quote)."""
    return [m.end() for m in _CLAUSE_END.finditer(text)]


def best_window(
    found: list[Occurrence], width: int, covered: frozenset[str], taken: list[tuple[int, int]]
) -> tuple[int, int, frozenset[str]] | None:
    """The window of consecutive occurrences no wider than `width` (one occurrence always
    fits) that holds the most terms not in `covered`, then the most distinct terms, then is
    narrowest, then earliest; outside the `taken` windows. None when nothing is left."""
    free = [o for o in found if not any(lo <= o.start < hi for lo, hi in taken)]
    free = free[:MAX_OCCURRENCES]
    best_key, best = None, None
    for i, first in enumerate(free):
        labels: set[str] = set()
        end = first.end
        for o in free[i:]:
            reach = max(end, o.end)
            if o.start > first.start and reach - first.start > width:
                break
            if taken and any(lo < reach and first.start < hi for lo, hi in taken):
                break
            end = reach
            if o.label in labels and best is not None:
                continue  # the same terms, only wider: never better
            labels.add(o.label)
            key = (len(labels - covered), len(labels), first.start - end, -first.start)
            if best_key is None or key > best_key:
                best_key, best = key, (first.start, end, frozenset(labels))
    return best


def widen(cut: Cutter, start: int, end: int, target: int) -> tuple[int, int]:
    """The window [start, end) grown to about `target` characters: back to its clause's
    start when that is near, forward to the last clause end that fits, else cut where allowed."""
    room = max(0, target - (end - start))
    clause = cut.clause_start(start)
    if start - clause <= room * LEAD_SHARE or start - clause <= 8:
        lo = clause
    else:
        lo = cut.forward(start - min(int(room * LEAD_SHARE), 20), start)
    lo = min(lo, start)
    limit = lo + max(target, end - lo)
    bound = cut.last_bound(end, min(limit, cut.length))
    if bound is not None and bound - end >= (limit - end) // 3:
        hi = bound
    else:
        hi = cut.back(min(limit, cut.length), end)
    hi = max(hi, end)
    # Near the end of the text, the room left after the match goes to the clauses before it,
    # as long as the match stays in the first lines (on a phone, 4 lines of ~23 characters).
    left = min(target - (hi - lo), MAX_LEAD - (start - lo))
    if hi == cut.length and left > 8 and lo > 0:
        first = bisect_left(cut.bounds, lo - left)
        earlier = first < len(cut.bounds) and cut.bounds[first] < lo
        lo = cut.bounds[first] if earlier else cut.forward(lo - left, lo)
    return lo, hi


def choose_passages(
    text: str,
    found: list[Occurrence],
    spans: list[tuple[int, int]],
    chars: int = SNIPPET_CHARS,
) -> list[tuple[int, int]]:
    """1–MAX_FRAGMENTS (lo, hi) windows of `text`, in text order, about `chars` characters in
    all (the " … " between them included), each holding its matches whole."""
    if not found:
        return []
    cut = Cutter(text, spans)
    anchors: list[tuple[int, int]] = []
    covered: frozenset[str] = frozenset()
    spare = chars
    while len(anchors) < MAX_FRAGMENTS:
        # The first window leaves room for context; later ones only cover missing terms.
        width = int(spare * 0.6) if not anchors else spare - MIN_FRAGMENT
        if anchors and (width < MIN_FRAGMENT or covered >= labels_in(found)):
            break
        window = best_window(found, max(width, 1), covered, anchors)
        if window is None:
            break
        start, end, labels = window
        if anchors and not labels - covered:
            break
        start, end = _snap_to_spans(start, end, spans)
        anchors.append((start, end))
        covered |= labels
        spare -= (end - start) + 3
    return _grow(cut, sorted(anchors), chars)


def labels_in(found: list[Occurrence]) -> frozenset[str]:
    return frozenset(o.label for o in found)


def _snap_to_spans(start: int, end: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The window widened so that no merged match span sticks out of it."""
    for lo, hi in spans:
        if lo < end and start < hi:
            start, end = min(start, lo), max(end, hi)
    return start, end


def _grow(cut: Cutter, anchors: list[tuple[int, int]], chars: int) -> list[tuple[int, int]]:
    """Each anchor widened by an equal share of what the budget leaves; overlaps merged."""
    joins = 3 * (len(anchors) - 1) + 2  # " … " between fragments, "…" at the ends
    spare = max(0, chars - joins - sum(hi - lo for lo, hi in anchors))
    windows: list[tuple[int, int]] = []
    for lo, hi in anchors:
        target = (hi - lo) + spare // len(anchors)
        wlo, whi = widen(cut, lo, hi, target)
        if windows and wlo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], whi))
        else:
            windows.append((wlo, whi))
    return windows


def opening(text: str, chars: int = SNIPPET_CHARS) -> int:
    """Where the opening lines of `text` end: after its last clause that fits in `chars`
    (a sentence's end preferred), else at an allowed cut."""
    if len(text) <= chars:
        return len(text)
    cut = Cutter(text, [])
    sentence = max(
        (b for b in cut.bounds[: bisect_right(cut.bounds, chars - 1)] if text[b - 1] in ENDS),
        default=0,
    )
    if sentence >= chars // 2:
        return sentence
    bound = cut.last_bound(0, chars - 1)
    if bound is not None and bound >= chars // 2:
        return bound
    return cut.back(chars - 1, chars // 2)
