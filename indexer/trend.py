"""Coverage over time, compared: matching articles per month (or per year) for a few queries.

Each query runs through the Archive's own search (limit 0, no snippets), so a trend counts
exactly what the search page would say it found; its month facet is the series. The periods
run from the first to the last one with a match in any series, empty periods kept, so gaps
show. Over more than five years months are too thin to read and the series are per year.

Normalised, a period's value is the share of the articles published then (all of the
archive's articles in that period, under the same paper and date filters) that match: a
bigger paper or a fuller month does not look like more coverage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.results import SearchResult

MAX_QUERIES = 5
MONTHS_BEFORE_YEARS = 60  # spans of more than five years are drawn per year


@dataclass
class TrendSeries:
    """One query's counts per period (`values`: counts, or shares when normalised)."""

    query: str
    total: int
    counts: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)


@dataclass
class Trend:
    """Several series over the same periods (YYYY-MM, or YYYY when `unit` is "year");
    `published` is the archive's article count per period (the normaliser)."""

    unit: str
    periods: list[str]
    series: list[TrendSeries]
    published: list[int]
    normalised: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Searcher = Callable[[str], SearchResult]


def check_queries(queries: Iterable[str]) -> list[str]:
    """The non-empty queries, in order, without repeats; ValueError for none or too many."""
    kept = list(dict.fromkeys(q.strip() for q in queries if q and q.strip()))
    if not kept:
        raise ValueError("give at least one query")
    if len(kept) > MAX_QUERIES:
        raise ValueError(f"at most {MAX_QUERIES} queries can be compared, got {len(kept)}")
    return kept


def build_trend(
    queries: Iterable[str],
    search: Searcher,
    published_by_month: dict[str, int],
    normalise: bool = False,
) -> Trend:
    """The trend of `queries`: `search(q)` gives each query's result (its month facet is the
    series); `published_by_month` (YYYY-MM → articles) is what a normalised value divides by."""
    checked = check_queries(queries)
    monthly = {q: search(q) for q in checked}
    months = sorted({m for r in monthly.values() for m, n in r.facets.month.items() if n})
    periods = _month_span(months[0], months[-1]) if months else []
    unit = "month"
    if len(periods) > MONTHS_BEFORE_YEARS:
        unit = "year"
        periods = [str(y) for y in range(int(months[0][:4]), int(months[-1][:4]) + 1)]
    published = _per_period(published_by_month, periods, unit)
    series = []
    for query, result in monthly.items():
        counts = _per_period(result.facets.month, periods, unit)
        values = (
            [round(c / p, 6) if p else 0.0 for c, p in zip(counts, published, strict=True)]
            if normalise
            else [float(c) for c in counts]
        )
        series.append(TrendSeries(query, result.total, counts, values))
    return Trend(unit, periods, series, published, normalise)


def _month_span(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _per_period(by_month: dict[str, int], periods: list[str], unit: str) -> list[int]:
    totals = dict.fromkeys(periods, 0)
    for month, count in by_month.items():
        key = month[:4] if unit == "year" else month[:7]
        if key in totals:
            totals[key] += int(count)
    return [totals[p] for p in periods]
