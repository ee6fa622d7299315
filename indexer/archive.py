"""`Archive`: the one entry point of the CLI and the web app, over the index under DATA/index.

    from indexer import Archive
    with Archive(data_dir) as archive:
        result = archive.search("兰州新区", limit=10)   # a SearchResult (indexer/results.py)

It opens the index lazily, once, and re-opens by itself when the index changed (an
incremental update, or a rebuild swapped in), never erroring mid-swap. Methods are safe to
call from several threads (one lock per Archive: Whoosh readers share file handles).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from indexer import search as _search
from indexer.aliases import AliasList, expand, expansions
from indexer.analysis import words
from indexer.article import Article, Caption, Section
from indexer.browse import IssuePage, IssueRef, issue_pages, list_issues
from indexer.examples import example_queries
from indexer.highlight import highlight
from indexer.index import (
    SEP,
    TEXT_FIELDS,
    IndexOutdated,
    IndexReport,
    field_texts,
    live_generation,
    reindex,
)
from indexer.pages import ArticlePage, PageCatalogue, PageRecord
from indexer.passages import SNIPPET_CHARS
from indexer.progress import Progress
from indexer.query import parse
from indexer.results import Hit, IndexState, SearchRequest, SearchResult
from indexer.trend import Trend, build_trend
from indexer.view import IndexView, fmt_date
from indexer.whoosh_fast import public_postings, read_postings

if TYPE_CHECKING:
    from indexer.store import Store


_MEDIA_NAME = re.compile(r"[0-9a-f]{64}(?:\.[a-z0-9]{1,5})?")


@dataclass(frozen=True)
class IndexVersion:
    """Which state of the index a search reads: `tag` changes with every rebuild (a new
    generation) and every update (a new Whoosh commit); `modified` is when that state was
    written. The web site's HTTP validators (ETag, Last-Modified) are made from it."""

    tag: str
    modified: float  # seconds since the epoch


@dataclass
class Health:
    """`ok` when the index is ready and its postings read right; `problem` says what is not."""

    ok: bool
    state: IndexState
    articles: int = 0
    problem: str | None = None


class Archive:
    """Search, browse and maintain the index under `data_dir`/index."""

    backend = "whoosh"

    def __new__(cls, data_dir: Path | str, solr_url: str | None = None):
        # With a SolrCloud URL (argument or $BAOKU_SOLR_URL) the same API over the cluster
        # (indexer/solr_archive.py); without one, this class, Whoosh on disk.
        from indexer.config import resolve_solr_url

        url = resolve_solr_url(solr_url)
        if cls is Archive and url:
            from indexer.solr_archive import SolrArchive

            return SolrArchive(data_dir, url)
        return super().__new__(cls)

    def __init__(self, data_dir: Path | str, solr_url: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "index"
        self._lock = threading.RLock()
        self._view: IndexView | None = None
        self._retired: list[IndexView] = []
        self._store: Store | None = None
        self._page_catalogue: PageCatalogue | None = None
        self.aliases = AliasList(self.data_dir)  # DATA/aliases.txt, re-read when it changes

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

    def reindex(
        self, rebuild: bool = False, progress: Progress | None = None, procs: int = 2
    ) -> IndexReport:
        """Bring the index up to date with the store (a rebuild builds afresh beside the live
        index, then swaps). Raises `indexer.index.IndexBusy` when another process is writing."""
        return reindex(
            self.root,
            self._article_store().iter_articles,
            rebuild=rebuild,
            procs=procs,
            progress=progress,
            sources=self._article_store().article_sources,  # reads only the changed files
        )

    def _current(self) -> IndexView | None:
        """The open view, refreshed when CURRENT names another generation or it committed."""
        gen = live_generation(self.root)
        view = self._view
        if gen is None:
            return view
        if view is not None and view.gen == gen and view.up_to_date():
            return view
        fresh = IndexView(gen)
        if view is not None:
            # Close the view we replaced one refresh later: a caller may still hold it.
            for old in self._retired:
                old.close()
            self._retired = [view]
        self._view = fresh
        return fresh

    # -- state --

    def index_state(self) -> IndexState:
        """Whether the index opens, and if not why (see IndexState for what to run)."""
        with self._lock:
            try:
                view = self._current()
            except IndexOutdated:
                return IndexState.OUTDATED
            except Exception:  # noqa: BLE001 - whatever Whoosh or numpy raise, it will not open
                return IndexState.BROKEN
            return IndexState.READY if view is not None else IndexState.MISSING

    def is_ready(self) -> bool:
        """An index exists and opens (with this code's schema)."""
        return self.index_state() == IndexState.READY

    def count(self) -> int:
        """Articles in the index; 0 when there is none. Raises IndexOutdated like search."""
        with self._lock:
            view = self._current()
            return int(view.live.sum()) if view is not None else 0

    def health(self) -> Health:
        """Ready, and the fast postings reader (indexer/whoosh_fast.py) gives what Whoosh's
        public API gives for the words of the newest article's title: a Whoosh upgrade that
        breaks the fast path shows here, not as silently wrong scores."""
        state = self.index_state()
        if state != IndexState.READY:
            return Health(False, state, problem=f"index {state}")
        with self._lock:
            view = self._current()
            assert view is not None  # ready
            articles = int(view.live.sum())
            try:
                problem = _postings_problem(view)
            except Exception as exc:  # noqa: BLE001 - any failure of the reader is the answer
                problem = f"reading postings failed: {type(exc).__name__}: {exc}"
        return Health(problem is None, state, articles, problem)

    def index_version(self) -> IndexVersion | None:
        """The version of the index searches read now; None when there is no index. Raises
        IndexOutdated like search."""
        with self._lock:
            view = self._current()
            if view is None:
                return None
            commit = view.searcher.reader().generation()
            try:
                modified = (view.gen / "manifest.json").stat().st_mtime
            except FileNotFoundError:
                modified = view.gen.stat().st_mtime
            return IndexVersion(f"{view.gen.name}.{commit}", modified)

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
        snippets: bool = True,
        snippet_chars: int = SNIPPET_CHARS,
        collapse: bool = True,
    ) -> SearchResult:
        """Search (see SearchRequest for the arguments, indexer/search.py for how). Raises
        ValueError for a malformed date or sort, and IndexOutdated when the index was built
        by another schema version. collapse=False lists every copy of a text as a hit of its
        own (indexer/copies.py)."""
        request = SearchRequest(
            query,
            limit,
            offset,
            date_from,
            date_to,
            page,
            sort,
            paper,
            snippets,
            snippet_chars,
            collapse,
        )
        return self.run(request)

    def run(self, request: SearchRequest) -> SearchResult:
        """`search` with its arguments in a SearchRequest."""
        with self._lock:
            return _search.execute(self._current(), request, self.aliases.table())

    def example_queries(self, limit: int = 5) -> list[str]:
        """Queries drawn from the newest articles that find something here (标题:word,
        "a title phrase", 图片:word, 作者:name, word -word), for a home page; [] without an
        index. Cached per index version."""
        with self._lock:
            view = self._current()
            if view is None:
                return []
            if view.examples is None:
                view.examples = example_queries(view, lambda q: self.search(q, limit=0).total)
            return view.examples[:limit]

    # -- articles --

    def get(self, article_id: str) -> Article | None:
        """The article, from the store, else rebuilt from the index's text."""
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
            docnum = view.docnum(article_id)
            if docnum is None:
                return None
            return _article_from_index(view, docnum)

    def more_like_this(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles like this one, best first (hits without snippets)."""
        with self._lock:
            view = self._current()
            if view is None:
                return []
            docnum = view.docnum(article_id)
            if docnum is None:
                return []
            return _search.similar(view, docnum, limit)

    def highlight(self, text: str, query: str, within: str = "") -> str:
        """`text` HTML-escaped with the query's matches marked (see indexer.highlight)."""
        return highlight(text, query, within, self._alias_terms(query))

    def _alias_terms(self, query: str) -> tuple[str, ...]:
        """The aliases a search for `query` added, to mark them too."""
        added = expansions(expand(parse(query or ""), self.aliases.table()))
        return tuple(name for names in added.values() for name in names)

    def article_highlighter(self, query: str, article: Article) -> Callable[[str], str]:
        """`highlight` for the parts of one article (its title, paragraphs, captions …), each
        judged against the whole article, so a fragment it holds whole is never marked by its
        bare words in a part that lacks it."""
        within = "\n".join(field_texts(article).values())
        extra = self._alias_terms(query)
        return lambda part: highlight(part, query, within=within, extra=extra)

    # -- browsing --

    def issues(self, paper: str | None = None) -> list[IssueRef]:
        """Every issue (paper, date, articles), newest first."""
        with self._lock:
            view = self._current()
            return list_issues(view, paper) if view is not None else []

    def issue(self, paper: str, date: str) -> list[IssuePage]:
        """One issue's pages (page, page_name, articles), in the paper's order."""
        with self._lock:
            view = self._current()
            return issue_pages(view, paper, date) if view is not None else []

    # -- printed pages --

    def _pages(self) -> PageCatalogue:
        if self._page_catalogue is None:
            self._page_catalogue = PageCatalogue(self.data_dir)
        return self._page_catalogue

    def article_page(self, article_id: str) -> ArticlePage | None:
        """The printed page an article ran on (its picture, PDF and the article's region), or
        None when the crawl kept no picture of it (indexer/pages.py)."""
        with self._lock:
            return self._pages().for_article(article_id)

    def issue_page_images(self, paper: str, date: str) -> dict[str, PageRecord]:
        """版次 → the kept picture and regions of each page of one issue ({} without them)."""
        with self._lock:
            return self._pages().for_issue(paper, date)

    def page_media(self, name: str) -> tuple[bytes, str] | None:
        """A kept page picture or PDF by its file name (<sha256>.<ext>) and its media type;
        None for anything else (the site serves only what a page record names)."""
        if not _MEDIA_NAME.fullmatch(name):
            return None
        source = f"raw/{name[:2]}/{name}"
        with self._lock:
            kind = self._pages().media_sources().get(source)
        path = self.data_dir / source
        if kind is None or not path.is_file():
            return None
        return path.read_bytes(), kind

    # -- trends --

    def trend(
        self,
        queries: list[str],
        normalise: bool = False,
        date_from: str | None = None,
        date_to: str | None = None,
        paper: str | None = None,
    ) -> Trend:
        """Matching articles per month (per year over five years) for up to 5 queries, under
        the same filters; normalised, as shares of the articles published each period (see
        indexer/trend.py). Raises ValueError for no query, too many, or a malformed date."""

        def count(query: str) -> SearchResult:
            return self.search(
                query, limit=0, date_from=date_from, date_to=date_to, paper=paper, snippets=False
            )

        published: dict[str, int] = {}
        lo, hi = (date_from or "")[:10], (date_to or "")[:10]
        for ref in self.issues(paper=paper):
            # A YYYY or YYYY-MM bound covers its whole year or month: compare prefixes.
            if (lo and ref.date[: len(lo)] < lo) or (hi and ref.date[: len(hi)] > hi):
                continue
            published[ref.date[:7]] = published.get(ref.date[:7], 0) + ref.articles
        return build_trend(queries, count, published, normalise)


def _article_from_index(view: IndexView, docnum: int) -> Article:
    stored, _, original = view.stored_texts(docnum)
    parts = dict(zip(TEXT_FIELDS, original.split(SEP), strict=False))
    return Article(
        id=stored["id"],
        paper=stored.get("paper", ""),
        date=fmt_date(int(view.dord[docnum])),
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


def _postings_problem(view: IndexView) -> str | None:
    """What is wrong with the fast postings of the newest article's title words, or None."""
    live = np.flatnonzero(view.live)
    if not len(live):
        return None
    newest = int(live[np.argmax(view.dord[live])])
    reader = view.searcher.reader()
    for word in dict.fromkeys(words(view.field_text(newest, "title"))):
        fast_ids, fast_tf = read_postings(reader, "title", word)
        keep = view.live[fast_ids]
        fast_ids, fast_tf = fast_ids[keep], fast_tf[keep]
        ids, tf = public_postings(reader, "title", word)
        if not (np.array_equal(fast_ids, ids) and np.array_equal(fast_tf, tf)):
            return f"fast postings of title:{word} differ from Whoosh's"
        if newest not in fast_ids:
            return f"fast postings of title:{word} miss the article that has it"
    return None
