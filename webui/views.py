"""The human-facing pages: search, article, browse, embed (the tools are in webui/tools.py)."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape

from indexer.results import Hit, ParsedInfo, SearchResult
from webui.chart import build_month_chart
from webui.db import IndexUnavailable, get_archive, get_index_archive, load_article, run_search
from webui.entity_facets import entity_facet_groups
from webui.params import (
    SORT_LABELS,
    BadParameter,
    SearchParams,
    date_bounds,
    iso_date,
    reject_unknown,
    request_params,
    text,
)

bp = Blueprint("site", __name__)

SEARCH_PARAMS = ("q", "from", "to", "page", "paper", "sort", "p")


# --- searching -----------------------------------------------------------------------------


def html_params() -> SearchParams:
    cfg = current_app.config
    return request_params(
        SEARCH_PARAMS,
        cfg["PER_PAGE"],
        cfg["PER_PAGE"],
        per_page=cfg["PER_PAGE"],
        max_page_number=cfg["MAX_PAGE_NUMBER"],
    )


@bp.get("/")
@bp.get("/search")
def search() -> str:
    params = html_params()
    if not params.q and not params.filtered:
        # Nothing asked: the home page. Filters alone list what they let through.
        return render_template(
            "home.html", params=params, overview=archive_overview(), examples=home_examples()
        )
    result = run_search(params)
    return render_template("search.html", **results_context(params, result))


def home_examples() -> list[str]:
    """Example queries drawn from this archive by the Archive (each finds something)."""
    try:
        return get_index_archive().example_queries(limit=5)
    except IndexUnavailable:
        return []


def archive_overview() -> dict[str, Any] | None:
    """What the archive holds, for the home page: totals, span, newest issues, articles a month."""
    try:
        archive = get_index_archive()
        issues, articles = archive.issues(), archive.count()
    except IndexUnavailable:
        return None  # the home page still works; searching will explain
    if not issues:
        return None
    per_month: dict[str, int] = {}
    for ref in issues:
        per_month[ref.date[:7]] = per_month.get(ref.date[:7], 0) + ref.articles
    return {
        "articles": articles,
        "issues": len(issues),
        "first": min(ref.date for ref in issues),
        "last": max(ref.date for ref in issues),
        "newest": issues[:6],
        "chart": build_month_chart(per_month, lambda m: url_for("site.browse") + f"#m-{m}"),
    }


@bp.get("/embed")
def embed() -> str:
    params = html_params()
    result = run_search(params) if params.q or params.filtered else None
    context = results_context(params, result) if result else {"params": params, "result": None}
    return render_template("embed.html", **context)


def results_context(params: SearchParams, result: SearchResult) -> dict[str, Any]:
    cfg = current_app.config
    endpoint = request.endpoint or "site.search"
    total = result.total
    listed = total + result.total_near  # near matches are listed after the exact ones
    page_count = min(math.ceil(listed / cfg["PER_PAGE"]), cfg["MAX_PAGE_NUMBER"]) if listed else 0
    number = params.offset // cfg["PER_PAGE"] + 1

    def link(**changes: Any) -> str:
        changes.setdefault("p", None)  # any change of filters starts again at page 1
        return url_for(endpoint, **params.url_args(**changes))

    facets = result.facets.to_dict()
    return {
        "params": params,
        "result": result,
        "hits": result.hits,
        "total": total,
        "number": number,
        "page_count": page_count,
        "page_links": page_window(number, page_count, link),
        "last_page_url": link(p=page_count if page_count > 1 else None),
        "sort_links": sort_links(params, result, link),
        "facets": facet_groups(facets, params, link) + entity_facet_groups(facets, params, link),
        "chart": build_month_chart(result.facets.month, lambda m: link(**date_range(m))),
        "active_filters": active_filters(params, link),
        "filter_summary": filter_summary(params),
        "parsed": describe_parsed(result.parsed, params, endpoint),
        "suggestions": broader_queries(params, endpoint) if total == 0 else [],
        "feed_url": url_for("site.feed", **params.url_args(sort=None)),
        "export_url": url_for("site.export_csv", **params.url_args()),
    }


def sort_links(params: SearchParams, result: SearchResult, link: Any) -> list[tuple]:
    """(label, href, current) per order. The archive says which order the hits are in; a
    search without words (filters only) has no relevance order, so none is offered."""
    current = result.sort or params.sort
    words = bool(result.parsed.terms)
    return [
        (label, link(sort=None if key == "relevance" else key), key == current)
        for key, label in SORT_LABELS.items()
        if words or key != "relevance"
    ]


def page_window(number: int, count: int, link: Any) -> list[tuple[str, str | None, bool]]:
    """Pagination as (label, href, current): first, last, and two pages either side of this one."""
    if count <= 1:
        return []
    shown = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
    items: list[tuple[str, str | None, bool]] = []
    if number > 1:
        items.append(("上一页", link(p=number - 1 if number > 2 else None), False))
    previous = 0
    for n in shown:
        if n - previous > 1:
            items.append(("…", None, False))
        items.append((str(n), link(p=n if n > 1 else None), n == number))
        previous = n
    if number < count:
        items.append(("下一页", link(p=number + 1), False))
    return items


def date_range(value: str) -> dict[str, str]:
    """The from/to filters covering a year or month facet value (2019, 2019-10); {} if it is
    not one."""
    try:
        first, last = date_bounds(value)
    except (ValueError, OverflowError):
        return {}
    return {"from": first.isoformat(), "to": last.isoformat()}


def facet_groups(
    facets: dict[str, dict[str, int]], params: SearchParams, link: Any
) -> list[dict[str, Any]]:
    """Facets as clickable filters; a chosen value links back to the results without it."""
    specs = [  # (facet, label, the filters one value sets); the Archive gives display order
        ("year", "年份", date_range),
        ("month", "月份", date_range),
        ("page", "版次", lambda v: {"page": v}),
        ("paper", "报纸", lambda v: {"paper": v}),
    ]
    current = params.url_args()
    groups = []
    for name, label, choose in specs:
        entries = []
        for value, count in facets[name].items():
            chosen = choose(str(value))
            # Active when every filter this value sets is the one in force now.
            active = bool(chosen) and all(current.get(k) == v for k, v in chosen.items())
            href = link(**(dict.fromkeys(chosen, None) if active else chosen))
            entries.append({"value": str(value), "count": count, "active": active, "href": href})
        if entries:
            groups.append({"name": name, "label": label, "entries": entries})
    return groups


def filter_summary(params: SearchParams) -> str:
    """The filters in words (第1版 · 2020-01-01 至 2020-01-31), for a search without words."""
    parts = []
    if params.paper:
        parts.append(params.paper)
    if params.page:
        parts.append(f"第{page_label(params.page)}版")
    if params.date_from or params.date_to:
        parts.append(f"{params.date_from or '…'} 至 {params.date_to or '…'}")
    return " · ".join(parts)


def active_filters(params: SearchParams, link: Any) -> list[tuple[str, str]]:
    """The filters in force as (label, href that removes it)."""
    out = []
    if params.date_from or params.date_to:
        span = f"{params.date_from or '…'} 至 {params.date_to or '…'}"
        out.append((f"日期：{span}", link(**{"from": None, "to": None})))
    if params.page:
        out.append((f"版次：第{page_label(params.page)}版", link(page=None)))
    if params.paper:
        out.append((f"报纸：{params.paper}", link(paper=None)))
    return out


def describe_parsed(parsed: ParsedInfo, params: SearchParams, endpoint: str) -> dict[str, Any]:
    """The archive's reading of the query: its terms, what it excludes, a suggestion (with a
    link to the query it proposes, keeping the filters), notes."""
    proposed = parsed.suggestion_query
    return {
        "terms": parsed.terms,
        "excluded": parsed.excluded,
        "suggestion": parsed.suggestion or None,
        "suggestion_url": (
            url_for(endpoint, **params.url_args(q=proposed, p=None)) if proposed else None
        ),
        "notes": parsed.notes,
    }


def broader_queries(params: SearchParams, endpoint: str) -> list[tuple[str, str]]:
    """For an empty result: the same query without filters, without quotes, or word by word."""
    out: list[tuple[str, str]] = []
    if params.filtered:
        out.append(("去掉所有筛选条件", url_for(endpoint, **params.without_filters().url_args())))
    unquoted = re.sub(r"[\"“”]", " ", params.q).strip()
    if unquoted and unquoted != params.q:
        out.append((f"不加引号：{unquoted}", url_for(endpoint, **params.url_args(q=unquoted))))
    words = unquoted.split()
    if len(words) > 1:
        for word in words[:4]:
            out.append((f"只搜：{word}", url_for(endpoint, **params.url_args(q=word))))
    return out


def page_label(page: str | None) -> str:
    """版次 "07" prints as 第7版."""
    if not page:
        return ""
    return str(int(page)) if page.isdigit() else page


# --- articles ------------------------------------------------------------------------------


def citation(article: Any) -> str:
    """《报名》2025年1月22日第7版《标题》, as a newsroom cites a printed article."""
    parts = [f"《{article.paper}》" if article.paper else ""]
    try:
        day = datetime.strptime(article.date, "%Y-%m-%d")
        parts.append(f"{day.year}年{day.month}月{day.day}日")
    except (TypeError, ValueError):
        parts.append(article.date or "")
    if article.page:
        parts.append(f"第{page_label(article.page)}版")
    parts.append(f"《{article.title}》")
    return "".join(parts)


def safe_url(url: str) -> str | None:
    """Only http(s) links from the data reach an href: a javascript: URL must never be clickable."""
    return url if re.match(r"^https?://", url or "", re.I) else None


def highlighter(query: str, item: Any) -> Any:
    """text → escaped Markup with the query's matches in <mark>, by the Archive's own analysis."""
    if not query:
        return escape
    mark = get_archive().article_highlighter(query, item)

    def highlight(value: str) -> Markup:
        # Archive highlighting returns its input HTML-escaped with only <mark> added: safe by contract.
        return Markup(mark(value)) if value else Markup("")

    return highlight


def related_articles(article_id: str) -> list[Hit]:
    return get_archive().more_like_this(article_id, limit=current_app.config["RELATED_COUNT"])


@bp.get("/article/<article_id>")
def article(article_id: str) -> str:
    reject_unknown(request.args, ("q",))
    query = text(request.args, "q", current_app.config["MAX_QUERY_LENGTH"])
    item = load_article(article_id)
    return render_template(
        "article.html",
        article=item,
        q=query,
        h=highlighter(query, item),
        citation=citation(item),
        original_url=safe_url(item.url),
        caption_links=[safe_url(c.src) for c in item.captions],
        related=related_articles(item.id),
        page_view=_page_view(item.id),
    )


def _page_view(article_id: str) -> dict[str, Any] | None:
    from webui.pages import article_page_view  # webui/pages.py adds its routes to this bp

    return article_page_view(article_id)


# --- browsing ------------------------------------------------------------------------------


@bp.get("/browse")
def browse() -> str:
    reject_unknown(request.args, ("date", "paper"))
    day = iso_date(request.args, "date")
    if day and len(day) != 10:
        raise BadParameter("date", f"参数 date 应为一天（YYYY-MM-DD），收到 “{day}”")
    paper = text(request.args, "paper", 60) or None
    archive = get_index_archive()
    issues = archive.issues(paper=paper)
    if not day:
        return render_template("browse.html", months=issues_by_month(issues), paper=paper)
    papers = [ref.paper for ref in issues if ref.date == day]
    issue_pages = [(name, archive.issue(name, day)) for name in papers]
    from webui.pages import issue_page_views

    page_views = {name: issue_page_views(name, day) for name in papers}
    return render_template(
        "browse_issue.html", day=day, paper=paper, issues=issue_pages, page_views=page_views
    )


def issues_by_month(issues: list[Any]) -> list[tuple[str, list[Any]]]:
    """Issues (newest first, as the archive lists them) grouped under their month."""
    months: dict[str, list[Any]] = {}
    for ref in issues:
        months.setdefault(ref.date[:7], []).append(ref)
    return list(months.items())
