"""/api/*: JSON with the same parameters and shape as `baoku search --json`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from webui.params import HIT_FIELDS, reject_unknown
from webui.views import load_article, request_params, run_search

bp = Blueprint("api", __name__, url_prefix="/api")

API_SEARCH_PARAMS = ("q", "limit", "offset", "from", "to", "page", "paper", "sort", "fields")


@bp.get("/search")
def search() -> Response:
    params = request_params(API_SEARCH_PARAMS, 10, current_app.config["MAX_API_LIMIT"])
    result = run_search(params)
    if params.fields != HIT_FIELDS:
        result["hits"] = [select(hit, params.fields) for hit in result.get("hits", [])]
    return jsonify(result)


def select(hit: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: hit.get(name) for name in names}


@bp.get("/article/<article_id>")
def article(article_id: str) -> Response:
    reject_unknown(request.args, ())
    return jsonify(load_article(article_id).to_dict())
