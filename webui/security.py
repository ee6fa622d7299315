"""Security headers, framing rules and CORS.

CORS is done here by hand rather than with flask-cors: the API is read-only (GET/HEAD), so the whole
job is "echo the Origin back when it is exactly one of the configured origins, and say Vary: Origin".
That is a dozen lines with exact string matching, where flask-cors adds a dependency whose origin
matching (regexes, path patterns) has had several security advisories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Response, current_app, request

_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?$"
)

# No inline script or style anywhere: every script and stylesheet is a file under /static.
_CSP_BASE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)

# Pages other than /embed may only be framed by the site itself.
FRAMEABLE_ENDPOINTS = {"site.embed"}


def parse_origins(
    value: str | Iterable[str] | None, name: str, *, allow_any: bool = False
) -> list[str]:
    """ "https://a.example https://b.example" (or a list) → ["https://a.example", …], checked."""
    if not value:
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    origins = []
    for item in items:
        origin = item.strip().rstrip("/")
        if allow_any and origin == "*":
            origins.append(origin)
            continue
        if not _ORIGIN.match(origin):
            raise ValueError(
                f"{name}: {item!r} is not an origin; write scheme://host[:port], e.g. https://news.example"
            )
        origins.append(origin.lower())
    return origins


def frame_ancestors() -> str:
    if request.endpoint in FRAMEABLE_ENDPOINTS:
        allowed = current_app.config["EMBED_ORIGINS"]
        return (
            "frame-ancestors 'self' " + " ".join(allowed) if allowed else "frame-ancestors 'self'"
        )
    return "frame-ancestors 'none'"


def apply_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = f"{_CSP_BASE}; {frame_ancestors()}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint not in FRAMEABLE_ENDPOINTS:
        # For browsers too old for frame-ancestors.
        response.headers["X-Frame-Options"] = "DENY"
    if request.path.startswith("/api/"):
        _apply_cors(response)
    return response


def _apply_cors(response: Response) -> None:
    response.vary.add("Origin")
    origin = request.headers.get("Origin", "")
    allowed = current_app.config["CORS_ORIGINS"]
    if not origin:
        return
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin.lower().rstrip("/") in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
    else:
        return
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Max-Age"] = "600"
