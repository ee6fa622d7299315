"""The original (not normalised) text of one field of a stored document, made only for the
fields asked for.

texts.bin holds each document's normalised text (its TEXT_FIELDS joined by SEP) and the stored
`diffs` turn it back into the original (indexer/index.py `text_diffs`). A hit shows its title,
a few short fields and one field's snippet; applying every diff of a long article to show them
cost more than choosing the snippet. Normalisation keeps offsets and never changes SEP, so each
diff lies within one field and a field's original is its normalised text with its own diffs.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from operator import itemgetter

from indexer.index import SEP, apply_diffs

_START = itemgetter(0)


class OriginalParts(Sequence[str]):
    """`apply_diffs(norm, diffs).split(SEP)`, each part worked out on first use."""

    def __init__(self, norm: str, diffs: list[list]) -> None:
        self._norm = norm.split(SEP)
        self._diffs = diffs
        self._done: dict[int, str] = {}
        self._starts: list[int] = []
        at = 0
        for part in self._norm:
            self._starts.append(at)
            at += len(part) + len(SEP)
        self._whole: list[str] | None = None
        self._joined = norm

    def __len__(self) -> int:
        return len(self._norm)

    def __getitem__(self, i: int) -> str:  # type: ignore[override] - no slices
        if self._whole is not None:
            return self._whole[i]
        i = range(len(self._norm))[i]  # negative indexes and IndexError as a list's
        done = self._done.get(i)
        if done is None:
            done = self._done[i] = self._part(i)
        return done

    def _part(self, i: int) -> str:
        text, diffs = self._norm[i], self._diffs
        if not diffs:
            return text
        start = self._starts[i]
        first = bisect_left(diffs, start, key=_START)
        last = bisect_left(diffs, start + len(text) + 1, key=_START)
        before_ends = first == 0 or _end(diffs[first - 1]) < start
        if not before_ends or (first < last and _end(diffs[last - 1]) > start + len(text)):
            # A diff over a SEP belongs to no one field (not expected): be right anyway.
            self._whole = apply_diffs(self._joined, diffs).split(SEP)
            return self._whole[i]
        if first == last:
            return text
        pieces, at = [], start  # apply_diffs over this field's diffs, offsets from `start`
        joined = self._joined
        for pos, orig in diffs[first:last]:
            pieces.append(joined[at:pos])
            pieces.append(orig)
            at = pos + len(orig)
        pieces.append(joined[at : start + len(text)])
        return "".join(pieces)


def _end(diff: list) -> int:
    return diff[0] + len(diff[1])
