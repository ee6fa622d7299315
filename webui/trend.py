"""/trend, /trend.csv and /api/trend: coverage of up to five queries over time, compared.

The counting is the Archive's (indexer/trend.py); this module checks the query string, calls
`Archive.trend` and renders the chart, the CSV or the JSON.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexer.trend import MAX_QUERIES, Trend
from webui.api import bp as api_bp
from webui.db import get_index_archive
from webui.params import BadParameter, date_bounds, iso_date
from webui.tools import csv_cell
from webui.trend_chart import build_trend_chart
from webui.views import bp

TREND_PARAMS = ("q", "norm", "from", "to", "paper")


@dataclass(frozen=True)
class TrendParams:
    queries: tuple[str, ...]
    normalise: bool = False
    date_from: str | None = None
    date_to: str | None = None
    paper: str | None = None

    def url_args(self, **changes: Any) -> dict[str, Any]:
        state: dict[str, Any] = {
            "q": list(self.queries),
            "norm": "1" if self.normalise else None,
            "from": self.date_from,
            "to": self.date_to,
            "paper": self.paper,
        }
        state.update(changes)
        return {k: v for k, v in state.items() if v not in (None, "", [])}


def trend_params(args: MultiDict[str, str], require: bool) -> TrendParams:
    """The checked query string; `require`: at least one q (the page may show an empty form)."""
    for name in args:
        if name not in TREND_PARAMS:
            raise BadParameter(name, f"未知参数 “{name}”。可用的参数：{', '.join(TREND_PARAMS)}")
        if name != "q" and len(args.getlist(name)) > 1:
            raise BadParameter(name, f"参数 “{name}” 出现了不止一次")
    limit = current_app.config["MAX_QUERY_LENGTH"]
    queries = []
    for raw in args.getlist("q"):
        if len(raw) > limit:
            raise BadParameter("q", f"参数 q 太长：{len(raw)} 个字符，最多 {limit} 个")
        if any(ord(c) < 32 and c not in "\t\n\r" or c == "\x7f" for c in raw):
            raise BadParameter("q", "参数 q 含有控制字符")
        if raw.strip() and raw.strip() not in queries:
            queries.append(raw.strip())
    if len(queries) > MAX_QUERIES:
        raise BadParameter("q", f"最多对比 {MAX_QUERIES} 个检索词，收到 {len(queries)} 个")
    if require and not queries:
        raise BadParameter("q", "请给出至少一个检索词 q（可重复：?q=口罩&q=疫苗）")
    norm = args.get("norm", "").strip()
    if norm not in ("", "0", "1"):
        raise BadParameter("norm", f"参数 norm 只能是 0 或 1，收到 “{norm[:20]}”")
    date_from, date_to = iso_date(args, "from"), iso_date(args, "to")
    if date_from and date_to and date_bounds(date_from)[0] > date_bounds(date_to)[1]:
        raise BadParameter("from", f"起始日期 {date_from} 晚于结束日期 {date_to}")
    paper = args.get("paper", "").strip()[:60] or None
    return TrendParams(tuple(queries), norm == "1", date_from, date_to, paper)


def run_trend(params: TrendParams) -> Trend:
    try:
        return get_index_archive().trend(
            list(params.queries), params.normalise, params.date_from, params.date_to, params.paper
        )
    except ValueError as exc:
        raise BadParameter("q", f"无法计算这个对比：{exc}") from exc


@bp.get("/trend")
def trend_page() -> str:
    params = trend_params(request.args, require=False)
    trend = run_trend(params) if params.queries else None
    chart = build_trend_chart(trend) if trend else None
    slots = list(params.queries) + [""] * (MAX_QUERIES - len(params.queries))
    return render_template(
        "trend.html",
        params=params,
        trend=trend,
        chart=chart,
        slots=slots,
        csv_url=url_for("site.trend_csv", **params.url_args()) if trend else None,
        api_url=url_for("api.trend", **params.url_args()) if trend else None,
        norm_url=url_for(
            "site.trend_page", **params.url_args(norm=None if params.normalise else "1")
        ),
        search_urls={q: url_for("site.search", q=q) for q in params.queries},
    )


@bp.get("/trend.csv")
def trend_csv() -> Response:
    params = trend_params(request.args, require=True)
    trend = run_trend(params)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Chinese correctly only with a BOM
    writer = csv.writer(buffer)
    value_kind = "share" if trend.normalised else "count"
    header = ["period", "published"]
    for s in trend.series:
        header += [csv_cell(s.query)] + (
            [csv_cell(f"{s.query} ({value_kind})")] if trend.normalised else []
        )
    writer.writerow(header)
    for i, period in enumerate(trend.periods):
        row: list[Any] = [period, trend.published[i]]
        for s in trend.series:
            row.append(s.counts[i])
            if trend.normalised:
                row.append(s.values[i])
        writer.writerow(row)
    name = "baoku-trend-" + "-".join(params.queries)[:50] + ".csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=\"baoku-trend.csv\"; filename*=UTF-8''{quote(name)}"
        },
    )


@api_bp.get("/trend")
def trend() -> Response:
    params = trend_params(request.args, require=True)
    return jsonify(run_trend(params).to_dict())
