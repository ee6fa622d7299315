"""The e-paper metadata layer and the confidence checks that run after every extractor.

- The hidden <!--enpproperty--> of Founder pages fills what the page does not show.
- Every info line on the page (outside the body) gives date, 版次, 版名, 字数 and author.
- 版次 and 版名 are cross-checked between the extractor's reading, the info lines, the
  <title>, the URL and the enp properties: when they disagree the field is left empty and
  the contradiction reported, never a guess between them.
- A 引题, 副题 or byline that is in fact an info line, the title again, or chrome is emptied
  (and what an info line says is kept for the fields it names).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from indexer.clean.body import _is_byline
from indexer.clean.headline import byline_under_title
from indexer.clean.infoline import (
    InfoLine,
    pad_page,
    parse_date,
    parse_info_line,
    parse_page,
    parse_page_name,
    parse_word_count,
)
from indexer.clean.page import Fields, Page, _is_chrome
from indexer.clean.text import (
    _CHROME_ANY,
    _CHROME_TEXT,
    _LEADING_DASH,
    _NOT_PAPER,
    _PAPER_NAME,
    _date_from_url,
    _squeeze,
    norm,
)
from indexer.profiles import PAPER_BY_HOST

log = logging.getLogger(__name__)

_URL_PAGE = re.compile(
    r"[?&](?:page|banci|bc|pageno|ban)=([A-Za-z]?\d{1,3})(?:&|$)"
    r"|/(?:page|bm|banmian|ban|banci)[_-]?([A-Za-z]?\d{1,3})(?:/|\.html?$|_)",
    re.I,
)
_HEADLINES = ("kicker", "title", "subtitle")
_FIELD_ZH = {"kicker": "引题", "title": "标题", "subtitle": "副题", "author": "byline"}


def fill_from_enpproperty(fields: Fields, page: Page) -> None:
    """What the hidden Founder metadata says and the page does not show."""
    enp = page.enp
    if not enp:
        return
    for name, key in (("title", "title"), ("kicker", "introtitle"), ("subtitle", "subtitle")):
        hidden = norm(enp.get(key, ""))
        if name == "subtitle":
            hidden = _LEADING_DASH.sub("", hidden)
        shown = getattr(fields, name)
        if not fields.put(name, hidden, f"enpproperty: <{key}>") and hidden and shown != hidden:
            log.warning("%s: page shows %s %r, enpproperty says %r", page.url, name, shown, hidden)
    fields.put("author", norm(enp.get("author", "")), "enpproperty: <author>")
    fields.put("date", parse_date(enp.get("date", "")), "enpproperty: <date>")
    fields.put("page_name", _squeeze(norm(enp.get("nodename", ""))), "enpproperty: <nodename>")


def fill_from_patterns(fields: Fields, page: Page) -> None:
    """The date from the URL, then anywhere on the page; 字数 as printed."""
    url = page.url or page.enp.get("url", "")
    if url:
        fields.put("date", _date_from_url(url), "url: the date in the path")
    fields.put("date", parse_date(page.visible_text[:4000]), "page: the first date printed")
    if not fields.word_count:
        fields.word_count = parse_word_count(page.visible_text[:20000])


def check_fields(fields: Fields, page: Page) -> None:
    """Empty what the evidence does not bear out; fill 版次/版名 from every place they show."""
    for name in (*_HEADLINES, "author"):
        _check_text_field(fields, name)
    if not fields.author and fields.title:
        _byline_after_title(fields, page)
    infos = _info_lines(fields, page)
    _check_date(fields, page, infos)
    for info in infos:
        fields.put("date", info.date, "e-paper: info line")
        fields.put("author", info.author, "e-paper: info line (作者)")
        if not fields.word_count:
            fields.word_count = info.word_count
    _cross_check(fields, "page", _page_votes(fields, page, infos))
    _cross_check(fields, "page_name", _page_name_votes(fields, page, infos))


def _check_date(fields: Fields, page: Page, infos: list[InfoLine]) -> None:
    """A date read from any printed line (a clock in the page header, a 往期 date) gives way to
    the info lines and the URL; when those disagree among themselves, no date is kept."""
    strong = [(i.date, "e-paper: info line") for i in infos if i.date]
    url = page.url or page.enp.get("url", "")
    if _date_from_url(url):
        strong.append((_date_from_url(url), "url: the date in the path"))
    if not strong:
        return
    if fields.date and fields.rules.get("date", "").startswith("generic:"):
        fields.date = ""
        fields.rules.pop("date", None)
    own = [(fields.date, fields.rules.get("date", ""))] if fields.date else []
    _cross_check(fields, "date", own + strong)


def _check_text_field(fields: Fields, name: str) -> None:
    value = getattr(fields, name)
    if not value:
        return
    label = _FIELD_ZH[name]
    info = parse_info_line(value)
    if info is not None:
        fields.reject(name, f"the info line, not a {label}")
        for key in ("date", "page", "page_name", "author"):
            fields.put(key, getattr(info, key), f"e-paper: info line in the {label} slot")
        fields.word_count = fields.word_count or info.word_count
    elif _CHROME_TEXT.match(value) or _CHROME_ANY.search(value):
        fields.reject(name, f"site chrome, not a {label}")
    elif name in ("kicker", "subtitle") and value == fields.title:
        fields.reject(name, f"the title again, not a {label}")
    elif name in ("kicker", "subtitle") and _is_byline(value):
        fields.reject(name, f"a byline, not a {label}")
        fields.put("author", value, f"e-paper: byline in the {label} slot")
    elif name == "author" and (len(value) > 40 or value == fields.title):
        fields.reject(name, "too long or the title: not a byline")


def _byline_after_title(fields: Fields, page: Page) -> None:
    """A byline a profile has no selector for, printed between the titles and the text."""
    blocks = [b for b in page.blocks if b.img is None]
    at = next((i for i, b in enumerate(blocks) if b.text == fields.title), None)
    if at is None:
        return
    body = set(fields.paragraphs)
    following = []
    for block in blocks[at + 1 : at + 6]:
        if block.text in body:
            break
        following.append(block)
    byline_under_title(fields, following)


def _info_lines(fields: Fields, page: Page) -> list[InfoLine]:
    """Every info line printed outside the article's own text (not in links: page lists)."""
    article_text = {*fields.paragraphs, *(c.text for c in fields.captions)}
    article_text |= {s.heading for s in fields.sections}
    found = []
    for block in page.blocks:
        if block.img is not None or block.link or block.text in article_text:
            continue
        if len(block.text) > 120 or _is_chrome(block):
            continue
        info = parse_info_line(block.text)
        if info is not None:
            found.append(info)
    return found


def _page_votes(fields: Fields, page: Page, infos: list[InfoLine]) -> list[tuple[str, str]]:
    votes = [(fields.page, fields.rules.get("page", ""))] if fields.page else []
    votes += [(i.page, "e-paper: info line") for i in infos if i.page]
    if parse_page(_doc_title(page)):
        votes.append((parse_page(_doc_title(page)), "e-paper: <title>"))
    url = urlsplit(page.url or page.enp.get("url", ""))
    match = _URL_PAGE.search(url.path + ("?" + url.query if url.query else ""))
    if match:
        votes.append((pad_page(match.group(1) or match.group(2)), "url: page number"))
    for key in ("pagenum", "banci", "pageno"):
        if parse_page(page.enp.get(key, ""), bare=True):
            votes.append((parse_page(page.enp[key], bare=True), f"enpproperty: <{key}>"))
    return votes


def _page_name_votes(fields: Fields, page: Page, infos: list[InfoLine]) -> list[tuple[str, str]]:
    votes = [(fields.page_name, fields.rules.get("page_name", ""))] if fields.page_name else []
    votes += [(i.page_name, "e-paper: info line") for i in infos if i.page_name]
    if parse_page_name(_doc_title(page)):
        votes.append((parse_page_name(_doc_title(page)), "e-paper: <title>"))
    return votes


def _doc_title(page: Page) -> str:
    return norm(page.soup.title.get_text()) if page.soup.title else ""


def _cross_check(fields: Fields, name: str, votes: list[tuple[str, str]]) -> None:
    """One value all sources agree on, or an empty field and the contradiction reported."""
    values = {value for value, _ in votes}
    if len(values) > 1:
        said = "; ".join(f"{value} ({rule})" for value, rule in votes)
        fields.reject(name, f"contradictory evidence: {said}")
    elif votes and not getattr(fields, name):
        fields.put(name, votes[0][0], votes[0][1])
    if len(votes) > 1 and len(values) == 1:
        others = sorted({rule for _, rule in votes[1:]} - {fields.rules.get(name)})
        if others and name in fields.rules:
            fields.rules[name] += " (agrees: " + ", ".join(others) + ")"


def paper_of(page: Page, url: str) -> str:
    """The paper's name: from the host, a printed 《…》 date line, the copyright, the <title>."""
    host = (urlsplit(url).hostname or "").lower()
    for known, name in PAPER_BY_HOST.items():
        if host == known or host.endswith("." + known):
            return name
    text = page.text
    candidates = [
        *re.findall(r"《\s*([^》\s]{2,10})\s*》\s*[（(]\s*\d{4}", text),
        *re.findall(r"Copyright\s*(?:©|&copy;)\s*(?:\d{4}[-\d]*\s*)?([\u4e00-\u9fff]{2,10})", text),
        *re.findall(r"([\u4e00-\u9fff]{2,10})社?\s*版权所有", text),
    ]
    title = page.soup.title.get_text() if page.soup.title else ""
    candidates += _PAPER_NAME.findall(title)
    for candidate in candidates:
        match = _PAPER_NAME.search(candidate)
        if match and match.group(1) not in _NOT_PAPER:
            return match.group(1)
    return ""
