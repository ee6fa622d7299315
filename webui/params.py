"""Request parameters → a checked `SearchParams`, or a `BadParameter` naming the field and reason.

Every route reads its query string through here, so a wrong value is a readable 400, never a 500.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import current_app, request
from werkzeug.datastructures import MultiDict

from indexer.results import HIT_FIELDS, SORTS

SORT_LABELS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
assert tuple(SORT_LABELS) == SORTS, "a label for every sort the archive knows"

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_PAGE = re.compile(r"^[A-Za-z]{0,2}\d{1,3}$")  # 版次 as printed: 01, 7, A05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadParameter(ValueError):
    """A query-string value the site cannot use; `name` is the parameter, the message the reason."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    date_from: str | None = None
    date_to: str | None = None
    page: str | None = None  # 版次 filter
    paper: str | None = None
    sort: str = "relevance"
    limit: int = 10
    offset: int = 0
    fields: tuple[str, ...] = HIT_FIELDS
    snippet_chars: int | None = None  # None: the app's SNIPPET_CHARS
    collapse: bool = True  # False (collapse=0): every copy of one text is a hit of its own

    def archive_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `Archive.search`, leaving out filters that are not set."""
        kwargs: dict[str, Any] = {
            "limit": self.limit,
            "offset": self.offset,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "page": self.page,
            "sort": self.sort,
        }
        if self.paper:
            kwargs["paper"] = self.paper
        if self.snippet_chars is not None:
            kwargs["snippet_chars"] = self.snippet_chars
        if not self.collapse:
            kwargs["collapse"] = False
        return kwargs

    def url_args(self, **changes: Any) -> dict[str, str]:
        """The state as query-string arguments (defaults omitted), with `changes` applied.

        A change to None removes that argument; this is how facet links add and drop filters.
        """
        state = {
            "q": self.q or None,
            "from": self.date_from,
            "to": self.date_to,
            "page": self.page,
            "paper": self.paper,
            "sort": None if self.sort == "relevance" else self.sort,
        }
        state.update(changes)
        return {k: str(v) for k, v in state.items() if v not in (None, "")}

    @property
    def filtered(self) -> bool:
        return bool(self.date_from or self.date_to or self.page or self.paper)

    def without_filters(self) -> SearchParams:
        return replace(self, date_from=None, date_to=None, page=None, paper=None)


def reject_unknown(args: MultiDict[str, str], allowed: tuple[str, ...]) -> None:
    for name in args:
        if name not in allowed:
            raise BadParameter(name, f"未知参数 “{name}”。可用的参数：{', '.join(allowed)}")
        if len(args.getlist(name)) > 1:
            raise BadParameter(name, f"参数 “{name}” 出现了不止一次")


def text(args: MultiDict[str, str], name: str, max_length: int) -> str:
    value = args.get(name, "")
    if len(value) > max_length:
        raise BadParameter(name, f"参数 {name} 太长：{len(value)} 个字符，最多 {max_length} 个")
    if _CONTROL.search(value):
        raise BadParameter(name, f"参数 {name} 含有控制字符")
    return value.strip()


def integer(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "").strip()
    if raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d{1,9}", raw):
        raise BadParameter(name, f"参数 {name} 必须是整数，收到 “{raw[:40]}”")
    value = int(raw)
    if value < low:
        raise BadParameter(name, f"参数 {name} 不能小于 {low}，收到 {value}")
    if value > high:
        raise BadParameter(name, f"参数 {name} 不能大于 {high}，收到 {value}")
    return value


def iso_date(args: MultiDict[str, str], name: str) -> str | None:
    """YYYY-MM-DD, or YYYY-MM or YYYY for a whole month or year (as `baoku search --from`)."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    if not _DATE.match(raw):
        raise BadParameter(
            name, f"参数 {name} 的日期格式应为 YYYY-MM-DD（或 YYYY-MM、YYYY），收到 “{raw[:40]}”"
        )
    try:
        date_bounds(raw)
    except ValueError:
        raise BadParameter(name, f"参数 {name} 不是有效日期：“{raw}”") from None
    return raw


def date_bounds(value: str) -> tuple[date, date]:
    """The first and last day a YYYY, YYYY-MM or YYYY-MM-DD value covers."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        year, month = parts
        first = date(year, month, 1)
        return first, date(year, month, calendar.monthrange(year, month)[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def parse_search(
    args: MultiDict[str, str],
    *,
    allowed: tuple[str, ...],
    max_query_length: int,
    default_limit: int,
    max_limit: int,
    max_offset: int,
    per_page: int | None = None,
    max_page_number: int = 500,
) -> SearchParams:
    """Check a search's query string. With `per_page`, `p` (1-based page number) sets the offset."""
    reject_unknown(args, allowed)
    q = text(args, "q", max_query_length)
    date_from = iso_date(args, "from")
    date_to = iso_date(args, "to")
    if date_from and date_to and date_bounds(date_from)[0] > date_bounds(date_to)[1]:
        raise BadParameter("from", f"起始日期 {date_from} 晚于结束日期 {date_to}")
    page = text(args, "page", 8) or None
    if page and not _PAGE.match(page):
        raise BadParameter("page", f"参数 page（版次）应为数字，如 01 或 7，收到 “{page}”")
    paper = text(args, "paper", 60) or None
    sort = args.get("sort", "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise BadParameter("sort", f"参数 sort 只能是 {' / '.join(SORTS)}，收到 “{sort[:40]}”")
    if per_page is not None:
        number = integer(args, "p", 1, 1, max_page_number)
        limit, offset = per_page, (number - 1) * per_page
    else:
        limit = integer(args, "limit", default_limit, 0, max_limit)
        offset = integer(args, "offset", 0, 0, max_offset)
    fields = _fields(args) if "fields" in allowed else HIT_FIELDS
    collapse = integer(args, "collapse", 1, 0, 1) == 1 if "collapse" in allowed else True
    return SearchParams(
        q, date_from, date_to, page, paper, sort, limit, offset, fields, collapse=collapse
    )


def _fields(args: MultiDict[str, str]) -> tuple[str, ...]:
    raw = args.get("fields", "").strip()
    if not raw:
        return HIT_FIELDS
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    unknown = [n for n in names if n not in HIT_FIELDS]
    if unknown:
        raise BadParameter(
            "fields", f"未知字段 “{', '.join(unknown)}”。可用的字段：{', '.join(HIT_FIELDS)}"
        )
    return names


def with_snippet_chars(params: SearchParams, args: MultiDict[str, str]) -> SearchParams:
    """`params` with the request's snippet_chars, checked against the app's MAX_SNIPPET_CHARS."""
    cfg = current_app.config
    chars = integer(args, "snippet_chars", cfg["SNIPPET_CHARS"], 20, cfg["MAX_SNIPPET_CHARS"])
    return replace(params, snippet_chars=chars)


def request_params(
    allowed: tuple[str, ...], limit: int, max_limit: int, **paging: int
) -> SearchParams:
    """This request's query string checked by `parse_search`, with the app's configured caps
    on query length and offset; `paging` passes `max_offset`, `per_page` or `max_page_number`."""
    cfg = current_app.config
    paging.setdefault("max_offset", cfg["MAX_OFFSET"])
    return parse_search(
        request.args,
        allowed=allowed,
        max_query_length=cfg["MAX_QUERY_LENGTH"],
        default_limit=limit,
        max_limit=max_limit,
        **paging,
    )
