"""`baoku index` on SolrCloud: the alias `baoku` kept in step with the store.

Incremental by default: the documents' stored content hashes (the Solr-side manifest) are
compared with the store's articles, and only new and changed articles are sent, removed ones
deleted. A rebuild (or the first build) fills a new collection `baoku_<stamp>`, then points
the alias at it atomically (CREATEALIAS) and deletes the collection it replaced: searches see
the old or the new one, never a half-built one.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from indexer.article import Article
from indexer.index import IndexReport
from indexer.progress import Progress
from indexer.solr_client import SolrClient, SolrError
from indexer.solr_docs import solr_doc

ALIAS = "baoku"
CONFIGSET = "baoku"
BATCH = 500


def alias_target(client: SolrClient, alias: str = ALIAS) -> str | None:
    """The collection `alias` points at, or None when there is none yet."""
    aliases = client.collections_api("LISTALIASES").get("aliases", {})
    return aliases.get(alias) or None


def indexed_hashes(client: SolrClient, collection: str) -> tuple[dict[str, str], int]:
    """id → content hash of every document, and the next free tie-order key (dk)."""
    hashes: dict[str, str] = {}
    next_dk, cursor = 0, "*"
    while True:
        params = {
            "q": "*:*",
            "fl": "id,hash,dk",
            "sort": "id asc",
            "rows": 5000,
            "cursorMark": cursor,
        }
        answer = client.select(collection, params)
        for doc in answer["response"]["docs"]:
            hashes[doc["id"]] = doc.get("hash", "")
            next_dk = max(next_dk, int(doc.get("dk", 0)) + 1)
        if answer["nextCursorMark"] == cursor:
            return hashes, next_dk
        cursor = answer["nextCursorMark"]


def create_collection(client: SolrClient, shards: int, replicas: int, alias: str = ALIAS) -> str:
    name = f"{alias}_{time.strftime('%Y%m%dT%H%M%S')}_{time.monotonic_ns() % 100000}"
    client.collections_api(
        "CREATE",
        name=name,
        numShards=shards,
        replicationFactor=replicas,
        **{"collection.configName": CONFIGSET},
        waitForFinalState="true",
    )
    return name


class _Sender:
    """Sends each batch from a thread of its own, so that the next batch is analysed while
    Solr indexes this one (the analysis is about half of a build's time); one batch in flight
    at most, and its error raised at the next send or at `wait`."""

    def __init__(self, client: SolrClient, collection: str) -> None:
        self.client, self.collection = client, collection
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="solr-send")
        self.pending: Future | None = None

    def send(self, docs: list[dict]) -> None:
        self.wait()
        self.pending = self.pool.submit(
            self.client.request, f"{self.collection}/update", json_body=docs
        )

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True)


def _commit(client: SolrClient, collection: str) -> None:
    client.request(f"{collection}/update", {"commit": "true", "waitSearcher": "true"}, json_body=[])


def _fill(
    client: SolrClient,
    collection: str,
    articles: Iterator[Article],
    known: dict[str, str],
    next_dk: int,
    progress: Progress | None,
) -> IndexReport:
    """Send the articles whose hash differs from `known`, delete those the store lost."""
    sender = _Sender(client, collection)
    try:
        report, seen = _send_changed(sender, articles, known, next_dk, progress)
        sender.wait()
    finally:
        sender.close()
    gone = [doc_id for doc_id in known if doc_id not in seen]
    for start in range(0, len(gone), BATCH):
        client.request(f"{collection}/update", json_body={"delete": gone[start : start + BATCH]})
    report.deleted = len(gone)
    report.total = len(known) + report.added - report.deleted
    _commit(client, collection)
    return report


def _send_changed(
    sender: _Sender,
    articles: Iterator[Article],
    known: dict[str, str],
    next_dk: int,
    progress: Progress | None,
) -> tuple[IndexReport, set[str]]:
    """Batches of the new and changed articles to `sender`; the report and every id seen."""
    report = IndexReport()
    seen: set[str] = set()
    batch: list[dict] = []
    for article in articles:
        seen.add(article.id)
        old = known.get(article.id)
        if old is not None and old == article.content_hash():
            continue
        batch.append(solr_doc(article, next_dk))
        next_dk += 1
        if old is None:
            report.added += 1
        else:
            report.updated += 1
        if len(batch) >= BATCH:
            sender.send(batch)
            batch = []
            if progress is not None:
                progress(report.added + report.updated, 0, "")
    if batch:
        sender.send(batch)
    return report, seen


def solr_reindex(
    client: SolrClient,
    articles: Callable[[], Iterator[Article]],
    *,
    alias: str = ALIAS,
    rebuild: bool = False,
    shards: int = 2,
    replicas: int = 2,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring `alias` up to date with `articles()` (see the module docstring)."""
    started = time.perf_counter()
    live = alias_target(client, alias)
    if live is not None and not rebuild:
        known, next_dk = indexed_hashes(client, live)
        report = _fill(client, live, articles(), known, next_dk, progress)
        report.generation = live
    else:
        old = indexed_hashes(client, live)[0] if live is not None else {}
        fresh = create_collection(client, shards, replicas, alias)
        try:
            report = _fill(client, fresh, articles(), {}, 0, progress)
        except BaseException:
            _drop(client, fresh)
            raise
        client.collections_api("CREATEALIAS", name=alias, collections=fresh)
        if live is not None:
            _drop(client, live)
        report = _compare(old, fresh_hashes(client, fresh))
        report.rebuilt = True
        report.generation = fresh
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def fresh_hashes(client: SolrClient, collection: str) -> dict[str, str]:
    return indexed_hashes(client, collection)[0]


def _compare(old: dict[str, str], new: dict[str, str]) -> IndexReport:
    """What a rebuild changed, as an incremental update would have counted it."""
    return IndexReport(
        added=sum(1 for k in new if k not in old),
        updated=sum(1 for k, v in new.items() if k in old and old[k] != v),
        deleted=sum(1 for k in old if k not in new),
        total=len(new),
    )


def _drop(client: SolrClient, collection: str) -> None:
    with contextlib.suppress(SolrError):  # already gone: nothing to clean up
        client.collections_api("DELETE", name=collection)
