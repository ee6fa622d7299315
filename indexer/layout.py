"""Read an e-paper's layout pages (版面): the issue's page list, each page's articles, links to
other dates, and where a front page redirects to. Used by indexer.crawl."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from indexer.urls import url_date

__all__ = ["Layout", "find_redirect", "is_layout", "layout_truncation", "parse_layout", "strip_url"]

_LAYOUT_NAME = re.compile(r"^(?:node_\d+\.html?|nbs\.[\w.]+\.html?|page_?\d+\w*\.html?)$", re.I)
_CONTENT_NAME = re.compile(r"^(?:content_\d+(?:_\d+)?\.html?|nw\.[\w.]+\.html?)$", re.I)
_NOT_ARTICLE = re.compile(r"\.(?:pdf|jpe?g|png|gif|tif|bmp|css|js)(?:\.\d+)?$", re.I)
_PAGE_LABEL = re.compile(r"第?\s*([A-Za-z]?\d{1,3})\s*版\s*[：:]?\s*(.*)")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_META_REFRESH = re.compile(
    r"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*;?\s*url\s*=\s*([^"'>\s]+)""",
    re.I,
)
_META_REFRESH_REV = re.compile(
    r"""<meta[^>]+content\s*=\s*["']?\s*\d*\s*;?\s*url\s*=\s*([^"'>\s]+)["']?[^>]*http-equiv\s*=\s*["']?refresh""",
    re.I,
)
_JS_REDIRECT = re.compile(
    r"""(?:window\.|document\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']|location\.replace\(\s*["']([^"']+)["']""",
    re.I,
)


def strip_url(url: str) -> str:
    """The page itself: no fragment, no query (?div=0 and ?div=-1 are the same article page)."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _name(url: str) -> str:
    return posixpath.basename(urlsplit(url).path)


def _clean_label(text: str) -> str:
    return _CJK_GAP.sub("", " ".join(text.replace("\xa0", " ").split()))


@dataclass
class Layout:
    url: str
    page: str = ""  # 版次 as printed
    page_name: str = ""  # 版名
    pages: list[str] = field(default_factory=list)  # the issue's layout pages, in order
    articles: list[str] = field(default_factory=list)  # article page URLs, in order
    other_dates: dict[date, str] = field(default_factory=dict)  # date → a layout page URL


def parse_layout(text: str, url: str) -> Layout:
    """Pages, articles and links to other dates on one layout page."""
    soup = BeautifulSoup(text, "lxml")
    here = strip_url(url)
    here_dir = posixpath.dirname(urlsplit(here).path)
    here_date = url_date(here)
    layout = Layout(url=here)
    labelled: list[str] = []
    unlabelled: list[str] = []
    for tag in soup.find_all(["a", "area"], href=True):
        href = tag["href"].strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        target = strip_url(urljoin(url, href))
        if urlsplit(target).netloc != urlsplit(here).netloc:
            continue
        name = _name(target)
        target_dir = posixpath.dirname(urlsplit(target).path)
        target_date = url_date(target)
        if _LAYOUT_NAME.match(name):
            if target_dir == here_dir:
                label = tag.get_text(" ", strip=True)
                # The page list (第01版：要闻) gives the order; "下一版" and the like do not.
                listed = labelled if _PAGE_LABEL.match(_clean_label(label)) else unlabelled
                if target not in listed:
                    listed.append(target)
                if target == here:
                    _set_label(layout, label)
            elif _is_other_issue(here_date, target_date):
                layout.other_dates.setdefault(target_date[0], target)
            continue
        in_map = tag.name == "area" or tag.find_parent("map") is not None
        if _CONTENT_NAME.match(name) or (in_map and not _NOT_ARTICLE.search(name)):
            # An article of another day linked from this page ("related") is not this issue's.
            if here_date and target_date and target_date[0] != here_date[0]:
                continue
            if target not in layout.articles:
                layout.articles.append(target)
    layout.pages = labelled + [u for u in unlabelled if u not in labelled]
    if here not in layout.pages:
        layout.pages.insert(0, here)
    if not layout.page:
        _label_from_text(layout, soup)
    return layout


def _is_other_issue(here: tuple[date, str] | None, there: tuple[date, str] | None) -> bool:
    """A layout page of another date in the same edition (not the 手机版 /pad/ of today)."""
    if there is None:
        return False
    if here is None:
        return True
    same_shape = here[1].split("\x00")[0] == there[1].split("\x00")[0]
    return same_shape and here[0] != there[0]


def _set_label(layout: Layout, text: str) -> None:
    match = _PAGE_LABEL.search(_clean_label(text))
    if match and not layout.page:
        layout.page = match[1].zfill(2) if match[1].isdigit() else match[1]
        layout.page_name = match[2].strip()


def _label_from_text(layout: Layout, soup: BeautifulSoup) -> None:
    """Fallback: the first "第01版：要闻" printed anywhere on the page."""
    for string in soup.find_all(string=re.compile(r"\d\s*版")):
        if string.find_parent(["script", "style"]) is not None:
            continue
        parent = string.parent
        text = parent.get_text(" ", strip=True) if parent is not None else str(string)
        before = len(layout.page)
        _set_label(layout, text)
        if len(layout.page) != before:
            return


def layout_truncation(text: str) -> str | None:
    """Why a downloaded page looks cut off, or None."""
    low = text.lower().rstrip()
    if low.rfind("<") > low.rfind(">"):
        return "the page ends inside a tag"
    for tag in ("html", "body"):
        if re.search(rf"<{tag}[\s>]", low) and f"</{tag}>" not in low:
            return f"the page ends before </{tag}>"
    return None


def is_layout(layout: Layout) -> bool:
    return bool(layout.articles) or len(layout.pages) > 1


def find_redirect(text: str, url: str) -> str | None:
    """Where a front page sends the reader: meta refresh, else a scripted location change."""
    head = text[:20000]
    for regex in (_META_REFRESH, _META_REFRESH_REV):
        match = regex.search(head)
        if match:
            return urljoin(url, match[1].strip("'\""))
    match = _JS_REDIRECT.search(head)
    if match:
        return urljoin(url, match[1] or match[2])
    return None
