"""`baoku check [--repair]`: verify a whole data dir and report every problem with its path.

What is checked
- Article files (articles/**.jsonl): every line parses as an article, every id is stored
  once in the whole store; the id catalogue (.store/ids.sqlite3) names the same ids and files.
- Raw pages (raw/<aa>/<sha256>.<ext>): each file's sha256 is its name; the raw catalogue
  (raw/catalogue.jsonl) parses, every page it names exists, every page on disk is in it.
- The index: the live generation opens, its manifest holds exactly the store's articles with
  their content hashes, and a search for a stored article's title finds it.
- Leftovers of a killed writer: a bulk write's staging, temp files.

The check only reads (it takes no lock: a crawl may run meanwhile; run it again if it reports
the index a few articles behind a crawl that was storing).

What `repair` does: it never deletes. Whatever cannot be read (an article line that does not
parse, the second copy of an id, a raw page whose bytes do not match its name, a temp file) is
moved to DATA/quarantine/<time>/<its path>, the file it came from is rewritten with the rest;
then it rebuilds what can be rebuilt from the files: the raw catalogue's missing lines (from
the articles that name the page), the id catalogue, and the index. A catalogue line that names
a missing page is dropped (a copy of the old catalogue goes to quarantine), so that the next
crawl fetches the page again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from indexer.article import Article
from indexer.zhuanban import join_continuations

__all__ = ["CheckReport", "Problem", "check_data_dir", "repair_data_dir"]

QUARANTINE = "quarantine"


@dataclass
class Problem:
    """One thing wrong, where (a path relative to the data dir, with :line for a line)."""

    where: str
    reason: str
    kind: str  # "article", "catalogue", "raw", "index", "leftover"

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class CheckReport:
    data_dir: Path
    article_files: int = 0
    article_parts: int = 0
    articles: int = 0
    raw_pages: int = 0
    indexed: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # what --repair did, one line each

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: Path | str, reason: str, kind: str) -> None:
        self.problems.append(Problem(_rel(self.data_dir, where), reason, kind))


def _rel(data_dir: Path, where: Path | str) -> str:
    path = Path(where)
    if path.is_absolute() and path.is_relative_to(data_dir):
        return path.relative_to(data_dir).as_posix()
    return str(where)


# --- reading what is on disk, without changing it -------------------------------------------------


@dataclass
class _Line:
    path: Path
    number: int
    article: Article | None  # None: unreadable
    error: str = ""


def _article_files(data_dir: Path) -> list[Path]:
    root = data_dir / "articles"
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*.jsonl") if not p.name.startswith("."))


def _read_lines(path: Path) -> Iterator[_Line]:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        yield _Line(path, 0, None, f"not UTF-8 ({exc.reason} at byte {exc.start})")
        return
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            article = Article.from_json(line)
            if not str(article.id).strip():
                raise ValueError("no id")
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            yield _Line(path, number, None, f"unreadable article ({exc})")
            continue
        yield _Line(path, number, article)


def _raw_files(data_dir: Path) -> list[Path]:
    root = data_dir / "raw"
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*/*") if p.is_file())


def _raw_catalogue(data_dir: Path) -> tuple[dict[str, dict], list[int]]:
    """url → the catalogue's latest entry for it, and the numbers of the lines that do not
    parse."""
    path = data_dir / "raw" / "catalogue.jsonl"
    entries: dict[str, dict] = {}
    bad: list[int] = []
    if not path.exists():
        return entries, bad
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                entries[str(item["url"])] = {"source": str(item["source"]), **item}
            except (ValueError, KeyError, TypeError):
                bad.append(number)
    return entries, bad


# --- the check ---------------------------------------------------------------------------------


def check_data_dir(data_dir: Path | str, *, search: bool = True) -> CheckReport:
    """Every problem of the data dir, each with its path; changes nothing."""
    data_dir = Path(data_dir)
    report = CheckReport(data_dir)
    articles = _check_articles(data_dir, report)
    _check_id_catalogue(data_dir, report)
    _check_raw(data_dir, report)
    _check_index(data_dir, report, articles, search=search)
    _check_leftovers(data_dir, report)
    return report


def _check_articles(data_dir: Path, report: CheckReport) -> dict[str, Article]:
    """The joined articles by id (what the index must hold), reporting bad lines and ids
    stored twice."""
    first_seen: dict[str, str] = {}
    joined: dict[str, Article] = {}
    for path in _article_files(data_dir):
        report.article_files += 1
        parts: list[Article] = []
        for line in _read_lines(path):
            where = f"{_rel(data_dir, path)}:{line.number}"
            if line.article is None:
                report.add(where, line.error, "article")
                continue
            report.article_parts += 1
            other = first_seen.get(line.article.id)
            if other is not None:
                report.add(where, f"id {line.article.id} is stored already at {other}", "article")
                continue
            first_seen[line.article.id] = where
            parts.append(line.article)
        for article in join_continuations(parts)[0]:
            joined[article.id] = article
    report.articles = len(joined)
    return joined


def _check_id_catalogue(data_dir: Path, report: CheckReport) -> None:
    path = data_dir / ".store" / "ids.sqlite3"
    if not path.exists():
        return  # made from the files on first use: not a problem
    on_disk: dict[str, str] = {}
    for file in _article_files(data_dir):
        for line in _read_lines(file):
            if line.article is not None:
                on_disk.setdefault(line.article.id, _rel(data_dir, file))
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            catalogued = dict(db.execute("SELECT id, file FROM parts"))
    except sqlite3.Error as exc:
        report.add(path, f"id catalogue unreadable ({exc})", "catalogue")
        return
    missing = [i for i in on_disk if i not in catalogued]
    extra = [i for i in catalogued if i not in on_disk]
    moved = [i for i, f in on_disk.items() if i in catalogued and catalogued[i] != f]
    if missing or extra or moved:
        report.add(
            path,
            f"id catalogue disagrees with the article files: {len(missing)} ids missing, "
            f"{len(extra)} ids of no file, {len(moved)} ids in another file "
            f"(e.g. {(missing + extra + moved)[0]})",
            "catalogue",
        )


def _check_raw(data_dir: Path, report: CheckReport) -> None:
    entries, bad = _raw_catalogue(data_dir)
    catalogue = data_dir / "raw" / "catalogue.jsonl"
    for number in bad:
        report.add(f"{_rel(data_dir, catalogue)}:{number}", "unreadable catalogue line", "raw")
    named = {e["source"] for e in entries.values()}
    on_disk: set[str] = set()
    for path in _raw_files(data_dir):
        rel = _rel(data_dir, path)
        if path.name.startswith("."):
            continue  # temp files: see _check_leftovers
        report.raw_pages += 1
        on_disk.add(rel)
        digest = _sha256(path)
        if path.name.split(".", 1)[0] != digest:
            report.add(rel, f"sha256 is {digest}, not the one in its name", "raw")
        if rel not in named:
            report.add(rel, "raw page not in raw/catalogue.jsonl", "raw")
    for url, entry in entries.items():
        if entry["source"] not in on_disk:
            report.add(entry["source"], f"in the catalogue (for {url}) but missing", "raw")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_index(
    data_dir: Path, report: CheckReport, articles: dict[str, Article], *, search: bool
) -> None:
    from indexer.archive import Archive
    from indexer.index import MANIFEST, live_generation, load_manifest
    from indexer.results import IndexState

    root = data_dir / "index"
    gen = live_generation(root)
    if gen is None:
        if articles:
            report.add(root, "no index: `baoku index` builds it", "index")
        return
    with Archive(data_dir) as archive:
        state = archive.index_state()
        if state != IndexState.READY:
            report.add(gen, f"the live generation does not open ({state})", "index")
            return
        try:
            manifest = load_manifest(gen)
        except (ValueError, KeyError, OSError) as exc:
            report.add(gen / MANIFEST, f"manifest unreadable ({exc})", "index")
            return
        report.indexed = len(manifest.docs)
        _compare_manifest(report, gen / MANIFEST, manifest.docs, articles)
        health = archive.health()
        if not health.ok:
            report.add(gen, f"index health: {health.problem}", "index")
        if search and articles:
            _try_search(report, archive, gen, articles)


def _compare_manifest(
    report: CheckReport, where: Path, docs: dict[str, str], articles: dict[str, Article]
) -> None:
    missing = [i for i in articles if i not in docs]
    gone = [i for i in docs if i not in articles]
    stale = [i for i, a in articles.items() if i in docs and docs[i] != a.content_hash()]
    if missing or gone or stale:
        example = (missing + gone + stale)[0]
        report.add(
            where,
            f"the index does not match the store: {len(missing)} articles not indexed, "
            f"{len(gone)} indexed but not stored, {len(stale)} out of date (e.g. {example})",
            "index",
        )


def _try_search(report: CheckReport, archive, gen: Path, articles: dict[str, Article]) -> None:
    """A search for the title of the newest titled article must find it."""
    titled = [a for a in articles.values() if a.title.strip()]
    if not titled:
        return
    probe = max(titled, key=lambda a: (a.date, a.id))
    # The longest run of letters of the title, as a phrase: no query syntax in it.
    words = re.findall(r"\w+", probe.title) or [probe.title]
    query = f'"{max(words, key=len)}"'
    try:
        result = archive.search(query, limit=100000, snippets=False)
    except Exception as exc:  # noqa: BLE001 - whatever fails, the search does not run
        report.add(gen, f"a search fails: {type(exc).__name__}: {exc}", "index")
        return
    if probe.id not in {hit.id for hit in result.hits}:
        report.add(gen, f"a search for {query} does not find {probe.id}", "index")


def _check_leftovers(data_dir: Path, report: CheckReport) -> None:
    staging = data_dir / ".store" / "staging"
    if staging.exists():
        report.add(
            staging,
            "a bulk write was interrupted (the next write finishes or undoes it)",
            "leftover",
        )
    for folder in ("articles", "raw"):
        root = data_dir / folder
        if root.is_dir():
            for path in root.rglob(".*.tmp"):
                report.add(path, "temp file left by a killed writer", "leftover")


# --- repair -------------------------------------------------------------------------------------


class _Quarantine:
    """DATA/quarantine/<time>/: where repair moves what it cannot use, paths kept."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = data_dir / QUARANTINE / time.strftime("%Y%m%dT%H%M%S")

    def move(self, path: Path) -> Path:
        target = self._target(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return target

    def copy(self, path: Path) -> Path:
        target = self._target(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        return target

    def _target(self, path: Path) -> Path:
        target = self.root / path.relative_to(self.data_dir)
        number = 1
        while target.exists():
            number += 1
            target = target.with_name(f"{target.name}.{number}")
        return target


def repair_data_dir(data_dir: Path | str) -> CheckReport:
    """Repair what `check_data_dir` finds (see the module docstring), under the store's write
    lock, then check again: the report is the state after repair, with `repaired` filled."""
    from indexer.store import Store

    data_dir = Path(data_dir)
    store = Store(data_dir)
    done: list[str] = []
    quarantine = _Quarantine(data_dir)
    with store.lock:
        store.article_files()  # finishes or undoes an interrupted bulk write first
        before = check_data_dir(data_dir, search=False)
        kinds = {p.kind for p in before.problems}
        _repair_article_files(data_dir, quarantine, done)
        _repair_raw(store, quarantine, done)
        _repair_leftovers(data_dir, quarantine, done)
        if kinds & {"article", "catalogue", "leftover"} or done:
            store.rebuild_catalogue()
            done.append("rebuilt the id catalogue (.store/ids.sqlite3) from the article files")
    after = check_data_dir(data_dir, search=False)
    if any(p.kind == "index" for p in before.problems + after.problems):
        from indexer.archive import Archive

        with Archive(data_dir) as archive:
            built = archive.reindex(rebuild=True)
        done.append(f"rebuilt the index: {built.total} articles ({built.generation})")
    report = check_data_dir(data_dir)
    report.repaired = done
    return report


def _repair_article_files(data_dir: Path, quarantine: _Quarantine, done: list[str]) -> None:
    from indexer.fsutil import atomic_writer

    seen: set[str] = set()
    for path in _article_files(data_dir):
        keep: list[str] = []
        dropped = 0
        lines = list(_read_lines(path))
        for line in lines:
            if line.article is None or line.article.id in seen:
                dropped += 1
                continue
            seen.add(line.article.id)
            keep.append(line.article.to_json())
        if not dropped:
            continue
        rel = _rel(data_dir, path)
        moved = quarantine.move(path)
        if keep:
            with atomic_writer(path) as handle:
                handle.writelines(line + "\n" for line in keep)
        done.append(
            f"{rel}: {dropped} unreadable or duplicate lines; the file as it was is in "
            f"{_rel(data_dir, moved)}"
        )


def _repair_raw(store, quarantine: _Quarantine, done: list[str]) -> None:
    from indexer.fsutil import atomic_writer

    data_dir = store.data_dir
    for path in _raw_files(data_dir):
        if path.name.startswith("."):
            continue
        if path.name.split(".", 1)[0] != _sha256(path):
            moved = quarantine.move(path)
            done.append(
                f"{_rel(data_dir, path)}: bytes do not match the name; moved to "
                f"{_rel(data_dir, moved)}"
            )
    catalogue = data_dir / "raw" / "catalogue.jsonl"
    entries, bad = _raw_catalogue(data_dir)
    on_disk = {_rel(data_dir, p) for p in _raw_files(data_dir) if not p.name.startswith(".")}
    kept = {url: e for url, e in entries.items() if e["source"] in on_disk}
    named = {e["source"] for e in kept.values()}
    # A page on disk the catalogue lost: its URL is known when an article names it.
    recovered = {}
    for article in _stored_articles(data_dir):
        if article.source in on_disk and article.source not in named and article.url:
            recovered[article.url] = {
                "url": article.url,
                "source": article.source,
                "fetched_at": article.fetched_at,
                "content_type": "text/html",
            }
            named.add(article.source)
    orphans = sorted(on_disk - named)
    if not (bad or len(kept) != len(entries) or recovered or orphans):
        return
    if catalogue.exists():
        quarantine.copy(catalogue)
    rows = [
        {k: e.get(k, "") for k in ("url", "source", "fetched_at", "content_type")}
        for e in [*kept.values(), *recovered.values()]
    ]
    with atomic_writer(catalogue) as handle:
        handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    done.append(
        f"raw/catalogue.jsonl rewritten: {len(bad)} unreadable lines and "
        f"{len(entries) - len(kept)} lines naming missing pages dropped, {len(recovered)} lines "
        "recovered from the articles; the old one is in quarantine"
    )
    for rel in orphans:  # no URL anywhere: keep the bytes, out of the way
        moved = quarantine.move(data_dir / rel)
        done.append(f"{rel}: raw page of unknown URL moved to {_rel(data_dir, moved)}")


def _stored_articles(data_dir: Path) -> Iterator[Article]:
    for path in _article_files(data_dir):
        for line in _read_lines(path):
            if line.article is not None:
                yield line.article


def _repair_leftovers(data_dir: Path, quarantine: _Quarantine, done: list[str]) -> None:
    for folder in ("articles", "raw"):
        root = data_dir / folder
        if root.is_dir():
            for path in list(root.rglob(".*.tmp")):
                moved = quarantine.move(path)
                done.append(f"{_rel(data_dir, path)}: temp file moved to {_rel(data_dir, moved)}")
