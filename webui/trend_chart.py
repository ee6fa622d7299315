"""The /trend chart: one line per query over the same periods, as SVG geometry for a template.

Drawn on the server like the coverage chart (webui/chart.py): no script, no chart library, no
inline style (series colours are CSS classes s0…s4). Every point carries its count for a
<title> tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.trend import Trend

WIDTH = 720
HEIGHT = 240
TOP = 14
BOTTOM = 24  # room for the period labels
LEFT = 48  # room for the value labels
RIGHT = 30  # half a period label: the last one is centred on the last point
LABEL_GAP = 44  # least distance between two period labels


@dataclass
class Point:
    x: float
    y: float
    period: str
    count: int
    value: float
    tip: str


@dataclass
class Line:
    query: str
    total: int
    css: str
    points: list[Point]
    # Runs of consecutive points: normalised, a period in which the archive holds no article
    # has no share at all (not 0%), so the line breaks there.
    runs: list[list[Point]] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return [" ".join(f"{p.x},{p.y}" for p in run) for run in self.runs if len(run) > 1]


@dataclass
class TrendChart:
    lines: list[Line]
    labels: list[tuple[float, str]] = field(default_factory=list)  # (x, period)
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, value)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT


def build_trend_chart(trend: Trend) -> TrendChart | None:
    """The chart of a trend; None when no query matched anything."""
    if not trend.periods:
        return None
    peak = max((v for s in trend.series for v in s.values), default=0.0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(trend.periods)
    step = plot_w / (count - 1) if count > 1 else 0.0

    def x_of(i: int) -> float:
        return round(LEFT + (i * step if count > 1 else plot_w / 2), 2)

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (1 - value / peak), 2)

    lines = []
    for n, series in enumerate(trend.series):
        line = Line(series.query, series.total, f"s{n}", [])
        run: list[Point] = []
        for i, (period, c, value) in enumerate(
            zip(trend.periods, series.counts, series.values, strict=True)
        ):
            if trend.normalised and not trend.published[i]:
                line.runs.append(run)
                run = []
                continue
            tip = _tip(series.query, period, c, value, trend)
            point = Point(x_of(i), y_of(value), period, c, value, tip)
            line.points.append(point)
            run.append(point)
        line.runs.append(run)
        lines.append(line)
    chart = TrendChart(lines)
    for i, period in enumerate(trend.periods):
        x = x_of(i)
        if not chart.labels or x - chart.labels[-1][0] >= LABEL_GAP:
            chart.labels.append((x, period))
    chart.ticks = [(y_of(peak * f), _value_label(peak * f, trend.normalised)) for f in (0, 0.5, 1)]
    return chart


def _tip(query: str, period: str, count: int, value: float, trend: Trend) -> str:
    tip = f"{query} · {period}：{count} 篇"
    if trend.normalised:
        tip += f"（占当期文章 {value * 100:.2f}%）"
    return tip


def _value_label(value: float, normalised: bool) -> str:
    if normalised:
        return f"{value * 100:.1f}%"
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
