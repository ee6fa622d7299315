"""Extractor 1: site profiles (indexer/profiles.py). Each field is read where the profile
says, by CSS selector or XPath, and every field records the selector that found it."""

from __future__ import annotations

import re

import soupsieve
from bs4 import BeautifulSoup, Tag
from lxml import etree

from indexer.clean.body import (
    _captions,
    _decorative,
    _sections,
    _strip_dateline,
)
from indexer.clean.infoline import parse_date, parse_page, parse_page_name, parse_word_count
from indexer.clean.page import Fields, Page, _is_chrome, blocks_of
from indexer.clean.text import _LEADING_DASH, norm
from indexer.profiles import Profile, ProfileError, is_xpath


def select(page: Page, selector: str) -> list[Tag | str]:
    """The page's elements (or, for an XPath ending in text() or @attr, strings) `selector`
    finds; an XPath result is mapped back onto the parsed page by its path."""
    try:
        if not is_xpath(selector):
            return list(page.soup.select(selector))
        found = page.tree.xpath(selector)
    except (soupsieve.SelectorSyntaxError, etree.XPathError) as exc:
        raise ProfileError(f"bad selector {selector!r}: {exc}") from exc
    if not isinstance(found, list):
        found = [found]
    out: list[Tag | str] = []
    for item in found:
        if isinstance(item, str):
            out.append(str(item))
        elif isinstance(item, etree._Element):
            tag = _soup_at(page.soup, page.tree.getroottree().getpath(item))
            if tag is not None:
                out.append(tag)
    return out


def _soup_at(soup: BeautifulSoup, path: str) -> Tag | None:
    """The element of `soup` at an lxml path such as /html/body/div[2]/p[1]."""
    node: Tag = soup
    for step in path.strip("/").split("/"):
        match = re.fullmatch(r"([\w:-]+)(?:\[(\d+)\])?", step)
        if match is None:
            return None
        same = [c for c in node.children if isinstance(c, Tag) and c.name == match[1]]
        index = int(match[2] or 1) - 1
        if index >= len(same):
            return None
        node = same[index]
    return node


def _text(item: Tag | str) -> str:
    return norm(item if isinstance(item, str) else item.get_text())


def _first(page: Page, selectors: tuple[str, ...], read) -> tuple[str, str, Tag | None]:
    """The first value `read` finds in what the selectors select: (value, selector, element)."""
    for selector in selectors:
        for item in select(page, selector):
            value = read(_text(item))
            if value:
                return value, selector, item if isinstance(item, Tag) else None
    return "", "", None


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


def applies(page: Page, profile: Profile) -> bool:
    return profile.matches_url(page.url or page.enp.get("url", "")) and all(
        select(page, s) for s in profile.detect
    )


def extract_profile(page: Page, profile: Profile) -> Fields | None:
    """The fields `profile` finds on the page, or None when it does not apply."""
    if not applies(page, profile):
        return None
    fields = Fields(extractor=f"profile {profile.name}")
    rule = f"profile {profile.name}: {{}}".format

    def read(name: str, parse) -> Tag | None:
        value, selector, element = _first(page, getattr(profile, name), parse)
        fields.put(name, value, rule(selector))
        return element

    title_el = read("title", lambda t: t)
    read("kicker", lambda t: t)
    read("subtitle", lambda t: _LEADING_DASH.sub("", t))
    read("date", parse_date)
    read("page", lambda t: parse_page(t, bare=True))
    read("page_name", lambda t: parse_page_name(t, bare=True))
    byline, byline_selector, _ = _first(page, profile.author, _strip_dateline)
    bodies = [el for s in profile.body for el in select(page, s) if isinstance(el, Tag)]
    images = [el for s in profile.images for el in select(page, s) if isinstance(el, Tag)]
    images = [img for img in images if img.name == "img"]
    if not bodies:
        # A photo story may come without the body element at all.
        fields.captions = _captions(images)[0]
        fields.put("author", byline, rule(byline_selector))
        return fields
    body = bodies[0]
    captions, used = _captions(images or _region_images(page.soup, title_el, body))
    blocks = [b for b in blocks_of(body) if not _is_chrome(b)]
    fields.sections, author = _sections(blocks, used)
    # The byline may sit in its own element beside a date line (人民日报's p.sec).
    fields.put("author", author, rule("byline atop the body"))
    fields.put("author", byline, rule(byline_selector))
    fields.captions = captions
    fields.word_count = parse_word_count(page.visible_text[:20000])
    return fields
