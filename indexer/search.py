"""Searching the archive: `Archive`, the one entry point of the CLI and the web app.

    from indexer import Archive
    with Archive(data_dir) as archive:
        result = archive.search("兰州新区", limit=10)

API
- `Archive(data_dir)`: opens DATA/index lazily, once; it re-opens by itself when the index
  changed (an incremental update, or a rebuild swapped in), never erroring mid-swap.
- `.reindex(rebuild=False, progress=None) -> IndexReport` (added, updated, deleted, total,
  rebuilt, seconds, generation): brings the index up to date with `indexer.store.Store`.
  Raises `indexer.index.IndexBusy` when another process is writing.
- `.search(query, limit=10, offset=0, date_from=None, date_to=None, page=None,
  sort="relevance", paper=None, recency_boost=False, snippets=True) -> dict`:
      {"query", "total", "offset", "limit", "took_ms", "sort",
       "hits": [{"id", "title", "paper", "date", "page", "page_name", "score", "snippet"}],
       "facets": {"year": {"2019": n}, "month": {"2019-10": n}, "page": {"01": n},
                  "paper": {"人民日报": n}},
       "parsed": {"terms": [...], "excluded": [...], "suggestion": str | None,
                  "suggestion_query": str | None, "notes": [...]}}
  `total` is exact; facets count the whole result set (after filters) and come in display
  order: years and months oldest first, 版次 in the paper's order, papers by count then name; snippets are 1–3
  fragments, every match wrapped whole in <mark>…</mark>, all other text HTML-escaped.
  date_from/date_to take YYYY, YYYY-MM or YYYY-MM-DD; sort is relevance|newest|oldest (a
  排序:/sort: in the query wins over the default); paper filters on the paper's name;
  snippets=False leaves "snippet" empty (for exports of many hits). "sort" is the order the
  hits are in. Date sorts put a day's articles in page (版次) order.
  A query with no words (empty, or only 日期:/版次:/排序: and exclusions) but a filter (dates,
  page, paper, as arguments or in the query) lists every article the filters let through,
  newest first unless told otherwise (relevance means nothing without words), with exact
  total and facets, score 0 and the article's opening text, escaped, as snippet. No words and
  no filter: no hits.
  "suggestion" is a sentence for people; "suggestion_query", when not None, is the whole
  query to run instead (same filters: its count in the sentence is under them), for a link.
  Raises ValueError for a malformed date or sort (the query string itself never raises),
  and `indexer.index.IndexOutdated` when the index was built by another schema version.
- `.count() -> int`: articles in the index (0 without one). `.is_ready() -> bool`: an index
  exists and opens. `.index_state() -> str`: "ready" | "missing" | "outdated" | "broken",
  for saying what to run (`baoku index`, `baoku index --rebuild`).
- `.get(id) -> Article | None`: from the store, else rebuilt from the index's text.
- `.more_like_this(id, limit=5) -> list[hit]` (hits without snippets: snippet "").
- `.highlight(text, query) -> str`: `text` HTML-escaped with the query's matches marked.
- `.example_queries(limit=5) -> list[str]`: queries drawn from the newest articles that find
  something here (标题:word, "a title phrase", 图片:word, 作者:name, word -word), for a
  home page; cached per index version.
- `.issues(paper=None) -> list[IssueRef]` (paper, date, articles), newest first;
  `.issue(paper, date) -> list[IssuePage]` (page, page_name, articles: [IssueArticle(id,
  title)]), by page.
- `.close()`; `Archive` is a context manager. Methods are safe to call from several threads
  (one lock per Archive: Whoosh readers share file handles).

The query language is parsed by indexer/query.py (never raises; see its docstring).

How a query runs (why this design is in docs/benchmarks.md):
1. Each fragment's character bigrams (unigram for a one-character run) are looked up in the
   gram sidecar (indexer.index.GramSegmentWriter) and intersected with numpy: every document
   that contains the fragment is a candidate (recall 1.0 by construction).
2. Quoted phrases and field-prefixed fragments are verified against the normalised text in
   texts.bin (mmap.find within the document's byte range): precision 1.0, exact totals.
   Unquoted fragments keep all candidates (a document with all the bigrams).
3. Relevance: BM25F over the jieba words of the query in the word fields (Whoosh's BM25
   formula and idf, computed with numpy over postings read a block at a time and cached per
   searcher, for the candidates only; field lengths in characters; field weights title 6,
   kicker/subtitle 3, headings 2, captions 1.5, body/author 1), plus a known-item bonus when
   the query equals the title; candidates with no word match follow, newest first.
   `recency_boost` multiplies scores by 1 + 0.5·exp(-age/365 days), age counted from the
   newest matching article.
4. Facets, filters and date sorts are numpy over columns loaded once per searcher.
"""

from __future__ import annotations

import html
import math
import mmap
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import columns as wcolumns
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3 as w3
from whoosh.fields import NUMERIC
from whoosh.reading import TermNotFound

from indexer.analysis import RUN, normalize, query_grams, to_simplified, words
from indexer.article import Article, Caption, Section
from indexer.index import (
    SCHEMA_VERSION,
    SEP,
    TEXT_FIELDS,
    TEXTS,
    WORD_BOOSTS,
    IndexOutdated,
    IndexReport,
    apply_diffs,
    field_texts,
    gram_key,
    live_generation,
    load_manifest,
    reindex,
    title_key,
)
from indexer.query import Clause, ParsedQuery, date_bound, parse

if TYPE_CHECKING:
    from indexer.store import Store

SORTS = ("relevance", "newest", "oldest")
TITLE_BONUS = 1000.0  # a known item (query == title) outranks any partial match
SNIPPET_FRAGMENTS = 3
SNIPPET_BEFORE, SNIPPET_AFTER = 30, 70
FIELD_INDEX = {name: i for i, name in enumerate(TEXT_FIELDS)}


@dataclass
class IssueRef:
    paper: str
    date: str
    articles: int


@dataclass
class IssueArticle:
    id: str
    title: str


@dataclass
class IssuePage:
    page: str
    page_name: str
    articles: list[IssueArticle]


class _GramSegment:
    def __init__(self, stem: Path) -> None:
        self.base = int(stem.name.split("-")[1])
        self.keys = np.load(f"{stem}.keys.npy", mmap_mode="r")
        self.starts = np.load(f"{stem}.starts.npy", mmap_mode="r")
        self.dks = np.load(f"{stem}.dks.npy", mmap_mode="r")

    def postings(self, key: int) -> np.ndarray | None:
        i = int(np.searchsorted(self.keys, key))
        if i >= len(self.keys) or int(self.keys[i]) != key:
            return None
        return self.dks[self.starts[i] : self.starts[i + 1]].astype(np.int64) + self.base


class _View:
    """One opened generation: Whoosh searcher, numpy columns, texts.bin mmap, gram segments."""

    def __init__(self, gen: Path) -> None:
        self.gen = gen
        version = load_manifest(gen).schema
        if version != SCHEMA_VERSION:
            raise IndexOutdated(
                f"the index in {gen} was built by another version (schema {version}, this "
                f"code reads {SCHEMA_VERSION}): run `baoku index --rebuild`"
            )
        self.ix = whoosh_index.open_dir(str(gen))
        self.searcher = self.ix.searcher()
        self._load()

    def _load(self) -> None:
        reader = self.searcher.reader()
        n = reader.doc_count_all()
        self.n = n
        self.live = np.zeros(n, dtype=bool)
        self.live[list(reader.all_doc_ids())] = True
        self.dord = _column_array(reader, "dord", n)
        self.toff = _column_array(reader, "toff", n)
        self.tlen = _column_array(reader, "tlen", n)
        dk = _column_array(reader, "dk", n)
        size = int(dk[self.live].max()) + 1 if self.live.any() else 0
        self.doc_of_dk = np.full(size, -1, dtype=np.int64)
        live_docs = np.flatnonzero(self.live)
        self.doc_of_dk[dk[live_docs]] = live_docs
        self.paper_names, self.paper = _codes(reader, "paper", n)
        self.page_names, self.page = _codes(reader, "page", n)
        by_page = sorted(range(len(self.page_names)), key=lambda c: _page_sort(self.page_names[c]))
        self.page_rank = np.zeros(len(self.page_names), dtype=np.int64)
        self.page_rank[by_page] = np.arange(len(by_page))
        self.days = _days(self.dord)
        self.doc_count = max(1, int(self.live.sum()))
        self.lengths = {f: _column_array(reader, f"n_{f}", n) for f in WORD_BOOSTS}
        self.avg_length = {
            f: max(1.0, float(self.lengths[f][self.live].mean())) if self.live.any() else 1.0
            for f in WORD_BOOSTS
        }
        self._postings_cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._postings_size = 0
        path = self.gen / TEXTS
        self._file = open(path, "rb")  # noqa: SIM115 - held open for the mmap, closed in close()
        size_bytes = path.stat().st_size
        self.mm = (
            mmap.mmap(self._file.fileno(), size_bytes, access=mmap.ACCESS_READ)
            if size_bytes
            else None
        )
        stems = sorted({p.name[: -len(".keys.npy")] for p in self.gen.glob("grams-*.keys.npy")})
        self.segments = [_GramSegment(self.gen / s) for s in stems]
        self._cache: dict[int, np.ndarray] = {}

    def up_to_date(self) -> bool:
        return self.searcher.up_to_date()

    def close(self) -> None:
        self.searcher.close()
        if self.mm is not None:
            self.mm.close()
        self._file.close()

    # -- candidates --

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
            docs = np.unique(docs[docs >= 0])
        else:
            docs = np.zeros(0, dtype=np.int64)
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[key] = docs
        return docs

    def text(self, docnum: int) -> str:
        off, ln = int(self.toff[docnum]), int(self.tlen[docnum])
        return self.mm[off : off + ln].decode("utf-8") if self.mm is not None else ""

    def stored_texts(self, docnum: int) -> tuple[dict[str, Any], str, str]:
        """(stored fields, normalised text, original text) of a document."""
        stored = self.searcher.stored_fields(docnum)
        norm = self.text(docnum)
        return stored, norm, apply_diffs(norm, stored.get("diffs") or [])

    def postings(self, field: str, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(live docnums, term frequencies) of a word in a field, read block-wise into numpy
        and cached per searcher (Whoosh's matchers would cost a Python call per posting)."""
        key = (field, word)
        cached = self._postings_cache.get(key)
        if cached is None:
            ids, tfs = _read_postings(self.searcher.reader(), field, word)
            keep = self.live[ids]
            cached = (ids[keep], tfs[keep])
            if self._postings_size > 20_000_000:
                self._postings_cache.clear()
                self._postings_size = 0
            self._postings_cache[key] = cached
            self._postings_size += len(cached[0])
        return cached


def _bm25(
    view: _View, field: str, boost: float, df: int, ids: np.ndarray, tf: np.ndarray
) -> np.ndarray:
    """boost × Whoosh's BM25 idf (from `df`, the word's document frequency) × the saturated
    term frequency (B=0.75, K1=1.2) of each document in `ids`, lengths in characters."""
    idf = math.log(view.doc_count / (df + 1)) + 1.0
    b, k1 = 0.75, 1.2
    norm = 1 - b + b * view.lengths[field][ids] / view.avg_length[field]
    return boost * idf * ((tf * (k1 + 1)) / (tf + k1 * norm))


def _scoring_words(reader, doc_count: int, text: str) -> list[str]:
    """The words of `text` to score with. Words in more than a third of the documents (的,
    中国 …) add almost nothing to BM25 yet have the longest posting lists, so they are left
    out when the text has other words (the candidates already contain them all)."""
    found = list(dict.fromkeys(words(text)))
    common = {w for w in found if reader.doc_frequency("body", w) > doc_count / 3}
    rare = [w for w in found if w not in common]
    return rare or found


def _column_array(reader, name: str, n: int) -> np.ndarray:
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


def _codes(reader, name: str, n: int) -> tuple[list[str], np.ndarray]:
    """A whole string column as (sorted distinct values, each document's index into them)."""
    if not n:
        return [], np.zeros(0, dtype=np.int64)
    col = reader.column_reader(name)
    values = [col[i] for i in range(n)]
    values = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
    names, codes = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
    return [str(x) for x in names], codes.astype(np.int64)


def _fast_column(col, count: int, field) -> np.ndarray | None:
    """The raw column bytes as numbers, translated like NUMERIC.from_column_value (signed
    ints are stored shifted by 2**(bits-1)); None when the column is of another kind."""
    if type(col) is not wcolumns.NumericColumn.Reader:
        return None
    if not (isinstance(field, NUMERIC) and field.numtype is int):
        return None
    try:
        raw = col._dbfile.get(col._basepos, col._count * col._fixedlen)
        values = np.frombuffer(raw, dtype=np.dtype(col._typecode).newbyteorder(">"))
    except (AttributeError, TypeError, ValueError):
        return None
    out = np.full(count, col._default, dtype=np.uint64)
    out[: min(count, len(values))] = values[:count]
    if field.signed:
        out = out - np.uint64(1 << (field.bits - 1))
    return out.view(np.int64)


def _read_postings(reader, field: str, word: str) -> tuple[np.ndarray, np.ndarray]:
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
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids_parts), np.concatenate(tf_parts)


def _matcher_arrays(m) -> tuple[np.ndarray, np.ndarray]:
    ids: list = []
    tfs: list = []
    if type(m) is w3.W3LeafMatcher:
        while True:  # a block at a time, decoded with numpy
            m._read_data()
            raw_ids, weights = m._data[0], m._data[1]
            block = np.asarray(raw_ids, dtype=np.int64)
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
    while m.is_active():
        ids.append(m.id())
        tfs.append(m.weight())
        m.next()
    return np.array(ids, dtype=np.int64), np.array(tfs, dtype=np.float32)


def _days(dord: np.ndarray) -> np.ndarray:
    """YYYYMMDD → days since 1970 (0 for unknown dates)."""
    out = np.zeros(len(dord), dtype=np.int64)
    ok = dord > 0
    if ok.any():
        y, m, d = dord[ok] // 10000, dord[ok] // 100 % 100, dord[ok] % 100
        months = (y - 1970) * 12 + (m - 1)
        out[ok] = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + d - 1
    return out


def _fmt_date(dord: int) -> str:
    return f"{dord // 10000:04d}-{dord // 100 % 100:02d}-{dord % 100:02d}" if dord else ""


# --- highlighting ------------------------------------------------------------------------


def _mark_terms(parsed: ParsedQuery) -> list[str]:
    """The normalised strings to mark: every positive fragment and phrase."""
    return [text for clause in parsed.positive if (text := clause.text.strip())]


@lru_cache(maxsize=32)
def _highlight_terms(query: str, within: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The query's terms to mark and those `within` holds whole. Cached: a page highlights
    each of an article's paragraphs with the same query and article, and normalising the
    whole article again for every paragraph made a long article's page cost ~170 ms."""
    terms = tuple(_mark_terms(parse(query)))
    document = normalize(within) if terms else ""
    return terms, frozenset(t for t in terms if t in document)


def find_spans(
    norm: str,
    terms: list[str],
    fallback_words: bool = True,
    whole_elsewhere: frozenset[str] = frozenset(),
) -> list[tuple[int, int]]:
    """Merged (start, end) spans of every occurrence of the terms in normalised text.

    A fragment that never occurs whole (an unquoted fragment matched by its bigrams) falls
    back to its words of two or more characters, unless it is in `whole_elsewhere`: found
    whole in another part of the same document, where marking its bare words would be noise.
    """
    spans = []
    for term in terms:
        found = _occurrences(norm, term)
        if not found and fallback_words and term not in whole_elsewhere:
            for word in words(term):
                if len(word) > 1:
                    found.extend(_occurrences(norm, word))
        spans.extend(found)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _occurrences(norm: str, term: str) -> list[tuple[int, int]]:
    out, start = [], norm.find(term)
    while start >= 0 and term:
        out.append((start, start + len(term)))
        start = norm.find(term, start + 1)
    return out


def render_marked(
    original: str, spans: list[tuple[int, int]], lo: int = 0, hi: int | None = None
) -> str:
    """original[lo:hi] HTML-escaped, with the spans (clipped to the window) in <mark>."""
    hi = len(original) if hi is None else hi
    out, pos = [], lo
    for start, end in spans:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        out.append(html.escape(original[pos:start]))
        out.append("<mark>" + html.escape(original[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(original[pos:hi]))
    return "".join(out)


SNIPPET_FIELDS = ("body", "captions", "headings", "subtitle", "kicker")


def snippet_order(parsed: ParsedQuery) -> tuple[str, ...]:
    """Where to look for the snippet: a field the query names (图片:…) before the body."""
    named = [c.field for c in parsed.positive if c.field in SNIPPET_FIELDS]
    return tuple(dict.fromkeys([*named, *SNIPPET_FIELDS]))


def make_snippet(
    parts_norm: list[str],
    parts_orig: list[str],
    terms: list[str],
    order: tuple[str, ...] = SNIPPET_FIELDS,
) -> str:
    """1–3 fragments around matches, from the first field in `order` that has one."""
    whole = frozenset(t for t in terms or [] if any(t in part for part in parts_norm))
    for name in order:
        i = FIELD_INDEX[name]
        spans = find_spans(parts_norm[i], terms, whole_elsewhere=whole) if terms else []
        if spans:
            return _fragments(parts_orig[i], spans)
    # No match to show (a filter-only search, or a match in the title): the opening text,
    # from the body, else the captions of a photo story.
    opening = next(
        (
            parts_orig[FIELD_INDEX[n]]
            for n in ("body", "captions", "subtitle")
            if parts_orig[FIELD_INDEX[n]].strip()
        ),
        "",
    )
    head = opening[: SNIPPET_BEFORE + SNIPPET_AFTER]
    return html.escape(head.replace("\n", " ")) + ("…" if len(opening) > len(head) else "")


def _fragments(original: str, spans: list[tuple[int, int]]) -> str:
    """Up to SNIPPET_FRAGMENTS windows of `original`, each holding its matches whole, joined
    by one " … " (the text's own "……" is left as it is)."""
    windows = _windows(spans, len(original))
    if not windows:
        return ""
    text = " … ".join(
        render_marked(original, spans, lo, hi).replace("\n", " ") for lo, hi in windows
    )
    lead = "…" if windows[0][0] > 0 else ""
    tail = "…" if windows[-1][1] < len(original) else ""
    return lead + text + tail


def _windows(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """(lo, hi) windows around the first matches: a window never ends inside a match (it
    grows to the match's end), and windows that touch or overlap are one window, so a match
    is never split between two fragments."""
    windows: list[tuple[int, int]] = []
    for start, end in spans:  # sorted and disjoint (find_spans merged them)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
            continue
        if len(windows) == SNIPPET_FRAGMENTS:
            break
        lo = max(0, start - SNIPPET_BEFORE)
        hi = min(length, max(end, start + SNIPPET_AFTER))
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


# --- the archive -------------------------------------------------------------------------


class Archive:
    """Search, browse and maintain the index under `data_dir`/index (see module docstring)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "index"
        self._lock = threading.RLock()
        self._view: _View | None = None
        self._retired: list[_View] = []
        self._store: Store | None = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            for view in [self._view, *self._retired]:
                if view is not None:
                    view.close()
            self._view, self._retired = None, []

    # -- maintenance --

    def _article_store(self) -> Store:
        """The archive's Store, made once: a new Store re-checks every article file's size
        and mtime against its catalogue on first use, which Archive.get would pay per call."""
        if self._store is None:
            from indexer.store import Store  # not needed to search: loaded on first use

            self._store = Store(self.data_dir)
        return self._store

    def reindex(self, rebuild: bool = False, progress=None, procs: int = 2) -> IndexReport:
        return reindex(
            self.root,
            self._article_store().iter_articles,
            rebuild=rebuild,
            procs=procs,
            progress=progress,
        )

    def _current(self) -> _View | None:
        """The open view, refreshed when CURRENT names another generation or it committed."""
        gen = live_generation(self.root)
        view = self._view
        if gen is None:
            return view
        if view is not None and view.gen == gen and view.up_to_date():
            return view
        fresh = _View(gen)
        if view is not None:
            # Close the view we replaced one refresh later: a caller may still hold it.
            for old in self._retired:
                old.close()
            self._retired = [view]
        self._view = fresh
        return fresh

    # -- state --

    def index_state(self) -> str:
        """ "ready"; "missing" (no index yet: `baoku index`); "outdated" (built by another
        schema version: `baoku index --rebuild`); "broken" (it exists but cannot be opened)."""
        with self._lock:
            try:
                view = self._current()
            except IndexOutdated:
                return "outdated"
            except Exception:  # noqa: BLE001 - whatever Whoosh or numpy raise, it will not open
                return "broken"
            return "ready" if view is not None else "missing"

    def is_ready(self) -> bool:
        """An index exists and opens (with this code's schema)."""
        return self.index_state() == "ready"

    def count(self) -> int:
        """Articles in the index; 0 when there is none. Raises IndexOutdated like search."""
        with self._lock:
            view = self._current()
            return int(view.live.sum()) if view is not None else 0

    # -- searching --

    def search(
        self,
        query: str,
        limit: int = 10,
        offset: int = 0,
        date_from: str | None = None,
        date_to: str | None = None,
        page: str | None = None,
        sort: str = "relevance",
        paper: str | None = None,
        recency_boost: bool = False,
        snippets: bool = True,
    ) -> dict[str, Any]:
        started = time.perf_counter()
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        lo = _bound("date_from", date_from, end=False)
        hi = _bound("date_to", date_to, end=True)
        limit, offset = max(0, int(limit)), max(0, int(offset))
        parsed = parse(query or "")
        result: dict[str, Any] = {
            "query": query,
            "total": 0,
            "offset": offset,
            "limit": limit,
            "hits": [],
            "facets": {"year": {}, "month": {}, "page": {}, "paper": {}},
        }
        with self._lock:
            view = self._current()
            filter_only = not parsed.groups and _has_filters(parsed, lo, hi, page, paper)
            result["sort"] = _effective_sort(parsed, sort, filter_only)
            if view is not None and (filter_only or not parsed.is_empty()):
                self._run(
                    view, parsed, result, lo, hi, page, paper, filter_only, recency_boost, snippets
                )
            filters = (lo, hi, page, paper)
            result["parsed"] = self._parsed_info(
                view, query or "", parsed, result["total"], filters
            )
        result["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return result

    def _run(
        self, view, parsed, result, lo, hi, page, paper, filter_only, recency_boost, snippets
    ) -> None:
        # Fragments with no letter, digit or CJK character (lone punctuation) restrict nothing;
        # a query left with no positive fragment finds nothing rather than everything. With
        # no words at all but filters, every article the filters (and exclusions) let through.
        parsed.groups = [
            kept
            for group in parsed.groups
            if (kept := [c for c in group if c.quoted or c.field or query_grams(c.text)])
        ]
        if not parsed.groups and not filter_only:
            return
        mask = self._match(view, parsed)
        mask &= self._filters(view, parsed, lo, hi, page, paper)
        docs = np.flatnonzero(mask)
        result["total"] = int(len(docs))
        result["facets"] = _facets(view, docs)
        limit, offset = result["limit"], result["offset"]
        if not len(docs) or not limit:
            return
        sort = result["sort"]
        if sort == "relevance":
            ranked = self._rank(view, parsed, docs, offset + limit, recency_boost)[offset:]
        else:
            # Within a day, in the paper's order: 第1版 first, then by document.
            days = view.dord[docs] if sort == "oldest" else -view.dord[docs]
            order = np.lexsort((docs, view.page_rank[view.page[docs]], days))
            ranked = [(int(d), 0.0) for d in docs[order[offset : offset + limit]]]
        terms = _mark_terms(parsed) if snippets else None
        order = snippet_order(parsed)
        result["hits"] = [self._hit(view, d, s, terms, order) for d, s in ranked]

    def _match(self, view: _View, parsed: ParsedQuery) -> np.ndarray:
        mask = view.live.copy()
        for group in parsed.groups:
            alt = np.zeros(view.n, dtype=bool)
            for clause in group:
                alt |= self._clause(view, clause)
            mask &= alt
        for clause in parsed.excluded:
            mask &= ~self._clause(view, clause)
        return mask

    def _clause(self, view: _View, clause: Clause) -> np.ndarray:
        mask = np.zeros(view.n, dtype=bool)
        needed = query_grams(clause.text)
        if needed:
            lists = sorted((view.gram_docs(gram_key(g)) for g in needed), key=len)
            docs = lists[0]
            for other in lists[1:]:
                if not len(docs):
                    break
                docs = docs[np.isin(docs, other, assume_unique=True)]
        elif clause.quoted or clause.field:
            docs = np.flatnonzero(view.live)  # only punctuation: verify every document
        else:
            return view.live.copy()  # nothing searchable in it: it does not restrict
        # A one- or two-character run is its own gram, so its postings are already exact.
        exact_gram = RUN.fullmatch(clause.text) is not None and len(clause.text) <= 2
        if clause.field or (clause.quoted and not exact_gram):
            docs = self._verify(view, docs, clause)
        mask[docs] = True
        return mask

    def _verify(self, view: _View, docs: np.ndarray, clause: Clause) -> np.ndarray:
        if view.mm is None:
            return docs[:0]
        needle = clause.text.encode("utf-8")
        keep = np.zeros(len(docs), dtype=bool)
        find, toff, tlen = view.mm.find, view.toff, view.tlen
        if clause.field is None:
            for i, d in enumerate(docs.tolist()):
                off = int(toff[d])
                keep[i] = find(needle, off, off + int(tlen[d])) >= 0
        else:
            index_in_doc = FIELD_INDEX[clause.field]
            for i, d in enumerate(docs.tolist()):
                keep[i] = clause.text in view.text(d).split(SEP)[index_in_doc]
        return docs[keep]

    def _filters(self, view, parsed, lo, hi, page, paper) -> np.ndarray:
        mask = np.ones(view.n, dtype=bool)
        # The tighter of the argument's and the query's (日期:) bounds.
        lo = max((x for x in (lo, parsed.date_from) if x is not None), default=None)
        hi = min((x for x in (hi, parsed.date_to) if x is not None), default=None)
        if lo is not None:
            mask &= view.dord >= lo
        if hi is not None:
            mask &= view.dord <= hi
        pages = [p for p in [page, *parsed.pages] if p]
        for wanted in pages:
            mask &= _code_mask(view.page_names, view.page, wanted, numeric=True)
        if paper:
            mask &= _code_mask(view.paper_names, view.paper, paper, numeric=False)
        return mask

    def _rank(self, view, parsed, docs, depth, recency_boost) -> list[tuple[int, float]]:
        """The first `depth` candidates: by BM25F score, then unscored ones newest first."""
        scores = self._scores(view, parsed, docs)
        if recency_boost:
            newest = int(view.days[docs].max())
            scores *= 1.0 + 0.5 * np.exp(-(newest - view.days) / 365.0)
        sd = scores[docs]
        hit = sd > 0
        pos_docs, pos_scores = docs[hit], sd[hit]
        if len(pos_docs) > depth:
            top = np.argpartition(-pos_scores, depth - 1)[:depth]
            pos_docs, pos_scores = pos_docs[top], pos_scores[top]
        order = np.lexsort((pos_docs, -view.dord[pos_docs], -pos_scores))
        ranked = [
            (int(d), float(x)) for d, x in zip(pos_docs[order], pos_scores[order], strict=True)
        ]
        need = depth - len(ranked)
        if need > 0:
            rest = docs[~hit]
            if len(rest) > need:
                rest = rest[np.argpartition(-view.dord[rest], need - 1)[:need]]
            rest = rest[np.lexsort((rest, -view.dord[rest]))]
            ranked += [(int(d), 0.0) for d in rest]
        return ranked

    def _scores(self, view: _View, parsed: ParsedQuery, docs: np.ndarray) -> np.ndarray:
        """BM25F (Whoosh's formula and idf) over the query's words in the
        word fields, weighted per field, for the candidates only; plus the known-item bonus."""
        scores = np.zeros(view.n, dtype=np.float64)
        candidate = np.zeros(view.n, dtype=bool)
        candidate[docs] = True
        reader = view.searcher.reader()
        for clause in parsed.positive:
            names = [clause.field] if clause.field in WORD_BOOSTS else list(WORD_BOOSTS)
            for word in _scoring_words(reader, view.doc_count, clause.text):
                for name in names:
                    ids, tf = view.postings(name, word)
                    if not len(ids):
                        continue
                    df = len(ids)
                    keep = candidate[ids]
                    ids, tf = ids[keep], tf[keep]
                    scores[ids] += _bm25(view, name, WORD_BOOSTS[name], df, ids, tf)
        key = title_key(" ".join(c.text for c in parsed.positive))
        if key:
            ids, _ = view.postings("tkey", key)
            scores[ids[candidate[ids]]] += TITLE_BONUS
        return scores

    def _hit(
        self,
        view: _View,
        docnum: int,
        score: float,
        terms: list[str] | None,
        order: tuple[str, ...] = SNIPPET_FIELDS,
    ) -> dict[str, Any]:
        stored, norm, original = view.stored_texts(docnum)
        parts_norm, parts_orig = norm.split(SEP), original.split(SEP)
        return {
            "id": stored.get("id", ""),
            "title": parts_orig[0],
            "paper": stored.get("paper", ""),
            "date": _fmt_date(int(view.dord[docnum])),
            "page": stored.get("page", ""),
            "page_name": parts_orig[FIELD_INDEX["page_name"]],
            "score": round(score, 4),
            "snippet": make_snippet(parts_norm, parts_orig, terms, order)
            if terms is not None
            else "",
        }

    def _parsed_info(
        self, view, query: str, parsed: ParsedQuery, total: int, filters: tuple
    ) -> dict[str, Any]:
        terms = []
        for clause in parsed.positive:
            label = f'"{clause.text}"' if clause.quoted else " ".join(words(clause.text))
            if clause.field:
                label = f"{clause.field}:{label}"
            terms.append(label)
        suggestion, suggestion_query = None, None
        simplified = to_simplified(query)
        if simplified != query:
            # The results are already those of the simplified query: nothing else to run.
            suggestion = f"已按简体检索：{simplified}"
        elif total == 0 and view is not None and len(parsed.positive) == 1:
            found = self._typo_suggestion(view, query, parsed, filters)
            if found:
                suggestion, suggestion_query = found
        return {
            "terms": terms,
            "excluded": [c.text for c in parsed.excluded],
            "suggestion": suggestion,
            "suggestion_query": suggestion_query,
            "notes": parsed.notes,
        }

    def _typo_suggestion(
        self, view: _View, query: str, parsed: ParsedQuery, filters: tuple
    ) -> tuple[str, str] | None:
        """For a fragment with no hits: the one-character-shorter variant with the most hits
        under the same filters and exclusions, as (sentence, the whole query to run)."""
        clause = parsed.positive[0]
        text = clause.text
        if len(text) < 3 or len(text) > 12:
            return None
        # normalize keeps offsets, so the fragment's place in the normalised query is its
        # place in the query as typed: the suggestion keeps the reader's own characters.
        at = normalize(query).find(text)
        if at < 0:
            return None
        typed = query[at : at + len(text)]
        base = view.live & self._filters(view, parsed, *filters)
        for excluded in parsed.excluded:
            base &= ~self._clause(view, excluded)
        best, best_count = None, 0
        for i in range(len(text)):
            variant = text[:i] + text[i + 1 :]
            if not query_grams(variant):
                continue  # punctuation left: it would match everything
            found = self._clause(view, Clause(variant, clause.field, clause.quoted)) & base
            count = int(found.sum())
            if count > best_count:
                best, best_count = typed[:i] + typed[i + 1 :], count
        if best is None:
            return None
        suggested = query[:at] + best + query[at + len(text) :]
        return f"没有找到“{typed}”，试试：{best}（{best_count} 篇）", suggested

    # -- examples --

    def example_queries(self, limit: int = 5) -> list[str]:
        """Queries that find something in this archive, to show beside the search box: a
        frequent word of recent titles (标题:), a phrase of a recent title in quotes, a caption
        search (图片:) and an author search (作者:) when articles have them, an exclusion.
        Each one is run before it is offered; [] without an index. Cached per index version."""
        with self._lock:
            view = self._current()
            if view is None:
                return []
            cached = getattr(view, "examples", None)
            if cached is None:
                recent = self._recent_fields(view, EXAMPLE_RECENT)
                candidates = _example_candidates(recent)
                cached = [q for q in candidates if self.search(q, limit=0)["total"] > 0]
                cached += self._exclusion_example(recent)
                view.examples = cached
            return cached[:limit]

    def _recent_fields(self, view: _View, count: int) -> list[dict[str, tuple[str, str]]]:
        """The newest articles' fields as name → (normalised, original) text."""
        docs = np.flatnonzero(view.live)
        recent = docs[np.lexsort((docs, -view.dord[docs]))[:count]]
        out = []
        for d in recent.tolist():
            _, norm, original = view.stored_texts(d)
            pairs = zip(norm.split(SEP), original.split(SEP), strict=False)
            out.append(dict(zip(TEXT_FIELDS, pairs, strict=False)))
        return out

    def _exclusion_example(self, recent: list[dict[str, tuple[str, str]]]) -> list[str]:
        """ "A -B": A the commonest word of recent titles, B another frequent one that removes
        some but not all of A's articles."""
        frequent = [w for w, _ in _title_word_counts(recent).most_common(20)]
        if not frequent:
            return []
        first = frequent[0]
        whole = self.search(first, limit=0)["total"]
        for other in frequent[1:]:
            query = f"{first} -{other}"
            if other not in first and 0 < self.search(query, limit=0)["total"] < whole:
                return [query]
        return []

    # -- articles --

    def _docnum(self, view: _View, article_id: str) -> int | None:
        docnum = view.searcher.document_number(id=article_id)
        return docnum if docnum is not None and view.live[docnum] else None

    def get(self, article_id: str) -> Article | None:
        try:
            article = self._article_store().get(article_id)
            if article is not None:
                return article
        except Exception:  # noqa: BLE001 - a missing or broken store falls back to the index
            pass
        with self._lock:
            view = self._current()
            if view is None:
                return None
            docnum = self._docnum(view, article_id)
            if docnum is None:
                return None
            return self._article_from_index(view, docnum)

    def _article_from_index(self, view: _View, docnum: int) -> Article:
        stored, _, original = view.stored_texts(docnum)
        parts = dict(zip(TEXT_FIELDS, original.split(SEP), strict=False))
        return Article(
            id=stored["id"],
            paper=stored.get("paper", ""),
            date=_fmt_date(int(view.dord[docnum])),
            page=stored.get("page", ""),
            page_name=parts.get("page_name", ""),
            kicker=parts.get("kicker", ""),
            title=parts.get("title", ""),
            subtitle=parts.get("subtitle", ""),
            author=parts.get("author", ""),
            sections=[Section("", [p for p in parts.get("body", "").split("\n") if p])],
            captions=[Caption(c) for c in parts.get("captions", "").split("\n") if c],
            body=parts.get("body", ""),
        )

    def more_like_this(self, article_id: str, limit: int = 5) -> list[dict[str, Any]]:
        with self._lock:
            view = self._current()
            if view is None:
                return []
            docnum = self._docnum(view, article_id)
            if docnum is None:
                return []
            parts = view.text(docnum).split(SEP)
            counts = Counter(
                w for w in words(parts[0] + " " + parts[FIELD_INDEX["body"]]) if len(w) > 1
            )
            reader = view.searcher.reader()
            weighted = []
            for word, tf in counts.items():
                df = reader.doc_frequency("body", word) + 1
                weighted.append((tf * math.log(view.doc_count / df), word))
            top = [w for _, w in sorted(weighted, reverse=True)[:12]]
            if not top:
                return []
            scores = np.zeros(view.n, dtype=np.float64)
            for word in top:
                for name, boost in (("body", 1.0), ("title", 2.0)):
                    ids, tf = view.postings(name, word)
                    if len(ids):
                        scores[ids] += _bm25(view, name, boost, len(ids), ids, tf)
            scores[docnum] = 0.0
            best = np.argsort(-scores, kind="stable")[:limit]
            return [self._hit(view, int(d), float(scores[d]), None) for d in best if scores[d] > 0]

    def highlight(self, text: str, query: str, within: str = "") -> str:
        """`text` HTML-escaped, every match of the query's fragments wrapped in <mark>.

        `within` is the whole document `text` is a part of (a paragraph of an article): a
        fragment the document holds whole is marked only whole, never by its separate words.
        """
        terms, whole = _highlight_terms(query or "", within)
        if not terms:
            return render_marked(text, [])
        return render_marked(text, find_spans(normalize(text), list(terms), whole_elsewhere=whole))

    def article_highlighter(self, query: str, article: Article) -> Callable[[str], str]:
        """`highlight` for the parts of one article (its title, paragraphs, captions …), each
        judged against the whole article, so a fragment it holds whole is never marked by its
        bare words in a part that lacks it."""
        within = "\n".join(field_texts(article).values())
        return lambda part: self.highlight(part, query, within=within)

    # -- browsing --

    def issues(self, paper: str | None = None) -> list[IssueRef]:
        with self._lock:
            view = self._current()
            if view is None:
                return []
            docs = np.flatnonzero(view.live)
            if paper:
                docs = docs[_code_mask(view.paper_names, view.paper, paper, numeric=False)[docs]]
            pairs = Counter(zip(view.paper[docs].tolist(), view.dord[docs].tolist(), strict=True))
            refs = [IssueRef(view.paper_names[p], _fmt_date(d), n) for (p, d), n in pairs.items()]
            refs.sort(key=lambda r: (r.date, r.paper), reverse=True)
            return refs

    def issue(self, paper: str, date: str) -> list[IssuePage]:
        dord = date_bound(date, end=False)
        with self._lock:
            view = self._current()
            if view is None or dord is None:
                return []
            mask = view.live & (view.dord == dord)
            mask &= _code_mask(view.paper_names, view.paper, paper, numeric=False)
            pages: dict[str, IssuePage] = {}
            rows = []
            for d in np.flatnonzero(mask).tolist():
                stored, _, original = view.stored_texts(d)
                parts = original.split(SEP)
                rows.append(
                    (
                        stored.get("page", ""),
                        stored["id"],
                        parts[0],
                        parts[FIELD_INDEX["page_name"]],
                    )
                )
            for page, doc_id, title, page_name in sorted(
                rows, key=lambda r: (_page_sort(r[0]), r[1])
            ):
                entry = pages.setdefault(page, IssuePage(page, page_name, []))
                entry.page_name = entry.page_name or page_name
                entry.articles.append(IssueArticle(doc_id, title))
            return list(pages.values())


EXAMPLE_RECENT = 300
# Words of a byline that name a role, not a person (本报记者 张三 通讯员 李四).
BYLINE_ROLES = ("记者", "通讯员", "本报", "实习生", "摄影", "特约", "编辑", "新华社", "讯")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


def _typed(norm: str, original: str, piece: str) -> str:
    """`piece` (found in normalised text) in the characters the paper printed."""
    at = norm.find(piece)
    return original[at : at + len(piece)] if at >= 0 else piece


def _title_word_counts(recent: list[dict[str, tuple[str, str]]]) -> Counter:
    """Chinese words of two or more characters, counted once per recent title."""
    counts: Counter = Counter()
    for fields in recent:
        norm, original = fields["title"]
        counts.update({_typed(norm, original, w) for w in words(norm) if _CJK_WORD.match(w)})
    return counts


def _example_candidates(recent: list[dict[str, tuple[str, str]]]) -> list[str]:
    titles = _title_word_counts(recent)
    picks = (
        ("标题:{}", titles.most_common(1)[0][0] if titles else None),
        ('"{}"', _title_phrase(recent)),
        ("图片:{}", _caption_word(recent)),
        ("作者:{}", _author_name(recent)),
    )
    return [template.format(value) for template, value in picks if value]


def _title_phrase(recent: list[dict[str, tuple[str, str]]]) -> str | None:
    """Two adjacent words of the newest title that has them (4 to 6 characters together)."""
    for fields in recent:
        norm, original = fields["title"]
        cut = words(norm)
        for a, b in zip(cut, cut[1:], strict=False):
            if len(a) > 1 and len(b) > 1 and _CJK_WORD.match(a + b) and a + b in norm:
                return _typed(norm, original, a + b)
    return None


def _caption_word(recent: list[dict[str, tuple[str, str]]]) -> str | None:
    """The commonest caption word that is also in its article's title (what the photo shows),
    else the commonest caption word."""
    in_title: Counter = Counter()
    anywhere: Counter = Counter()
    for fields in recent:
        norm, original = fields["captions"]
        found = {
            w
            for w in words(norm)
            if _CJK_WORD.match(w) and not any(role in w for role in BYLINE_ROLES)
        }
        anywhere.update(_typed(norm, original, w) for w in found)
        in_title.update(_typed(norm, original, w) for w in found if w in fields["title"][0])
    best = in_title.most_common(1) or anywhere.most_common(1)
    return best[0][0] if best else None


def _author_name(recent: list[dict[str, tuple[str, str]]]) -> str | None:
    """The byline name that recurs most: bylines are space- and punctuation-separated runs
    (本报记者 张三 通讯员 李四); role words are left out."""
    counts: Counter = Counter()
    for fields in recent:
        _, original = fields["author"]
        names = {
            run
            for run in RUN.findall(original)
            if _CJK_WORD.match(run)
            and len(run) <= 4
            and not any(role in run for role in BYLINE_ROLES)
        }
        counts.update(names)
    best = counts.most_common(1)
    return best[0][0] if best else None


def _page_sort(page: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", page)
    return (int(digits) if digits else 10**6, page)


def _code_mask(names: list[str], codes: np.ndarray, wanted: str, numeric: bool) -> np.ndarray:
    wanted = wanted.strip()
    matches = [i for i, name in enumerate(names) if name == wanted]
    if numeric and not matches and wanted.isdigit():
        matches = [i for i, name in enumerate(names) if name.isdigit() and int(name) == int(wanted)]
    return np.isin(codes, matches)


def _has_filters(parsed: ParsedQuery, lo, hi, page, paper) -> bool:
    return any(x for x in (lo, hi, page, paper, parsed.date_from, parsed.date_to, *parsed.pages))


def _effective_sort(parsed: ParsedQuery, sort: str, filter_only: bool) -> str:
    """The order the hits come in: a 排序: in the query wins over the default; without words
    relevance means nothing, so the default is newest first."""
    chosen = parsed.sort if parsed.sort and sort == "relevance" else sort
    return "newest" if filter_only and chosen == "relevance" else chosen


def _bound(name: str, value: str | None, end: bool) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    bound = date_bound(str(value), end=end)
    if bound is None:
        raise ValueError(f"{name}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return bound


def _facets(view: _View, docs: np.ndarray) -> dict[str, dict[str, int]]:
    dord = view.dord[docs]
    known = dord[dord > 0]
    years, ycount = np.unique(known // 10000, return_counts=True)
    months, mcount = np.unique(known // 100, return_counts=True)
    pages, pcount = np.unique(view.page[docs], return_counts=True)
    papers, ncount = np.unique(view.paper[docs], return_counts=True)
    page_facet = {
        view.page_names[int(c)]: int(n)
        for c, n in sorted(
            zip(pages, pcount, strict=True), key=lambda x: _page_sort(view.page_names[int(x[0])])
        )
        if view.page_names[int(c)]
    }
    return {
        "year": {str(int(y)): int(n) for y, n in zip(years, ycount, strict=True)},
        "month": {
            f"{int(m) // 100:04d}-{int(m) % 100:02d}": int(n)
            for m, n in zip(months, mcount, strict=True)
        },
        "page": page_facet,
        "paper": {
            view.paper_names[int(c)]: int(n)
            for c, n in sorted(
                zip(papers, ncount, strict=True), key=lambda x: (-x[1], view.paper_names[int(x[0])])
            )
            if view.paper_names[int(c)]
        },
    }


__all__ = ["Archive", "IssueArticle", "IssuePage", "IssueRef"]
