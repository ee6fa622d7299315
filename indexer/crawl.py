"""Harvest an e-paper (数字报) site into the store: `baoku crawl URL`.

Discovery
    The entry URL is the site's front page (often only a meta refresh or an HTTP redirect to the
    newest issue) or any issue's layout page (版面). Once a layout page is reached, the date in its
    URL (``html/2024-01/02/``, ``pc/layout/202401/02/``, ``20240102``) gives a pattern: the issue of
    any other date is found by putting that date into the pattern. Where that fails, the links to
    other dates on the layout pages (上一期/下一期, calendars) are used. From an issue's first layout
    page, the page list (第01版：要闻 …) gives every page; from each page, the title list and the
    image map give every article. ``?div=0``/``?div=-1`` variants of one article page are one page.
    A date whose issue answers 404 is recorded as skipped.

Politeness
    robots.txt is obeyed (Protego, the parser Scrapy uses) and the User-Agent names the bot.
    Requests to a host start at least `delay` seconds apart (or robots.txt's Crawl-delay if longer),
    and at most `concurrency` requests run at once.

Faults
    HTTP is `requests` with urllib3's `Retry`: exponential backoff on connection errors, read
    timeouts and 429/5xx. A body cut short (Content-Length longer than the body) is retried the same
    way. Redirects are followed on the site's own hosts (the entry's, and the one its front page
    leads to); a redirect to another host is a failure ("redirect to another host, not
    followed: …"), and a loop ends with "redirect loop: …". A page over 20 MB (decoded: a gzip
    bomb counts by what it inflates to), or still arriving after 120 s, is dropped as it streams
    in (indexer/limits.py). A page that still fails is recorded, with the reason, in the crawl
    state and is tried again on the next run.

What is kept
    Every layout and article page that downloaded whole is kept byte for byte (`Store.put_raw`);
    each article page is cleaned (`indexer.clean.clean_page`) and stored (`Store.put_articles`).
    A page that fails to download, is cut short (no closing </html>, ends inside a tag) or cannot
    be decoded is not kept at all, so nothing truncated lands in the archive and the next run
    downloads it again. A photo story (图片报道: title, photos, captions, no text) is an article
    like any other. A whole page the cleaner cannot read (a title with nothing under it, an
    unknown skin) is kept and recorded as failed ("unreadable"), with the 版次 and 版名 its layout
    page gave: every later run cleans the kept copies of such pages again (no download, whatever
    dates it covers) and stores those the cleaner can read by then, so pages kept before the
    cleaner learnt to read them come back by themselves; `baoku reclean` re-reads the whole
    archive.

Resuming and idempotence
    An article page already in the archive is never downloaded again (unless `refresh`): it is
    cleaned again from the kept bytes and stored, which is a no-op when it was stored already and
    heals a run killed between keeping the page and storing its article. Layout pages already kept
    are read from the archive too, with one exception: with `update=True` the layout pages of the
    last successful date and later are downloaded again, because the newest issue's pages can change
    during the day (pages and articles get added). The crawl state, ``crawl/<host>.json``, holds the
    last successful date, each date's outcome and the failed URLs with their reasons; it is written
    atomically after every date and when a run stops (Ctrl-C included).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from indexer.article import Article
from indexer.decode import DecodeError, decode_html
from indexer.fetch import Fetcher, FetchError, Response, Robots, short_reason, status_reason
from indexer.fsutil import atomic_writer
from indexer.layout import (
    Layout,
    find_redirect,
    is_layout,
    layout_truncation,
    parse_layout,
    strip_url,
)
from indexer.page_crawl import PageKeeper
from indexer.progress import Progress, Tally
from indexer.store import Store
from indexer.urls import fill_pattern, url_date

__all__ = ["CrawlError", "CrawlReport", "crawl"]

MAX_REFRESH_HOPS = 5
UNREADABLE = "unreadable"  # failure kind: a whole page, kept, that the cleaner cannot read
MAX_WALK = 400  # layout pages followed through date links to find one date's issue


class CrawlError(RuntimeError):
    """The crawl cannot start: the entry URL is unreachable, forbidden or not an e-paper."""


@dataclass
class CrawlReport:
    fetched: int = 0  # pages downloaded (layout and article pages)
    new: int = 0  # articles stored for the first time
    updated: int = 0  # articles whose stored copy changed
    unchanged: int = 0  # articles already stored as they are
    failed: int = 0  # pages that failed (see failures)
    skipped_dates: list[tuple[str, str]] = field(default_factory=list)  # (date, reason)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    blocked: list[str] = field(default_factory=list)  # URLs robots.txt forbids
    dates: list[str] = field(default_factory=list)  # issue dates crawled
    interrupted: bool = False

    @property
    def articles(self) -> int:
        return self.new + self.updated + self.unchanged


# --- crawl state -----------------------------------------------------------------------------


class CrawlState:
    """crawl/<host>.json: the last successful date, each date's outcome, failed URLs."""

    def __init__(self, data_dir: Path, host: str) -> None:
        safe = re.sub(r"[^\w.-]", "_", host) or "site"
        self.path = Path(data_dir) / "crawl" / f"{safe}.json"
        self.data: dict = {"host": host, "last_success": "", "dates": {}, "failed": {}}
        if self.path.exists():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self.data.update(loaded)
            except (OSError, ValueError):
                pass  # a damaged state only costs re-reading the archive

    @property
    def last_success(self) -> date | None:
        value = self.data.get("last_success") or ""
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    def failed_dates(self) -> set[date]:
        days = set()
        for info in self.data["failed"].values():
            if info.get("kind") == UNREADABLE:
                continue  # kept already: re-cleaned from the kept copy, never re-fetched
            try:
                days.add(date.fromisoformat(info.get("date", "")))
            except ValueError:
                continue
        for day, info in self.data["dates"].items():
            if info.get("status") == "failed":
                days.add(date.fromisoformat(day))
        return days

    def record_failure(
        self, url: str, reason: str, day: date | None, kind: str, layout: Layout | None = None
    ) -> None:
        previous = self.data["failed"].get(url, {})
        self.data["failed"][url] = {
            "reason": reason,
            "date": day.isoformat() if day else "",
            "kind": kind,
            "attempts": int(previous.get("attempts", 0)) + 1,
            "at": _now(),
        }
        if layout is not None:
            # What the layout page said about the article, for when it is cleaned later.
            self.data["failed"][url].update(page=layout.page, page_name=layout.page_name)

    def unreadable(self) -> list[tuple[str, dict]]:
        return [(u, i) for u, i in self.data["failed"].items() if i.get("kind") == UNREADABLE]

    def clear_failure(self, url: str) -> None:
        self.data["failed"].pop(url, None)

    def record_date(self, day: date, status: str, **extra: str) -> None:
        self.data["dates"][day.isoformat()] = {"status": status, "at": _now(), **extra}
        last = self.last_success
        if status == "done" and (last is None or day > last):
            self.data["last_success"] = day.isoformat()

    def save(self) -> None:
        self.data["saved_at"] = _now()
        with atomic_writer(self.path) as handle:
            json.dump(self.data, handle, ensure_ascii=False, indent=1, sort_keys=True)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# --- the crawl -------------------------------------------------------------------------------


def _as_date(value: str | date | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CrawlError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def crawl(
    store: Store,
    url: str,
    *,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    update: bool = False,
    refresh: bool = False,
    delay: float = 0.5,
    concurrency: int = 2,
    timeout: float = 20.0,
    retries: int = 3,
    backoff: float = 0.5,
    paper: str = "",
    progress: Progress | None = None,
    page_images: bool = True,
) -> CrawlReport:
    """Harvest the e-paper site at `url` into `store`; see the module docstring.

    Dates: without `date_from`/`date_to` only the entry's issue (the newest one, for a front
    page) is crawled; `date_to` defaults to the entry's date and `date_from` to `date_to`.
    `update=True` crawls from the last successful date of the previous runs to the entry's date.
    Dates that failed on an earlier run are always tried again. `progress` (indexer.progress)
    gets three stages: "dates", "pages" and "articles". `page_images=False` does not keep
    the pages' pictures and PDFs (indexer/page_crawl.py).
    """
    if not urlsplit(url).scheme or not urlsplit(url).netloc:
        raise CrawlError(f"not an absolute http(s) URL: {url!r}")
    run = _Run(
        store,
        delay=delay,
        concurrency=max(1, concurrency),
        timeout=timeout,
        retries=max(0, retries),
        backoff=backoff,
        refresh=refresh,
        paper=paper,
        progress=progress,
    )
    run.page_keeper = PageKeeper(store, run.fetcher, run.robots, refresh) if page_images else None
    try:
        return run.crawl(url, _as_date(date_from, "--from"), _as_date(date_to, "--to"), update)
    finally:
        run.close()


class _Run:
    def __init__(
        self,
        store: Store,
        *,
        delay: float,
        concurrency: int,
        timeout: float,
        retries: int,
        backoff: float,
        refresh: bool,
        paper: str,
        progress: Progress | None,
    ) -> None:
        self.store = store
        self.fetcher = Fetcher(delay=delay, timeout=timeout, retries=retries, backoff=backoff)
        self.robots = Robots(self.fetcher)
        self.concurrency = concurrency
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="crawl")
        self.refresh = refresh
        self.paper = paper
        self.tally = Tally(progress)
        self.report = CrawlReport()
        self.state: CrawlState | None = None
        self.refetch_layouts_from: date | None = None  # update: the newest issue may have changed
        self.known_layouts: dict[date, str] = {}
        self._fresh: dict[str, Response] = {}  # pages downloaded during discovery, not yet kept
        self._parsed: dict[str, Layout] = {}  # layout pages read in this run
        self._retry_failures = 0  # failures that make their date worth another run
        self._unstored: list[tuple[str, Article]] = []  # this date's articles, stored together
        self.page_keeper: PageKeeper | None = None  # keeps the pages' pictures (issue 14)
        self._stored_from: dict[str, Article] = {}  # article page URL → its article, this date

    def close(self) -> None:
        self.fetcher.stop.set()
        # After Ctrl-C don't sit out requests in flight: workers never write to the store,
        # so whatever they still bring back is simply dropped.
        self.pool.shutdown(wait=not self.report.interrupted, cancel_futures=True)
        if not self.report.interrupted:
            self.fetcher.close()

    # -- top level --

    def crawl(self, url: str, date_from: date | None, date_to: date | None, update: bool):
        host = urlsplit(url).netloc
        self.state = CrawlState(self.store.data_dir, host)
        try:
            entry_url, entry_layout = self._resolve_entry(url)
            # The site's own hosts: the one asked for and the one its front page led to.
            self.fetcher.allowed_hosts = {host, urlsplit(entry_url).netloc}
            found = url_date(entry_url)
            pattern = found[1] if found else None
            entry_day = found[0] if found else None
            if entry_day is not None:
                self.known_layouts[entry_day] = entry_url
            self.known_layouts.update(entry_layout.other_dates)
            days = self._plan(date_from, date_to, update, entry_day)
            self.state.data["entry"] = url
            self._heal_unreadable()
            self._store_articles()
            self.tally.add("dates", total=len(days))
            for day in days:
                self._crawl_date(day, pattern)
                self.tally.add("dates", done=1)
                self.state.save()
        except KeyboardInterrupt:
            self.report.interrupted = True
            self.fetcher.stop.set()
        finally:
            self.state.save()
        return self.report

    def _plan(
        self, date_from: date | None, date_to: date | None, update: bool, entry_day: date | None
    ) -> list[date]:
        newest = entry_day or datetime.now(UTC).date()
        if update:
            last = self.state.last_success if self.state else None
            start = last or date_from or newest
            end = date_to or max(newest, start)
            self.refetch_layouts_from = start
        else:
            end = date_to or newest
            start = date_from or end
        if start > end:
            raise CrawlError(f"--from {start} is after --to {end}")
        days = {start + timedelta(days=i) for i in range((end - start).days + 1)}
        days |= self.state.failed_dates() if self.state else set()
        # Newest first: the entry's own issue is at hand and its 上一期 link leads backwards.
        return sorted(days, reverse=True)

    def _resolve_entry(self, url: str) -> tuple[str, Layout]:
        seen: list[str] = []
        current = url
        for _ in range(MAX_REFRESH_HOPS + 1):
            if current in seen:
                raise CrawlError("redirect loop: " + " → ".join([*seen, current]))
            seen.append(current)
            if not self.robots.allowed(current):
                raise CrawlError(f"robots.txt forbids {current}")
            try:
                reply = self.fetcher.get(current)
            except FetchError as exc:
                raise CrawlError(f"{current}: {exc}") from exc
            self.report.fetched += 1
            if reply.status != 200:
                raise CrawlError(f"{current}: HTTP {reply.status}")
            try:
                text = decode_html(reply.data, reply.content_type)
            except DecodeError as exc:
                raise CrawlError(f"{current}: {exc}") from exc
            layout = parse_layout(text, reply.url)
            if is_layout(layout):
                self._fresh[strip_url(reply.url)] = reply
                return strip_url(reply.url), layout
            target = find_redirect(text, reply.url)
            if target is None:
                raise CrawlError(
                    f"{current}: neither a layout page (版面) nor a redirect to one was found"
                )
            current = target
        raise CrawlError(f"{url}: more than {MAX_REFRESH_HOPS} page redirects")

    # -- one date --

    def _crawl_date(self, day: date, pattern: str | None) -> None:
        candidates = []
        if day in self.known_layouts:
            candidates.append(self.known_layouts[day])
        if pattern is not None and fill_pattern(pattern, day) not in candidates:
            candidates.append(fill_pattern(pattern, day))
        if not candidates:
            found = self._walk_to(day)
            if found is None:
                self.report.skipped_dates.append((day.isoformat(), "no link to this date's issue"))
                self.state.record_date(day, "no-issue", reason="no link to this date's issue")
                return
            candidates.append(found)
        failures_before = self._retry_failures
        first: Layout | None = None
        for candidate in candidates:
            first = self._layout(candidate, day, missing_ok=True)
            if first is not None:
                break
        if first is None and self._retry_failures == failures_before:
            found = self._walk_to(day)
            if found is not None and found not in candidates:
                first = self._layout(found, day, missing_ok=True)
        if first is None:
            if self._retry_failures > failures_before:
                self.state.record_date(day, "failed")
            else:
                self.report.skipped_dates.append((day.isoformat(), "no issue (HTTP 404)"))
                self.state.record_date(day, "no-issue", reason="HTTP 404")
            return
        self.report.dates.append(day.isoformat())
        pages = [first] + [
            layout
            for page_url in first.pages
            if page_url != first.url
            for layout in [self._layout(page_url, day)]
            if layout is not None
        ]
        self.tally.add("pages", total=len(first.pages), done=len(pages))
        self._crawl_articles(day, pages)
        self._keep_pages(day, pages)
        if self._retry_failures > failures_before:
            self.state.record_date(day, "failed")
        else:
            self.state.record_date(day, "done", layout=first.url)

    def _keep_pages(self, day: date, pages: list[Layout]) -> None:
        """The pages' pictures, PDFs and article regions (unless --no-page-images)."""
        stored, self._stored_from = self._stored_from, {}
        if self.page_keeper is None:
            return
        outcome = self.page_keeper.keep(day, pages, stored)
        self.report.fetched += outcome.fetched
        for url, reason in outcome.failures:
            # Reported, not retried as a failed date: the date's articles are all stored.
            self.report.failed += 1
            self.report.failures.append((url, reason))

    def _walk_to(self, day: date) -> str | None:
        """Follow the site's own date links (上一期/下一期) from the nearest later known issue.

        Used when the URL pattern does not lead to `day`. Stops when a link to `day` turns
        up, or when the issue after `day` links straight to one before it (no issue that day).
        """
        visited: set[date] = set()
        while day not in self.known_layouts and len(visited) < MAX_WALK:
            later = sorted(d for d in self.known_layouts if d > day and d not in visited)
            if not later:
                return None
            nearest = later[0]
            visited.add(nearest)
            self._layout(self.known_layouts[nearest], nearest, missing_ok=True)
            if day in self.known_layouts:
                break
            if not any(day < d < nearest and d not in visited for d in self.known_layouts):
                earlier = [d for d in self.known_layouts if d < day]
                if earlier:
                    return None  # the issue after `day` skips straight past it
        return self.known_layouts.get(day)

    def _layout(self, url: str, day: date, *, missing_ok: bool = False) -> Layout | None:
        """A layout page: read once per run, from the archive if kept there, else downloaded."""
        if url in self._parsed:
            return self._parsed[url]
        if not self.robots.allowed(url):
            self._blocked(url)
            return None
        layout = self._layout_from_archive(url, day)
        if layout is None:
            layout = self._download_layout(url, day, missing_ok)
        if layout is not None:
            self._parsed[url] = layout
            for other, link in layout.other_dates.items():
                self.known_layouts.setdefault(other, link)
        return layout

    def _layout_from_archive(self, url: str, day: date) -> Layout | None:
        refetch = self.refresh or (
            self.refetch_layouts_from is not None and day >= self.refetch_layouts_from
        )
        raw = None if url in self._fresh or refetch else self.store.raw_page(url)
        if raw is None:
            return None
        try:
            layout = parse_layout(
                decode_html(self.store.read_raw(raw.source), raw.content_type), url
            )
        except DecodeError:
            return None  # a bad kept copy: download the page again
        return layout if layout.articles else None

    def _download_layout(self, url: str, day: date, missing_ok: bool) -> Layout | None:
        # The entry page was downloaded during discovery already; don't ask for it twice.
        reply = self._fresh.pop(url, None)
        if reply is None:
            try:
                reply = self.fetcher.get(url)
            except FetchError as exc:
                self._fail(url, str(exc), day, "layout")
                return None
            self.report.fetched += 1
        if reply.status == 404 and missing_ok:
            return None
        if reply.status != 200:
            self._fail(url, status_reason(reply.status), day, "layout")
            return None
        try:
            text = decode_html(reply.data, reply.content_type)
        except DecodeError as exc:
            self._fail(url, str(exc), day, "layout")
            return None
        cut = layout_truncation(text)
        if cut is not None:
            # Half a page list would silently lose the other pages, on this run and every
            # later one that reads the kept copy: never keep it.
            self._fail(url, f"truncated layout page: {cut}", day, "layout")
            return None
        layout = parse_layout(text, url)
        if not layout.articles:
            self._fail(url, "no article links on this layout page (版面)", day, "layout")
            return None
        self.store.put_raw(url, reply.data, fetched_at=_now(), content_type=reply.content_type)
        self.state.clear_failure(url)
        return layout

    # -- articles --

    def _crawl_articles(self, day: date, pages: list[Layout]) -> None:
        seen: set[str] = set()
        jobs: list[tuple[str, Layout]] = []
        for layout in pages:
            for article_url in layout.articles:
                if article_url in seen:
                    continue
                seen.add(article_url)
                if not self.robots.allowed(article_url):
                    self._blocked(article_url)
                    continue
                jobs.append((article_url, layout))
        self.tally.add("articles", total=len(jobs))
        pending: dict[Future, tuple[str, Layout]] = {}
        queue = list(reversed(jobs))
        limit = self.concurrency * 2
        try:
            while queue or pending:
                while queue and len(pending) < limit:
                    job = queue.pop()
                    pending[self.pool.submit(self._article_job, *job)] = job
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    article_url, layout = pending.pop(future)
                    self._store_article(article_url, layout, day, future.result())
                    self.tally.add("articles", done=1)
        except BaseException:
            for future in pending:
                future.cancel()
            self._store_articles()  # what was cleaned before Ctrl-C is kept
            raise
        self._store_articles()

    def _article_job(self, url: str, layout: Layout) -> _ArticleResult:
        """Runs in a worker: download (or read the kept copy) and clean. No store writes."""
        raw = None if self.refresh else self.store.raw_page(url)
        if raw is not None:
            data = self.store.read_raw(raw.source)
            content_type, fetched_at = raw.content_type, raw.fetched_at
            downloaded = False
        else:
            try:
                reply = self.fetcher.get(url)
            except FetchError as exc:
                return _ArticleResult(error=str(exc), downloaded=True)
            if reply.status != 200:
                return _ArticleResult(error=status_reason(reply.status), downloaded=True)
            data, content_type, fetched_at = reply.data, reply.content_type, _now()
            downloaded = True
        result = _ArticleResult(
            data=data, content_type=content_type, fetched_at=fetched_at, downloaded=downloaded
        )
        try:
            cut = layout_truncation(decode_html(data, content_type or None))
        except DecodeError as exc:
            result.error = str(exc)
            return result
        if cut is not None:
            result.error = f"truncated page: {cut}"
            return result
        try:
            article = _clean(data, url, content_type, self.paper)
        except ValueError as exc:  # CleanError: a whole page the cleaner cannot read (yet)
            result.error, result.keep = str(exc), True
            return result
        except Exception as exc:  # a cleaner bug on one page must not end the whole crawl
            result.error = f"cleaner failed: {type(exc).__name__}: {short_reason(exc)}"
            result.keep = True
            return result
        result.article = article
        return result

    def _store_article(self, url: str, layout: Layout, day: date, result: _ArticleResult) -> None:
        if result.downloaded:
            self.report.fetched += 1
        if result.error is not None or result.article is None:
            if result.keep and result.downloaded:
                # A whole page that yields no article (a bare title, an unknown skin) is
                # kept, so neither this crawl nor the next downloads it again and `baoku
                # reclean` can read it once the cleaner can; the failure stays on record.
                self.store.put_raw(
                    url, result.data, fetched_at=result.fetched_at, content_type=result.content_type
                )
            kind = UNREADABLE if result.keep else "article"
            self._fail(url, result.error or "no article", day, kind, layout)
            return
        article = result.article
        if result.downloaded:
            # Keep the page first: if the run dies before the article is stored, the next run
            # cleans the kept page again instead of losing it.
            article.source = self.store.put_raw(
                url, result.data, fetched_at=result.fetched_at, content_type=result.content_type
            )
        else:
            article.source = self.store.raw_source(url) or ""
        _fill_from_layout(article, url, layout, day, result.fetched_at)
        self._stored_from[url] = article
        self._put_article(url, article)

    # -- bookkeeping --

    def _put_article(self, url: str, article: Article) -> None:
        """Queue one article for `_store_articles`."""
        self._unstored.append((url, article))

    def _store_articles(self) -> None:
        """Store the queued articles (one date's) in one write, count them, and take their pages
        off the failure list. One write per date, not per article: each write rewrites the
        whole date file. A run killed before it loses nothing, as the pages are kept raw and
        the date is not yet done."""
        if not self._unstored:
            return
        batch, self._unstored = self._unstored, []
        put = self.store.put_articles([article for _, article in batch])
        self.report.new += put.new
        self.report.updated += put.updated
        self.report.unchanged += put.unchanged
        for url, _ in batch:
            self.state.clear_failure(url)

    def _fail(
        self, url: str, reason: str, day: date | None, kind: str, layout: Layout | None = None
    ) -> None:
        self.report.failed += 1
        if kind != UNREADABLE:
            self._retry_failures += 1
        self.report.failures.append((url, reason))
        self.state.record_failure(url, reason, day, kind, layout)

    def _heal_unreadable(self) -> None:
        """Clean the pages earlier runs kept as unreadable again, from the kept bytes (no
        download): one the cleaner reads now (a photo story, before the cleaner took them) is
        stored and leaves the failure list, whatever dates this run covers. One that still
        fails stays on record without being reported again."""
        for url, info in self.state.unreadable():
            raw = self.store.raw_page(url)
            if raw is None:
                continue
            try:
                day = date.fromisoformat(info.get("date", ""))
                data = self.store.read_raw(raw.source)
                article = _clean(data, url, raw.content_type, self.paper)
            except Exception:  # still unreadable (or no date on record): it stays on record
                continue
            article.source = raw.source
            layout = Layout(url="", page=info.get("page", ""), page_name=info.get("page_name", ""))
            _fill_from_layout(article, url, layout, day, raw.fetched_at)
            self._put_article(url, article)

    def _blocked(self, url: str) -> None:
        if url not in self.report.blocked:
            self.report.blocked.append(url)


@dataclass
class _ArticleResult:
    article: Article | None = None
    data: bytes = b""
    content_type: str = ""
    fetched_at: str = ""
    downloaded: bool = False
    error: str | None = None
    keep: bool = False  # a complete page the cleaner could not read: keep its bytes anyway


def _clean(data: bytes, url: str, content_type: str, paper: str) -> Article:
    # Imported here so that the crawler's discovery works (and is testable) on its own.
    from indexer.clean import clean_page

    return clean_page(data, url=url, content_type=content_type or None, paper=paper)


def _fill_from_layout(
    article: Article, url: str, layout: Layout, day: date, fetched_at: str
) -> None:
    """What the article page did not say, the layout page (and the URL's date) does."""
    article.url = article.url or url
    if not article.page_name and layout.page_name:
        article.page_name = layout.page_name
    if not article.page and layout.page:
        article.page = layout.page
        article.pages = article.pages or [layout.page]
    if not article.date:
        article.date = day.isoformat()
    if not article.fetched_at:
        article.fetched_at = fetched_at
