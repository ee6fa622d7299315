"""One opened index generation, read for searching: the Whoosh searcher, the numeric columns as
numpy arrays, the texts.bin mmap and the gram sidecar. Made by `Archive` and shared by the
query execution (indexer/search.py), facets, browsing and example queries.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path
from typing import Any

import numpy as np

from indexer.grams import open_segments
from indexer.index import (
    SCHEMA_VERSION,
    SEP,
    TEXT_FIELDS,
    TEXTS,
    IndexOutdated,
    apply_diffs,
    load_manifest,
)
from indexer.scoring import WORD_BOOSTS
from indexer.whoosh_fast import (
    Postings,
    live_mask,
    numeric_column,
    open_index,
    read_postings,
    string_column,
)

FIELD_INDEX = {name: i for i, name in enumerate(TEXT_FIELDS)}
GRAM_CACHE_ENTRIES = 4096
POSTINGS_CACHE_POSTINGS = 20_000_000
DF_CACHE_ENTRIES = 100_000


class IndexView:
    """One opened generation: Whoosh searcher, numpy columns, texts.bin mmap, gram segments.

    Docnums are Whoosh's (global to the searcher); `live` marks those not deleted.
    """

    def __init__(self, gen: Path) -> None:
        self.gen = gen
        version = load_manifest(gen).schema
        if version != SCHEMA_VERSION:
            raise IndexOutdated(
                f"the index in {gen} was built by another version (schema {version}, this "
                f"code reads {SCHEMA_VERSION}): run `baoku index --rebuild`"
            )
        self.ix = open_index(gen)  # term and postings files through mmap
        self.searcher = self.ix.searcher()
        self.examples: list[str] | None = None  # cached by indexer.examples
        self._load()

    def _load(self) -> None:
        reader = self.searcher.reader()
        n = reader.doc_count_all()
        self.n = n
        self.live = live_mask(reader, n)
        self.dord = numeric_column(reader, "dord", n)
        self.toff = numeric_column(reader, "toff", n)
        self.tlen = numeric_column(reader, "tlen", n)
        self.ckey = numeric_column(reader, "ckey", n)  # copy keys (indexer/copies.py)
        dk = numeric_column(reader, "dk", n)
        # Ties are broken by dk, the order articles were indexed in: docnums depend on which
        # writer process's segment comes first, so ordering by them differs between builds.
        self.dk = dk
        size = int(dk[self.live].max()) + 1 if self.live.any() else 0
        self.doc_of_dk = np.full(size, -1, dtype=np.int64)
        live_docs = np.flatnonzero(self.live)
        self.doc_of_dk[dk[live_docs]] = live_docs
        self.paper_names, self.paper = string_column(reader, "paper", n)
        self.page_names, self.page = string_column(reader, "page", n)
        by_page = sorted(range(len(self.page_names)), key=lambda c: page_sort(self.page_names[c]))
        self.page_rank = np.zeros(len(self.page_names), dtype=np.int64)
        self.page_rank[by_page] = np.arange(len(by_page))
        self.doc_count = max(1, int(self.live.sum()))
        self.lengths = {f: numeric_column(reader, f"n_{f}", n) for f in WORD_BOOSTS}
        self.avg_length = {
            f: max(1.0, float(self.lengths[f][self.live].mean())) if self.live.any() else 1.0
            for f in WORD_BOOSTS
        }
        self._postings_cache: dict[tuple[str, str], Postings] = {}
        self._postings_size = 0
        path = self.gen / TEXTS
        self._file = open(path, "rb")  # noqa: SIM115 - held open for the mmap, closed in close()
        size_bytes = path.stat().st_size
        self.mm = (
            mmap.mmap(self._file.fileno(), size_bytes, access=mmap.ACCESS_READ)
            if size_bytes
            else None
        )
        self.segments = open_segments(self.gen)
        self._cache: dict[int, np.ndarray] = {}

    def up_to_date(self) -> bool:
        return self.searcher.up_to_date()

    def close(self) -> None:
        self.searcher.close()
        if self.mm is not None:
            self.mm.close()
        self._file.close()

    def doc_frequency(self, field: str, word: str) -> int:
        """Whoosh's document frequency (deleted documents included), cached per searcher: a
        term lookup per segment costs more than scoring a rare word."""
        cache = self.__dict__.setdefault("_df_cache", {})
        found = cache.get((field, word))
        if found is None:
            if len(cache) > DF_CACHE_ENTRIES:
                cache.clear()
            found = cache[(field, word)] = self.searcher.reader().doc_frequency(field, word)
        return found

    def gram_docs(self, key: int) -> np.ndarray:
        """Live docnums containing the gram, sorted (cached per searcher)."""
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        parts = [p for p in (seg.postings(key) for seg in self.segments) if p is not None]
        if parts:
            dks = np.concatenate(parts)
            dks = dks[dks < len(self.doc_of_dk)]
            docs = self.doc_of_dk[dks]
            docs = np.sort(docs[docs >= 0])
            # np.unique hashes; a sort and a neighbour comparison is several times faster here.
            docs = docs[np.concatenate(([True], docs[1:] != docs[:-1]))] if len(docs) else docs
        else:
            docs = np.zeros(0, dtype=np.int64)
        if len(self._cache) > GRAM_CACHE_ENTRIES:
            self._cache.clear()
        self._cache[key] = docs
        return docs

    def text(self, docnum: int) -> str:
        """The normalised text of a document: its TEXT_FIELDS joined by SEP."""
        off, ln = int(self.toff[docnum]), int(self.tlen[docnum])
        return self.mm[off : off + ln].decode("utf-8") if self.mm is not None else ""

    def field_text(self, docnum: int, field: str) -> str:
        return self.text(docnum).split(SEP)[FIELD_INDEX[field]]

    def stored_texts(self, docnum: int) -> tuple[dict[str, Any], str, str]:
        """(stored fields, normalised text, original text) of a document."""
        stored = self.searcher.stored_fields(docnum)
        norm = self.text(docnum)
        return stored, norm, apply_diffs(norm, stored.get("diffs") or [])

    def docnum(self, article_id: str) -> int | None:
        """The live docnum of an article id, or None."""
        docnum = self.searcher.document_number(id=article_id)
        return docnum if docnum is not None and self.live[docnum] else None

    def postings(self, field: str, word: str) -> Postings:
        """(live docnums, term frequencies) of a word in a field, read block-wise into numpy
        and cached per searcher (Whoosh's matchers would cost a Python call per posting)."""
        key = (field, word)
        cached = self._postings_cache.get(key)
        if cached is None:
            ids, tfs = read_postings(self.searcher.reader(), field, word)
            keep = self.live[ids]
            cached = (ids[keep], tfs[keep])
            if self._postings_size > POSTINGS_CACHE_POSTINGS:
                self._postings_cache.clear()
                self._postings_size = 0
            self._postings_cache[key] = cached
            self._postings_size += len(cached[0])
        return cached


def page_sort(page: str) -> tuple[int, str]:
    """The paper's order of 版次: by number (A05 after 04), unnumbered last."""
    digits = re.sub(r"\D", "", page)
    return (int(digits) if digits else 10**6, page)


def fmt_date(dord: int) -> str:
    """YYYYMMDD → YYYY-MM-DD ("" for an unknown date)."""
    return f"{dord // 10000:04d}-{dord // 100 % 100:02d}-{dord % 100:02d}" if dord else ""


def code_mask(names: list[str], codes: np.ndarray, wanted: str, numeric: bool) -> np.ndarray:
    """Documents whose string column (names, codes) equals `wanted`; with `numeric`, 7 also
    finds 07."""
    wanted = wanted.strip()
    matches = [i for i, name in enumerate(names) if name == wanted]
    if numeric and not matches and wanted.isdigit():
        matches = [i for i, name in enumerate(names) if name.isdigit() and int(name) == int(wanted)]
    return np.isin(codes, matches)
