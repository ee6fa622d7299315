"""The one progress protocol of long jobs (crawling, cleaning, importing, indexing).

A job reports by calling `progress(done, total, stage)`: `done` the units finished so far and
`total` the units in all (0 while it is not known), both counted from the start of the job;
`stage` names the count when a job keeps more than one (the crawl: "dates", "pages",
"articles") and is "" otherwise. The CLI draws one bar per stage; library callers may pass None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Progress", "Tally"]


class Progress(Protocol):
    def __call__(self, done: int, total: int, stage: str = "") -> None: ...


@dataclass
class Tally:
    """Counts per stage for a job that learns its totals as it goes (the crawl learns each
    date's pages and articles only when it gets there), reported through `progress`."""

    progress: Progress | None = None
    done: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def add(self, stage: str, *, total: int = 0, done: int = 0) -> None:
        self.total[stage] = self.total.get(stage, 0) + total
        self.done[stage] = self.done.get(stage, 0) + done
        if self.progress is not None:
            self.progress(self.done[stage], self.total[stage], stage)
