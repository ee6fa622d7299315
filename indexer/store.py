"""The corpus store: raw pages byte for byte, cleaned articles as JSON Lines.

Layout under the data dir::

    raw/<aa>/<sha256>.<ext>                 every fetched page, content-addressed, never rewritten
    raw/catalogue.jsonl                     append-only: url → source, fetched_at, content_type
    articles/<paper>/<YYYY>/<YYYY-MM-DD>.jsonl   one article part a line, keyed by id
    articles/<paper>/undated.jsonl          articles whose date is missing or not ISO
    .store/write.lock                       store-wide write lock (filelock)
    .store/ids.sqlite3                      id → file catalogue; rebuilt from the files if missing
    .store/staging/                         a bulk write under way (indexer/bulk.py)
    index/, crawl/                          owned by the search core and the crawler

Why keep parts and join on read: a 转版 article arrives as two pages (two ids). The file keeps each
page's article as it was cleaned, so re-ingesting either page alone updates its half without losing
the other; `read_article_file`, `get` and `iter_articles` return the joined article, with
`pages=[first, second]` (the joining is indexer/zhuanban.py). Both halves are always in the same
file (same paper and date).

Two ways in: `put_articles` for a few articles at a time (the crawler, one date per call), and
`bulk()` for a whole import or reclean, which writes each file once and commits as a whole.
Every file write goes to a temp file on the same file system, is fsynced and then renamed, so a
crash leaves either the old or the new file, never half of one. All writers take one store-wide
`filelock`, so two processes never interleave.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from indexer.article import Article
from indexer.bulk import BulkWriter, is_space_error, recover_staging
from indexer.fsutil import (
    atomic_writer,
    refusal_text,
    refused_write,
    remove_stale_temps,
    remove_tree,
    sqlite_open_error,
)
from indexer.zhuanban import join_continuations

if TYPE_CHECKING:
    from indexer.index import Source

__all__ = ["PutResult", "RawPage", "Store", "StoreError", "StoreWriteError"]

UNDATED = "undated"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Characters no common file system accepts in a name, plus control characters.
_BAD_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_MAX_NAME_BYTES = 200


class StoreError(ValueError):
    """A store operation that cannot be done, with the reason."""


class StoreWriteError(StoreError):
    """The file system refused a write (full, read-only, no permission). The message is one
    line, fit to print as it is, and says what is left: after a bulk write, the store as it was
    before the command."""


@dataclass
class RawPage:
    url: str
    source: str  # relative to the data dir, e.g. raw/ab/ab12….html
    fetched_at: str = ""
    content_type: str = ""


@dataclass
class PutResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    files: list[Path] = field(default_factory=list)  # article files rewritten

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged

    def __iadd__(self, other: PutResult) -> PutResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        known = set(self.files)
        self.files.extend(f for f in other.files if f not in known)
        return self


# --- file helpers ---------------------------------------------------------------------------


def sanitise_name(name: str, fallback: str = "unknown") -> str:
    """Keep Chinese paper names readable; replace only what a file name cannot hold."""
    cleaned = _BAD_NAME_CHARS.sub("_", name).strip().strip(".")
    if not cleaned:
        return fallback
    encoded = cleaned.encode("utf-8")[:_MAX_NAME_BYTES]
    return encoded.decode("utf-8", errors="ignore")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# --- the store --------------------------------------------------------------------------------


class Store:
    """The archive's home on disk. Safe for one writer at a time across processes."""

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self.raw_dir = self.data_dir / "raw"
        self.articles_dir = self.data_dir / "articles"
        self._meta_dir = self.data_dir / ".store"
        self._lock: FileLock | None = None
        self._raw_cache: dict[str, RawPage] | None = None
        self._raw_cache_key: tuple[int, int] | None = None
        self._catalogue_checked = False
        self._staging_ours = False  # this Store writes or recovers the staging
        self._rel_cache: dict[tuple[str, str], str] = {}
        self._raw_journal: _RawJournal | None = None  # raw pages kept during a bulk write

    def __repr__(self) -> str:
        return f"Store({str(self.data_dir)!r})"

    # -- locking --

    @property
    def lock(self) -> FileLock:
        """The store-wide write lock; reentrant within this Store."""
        if self._lock is None:
            self._meta_dir.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(str(self._meta_dir / "write.lock"), timeout=600)
        return self._lock

    # -- raw pages --

    @property
    def _raw_catalogue(self) -> Path:
        return self.raw_dir / "catalogue.jsonl"

    def put_raw(
        self,
        url: str,
        data: bytes,
        *,
        fetched_at: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Keep `data` exactly as given; return its source path relative to the data dir."""
        if not url:
            raise StoreError("put_raw needs a url")
        digest = hashlib.sha256(data).hexdigest()
        source = f"raw/{digest[:2]}/{digest}{_raw_suffix(url, content_type)}"
        with self.lock:
            path = self.data_dir / source
            created = not path.exists()
            if created:
                remove_stale_temps(path)
                with atomic_writer(path, "wb") as handle:
                    handle.write(data)
                if self._raw_journal is not None:
                    self._raw_journal.created.append(path)
            known = self._load_raw().get(url)
            if known is None or known.source != source:
                page = RawPage(url, source, fetched_at or _now(), content_type or "")
                try:
                    self._append_raw(page)
                except OSError:
                    if created:  # a page the catalogue cannot name would be an orphan
                        with suppress(FileNotFoundError):
                            path.unlink()
                    raise
        return source

    def _append_raw(self, page: RawPage) -> None:
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps(page.__dict__, ensure_ascii=False) + "\n"
        # One write of one line, then fsync: a crash can only leave a torn last line,
        # which the reader skips. A write refused (full disk) is cut back off at once.
        with open(self._raw_catalogue, "ab") as handle:
            size = handle.tell()
            try:
                if size and not self._ends_with_newline():
                    handle.write(b"\n")
                handle.write(line.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            except OSError:
                with suppress(OSError):
                    handle.truncate(size)
                raise
        if self._raw_cache is not None:
            self._raw_cache[page.url] = page
            stat = self._raw_catalogue.stat()
            self._raw_cache_key = (stat.st_size, stat.st_mtime_ns)

    def _ends_with_newline(self) -> bool:
        with open(self._raw_catalogue, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def _load_raw(self) -> dict[str, RawPage]:
        try:
            stat = self._raw_catalogue.stat()
        except FileNotFoundError:
            return {}
        key = (stat.st_size, stat.st_mtime_ns)
        if self._raw_cache is not None and self._raw_cache_key == key:
            return self._raw_cache
        pages: dict[str, RawPage] = {}
        with open(self._raw_catalogue, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    item = json.loads(line)
                    page = RawPage(
                        str(item["url"]),
                        str(item["source"]),
                        str(item.get("fetched_at") or ""),
                        str(item.get("content_type") or ""),
                    )
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line after a crash
                pages[page.url] = page
        self._raw_cache, self._raw_cache_key = pages, key
        return pages

    def raw_source(self, url: str) -> str | None:
        """The source of the archived copy of `url`, or None if it was never fetched."""
        page = self._load_raw().get(url)
        return page.source if page else None

    def raw_page(self, url: str) -> RawPage | None:
        return self._load_raw().get(url)

    def read_raw(self, source: str) -> bytes:
        """The bytes kept under `source` (as returned by put_raw), exactly."""
        path = (self.data_dir / source).resolve()
        if not path.is_relative_to(self.raw_dir.resolve()):
            raise StoreError(f"{source}: not a raw page of this store")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StoreError(f"{source}: raw page missing from {self.raw_dir}") from None

    def iter_raw(self) -> Iterator[RawPage]:
        """Every archived URL with its latest copy, in the order first fetched."""
        yield from list(self._load_raw().values())

    # -- articles: paths --

    def article_path(self, article: Article) -> Path:
        paper = sanitise_name(article.paper, fallback="unknown-paper")
        match = _ISO_DATE.match(article.date.strip())
        if not match:
            return self.articles_dir / paper / f"{UNDATED}.jsonl"
        return self.articles_dir / paper / match.group(1) / f"{article.date.strip()}.jsonl"

    def article_rel(self, article: Article) -> str:
        """The article's file, relative to the data dir (the catalogue's key)."""
        key = (article.paper, article.date)
        rel = self._rel_cache.get(key)
        if rel is None:
            rel = self._rel_cache[key] = self._rel(self.article_path(article))
        return rel

    def article_files(self) -> list[Path]:
        """Every article file, sorted (paper, year, date)."""
        self._recover_abandoned()
        if not self.articles_dir.is_dir():
            return []
        return sorted(p for p in self.articles_dir.rglob("*.jsonl") if not p.name.startswith("."))

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.data_dir).as_posix()

    # -- articles: reading --

    def read_parts(self, path: Path) -> list[Article]:
        """The article parts in one file as stored, before 转版 joining."""
        parts: list[Article] = []
        if not path.exists():
            return parts
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    parts.append(Article.from_json(line))
                except (ValueError, TypeError, AttributeError) as exc:
                    raise StoreError(f"{path}:{number}: unreadable article ({exc})") from exc
        return parts

    def read_article_file(self, path: Path) -> list[Article]:
        """The articles of one file, 转版 parts joined."""
        joined, _ = join_continuations(self.read_parts(Path(path)))
        return joined

    def iter_articles(self) -> Iterator[Article]:
        for path in self.article_files():
            yield from self.read_article_file(path)

    def article_sources(self) -> Iterator[Source]:
        """The articles of `iter_articles`, one Source per file, stamped with its size and
        mtime (taken before it is read: a write in between is seen next time)."""
        from indexer.index import Source

        for path in self.article_files():
            size, mtime = _stat_key(path)
            yield Source(
                self._rel(path), f"{size}:{mtime}", lambda p=path: self.read_article_file(p)
            )

    def get(self, article_id: str) -> Article | None:
        """The article with this id (a 转版 continuation's id gives the joined article)."""
        for attempt in range(2):
            if attempt:
                # The catalogue disagrees with the file (edited by hand?): rebuild, look again.
                self.rebuild_catalogue()
            row = self._lookup(article_id)
            if row is None:
                return None
            file, head = row
            for article in self.read_article_file(self.data_dir / file):
                if article.id == head:
                    return article
        return None

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._lookup(article_id) is not None

    def __len__(self) -> int:
        with closing(self._connect()) as db:
            (count,) = db.execute("SELECT count(*) FROM parts WHERE head = id").fetchone()
        return int(count)

    # -- articles: writing --

    @property
    def staging_dir(self) -> Path:
        """Where a bulk write stages its files: on the store's own file system, so that the
        commit is a rename."""
        return self._meta_dir / "staging"

    @contextmanager
    def bulk(self) -> Iterator[BulkWriter]:
        """A `BulkWriter` holding the write lock: `add` every article, then `commit` once.

        Leaving the block without a commit, or on an exception, changes nothing in the store;
        a refused write (full disk, read-only, no permission) becomes `StoreWriteError`.
        """
        with self._refused_writes("the store is as it was before"), self.lock:
            self._recover()
            writer = BulkWriter(self)
            self._staging_ours = True
            journal = self._raw_journal = _RawJournal(_size_or_none(self._raw_catalogue))
            try:
                writer.open()
                yield writer
            except BaseException:
                if not writer.committed:
                    self._undo_raw(journal)
                raise
            finally:
                self._raw_journal = None
                self._staging_ours = False
                writer.close()
                remove_tree(self.staging_dir)

    def _undo_raw(self, journal: _RawJournal) -> None:
        """Take back the raw pages a failed bulk write kept (ingest keeps each page as it
        goes), so that the store is as it was before: their files, and their catalogue lines.
        Truncating and unlinking free space, so this works on a full disk too."""
        for path in reversed(journal.created):
            with suppress(FileNotFoundError):
                path.unlink()
            with suppress(OSError):
                path.parent.rmdir()  # only if empty
        if journal.catalogue_size is None:
            with suppress(FileNotFoundError):
                self._raw_catalogue.unlink()
        elif _size_or_none(self._raw_catalogue) != journal.catalogue_size:
            os.truncate(self._raw_catalogue, journal.catalogue_size)
        self._raw_cache = None

    def _recover_abandoned(self) -> None:
        """Finish the commit of a bulk writer that was killed (or drop its staging) before
        anything is read. The lock tells a dead writer from a live one, whose commit is left
        alone."""
        if self._staging_ours or not self.staging_dir.exists():
            return
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            return
        try:
            self._recover()
        finally:
            self.lock.release()

    def _recover(self) -> None:
        """Finish or undo a killed bulk writer's work; with the lock held."""
        self._staging_ours = True
        try:
            recover_staging(self)
        finally:
            self._staging_ours = False

    @contextmanager
    def _refused_writes(self, outcome: str) -> Iterator[None]:
        """A write the file system refuses becomes StoreWriteError, saying what is left."""
        try:
            yield
        except (OSError, sqlite3.OperationalError) as exc:
            if not is_space_error(exc):
                raise
            error = refused_write(exc)
            text = (
                refusal_text(error, self.data_dir)
                if error is not None
                else f"cannot write the store at {self.data_dir} ({exc})"
            )
            raise StoreWriteError(f"{text}; {outcome}") from exc

    def put_articles(self, articles: Iterable[Article]) -> PutResult:
        """Store articles, one per id; each touched file is rewritten atomically.

        An article whose id is stored already replaces it (moving file if its date or paper
        changed). new/updated/unchanged compare `Article.content_hash`.
        """
        incoming: dict[str, Article] = {}
        for article in articles:
            if not isinstance(article, Article):
                raise StoreError(f"not an Article: {type(article).__name__}")
            if not article.id or not str(article.id).strip():
                raise StoreError(f"article without id: {article.title!r}")
            incoming[article.id] = article  # the last copy of an id in one batch wins
        result = PutResult()
        if not incoming:
            return result
        refused = self._refused_writes("each article file is whole, old or new")
        with refused, self.lock, closing(self._connect()) as db:
            self._recover()
            plan = self._plan(db, incoming)
            for path, (adds, removes) in plan.items():
                result += self._rewrite(db, path, adds, removes)
        return result

    def _plan(
        self, db: sqlite3.Connection, incoming: dict[str, Article]
    ) -> dict[Path, tuple[list[Article], set[str]]]:
        plan: dict[Path, tuple[list[Article], set[str]]] = {}
        known = _lookup_many(db, list(incoming))
        for article_id, article in incoming.items():
            path = self.article_path(article)
            plan.setdefault(path, ([], set()))[0].append(article)
            old = known.get(article_id)
            if old is not None and self.data_dir / old != path:
                plan.setdefault(self.data_dir / old, ([], set()))[1].add(article_id)
        return plan

    def _rewrite(
        self, db: sqlite3.Connection, path: Path, adds: list[Article], removes: set[str]
    ) -> PutResult:
        result = PutResult()
        parts = {a.id: a for a in self.read_parts(path)}
        changed = False
        for article_id in removes:
            changed |= parts.pop(article_id, None) is not None
        for article in adds:
            old = parts.get(article.id)
            if old is None:
                result.new += 1
            elif old.content_hash() == article.content_hash():
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            parts[article.id] = article
            changed = True
        if not changed:
            return result
        remove_stale_temps(path)
        if parts:
            with atomic_writer(path) as handle:
                for article in parts.values():
                    handle.write(article.to_json() + "\n")
        else:
            with suppress(FileNotFoundError):
                path.unlink()
        result.files.append(path)
        self._catalogue_file(db, path, list(parts.values()))
        return result

    # -- the id catalogue --

    @property
    def catalogue_path(self) -> Path:
        return self._meta_dir / "ids.sqlite3"

    def _connect(self) -> sqlite3.Connection:
        self._meta_dir.mkdir(parents=True, exist_ok=True)
        fresh = not self.catalogue_path.exists()
        try:
            db = sqlite3.connect(self.catalogue_path, timeout=60)
        except sqlite3.OperationalError as exc:
            raise sqlite_open_error(exc, self.catalogue_path) from exc
        db.execute(
            "CREATE TABLE IF NOT EXISTS parts (id TEXT PRIMARY KEY, file TEXT NOT NULL, "
            "head TEXT NOT NULL)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS parts_file ON parts (file)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS files (file TEXT PRIMARY KEY, size INTEGER, mtime INTEGER)"
        )
        db.commit()
        if fresh or not self._catalogue_checked:
            self._catalogue_checked = True
            self._recover_abandoned()
            self._refresh_catalogue(db)
        return db

    def refresh_catalogue(self) -> None:
        """Bring the catalogue up to date with the files before a bulk write plans against it."""
        self._catalogue_checked = False
        self._connect().close()

    def forget_catalogue_check(self) -> None:
        """Files changed behind the catalogue's back: compare them again on the next look-up."""
        self._catalogue_checked = False

    def apply_catalogue(self, stage: Path) -> None:
        """Record a bulk write's files and parts (staged in `stage`) in one transaction."""
        with closing(self._connect()) as db:
            db.execute("ATTACH DATABASE ? AS stage", (str(stage),))
            with db:
                db.execute("DELETE FROM parts WHERE file IN (SELECT rel FROM stage.plan)")
                db.execute("DELETE FROM files WHERE file IN (SELECT rel FROM stage.plan)")
                db.execute("INSERT OR REPLACE INTO parts SELECT id, file, head FROM stage.newparts")
                db.execute(
                    "INSERT INTO files SELECT rel, size, mtime FROM stage.plan WHERE gone = 0"
                )
            db.execute("DETACH DATABASE stage")

    def _refresh_catalogue(self, db: sqlite3.Connection) -> None:
        """Re-read the files whose size or mtime the catalogue does not know (crash, hand edit)."""
        recorded = {row[0]: (row[1], row[2]) for row in db.execute("SELECT * FROM files")}
        on_disk: dict[str, Path] = {self._rel(p): p for p in self.article_files()}
        stale = [path for rel, path in on_disk.items() if recorded.get(rel) != _stat_key(path)]
        gone = [rel for rel in recorded if rel not in on_disk]
        if not stale and not gone:
            return
        with self.lock:
            for rel in gone:
                db.execute("DELETE FROM parts WHERE file = ?", (rel,))
                db.execute("DELETE FROM files WHERE file = ?", (rel,))
            for path in stale:
                self._catalogue_file(db, path, self.read_parts(path), commit=False)
            db.commit()

    def _catalogue_file(
        self, db: sqlite3.Connection, path: Path, parts: list[Article], commit: bool = True
    ) -> None:
        rel = self._rel(path)
        _, folded = join_continuations(parts)
        db.execute("DELETE FROM parts WHERE file = ?", (rel,))
        db.executemany(
            "INSERT OR REPLACE INTO parts (id, file, head) VALUES (?, ?, ?)",
            [(a.id, rel, folded.get(a.id, a.id)) for a in parts],
        )
        if path.exists():
            size, mtime = _stat_key(path)
            db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (rel, size, mtime))
        else:
            db.execute("DELETE FROM files WHERE file = ?", (rel,))
        if commit:
            db.commit()

    def rebuild_catalogue(self) -> None:
        """Forget the id catalogue and read every article file again."""
        with self.lock:
            with suppress(FileNotFoundError):
                self.catalogue_path.unlink()
            self._catalogue_checked = False
            self._connect().close()

    def _lookup(self, article_id: str) -> tuple[str, str] | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT file, head FROM parts WHERE id = ?", (article_id,)).fetchone()
        return (row[0], row[1]) if row else None


@dataclass
class _RawJournal:
    """What a bulk write added to raw/: to take it back if the write fails."""

    catalogue_size: int | None
    created: list[Path] = field(default_factory=list)


def _size_or_none(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _lookup_many(db: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for article_id, file in db.execute(
            f"SELECT id, file FROM parts WHERE id IN ({marks})", chunk
        ):
            found[article_id] = file
    return found


def _stat_key(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _raw_suffix(url: str, content_type: str | None) -> str:
    """A readable extension for the raw file; it never affects identity."""
    if content_type and "html" in content_type.lower():
        return ".html"
    tail = url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    match = re.search(r"\.([A-Za-z0-9]{1,5})$", tail)
    if match:
        ext = match.group(1).lower()
        return ".html" if ext in {"htm", "html", "shtml", "xhtml"} else f".{ext}"
    return ""
