"""Bulk writes into the store: a whole import (or reclean) in one pass over the input, one rewrite
of each article file, and one commit.

`Store.put_articles` rewrites every file a batch touches, which is right for a crawl that adds a
page at a time but quadratic for an export in random date order: each batch touches hundreds of
date files and rewrites them again and again. A `BulkWriter` instead

1. **spills** each article as one line to a bucket file on disk, the bucket chosen by its target
   file, and records id → (input position, target) in a staging SQLite database (memory stays
   bounded whatever the input size);
2. **stages** each target file once: a bucket is read back, grouped by file, merged with the
   file as stored, and written in full under `.store/staging/`, on the store's own file system;
3. **commits**: a marker says the staging is complete, every staged file is renamed over its
   target (old versions hard-linked aside), and the id catalogue is updated in one transaction.

A failure before the marker (a full disk, a bad article, SIGKILL) leaves the store untouched and
the staging is removed, now or by the next writer. A failure during the commit rolls the renamed
files back from their old links; a kill during the commit is rolled forward by the next writer.
Either way every article is stored exactly once.

Order inside a file: articles already stored keep their place; new ones follow, sorted by page
and id, so the same articles give the same bytes in whatever order they arrive.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.article import Article
from indexer.fsutil import SPACE_ERRNOS, atomic_writer, fsync_dir, fsync_files, remove_tree
from indexer.zhuanban import join_continuations, may_join, page_number

if TYPE_CHECKING:
    from indexer.store import PutResult, Store

__all__ = ["BulkWriter", "recover_staging"]

_BUFFER_CHARS = 32 << 20  # spilled text held in memory before it goes to the bucket files
_BUCKET_LIMIT = 256 << 20  # a bucket file bigger than this is split again before it is read
_ROWS_PER_INSERT = 20_000
COMMIT, ROLLBACK = "COMMIT", "ROLLBACK"


@dataclass
class _Incoming:
    """One spilled article: where it goes, and its stored JSON line."""

    seq: int
    article_id: str
    page: str
    line: str


def _bucket_of(rel: str, salt: int, buckets: int) -> int:
    return zlib.crc32(f"{salt}:{rel}".encode()) % buckets


class BulkWriter:
    """One bulk write; use through `Store.bulk()`, which holds the store's write lock.

    `add` spills an article; `commit` writes everything and returns the counts. Leaving the
    `with` block without a commit, or on an exception, removes the staging.
    """

    def __init__(self, store: Store, buckets: int = 256) -> None:
        self.store = store
        self.staging = store.staging_dir
        self._buckets = buckets
        self._buffers: dict[int, list[str]] = {}
        self._buffered = 0
        self._rows: list[tuple[str, int, str]] = []
        self._seq = 0
        self._staged = 0
        self._db: sqlite3.Connection | None = None
        self.committed = False

    # -- spilling --

    def open(self) -> None:
        remove_tree(self.staging)
        (self.staging / "spill").mkdir(parents=True)
        (self.staging / "files").mkdir()
        (self.staging / "old").mkdir()
        self._db = sqlite3.connect(self.staging / "stage.sqlite3")
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -65536;
            CREATE TABLE incoming (id TEXT PRIMARY KEY, seq INTEGER, target TEXT);
            CREATE TABLE plan (n INTEGER PRIMARY KEY, rel TEXT UNIQUE, existed INTEGER,
                               gone INTEGER, size INTEGER, mtime INTEGER);
            CREATE TABLE newparts (id TEXT, file TEXT, head TEXT);
            """
        )

    def add(self, article: Article) -> None:
        """Spill one article; the last copy of an id wins."""
        rel = self.store.article_rel(article)
        self._seq += 1
        header = json.dumps([rel, article.id, self._seq, article.page], ensure_ascii=False)
        line = f"{header}\t{article.to_json()}\n"
        self._buffers.setdefault(_bucket_of(rel, 0, self._buckets), []).append(line)
        self._buffered += len(line)
        self._rows.append((article.id, self._seq, rel))
        if len(self._rows) >= _ROWS_PER_INSERT:
            self._insert_rows()
        if self._buffered >= _BUFFER_CHARS:
            self._flush_buffers()

    def _insert_rows(self) -> None:
        assert self._db is not None
        self._db.executemany("INSERT OR REPLACE INTO incoming VALUES (?, ?, ?)", self._rows)
        self._rows.clear()

    def _flush_buffers(self) -> None:
        for bucket, lines in self._buffers.items():
            with open(self.staging / "spill" / f"0-{bucket}", "a", encoding="utf-8") as handle:
                handle.writelines(lines)
        self._buffers.clear()
        self._buffered = 0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- staging --

    def commit(self) -> PutResult:
        """Write every target file once, then put them all in place."""
        from indexer.store import PutResult

        result = PutResult()
        self._insert_rows()
        self._flush_buffers()
        db = self._db
        assert db is not None
        # Covering: a file's winners are read from the index alone, not from table rows that a
        # shuffled input scattered over the whole table.
        db.execute("CREATE INDEX incoming_target ON incoming (target, id, seq)")
        self._plan_removals(db)
        done: set[str] = set()
        for bucket in sorted((self.staging / "spill").iterdir()):
            for rel, entries in _read_bucket(bucket, self._buckets):
                self._stage_file(db, rel, entries, result)
                done.add(rel)
        for (rel,) in db.execute("SELECT DISTINCT file FROM removals").fetchall():
            if rel not in done:
                self._stage_file(db, rel, [], result)
        db.commit()
        self._db = None
        db.close()
        _apply(self.store, self.staging)
        self.committed = True
        return result

    def _plan_removals(self, db: sqlite3.Connection) -> None:
        """Ids stored in another file than the one they now go to: they leave the old file."""
        self.store.refresh_catalogue()
        db.commit()
        db.execute("ATTACH DATABASE ? AS cat", (str(self.store.catalogue_path),))
        db.execute(
            "CREATE TABLE removals AS SELECT p.file AS file, i.id AS id FROM incoming i "
            "JOIN cat.parts p ON p.id = i.id WHERE p.file != i.target"
        )
        db.commit()
        db.execute("DETACH DATABASE cat")
        db.execute("CREATE INDEX removals_file ON removals (file)")

    def _stage_file(
        self, db: sqlite3.Connection, rel: str, entries: list[_Incoming], result: PutResult
    ) -> None:
        winners = dict(db.execute("SELECT id, seq FROM incoming WHERE target = ?", (rel,)))
        adds = {e.article_id: e for e in entries if winners.get(e.article_id) == e.seq}
        removes = {row[0] for row in db.execute("SELECT id FROM removals WHERE file = ?", (rel,))}
        path = self.store.data_dir / rel
        lines, changed = merge_lines(_stored_lines(path), adds, removes, result)
        if not changed:
            return
        n = self._staged
        self._staged += 1
        staged = self.staging / "files" / str(n)
        size = mtime = 0
        if lines:
            with open(staged, "w", encoding="utf-8") as handle:
                handle.writelines(line + "\n" for _, line in lines)
            stat = staged.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        db.execute(
            "INSERT INTO plan VALUES (?, ?, ?, ?, ?, ?)",
            (n, rel, path.exists(), not lines, size, mtime),
        )
        db.executemany(
            "INSERT INTO newparts VALUES (?, ?, ?)",
            [(article_id, rel, head) for article_id, head in _heads(lines).items()],
        )
        result.files.append(path)


def _read_bucket(
    bucket: Path, buckets: int, salt: int = 0
) -> Iterator[tuple[str, list[_Incoming]]]:
    """The spilled articles of one bucket, by target file; a bucket too big to read at once is
    split again with another salt (a single target file is never split)."""
    if bucket.stat().st_size > _BUCKET_LIMIT and salt < 4:
        parts = [bucket.with_name(f"{bucket.name}.{number}") for number in range(16)]
        with ExitStack() as stack:
            outs = [stack.enter_context(open(p, "w", encoding="utf-8")) for p in parts]
            with open(bucket, encoding="utf-8") as handle:
                for line in handle:
                    rel = json.loads(line.split("\t", 1)[0])[0]
                    outs[_bucket_of(rel, salt + 1, 16)].write(line)
        bucket.unlink()
        for part in parts:
            yield from _read_bucket(part, buckets, salt + 1)
        return
    by_file: dict[str, list[_Incoming]] = {}
    with open(bucket, encoding="utf-8") as handle:
        for line in handle:
            header, body = line.rstrip("\n").split("\t", 1)
            rel, article_id, seq, page = json.loads(header)
            by_file.setdefault(rel, []).append(_Incoming(seq, article_id, page, body))
    yield from sorted(by_file.items())
    bucket.unlink()


def _stored_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle if line.strip()]


def _page_key(page: str) -> tuple[int, str]:
    number = page_number(page)
    return (number if number is not None else 1 << 30, page)


def merge_lines(
    stored: list[str], adds: dict[str, _Incoming], removes: set[str], result: PutResult
) -> tuple[list[tuple[str, str]], bool]:
    """A file's new lines as (id, JSON line): stored parts in place, `removes` dropped, updates
    replaced where the content changed, new parts after them by page and id."""
    lines: list[tuple[str, str]] = []
    changed = False
    seen: set[str] = set()
    for line in stored:
        article_id = str(json.loads(line)["id"])
        seen.add(article_id)
        if article_id in removes:
            changed = True
            continue
        incoming = adds.get(article_id)
        if incoming is None:
            lines.append((article_id, line))
        elif _same_content(line, incoming.line):
            result.unchanged += 1
            lines.append((article_id, line))
        else:
            result.updated += 1
            lines.append((article_id, incoming.line))
            changed = True
    fresh = sorted(
        (e for e in adds.values() if e.article_id not in seen),
        key=lambda e: (_page_key(e.page), e.article_id),
    )
    result.new += len(fresh)
    lines += [(e.article_id, e.line) for e in fresh]
    return lines, changed or bool(fresh)


def _same_content(stored: str, incoming: str) -> bool:
    if stored == incoming:
        return True
    return Article.from_json(stored).content_hash() == Article.from_json(incoming).content_hash()


def _heads(lines: list[tuple[str, str]]) -> dict[str, str]:
    """id → the id of the article it is read as (itself, or the 转版 head it is folded into).
    Only parts that carry a 转版 marker are parsed; the others cannot join."""
    heads = {article_id: article_id for article_id, _ in lines}
    candidates = [Article.from_json(line) for _, line in lines if may_join(line)]
    if len(candidates) > 1:
        _, folded = join_continuations(candidates)
        heads.update(folded)
    return heads


# --- the commit, and what the next writer does after a kill -----------------------------------


def _plan_rows(staging: Path) -> list[tuple[int, str, int, int]]:
    with closing(sqlite3.connect(staging / "stage.sqlite3")) as db:
        return db.execute("SELECT n, rel, existed, gone FROM plan ORDER BY n").fetchall()


def _apply(store: Store, staging: Path) -> None:
    """Put the staged files in place and update the catalogue; undo all of it on a failure."""
    rows = _plan_rows(staging)
    for n, rel, existed, _ in rows:
        target = store.data_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if existed:
            os.link(target, staging / "old" / str(n))
    # The staged files and the plan must outlive a power cut once the marker is written.
    fsync_files([staging / "stage.sqlite3", *(staging / "files").iterdir()])
    with atomic_writer(staging / COMMIT) as handle:
        handle.write("staged files are complete: roll forward\n")
    fsync_dir(staging / "old")
    try:
        _roll_forward(store, staging, rows)
    except BaseException:
        os.replace(staging / COMMIT, staging / ROLLBACK)
        _roll_back(store, staging, rows)
        raise
    remove_tree(staging)


def _roll_forward(store: Store, staging: Path, rows: list[tuple[int, str, int, int]]) -> None:
    parents: set[Path] = set()
    for n, rel, _, gone in rows:
        target = store.data_dir / rel
        staged = staging / "files" / str(n)
        if gone:
            with suppress(FileNotFoundError):
                target.unlink()
        elif staged.exists():
            os.replace(staged, target)
        parents.add(target.parent)
    for parent in parents:
        fsync_dir(parent)
    store.apply_catalogue(staging / "stage.sqlite3")


def _roll_back(store: Store, staging: Path, rows: list[tuple[int, str, int, int]]) -> None:
    for n, rel, existed, _ in rows:
        target = store.data_dir / rel
        old = staging / "old" / str(n)
        if existed and old.exists():
            os.replace(old, target)
        elif not existed:
            with suppress(FileNotFoundError):
                target.unlink()
    # The catalogue may have seen the new files: it re-reads what differs from its record.
    store.forget_catalogue_check()
    remove_tree(staging)


def recover_staging(store: Store) -> None:
    """Finish or undo what a killed bulk writer left; call with the write lock held."""
    staging = store.staging_dir
    if not staging.exists():
        return
    if (staging / COMMIT).exists():
        _roll_forward(store, staging, _plan_rows(staging))
    elif (staging / ROLLBACK).exists():
        _roll_back(store, staging, _plan_rows(staging))
    remove_tree(staging)


def is_space_error(exc: BaseException) -> bool:
    """A write refused by the file system (full, read-only, no permission), not a bug."""
    if isinstance(exc, OSError):
        return exc.errno in SPACE_ERRNOS
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "disk is full" in text or "readonly" in text or "unable to open" in text
    return False
