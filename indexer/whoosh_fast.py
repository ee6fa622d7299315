"""The one module that reads Whoosh's private internals, behind a small interface.

Whoosh's public matchers cost a Python call per posting and per column value; at archive
scale that is most of a query's time. So postings are read a block at a time and numeric
columns as one buffer, both decoded with numpy. This relies on the internals of
whoosh-reloaded's W3 codec (the version range in pyproject.toml is the one tested):
`leaf._terms.matcher`, and of `W3LeafMatcher` `_read_data`, `_data`, `_byteids`,
`_blocklength`, `_lastblock`, `_goto`, `_nextoffset`; of `NumericColumn.Reader` `_dbfile`,
`_basepos`, `_count`, `_fixedlen`, `_typecode`, `_default`; of `VarBytesColumn.Reader`
`_dbfile`, `_basepos`, `_offsets`, `_lengths`. When a matcher or column is of
another kind the public API is used instead (slow, but right).

Interface:
- `open_index(path)`: the index in a directory, opened for searching, its term and postings
  files read through mmap (`MappedStorage`);
- `read_postings(reader, field, word) -> (docnums, term frequencies)`, docnums global to the
  reader, deleted documents included (the caller filters them);
- `public_postings(reader, field, word)`: the same through Whoosh's public matcher API
  (deleted documents left out), the reference the fast path is checked against (tests,
  `Archive.health`);
- `numeric_column(reader, name, n) -> int64 array`, `string_column(reader, name, n)` and
  `live_mask(reader, n)`;
- `open_writer(ix, **options)` and `abandon_writer(writer)`: a segment writer that lets go of
  Whoosh's write lock when the file system refuses a write (SegmentWriter's `_lk`, `writelock`).
"""

from __future__ import annotations

import io
import mmap
import os
from contextlib import suppress
from pathlib import Path

import numpy as np
from whoosh import columns as wcolumns
from whoosh.codec import whoosh3 as w3
from whoosh.fields import COLUMN, NUMERIC
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import Index
from whoosh.reading import IndexReader, TermNotFound

Postings = tuple[np.ndarray, np.ndarray]

# Term dictionaries and postings: a term lookup reads a few small pieces of the .trm file and a
# postings block one piece of the .pst; through a file each piece is a seek and a read (about a
# fifth of reading a query's postings, profiled), through mmap a slice.
MAPPED_SUFFIXES = (".trm", ".pst")


class MappedFile(StructFile):
    """A read-only index file behind mmap: `get(position, length)`, what Whoosh's term and
    postings readers ask most, is a slice; everything else reads the mmap as a file."""

    def __init__(self, path: str, name: str) -> None:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = mmap.mmap(fh.fileno(), size, access=mmap.ACCESS_READ) if size else None
        super().__init__(data if data is not None else io.BytesIO(b""), name=name)
        self._data = data if data is not None else b""
        self.is_real = False  # no fileno: Whoosh reads arrays through read(), not fromfile

    def get(self, position: int, length: int) -> bytes:
        return self._data[position : position + length]


class MappedStorage(FileStorage):
    """A FileStorage that opens term and postings files as MappedFile (for reading only)."""

    def open_file(self, name, **kwargs):
        if name.endswith(MAPPED_SUFFIXES) and not kwargs:
            return MappedFile(self._fpath(name), name)
        return super().open_file(name, **kwargs)


def open_index(path: Path) -> Index:
    """The Whoosh index in `path`, for searching (whoosh.index.open_dir, mapped files)."""
    return MappedStorage(str(path), readonly=True).open_index()


def _empty() -> Postings:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)


def read_postings(reader: IndexReader, field: str, word: str) -> Postings:
    """(docnums, term frequencies) of a word in a field, over every segment of `reader`."""
    ids_parts, tf_parts = [], []
    bword = word.encode("utf-8")
    for leaf, base in reader.leaf_readers():
        try:
            matcher = leaf._terms.matcher(field, bword, leaf.schema[field].format)
        except (TermNotFound, KeyError):
            continue
        ids, tfs = _matcher_arrays(matcher)
        ids_parts.append(ids + base)
        tf_parts.append(tfs)
    if not ids_parts:
        return _empty()
    return np.concatenate(ids_parts), np.concatenate(tf_parts)


def public_postings(reader: IndexReader, field: str, word: str) -> Postings:
    """`read_postings` through Whoosh's public API, without deleted documents: a matcher per
    segment, one Python call a posting."""
    ids_parts, tf_parts = [], []
    for leaf, base in reader.leaf_readers():
        if (field, word) not in leaf:
            continue
        ids, tfs = _public_arrays(leaf.postings(field, word))
        ids_parts.append(ids + base)
        tf_parts.append(tfs)
    if not ids_parts:
        return _empty()
    return np.concatenate(ids_parts), np.concatenate(tf_parts)


def _matcher_arrays(m) -> Postings:
    if type(m) is not w3.W3LeafMatcher:
        return _public_arrays(m)
    ids: list = []
    tfs: list = []
    while True:  # a block at a time, decoded with numpy
        m._read_data()
        raw_ids, weights = m._data[0], m._data[1]
        block = np.asarray(raw_ids, dtype=np.int64)
        # Whoosh delta-encodes docnums within a block unless they are stored as bytes.
        ids.append(block if m._byteids else np.cumsum(block))
        if weights is None or isinstance(weights, float):
            value = 1.0 if weights is None else weights
            tfs.append(np.full(m._blocklength, value, dtype=np.float32))
        else:
            tfs.append(np.asarray(weights, dtype=np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return np.concatenate(ids), np.concatenate(tfs)


def _public_arrays(m) -> Postings:
    ids: list = []
    tfs: list = []
    while m.is_active():
        ids.append(m.id())
        tfs.append(m.weight())
        m.next()
    return np.array(ids, dtype=np.int64), np.array(tfs, dtype=np.float32)


def numeric_column(reader: IndexReader, name: str, n: int) -> np.ndarray:
    """A whole numeric column as an int64 array: one read per segment, not one Python call
    per document."""
    out = np.zeros(n, dtype=np.int64)
    for leaf, base in reader.leaf_readers():
        count = leaf.doc_count_all()
        col = leaf.column_reader(name, translate=False)
        values = _fast_column(col, count, leaf.schema[name])
        if values is None:
            col = leaf.column_reader(name)  # translated values, one call per document
            values = np.fromiter((col[i] for i in range(count)), dtype=np.int64, count=count)
        out[base : base + count] = values
    return out


def string_column(reader: IndexReader, name: str, n: int) -> tuple[list[str], np.ndarray]:
    """A whole string column as (sorted distinct values, each document's index into them)."""
    if not n:
        return [], np.zeros(0, dtype=np.int64)
    # Bytes to a first code in the order met; a dict, not np.unique over a str array: that
    # array is as wide as the longest value for every document (the `ents` column: 2.4 GB
    # transient at 100k articles).
    first: dict[bytes, int] = {}
    codes = np.zeros(n, dtype=np.int64)
    for leaf, base in reader.leaf_readers():
        count = leaf.doc_count_all()
        values = _raw_values(leaf, name, count)
        codes[base : base + count] = np.fromiter(
            (first.setdefault(v, len(first)) for v in values), dtype=np.int64, count=count
        )
    texts = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in first]
    names = sorted(set(texts))
    index = {text: i for i, text in enumerate(names)}
    remap = np.fromiter((index[t] for t in texts), dtype=np.int64, count=len(texts))
    return names, remap[codes]


def _raw_values(leaf, name: str, count: int) -> list:
    """One segment's column values: bytes sliced from the column's buffer at once (a
    VarBytesColumn), else through Whoosh's reader, one call per document (11 µs each:
    20 s for the paper, page and entity columns of a million articles)."""
    col = leaf.column_reader(name, translate=False)
    if type(col) is wcolumns.VarBytesColumn.Reader:
        with suppress(AttributeError, TypeError, ValueError):
            lengths = np.asarray(col._lengths, dtype=np.int64)
            offsets = np.asarray(col._offsets, dtype=np.int64)
            values: list[bytes] = []
            for start in range(0, len(lengths), 65536):  # a few MB of the column at a time
                offs = offsets[start : start + 65536]
                ends = offs + lengths[start : start + 65536]
                low, high = int(offs.min()), int(ends.max())
                raw = bytes(col._dbfile.get(col._basepos + low, high - low))
                pairs = zip((offs - low).tolist(), (ends - low).tolist(), strict=True)
                values.extend(raw[a:b] for a, b in pairs)
            return (values + [b""] * count)[:count]
    col = leaf.column_reader(name)
    return [col[i] for i in range(count)]


def live_mask(reader: IndexReader, n: int) -> np.ndarray:
    """True for the documents not deleted; only segments with deletions are read doc by doc."""
    live = np.ones(n, dtype=bool)
    for leaf, base in reader.leaf_readers():
        if leaf.has_deletions():
            count = leaf.doc_count_all()
            keep = np.zeros(count, dtype=bool)
            keep[np.fromiter(leaf.all_doc_ids(), dtype=np.int64)] = True
            live[base : base + count] = keep
    return live


def _fast_column(col, count: int, field) -> np.ndarray | None:
    """The raw column bytes as numbers, translated like NUMERIC.from_column_value (signed
    ints are stored shifted by 2**(bits-1)); None when the column is of another kind."""
    if type(col) is not wcolumns.NumericColumn.Reader:
        return None
    column_only = isinstance(field, COLUMN) and isinstance(
        field.column_type, wcolumns.NumericColumn
    )
    if not (column_only or (isinstance(field, NUMERIC) and field.numtype is int)):
        return None
    try:
        raw = col._dbfile.get(col._basepos, col._count * col._fixedlen)
        values = np.frombuffer(raw, dtype=np.dtype(col._typecode).newbyteorder(">"))
    except (AttributeError, TypeError, ValueError):
        return None
    if column_only:  # the numbers as they were given, big-endian
        out = np.full(count, col._default, dtype=np.int64)
        out[: min(count, len(values))] = values[:count]
        return out
    out = np.full(count, col._default, dtype=np.uint64)
    out[: min(count, len(values))] = values[:count]
    if field.signed:
        out = out - np.uint64(1 << (field.bits - 1))
    return out.view(np.int64)


# --- writers that let go of Whoosh's lock when a write fails ------------------------------------


def open_writer(ix, **options):
    """`ix.writer(**options)` for one process, except that a writer the file system refuses
    (a full disk while it creates the segment's files) releases Whoosh's write lock instead of
    keeping it until the process ends; relies on SegmentWriter's `_lk` and `writelock`."""
    from whoosh.index import LockError
    from whoosh.writing import SegmentWriter

    lock = ix.lock("WRITELOCK")
    if not lock.acquire():
        raise LockError(f"Index {ix.indexname} is already locked for writing")
    try:
        writer = SegmentWriter(ix, _lk=False, **options)
    except BaseException:
        lock.release()
        raise
    writer.writelock = lock
    return writer


def abandon_writer(writer) -> None:
    """Cancel a writer after a failure and make sure its write lock is released, even when
    the failure left it half-closed."""
    with suppress(Exception):  # a writer that failed halfway may fail to cancel
        writer.cancel()
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:
        lock.release()
