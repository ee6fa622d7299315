"""The chunked Cutter of indexer/passages.py answers as a scan of the whole text would."""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right

from indexer.passages import _CLAUSE_END, _UNBREAKABLE, CLAUSE_ENDS, CLOSERS, Cutter

# Characters that make cuts interesting: CJK, punctuation, closing quotes, numbers, Latin words.
ALPHABET = list("中国经济发展") + list(CLAUSE_ENDS) + list(CLOSERS) + list("0１9aＺ.．,:/-·'%％ ")


class WholeScan:
    """The reference: blocked positions and clause ends from one scan of the whole text."""

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.length = len(text)
        self.blocked = [False] * (len(text) + 1)
        for m in _UNBREAKABLE.finditer(text):
            for i in range(m.start() + 1, m.end()):
                self.blocked[i] = True
        for start, end in spans:
            for i in range(start + 1, end):
                self.blocked[i] = True
        self.bounds = [m.end() for m in _CLAUSE_END.finditer(text)]

    def ok(self, i: int) -> bool:
        return 0 <= i <= self.length and not self.blocked[i]

    def back(self, i: int, floor: int) -> int:
        i = min(i, self.length)
        while i > floor and not self.ok(i):
            i -= 1
        return i

    def forward(self, i: int, ceiling: int) -> int:
        i = max(i, 0)
        while i < ceiling and not self.ok(i):
            i += 1
        return i

    def clause_start(self, i: int) -> int:
        at = bisect_right(self.bounds, i)
        return self.bounds[at - 1] if at else 0

    def last_bound(self, lo: int, hi: int) -> int | None:
        at = bisect_right(self.bounds, hi)
        return self.bounds[at - 1] if at and self.bounds[at - 1] > lo else None

    def first_bound(self, lo: int, hi: int) -> int | None:
        at = bisect_left(self.bounds, lo)
        return self.bounds[at] if at < len(self.bounds) and self.bounds[at] < hi else None


def random_text(rng: random.Random) -> str:
    # Runs of one kind of character, so that numbers, words and closer runs cross chunks.
    pieces = []
    for _ in range(rng.randint(0, 40)):
        pieces.append(rng.choice(ALPHABET) * rng.choice((1, 1, 2, 5, 13)))
    return "".join(pieces)


def test_chunked_cutter_matches_a_whole_text_scan() -> None:
    rng = random.Random(8)
    for _ in range(400):
        text = random_text(rng)
        spans = []
        if len(text) > 1:
            spans = sorted({tuple(sorted(rng.sample(range(len(text) + 1), 2))) for _ in range(2)})
        ref = WholeScan(text, spans)
        chunk = rng.choice((1, 2, 3, 7, 160))
        points = range(-2, len(text) + 3)
        # A fresh Cutter per question, so that each starts with no chunk scanned.
        for i in points:
            lo = rng.randint(-2, len(text) + 2)
            assert Cutter(text, spans, chunk).ok(i) == ref.ok(i)
            assert Cutter(text, spans, chunk).back(i, lo) == ref.back(i, lo)
            assert Cutter(text, spans, chunk).forward(lo, i) == ref.forward(lo, i)
            assert Cutter(text, spans, chunk).clause_start(i) == ref.clause_start(i)
            assert Cutter(text, spans, chunk).last_bound(lo, i) == ref.last_bound(lo, i)
            assert Cutter(text, spans, chunk).first_bound(lo, i) == ref.first_bound(lo, i)
            upto = ref.bounds[: bisect_right(ref.bounds, i)]
            assert Cutter(text, spans, chunk).bounds_upto(i) == upto
        cut = Cutter(text, spans, chunk)  # and one Cutter asked everything, in any order
        for i in rng.sample(list(points), len(points)):
            lo = rng.randint(-2, len(text) + 2)
            assert cut.back(i, lo) == ref.back(i, lo)
            assert cut.clause_start(i) == ref.clause_start(i)
            assert cut.last_bound(lo, i) == ref.last_bound(lo, i)
            assert cut.first_bound(lo, i) == ref.first_bound(lo, i)
