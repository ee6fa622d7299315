"""The generic extractor, for templates never seen before: the body by text density, the
title block above it by position and markup, the printed metadata around it."""

from __future__ import annotations

from bs4 import Tag

from indexer.clean.body import (
    _captions,
    _decorative,
    _in_any,
    _sections,
)
from indexer.clean.headline import describe, is_meta_line, pick_title, title_block
from indexer.clean.infoline import (
    parse_date,
    parse_info_line,
    parse_page,
    parse_page_name,
    parse_word_count,
)
from indexer.clean.page import Block, Fields, Page, _attrs, _is_chrome, _is_prose
from indexer.clean.text import (
    _BLOCK_TAGS,
    _HEADLINE_ATTR,
    _LEADING_DASH,
    _PAGE_ATTR,
    _PARA_TAGS,
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
    title_at = pick_title(head, page)
    shared: list[Block] = []
    if title_at is None and in_body:
        # Skins without a content box print the titles in the body's own container: the
        # body then starts at its first paragraph of prose, the title block above it.
        first = min(b.index for b in in_body if b.img is None and _is_prose(b.text))
        head = [b for b in live if b.index < first and b.img is None]
        title_at = pick_title(head, page)
        after_title = title_at.index if title_at is not None else first - 1
        shared = [b for b in in_body if after_title < b.index < first]
        in_body = [b for b in in_body if b.index >= first]
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
    head = [b for b in head if b.index not in caption_blocks]
    if title_at is not None:
        fields.put(
            "title", title_at.text, f"generic: {describe(title_at)}, best title above the body"
        )
        title_block(fields, head, title_at)
    # Of the blocks between a shared container's title block and its prose, what is not a
    # headline, byline or metadata is the body's start: （上接第1版）, a first 小标题.
    taken = {fields.kicker, fields.subtitle, fields.author}
    shared = [b for b in shared if _LEADING_DASH.sub("", b.text) not in taken]
    body_blocks = [b for b in shared + in_body if b.index not in caption_blocks and b.img is None]
    # Some skins print the date/字数/版次 line inside the content box, above the text.
    while body_blocks and is_meta_line(body_blocks[0].text):
        body_blocks.pop(0)
    fields.sections, author = _sections(body_blocks, set())
    fields.put("author", author, "generic: byline atop the body")
    # Around a photo story the captions are the text; they are not the page's date line.
    outside = (
        [b for b in live if b.img is None and not b.inside(body)]
        if body is not None
        else [b for b in live if b.img is None and b.index not in caption_blocks]
    )
    _meta_fields(fields, outside)
    return fields


def _meta_fields(fields: Fields, blocks: list[Block]) -> None:
    """Date, 版次, 版名, 字数 and 作者 from the printed lines outside the body (not from links)."""
    for block in blocks:
        if block.link:
            continue
        text, where = block.text, describe(block)
        info = parse_info_line(text)
        if info is not None:
            fields.put("date", info.date, f"e-paper: info line {where}")
            fields.put("page", info.page, f"e-paper: info line {where}")
            fields.put("page_name", info.page_name, f"e-paper: info line {where}")
            fields.put("author", info.author, f"e-paper: 作者 in the info line {where}")
            fields.word_count = fields.word_count or info.word_count
            continue
        fields.put("date", parse_date(text), f"generic: date printed outside the body {where}")
        # A bare "02" counts only where the markup names it: <p id="nowLayout">.
        hinted = _PAGE_ATTR.search(_attrs(block.owner))
        fields.put("page", parse_page(text, bare=bool(hinted)), f"e-paper: 版次 label {where}")
        fields.put("page_name", parse_page_name(text), f"e-paper: 版名 label {where}")
        fields.word_count = fields.word_count or parse_word_count(text)
