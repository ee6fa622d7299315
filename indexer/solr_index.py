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


def _send(client: SolrClient, collection: str, docs: list[dict]) -> None:
    client.request(f"{collection}/update", json_body=docs)


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
    report = IndexReport()
    batch: list[dict] = []
    seen: set[str] = set()
    total = len(known)
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
            _send(client, collection, batch)
            batch = []
            if progress is not None:
                progress(report.added + report.updated, 0, "")
    if batch:
        _send(client, collection, batch)
    gone = [doc_id for doc_id in known if doc_id not in seen]
    for start in range(0, len(gone), BATCH):
        client.request(f"{collection}/update", json_body={"delete": gone[start : start + BATCH]})
    report.deleted = len(gone)
    report.total = total + report.added - report.deleted
    _commit(client, collection)
    return report


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
