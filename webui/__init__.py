"""The Baoku search site: a Flask app over `indexer.Archive`.

`create_app()` is the factory: `baoku serve` runs it with werkzeug, and production runs it with
`gunicorn 'webui:create_app()'`. Settings come from the `config` dict, else from environment
variables (so gunicorn can be configured without code), else from the defaults below:

| key            | environment variable  | meaning                                                  |
|----------------|-----------------------|----------------------------------------------------------|
| DATA_DIR       | BAOKU_DATA            | the archive's home (its index is DATA_DIR/index)         |
| SOLR_URL       | BAOKU_SOLR_URL        | search the SolrCloud collection `baoku` there instead of DATA_DIR/index |
| EMBED_ORIGINS  | BAOKU_EMBED_ORIGINS   | origins that may frame /embed (CSP frame-ancestors)      |
| CORS_ORIGINS   | BAOKU_CORS_ORIGINS    | origins whose pages may call /api/* from a browser       |
| PROXY_HOPS     | BAOKU_PROXY_HOPS      | reverse proxies in front; trust their X-Forwarded-* headers |
| RATELIMIT_ENABLED | BAOKU_RATELIMIT_ENABLED | 0/false turns the rate limits off (webui/traffic.py) |
| RATELIMIT_API, RATELIMIT_EXPORT, RATELIMIT_FEED | BAOKU_RATELIMIT_API, … | per client, e.g. "120/minute" |
| RATELIMIT_STORAGE_URI | BAOKU_RATELIMIT_STORAGE | where hits are counted: memory:// (per process), redis://… |
| CACHE_MAX_AGE  | BAOKU_CACHE_MAX_AGE   | seconds a browser or proxy may reuse a search page, feed or API answer |
| QUERY_TIME_MS, MAX_OR_BRANCHES | BAOKU_QUERY_TIME_MS, BAOKU_MAX_OR_BRANCHES | the work of one search (0: no limit) |
| WARM           | BAOKU_WARM            | 0 to skip warming the worker at start (webui/warm.py)    |

Origins are space- or comma-separated, e.g. "https://a.example https://b.example".

The app holds no search logic: it validates parameters, calls the Archive and renders.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from indexer.config import resolve_data_dir
from webui.errors import register_error_handlers
from webui.security import apply_security_headers, parse_origins

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "报库",
    "PER_PAGE": 10,  # results per page on the HTML pages
    "MAX_PAGE_NUMBER": 500,  # deep pages cost the index dearly and nobody reads them
    "MAX_API_LIMIT": 100,
    "MAX_OFFSET": 10000,
    "MAX_EXPORT_ROWS": 5000,
    "FEED_SIZE": 30,
    "MAX_QUERY_LENGTH": 500,
    "RELATED_COUNT": 5,
    "EMBED_ORIGINS": [],
    "CORS_ORIGINS": [],
    "PROXY_HOPS": 0,
    "SOLR_URL": None,  # None: the embedded Whoosh index under DATA_DIR
    # webui/traffic.py: rate limits per client, HTTP caching, request and query limits
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_API": "120/minute",
    "RATELIMIT_EXPORT": "10/minute",
    "RATELIMIT_FEED": "30/minute",
    "CACHE_MAX_AGE": 60,
    "MAX_CONTENT_LENGTH": 64 * 1024,  # only GET is answered: a body is never needed
    "MAX_QUERY_STRING": 2048,
    "QUERY_TIME_MS": 3000,
    "MAX_OR_BRANCHES": 32,
    "SNIPPET_CHARS": 160,  # characters of text per hit on the pages (about two lines)
    "MAX_SNIPPET_CHARS": 400,  # the most /api/search?snippet_chars= may ask for
    "FEED_SNIPPET_CHARS": 300,  # the Atom feed's summaries
    "EXPORT_SNIPPET_CHARS": 500,  # the CSV export's snippet column
    "WARM": True,  # warm the worker as it starts (webui/warm.py); never under TESTING
}

_ENV = {
    "DATA_DIR": "BAOKU_DATA",
    "SOLR_URL": "BAOKU_SOLR_URL",
    "EMBED_ORIGINS": "BAOKU_EMBED_ORIGINS",
    "CORS_ORIGINS": "BAOKU_CORS_ORIGINS",
    "PROXY_HOPS": "BAOKU_PROXY_HOPS",
    "RATELIMIT_ENABLED": "BAOKU_RATELIMIT_ENABLED",
    "RATELIMIT_API": "BAOKU_RATELIMIT_API",
    "RATELIMIT_EXPORT": "BAOKU_RATELIMIT_EXPORT",
    "RATELIMIT_FEED": "BAOKU_RATELIMIT_FEED",
    "RATELIMIT_STORAGE_URI": "BAOKU_RATELIMIT_STORAGE",
    "CACHE_MAX_AGE": "BAOKU_CACHE_MAX_AGE",
    "QUERY_TIME_MS": "BAOKU_QUERY_TIME_MS",
    "MAX_OR_BRANCHES": "BAOKU_MAX_OR_BRANCHES",
    "WARM": "BAOKU_WARM",
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the site. `config` wins over the environment, which wins over the defaults.

    `config["ARCHIVE"]` may hold an already opened `indexer.Archive` to share one index between
    apps (the tests do this); otherwise the app opens DATA_DIR's index on first use.
    """
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(_from_environment())
    app.config.update(config or {})
    _normalise_config(app)

    # Imported here so `import webui` stays cheap for the CLI.
    # tools adds the feed, export and health routes; trend /trend, /trend.csv, /api/trend;
    # pages /media/<file> (page pictures and PDFs)
    from webui import db, pages, tools, trend  # noqa: F401
    from webui.api import bp as api_bp
    from webui.views import bp as site_bp
    from webui.views import page_label

    db.init_app(app, app.config.get("ARCHIVE"))
    app.register_blueprint(site_bp)
    app.register_blueprint(api_bp)
    app.after_request(apply_security_headers)
    register_error_handlers(app)
    from webui import logs, traffic

    traffic.init_app(app)
    logs.init_app(app)
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.jinja_env.globals["page_label"] = page_label
    # Chinese stays readable in the JSON, and keys keep the order of `baoku search --json`.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if app.config["WARM"] and not app.testing:
        from webui.warm import start_warming

        start_warming(app)
    return app


def _from_environment() -> dict[str, Any]:
    return {key: os.environ[var] for key, var in _ENV.items() if os.environ.get(var)}


def _normalise_config(app: Flask) -> None:
    app.config["DATA_DIR"] = resolve_data_dir(app.config.get("DATA_DIR"))
    # A typo in an origin would silently lock out the newsroom's site: refuse to start instead.
    app.config["EMBED_ORIGINS"] = parse_origins(app.config["EMBED_ORIGINS"], "EMBED_ORIGINS")
    app.config["CORS_ORIGINS"] = parse_origins(
        app.config["CORS_ORIGINS"], "CORS_ORIGINS", allow_any=True
    )
    app.config["WARM"] = str(app.config["WARM"]).strip().lower() not in ("0", "false", "no", "")
    try:
        app.config["PROXY_HOPS"] = int(app.config["PROXY_HOPS"])
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"PROXY_HOPS must be a whole number, got {app.config['PROXY_HOPS']!r}"
        ) from exc
