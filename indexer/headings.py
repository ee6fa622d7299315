"""小标题 in plain text: find the heading lines of an article imported as one `body` string.

Exports from other systems flatten an article to paragraphs, and its section headings become
lines like any other. A heading line is recognised by its shape and its place: short, no
sentence-closing punctuation, not a byline, credit or dateline, and standing between two
paragraphs of running text. A sentence wrongly made a heading is worse than a missed heading,
so every rule errs towards "paragraph"; docs/cleaning.md has the measured precision and recall.
"""

from __future__ import annotations

import re
from dataclasses import replace

from indexer.article import Article, Section

MAX_CHARS = 36
MIN_CHARS = 4  # two-character labels (河 北, 入 行) are too often something else
MIN_PARAGRAPH = 30  # the line after a heading is running text at least this long
# Box labels that open an article's first line as well as any later one.
RUBRICS = frozenset({"核心阅读", "内容提要", "■链接", "链接", "知识链接", "背景链接", "相关链接"})

_SENTENCE_END = re.compile(r"[。！？；：:，、,…—.!?;）)】\]]$")
_SENTENCE_INSIDE = re.compile(r"[。；！？]")
# Credits, bylines, datelines, sources and editors' notes: short lines that are not headings.
_NOT_HEADING = re.compile(
    r"摄|记者|通讯员|特约|编辑|责编|制图|版式|统筹|整理|来源|说明|电子信箱|@|"
    r"^图[①-⑳\d]|^[（(【〔]|^——|广告|：\d+岁|"
    r"\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日电|本报[^\s]{0,8}电"
)
_MOSTLY_DIGITS = re.compile(r"^[\d.,%％+×万亿千百个起件名人余多\s]+$")


def with_detected_headings(article: Article) -> Article | None:
    """The article with its plain body cut into sections at 小标题, or None when it already has
    headings, came from a page (the cleaner read its markup) or has none to find."""
    if article.source or article.headings:
        return None
    sections = detect_sections(article.body, article.title)
    if not any(s.heading for s in sections):
        return None
    body = "\n".join(p for s in sections for p in s.paragraphs)
    return replace(article, sections=sections, body=body)


def detect_sections(body: str, title: str = "") -> list[Section]:
    """The body's lines as sections, each heading line opening a new one."""
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    flags = heading_flags(lines, title)
    sections = [Section("", [])]
    for line, is_heading in zip(lines, flags, strict=True):
        if is_heading:
            sections.append(Section(line, []))
        else:
            sections[-1].paragraphs.append(line)
    return [s for s in sections if s.heading or s.paragraphs]


def heading_flags(lines: list[str], title: str = "") -> list[bool]:
    """For each non-empty line, whether it is a 小标题."""
    flags = [False] * len(lines)
    for first, last in _heading_runs(lines, title):
        lead = lines[first]
        # The first line of a run of two or three is a heading when it reads like one of a
        # pair (a quote or a short label); a longer plain line there, or one ending in ——, is
        # more often a speaker's name and post than a heading.
        keep_lead = first == last or _is_label(lead)
        for i in range(first if keep_lead else first + 1, last + 1):
            flags[i] = True
    # A lone candidate in a long text is more often an emphasised sentence than a heading:
    # papers set 小标题 in series.
    return flags if sum(flags) >= 2 else [False] * len(lines)


def _heading_runs(lines: list[str], title: str) -> list[tuple[int, int]]:
    """(first, last) of each run of at most three heading-shaped lines between paragraphs."""
    runs = []
    i = 0
    while i < len(lines):
        last = i
        while last < len(lines) and _heading_shape(lines[last], title):
            last += 1
        if last > i:
            if _run_stands_alone(lines, i, last - 1):
                runs.append((i, last - 1))
            i = last
        else:
            i += 1
    return runs


def _run_stands_alone(lines: list[str], first: int, last: int) -> bool:
    if last - first > 2 or last + 1 >= len(lines) or not _is_paragraph(lines[last + 1]):
        return False
    if first == last and lines[first].endswith("—"):
        return False
    if first == 0:
        return _compact(lines[0]) in RUBRICS
    before = lines[first - 1]
    return _is_paragraph(before) or bool(_SENTENCE_END.search(before))


def _is_label(line: str) -> bool:
    compact = _compact(line)
    return (
        len(compact) <= 8
        or (compact.startswith("“") and compact.endswith("”"))
        or compact in RUBRICS
    )


def _heading_shape(line: str, title: str) -> bool:
    compact = _compact(line)
    bare = compact.removesuffix("——")
    return (
        MIN_CHARS <= len(bare) <= MAX_CHARS
        and compact != _compact(title)
        and not _SENTENCE_END.search(bare)
        and not _SENTENCE_INSIDE.search(bare)
        and not _NOT_HEADING.search(bare)
        and not _MOSTLY_DIGITS.match(bare)
    )


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_paragraph(line: str) -> bool:
    return len(line) >= MIN_PARAGRAPH and bool(re.search(r"[。！？…”’」]$", line))
