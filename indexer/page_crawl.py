"""The crawler's part for printed pages: keep each 版面's picture and PDF, record the regions.

Called by indexer.crawl once a date's articles are cleaned (so every region can name its
article's id). The picture and the PDF are kept like any raw page (content-addressed, byte for
byte) and downloaded once: a later run reuses the kept copy unless it refreshes. A picture
that fails to download is reported and tried again on the next run; the articles are stored
whatever happens to their page's picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from indexer.article import Article
from indexer.decode import DecodeError, decode_html
from indexer.fetch import Fetcher, FetchError, Robots, status_reason
from indexer.layout import Layout
from indexer.page_media import PageMedia, image_size, parse_page_media
from indexer.pages import PageCatalogue, PageRecord, PageRegion
from indexer.store import Store


@dataclass
class PageOutcome:
    fetched: int = 0
    kept: int = 0  # page records written
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


@dataclass
class PageKeeper:
    store: Store
    fetcher: Fetcher
    robots: Robots
    refresh: bool = False

    def __post_init__(self) -> None:
        self.catalogue = PageCatalogue(self.store.data_dir)

    def keep(self, day: date, layouts: list[Layout], articles: dict[str, Article]) -> PageOutcome:
        """Keep the pictures and PDFs of one date's layout pages and record their regions;
        `articles` maps each article page URL to the article stored from it."""
        outcome = PageOutcome()
        for layout in layouts:
            media = self._media(layout.url)
            if media is None or not (media.image_url or media.pdf_url):
                continue
            record = self._record(day, layout, media, articles, outcome)
            known = self.catalogue.records().get(layout.url)
            if known is None or known.to_dict() != record.to_dict():
                with self.store.lock:
                    self.catalogue.append(record)
                outcome.kept += 1
        return outcome

    def _media(self, layout_url: str) -> PageMedia | None:
        raw = self.store.raw_page(layout_url)
        if raw is None:
            return None
        try:
            text = decode_html(self.store.read_raw(raw.source), raw.content_type)
        except DecodeError:
            return None
        return parse_page_media(text, layout_url)

    def _record(
        self,
        day: date,
        layout: Layout,
        media: PageMedia,
        articles: dict[str, Article],
        outcome: PageOutcome,
    ) -> PageRecord:
        on_page = [articles[r.url] for r in media.regions if r.url in articles]
        record = PageRecord(
            layout_url=layout.url,
            paper=on_page[0].paper if on_page else "",
            date=day.isoformat(),
            page=layout.page or (on_page[0].page if on_page else ""),
            page_name=layout.page_name,
            image_url=media.image_url or "",
            pdf_url=media.pdf_url or "",
        )
        if media.image_url:
            kept = self._keep_file(media.image_url, outcome)
            size = image_size(self.store.read_raw(kept)) if kept else None
            if kept and size:
                record.image = kept
                # The map's coordinates are in the picture as the page shows it.
                record.width = media.width or size[0]
                record.height = media.height or size[1]
            elif kept:
                outcome.failures.append((media.image_url, "not a picture (JPEG/PNG/GIF)"))
        if media.pdf_url:
            record.pdf = self._keep_file(media.pdf_url, outcome)
        record.regions = [
            PageRegion(
                articles[r.url].id if r.url in articles else "", r.url, [list(p) for p in r.points]
            )
            for r in media.regions
        ]
        return record

    def _keep_file(self, url: str, outcome: PageOutcome) -> str | None:
        """The raw source of `url`, downloaded now unless kept already; None on failure."""
        if not self.refresh:
            source = self.store.raw_source(url)
            if source is not None:
                return source
        if not self.robots.allowed(url):
            outcome.failures.append((url, "forbidden by robots.txt"))
            return None
        try:
            reply = self.fetcher.get(url)
        except FetchError as exc:
            outcome.failures.append((url, str(exc)))
            return None
        if reply.status == 404:
            return None  # the site shows no picture for this page: nothing to keep, no fault
        if reply.status != 200:
            outcome.failures.append((url, status_reason(reply.status)))
            return None
        outcome.fetched += 1
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        return self.store.put_raw(
            url, reply.data, fetched_at=fetched_at, content_type=reply.content_type
        )
