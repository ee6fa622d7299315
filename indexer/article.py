"""The article model that flows between every stage of the pipeline."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Section:
    """A run of paragraphs under one 小标题 (heading is "" before the first one)."""

    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Caption:
    """A photo caption and the image it belongs to."""

    text: str
    src: str = ""


@dataclass
class Article:
    id: str
    paper: str = ""
    date: str = ""  # ISO YYYY-MM-DD
    page: str = ""  # 版次, zero-padded as printed: "07"
    page_name: str = ""  # 版名, e.g. 要闻
    kicker: str = ""  # 引题
    title: str = ""
    subtitle: str = ""  # 副题, without the leading ——
    author: str = ""  # byline, e.g. 本报记者 …
    sections: list[Section] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    body: str = ""  # paragraphs joined by "\n"
    word_count: int = 0  # 字数 as printed, or computed
    url: str = ""
    source: str = ""  # where the raw page is kept, relative to the data dir
    fetched_at: str = ""  # ISO timestamp
    # 转版: every page the article runs on, the first one equal to `page`.
    pages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.body and self.sections:
            self.body = "\n".join(p for s in self.sections for p in s.paragraphs)
        if not self.sections and self.body:
            self.sections = [Section("", [p for p in self.body.split("\n") if p.strip()])]
        if not self.word_count:
            self.word_count = count_chars(self.body)
        if self.page and not self.pages:
            self.pages = [self.page]

    @property
    def headings(self) -> list[str]:
        return [s.heading for s in self.sections if s.heading]

    @property
    def paragraphs(self) -> list[str]:
        return [p for s in self.sections for p in s.paragraphs]

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, built by hand: asdict's deep copy was a third of the
        # time of a bulk import.
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["sections"] = [
            {"heading": s.heading, "paragraphs": list(s.paragraphs)} for s in self.sections
        ]
        data["captions"] = [{"text": c.text, "src": c.src} for c in self.captions]
        data["pages"] = list(self.pages)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)

    def content_hash(self) -> str:
        """A digest of what the article says, ignoring when it was fetched."""
        data = self.to_dict()
        data.pop("fetched_at", None)
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build an article from the model's field names; unknown keys are ignored.

        Exports from other systems carry nulls and extra fields, so None becomes
        the field's empty value and extras are dropped.
        """
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v is not None}
        if "id" not in values or not str(values["id"]).strip():
            values["id"] = make_id(
                str(values.get("paper", "")),
                str(values.get("url", "")),
                str(values.get("date", "")),
                str(values.get("page", "")),
                str(values.get("title", "")),
            )
        values["sections"] = [_section(s) for s in values.get("sections", [])]
        values["captions"] = [_caption(c) for c in values.get("captions", [])]
        for name in ("id", "paper", "date", "page", "page_name", "kicker", "title"):
            if name in values:
                values[name] = str(values[name])
        values["pages"] = [str(p) for p in values.get("pages", [])]
        values["word_count"] = _to_int(values.get("word_count", 0))
        return cls(**values)

    @classmethod
    def from_json(cls, line: str) -> Article:
        return cls.from_dict(json.loads(line))


_FIELD_NAMES = tuple(f.name for f in fields(Article))


def _section(value: Any) -> Section:
    if isinstance(value, Section):
        return value
    return Section(str(value.get("heading") or ""), [str(p) for p in value.get("paragraphs") or []])


def _caption(value: Any) -> Caption:
    if isinstance(value, Caption):
        return value
    if isinstance(value, str):
        return Caption(value)
    return Caption(str(value.get("text") or ""), str(value.get("src") or ""))


def _to_int(value: Any) -> int:
    try:
        return int(str(value).replace(",", "").strip() or 0)
    except ValueError:
        return 0


def count_chars(text: str) -> int:
    """字数 the way papers print it: every character that is not white space."""
    return sum(map(len, text.split()))  # str.split() cuts at exactly what str.isspace() is


def make_id(paper: str, url: str = "", date: str = "", page: str = "", title: str = "") -> str:
    """A stable id: from the page's URL when there is one, else from where it was printed."""
    key = url.strip() or "|".join([paper, date, page, title])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
