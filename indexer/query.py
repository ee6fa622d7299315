"""The query language, parsed by hand so that it never raises.

    words and fragments      兰州 新区          (implicit AND)
    OR                       兰州 OR 天水       (also |)
    NOT, leading minus       兰州 NOT 新区, 兰州 -新区
    phrases                  "兰州新区"  “兰州新区”  (exact characters after normalisation)
    field prefixes           标题:/title:  图片:/caption:  作者:/author:  版次:/page:  版名:
    entities                 人物:/person:  地点:/place:  机构:/organization: (a tagged name)
                             (a value may be quoted: 标题:"兰州 新区")
    dates                    日期:2024-01-01..2024-03-31, 日期:2024, 日期:2024-01, open ends
                             (2024.., ..2024-03); also date:
    sort                     排序:最新 / sort:newest, 排序:最早 / sort:oldest

What cannot be read as syntax is searched literally: an unknown prefix (专访:习近平) is text,
an unbalanced quote runs to the end of the query, a lone OR or minus is dropped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

from indexer.analysis import normalize

FIELD_ALIASES = {
    "标题": "title",
    "title": "title",
    "图片": "captions",
    "图说": "captions",
    "caption": "captions",
    "captions": "captions",
    "作者": "author",
    "author": "author",
    "版次": "page",
    "page": "page",
    "版名": "page_name",
    "page_name": "page_name",
    "日期": "date",
    "date": "date",
    "排序": "sort",
    "sort": "sort",
    # Entities tagged at index time (indexer/entities.py): exact names, not fragments.
    "人物": "person",
    "person": "person",
    "地点": "place",
    "place": "place",
    "机构": "organization",
    "organization": "organization",
}
SORT_ALIASES = {
    "最新": "newest",
    "newest": "newest",
    "最早": "oldest",
    "oldest": "oldest",
    "相关": "relevance",
    "相关度": "relevance",
    "relevance": "relevance",
}
MAX_QUERY_CHARS = 1000
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass
class Clause:
    """One fragment or phrase: normalised `text`, in `field` (None: all text fields)."""

    text: str
    field: str | None = None
    quoted: bool = False
    # Set on a name added by indexer/aliases.py: the name typed that it stands for.
    alias_of: str | None = None


@dataclass
class ParsedQuery:
    groups: list[list[Clause]] = field(default_factory=list)  # AND of ORs
    excluded: list[Clause] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    date_from: int | None = None  # YYYYMMDD, inclusive
    date_to: int | None = None
    sort: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for group in self.groups for c in group]

    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


def date_bound(text: str, end: bool) -> int | None:
    """'2024', '2024-01' or '2024-01-31' → YYYYMMDD (first or last day); None if malformed."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else (12 if end else 1)
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = int(m.group(3)) if m.group(3) else (last if end else 1)
    if not 1 <= day <= last:
        return None
    return year * 10000 + month * 100 + day


def _tokens(query: str) -> list[tuple[str, bool]]:
    """Split into (text, quoted) tokens; quotes may close with the same or the other kind.

    A prefix directly followed by a quote ('标题:"x y"') stays one token: '标题:' + quoted.
    """
    out: list[tuple[str, bool]] = []
    i, n = 0, len(query)
    buf = ""
    while i < n:
        ch = query[i]
        if ch in '"“”':
            if ch == '"':
                close = query.find('"', i + 1)
            else:  # a curly quote closes with either curly quote
                close = min(
                    (j for j in (query.find("”", i + 1), query.find("“", i + 1)) if j >= 0),
                    default=-1,
                )
            if close < 0:
                close = n
            if buf and not buf.endswith(":"):
                out.append((buf, False))
                buf = ""
            out.append((buf + "\x00" + query[i + 1 : close], True))
            buf = ""
            i = close + 1
        elif ch.isspace():
            if buf:
                out.append((buf, False))
                buf = ""
            i += 1
        else:
            buf += ch
            i += 1
    if buf:
        out.append((buf, False))
    return out


def parse(query: str) -> ParsedQuery:
    """Parse a user query; never raises."""
    parsed = ParsedQuery()
    if not isinstance(query, str):
        return parsed
    text = normalize(query[:MAX_QUERY_CHARS].replace("\x00", " "))
    if len(query) > MAX_QUERY_CHARS:
        parsed.notes.append(f"只检索了前 {MAX_QUERY_CHARS} 个字符")
    pending_or = False
    negate_next = False
    for token, quoted in _tokens(text):
        prefix, _, value = token.partition("\x00") if quoted else ("", "", token)
        if not quoted:
            if value in ("or", "|"):
                pending_or = bool(parsed.groups)
                continue
            if value in ("not", "-"):
                negate_next = True
                continue
        negated = negate_next
        negate_next = False
        # "-30℃" is a temperature, not NOT 30℃: a minus before a digit stays literal.
        if not quoted and value.startswith("-") and len(value) > 1 and not value[1].isdigit():
            negated, value = True, value[1:]
        field_name = None
        name, colon, rest = (prefix or value).partition(":")
        if colon and name in FIELD_ALIASES:
            field_name = FIELD_ALIASES[name]
            value = value if quoted else rest
        elif quoted and prefix:
            value = prefix.rstrip(":") + ":" + value  # unknown prefix: literal text
        if field_name == "date":
            _apply_dates(parsed, value)
            continue
        if field_name == "sort":
            parsed.sort = SORT_ALIASES.get(value, parsed.sort)
            continue
        if field_name == "page":
            if value.strip():
                parsed.pages.append(value.strip())
            continue
        value = value.strip() if not quoted else value
        if not value:
            continue
        clause = Clause(value, field_name, quoted)
        if negated:
            parsed.excluded.append(clause)
        elif pending_or and parsed.groups:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        pending_or = False
    return parsed


def _apply_dates(parsed: ParsedQuery, value: str) -> None:
    start, dots, end = value.partition("..")
    if not dots:
        end = start
    lo = date_bound(start, end=False) if start else None
    hi = date_bound(end, end=True) if end else None
    if (start and lo is None) or (end and hi is None):
        parsed.notes.append(f"日期“{value}”无法识别，已忽略")
        return
    parsed.date_from = lo if lo is not None else parsed.date_from
    parsed.date_to = hi if hi is not None else parsed.date_to
