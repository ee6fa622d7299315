"""`baoku backup DEST` and restore: a snapshot restored into an empty dir passes `baoku check`
and searches give the same results; raw pages are copied once and hard-linked after; a backup
taken while a crawl runs (a real `baoku crawl` subprocess) and searches go on is consistent; a
full backup disk leaves no half snapshot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import Archive
from indexer.backup import LATEST, backup
from indexer.cli import main
from indexer.crawl import crawl
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, EpaperServer, crawled_data_dir, sample_articles
from tests.sitegen import render_site
from tests.synthetic import PAPER

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def articles():
    return sample_articles()


@pytest.fixture(scope="module")
def site(articles):
    return render_site(articles, "rmrb")


@pytest.fixture
def data(tmp_path: Path, site) -> Path:
    return crawled_data_dir(tmp_path / "data", site)


def _cli(data: Path, *args: str):
    return CliRunner().invoke(main, ["--data", str(data), *args])


def _restore(dest: Path, target: Path) -> Path:
    """What docs/operations-data.md says: copy the newest snapshot to an empty data dir."""
    snapshot = dest / (dest / LATEST).read_text(encoding="utf-8").strip()
    shutil.copytree(snapshot, target, symlinks=True)
    return target


def _queries(articles) -> list[str]:
    words = [a.title[:2] for a in articles[:6]] + [articles[3].body[5:9]]
    return [*words, "中国", "经济 OR 文化", f'"{articles[0].title}"']


def _results(data: Path, query: str) -> dict:
    result = _cli(data, "search", query, "--json", "--limit", "1000")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    return {"total": found["total"], "ids": [hit["id"] for hit in found["hits"]]}


def test_a_restored_backup_passes_check_and_searches_the_same(
    data: Path, tmp_path: Path, articles
) -> None:
    dest = tmp_path / "backups"
    made = _cli(data, "backup", str(dest))
    assert made.exit_code == 0, made.output
    restored = _restore(dest, tmp_path / "restored")
    checked = _cli(restored, "check")
    assert checked.exit_code == 0, checked.output
    assert "no problem" in checked.output
    for query in _queries(articles):
        assert _results(restored, query) == _results(data, query), query
    assert [a.to_json() for a in Store(restored).iter_articles()] == [
        a.to_json() for a in Store(data).iter_articles()
    ]
    some = next(Store(data).iter_raw())
    assert Store(restored).read_raw(some.source) == Store(data).read_raw(some.source)


def test_raw_pages_are_copied_once_and_linked_after(data: Path, tmp_path: Path) -> None:
    dest = tmp_path / "backups"
    pages = len(list(Store(data).iter_raw()))
    first = backup(data, dest)
    assert (first.raw_copied, first.raw_linked) == (pages, 0)
    second = backup(data, dest)
    assert (second.raw_copied, second.raw_linked) == (0, pages)
    source = next(Store(data).iter_raw()).source
    assert os.stat(first.snapshot / source).st_ino == os.stat(second.snapshot / source).st_ino
    # Unchanged article and index files are linked too, except those appended to in place.
    assert second.files_linked >= first.article_files
    article = Store(data).article_files()[0].relative_to(data)
    assert _inode(first, article) == _inode(second, article)
    gen = Path("index") / first.generation
    for appended in (gen / "texts.bin", Path("raw/catalogue.jsonl")):
        assert _inode(first, appended) != _inode(second, appended)
    # A changed file is copied; the older snapshot keeps its version.
    old_text = (first.snapshot / article).read_text(encoding="utf-8")
    changed = Store(data).read_parts(data / article)[0]
    changed.title += "（更正）"
    Store(data).put_articles([changed])
    fresh = backup(data, dest)
    assert "（更正）" in (fresh.snapshot / article).read_text(encoding="utf-8")
    assert (first.snapshot / article).read_text(encoding="utf-8") == old_text
    shutil.rmtree(fresh.snapshot)
    (dest / LATEST).write_text(second.snapshot.name + "\n", encoding="utf-8")
    Store(data).put_raw("http://paper.example/new.html", b"<html>new</html>")
    third = backup(data, dest)
    assert (third.raw_copied, third.raw_linked) == (1, pages)
    assert (dest / LATEST).read_text(encoding="utf-8").strip() == third.snapshot.name
    # Each snapshot is whole by itself: the oldest one restores after the others are gone.
    shutil.rmtree(second.snapshot)
    shutil.rmtree(third.snapshot)
    restored = tmp_path / "restored"
    shutil.copytree(first.snapshot, restored)
    assert _cli(restored, "check").exit_code == 0


def _inode(report, rel: Path) -> int:
    return os.stat(report.snapshot / rel).st_ino


def test_a_backup_inside_the_data_dir_is_refused(data: Path) -> None:
    result = _cli(data, "backup", str(data / "backups"))
    assert result.exit_code == 1 and "cannot be inside the data dir" in result.output


def test_a_backup_while_a_crawl_runs_and_the_site_serves(tmp_path: Path, site, articles) -> None:
    data = tmp_path / "data"
    first_day = [a for a in articles if a.date == SAMPLE_DATES[-1]]
    with EpaperServer(dict(site)) as server:
        crawl(Store(data), server.url, date_from=SAMPLE_DATES[-1], delay=0.002, paper=PAPER)
        Archive(data).reindex(procs=1)
        before = {a.id for a in Store(data).iter_articles()}
        assert len(before) == len(first_day)
        server.slow(0.1)
        stop = threading.Event()
        errors: list[BaseException] = []

        def searching() -> None:
            with Archive(data) as archive:
                while not stop.is_set():
                    try:
                        archive.search("中国", limit=20)
                    except BaseException as exc:  # noqa: BLE001 - reported below
                        errors.append(exc)
                    time.sleep(0.005)

        reader = threading.Thread(target=searching)
        reader.start()
        crawler = subprocess.Popen(
            [sys.executable, "-m", "indexer.cli", "--data", str(data), "crawl", server.url]
            + ["--from", SAMPLE_DATES[0], "--to", SAMPLE_DATES[-1], "--delay", "0.002"]
            + ["--paper", PAPER],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while len(server.article_hits()) < 3 and crawler.poll() is None:
                time.sleep(0.01)
            assert crawler.poll() is None, "the crawl ended before the backup"
            report = backup(data, tmp_path / "backups")
            assert crawler.wait(timeout=120) == 0
        finally:
            if crawler.poll() is None:
                crawler.kill()
                crawler.wait()
            stop.set()
            reader.join()
    assert not errors, errors
    after = {a.id for a in Store(data).iter_articles()}
    restored = _restore(tmp_path / "backups", tmp_path / "restored")
    # The snapshot is a state the store was in: between before and after, every file whole,
    # every page its catalogue names present (check), and the index as it was then.
    snapshot_ids = {a.id for a in Store(restored).iter_articles()}
    assert before <= snapshot_ids <= after
    assert report.generation and (restored / "index" / report.generation).is_dir()
    assert _cli(restored, "index").exit_code == 0  # the crawl stored more than was indexed
    checked = _cli(restored, "check")
    assert checked.exit_code == 0, checked.output


def test_a_full_backup_disk_leaves_no_half_snapshot(data: Path, mounted_tmpfs) -> None:
    disk = mounted_tmpfs("1m")
    dest = disk.path / "backups"
    small = backup(data, dest)  # the first fits
    disk.fill(leave=64 << 10)
    shutil.rmtree(small.snapshot / "raw")  # so that the next one has pages to copy
    (dest / LATEST).unlink()
    result = _cli(data, "backup", str(dest))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: the disk is full at ")
    assert len(result.output.strip().splitlines()) == 1
    assert [p.name for p in dest.iterdir() if p.name.startswith(".")] == []
    assert not (dest / LATEST).exists()
