"""The printed page on the site: the page picture with article outlines, served from the archive.

The outlines are SVG drawn on the server over the kept picture (no script, no inline style, so
the CSP holds); the picture and the PDF come from /media/<file>, which serves only what the
archive's page records name. The newspaper's own host is never asked for anything.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, url_for

from indexer.pages import PageRecord, PageRegion
from webui.db import get_archive
from webui.views import bp


def media_url(source: str | None) -> str | None:
    """/media/<sha>.<ext> for a raw source raw/ab/<sha>.<ext>."""
    return url_for("site.page_media", name=source.rsplit("/", 1)[-1]) if source else None


def points_attr(points: list[list[int]]) -> str:
    return " ".join(f"{x},{y}" for x, y in points)


def page_view(record: PageRecord, current: str | None = None) -> dict[str, Any]:
    """What the templates draw: the picture, its size, and every region as a link."""
    titles = _titles(record.regions)
    regions = [
        {
            "id": r.article_id,
            "href": url_for("site.article", article_id=r.article_id) if r.article_id else None,
            "title": titles.get(r.article_id, ""),
            "points": points_attr(r.points),
            "current": r.article_id == current,
        }
        for r in record.regions
        if r.points
    ]
    return {
        "image": media_url(record.image),
        "pdf": media_url(record.pdf),
        "width": record.width,
        "height": record.height,
        "page": record.page,
        "page_name": record.page_name,
        "regions": regions,
    }


def _titles(regions: list[PageRegion]) -> dict[str, str]:
    archive = get_archive()
    out = {}
    for region in regions:
        if region.article_id:
            article = archive.get(region.article_id)
            out[region.article_id] = (article.title if article else "") or "（无标题）"
    return out


def article_page_view(article_id: str) -> dict[str, Any] | None:
    """The article's page for /article/<id>, or None when no picture of it was kept."""
    found = get_archive().article_page(article_id)
    if found is None:
        return None
    view = page_view(found.record, current=article_id)
    view["others"] = [r for r in view["regions"] if not r["current"] and r["href"]]
    return view


def issue_page_views(paper: str, date: str) -> dict[str, dict[str, Any]]:
    """版次 → the page view of each page of one issue with a kept picture."""
    return {page: page_view(r) for page, r in get_archive().issue_page_images(paper, date).items()}


def api_page_fields(article_id: str) -> dict[str, Any]:
    """page_image, page_pdf and region for /api/article/<id> ({} without a kept picture)."""
    found = get_archive().article_page(article_id)
    if found is None:
        return {}
    return {
        "page_image": url_for(
            "site.page_media", name=found.record.image.rsplit("/", 1)[-1], _external=True
        )
        if found.record.image
        else None,
        "page_pdf": url_for(
            "site.page_media", name=found.record.pdf.rsplit("/", 1)[-1], _external=True
        )
        if found.record.pdf
        else None,
        "region": found.region.points if found.region else None,
    }


@bp.get("/media/<name>")
def page_media(name: str) -> Response:
    found = get_archive().page_media(name)
    if found is None:
        abort(404)
    data, kind = found
    response = Response(data, mimetype=kind)
    # Content-addressed: the bytes under a name never change.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if kind == "application/pdf":
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
