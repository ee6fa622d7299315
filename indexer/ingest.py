"""Getting articles into the store: HTML files (`ingest_paths`), JSON Lines exports
(`import_jsonl`) and re-cleaning what is kept raw (`reclean`).

Every function goes on past a bad input and reports it (file, line, reason) in its report;
a bad file or line changes nothing in the store.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from indexer.article import Article
from indexer.bulk import BulkWriter
from indexer.headings import with_detected_headings
from indexer.profiles import Profile, site_profiles
from indexer.progress import Progress
from indexer.store import PutResult, Store

__all__ = [
    "HTML_SUFFIXES",
    "ImportReport",
    "IngestReport",
    "Problem",
    "RecleanReport",
    "import_jsonl",
    "ingest_paths",
    "iter_html_files",
    "reclean",
]

# What e-paper systems name their pages; everything else in a site folder (images, css, js)
# is skipped when walking a folder. A file named explicitly is always tried.
HTML_SUFFIXES = frozenset({".htm", ".html", ".shtml", ".xhtml", ".shtm"})


@dataclass
class Problem:
    """One input the batch could not use, and why."""

    where: str  # a file name, or file:line
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class IngestReport:
    files: int = 0  # HTML files tried
    articles: int = 0  # articles cleaned and stored
    not_articles: list[Problem] = field(default_factory=list)  # layout pages: fine, not stored
    errors: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # non-HTML files in folders
    stored: PutResult = field(default_factory=PutResult)


@dataclass
class ImportReport:
    files: int = 0
    lines: int = 0  # non-blank lines read
    articles: int = 0  # lines that became articles
    errors: list[Problem] = field(default_factory=list)
    stored: PutResult = field(default_factory=PutResult)


@dataclass
class RecleanReport:
    pages: int = 0  # raw pages looked at
    articles: int = 0
    plain_text: int = 0  # imported articles whose 小标题 were found in their plain body
    not_articles: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    stored: PutResult = field(default_factory=PutResult)


# --- HTML ---------------------------------------------------------------------------------------


def iter_html_files(paths: Iterable[Path], skipped: list[str] | None = None) -> Iterator[Path]:
    """Files named, and HTML files in folders (recursively, sorted, hidden entries left out)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if any(part.startswith(".") for part in relative) or not child.is_file():
                    continue
                if child.suffix.lower() in HTML_SUFFIXES:
                    yield child
                elif skipped is not None:
                    skipped.append(str(child))
        else:
            yield path


def _describe(exc: BaseException) -> str:
    first_line = (str(exc) or "").strip().splitlines()[:1]
    return type(exc).__name__ + (f": {first_line[0]}" if first_line else "")


def _file_url(path: Path, root: Path | None, base_url: str | None) -> str:
    """The URL a file stands for: under base_url if given (stable across machines), else file://."""
    if base_url and root is not None:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
        return base_url.rstrip("/") + "/" + relative
    return path.resolve().as_uri()


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    paper: str = "",
    base_url: str | None = None,
    progress: Progress | None = None,
    profiles: tuple[Profile, ...] | None = None,
) -> IngestReport:
    """Clean HTML files (or folders of them) and store the articles and the raw bytes.

    `base_url`: files inside a folder argument get the URL base_url + their path relative to
    the folder, so that ids don't depend on where the folder happens to be on this machine.
    `profiles`: the site profiles to clean with; by default DATA/profiles/ and the built-in ones.
    """
    from indexer.clean import clean_page  # the cleaner is heavy; load it only when needed

    if profiles is None:
        profiles = site_profiles(store.data_dir)

    report = IngestReport()
    jobs: list[tuple[Path, Path | None]] = []
    for root in map(Path, paths):
        if not root.exists():
            report.errors.append(Problem(str(root), "no such file or folder"))
            continue
        parent = root if root.is_dir() else None
        jobs += [(f, parent) for f in iter_html_files([root], report.skipped)]
    report.files = len(jobs)
    when = datetime.now(UTC).replace(microsecond=0).isoformat()
    with store.bulk() as bulk:
        for done, (path, root) in enumerate(jobs, 1):
            url = _file_url(path, root, base_url)
            article = None
            with _problems_into(report, str(path)):
                data = _read_page(path)
                article = clean_page(data, url=url, paper=paper, profiles=profiles)
            if article is not None:  # a store write that fails ends the command, not the page
                url = article.url or url
                article.source = store.put_raw(url, data, fetched_at=when, content_type="text/html")
                article.url = url
                article.fetched_at = article.fetched_at or when
                bulk.add(article)
                report.articles += 1
            if progress:
                progress(done, len(jobs))
        report.stored += bulk.commit()
    return report


def _read_page(path: Path) -> bytes:
    """A page's bytes; one over the size limit is refused before it is read into memory."""
    from indexer.clean import CleanError
    from indexer.limits import MAX_PAGE_BYTES, too_big

    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        raise CleanError(too_big(size))
    return path.read_bytes()


@contextmanager
def _problems_into(report: IngestReport | RecleanReport, where: str) -> Iterator[None]:
    """Turn a page that cannot be cleaned into a Problem, so the batch goes on."""
    from indexer.clean import LayoutPageError

    try:
        yield
    except (ValueError, OSError) as exc:
        target = report.not_articles if isinstance(exc, LayoutPageError) else report.errors
        target.append(Problem(where, str(exc) or type(exc).__name__))
    except Exception as exc:  # a cleaner bug on one page must not sink the batch
        report.errors.append(Problem(where, f"cleaner failed: {_describe(exc)}"))


# --- JSON Lines ---------------------------------------------------------------------------------

_TEXT_FIELDS = ("id", "paper", "date", "page", "page_name", "kicker", "title", "subtitle")
_TEXT_FIELDS += ("author", "body", "url", "source", "fetched_at")
_DATE_FORMS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]


def _open_lines(path: Path) -> tuple[IO[bytes], IO[str]]:
    """The raw file (for progress by bytes) and a text reader; gzip is detected by its magic."""
    raw = open(path, "rb")  # noqa: SIM115 — closed by the caller
    magic = raw.read(2)
    raw.seek(0)
    stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return raw, io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="\n")


def _normalise_date(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    for pattern in _DATE_FORMS:
        match = pattern.match(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return datetime(year, month, day).date().isoformat()
            except ValueError:
                break
    raise ValueError(f"field 'date': {value!r} is not a date (YYYY-MM-DD)")


def article_from_record(record: Any) -> Article:
    """An Article from one decoded JSON line; ValueError names the field that is wrong."""
    if not isinstance(record, dict):
        raise ValueError(f"not a JSON object but {type(record).__name__}")
    for name in _TEXT_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str | int | float):
            raise ValueError(f"field {name!r}: expected text, got {type(value).__name__}")
    for name in ("sections", "captions", "pages"):
        value = record.get(name)
        if value is not None and not isinstance(value, list):
            raise ValueError(f"field {name!r}: expected a list, got {type(value).__name__}")
    for number, section in enumerate(record.get("sections") or []):
        if not isinstance(section, dict) or not isinstance(section.get("paragraphs") or [], list):
            raise ValueError(f"field 'sections'[{number}]: expected {{heading, paragraphs}}")
    for number, caption in enumerate(record.get("captions") or []):
        if not isinstance(caption, dict | str):
            raise ValueError(f"field 'captions'[{number}]: expected {{text, src}} or text")
    record = dict(record)
    if record.get("date") is not None:
        record["date"] = _normalise_date(str(record["date"]))
    if not any(str(record.get(k) or "").strip() for k in ("title", "body", "sections")):
        raise ValueError("no title and no body")
    article = Article.from_dict(record)
    if record.get("sections"):
        return article
    return with_detected_headings(article) or article


def import_jsonl(
    store: Store, files: Iterable[Path], *, progress: Progress | None = None
) -> ImportReport:
    """Store articles from JSON Lines files (.jsonl or .jsonl.gz), one object a line."""
    report = ImportReport()
    paths = [Path(f) for f in files]
    sizes = {p: p.stat().st_size for p in paths if p.is_file()}
    total = sum(sizes.values())
    done_before = 0
    for path in paths:
        if path not in sizes:
            reason = "is a folder" if path.is_dir() else "no such file"
            report.errors.append(Problem(str(path), reason))
            continue
        report.files += 1
    # One bulk write for all the files: each article file is written once, whatever the order.
    with store.bulk() as bulk:
        for path in sizes:

            def file_progress(position: int, base: int = done_before) -> None:
                if progress:
                    progress(base + position, total)

            _import_file(bulk, path, report, file_progress)
            done_before += sizes[path]
        report.stored += bulk.commit()
    return report


def _import_file(
    bulk: BulkWriter, path: Path, report: ImportReport, progress: Callable[[int], None]
) -> None:
    raw, text = _open_lines(path)
    with raw, text:
        for number, line in _readable_lines(path, text, report):
            if not line.strip():
                continue
            report.lines += 1
            try:
                article = article_from_record(json.loads(line))
            except ValueError as exc:
                report.errors.append(Problem(f"{path}:{number}", _reason(exc)))
                continue
            bulk.add(article)  # outside the try: a store write that fails ends the command
            report.articles += 1
            if number % 5000 == 0:
                progress(raw.tell())
        progress(raw.tell())


def _readable_lines(path: Path, text: IO[str], report: ImportReport) -> Iterator[tuple[int, str]]:
    """Numbered lines until the file cannot be read on (a truncated gzip, a non-UTF-8 file):
    what was read is kept, and where it broke is reported."""
    number = 0
    try:
        for number, line in enumerate(_bounded_lines(text), 1):  # noqa: B007 — used below
            if line is None:
                report.errors.append(Problem(f"{path}:{number}", _LONG_LINE))
                continue
            yield number, line
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        report.errors.append(Problem(f"{path}:{number + 1}", f"unreadable: {_reason(exc)}"))


def _bounded_lines(text: IO[str]) -> Iterator[str | None]:
    """The lines of `text`, None for one longer than MAX_PAGE_BYTES characters (skipped a
    piece at a time): a gzip that inflates to one endless line must not fill memory."""
    from indexer.limits import MAX_PAGE_BYTES

    while True:
        line = text.readline(MAX_PAGE_BYTES)
        if not line:
            return
        if len(line) < MAX_PAGE_BYTES or line.endswith("\n"):
            yield line
            continue
        while line and not line.endswith("\n"):
            line = text.readline(MAX_PAGE_BYTES)
        yield None


_LONG_LINE = "line longer than 20 MB: skipped"


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg} at column {exc.colno})"
    return str(exc) or type(exc).__name__


# --- re-cleaning --------------------------------------------------------------------------------


def reclean(
    store: Store,
    *,
    progress: Progress | None = None,
    profiles: tuple[Profile, ...] | None = None,
) -> RecleanReport:
    """Re-extract every stored raw HTML page with the current cleaner and update its article
    (`profiles` as for ingest_paths)."""
    from indexer.clean import clean_page

    if profiles is None:
        profiles = site_profiles(store.data_dir)
    report = RecleanReport()
    # What the crawler learnt elsewhere (the 版名 from the layout page) and the paper stay; the
    # parts as stored (a 转版 continuation keeps its own source), by source and by URL.
    known: dict[str, tuple[str, str]] = {}
    by_url: dict[str, tuple[str, str]] = {}
    imported: list[Article] = []  # no raw page: the headings rule is all that can be re-applied
    for path in store.article_files():
        for part in store.read_parts(path):
            found = with_detected_headings(part)
            if found is not None:
                imported.append(found)
            if part.source:
                known[part.source] = (part.paper, part.page_name)
            if part.url:
                by_url[part.url] = (part.paper, part.page_name)
    pages = [p for p in store.iter_raw() if _looks_like_html(p.url, p.content_type)]
    with store.bulk() as bulk:
        for done, raw in enumerate(pages, 1):
            report.pages += 1
            paper, page_name = known.get(raw.source) or by_url.get(raw.url) or ("", "")
            article = None
            with _problems_into(report, raw.url):
                data = store.read_raw(raw.source)
                article = clean_page(
                    data,
                    url=raw.url,
                    content_type=raw.content_type or None,
                    paper=paper,
                    profiles=profiles,
                )
            if article is not None:
                article.source = raw.source
                article.url = article.url or raw.url
                article.fetched_at = raw.fetched_at or article.fetched_at
                article.page_name = article.page_name or page_name
                bulk.add(article)
                report.articles += 1
            if progress:
                progress(done, len(pages))
        for article in imported:
            bulk.add(article)
            report.plain_text += 1
        report.stored += bulk.commit()
    return report


def _looks_like_html(url: str, content_type: str) -> bool:
    if content_type:
        return "html" in content_type.lower()
    suffix = Path(url.split("?", 1)[0]).suffix.lower()
    return suffix in HTML_SUFFIXES or suffix == ""
