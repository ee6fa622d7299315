"""The article's body: paragraphs, 小标题, the byline on top, and the captions of its photos."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import NavigableString, Tag

from indexer.article import Caption, Section
from indexer.clean.page import Block, _is_text
from indexer.clean.text import (
    _BYLINE,
    _CHROME_ANY,
    _CHROME_TEXT,
    _DATELINE,
    _NEWS_BYLINE,
    _TERMINAL,
    norm,
)

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
    if len(text) > 40:
        return False
    if _NEWS_BYLINE.match(text):
        return True
    return bool(_BYLINE.match(text)) and not _DATELINE.search(text)


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


def _strip_dateline(text: str) -> str:
    text = re.sub(r"《[^》]*》\s*[（(][^）)]*[）)]", "", text)
    return norm(text)
