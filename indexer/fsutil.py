"""Small file-system helpers shared by every writer: atomic replacement of a file, and the
clean-up of what a killed writer leaves behind."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

__all__ = [
    "SPACE_ERRNOS",
    "atomic_writer",
    "fsync_dir",
    "fsync_file",
    "fsync_files",
    "remove_stale_temps",
    "remove_tree",
]

# The write failures that say "this file system cannot take it" rather than "a bug": a full disk,
# a read-only mount, no permission, a quota.
SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT})


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Yield a temp file beside `path`; on success fsync and rename it over `path`.

    On any exception the temp file is removed and `path` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def remove_stale_temps(path: Path) -> None:
    """Temp files of `path` left by a writer that was killed; only call with the lock held."""
    if path.parent.is_dir():
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            with suppress(FileNotFoundError):
                stale.unlink()


def fsync_dir(directory: Path) -> None:
    """Make renames in `directory` durable: they are on disk only once its entry list is."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file written without `atomic_writer` (a staged file) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_files(paths: list[Path]) -> None:
    """fsync many files at once: concurrent fsyncs share the file system's journal commits,
    one after the other they cost a disk round trip each."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(fsync_file, paths))


def remove_tree(path: Path) -> None:
    """Remove a folder of our own temp files; a file that is already gone is fine."""
    shutil.rmtree(path, ignore_errors=True)


_REFUSALS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def refused_write(exc: BaseException) -> OSError | None:
    """The OSError behind a write the file system refused (full, read-only, no permission),
    looking through the exceptions that wrap it; None for any other failure. SQLite says
    "database or disk is full" without an errno: that counts as ENOSPC."""
    import sqlite3

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in SPACE_ERRNOS:
            return current
        if isinstance(current, sqlite3.OperationalError):
            text = str(current).lower()
            if "disk is full" in text:
                return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            if "readonly" in text:
                return OSError(errno.EROFS, os.strerror(errno.EROFS))
        current = current.__cause__ or current.__context__
    return None


def refusal_text(error: OSError, where: Path | str) -> str:
    """ "the disk is full at PATH (No space left on device)": what happened and where, one line.
    `where` is used when the error names no file."""
    what = _REFUSALS.get(error.errno or 0, "the file system refused a write")
    place = error.filename or where
    reason = error.strerror or os.strerror(error.errno or 0)
    return f"{what} at {place} ({reason})"


def sqlite_open_error(exc: BaseException, path: Path) -> BaseException:
    """SQLite's "unable to open database file" names neither the file nor why: the OSError a
    read-only or unwritable folder would have given, or `exc` itself when it is something else."""
    folder = path.parent
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return exc
    if read_only:
        return OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
    if not path.exists() and not os.access(folder, os.W_OK):
        return OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    return exc
