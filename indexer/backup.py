"""`baoku backup DEST`: a consistent snapshot of the store and the live index, taken while the
site serves and a crawl may be running.

Layout under DEST::

    DEST/<YYYYmmddTHHMMSS>/     one snapshot: a complete data dir (articles/, raw/, index/,
                                crawl/, profiles/), restorable by copying it
    DEST/LATEST                 the name of the newest complete snapshot

How it stays consistent: the article files, the raw catalogue, the crawl state and the live
index generation are copied holding the store's write lock and the index's write lock, so no
writer changes them meanwhile (a crawl waits a moment at its next store write; `baoku index`
started meanwhile says the index is busy). Raw pages are content-addressed and never rewritten,
so they are copied after the locks are released: exactly the pages the copied catalogue and
articles name. A page the previous snapshot holds already is hard-linked from it, not copied
again, so a nightly backup costs the new pages only. A snapshot is written under a hidden name
and renamed when complete: a backup that fails (a full backup disk) leaves no half snapshot.
Article files, index files and crawl state unchanged since the previous snapshot (same size and
mtime: writers replace or append, never rewrite in place) are hard-linked from it too.

The id catalogue (.store/ids.sqlite3) is not copied: the store rebuilds it from the files.
Restoring is copying a snapshot to an empty data dir (docs/operations-data.md).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from indexer.fsutil import atomic_writer, fsync_dir
from indexer.index import POINTER, live_generation

__all__ = ["BackupReport", "backup"]

LATEST = "LATEST"
# Files the archive appends to in place: never shared between snapshots, so that a snapshot
# used as a data dir by mistake cannot change the others.
_APPENDED = frozenset({"texts.bin", "catalogue.jsonl"})
_INDEX_WAIT = 600.0  # seconds to wait for a running `baoku index` before giving up


@dataclass
class BackupReport:
    snapshot: Path
    article_files: int = 0
    raw_copied: int = 0  # new pages: bytes copied
    raw_linked: int = 0  # pages the previous snapshot had: hard links
    files_linked: int = 0  # article, index and state files unchanged since the previous one
    bytes_copied: int = 0
    generation: str = ""
    locked_seconds: float = 0.0  # how long writers were held up
    seconds: float = 0.0


def backup(data_dir: Path | str, dest: Path | str) -> BackupReport:
    """Take a snapshot of `data_dir` into `dest`/<time>/ (see the module docstring)."""
    from indexer.store import Store

    started = time.perf_counter()
    data_dir, dest = Path(data_dir), Path(dest)
    if dest.resolve().is_relative_to(data_dir.resolve()):
        raise ValueError(f"the backup ({dest}) cannot be inside the data dir ({data_dir})")
    dest.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S")
    while (dest / name).exists():
        name += "x"
    partial = dest / f".{name}.partial"
    previous = _latest(dest)
    report = BackupReport(dest / name)
    shutil.rmtree(partial, ignore_errors=True)
    try:
        store = Store(data_dir)
        index_lock = FileLock(str(data_dir / "index" / "write.lock"), timeout=_INDEX_WAIT)
        (data_dir / "index").mkdir(parents=True, exist_ok=True)
        with store.lock, index_lock:
            locked = time.perf_counter()
            store.article_files()  # finishes an interrupted bulk write before copying
            _copy_locked_part(data_dir, partial, previous, report)
            report.locked_seconds = time.perf_counter() - locked
        _copy_raw_pages(data_dir, partial, previous, report)
        os.replace(partial, report.snapshot)
        fsync_dir(dest)
        with atomic_writer(dest / LATEST) as handle:
            handle.write(name + "\n")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


def _latest(dest: Path) -> Path | None:
    try:
        name = (dest / LATEST).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    snapshot = dest / name
    return snapshot if name and snapshot.is_dir() else None


def _copy_locked_part(
    data_dir: Path, target: Path, previous: Path | None, report: BackupReport
) -> None:
    """What writers change: copied with the locks held (files unchanged since the previous
    snapshot are hard-linked from it, which keeps the time writers wait short)."""
    articles = data_dir / "articles"
    for path in sorted(articles.rglob("*.jsonl")) if articles.is_dir() else []:
        if path.name.startswith("."):
            continue  # a writer's temp file
        _keep(path, data_dir, target, previous, report)
        report.article_files += 1
    catalogue = data_dir / "raw" / "catalogue.jsonl"
    if catalogue.exists():
        _keep(catalogue, data_dir, target, previous, report)
    for folder in ("crawl", "profiles"):
        for path in sorted((data_dir / folder).rglob("*")) if (data_dir / folder).is_dir() else []:
            if path.is_file() and not path.name.endswith(".tmp"):
                _keep(path, data_dir, target, previous, report)
    gen = live_generation(data_dir / "index")
    if gen is not None:
        report.generation = gen.name
        for path in sorted(gen.iterdir()):
            if path.is_file() and not path.name.endswith("WRITELOCK"):
                _keep(path, data_dir, target, previous, report)
        with atomic_writer(target / "index" / POINTER) as handle:
            handle.write(gen.name + "\n")


def _keep(
    path: Path, data_dir: Path, target: Path, previous: Path | None, report: BackupReport
) -> None:
    """Copy `path` into the snapshot, or hard-link the previous snapshot's copy when it has
    the same size and modification time: every writer of the data dir replaces a file (a new
    mtime) or appends to it (a new size), and copy2 keeps the mtime to the nanosecond."""
    rel = path.relative_to(data_dir)
    copy = target / rel
    kept = previous / rel if previous is not None and path.name not in _APPENDED else None
    if kept is not None and _same_stat(path, kept) and _link(kept, copy):
        report.files_linked += 1
        return
    report.bytes_copied += _copy(path, copy)


def _same_stat(a: Path, b: Path) -> bool:
    try:
        sa, sb = a.stat(), b.stat()
    except FileNotFoundError:
        return False
    return sa.st_size == sb.st_size and sa.st_mtime_ns == sb.st_mtime_ns


def _link(existing: Path, new: Path) -> bool:
    new.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(existing, new)
    except OSError:
        return False  # a file system without hard links: copy instead
    return True


def _copy_raw_pages(
    data_dir: Path, target: Path, previous: Path | None, report: BackupReport
) -> None:
    """The raw pages the copied catalogue and articles name; linked from the previous
    snapshot when it has them (same name, same content: they are content-addressed)."""
    for source in sorted(_named_pages(target)):
        original = data_dir / source
        if not original.is_file():
            continue  # named but missing in the data dir: `baoku check` reports it
        copy = target / source
        copy.parent.mkdir(parents=True, exist_ok=True)
        kept = previous / source if previous is not None else None
        same = (
            kept is not None and kept.is_file() and kept.stat().st_size == original.stat().st_size
        )
        if same and _link(kept, copy):
            report.raw_linked += 1
            continue
        report.bytes_copied += _copy(original, copy)
        report.raw_copied += 1


def _named_pages(snapshot: Path) -> set[str]:
    import json

    names: set[str] = set()
    catalogue = snapshot / "raw" / "catalogue.jsonl"
    if catalogue.exists():
        with open(catalogue, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    names.add(str(json.loads(line)["source"]))
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line: the store skips it too
    return {n for n in names if n.startswith("raw/") and ".." not in n}


def _copy(source: Path, target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return target.stat().st_size
