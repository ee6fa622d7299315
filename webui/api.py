"""/api/*: JSON with the same parameters and shape as `baoku search --json`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from indexer.results import HIT_FIELDS
from webui.db import load_article, run_search
from webui.params import reject_unknown, request_params, with_snippet_chars

bp = Blueprint("api", __name__, url_prefix="/api")

API_SEARCH_PARAMS = ("q", "limit", "offset", "from", "to", "page", "paper", "sort", "fields")
API_SEARCH_PARAMS += ("snippet_chars",)
API_SEARCH_PARAMS += ("collapse",)  # 0: every copy of one text as a hit (indexer/copies.py)


@bp.get("/search")
def search() -> Response:
    params = request_params(API_SEARCH_PARAMS, 10, current_app.config["MAX_API_LIMIT"])
    params = with_snippet_chars(params, request.args)
    body = run_search(params).to_dict()
    if params.fields != HIT_FIELDS:
        body["hits"] = [select(hit, params.fields) for hit in body["hits"]]
    return jsonify(body)


def select(hit: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: hit[name] for name in names}


@bp.get("/article/<article_id>")
def article(article_id: str) -> Response:
    reject_unknown(request.args, ())
    from webui.pages import api_page_fields  # page_image, page_pdf, region when kept

    article = load_article(article_id)
    return jsonify({**article.to_dict(), **api_page_fields(article.id)})
