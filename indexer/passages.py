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
# Every character such a run can hold.
UNBREAKABLE_CHARS = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    + "".join(chr(c) for c in range(ord("０"), ord("９") + 1))
    + "".join(chr(c) for c in range(ord("Ａ"), ord("Ｚ") + 1))
    + "".join(chr(c) for c in range(ord("ａ"), ord("ｚ") + 1))
    + ".．,:/-·'%％"
)
CUT_CHUNK = 160  # characters a Cutter scans at once


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
    its clauses end.

    Both are worked out a chunk of `chunk` characters at a time, when a question first
    reaches that chunk: a snippet only ever looks near its windows, and scanning a long
    article's whole field for each shown hit was the largest cost of a query's snippets.
    The answers are those of a scan of the whole text (tests/test_passages_cutter.py).
    """

    def __init__(self, text: str, spans: list[tuple[int, int]], chunk: int = CUT_CHUNK) -> None:
        self.text = text
        self.length = len(text)
        self.chunk = chunk
        self.blocked = bytearray(len(text) + 1)
        count = len(text) // chunk + 1  # positions 0..length, both cuts allowed in principle
        self._scanned = bytearray(count)
        self._bounds: list[list[int] | None] = [None] * count
        for start, end in spans:
            if end - start > 1:
                self.blocked[start + 1 : end] = b"\x01" * (end - start - 1)

    def ok(self, i: int) -> bool:
        if not 0 <= i <= self.length:
            return False
        if not self._scanned[i // self.chunk]:
            self._scan_unbreakable(i // self.chunk)
        return not self.blocked[i]

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
        found = self._last_bound_upto(i, 0)
        return found if found is not None else 0

    def last_bound(self, lo: int, hi: int) -> int | None:
        """The last clause end in (lo, hi], or None."""
        found = self._last_bound_upto(hi, lo + 1)
        return found if found is not None and found > lo else None

    def first_bound(self, lo: int, hi: int) -> int | None:
        """The first clause end in [lo, hi), or None."""
        lo = max(lo, 0)
        for k in range(lo // self.chunk, min(hi - 1, self.length) // self.chunk + 1):
            bounds = self._chunk_bounds(k)
            at = bisect_left(bounds, lo)
            if at < len(bounds):
                return bounds[at] if bounds[at] < hi else None
        return None

    def bounds_upto(self, hi: int) -> list[int]:
        """Every clause end at or before hi, in order."""
        out: list[int] = []
        for k in range(min(max(hi, 0), self.length) // self.chunk + 1):
            out.extend(self._chunk_bounds(k))
        return out[: bisect_right(out, hi)]

    def _last_bound_upto(self, i: int, floor: int) -> int | None:
        """The last clause end at or before i, looked for no further back than the chunk of
        `floor`; None when there is none there."""
        i = min(i, self.length)
        if i < 0:
            return None
        for k in range(i // self.chunk, max(floor, 0) // self.chunk - 1, -1):
            bounds = self._chunk_bounds(k)
            at = bisect_right(bounds, i)
            if at:
                return bounds[at - 1]
        return None

    def _scan_unbreakable(self, k: int) -> None:
        """Block the inside of every number or Latin word that reaches chunk k."""
        start, end = k * self.chunk, (k + 1) * self.chunk
        text, blocked = self.text, self.blocked
        # From the last character no such run can hold, a scan finds the runs a scan of the
        # whole text finds.
        while start > 0 and text[start - 1] in UNBREAKABLE_CHARS:
            start -= 1
        for m in _UNBREAKABLE.finditer(text, start):
            if m.start() >= end:
                break
            if m.end() - m.start() > 1:
                blocked[m.start() + 1 : m.end()] = b"\x01" * (m.end() - m.start() - 1)
        self._scanned[k] = 1

    def _chunk_bounds(self, k: int) -> list[int]:
        """The clause ends (positions just after them) that fall in chunk k."""
        cached = self._bounds[k]
        if cached is not None:
            return cached
        low, high = k * self.chunk, (k + 1) * self.chunk
        text, start = self.text, low
        # Back to where a clause end's match holding `low` would begin: over closing quotes,
        # then over the punctuation mark they follow.
        while start > 0 and text[start - 1] in CLOSERS:
            start -= 1
        if start > 0 and text[start - 1] in CLAUSE_ENDS:
            start -= 1
        bounds = []
        for m in _CLAUSE_END.finditer(text, start):
            if m.start() >= high:
                break
            if low <= m.end() < high:
                bounds.append(m.end())
        self._bounds[k] = bounds
        return bounds


def best_window(
    found: list[Occurrence], width: int, covered: frozenset[str], taken: list[tuple[int, int]]
) -> tuple[int, int, frozenset[str]] | None:
    """The window of consecutive occurrences no wider than `width` (one occurrence always
    fits) that holds the most terms not in `covered`, then the most distinct terms, then is
    narrowest, then earliest; outside the `taken` windows. None when nothing is left."""
    free = [o for o in found if not any(lo <= o.start < hi for lo, hi in taken)]
    free = free[:MAX_OCCURRENCES]
    every = len({o.label for o in free})
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
            if len(labels) == every:
                break  # every term is in: a wider window from this start is never better
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
        earlier = cut.first_bound(lo - left, lo)
        lo = earlier if earlier is not None else cut.forward(lo - left, lo)
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
        (b for b in cut.bounds_upto(chars - 1) if text[b - 1] in ENDS),
        default=0,
    )
    if sentence >= chars // 2:
        return sentence
    bound = cut.last_bound(0, chars - 1)
    if bound is not None and bound >= chars // 2:
        return bound
    return cut.back(chars - 1, chars // 2)
