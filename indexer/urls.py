"""The issue date printed in an e-paper URL's path, for the crawler and the cleaner alike.

E-paper systems put the date into their paths in a few fixed forms: html/2023-02/10/ (classic
Founder), pc/layout/202302/11/ (the "pc" systems), 2023-02-10/, 2023/02/10/ and
nw.D110000renmrb_20191001_… (old 人民日报). One table of them, tried in that order.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit, urlunsplit

__all__ = ["DATE_FORMS", "date_in_path", "fill_pattern", "url_date"]

# (pattern, how to print a date into it)
DATE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})/(\d{2})(?!\d)"), "%Y-%m/%d"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})/(\d{2})(?!\d)"), "%Y%m/%d"),
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), "%Y-%m-%d"),
    (re.compile(r"(?<!\d)(\d{4})/(\d{2})/(\d{2})(?!\d)"), "%Y/%m/%d"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"), "%Y%m%d"),
)


def date_in_path(path: str) -> tuple[date, re.Match[str], str] | None:
    """The first real date in a URL path, the match that printed it, and its strftime form."""
    for regex, form in DATE_FORMS:
        for match in regex.finditer(path):
            try:
                found = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
            return found, match, form
    return None


def url_date(url: str) -> tuple[date, str] | None:
    """The issue date in a URL's path and a pattern with "{date}" where it stood."""
    parts = urlsplit(url)
    found = date_in_path(parts.path)
    if found is None:
        return None
    day, match, form = found
    path = parts.path[: match.start()] + "{date}" + parts.path[match.end() :]
    pattern = urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    return day, pattern.replace("{date}", "\x00" + form + "\x00")


def fill_pattern(pattern: str, day: date) -> str:
    """The URL `url_date` took the pattern from, for another day."""
    head, form, tail = pattern.split("\x00")
    return head + day.strftime(form) + tail
