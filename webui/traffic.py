"""The site under real traffic: rate limits, HTTP caching and limits on requests and queries.

- **Rate limits** per client (Flask-Limiter, in-process storage unless RATELIMIT_STORAGE_URI
  names a shared one such as redis://): RATELIMIT_API for /api/*, RATELIMIT_EXPORT for
  /export.csv, RATELIMIT_FEED for /feed.atom. Over a limit: 429, a Chinese message and
  Retry-After. The client is request.remote_addr, which ProxyFix (PROXY_HOPS) has already
  taken from X-Forwarded-For when the site runs behind a reverse proxy. A 304 does not count
  (it is answered before the view). With in-process
  storage each gunicorn worker counts alone, so a client gets up to workers × the limit.
- **HTTP caching** of search pages, feeds, export and the API: a weak ETag and Last-Modified
  from `Archive.index_version()` (a rebuild or an update changes both), Cache-Control public
  with CACHE_MAX_AGE, so a reverse proxy may keep them. A conditional request whose
  validators still hold is answered 304 before any search runs.
- **Limits**: MAX_CONTENT_LENGTH for request bodies (413; the site only answers GET), and
  MAX_QUERY_STRING characters of query string (414). The work of one search is held to
  MAX_OR_BRANCHES and QUERY_TIME_MS by indexer/budget.py; over them, a 400 that says which.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, abort, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from indexer.budget import QueryBudget, limits

CACHEABLE_ENDPOINTS = {
    "site.search",
    "site.feed",
    "site.export_csv",
    "api.search",
    "api.article",
}
# endpoint prefix or name → (config key with its limit, the scope its clients share)
LIMITED = {
    "api.": ("RATELIMIT_API", "api"),
    "site.export_csv": ("RATELIMIT_EXPORT", "export"),
    "site.feed": ("RATELIMIT_FEED", "feed"),
}
_FALSE = {"0", "false", "no", "off", ""}
LIMITER_KEY = "baoku.limiter"


def init_app(app: Flask) -> None:
    """Hook the rate limits, the validators and the request limits into the app; call it after
    the blueprints are registered (the limits wrap their views)."""
    cfg = app.config
    if isinstance(cfg["RATELIMIT_ENABLED"], str):
        cfg["RATELIMIT_ENABLED"] = cfg["RATELIMIT_ENABLED"].strip().lower() not in _FALSE
    # X-RateLimit-* on every answer would be cached and shared by a proxy: Retry-After on 429 only.
    cfg.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter = Limiter(get_remote_address, app=app)
    app.extensions[LIMITER_KEY] = limiter
    for endpoint, view in list(app.view_functions.items()):
        for prefix, (key, scope) in LIMITED.items():
            if endpoint == prefix or (prefix.endswith(".") and endpoint.startswith(prefix)):
                limit = limiter.shared_limit(_configured(key), scope=scope)
                app.view_functions[endpoint] = limit(view)
                break
    app.before_request(check_request_size)
    app.before_request(answer_conditional)
    app.after_request(add_validators)
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def _configured(key: str):
    return lambda: current_app.config[key]


# --- request limits ----------------------------------------------------------------------------


def check_request_size() -> None:
    cfg = current_app.config
    limit = cfg.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        abort(413, description=f"请求内容超过上限 {limit} 字节。本站只接受 GET 请求。")
    if len(request.query_string) > cfg["MAX_QUERY_STRING"]:
        abort(
            414,
            description=f"网址的查询部分超过上限 {cfg['MAX_QUERY_STRING']} 个字符，请缩短检索式。",
        )


@contextmanager
def query_budget() -> Iterator[None]:
    """The configured limits on the work of one search (indexer/budget.py)."""
    cfg = current_app.config
    budget = QueryBudget(
        max_or_branches=_positive_or_none(cfg["MAX_OR_BRANCHES"], int),
        time_ms=_positive_or_none(cfg["QUERY_TIME_MS"], float),
    )
    with limits(budget):
        yield


def _positive_or_none(value, kind: type[int] | type[float]):
    number = kind(value)
    return number if number > 0 else None


# --- rate limits -------------------------------------------------------------------------------


def too_many_requests(exc: RateLimitExceeded):
    from webui.errors import error_response

    limiter: Limiter = current_app.extensions[LIMITER_KEY]
    current = limiter.current_limit
    wait = max(1, round(current.reset_at - time.time())) if current else 60
    message = f"请求过于频繁（上限 {exc.description}），请 {wait} 秒后再试。"
    body, status = error_response(429, message)
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(wait)
    return response


# --- HTTP caching ------------------------------------------------------------------------------


def _validators() -> tuple[str, float] | None:
    """(ETag value, Last-Modified) of the index searches read now; None when there is none."""
    if request.endpoint not in CACHEABLE_ENDPOINTS or request.method not in ("GET", "HEAD"):
        return None
    from webui.db import get_archive

    try:
        version = get_archive().index_version()
    except Exception:  # noqa: BLE001 - no usable index: the view answers with its own error
        return None
    if version is None:
        return None
    tag = hashlib.sha1(version.tag.encode("utf-8")).hexdigest()[:20]
    return tag, version.modified


def answer_conditional() -> Response | None:
    """A 304 for a conditional request whose ETag or date still holds, before any search."""
    validators = _validators()
    g.baoku_validators = validators
    if validators is None or not (request.if_none_match or request.if_modified_since):
        return None
    response = Response(status=200)
    _set_validators(response, validators)
    response.make_conditional(request)
    return response if response.status_code == 304 else None


def add_validators(response: Response) -> Response:
    validators = getattr(g, "baoku_validators", None)
    if validators is not None and response.status_code in (200, 304):
        _set_validators(response, validators)
    return response


def _set_validators(response: Response, validators: tuple[str, float]) -> None:
    tag, modified = validators
    response.set_etag(tag, weak=True)  # weak: a proxy may compress the body
    response.last_modified = int(modified)
    age = int(current_app.config["CACHE_MAX_AGE"])
    response.cache_control.public = True
    response.cache_control.max_age = age
