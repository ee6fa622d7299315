"""The printed pages of the archive: each 版面's picture and PDF, and its articles' regions.

The crawler keeps the picture and the PDF like any raw page (`Store.put_raw`: content-addressed
under raw/, byte for byte) and writes one record per layout page here:

    pages/catalogue.jsonl   append-only, one PageRecord a line; the last line of a layout URL wins

An archive without it (crawled with --no-page-images, imported, or older) has no pages: every
lookup answers None or [] and the site shows what it always showed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

CATALOGUE = Path("pages") / "catalogue.jsonl"
MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".gif": "image/gif", ".pdf": "application/pdf"}  # fmt: skip


@dataclass
class PageRegion:
    """One article's outline on the page picture (points in the record's width × height)."""

    article_id: str
    url: str
    points: list[list[int]]


@dataclass
class PageRecord:
    layout_url: str
    paper: str = ""
    date: str = ""
    page: str = ""
    page_name: str = ""
    image: str | None = None  # raw source of the picture (raw/ab/ab…jpg), None if not kept
    image_url: str = ""  # where it was downloaded from (never shown to readers' browsers)
    pdf: str | None = None
    pdf_url: str = ""
    width: int = 0  # the regions' coordinate space
    height: int = 0
    regions: list[PageRegion] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PageRecord:
        regions = [PageRegion(**r) for r in data.get("regions") or []]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "regions"}
        return cls(**known, regions=regions)


@dataclass
class ArticlePage:
    """Where an article ran: its page's record and its own region (None if it has none)."""

    record: PageRecord
    region: PageRegion | None


class PageCatalogue:
    """Read and append pages/catalogue.jsonl under a data dir (re-read when it changed)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / CATALOGUE
        self._key: tuple[int, int] | None = None
        self._records: dict[str, PageRecord] = {}
        self._by_article: dict[str, tuple[str, int]] = {}

    def append(self, record: PageRecord) -> None:
        """Add (or replace) a layout page's record: one line, fsynced. The caller holds the
        store's write lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record.to_dict(), ensure_ascii=False) + "\n"
        with open(self.path, "ab") as handle:
            handle.write(line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> dict[str, PageRecord]:
        """layout URL → its newest record."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (stat.st_size, stat.st_mtime_ns)
        if key != self._key:
            self._load()
            self._key = key
        return self._records

    def _load(self) -> None:
        records: dict[str, PageRecord] = {}
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    record = PageRecord.from_dict(json.loads(line))
                except (ValueError, TypeError, KeyError):
                    continue  # a torn last line after a crash
                records[record.layout_url] = record
        by_article: dict[str, tuple[str, int]] = {}
        for url, record in records.items():
            for i, region in enumerate(record.regions):
                if region.article_id:
                    by_article[region.article_id] = (url, i)
        self._records, self._by_article = records, by_article

    def for_article(self, article_id: str) -> ArticlePage | None:
        """The page an article ran on, if its picture was kept."""
        records = self.records()
        found = self._by_article.get(article_id)
        if found is None:
            return None
        record = records[found[0]]
        if record.image is None:
            return None
        return ArticlePage(record, record.regions[found[1]])

    def for_issue(self, paper: str, date: str) -> dict[str, PageRecord]:
        """版次 → the record of that page of one issue (pages with a kept picture only)."""
        return {
            r.page: r
            for r in self.records().values()
            if r.paper == paper and r.date == date and r.image is not None
        }

    def media_sources(self) -> dict[str, str]:
        """Every raw source a record names (what the site may serve) → its media type, from
        what the record says it is: a server that called a picture text/html (so it was kept
        as .html) must not make the site serve it as HTML."""
        out: dict[str, str] = {}
        for r in self.records().values():
            if r.image:
                out[r.image] = media_type(r.image_url) or media_type(r.image) or "image/jpeg"
            if r.pdf:
                out[r.pdf] = "application/pdf"
        return out


def media_type(name: str) -> str | None:
    """The media type of a picture or PDF by its name's extension, None for anything else."""
    return MEDIA_TYPES.get(Path(name.split("?", 1)[0]).suffix.lower())
