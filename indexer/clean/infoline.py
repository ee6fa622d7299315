"""The info line of an e-paper article page, and the 版次/版名 labels papers print.

Founder-like pages print the article's metadata in one line, in any order and with any
separator: "2025年01月22日 字数:1,408 版次:07", "版次：A07 | 作者：周明 | 2025-01-22",
"【字号 大 中 小】 发布日期：2025-01-22 第07版：经济". Such a line is never a 引题 or
副题, however it is marked up; `parse_info_line` tells it apart by reading every token it
knows and finding nothing else left.

版次 and 版名 come printed as 第07版：经济, 07版：经济, A07·要闻, A07版, 版次:07 or 版名：经济.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.clean.text import _DATE_ISO, _DATE_ZH, _squeeze, _valid_date, norm

__all__ = ["InfoLine", "parse_info_line", "parse_page", "parse_page_name", "pad_page"]

_NO = r"([A-Za-z]?\d{1,3})"
_NAME = r"([\u4e00-\u9fff][\u4e00-\u9fff ·]{0,9}[\u4e00-\u9fff]|[\u4e00-\u9fff])"
_COLON = r"\s*[:：】\]]\s*"
_COLON_OPT = r"\s*[:：】\]]?\s*"
# 版次 forms, most explicit first. "A07·要闻" needs the letter or the 版 to be a page label.
_PAGE_FORMS = (
    re.compile(rf"版\s*次{_COLON_OPT}(?:第\s*)?{_NO}\s*版?"),
    re.compile(rf"第\s*{_NO}\s*版"),
    re.compile(r"(?<![\w.\-/:])([A-Za-z]\d{1,3}|\d{1,3}\s*版)\s*[·•・]"),
    re.compile(rf"(?<![\w.\-/:]){_NO}\s*版(?![面权本])"),
)
_PAGE_BARE = re.compile(rf"^\s*{_NO}\s*(?:版)?\s*$")
# 版名 forms: after a page label and a colon or a middle dot, or after 版名：.
_NAME_FORMS = (
    re.compile(rf"版\s*名{_COLON}{_NAME}"),
    re.compile(rf"(?:第\s*)?[A-Za-z]?\d{{1,3}}\s*版\s*[:：·•・]\s*{_NAME}"),
    re.compile(rf"(?<![\w.\-/:])[A-Za-z]\d{{1,3}}\s*[·•・]\s*{_NAME}"),
)
_NAME_STOP = re.compile(r"\s{2,}|[|｜【\[]|第\s*\d+\s*版|\s\S+[:：]|\s*-\s*")

_LABEL = r"(?:作\s*者|[记記]\s*者|[来來]\s*源|[编編]\s*[辑輯]|[责責]\s*[编編]|[责責]任[编編][辑輯])"
# Every field an info line prints, except the 作者/来源 labels (whose names end at these).
_FIELDS = [
    _DATE_ZH.pattern + r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?",
    _DATE_ISO.pattern + r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?",
    r"星\s*期\s*[一二三四五六日天]|周[一二三四五六日]",
    r"字\s*[数數]" + _COLON + r"\d[\d,，]*",
    r"版\s*次" + _COLON_OPT + r"(?:第\s*)?[A-Za-z]?\d{1,3}\s*版?",
    r"版\s*名" + _COLON + _NAME,
    r"(?:第\s*)?[A-Za-z]?\d{1,3}\s*版\s*(?:[:：·•・]\s*" + _NAME + ")?",
    r"[A-Za-z]\d{1,3}\s*[·•・]\s*" + _NAME,
    r"(?:出版|[发發][布佈]|刊[发發])?(?:日\s*期|[时時]\s*[间間])\s*[:：]",
    r"字\s*[号號]\s*[:：]?\s*(?:[大中小]\s*){0,3}",
    r"(?:[浏瀏][览覽]|[阅閱][读讀]|[点點][击擊])(?:次[数數]|量)?\s*[:：]\s*\d+",
]
_TOKENS = re.compile("|".join(_FIELDS))
_SEPARATORS = re.compile(r"[\s|｜/／·•・【】\[\]（）()<>《》,，;；:：\-—_]+")
_LABELLED = re.compile(_LABEL + _COLON)
_AUTHOR_STOP = re.compile(r"[|｜/／【\[]|\s{2,}")
_WORD_COUNT = re.compile(r"字\s*[数數]" + _COLON + r"(\d[\d,，]*)")
_TURN = re.compile(r"[上下]\s*接|[上下]?\s*转\s*(?:第|[A-Za-z]?\d)|接\s*第")  # 转版 markers


@dataclass
class InfoLine:
    """What one info line says; empty strings for what it does not print."""

    date: str = ""
    page: str = ""
    page_name: str = ""
    author: str = ""
    word_count: int = 0


def parse_info_line(text: str) -> InfoLine | None:
    """The fields of an info line, or None when `text` is anything else (a title, prose,
    a 转版 marker such as （下转第3版））."""
    text = norm(text)
    if not text or len(text) > 120 or _TURN.search(text):
        return None
    author, rest = _take_labels(text)
    if _SEPARATORS.sub("", _TOKENS.sub(" ", rest)):
        return None  # something besides metadata is printed here
    found = InfoLine(
        date=parse_date(rest),
        page=parse_page(rest),
        page_name=parse_page_name(rest),
        author=author,
        word_count=parse_word_count(rest),
    )
    if not (found.date or found.page or found.page_name or found.word_count or found.author):
        return None
    return found


def parse_date(text: str) -> str:
    for pattern in (_DATE_ZH, _DATE_ISO):
        for match in pattern.finditer(text):
            found = _valid_date(*match.groups())
            if found:
                return found
    return ""


def pad_page(number: str) -> str:
    """版次 as stored: "7" → "07", "a7" → "A07"."""
    number = re.sub(r"\s|版", "", number)
    letter = number[0].upper() if number[0].isalpha() else ""
    digits = number[1:] if letter else number
    return letter + digits.zfill(2)


def parse_page(text: str, *, bare: bool = False) -> str:
    """版次 from a printed label; `bare` also reads a lone "07" (an element that is the label)."""
    text = norm(text)
    if _TURN.search(text):
        return ""
    for pattern in _PAGE_FORMS:
        match = pattern.search(text)
        if match:
            return pad_page(match.group(1))
    match = _PAGE_BARE.match(text) if bare else None
    return pad_page(match.group(1)) if match else ""


def parse_page_name(text: str, *, bare: bool = False) -> str:
    """版名 from 第07版：经济, A07·要闻 or 版名：经济; `bare` also reads a lone short name."""
    text = norm(text)
    for pattern in _NAME_FORMS:
        match = pattern.search(text)
        if match:
            return _squeeze(_NAME_STOP.split(match.group(1))[0].strip())
    if bare and re.fullmatch(r"[\u4e00-\u9fff][\u4e00-\u9fff ]{0,9}", text):
        return _squeeze(text)
    return ""


def parse_word_count(text: str) -> int:
    match = _WORD_COUNT.search(text)
    return int(re.sub(r"[,，]", "", match.group(1))) if match else 0


def _take_labels(text: str) -> tuple[str, str]:
    """The name after 作者：/记者：, and the line without its labelled names (作者, 来源, 编辑),
    each of which ends at the next field the line prints or at a separator."""
    author = ""
    while (label := _LABELLED.search(text)) is not None:
        rest = text[label.end() :]
        ends = [m.start() for m in (_AUTHOR_STOP.search(rest),) if m]
        ends += [m.start() for m in _TOKENS.finditer(rest) if m.start() > 0]
        end = min(ends, default=len(rest))
        if re.match(r"作|[记記]", label.group(0)) and not author:
            author = norm(rest[:end])
        text = text[: label.start()] + " " + rest[end:]
    return author, text
