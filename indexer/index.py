"""The search index on disk: a Whoosh schema over the article model, built and kept in step
with the store.

Layout under DATA/index/:
- CURRENT: a one-line pointer file naming the live generation directory; readers open the
  generation it names, so a rebuild never shows them a half-built index.
- gen-<timestamp>/: one generation: the Whoosh index files, plus
  - texts.bin: the normalised text of every document (fields joined by NUL), UTF-8,
    append-only; a document's byte range is in its `toff`/`tlen` columns. Quoted phrases
    and field-prefixed fragments are verified here with mmap.find (exact, no decoding).
  - grams-<base>-<n>.{keys,starts,dks}.npy: the character-gram sidecar (indexer/grams.py).
  - manifest.json: id → content_hash of what is indexed, for incremental updates.
- write.lock: one writer at a time (filelock); a second writer gets IndexBusy.

Schema (why): word fields hold rjieba words with sequential positions and are scored by BM25F
with per-field boosts applied at query time (indexer/scoring.py); the character unigrams and
bigrams of all text fields, which find the candidates for any fragment, are not a Whoosh field
but the gram sidecar (indexer/grams.py, which says why); `tkey` is the normalised title without
punctuation for known-item search; `dord` (YYYYMMDD), `toff`, `tlen`, `dk` and the field lengths
`n_<field>` (characters, for BM25's length normalisation) are numeric columns read once per
searcher into numpy.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from whoosh import columns, fields, index
from whoosh.codec.whoosh3 import W3Codec

from indexer.analysis import RUN, WordTokenizer, normalize
from indexer.article import Article
from indexer.copies import copy_key
from indexer.entities import tag_parts
from indexer.entity_index import encode_entities
from indexer.grams import GramSegmentWriter
from indexer.progress import Progress
from indexer.scoring import WORD_BOOSTS
from indexer.whoosh_fast import abandon_writer, open_writer

# The text fields, in the order they are joined in texts.bin (and in the gram sidecar).
TEXT_FIELDS = (
    "title",
    "kicker",
    "subtitle",
    "headings",
    "captions",
    "body",
    "author",
    "page_name",
)
SEP = "\x00"
POINTER = "CURRENT"
TEXTS = "texts.bin"
MANIFEST = "manifest.json"


class IndexBusy(RuntimeError):
    """Another process is writing the index."""


class IndexOutdated(RuntimeError):
    """The live index was built by another version of the schema: it must be rebuilt."""


# Bump when the schema or the on-disk layout changes: `reindex` then rebuilds by itself and
# readers refuse the old generation with a clear message instead of failing on a column.
SCHEMA_VERSION = 5  # 3: the `ents` column (people, places, organisations; indexer/entities.py)
# 4: the `ckey` column (copy key of the body, indexer/copies.py)
# 4: thousands separators marked in texts.bin, 2,000 indexed as 2000 (grams, words)
# 5: numeric fields are columns only (no range-trie terms), `date` stored only


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    total: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    generation: str = ""


def make_schema() -> fields.Schema:
    def words(with_positions: bool = True) -> fields.TEXT:
        # Not stored: the text lives once, in texts.bin (see `apply_diffs`). Not "scorable"
        # for Whoosh: the search scores with numpy and reads field lengths from the n_*
        # columns; Whoosh's own lengths cost a column lookup per posting while indexing
        # (15% of indexing time, profiled).
        field = fields.TEXT(analyzer=WordTokenizer(), phrase=with_positions)
        field.scorable = False
        return field

    def number(typecode: str) -> fields.COLUMN:
        # A column only: nothing queries these through Whoosh (dates, offsets and lengths
        # are read into numpy by indexer/view.py). A NUMERIC field also indexes every value
        # as 8 to 16 range-trie terms, mostly unique to one document: a fifth of all
        # postings and most of the terms the writer had to sort and write (profiled).
        return fields.COLUMN(columns.NumericColumn(typecode))

    lengths = {f"n_{name}": number("I") for name in WORD_BOOSTS}
    return fields.Schema(
        **lengths,
        id=fields.ID(stored=True, unique=True),
        title=words(),
        kicker=words(),
        subtitle=words(),
        headings=words(),
        captions=words(),
        # Phrases are verified in texts.bin, so body positions would never be read; they
        # cost a third of the index (measured), so the body keeps frequencies only.
        body=words(False),
        author=words(),
        page_name=fields.ID(),
        paper=fields.ID(stored=True, sortable=True),
        page=fields.ID(stored=True, sortable=True),
        date=fields.STORED(),  # a datetime, for display; filters use dord
        dord=number("I"),
        dk=number("I"),
        toff=number("q"),
        tlen=number("I"),
        tkey=fields.ID(),
        diffs=fields.STORED(),
        # The article's entities as one string per document (indexer/entity_index.py): a
        # column read once per view for the person/place/organization facets and filters.
        # A column only (not a term of the index): nothing searches its text.
        ents=fields.COLUMN(columns.VarBytesColumn()),
        # Equal for copies of one text (indexer/copies.py); 0: a body too short to compare.
        ckey=number("q"),
    )


def title_key(norm_text: str) -> str:
    """The known-item key: normalised text with punctuation and spaces removed."""
    return "".join(RUN.findall(norm_text))


def field_texts(article: Article) -> dict[str, str]:
    return {
        "title": article.title,
        "kicker": article.kicker,
        "subtitle": article.subtitle,
        "headings": "\n".join(article.headings),
        "captions": "\n".join(c.text for c in article.captions if c.text),
        "body": article.body,
        "author": article.author,
        "page_name": article.page_name,
    }


def _parse_date(date: str) -> datetime | None:
    """YYYY-MM-DD (anything after the 10th character ignored); None when missing or malformed."""
    try:
        return datetime.strptime(date[:10], "%Y-%m-%d")
    except ValueError:
        return None


def text_diffs(raw: str, norm: str) -> list[list]:
    """Where `norm` differs from `raw` (same length): [[offset, original characters], …].

    texts.bin keeps only the normalised text; these patches give back the original for
    display (usually a few Latin capitals or full-width characters, often none).
    """
    if raw == norm:
        return []
    a = np.frombuffer(raw.encode("utf-32-le"), dtype=np.uint32)
    b = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)
    changed = np.flatnonzero(a != b)
    out: list[list] = []
    for pos in changed.tolist():
        if out and out[-1][0] + len(out[-1][1]) == pos:
            out[-1][1] += raw[pos]
        else:
            out.append([pos, raw[pos]])
    return out


def apply_diffs(norm: str, diffs: list[list]) -> str:
    """The original text from its normalised form and `text_diffs`."""
    if not diffs:
        return norm
    pieces, pos = [], 0
    for start, orig in diffs:
        pieces.append(norm[pos:start])
        pieces.append(orig)
        pos = start + len(orig)
    pieces.append(norm[pos:])
    return "".join(pieces)


def doc_fields(article: Article, offset: int, dk: int) -> tuple[dict, bytes, str]:
    """The Whoosh document of an article, its normalised text for texts.bin, and that text."""
    texts = field_texts(article)
    raw = SEP.join(texts[name].replace(SEP, " ") for name in TEXT_FIELDS)
    norm = normalize(raw)
    parts = norm.split(SEP)
    data = norm.encode("utf-8")
    day = _parse_date(article.date)
    dord = day.year * 10000 + day.month * 100 + day.day if day else 0  # YYYYMMDD, 0: unknown
    doc = {
        "id": article.id,
        "paper": article.paper,
        "page": article.page,
        "page_name": parts[TEXT_FIELDS.index("page_name")],
        "dord": dord,
        "dk": dk,
        "toff": offset,
        "tlen": len(data),
        "tkey": title_key(parts[0]) or "\x00",
        "diffs": text_diffs(raw, norm),
        "ents": encode_entities(tag_parts(parts[:-1])).encode("utf-8"),  # all but page_name
        "ckey": copy_key(parts[TEXT_FIELDS.index("body")]),
    }
    if day:
        doc["date"] = day
    for name, part in zip(TEXT_FIELDS, parts, strict=True):
        if name in WORD_BOOSTS:
            doc[f"n_{name}"] = len(part)  # BM25's field length, in characters
            if part:
                doc[name] = part
    return doc, data, norm


# --- generations ---------------------------------------------------------------------------


def live_generation(root: Path) -> Path | None:
    """The generation directory CURRENT names, or None when there is no index yet."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    gen = root / name
    return gen if name and gen.is_dir() else None


def _point_to(root: Path, gen: Path) -> None:
    from indexer.fsutil import atomic_writer

    with atomic_writer(root / POINTER) as fh:  # readers see the old or the new name
        fh.write(gen.name + "\n")


def _new_generation(root: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    gen = root / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 100000}"
    gen.mkdir(parents=True)
    return gen


def _remove_old_generations(root: Path, keep: set[str]) -> None:
    # The generation just replaced is kept until the next rebuild: a searcher that opened it
    # a moment ago may still be reading it.
    for path in root.glob("gen-*"):
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def write_lock(root: Path) -> FileLock:
    root.mkdir(parents=True, exist_ok=True)
    return FileLock(str(root / "write.lock"), timeout=0)


# --- writing -------------------------------------------------------------------------------


@dataclass
class Manifest:
    """What a generation holds: id → content_hash, and the next stable document key;
    `sources`: per Source key, [the stamp it was indexed at, its article ids]."""

    docs: dict[str, str]
    next_dk: int = 0
    schema: int = SCHEMA_VERSION
    sources: dict[str, list] = field(default_factory=dict)


@dataclass
class Source:
    """A group of articles that changes as a whole (one article file of the store), with a
    stamp that changes when it does (its size and mtime). An incremental update skips a
    source whose stamp is the one indexed without reading it: adding a day to a million
    articles then reads the day, not the million (reading and hashing every article took
    46 µs each, 46 s at 1M)."""

    key: str
    stamp: str
    load: Callable[[], Iterable[Article]]


def load_manifest(gen: Path) -> Manifest:
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Manifest({})
    return Manifest(data["docs"], data["next_dk"], data.get("schema", 0), data.get("sources", {}))


def _manifest_payload(manifest: Manifest) -> dict:
    payload = {"schema": manifest.schema, "next_dk": manifest.next_dk, "docs": manifest.docs}
    if manifest.sources:
        payload["sources"] = manifest.sources
    return payload


def save_manifest(gen: Path, manifest: Manifest) -> None:
    from indexer.fsutil import atomic_writer

    payload = _manifest_payload(manifest)
    with atomic_writer(gen / MANIFEST) as fh:
        fh.write(json.dumps(payload, ensure_ascii=False))


class LeanCodec(W3Codec):
    """Whoosh's W3 codec without per-posting field-length statistics.

    At flush, W3 looks up every posting's document field length (for block-level score
    bounds that we never use: BM25 is computed with numpy from the n_* columns). With
    unscorable fields that lookup stat()s a missing column file per posting: 1.3 M stat
    calls for 3,000 articles, a third of indexing time (profiled).
    """

    length_stats = False


def _writer(ix: index.Index, procs: int):
    if procs > 1:
        # Two processes analyse and write a segment each; keeping both segments avoids a
        # full merge at commit (searching two segments costs nothing measurable). 512 MB of
        # posting pool per process instead of 128 spills fewer sorted runs to disk: 10k
        # articles indexed at 408 docs/s instead of 297 (measured back to back).
        return ix.writer(
            procs=procs,
            multisegment=True,
            limitmb=512,
            batchsize=200,
            codec=LeanCodec(),
            compound=False,
        )
    return ix.writer(limitmb=256, codec=LeanCodec(), compound=False)


class _DocAppender:
    """Appends documents to a generation: texts.bin, the gram sidecar, the Whoosh writer."""

    def __init__(self, gen: Path, texts, writer, manifest: Manifest) -> None:
        self.texts = texts
        self.offset = texts.tell()
        self.writer = writer
        self.grams = GramSegmentWriter(gen)
        self.manifest = manifest

    def add(self, article: Article, update: bool) -> None:
        dk = self.manifest.next_dk
        self.manifest.next_dk += 1
        doc, data, norm = doc_fields(article, self.offset, dk)
        self.texts.write(data)
        self.offset += len(data)
        self.grams.add(dk, norm)
        if update:
            self.writer.update_document(**doc)
        else:
            self.writer.add_document(**doc)
        self.manifest.docs[article.id] = article.content_hash()

    def finish(self) -> None:
        """Make texts and grams durable before Whoosh commits documents that point at them."""
        self.texts.flush()
        os.fsync(self.texts.fileno())
        self.grams.flush()


def build_generation(
    gen: Path,
    articles: Iterable[Article],
    *,
    procs: int = 2,
    progress: Progress | None = None,
    sources: Iterable[Source] | None = None,
) -> Manifest:
    """Index `articles` (or, given `sources`, theirs, their stamps recorded) into the empty
    directory `gen`; returns its manifest."""
    ix = index.create_in(str(gen), make_schema())
    manifest = Manifest({})
    if sources is not None:
        articles = _source_articles(sources, manifest, set(), skip_indexed=False)
    writer = _writer(ix, procs)
    try:
        with open(gen / TEXTS, "wb") as texts:
            appender = _DocAppender(gen, texts, writer, manifest)
            for done, article in enumerate(articles, start=1):
                if article.id in manifest.docs:  # one document per id, the last one wins
                    writer.delete_by_term("id", article.id)
                appender.add(article, update=False)
                if progress:
                    progress(done, 0)
            appender.finish()
        writer.commit()
    except BaseException:
        abandon_writer(writer)
        raise
    save_manifest(gen, manifest)
    return manifest


def update_generation(
    gen: Path,
    articles: Iterable[Article],
    *,
    progress: Progress | None = None,
    manifest: Manifest | None = None,
    sources: Iterable[Source] | None = None,
) -> IndexReport:
    """Add, update and delete documents of a live generation to match `articles`
    (`manifest`: the generation's, when the caller has read it already). Given `sources`,
    the articles are theirs, and those of a source indexed at the same stamp are kept
    without being read."""
    report = IndexReport(generation=gen.name)
    manifest = manifest if manifest is not None else load_manifest(gen)
    seen: set[str] = set()
    stamps_before = dict(manifest.sources)
    if sources is not None:
        articles = _source_articles(sources, manifest, seen, skip_indexed=True)
    before = _files_of(gen)
    writer = None
    appender = None
    try:
        # Whoosh creates the new segment's files as the writer opens: a full disk can
        # refuse them already.
        writer = open_writer(
            index.open_dir(str(gen)), limitmb=128, codec=LeanCodec(), compound=False
        )
        with open(gen / TEXTS, "ab") as texts:
            appender = _DocAppender(gen, texts, writer, manifest)
            for done, article in enumerate(articles, start=1):
                if progress:
                    progress(done, 0)
                known = manifest.docs.get(article.id)
                seen.add(article.id)
                if known == article.content_hash():
                    continue
                appender.add(article, update=known is not None)
                if known is None:
                    report.added += 1
                else:
                    report.updated += 1
            gone = [doc_id for doc_id in manifest.docs if doc_id not in seen]
            for doc_id in gone:
                writer.delete_by_term("id", doc_id)
                del manifest.docs[doc_id]
            report.deleted = len(gone)
            appender.finish()
        if report.added or report.updated or report.deleted:
            # The manifest is written before Whoosh commits and put in place after: a full
            # disk between the two would leave documents the manifest does not know, which
            # the next update would add a second time.
            with _staged_manifest(gen, manifest):
                writer.commit()
        else:
            writer.cancel()
            if manifest.sources != stamps_before:  # touched files: not read again next time
                save_manifest(gen, manifest)
    except BaseException:
        if writer is not None:
            abandon_writer(writer)
        if appender is not None:
            appender.grams.discard()
        _restore_files(gen, before)
        raise
    report.total = len(manifest.docs)
    return report


def _source_articles(
    sources: Iterable[Source], manifest: Manifest, seen: set[str], *, skip_indexed: bool
) -> Iterator[Article]:
    """The articles of `sources`, recording each source's stamp and ids in `manifest`; with
    `skip_indexed`, a source at its indexed stamp is not read: its ids go into `seen`."""
    before = manifest.sources
    after: dict[str, list] = {}
    for source in sources:
        known = before.get(source.key)
        if skip_indexed and known is not None and known[0] == source.stamp:
            seen.update(known[1])
            after[source.key] = known
            continue
        ids = []
        for article in source.load():
            ids.append(article.id)
            yield article
        after[source.key] = [source.stamp, ids]
    manifest.sources = after


def _files_of(gen: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in gen.iterdir()}


def _restore_files(gen: Path, before: dict[str, int]) -> None:
    """After a failed update of the live generation: remove what the update wrote (new
    segment files, Whoosh's temp folder) and cut texts.bin back, so that no half-written
    file stays."""
    for path in gen.iterdir():
        if path.name in before:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    texts = gen / TEXTS
    if texts.exists() and texts.stat().st_size > before.get(TEXTS, 0):
        os.truncate(texts, before.get(TEXTS, 0))


@contextmanager
def _staged_manifest(gen: Path, manifest: Manifest) -> Iterator[None]:
    """Write the manifest to a temp file, run the block (the Whoosh commit), then rename it
    in place; on failure the old manifest stays."""
    from indexer.fsutil import atomic_writer

    payload = _manifest_payload(manifest)
    with atomic_writer(gen / MANIFEST) as fh:
        fh.write(json.dumps(payload, ensure_ascii=False))
        fh.flush()
        yield


def reindex(
    root: Path,
    articles: Callable[[], Iterator[Article]],
    *,
    rebuild: bool = False,
    procs: int = 2,
    progress: Progress | None = None,
    sources: Callable[[], Iterator[Source]] | None = None,
) -> IndexReport:
    """Bring the index under `root` up to date with `articles()`; one writer at a time.

    rebuild (or no index yet): build a new generation beside the live one, then swap CURRENT.
    `sources`, when given, replaces `articles`: the same articles grouped in stamped sources,
    so that an incremental update reads only the sources that changed.
    """
    started = time.perf_counter()
    lock = write_lock(root)
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusy(
            f"another process is writing the index under {root} (lock {lock.lock_file}); "
            "wait for it to finish and run this again"
        ) from None
    try:
        live = live_generation(root)
        live_manifest = load_manifest(live) if live is not None else None
        if live_manifest is not None and live_manifest.schema != SCHEMA_VERSION:
            rebuild = True  # built by an older version: incremental updates cannot apply
        if rebuild or live_manifest is None:
            old = live_manifest.docs if live_manifest is not None else {}
            gen = _new_generation(root)
            try:
                manifest = build_generation(
                    gen,
                    () if sources else articles(),
                    procs=procs,
                    progress=progress,
                    sources=sources() if sources else None,
                ).docs
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
            _point_to(root, gen)
            _remove_old_generations(root, keep={gen.name} | ({live.name} if live else set()))
            report = IndexReport(
                added=sum(1 for k in manifest if k not in old),
                updated=sum(1 for k, v in manifest.items() if k in old and old[k] != v),
                deleted=sum(1 for k in old if k not in manifest),
                total=len(manifest),
                rebuilt=True,
                generation=gen.name,
            )
        else:
            report = update_generation(
                live,
                () if sources else articles(),
                progress=progress,
                manifest=live_manifest,
                sources=sources() if sources else None,
            )
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report
