"""The tools beside the search pages: OpenSearch description, Atom feed, CSV export, health.

They are routes of the same "site" blueprint as webui/views.py (so their endpoints stay
site.feed, site.export_csv …).
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from flask import Response, current_app, jsonify, render_template, request, url_for

from indexer.results import SearchResult
from webui.db import IndexUnavailable, get_index_archive, run_search
from webui.params import BadParameter, SearchParams, reject_unknown, request_params
from webui.views import bp, filter_summary, page_label
from webui.warm import warming

FEED_PARAMS = ("q", "from", "to", "page", "paper")
EXPORT_PARAMS = ("q", "from", "to", "page", "paper", "sort", "limit", "offset")
EXPORT_PARAMS += ("collapse",)  # 0: a row for every copy of one text (indexer/copies.py)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    reject_unknown(request.args, ())
    xml = render_template("opensearch.xml")
    return Response(xml, mimetype="application/opensearchdescription+xml")


@bp.get("/feed.atom")
def feed() -> Response:
    cfg = current_app.config
    params = request_params(FEED_PARAMS, cfg["FEED_SIZE"], cfg["FEED_SIZE"], max_offset=0)
    if not params.q and not params.filtered:
        raise BadParameter(
            "q", "请给出检索词 q 或筛选条件（from、to、page、paper）：订阅的是一个检索的最新结果"
        )
    params = replace(params, sort="newest", limit=cfg["FEED_SIZE"], offset=0)
    params = replace(params, snippet_chars=cfg["FEED_SNIPPET_CHARS"])
    result = run_search(params)
    return Response(atom_feed(params, result), mimetype="application/atom+xml")


ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(params: SearchParams, result: SearchResult) -> bytes:
    """Atom 1.0 with ElementTree: the stdlib escapes every text node, so no template can slip."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    name = current_app.config["SITE_NAME"]
    title = f"{name}：{params.q or filter_summary(params) or '最新文章'}"
    _sub(root, "title", title)
    self_url = url_for("site.feed", _external=True, **params.url_args(sort=None))
    _sub(root, "id", self_url)
    _sub(root, "link", href=self_url, rel="self")
    _sub(
        root,
        "link",
        href=url_for("site.search", _external=True, **params.url_args(sort="newest")),
        rel="alternate",
        type="text/html",
    )
    hits = result.hits
    newest = max((h.date for h in hits), default="")
    _sub(
        root,
        "updated",
        _atom_time(newest) if newest else datetime.now(UTC).isoformat(timespec="seconds"),
    )
    _sub(_sub(root, "author"), "name", name)
    for hit in hits:
        entry = _sub(root, "entry")
        href = url_for("site.article", article_id=hit.id, _external=True)
        _sub(entry, "title", hit.title or "（无标题）")
        _sub(entry, "id", href)
        _sub(entry, "link", href=href, rel="alternate", type="text/html")
        _sub(entry, "updated", _atom_time(hit.date))
        page = f"第{page_label(hit.page)}版" if hit.page else ""
        where = " ".join(x for x in (hit.paper, hit.date, page) if x)
        _sub(entry, "summary", f"{where}　{strip_marks(hit.snippet)}".strip())
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _sub(parent: ET.Element, tag: str, text_value: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text_value is not None:
        element.text = text_value
    return element


def _atom_time(day: str) -> str:
    # Articles carry a date only; midnight Beijing time is when that issue appeared.
    try:
        return datetime.strptime(day, "%Y-%m-%d").strftime("%Y-%m-%dT00:00:00+08:00")
    except ValueError:
        return datetime.now(UTC).isoformat(timespec="seconds")


def strip_marks(snippet: str) -> str:
    """A snippet's plain text: drop the <mark> tags and undo the escaping."""
    return html.unescape(re.sub(r"</?mark>", "", snippet))


CSV_COLUMNS = ("id", "date", "paper", "page", "page_name", "title", "score", "snippet", "link")


@bp.get("/export.csv")
def export_csv() -> Response:
    cfg = current_app.config
    params = request_params(
        EXPORT_PARAMS, min(1000, cfg["MAX_EXPORT_ROWS"]), cfg["MAX_EXPORT_ROWS"]
    )
    params = replace(params, snippet_chars=cfg["EXPORT_SNIPPET_CHARS"])
    if not params.q and not params.filtered:
        raise BadParameter(
            "q", "请给出检索词 q 或筛选条件（from、to、page、paper）：导出的是一个检索的结果"
        )
    result = run_search(params)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Chinese correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for hit in result.hits:
        row = {
            **hit.to_dict(),
            "snippet": strip_marks(hit.snippet),
            "link": url_for("site.article", article_id=hit.id, _external=True),
        }
        writer.writerow([csv_cell(row.get(c, "")) for c in CSV_COLUMNS])
    name = f"baoku-{params.q or 'export'}"[:60] + ".csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=\"baoku.csv\"; filename*=UTF-8''{quote(name)}"
        },
    )


def csv_cell(value: Any) -> str:
    """A spreadsheet must not run an article's text as a formula (CSV injection)."""
    cell = "" if value is None else str(value)
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the index is ready and its postings read right (Archive.health), else 503;
    503 too while the worker warms up (webui/warm.py)."""
    reject_unknown(request.args, ())
    if warming(current_app):
        return jsonify({"status": "error", "reason": "warming up", "warming": True}), 503
    try:
        health = get_index_archive().health()
    except IndexUnavailable as exc:
        return jsonify({"status": "error", "reason": str(exc)}), 503
    except Exception as exc:  # the health check reports any failure instead of raising it
        return jsonify({"status": "error", "reason": f"{type(exc).__name__}: {exc}"}), 503
    if not health.ok:
        return jsonify({"status": "error", "reason": health.problem}), 503
    return jsonify({"status": "ok", "articles": health.articles}), 200
