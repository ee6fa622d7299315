"""The generic extractor, for templates never seen before: the body by text density, the
title block above it by position and markup, the printed metadata around it."""

from __future__ import annotations

import re

from bs4 import Tag

from indexer.clean.body import (
    _captions,
    _decorative,
    _in_any,
    _is_byline,
    _sections,
    _strip_dateline,
)
from indexer.clean.infoline import (
    parse_date,
    parse_page,
    parse_page_name,
    parse_word_count,
)
from indexer.clean.page import Block, Fields, Page, _attrs, _is_chrome, _is_prose
from indexer.clean.text import (
    _AUTHOR_LABEL,
    _BLOCK_TAGS,
    _CHROME_TEXT,
    _HEADLINE_ATTR,
    _KICKER_ATTR,
    _LEADING_DASH,
    _PAGE_ATTR,
    _PAGE_LABEL,
    _PAGE_PRINTED,
    _PARA_TAGS,
    _SUBTITLE_ATTR,
    _TERMINAL,
    _TITLE_ATTR,
    _WORD_COUNT,
    norm,
)

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


def extract_generic(page: Page) -> Fields | None:
    """The body by text density, the title block above it, the metadata around it."""
    blocks = page.blocks
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
    fields.sections, author = _sections(body_blocks, set())
    fields.put("author", author, "generic: byline atop the body")
    head = [b for b in head if b.index not in caption_blocks]
    if title_at is not None:
        fields.put(
            "title", title_at.text, f"generic: {_describe(title_at)}, best title above the body"
        )
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
            fields.put(
                "subtitle",
                _LEADING_DASH.sub("", after.text),
                f"e-paper: {_describe(after)} after the title, —— or subtitle markup",
            )
        elif after.owner.name == "h2" and title.owner.name == "h1":
            fields.put("subtitle", after.text, "e-paper: <h2> after the <h1>")
    if before is not None and not _is_meta_line(before.text) and len(before.text) <= 80:
        by_markup = _KICKER_ATTR.search(_attrs(before.owner)) or (
            before.owner.name == "h3" and title.owner.name == "h1"
        )
        # A kicker that leads into the title ends with a dash: "…划归张湾区管理——".
        by_dash = before.text.endswith(("——", "—")) and not _CHROME_TEXT.match(before.text)
        if by_markup or by_dash:
            fields.put(
                "kicker",
                before.text,
                f"e-paper: {_describe(before)} before the title, kicker markup or ending ——",
            )
    if not fields.author:
        # A byline printed between the titles and the text (h4, p.sec, a 作者 cell).
        for block in head[position + 1 :]:
            text = _strip_dateline(block.text)
            labelled = _AUTHOR_LABEL.search(text)
            if labelled and not block.link:
                fields.put(
                    "author", norm(labelled.group(1)), "e-paper: 作者/记者 label under the title"
                )
                break
            if text and not block.link and _is_byline(text):
                fields.put("author", text, "e-paper: byline under the title")
                break


def _meta_fields(fields: Fields, blocks: list[Block]) -> None:
    """Date, 版次, 版名 and 字数 from the printed lines outside the body (not from link lists)."""
    for block in blocks:
        text = block.text
        if not fields.date and not block.link:
            fields.put(
                "date",
                parse_date(text),
                f"generic: date printed outside the body ({_describe(block)})",
            )
        if not fields.page and not block.link:
            # A bare "02" counts only where the markup names it: <p id="nowLayout">.
            hinted = _PAGE_ATTR.search(_attrs(block.owner))
            fields.put(
                "page",
                parse_page(text, bare=bool(hinted)),
                f"e-paper: 版次 label ({_describe(block)})",
            )
        if not fields.page_name and not block.link:
            fields.put(
                "page_name", parse_page_name(text), f"e-paper: 版名 label ({_describe(block)})"
            )
        if not fields.word_count:
            fields.word_count = parse_word_count(text)
        if not fields.author and not block.link:
            match = _AUTHOR_LABEL.search(text)
            fields.put(
                "author",
                norm(match.group(1)) if match else "",
                f"e-paper: 作者 label ({_describe(block)})",
            )


def _describe(block: Block) -> str:
    """<h1 class="title">, the way --explain names the element a field came from."""
    attrs = _attrs(block.owner).strip()
    return f"<{block.owner.name}" + (f" {attrs}" if attrs else "") + ">"
