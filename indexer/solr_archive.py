"""`Archive` on SolrCloud: the same methods as indexer/archive.py's Whoosh flavour, over the
collection (alias) `baoku` of a cluster. `Archive(data_dir, solr_url=URL)`, or
$BAOKU_SOLR_URL, gives this one; the store under `data_dir` stays the source of truth.

A subclass of Archive: what does not touch the index (printed pages, trends over `search`,
aliases from DATA/aliases.txt, highlighting) is inherited; what reads the index is here.
Articles come from the store, else from the text Solr stores. What needs the Whoosh view
(more-like-this, example queries for the home page) answers empty here. The whole cluster
down raises SolrUnavailable from every call that needs it (the web app answers 503, the
CLI one line).

The URL names a node (`http://host:8983/solr`, several comma-separated are tried in turn);
a path after /solr/ names another alias than `baoku` (`http://host:8983/solr/other`), so
several archives can share one cluster.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.archive import Archive, IndexVersion
from indexer.article import Article, Caption, Section
from indexer.browse import IssueArticle, IssuePage, IssueRef
from indexer.index import TEXT_FIELDS, IndexReport
from indexer.progress import Progress
from indexer.results import Hit, IndexState, SearchRequest, SearchResult
from indexer.solr_client import SolrClient, SolrError, SolrUnavailable
from indexer.solr_index import ALIAS, alias_target, solr_reindex
from indexer.solr_search import execute
from indexer.view import fmt_date, page_sort

if TYPE_CHECKING:
    from indexer.archive import Health

__all__ = ["SolrArchive", "SolrUnavailable"]


def split_url(solr_url: str) -> tuple[str, str]:
    """(node URLs, alias): http://h:1/solr/name → (http://h:1/solr, name); alias `baoku` when
    the URL ends at /solr."""
    nodes, aliases = [], []
    for url in solr_url.split(","):
        base, sep, rest = url.strip().rstrip("/").partition("/solr/")
        nodes.append(base + "/solr" if sep else base)
        if sep and rest:
            aliases.append(rest)
    if len(set(aliases)) > 1:
        raise ValueError(f"one alias per Solr URL, not {sorted(set(aliases))}")
    return ",".join(nodes), aliases[0] if aliases else ALIAS


class SolrArchive(Archive):
    """Search, browse and maintain the collection `baoku` of the cluster at `solr_url`."""

    backend = "solr"

    def __init__(self, data_dir: Path | str, solr_url: str | None = None) -> None:
        if getattr(self, "client", None) is not None:
            # Archive.__new__ built and initialised this one; Python then calls __init__ again
            # with the caller's arguments (solr_url None when it came from $BAOKU_SOLR_URL).
            return
        from indexer.config import resolve_solr_url

        solr_url = resolve_solr_url(solr_url)
        super().__init__(data_dir)
        if not solr_url:
            raise ValueError("SolrArchive needs a Solr URL")
        self.solr_url = solr_url
        nodes, self.alias = split_url(solr_url)
        self.client = SolrClient(nodes)

    def close(self) -> None:
        pass  # HTTP sessions close with the process; nothing is held open on disk

    # -- maintenance --

    def reindex(
        self,
        rebuild: bool = False,
        progress: Progress | None = None,
        procs: int = 2,
        shards: int = 2,
        replicas: int = 2,
    ) -> IndexReport:
        """Bring the collection up to date with the store (indexer/solr_index.py)."""
        del procs  # Solr analyses on its nodes
        return solr_reindex(
            self.client,
            self._article_store().iter_articles,
            alias=self.alias,
            rebuild=rebuild,
            shards=shards,
            replicas=replicas,
            progress=progress,
        )

    # -- state --

    def index_state(self) -> IndexState:
        """READY or MISSING; SolrUnavailable when no node answers (not an index problem)."""
        try:
            return IndexState.READY if self._target() else IndexState.MISSING
        except SolrError:
            return IndexState.BROKEN

    def _target(self) -> str | None:
        return alias_target(self.client, self.alias)

    def index_version(self) -> IndexVersion | None:
        """The collection behind the alias and its index version (changes on every commit)."""
        target = self._target()
        if target is None:
            return None
        # Each update is a commit on every replica; the highest _version_ moves with it.
        top = self.client.select(
            self.alias, {"q": "*:*", "rows": 1, "fl": "_version_", "sort": "_version_ desc"}
        )["response"]["docs"]
        version = int(top[0]["_version_"]) if top else 0
        return IndexVersion(f"{target}.{version}", (version >> 20) / 1000.0)

    def is_ready(self) -> bool:
        return self.index_state() == IndexState.READY

    def count(self) -> int:
        if not self._target():
            return 0
        answer = self.client.select(self.alias, {"q": "*:*", "rows": 0})
        return int(answer["response"]["numFound"])

    def health(self) -> Health:
        from indexer.archive import Health

        state = self.index_state()
        if state != IndexState.READY:
            return Health(False, state, problem=f"index {state}")
        return Health(True, state, self.count())

    # -- searching --

    def run(self, request: SearchRequest) -> SearchResult:
        # Straight to the alias: asking first whether it exists would cost every search one
        # more round trip, for the one case (nothing built yet) that Solr's 404 tells apart.
        try:
            return execute(self.client, self.alias, request, self.aliases.table())
        except SolrError as exc:
            if exc.status == 404 and not self._target():
                return execute_empty(request)
            raise

    def example_queries(self, limit: int = 5) -> list[str]:
        return []

    # -- articles --

    def get(self, article_id: str) -> Article | None:
        try:
            article = self._article_store().get(article_id)
            if article is not None:
                return article
        except Exception:  # noqa: BLE001 - a missing or broken store falls back to the index
            pass
        answer = self.client.select(
            self.alias, {"q": "*:*", "fq": _id_query(article_id), "fl": "id,paper,page,dord,orig"}
        )
        docs = answer["response"]["docs"]
        return _article_from_doc(docs[0]) if docs else None

    def more_like_this(self, article_id: str, limit: int = 5) -> list[Hit]:
        return []

    # -- browsing --

    def issues(self, paper: str | None = None) -> list[IssueRef]:
        """Every issue (paper, date, articles), newest first, from a pivot facet."""
        params = {
            "q": "*:*",
            "rows": 0,
            "fq": ["dord:[1 TO *]"] + ([f'paper:"{paper}"'] if paper else []),
            "facet": "true",
            "facet.pivot": "paper,date",
            "facet.limit": -1,
        }
        answer = self.client.select(self.alias, params)
        refs = []
        for by_paper in answer["facet_counts"]["facet_pivot"]["paper,date"]:
            for by_date in by_paper.get("pivot", []):
                refs.append(IssueRef(by_paper["value"], by_date["value"], by_date["count"]))
        return sorted(refs, key=lambda r: (r.date, r.paper), reverse=True)

    def issue(self, paper: str, date: str) -> list[IssuePage]:
        params = {
            "q": "*:*",
            "fq": [f'paper:"{paper}"', f'date:"{date}"'],
            "fl": "id,page,page_name,orig,dk",
            "rows": 10000,
            "sort": "dk asc",
        }
        docs = self.client.select(self.alias, params)["response"]["docs"]
        pages: dict[str, IssuePage] = {}
        for doc in sorted(docs, key=lambda d: (page_sort(d.get("page", "")), d["id"])):
            orig = json.loads(doc["orig"])
            page = doc.get("page", "")
            entry = pages.setdefault(page, IssuePage(page, doc.get("page_name", ""), []))
            entry.articles.append(IssueArticle(doc["id"], orig[0]))
        return list(pages.values())


def _id_query(article_id: str) -> str:
    return "{!term f=id}" + article_id


def execute_empty(request: SearchRequest) -> SearchResult:
    """The answer with no collection yet: no hits (as Whoosh's with no index)."""
    from indexer.search import execute as whoosh_execute

    return whoosh_execute(None, request)


def _article_from_doc(doc: dict) -> Article:
    parts = dict(zip(TEXT_FIELDS, json.loads(doc["orig"]), strict=False))
    return Article(
        id=doc["id"],
        paper=doc.get("paper", ""),
        date=fmt_date(int(doc.get("dord", 0))),
        page=doc.get("page", ""),
        page_name=parts.get("page_name", ""),
        kicker=parts.get("kicker", ""),
        title=parts.get("title", ""),
        subtitle=parts.get("subtitle", ""),
        author=parts.get("author", ""),
        sections=[Section("", [p for p in parts.get("body", "").split("\n") if p])],
        captions=[Caption(c) for c in parts.get("captions", "").split("\n") if c],
        body=parts.get("body", ""),
    )
