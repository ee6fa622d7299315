"""E-paper article page (bytes) → Article, or a CleanError that says why not.

Built like trafilatura: a chain of extractors, most specific first.

1. Template profiles (indexer/profiles.py): declarative selectors for the systems we know
   (湖北日报's Founder pc system, classic Founder content_N.htm, 人民日报).
2. A generic extractor for templates never seen before. It cuts the page into text blocks,
   drops the chrome (navigation, 上一篇/下一篇, footers, copyright, link lists), takes the
   container holding the most prose as the body, and finds the title, kicker and subtitle
   in the blocks above it; dates and 版次 come from the printed patterns
   (2025年01月22日, 第07版, 版次:07) and from the URL (/2025-01/22/, /202501/22/).

What both share: paragraphs lose their indentation and empty ones go, a bold-only line is a
小标题, a short byline opening the body becomes `author`, and the hidden
<!--enpproperty--> metadata of Founder pages is a cross-check and a fallback.

A photo story (图片报道) — a title, photos and captions, no paragraphs — is an article with an
empty body: its captions are what a reader searches for. It is taken only when no extractor
finds any text (a profile that misses a skin's body must not turn a text article into a photo
story), and it needs a real headline and a real photo (a caption, or a picture that is not an
icon). An ad printed as a picture (广告) is stored the same way, as the imported corpus keeps
it; a title with nothing under it is refused ("no article found: a title … but no paragraphs,
photos or captions"), and a layout page stays refused however many pictures it shows.

Truncated pages are refused (CleanError), never half-extracted: a partial article would be
stored and indexed as if it were whole, while the raw bytes stay in the store and the page
can be fetched again.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from functools import cached_property
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from indexer.article import Article, Caption, Section, make_id
from indexer.decode import DecodeError, decode_html
from indexer.profiles import PAPER_BY_HOST, PROFILES, Profile

__all__ = ["CleanError", "LayoutPageError", "clean_page", "clean_html"]

log = logging.getLogger(__name__)


class CleanError(ValueError):
    """The page holds no article we can extract; the message is the reason."""


class LayoutPageError(CleanError):
    """The page is a layout page (版面): expected in a site folder, not an error in it."""


# --- text helpers ------------------------------------------------------------------------

_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2014\u201c\u201d"
_SPACE = "\\s\u3000\u00a0\u200b\ufeff"
_FOLD_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\u00a0]*[\r\n]+[{_SPACE}]*(?=[{_CJK}])")
_RUN = re.compile(rf"[{_SPACE}]+")
_LEADING_DASH = re.compile(rf"^[—―─－\-–]+[{_SPACE}]*")


def norm(text: str) -> str:
    """One line of printed text: line breaks between hanzi fold away, space runs become one."""
    return _RUN.sub(" ", _FOLD_BREAK.sub("", text)).strip()


def _squeeze(text: str) -> str:
    """Spaces that only justify a short label (版名 "综 合") carry no meaning."""
    return re.sub(rf"(?<=[{_CJK}]) (?=[{_CJK}])", "", text)


# --- printed patterns ----------------------------------------------------------------------

_DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DATE_URL = (
    re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"),  # html/2023-02/10/
    re.compile(r"/(\d{4})(\d{2})/(\d{2})/"),  # pc/content/202302/11/
    re.compile(r"/(\d{4})-(\d{2})-(\d{2})/"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),  # renmrb_20191001_
)
_PAGE_NO = r"([A-Za-z]?\d{1,3})"
_PAGE_LABEL = re.compile(rf"版\s*次\s*[:：】\]]?\s*(?:第\s*)?{_PAGE_NO}")
_PAGE_PRINTED = re.compile(rf"第\s*{_PAGE_NO}\s*版")
_PAGE_BARE = re.compile(rf"^\s*{_PAGE_NO}\s*(?:版)?\s*$")
_PAGE_NAME = re.compile(r"(?:第\s*[A-Za-z]?\d{1,3}\s*版|版\s*名)\s*[:：】\]]\s*(.+)$")
_AUTHOR_LABEL = re.compile(r"(?:作\s*者|记\s*者)\s*[:：】\]]\s*([^【\[|｜\u3000]{2,30})")
_WORD_COUNT = re.compile(r"字\s*数\s*[:：]\s*(\d[\d,，]*)")
_PAPER_NAME = re.compile(
    r"([\u4e00-\u9fff]{2,10}?(?:日报|晚报|早报|晨报|商报|时报|都市报|法制报|报))"
)
_NOT_PAPER = {"数字报", "电子报", "报", "版报", "日报"}

_BYLINE = re.compile(
    r"^[□■●◎]?\s*(?:[（(])?[^。！？，,【】\[\]:：]{0,20}(?:记者|通讯员|评论员|特约撰稿|撰稿人|实习生|本报评论员)"
    r"[^。！？]{0,30}$"
)
_DATELINE = re.compile(r"(?<!通)讯(?!员)|日电|消息")

_CHROME_TEXT = re.compile(
    r"^(?:网站首页|数字报首页|首页|返回首页|返回目录|返回本版|返回版面|返回|通版阅读请点击[:：]?"
    r"|展开通版|收缩通版|上一版|下一版|上一期|下一期|上一篇.*|下一篇.*|本版标题导航|版面导航"
    r"|标题导航|往期回顾|往期查询|按日期查阅|PDF下载|打印本页|打印|关闭窗口|放大|缩小|默认"
    r"|分享到.*|客户端\s*\|?|数字报\s*\|?|网站|版权声明|我要纠错|字号.*)$"
)
_CHROME_ANY = re.compile(
    r"Copyright|©|版权所有|版 权 所 有|ICP备|ICP证|公网安备|未经.{0,8}授权|All Rights Reserved"
    r"|技术支持[:：]|主办单位|联系我们",
    re.I,
)
_CHROME_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav\w*|menu\w*|foot\w*|feeter|copyright|banner|toolbar|share|breadcrumb|crumb"
    r"|sidebar|calendar|rili|login|search|pagelist|bmname\d?|bmml|layout-list|news-list|day-nav"
    r"|rqdh|topbar|top-bar|friendlink|qrcode|next|prev|pager|tongban|bottom\w*|copy-?\w*"
    r"|statement|disclaimer)(?:$|[\s_-])",
    re.I,
)
_CHROME_TAGS = {"nav", "footer", "aside"}
_TITLE_ATTR = re.compile(r"title|biaoti|headline|timu|(?:^|[\s_-])bt(?:$|[\s_-])", re.I)
_SUBTITLE_ATTR = re.compile(r"sub|futi|fubt|fu-?title|deck", re.I)
_KICKER_ATTR = re.compile(r"intro|yinti|yin-?title|kicker|pre-?title|overline|shoulder", re.I)
_HEADLINE_ATTR = re.compile(
    f"{_TITLE_ATTR.pattern}|{_SUBTITLE_ATTR.pattern}|{_KICKER_ATTR.pattern}", re.I
)
_PAGE_ATTR = re.compile(r"layout|banci|banmian|pageno|pagenum|(?:^|[\s_-])bc(?:$|[\s_-])", re.I)
_CONTENT_LINK = re.compile(r"content_\d+|nw\.D\d+|/content/\d|detail|article", re.I)
_PROSE_PUNCT = re.compile(r"[。！？；，：,]")
_TERMINAL = re.compile(r"[。！？；：:，,…]$")  # a sentence ends here: not a title or 小标题

_BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "caption", "center", "dd", "div", "dl", "dt",
    "figcaption", "figure", "founder-content", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul", "footer", "nav", "aside", "form", "html",
}  # fmt: skip
_PARA_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "pre",
              "center", "figcaption"}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "select", "option", "iframe", "map", "area",
              "button", "input", "textarea", "head", "title", "object", "embed", "svg", "template",
              "link", "meta"}  # fmt: skip
_BOLD_TAGS = {"strong", "b"}
_FIELD_HINT = re.compile(r"title|biaoti|yinti|futi|author|date|time|banci|intro", re.I)


# --- the page as parsed once ---------------------------------------------------------------


@dataclass
class Page:
    text: str
    soup: BeautifulSoup
    url: str
    enp: dict[str, str]

    @cached_property
    def visible_text(self) -> str:
        """All text a reader sees, normalised; read once for the date and 字数 lines."""
        body = self.soup.body or self.soup
        return norm(" ".join(s for s in body.find_all(string=True) if _is_text(s)))


@dataclass
class Block:
    """A run of text between block boundaries (or one image), in document order."""

    text: str
    raw: str
    owner: Tag
    index: int
    bold: bool = False
    link: bool = False
    img: Tag | None = None

    @property
    def indented(self) -> bool:
        style = (self.owner.get("style") or "").replace(" ", "").lower()
        return bool(re.match(rf"[{_SPACE}]", self.raw)) or "text-indent:2em" in style

    def inside(self, container: Tag) -> bool:
        return self.owner is container or any(p is container for p in self.owner.parents)


@dataclass
class Fields:
    """What an extractor found; clean_page turns it into an Article."""

    extractor: str
    title: str = ""
    kicker: str = ""
    subtitle: str = ""
    author: str = ""
    date: str = ""
    page: str = ""
    page_name: str = ""
    word_count: int = 0
    sections: list[Section] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [p for s in self.sections for p in s.paragraphs]


# --- entry point ---------------------------------------------------------------------------


def clean_page(
    data: bytes, *, url: str = "", content_type: str | None = None, paper: str = ""
) -> Article:
    """Extract the article from one e-paper article page; CleanError says why when it can't."""
    if not data:
        raise CleanError("empty file: 0 bytes")
    try:
        text = decode_html(data, content_type)
    except DecodeError as exc:
        raise CleanError(str(exc)) from exc
    return clean_html(text, url=url, paper=paper)


def _stable_url(url: str) -> str:
    """The URL an id may rest on: a file:// path differs between machines, a web address doesn't."""
    return url if urlsplit(url).scheme in ("http", "https") else ""


def clean_html(
    text: str, *, url: str = "", paper: str = "", profiles: tuple[Profile, ...] = PROFILES
) -> Article:
    """clean_page for a page already decoded to text; `profiles=()` runs the generic extractor
    alone (how tests show it copes with templates it has no profile for)."""
    if not text.strip():
        raise CleanError("empty file: only white space")
    truncated = _truncation(text)
    if truncated:
        raise CleanError(f"truncated HTML: {truncated}; refusing a partial article")
    if not re.search(r"<[a-zA-Z!]", text):
        raise CleanError("not HTML: no tags at all (a plain-text file?)")
    page = Page(text, BeautifulSoup(text, "lxml"), url, _enpproperty(text))
    fields = _extract(page, profiles)
    log.debug("%s: extracted by %s", url or "(no url)", fields.extractor)
    _fill_from_patterns(fields, page)
    # A page's own address (enpproperty) says more than the local file it was read from.
    page_url = _stable_url(url) or page.enp.get("url", "") or url
    paper_name = paper or _paper(page, page_url)
    return Article(
        id=make_id(paper_name, _stable_url(page_url), fields.date, fields.page, fields.title),
        paper=paper_name,
        date=fields.date,
        page=fields.page,
        page_name=fields.page_name,
        kicker=fields.kicker,
        title=fields.title,
        subtitle=fields.subtitle,
        author=fields.author,
        sections=fields.sections,
        captions=fields.captions,
        body="\n".join(fields.paragraphs),
        word_count=fields.word_count,
        url=page_url,
    )


def _extract(page: Page, profiles: tuple[Profile, ...]) -> Fields:
    photo_only: Fields | None = None  # a profile's title and photos, if nothing finds text
    title_only = ""
    for profile in profiles:
        fields = _extract_profile(page, profile)
        if fields is None:
            continue
        _fill_from_enpproperty(fields, page)
        if fields.paragraphs and fields.title:
            return fields
        if not fields.paragraphs and _real_title(fields.title):
            if _has_photo(fields.captions):
                photo_only = photo_only or fields
            title_only = title_only or fields.title
    strong, weak = _layout_evidence(page.soup)
    fields = _extract_generic(page)
    prose = sum(len(p) for p in fields.paragraphs) if fields else 0
    has_photo = photo_only is not None or bool(fields and _has_photo(fields.captions))
    # Many article links or an image map outweigh a little prose (a notice, a calendar
    # hint) and a few photos; a single link to an article page (上一篇) only decides when
    # there is neither text nor a photo.
    if (strong and prose < 150) or (weak and prose == 0 and not has_photo):
        raise LayoutPageError(
            f"this is a layout page (版面), not an article page: {strong or weak}, "
            f"only {prose} characters of prose"
        )
    if fields is not None and fields.paragraphs:
        _fill_from_enpproperty(fields, page)
        if not fields.title:
            raise CleanError("no article found: paragraphs but no title above them")
        return fields
    # A photo story (图片报道): a title, photos and their captions, no paragraphs. It is taken
    # only when no extractor finds text, so a skin whose body a profile misses still goes
    # to the generic extractor instead of losing its text.
    if photo_only is not None:
        return photo_only
    if fields is not None:
        _fill_from_enpproperty(fields, page)
        if _real_title(fields.title) and _has_photo(fields.captions):
            return fields
        title_only = title_only or (fields.title if _real_title(fields.title) else "")
    if title_only:
        raise CleanError(
            f"no article found: a title ({title_only!r}) but no paragraphs, photos or captions"
        )
    raise CleanError("no article found: no block of paragraphs and no captioned photo on the page")


def _has_photo(captions: list[Caption]) -> bool:
    """A caption to read, or a picture that is not a layout icon."""
    return any(c.text or (c.src and not _decorative_src(c.src)) for c in captions)


def _real_title(title: str) -> bool:
    """A headline, not the site's name or an empty placeholder standing in the title slot."""
    title = title.strip()
    if len(title) < 2 or _CHROME_TEXT.match(title) or _CHROME_ANY.search(title):
        return False
    return not re.search(r"^\w{2,6}(?:日报|晚报|早报|晨报|商报|时报)$|数字报|电子报|电子版", title)


# --- bad input -------------------------------------------------------------------------------


def _truncation(text: str) -> str | None:
    """Why the page looks cut off, or None. Fragments without <html> are judged by balance."""
    low = text.lower()
    tail = low.rstrip()
    if tail.rfind("<") > tail.rfind(">"):
        return "the file ends inside a tag"
    if "<!--enpcontent-->" in low and "<!--/enpcontent-->" not in low:
        return "the article body (<!--enpcontent-->) is never closed"
    if low.count("<founder-content") > low.count("</founder-content"):
        return "<founder-content> is never closed"
    for tag in ("html", "body"):
        if re.search(rf"<{tag}[\s>]", low) and f"</{tag}>" not in low:
            return f"the file ends before </{tag}>"
    if not re.search(r"<html[\s>]", low):
        opened, closed = len(re.findall(r"<div[\s>]", low)), low.count("</div>")
        if opened > closed:
            return f"{opened - closed} <div> element(s) never closed"
    return None


def _layout_evidence(soup: BeautifulSoup) -> tuple[str, str]:
    """Signs of a 版面 page (strong, weak): an image map over the page picture, links to articles."""
    areas = [a for a in soup.select("map area[href]") if _CONTENT_LINK.search(a["href"])]
    links = {
        a["href"].split("?")[0] for a in soup.select("a[href]") if _CONTENT_LINK.search(a["href"])
    }
    found = f"{len(areas)} image-map areas and {len(links)} links to article pages"
    if len(areas) >= 2 or len(links) >= 3:
        return found, ""
    return "", found if areas or links else ""


# --- hidden Founder metadata -------------------------------------------------------------------

_ENP = re.compile(r"<!--\s*enpproperty(.*?)/?\s*enpproperty\s*-->", re.S | re.I)
_ENP_TAG = re.compile(r"<(\w+)>(.*?)</\1>", re.S)


def _enpproperty(text: str) -> dict[str, str]:
    match = _ENP.search(text)
    if not match:
        return {}
    return {k.lower(): html.unescape(v) for k, v in _ENP_TAG.findall(match.group(1))}


def _fill_from_enpproperty(fields: Fields, page: Page) -> None:
    enp = page.enp
    if not enp:
        return
    for name, key in (("title", "title"), ("kicker", "introtitle"), ("subtitle", "subtitle")):
        hidden = norm(enp.get(key, ""))
        if name == "subtitle":
            hidden = _LEADING_DASH.sub("", hidden)
        shown = getattr(fields, name)
        if not shown and hidden:
            setattr(fields, name, hidden)
        elif hidden and shown != hidden:
            log.warning("%s: page shows %s %r, enpproperty says %r", page.url, name, shown, hidden)
    if not fields.author and norm(enp.get("author", "")):
        fields.author = norm(enp["author"])
    if not fields.date:
        fields.date = _parse_date(enp.get("date", ""))
    if not fields.page_name and norm(enp.get("nodename", "")):
        fields.page_name = _squeeze(norm(enp["nodename"]))


def _fill_from_patterns(fields: Fields, page: Page) -> None:
    """The date from the URL, then anywhere on the page; 字数 as printed."""
    url = page.url or page.enp.get("url", "")
    if not fields.date and url:
        fields.date = _date_from_url(url)
    if not fields.date:
        fields.date = _parse_date(page.visible_text[:4000])
    if not fields.word_count:
        fields.word_count = _parse_word_count(page.visible_text[:20000])


def _paper(page: Page, url: str) -> str:
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


# --- reading printed fields --------------------------------------------------------------------


def _valid_date(y: str, m: str, d: str) -> str:
    try:
        return Date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return ""


def _parse_date(text: str) -> str:
    for pattern in (_DATE_ZH, _DATE_ISO):
        for match in pattern.finditer(text):
            found = _valid_date(*match.groups())
            if found:
                return found
    return ""


def _date_from_url(url: str) -> str:
    path = urlsplit(url).path
    for pattern in _DATE_URL:
        for match in pattern.finditer(path):
            found = _valid_date(*match.groups())
            if found and 1900 < int(found[:4]) < 2100:
                return found
    return ""


def _pad_page(number: str) -> str:
    letter = number[0].upper() if number[0].isalpha() else ""
    digits = number[1:] if letter else number
    return letter + digits.zfill(2)


def _parse_page(text: str, *, bare: bool = False) -> str:
    text = norm(text)
    for pattern in (_PAGE_LABEL, _PAGE_PRINTED):
        match = pattern.search(text)
        if match:
            return _pad_page(match.group(1))
    match = _PAGE_BARE.match(text) if bare else None
    return _pad_page(match.group(1)) if match else ""


def _parse_page_name(text: str) -> str:
    match = _PAGE_NAME.search(norm(text))
    if not match:
        return ""
    name = re.split(r"\s{2,}|[|｜【\[]|第\s*\d+\s*版|\s\S+[:：]", match.group(1))[0]
    return _squeeze(name.strip())


def _parse_word_count(text: str) -> int:
    match = _WORD_COUNT.search(text)
    return int(re.sub(r"[,，]", "", match.group(1))) if match else 0


# --- blocks -------------------------------------------------------------------------------------


def _is_text(node: object) -> bool:
    if isinstance(node, Comment | Declaration | Doctype | ProcessingInstruction):
        return False
    if not isinstance(node, NavigableString):
        return False
    return not any(p.name in _SKIP_TAGS for p in node.parents if isinstance(p, Tag))


def blocks_of(root: Tag) -> list[Block]:
    """Cut `root` into text blocks at block elements and <br>, plus one block per <img>."""
    out: list[Block] = []
    buf: list[tuple[str, bool, bool]] = []

    def flush(owner: Tag) -> None:
        raw = "".join(t for t, _, _ in buf)
        text = norm(raw)
        if text:
            solid = [(t, b, a) for t, b, a in buf if t.strip(_SPACE_CHARS)]
            out.append(
                Block(
                    text=text,
                    raw=raw,
                    owner=owner,
                    index=len(out),
                    bold=all(b for _, b, _ in solid),
                    link=all(a for _, _, a in solid),
                )
            )
        buf.clear()

    def walk(el: Tag, owner: Tag, bold: bool, link: bool) -> None:
        for child in el.children:
            if isinstance(child, NavigableString):
                if _is_text(child):
                    buf.append((str(child), bold, link))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP_TAGS:
                continue
            name = child.name
            if name == "br":
                flush(owner)
            elif name == "img":
                flush(owner)
                out.append(Block("", "", owner, len(out), img=child))
            elif name in _BLOCK_TAGS or _FIELD_HINT.search(_attrs(child)):
                flush(owner)
                walk(child, child, bold, link)  # a <div> inside an <a> is still a link
                flush(child)
            else:
                walk(child, owner, bold or name in _BOLD_TAGS, link or name == "a")

    walk(root, root, False, False)
    flush(root)
    return out


_SPACE_CHARS = " \t\r\n\u3000\u00a0\u200b\ufeff"


def _attrs(el: Tag) -> str:
    classes = el.get("class") or []
    if isinstance(classes, str):
        classes = [classes]
    return " ".join([el.get("id") or "", *classes])


def _is_chrome(block: Block) -> bool:
    if block.img is None:
        if _CHROME_TEXT.match(block.text):
            return True
        if len(block.text) < 100 and _CHROME_ANY.search(block.text):
            return True
    for el in (block.owner, *block.owner.parents):
        if not isinstance(el, Tag) or el.name in ("body", "html", "[document]"):
            break
        if el.name in _CHROME_TAGS or _CHROME_ATTR.search(_attrs(el)):
            return True
    return False


def _is_prose(text: str) -> bool:
    return len(text) >= 25 and bool(_PROSE_PUNCT.search(text))


# --- body: paragraphs, headings, byline ------------------------------------------------------------


def _sections(blocks: list[Block], exclude: set[int]) -> tuple[list[Section], str]:
    """Sections of the body blocks, and the byline taken off its top."""
    texts = [b for b in blocks if b.img is None and id(b.owner) not in exclude]
    texts = [b for b in texts if not _in_any(b.owner, exclude)]
    author = ""
    if texts and _is_byline(texts[0].text):
        author = re.sub(r"^[□■●◎]\s*", "", texts[0].text).strip("（）() ")
        texts = texts[1:]
    indented = sum(1 for b in texts if b.indented)
    mostly_indented = len(texts) >= 4 and indented >= 0.6 * len(texts)
    sections = [Section()]
    for block in texts:
        if _is_heading(block, mostly_indented):
            sections.append(Section(block.text))
        else:
            sections[-1].paragraphs.append(block.text)
    return [s for s in sections if s.heading or s.paragraphs], author


def _in_any(el: Tag, ids: set[int]) -> bool:
    return bool(ids) and any(id(p) in ids for p in el.parents)


def _is_byline(text: str) -> bool:
    return len(text) <= 40 and bool(_BYLINE.match(text)) and not _DATELINE.search(text)


def _is_heading(block: Block, mostly_indented: bool) -> bool:
    text = block.text
    if len(text) > 40 or _TERMINAL.search(text):
        return False
    if block.bold or block.owner.name in ("h2", "h3", "h4", "h5", "h6"):
        return True
    # Papers that indent every paragraph print 小标题 flush left; a bracketed credit
    # line such as （新华社发） is not one.
    return (
        mostly_indented
        and not block.indented
        and len(text) <= 30
        and not re.search(r"^[（(]|[）)]$", text)
    )


# --- captions ---------------------------------------------------------------------------------------


def _caption_for(img: Tag) -> tuple[str, list[Tag]]:
    """The caption printed with a photo: figcaption, its table's other cells, or what follows it."""
    figure = img.find_parent("figure")
    if figure is not None and figure.find("figcaption") is not None:
        cap = figure.find("figcaption")
        return norm(cap.get_text(" ")), [cap]
    table = img.find_parent("table")
    if table is not None and len(table.find_all("img")) == 1:
        cells = [
            td
            for td in table.find_all(["td", "th"])
            if td.find("img") is None and td.find(["td", "th"]) is None
        ]
        text = norm(" ".join(td.get_text(" ") for td in cells))
        if len(text) <= 300:
            return text, cells
    anchor: Tag = img
    while (
        anchor.parent is not None
        and anchor.parent.name in ("a", "span", "font", "div", "p", "center")
        and not norm(anchor.parent.get_text())
        and len(anchor.parent.find_all("img")) == 1
        # A wrapper of the photo alone, not the content box of a text-less photo story
        # (whose next sibling is the page footer).
        and not any(
            isinstance(c, Tag) and c is not anchor and c.name != "br"
            for c in anchor.parent.children
        )
    ):
        anchor = anchor.parent
    elements: list[Tag] = []
    for sib in anchor.next_siblings:
        if isinstance(sib, NavigableString):
            if norm(str(sib)) and _is_text(sib):
                break  # loose text after a photo is body text, not a caption
            continue
        if not isinstance(sib, Tag) or sib.name == "br":
            continue
        if sib.name not in ("p", "div", "span", "font", "center", "figcaption", "em", "small"):
            break
        if sib.find(["img", "p", "div", "table"]) is not None:
            break
        text = norm(sib.get_text(" "))
        if len(text) > 200 or _CHROME_ANY.search(text) or _CHROME_TEXT.match(text):
            break
        elements.append(sib)
        if text:
            return text, elements
    alt = norm(img.get("alt") or "")
    if alt and not re.search(r"\.\w{2,4}$", alt):
        return alt, elements
    return "", elements


def _captions(images: Iterable[Tag]) -> tuple[list[Caption], set[int]]:
    captions: list[Caption] = []
    used: set[int] = set()
    seen: set[int] = set()
    for img in images:
        if id(img) in seen:
            continue
        seen.add(id(img))
        text, elements = _caption_for(img)
        used.update(id(e) for e in elements)
        captions.append(Caption(text, str(img.get("src") or "")))
    return captions, used


def _decorative(img: Tag) -> bool:
    return _decorative_src(str(img.get("src") or ""))


def _decorative_src(src: str) -> bool:
    src = src.lower()
    return not src or bool(
        re.search(r"\.(gif|bmp|svg)(\?|$)|icon|logo|button|btn|spacer|arrow|/bg|line|blank", src)
    )


# --- extractor 1: template profiles ------------------------------------------------------------------


def _select_text(soup: BeautifulSoup, selectors: tuple[str, ...]) -> str:
    return _select(soup, selectors)[0]


def _select(soup: BeautifulSoup, selectors: tuple[str, ...]) -> tuple[str, Tag | None]:
    """The first non-empty text any selector finds, and its element."""
    for selector in selectors:
        for el in soup.select(selector):
            text = norm(el.get_text())
            if text:
                return text, el
    return "", None


def _region_images(soup: BeautifulSoup, start: Tag | None, body: Tag) -> list[Tag]:
    """Photos printed between the title and the end of the body, for skins a profile misses."""
    order = {id(el): i for i, el in enumerate(soup.find_all(True))}
    first = order.get(id(start), 0) if start is not None else 0
    last = max([order[id(body)], *(order[id(el)] for el in body.find_all(True))])
    return [
        img
        for img in soup.find_all("img")
        if first < order[id(img)] <= last and not _decorative(img) and img.find_parent("a") is None
    ]


def _extract_profile(page: Page, profile: Profile) -> Fields | None:
    soup = page.soup
    if not all(soup.select_one(s) is not None for s in profile.detect):
        return None
    fields = Fields(extractor=profile.name)
    fields.title, title_el = _select(soup, profile.title)
    fields.kicker = _select_text(soup, profile.kicker)
    fields.subtitle = _LEADING_DASH.sub("", _select_text(soup, profile.subtitle))
    byline = _select_text(soup, profile.author)
    fields.date = next(
        (d for s in profile.date for el in soup.select(s) if (d := _parse_date(el.get_text()))), ""
    )
    fields.page = next(
        (
            p
            for s in profile.page
            for el in soup.select(s)
            if (p := _parse_page(el.get_text(), bare=True))
        ),
        "",
    )
    fields.page_name = next(
        (n for s in profile.page_name for el in soup.select(s) if (n := _parse_page_name(el.text))),
        "",
    )
    bodies = [el for s in profile.body for el in soup.select(s)]
    images = [img for s in profile.images for img in soup.select(s)]
    if not bodies:
        # A photo story may come without the body element at all.
        fields.captions = _captions(images)[0]
        return fields
    body = bodies[0]
    captions, used = _captions(images or _region_images(soup, title_el, body))
    blocks = [b for b in blocks_of(body) if not _is_chrome(b)]
    fields.sections, author = _sections(blocks, used)
    # The byline may sit in its own element beside a date line (人民日报's p.sec).
    fields.author = author or _strip_dateline(byline)
    fields.captions = captions
    fields.word_count = _parse_word_count(page.visible_text[:20000])
    return fields


def _strip_dateline(text: str) -> str:
    text = re.sub(r"《[^》]*》\s*[（(][^）)]*[）)]", "", text)
    return norm(text)


# --- extractor 2: any template -----------------------------------------------------------------------


def _container(block: Block) -> Tag:
    """The element whose children are the paragraphs: the parent of a <p>, or a <br>-split div."""
    owner = block.owner
    if owner.name in _PARA_TAGS or not owner.find(_BLOCK_TAGS - {"br"}):
        return owner.parent if owner.parent is not None else owner
    return owner


def _is_photo(block: Block) -> bool:
    return (
        block.img is not None
        and not _decorative(block.img)
        and not block.img.get("usemap")  # the page picture of a 版面 beside the article
        and block.img.find_parent("a") is None
    )


def _in_headline_slot(block: Block, page: Page) -> bool:
    """A long title with a comma reads like prose; where the page marks it as a headline (or
    its metadata names it) it is not the body, which matters most when there is no body."""
    if len(block.text) > 100:
        return False
    if block.text == norm(page.enp.get("title", "")):
        return True
    owner = block.owner
    return owner.name == "h1" or bool(_HEADLINE_ATTR.search(_attrs(owner)))


def _extract_generic(page: Page) -> Fields | None:
    root = page.soup.body or page.soup
    blocks = blocks_of(root)
    chrome = {b.index for b in blocks if _is_chrome(b)}
    live = [b for b in blocks if b.index not in chrome and not (b.link and b.img is None)]
    scores: dict[int, int] = {}
    by_id: dict[int, Tag] = {}
    for block in live:
        if block.img is None and _is_prose(block.text) and not _in_headline_slot(block, page):
            container = _container(block)
            scores[id(container)] = scores.get(id(container), 0) + len(block.text)
            by_id[id(container)] = container
    body: Tag | None = None
    if scores:
        body = by_id[max(scores, key=lambda k: scores[k])]
        in_body = [b for b in live if b.inside(body)]
        first = min(b.index for b in in_body)
        last = max(b.index for b in in_body)
    else:
        # No prose: a photo story (图片报道) is its photos and their captions, under a title
        # printed above the first photo; a page with no photo is read for its title alone,
        # so the refusal can name it.
        in_body = []
        photos = [b.index for b in live if _is_photo(b)]
        first = photos[0] if photos else len(blocks)
        last = photos[-1] if photos else -1

    fields = Fields(extractor="generic")
    head = [b for b in live if b.index < first and b.img is None]
    title_at = _pick_title(head, page)
    images = [
        b.img
        for b in live
        if _is_photo(b) and (title_at is None or b.index > title_at.index) and b.index <= last
    ]
    captions, used = _captions(images)
    fields.captions = captions
    caption_blocks = {
        b.index for b in live if b.img is None and (id(b.owner) in used or _in_any(b.owner, used))
    }
    body_blocks = [b for b in in_body if b.index not in caption_blocks and b.img is None]
    # Some skins print the date/字数/版次 line inside the content box, above the text.
    while body_blocks and _is_meta_line(body_blocks[0].text):
        body_blocks.pop(0)
    fields.sections, fields.author = _sections(body_blocks, set())
    head = [b for b in head if b.index not in caption_blocks]
    if title_at is not None:
        fields.title = title_at.text
        _kicker_subtitle(fields, head, title_at)
    # Around a photo story the captions are the text; they are not the page's date line.
    outside = (
        [b for b in live if b.img is None and not b.inside(body)]
        if body is not None
        else [b for b in live if b.img is None and b.index not in caption_blocks]
    )
    _meta_fields(fields, outside)
    return fields


def _is_meta_line(text: str) -> bool:
    return len(text) <= 60 and bool(
        _WORD_COUNT.search(text)
        or _PAGE_LABEL.search(text)
        or _PAGE_PRINTED.match(text)
        or re.fullmatch(r"[\d年月日\s:：星期一二三四五六日天\-/.]+", text)
        or re.match(r"^(?:日期|出版日期|发布日期|来源|作者)[:：]", text)
    )


def _pick_title(head: list[Block], page: Page) -> Block | None:
    """The most title-like block above the body."""
    doc_title = norm(page.soup.title.get_text()) if page.soup.title else ""
    enp_title = norm(page.enp.get("title", ""))
    best, best_score = None, 0.0
    for distance, block in enumerate(reversed(head)):
        text = block.text
        own = _attrs(block.owner)
        marked = block.owner.name == "h1" or bool(_TITLE_ATTR.search(own))
        # A headline may ask or exclaim (…如何完成？ 我们一起战斗！) where the markup says so.
        ends = _TERMINAL.search(text) and not (marked and text.endswith(("？", "！", "?", "!")))
        if not 2 <= len(text) <= 80 or _is_meta_line(text) or ends:
            continue
        attrs = " ".join(_attrs(el) for el in (block.owner, *block.owner.parents) if el.name)
        score = 0.0
        if enp_title and text == enp_title:
            score += 20
        if block.owner.name == "h1":
            score += 10
        if _TITLE_ATTR.search(own) and not (_SUBTITLE_ATTR.search(own) or _KICKER_ATTR.search(own)):
            score += 8
        elif _TITLE_ATTR.search(attrs) and not _SUBTITLE_ATTR.search(attrs):
            score += 2
        if doc_title and len(text) >= 4 and text in doc_title:
            score += 6
        if block.owner.name == "h2":
            score += 3
        if block.bold:
            score += 1
        if text.startswith(("—", "-")):
            score -= 8
        score -= distance * 0.2
        if score > best_score:
            best, best_score = block, score
    return best


def _kicker_subtitle(fields: Fields, head: list[Block], title: Block) -> None:
    position = next(i for i, b in enumerate(head) if b is title)
    before = head[position - 1] if position > 0 else None
    after = head[position + 1] if position + 1 < len(head) else None
    if after is not None and not _is_meta_line(after.text) and len(after.text) <= 120:
        attrs = _attrs(after.owner)
        if after.text.startswith(("——", "—", "--")) or _SUBTITLE_ATTR.search(attrs):
            fields.subtitle = _LEADING_DASH.sub("", after.text)
        elif after.owner.name == "h2" and title.owner.name == "h1":
            fields.subtitle = after.text
    if before is not None and not _is_meta_line(before.text) and len(before.text) <= 80:
        by_markup = _KICKER_ATTR.search(_attrs(before.owner)) or (
            before.owner.name == "h3" and title.owner.name == "h1"
        )
        # A kicker that leads into the title ends with a dash: "…划归张湾区管理——".
        by_dash = before.text.endswith(("——", "—")) and not _CHROME_TEXT.match(before.text)
        if by_markup or by_dash:
            fields.kicker = before.text
    if not fields.author:
        # A byline printed between the titles and the text (h4, p.sec, a 作者 cell).
        for block in head[position + 1 :]:
            text = _strip_dateline(block.text)
            labelled = _AUTHOR_LABEL.search(text)
            if labelled and not block.link:
                fields.author = norm(labelled.group(1))
                break
            if text and not block.link and _is_byline(text):
                fields.author = text
                break


def _meta_fields(fields: Fields, blocks: list[Block]) -> None:
    """Date, 版次, 版名 and 字数 from the printed lines outside the body (not from link lists)."""
    for block in blocks:
        text = block.text
        if not fields.date and not block.link:
            fields.date = _parse_date(text)
        if not fields.page and not block.link:
            # A bare "02" counts only where the markup names it: <p id="nowLayout">.
            hinted = _PAGE_ATTR.search(_attrs(block.owner))
            fields.page = _parse_page(text, bare=bool(hinted))
        if not fields.page_name and not block.link:
            fields.page_name = _parse_page_name(text)
        if not fields.word_count:
            fields.word_count = _parse_word_count(text)
        if not fields.author and not block.link:
            match = _AUTHOR_LABEL.search(text)
            fields.author = norm(match.group(1)) if match else ""
