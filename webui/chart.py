"""The coverage-over-time chart: matching articles per month, as SVG geometry for a template.

Drawn on the server so it needs no script and no chart library; months without matches between
the first and the last are kept as empty bars, so gaps in coverage show as gaps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

_MONTH = re.compile(r"^(\d{4})-?(\d{2})$")

WIDTH = 720
HEIGHT = 140
TOP = 16
BOTTOM = 22  # room for the year labels
LEFT = 4


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: str  # YYYY-MM
    count: int
    href: str


@dataclass
class Chart:
    bars: list[Bar]
    years: list[tuple[float, str]] = field(default_factory=list)  # (x, label)
    peak: int = 0
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM


def month_key(key: str) -> tuple[int, int] | None:
    match = _MONTH.match(str(key))
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year, month) if 1 <= month <= 12 else None


def build_month_chart(counts: Mapping[str, int], href: Callable[[str], str]) -> Chart | None:
    """Bars for every month from the first to the last with matches; None if under two months.

    `href(month)` gives each bar's link (the results narrowed to that month).
    """
    months = {}
    for key, count in counts.items():
        parsed = month_key(key)
        if parsed:
            months[parsed] = months.get(parsed, 0) + int(count)
    if len(months) < 2:
        return None
    first, last = min(months), max(months)
    span = []
    year, month = first
    while (year, month) <= last:
        span.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    peak = max(months.values()) or 1
    slot = (WIDTH - 2 * LEFT) / len(span)
    gap = min(2.0, slot * 0.2)
    plot = HEIGHT - TOP - BOTTOM
    chart = Chart(bars=[], peak=peak)
    for i, (year, month) in enumerate(span):
        count = months.get((year, month), 0)
        height = plot * count / peak
        if count and height < 1.5:
            height = 1.5  # a month with one match must stay visible
        x = LEFT + i * slot
        label = f"{year:04d}-{month:02d}"
        chart.bars.append(
            Bar(
                round(x + gap / 2, 2),
                round(TOP + plot - height, 2),
                round(slot - gap, 2),
                round(height, 2),
                label,
                count,
                href(label),
            )
        )
        if month == 1 or i == 0:
            chart.years.append((round(x, 2), str(year)))
    return _thin_labels(chart)


def _thin_labels(chart: Chart) -> Chart:
    # Over a decade or more, label every few years so the labels do not overlap.
    min_gap = 40
    kept: list[tuple[float, str]] = []
    for x, label in chart.years:
        if not kept or x - kept[-1][0] >= min_gap:
            kept.append((x, label))
    chart.years = kept
    return chart
