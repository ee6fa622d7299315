"""E-paper article page (bytes) → Article, or a CleanError that says why not.

Built like trafilatura: layers of extraction, most specific first, each able to say why.

1. Site profiles (indexer/profiles.py, TOML data): CSS selectors or XPath per field, for the
   systems we know (湖北日报's Founder pc system, classic Founder content_N.htm, 人民日报)
   and for any site a newsroom describes in DATA/profiles/ or with `--profile`.
2. E-paper heuristics (generic.py, infoline.py, checks.py) for Founder-like pages never seen
   before: the info line (date, 字数, 版次, author in any order), 版次/版名 from every place
   a page prints them, cross-checked; 引题/标题/副题 by position and markup; the byline.
3. The generic fallback (generic.py): the body is the container holding the most prose.

Every field records the layer and rule that produced it (`explain_page`); a field whose
evidence is weak or contradictory is left empty and reported (checks.py), never guessed.

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

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from indexer.article import Article, Caption, make_id
from indexer.clean.body import _decorative_src
from indexer.clean.checks import check_fields, fill_from_enpproperty, fill_from_patterns, paper_of
from indexer.clean.generic import extract_generic
from indexer.clean.page import Fields, Page, enpproperty
from indexer.clean.profile_engine import extract_profile
from indexer.clean.text import _CHROME_ANY, _CHROME_TEXT, _CONTENT_LINK
from indexer.decode import DecodeError, decode_html
from indexer.limits import MAX_PAGE_BYTES, too_big
from indexer.profiles import PROFILES, Profile

log = logging.getLogger(__name__)


class CleanError(ValueError):
    """The page holds no article we can extract; the message is the reason."""


class LayoutPageError(CleanError):
    """The page is a layout page (版面): expected in a site folder, not an error in it."""


@dataclass
class Cleaned:
    """The article a page gives, and how: `rules` names, per field, the layer and rule that
    found it; `rejected` names the fields left empty on purpose, and why."""

    article: Article
    extractor: str
    rules: dict[str, str]
    rejected: dict[str, str]


# --- entry point ---------------------------------------------------------------------------


def clean_page(
    data: bytes,
    *,
    url: str = "",
    content_type: str | None = None,
    paper: str = "",
    profiles: tuple[Profile, ...] = PROFILES,
) -> Article:
    """Extract the article from one e-paper article page; CleanError says why when it can't."""
    return explain_page(
        data, url=url, content_type=content_type, paper=paper, profiles=profiles
    ).article


def explain_page(
    data: bytes,
    *,
    url: str = "",
    content_type: str | None = None,
    paper: str = "",
    profiles: tuple[Profile, ...] = PROFILES,
) -> Cleaned:
    """clean_page, with the rule behind every field and the fields left empty on purpose."""
    if not data:
        raise CleanError("empty file: 0 bytes")
    if len(data) > MAX_PAGE_BYTES:
        raise CleanError(too_big(len(data)))
    try:
        text = decode_html(data, content_type)
    except DecodeError as exc:
        raise CleanError(str(exc)) from exc
    try:
        return explain_html(text, url=url, paper=paper, profiles=profiles)
    except RecursionError:
        # BeautifulSoup walks the tree recursively: tags nested thousands deep (no real page
        # nests more than a few dozen) end here, as a page that cannot be read.
        raise CleanError("tags nested too deeply to read (thousands of levels)") from None


def _stable_url(url: str) -> str:
    """The URL an id may rest on: a file:// path differs between machines, a web address doesn't."""
    return url if urlsplit(url).scheme in ("http", "https") else ""


def clean_html(
    text: str, *, url: str = "", paper: str = "", profiles: tuple[Profile, ...] = PROFILES
) -> Article:
    """clean_page for a page already decoded to text; `profiles=()` runs the heuristics alone
    (how tests show they cope with templates no profile describes)."""
    return explain_html(text, url=url, paper=paper, profiles=profiles).article


def explain_html(
    text: str, *, url: str = "", paper: str = "", profiles: tuple[Profile, ...] = PROFILES
) -> Cleaned:
    """explain_page for a page already decoded to text."""
    if not text.strip():
        raise CleanError("empty file: only white space")
    truncated = _truncation(text)
    if truncated:
        raise CleanError(f"truncated HTML: {truncated}; refusing a partial article")
    if not re.search(r"<[a-zA-Z!]", text):
        raise CleanError("not HTML: no tags at all (a plain-text file?)")
    page = Page(text, BeautifulSoup(text, "lxml"), url, enpproperty(text))
    fields, profile = _extract(page, profiles)
    log.debug("%s: extracted by %s", url or "(no url)", fields.extractor)
    check_fields(fields, page)
    fill_from_patterns(fields, page)
    # A page's own address (enpproperty) says more than the local file it was read from.
    page_url = _stable_url(url) or page.enp.get("url", "") or url
    paper_name = paper or (profile.paper if profile else "") or paper_of(page, page_url)
    article = Article(
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
    rules = dict(fields.rules)
    if paper_name:
        rules["paper"] = (
            "given (--paper)"
            if paper
            else f"profile {profile.name}"
            if profile and profile.paper
            else "page: host, 《…》 date line, copyright or <title>"
        )
    for name in ("sections", "captions"):
        if getattr(fields, name):
            rules.setdefault(name, fields.extractor)
    return Cleaned(article, fields.extractor, rules, dict(fields.rejected))


def _extract(page: Page, profiles: tuple[Profile, ...]) -> tuple[Fields, Profile | None]:
    """The fields of the first extractor that finds an article, and its profile if any."""
    photo_only: tuple[Fields, Profile] | None = None  # a profile's title and photos
    title_only = ""
    for profile in profiles:
        fields = extract_profile(page, profile)
        if fields is None:
            continue
        fill_from_enpproperty(fields, page)
        if fields.paragraphs and fields.title:
            return fields, profile
        if not fields.paragraphs and _real_title(fields.title):
            if _has_photo(fields.captions):
                photo_only = photo_only or (fields, profile)
            title_only = title_only or fields.title
    strong, weak = _layout_evidence(page.soup)
    fields = extract_generic(page)
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
        fill_from_enpproperty(fields, page)
        if not fields.title:
            raise CleanError("no article found: paragraphs but no title above them")
        return fields, None
    # A photo story (图片报道): a title, photos and their captions, no paragraphs. It is taken
    # only when no extractor finds text, so a skin whose body a profile misses still goes
    # to the generic extractor instead of losing its text.
    if photo_only is not None:
        return photo_only
    if fields is not None:
        fill_from_enpproperty(fields, page)
        if _real_title(fields.title) and _has_photo(fields.captions):
            return fields, None
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
