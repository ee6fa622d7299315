"""The page as parsed once, its text blocks, and the chrome test every extractor shares."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property

import lxml.html
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
from lxml import etree

from indexer.article import Caption, Section
from indexer.clean.text import (
    _BLOCK_TAGS,
    _BOLD_TAGS,
    _CHROME_ANY,
    _CHROME_ATTR,
    _CHROME_TAGS,
    _CHROME_TEXT,
    _FIELD_HINT,
    _PROSE_PUNCT,
    _SKIP_TAGS,
    _SPACE,
    norm,
)

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

    @cached_property
    def blocks(self) -> list[Block]:
        """The text blocks of the whole page, cut once for every layer that reads them."""
        return blocks_of(self.soup.body or self.soup)

    @cached_property
    def tree(self) -> etree._Element:
        """The page as an lxml tree, for profiles that select by XPath."""
        return lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", self.text))


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
    node: NavigableString | None = None  # its first text, for the markup around it

    @property
    def indented(self) -> bool:
        style = (self.owner.get("style") or "").replace(" ", "").lower()
        return bool(re.match(rf"[{_SPACE}]", self.raw)) or "text-indent:2em" in style

    def inside(self, container: Tag) -> bool:
        return self.owner is container or any(p is container for p in self.owner.parents)


FIELD_NAMES = ("kicker", "title", "subtitle", "author", "date", "page", "page_name")


@dataclass
class Fields:
    """What an extractor found, and for each field the layer and rule that found it."""

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
    rules: dict[str, str] = field(default_factory=dict)  # field → "layer: rule"
    rejected: dict[str, str] = field(default_factory=dict)  # field → why it was left empty

    @property
    def paragraphs(self) -> list[str]:
        return [p for s in self.sections for p in s.paragraphs]

    def put(self, name: str, value: str, rule: str) -> bool:
        """Set an empty field to `value` found by `rule`; a filled field keeps its value."""
        if not value or getattr(self, name):
            return False
        setattr(self, name, value)
        self.rules[name] = rule
        return True

    def reject(self, name: str, reason: str) -> None:
        """Empty a field whose evidence is weak or contradictory, and say why."""
        if getattr(self, name):
            reason = f"{reason} (was {getattr(self, name)!r})"
        setattr(self, name, "")
        self.rules.pop(name, None)
        self.rejected[name] = reason


# --- hidden Founder metadata -------------------------------------------------------------------

_ENP = re.compile(r"<!--\s*enpproperty(.*?)/?\s*enpproperty\s*-->", re.S | re.I)
_ENP_TAG = re.compile(r"<(\w+)>(.*?)</\1>", re.S)


def enpproperty(text: str) -> dict[str, str]:
    match = _ENP.search(text)
    if not match:
        return {}
    return {k.lower(): html.unescape(v) for k, v in _ENP_TAG.findall(match.group(1))}


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
    buf: list[tuple[NavigableString, bool, bool]] = []

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
                    node=solid[0][0] if solid else None,
                )
            )
        buf.clear()

    def walk(el: Tag, owner: Tag, bold: bool, link: bool) -> None:
        for child in el.children:
            if isinstance(child, NavigableString):
                if _is_text(child):
                    buf.append((child, bold, link))
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
