"""转版 joining: an article that runs on two pages arrives as two parts (two ids), the head
ending "（下转第X版）" and the continuation starting "（上接第P版）". The store keeps the parts
as cleaned and joins them on read; this module decides which parts belong together."""

from __future__ import annotations

import re

from indexer.article import Article, Section

__all__ = ["join_continuations", "may_join", "page_number"]

_NUM = r"[0-9０-９〇零一二三四五六七八九十]+"
# "（下转第3版）", "(转第三版)", "转第03版" — at the end of the head part.
_FORWARD = re.compile(rf"[（(]?\s*(?:下)?转(?:第)?\s*({_NUM})\s*版\s*[）)]?")
# "（上接第1版）", "上接第一版" — at the start of the continuation.
_BACKWARD = re.compile(rf"[（(]?\s*(?:上接|接上|紧接)(?:第)?\s*({_NUM})\s*版\s*[）)]?")
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_TITLE_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def page_number(text: str) -> int | None:
    """'07' → 7, '三' → 3, '十二' → 12, '０３' → 3; None if it is not a page number."""
    text = text.strip()
    if not text:
        return None
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_CN_DIGITS.get(tens, -100) if tens else 1) * 10
        value += _CN_DIGITS.get(ones, -100) if ones else 0
        return value if value > 0 else None
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def _norm_title(text: str) -> str:
    return _TITLE_NOISE.sub("", text)


def _forward_target(article: Article) -> tuple[int, re.Match[str]] | None:
    """The page a head part continues on: its last paragraph carries the marker."""
    paragraphs = article.paragraphs
    if not paragraphs:
        return None
    matches = list(_FORWARD.finditer(paragraphs[-1]))
    if not matches:
        return None
    number = page_number(matches[-1].group(1))
    return (number, matches[-1]) if number is not None else None


def _backward_source(article: Article) -> int | None:
    """The page a continuation comes from: its first paragraph starts with the marker."""
    paragraphs = article.paragraphs
    if not paragraphs:
        return None
    match = _BACKWARD.match(paragraphs[0].lstrip())
    return page_number(match.group(1)) if match else None


def _titles_match(head: Article, tail: Article) -> bool:
    head_titles = {_norm_title(head.title), _norm_title(head.kicker)} - {""}
    tail_titles = {_norm_title(tail.title), _norm_title(tail.kicker)} - {""}
    return bool(head_titles & tail_titles)


def _strip_paragraphs(sections: list[Section], first: bool, pattern: re.Pattern[str]):
    """Copy of sections with the marker removed from the first or last paragraph."""
    copied = [Section(s.heading, list(s.paragraphs)) for s in sections]
    carriers = [s for s in copied if s.paragraphs]
    if not carriers:
        return copied
    section = carriers[0] if first else carriers[-1]
    index = 0 if first else -1
    text = section.paragraphs[index]
    if first:
        text = pattern.sub("", text.lstrip(), count=1)
    else:
        matches = list(pattern.finditer(text))
        if matches:
            last = matches[-1]
            text = text[: last.start()] + text[last.end() :]
    text = text.strip()
    if text:
        section.paragraphs[index] = text
    else:
        del section.paragraphs[index]
    return [s for s in copied if s.paragraphs or s.heading]


def _join_pair(head: Article, tail: Article) -> Article:
    head_sections = _strip_paragraphs(head.sections, first=False, pattern=_FORWARD)
    tail_sections = _strip_paragraphs(tail.sections, first=True, pattern=_BACKWARD)
    # The continuation's heading-less first run continues the head's last section.
    if tail_sections and not tail_sections[0].heading and head_sections:
        head_sections[-1].paragraphs.extend(tail_sections[0].paragraphs)
        tail_sections = tail_sections[1:]
    sections = head_sections + tail_sections
    pages = list(head.pages or [head.page])
    pages += [p for p in (tail.pages or [tail.page]) if p and p not in pages]
    return Article(
        id=head.id,
        paper=head.paper or tail.paper,
        date=head.date or tail.date,
        page=head.page,
        page_name=head.page_name or tail.page_name,
        kicker=head.kicker,
        title=head.title or tail.title,
        subtitle=head.subtitle or tail.subtitle,
        author=head.author or tail.author,
        sections=sections,
        captions=list(head.captions) + list(tail.captions),
        body="\n".join(p for s in sections for p in s.paragraphs),
        word_count=(head.word_count or 0) + (tail.word_count or 0),
        url=head.url,
        source=head.source,
        fetched_at=max(head.fetched_at, tail.fetched_at),
        pages=pages,
    )


def join_continuations(parts: list[Article]) -> tuple[list[Article], dict[str, str]]:
    """Join 转版 parts (all of one paper and date) into whole articles.

    Returns the joined list, in the order of the head parts, and a map part id → head id for
    every part that was folded into another. A head "…（下转第X版）" on page P joins the
    continuation on page X that starts "（上接第P版）" and has the same title (or its kicker
    equals the head's title, or the other way round). Chains (1→4→8) join step by step.
    """
    articles = list(parts)
    folded: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for i, head in enumerate(articles):
            target = _forward_target(head)
            if target is None:
                continue
            tail = _find_tail(articles, head, target[0])
            if tail is None:
                continue
            j = articles.index(tail)
            articles[i] = _join_pair(head, tail)
            del articles[j]
            folded[tail.id] = head.id
            for part, into in folded.items():
                if into == tail.id:
                    folded[part] = head.id
            changed = True
            break
    return articles, folded


def _find_tail(articles: list[Article], head: Article, target_page: int) -> Article | None:
    head_page = page_number(head.page)
    for candidate in articles:
        if candidate is head or page_number(candidate.page) != target_page:
            continue
        if _backward_source(candidate) != head_page:
            continue
        if _titles_match(head, candidate):
            return candidate
    return None


# A cheap superset of _FORWARD and _BACKWARD, run on a stored JSON line: a part it does not match
# can be neither a head nor a continuation, so the joiner need not parse it. White space may
# appear JSON-escaped in the line (\t, \u001f).
_MARKER_HINT = re.compile(rf"(?:转|接上?)第?(?:\s|\\[tnrfb]|\\u00[0-9a-fA-F]{{2}}|{_NUM})*版")


def may_join(line: str) -> bool:
    """False when the part stored as this JSON line can take no part in a 转版 join."""
    return _MARKER_HINT.search(line) is not None
