"""Keeping the index in step with the corpus: incremental updates, rebuild swaps, one writer."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import Archive
from indexer.analysis import grams, normalize, query_grams
from indexer.article import Article
from indexer.cli import main
from indexer.index import SEP, IndexBusy, IndexOutdated, field_texts, live_generation, reindex
from indexer.store import Store, StoreError
from tests.synthetic import synthetic_corpus_lines


@pytest.fixture(scope="module")
def corpus() -> list[Article]:
    """300 articles of the synthetic corpus, in order, each with a body."""
    rows = [json.loads(line) for line in islice(synthetic_corpus_lines(), 400)]
    return [Article.from_dict(r) for r in rows if r.get("body")][:300]


def ids(archive: Archive, query: str) -> set[str]:
    return {h.id for h in archive.search(query, limit=100000, snippets=False).hits}


def test_incremental_add_update_delete(tmp_path: Path, corpus):
    root = tmp_path / "index"
    first = reindex(root, lambda: iter(corpus[:100]), procs=1)
    assert (first.added, first.total, first.rebuilt) == (100, 100, True)
    archive = Archive(tmp_path)
    newcomer = corpus[150]
    assert newcomer.id not in ids(archive, f'"{newcomer.title}"')

    changed = dataclasses.replace(corpus[5], title="报库增量更新测试标题")
    removed = corpus[7]
    batch = [changed if a.id == changed.id else a for a in corpus[:100] if a.id != removed.id]
    batch += corpus[150:160]
    second = reindex(root, lambda: iter(batch), procs=1)
    assert (second.added, second.updated, second.deleted, second.total) == (10, 1, 1, 109)
    assert not second.rebuilt

    # the same Archive sees the changes without being reopened
    assert newcomer.id in ids(archive, f'"{newcomer.title}"')
    assert ids(archive, '"增量更新测试"') == {changed.id}
    assert changed.id not in ids(archive, f'标题:"{corpus[5].title}"')
    assert archive.get(removed.id) is None
    assert archive.get(changed.id).title == changed.title
    assert archive.search('"增量更新测试"').total == 1

    third = reindex(root, lambda: iter(batch), procs=1)
    assert (third.added, third.updated, third.deleted, third.total) == (0, 0, 0, 109)
    archive.close()


def test_store_to_index_through_archive(tmp_path: Path, corpus):
    store = Store(tmp_path)
    store.put_articles(corpus[:50])
    with Archive(tmp_path) as archive:
        assert archive.reindex(procs=1).total == len(store)
        store.put_articles(corpus[50:60])
        report = archive.reindex(procs=1)
        assert report.added == len(store) - 50 and not report.rebuilt
        target = corpus[55]
        assert target.id in ids(archive, f'"{target.title}"')


def test_rebuild_swaps_while_searches_run(tmp_path: Path, corpus):
    root = tmp_path / "index"
    articles = corpus[:200]
    reindex(root, lambda: iter(articles), procs=1)
    query = '"中国"'
    truth = {a.id for a in articles if "中国" in a.title + a.body + a.kicker + a.subtitle}
    shared = Archive(tmp_path)
    assert ids(shared, query) == truth

    stop = threading.Event()
    errors: list[BaseException] = []
    seen: list[set[str]] = []

    def searching(archive: Archive) -> None:
        try:
            while not stop.is_set():
                seen.append(ids(archive, query))
                time.sleep(0.002)  # leave the GIL to the rebuild now and then
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    own = Archive(tmp_path)
    threads = [threading.Thread(target=searching, args=(a,)) for a in (shared, shared, own)]
    for t in threads:
        t.start()
    generations = []
    try:
        for _ in range(3):
            report = reindex(root, lambda: iter(articles), rebuild=True, procs=1)
            generations.append(report.generation)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    assert seen and all(s == truth for s in seen)
    assert live_generation(root).name == generations[-1]
    assert len(set(generations)) == 3
    # the live generation and the one it replaced are kept; older ones are removed
    assert {p.name for p in root.glob("gen-*")} == set(generations[-2:])
    assert ids(shared, query) == truth
    shared.close()
    own.close()


def test_second_writer_gets_a_clear_message(tmp_path: Path, corpus):
    root = tmp_path / "index"
    reindex(root, lambda: iter(corpus[:20]), procs=1)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from filelock import FileLock\n"
            "lock = FileLock(sys.argv[1]); lock.acquire(); print('locked', flush=True)\n"
            "time.sleep(120)\n",
            str(root / "write.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusy, match="another process"):
            reindex(root, lambda: iter(corpus[:20]), procs=1)
        result = CliRunner().invoke(main, ["--data", str(tmp_path), "index"])
        assert result.exit_code == 1
        assert "another process is writing the index" in result.output
        assert "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait()
    assert reindex(root, lambda: iter(corpus[:20]), procs=1).total == 20


def test_index_of_another_schema_version_is_refused_then_rebuilt(tmp_path: Path, corpus):
    root = tmp_path / "index"
    reindex(root, lambda: iter(corpus[:30]), procs=1)
    manifest_path = live_generation(root) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["schema"] = 1  # as if written by an older version
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with Archive(tmp_path) as archive, pytest.raises(IndexOutdated, match="--rebuild"):
        archive.search("中国")
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "search", "中国"])
    assert result.exit_code == 1 and "--rebuild" in result.output
    report = reindex(root, lambda: iter(corpus[:30]), procs=1)
    assert report.rebuilt and report.total == 30
    with Archive(tmp_path) as archive:
        assert archive.search("中国").total > 0


def test_a_failed_update_changes_nothing(tmp_path: Path, corpus):
    root = tmp_path / "index"
    reindex(root, lambda: iter(corpus[:50]), procs=1)
    before = sorted(p.name for p in live_generation(root).iterdir())

    def broken():
        yield from corpus[:50]
        yield from corpus[200:205]
        raise OSError("the store went away")

    with pytest.raises(OSError, match="went away"):
        reindex(root, broken, procs=1)
    assert sorted(p.name for p in live_generation(root).glob("grams-*")) == [
        n for n in before if n.startswith("grams-")
    ]
    with Archive(tmp_path) as archive:
        assert archive.search("中国", limit=1).total == len(ids(archive, "中国"))
        assert not ids(archive, f'"{corpus[201].title}"') & {a.id for a in corpus[200:205]}
        # the same document keys are handed out again: no stale postings may point at them
        report = reindex(root, lambda: iter(corpus[:50] + corpus[210:215]), procs=1)
        assert report.added == 5
        by_id = {a.id: a for a in corpus}
        for article in corpus[200:205]:
            needed = set(query_grams(normalize(article.title)))
            for hit in ids(archive, article.title):
                text = normalize(SEP.join(field_texts(by_id[hit]).values()))
                assert needed <= grams(text), (article.title, hit)
        for article in corpus[210:215]:
            assert article.id in ids(archive, f'"{article.title}"')


def test_an_update_reads_only_the_store_files_that_changed(tmp_path: Path, corpus):
    store = Store(tmp_path)
    store.put_articles(corpus[:80])
    with Archive(tmp_path) as archive:
        assert archive.reindex(procs=1).total == len(store)
        files = store.article_files()
        assert len(files) > 2
        # An unchanged file is not read: garbage of the same size and mtime goes unnoticed
        # (it would raise StoreError if it were read).
        untouched = files[0]
        stat = untouched.stat()
        untouched.write_bytes(b"x" * stat.st_size)
        os.utime(untouched, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        edited = store.read_article_file(files[1])[0]
        changed = dataclasses.replace(edited, title="报库只读改动的文件")
        gone = store.read_article_file(files[2])
        files[2].unlink()
        store.forget_catalogue_check()
        store.put_articles([changed, *corpus[100:105]])
        report = archive.reindex(procs=1)
        assert (report.added, report.updated, report.deleted) == (5, 1, len(gone))
        assert ids(archive, '"报库只读改动的文件"') == {changed.id}
        assert all(archive.get(a.id) is None for a in gone)
        assert corpus[102].id in ids(archive, f'"{corpus[102].title}"')
        assert archive.reindex(procs=1).added == 0
        # A rebuild reads every file: now the garbage is read and refused.
        with pytest.raises(StoreError):
            archive.reindex(rebuild=True, procs=1)
