"""The title block of an article page: 引题, 标题 and 副题 told apart by position and markup,
and the byline printed under them.

The title is the most title-like block above the body (h1, a title class, the <title> or
enpproperty saying so, bold, the largest type). A 引题 is the block right before it, a 副题
the block right after it, and each needs evidence of its own: a class that names it
(yinti/yt/kicker, futi/ft/sub), an h3 before / h2 after an h1, a ——, or smaller headline type
beside the title in the same title group. A block that is an info line, a byline, chrome
or prose is none of them. Without evidence the field stays empty.
"""

from __future__ import annotations

import re

from bs4 import Tag

from indexer.clean.body import _is_byline, _strip_dateline
from indexer.clean.infoline import parse_info_line
from indexer.clean.page import Block, Fields, Page, _attrs
from indexer.clean.text import (
    _CHROME_ANY,
    _CHROME_TEXT,
    _KICKER_ATTR,
    _LEADING_DASH,
    _PAGE_LABEL,
    _PAGE_PRINTED,
    _SUBTITLE_ATTR,
    _TERMINAL,
    _TITLE_ATTR,
    _WORD_COUNT,
    norm,
)

_HEADING_PX = {"h1": 32, "h2": 24, "h3": 19, "h4": 16, "h5": 13, "h6": 11}
_FONT_PX = {"1": 10, "2": 13, "3": 16, "4": 18, "5": 24, "6": 32, "7": 48}
_STYLE_SIZE = re.compile(r"font-size\s*:\s*([\d.]+)\s*(px|pt|em|rem)?", re.I)
_STYLE_BOLD = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)


def is_meta_line(text: str) -> bool:
    """An info line or a bare date/版次 label: metadata, never a headline or the body's start."""
    return parse_info_line(text) is not None or (
        len(text) <= 60
        and bool(
            _WORD_COUNT.search(text)
            or _PAGE_LABEL.search(text)
            or _PAGE_PRINTED.match(text)
            or re.fullmatch(r"[\d年月日\s:：星期一二三四五六日天\-/.]+", text)
            or re.match(r"^(?:日期|出版日期|发布日期|来源|作者)[:：]", text)
        )
    )


def type_size(block: Block) -> float | None:
    """The printed size of a block's text in px, from the markup around it, if any says."""
    start = block.node.parent if block.node is not None else block.owner
    for el in (start, *start.parents):
        if not isinstance(el, Tag) or el.name in ("body", "html", "[document]"):
            break
        if el.name in _HEADING_PX:
            return _HEADING_PX[el.name]
        if el.name == "font" and str(el.get("size", "")).strip() in _FONT_PX:
            return _FONT_PX[str(el["size"]).strip()]
        match = _STYLE_SIZE.search(str(el.get("style") or ""))
        if match:
            value, unit = float(match[1]), (match[2] or "px").lower()
            return value * {"px": 1, "pt": 4 / 3, "em": 16, "rem": 16}[unit]
        if el is block.owner:
            break
    return None


def _heavy(block: Block) -> bool:
    if block.bold or block.owner.name in _HEADING_PX:
        return True
    return bool(_STYLE_BOLD.search(str(block.owner.get("style") or "")))


def _group(a: Block, b: Block) -> bool:
    """Both blocks belong to one title group: the same element, or a near common ancestor."""
    if a.owner is b.owner:
        return True
    up_a = [a.owner, *list(a.owner.parents)[:3]]
    up_b = [b.owner, *list(b.owner.parents)[:3]]
    common = next((el for el in up_a if any(el is other for other in up_b)), None)
    return common is not None and common.name not in ("body", "html", "[document]")


def pick_title(head: list[Block], page: Page) -> Block | None:
    """The most title-like block above the body."""
    doc_title = norm(page.soup.title.get_text()) if page.soup.title else ""
    enp_title = norm(page.enp.get("title", ""))
    sizes = [s for b in head if (s := type_size(b)) is not None]
    largest = max(sizes) if sizes else None
    best, best_score = None, 0.0
    for distance, block in enumerate(reversed(head)):
        text = block.text
        own = _attrs(block.owner)
        marked = block.owner.name == "h1" or bool(_TITLE_ATTR.search(own))
        # A headline may ask or exclaim (…如何完成？ 我们一起战斗！) where the markup says so.
        ends = _TERMINAL.search(text) and not (marked and text.endswith(("？", "！", "?", "!")))
        if not 2 <= len(text) <= 80 or is_meta_line(text) or ends or block.link:
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
        if largest is not None and type_size(block) == largest and largest >= 18:
            score += 3
        if text.startswith(("—", "-")):
            score -= 8
        score -= distance * 0.2
        if score > best_score:
            best, best_score = block, score
    return best


def _secondary(block: Block | None, title: Block) -> bool:
    """A block that could be a 引题 or 副题 beside `title`: short headline text, no metadata."""
    if block is None or block.link or block.img is not None:
        return False
    text = block.text
    if not 2 <= len(text) <= 80 or is_meta_line(text) or _is_byline(text):
        return False
    if _CHROME_TEXT.match(text) or _CHROME_ANY.search(text) or text == title.text:
        return False
    return not (_TERMINAL.search(text) and not text.endswith(("？", "！", "?", "!", "——", "—")))


def _smaller_type(block: Block, title: Block) -> bool:
    """Headline type under the title's in the same title group: a 引题 or 副题 by size alone."""
    if not _group(block, title):
        return False
    size, title_size = type_size(block), type_size(title)
    if size is not None and title_size is not None:
        return size < title_size
    return False


def title_block(fields: Fields, head: list[Block], title: Block) -> None:
    """The 引题, 副题 and byline around the chosen title."""
    position = next(i for i, b in enumerate(head) if b is title)
    before = head[position - 1] if position > 0 else None
    after = head[position + 1] if position + 1 < len(head) else None
    if _secondary(after, title):
        rule = _subtitle_rule(after, title)
        if rule:
            fields.put("subtitle", _LEADING_DASH.sub("", after.text), f"e-paper: {rule}")
    if _secondary(before, title) and not before.text.startswith(("—", "-")):
        rule = _kicker_rule(before, title)
        if rule:
            fields.put("kicker", before.text, f"e-paper: {rule}")
    byline_under_title(fields, head[position + 1 :])


def _subtitle_rule(after: Block, title: Block) -> str:
    where = f"{describe(after)} after the title"
    if after.text.startswith(("——", "—", "--")):
        return f"{where}, opening with ——"
    if _SUBTITLE_ATTR.search(_attrs(after.owner)):
        return f"{where}, subtitle class"
    if after.owner.name == "h2" and title.owner.name == "h1":
        return f"{where}, <h2> under the <h1>"
    if _smaller_type(after, title):
        return f"{where}, smaller headline type in the title group"
    return ""


def _kicker_rule(before: Block, title: Block) -> str:
    where = f"{describe(before)} before the title"
    if _KICKER_ATTR.search(_attrs(before.owner)):
        return f"{where}, kicker class"
    if before.owner.name == "h3" and title.owner.name == "h1":
        return f"{where}, <h3> over the <h1>"
    # A kicker that leads into the title ends with a dash: "…划归张湾区管理——".
    if before.text.endswith(("——", "—")):
        return f"{where}, ending with ——"
    if _smaller_type(before, title):
        return f"{where}, smaller headline type in the title group"
    return ""


def byline_under_title(fields: Fields, blocks: list[Block]) -> None:
    """A byline printed between the titles and the text (h4, p.sec, a 作者 cell, an info line)."""
    for block in blocks:
        if block.link:
            continue
        info = parse_info_line(block.text)
        if info is not None:
            if fields.put(
                "author", info.author, f"e-paper: 作者 in the info line {describe(block)}"
            ):
                return
            continue
        text = _strip_dateline(block.text)
        if text and _is_byline(text):
            fields.put("author", text, f"e-paper: byline under the title {describe(block)}")
            return


def describe(block: Block) -> str:
    """<h1 class="title">, the way --explain names the element a field came from."""
    attrs = _attrs(block.owner).strip()
    return f"<{block.owner.name}" + (f" {attrs}" if attrs else "") + ">"
