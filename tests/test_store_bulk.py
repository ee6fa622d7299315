"""Bulk writes (`Store.bulk`, used by import, ingest and reclean): order does not matter, every
store promise holds, a kill or a full disk never leaves half an import behind."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

import indexer.bulk
from indexer.article import Article
from indexer.cli import main
from indexer.ingest import import_jsonl
from indexer.store import Store, StoreWriteError

REPO = Path(__file__).resolve().parent.parent


def _demo_articles() -> list[Article]:
    """The made-up 《江城晚报》 articles of scripts/make_demo.py, 转版 pairs among them."""
    spec = importlib.util.spec_from_file_location("make_demo", REPO / "scripts" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_articles()


def _archive() -> list[dict]:
    """Demo articles copied onto many dates and two papers, plus undated ones."""
    records = []
    for copy in range(6):
        for article in _demo_articles():
            record = article.to_dict()
            record["id"] = f"{article.id}-{copy}"
            record["date"] = f"{2000 + copy}-{article.date[5:]}"
            if copy % 2:
                record["paper"] = "长河日报"
            records.append(record)
    records += [{"id": f"u{i}", "title": f"无日期{i}", "body": "正文。"} for i in range(5)]
    return records


def _write(path: Path, records: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _snapshot(store: Store) -> tuple[dict[str, bytes], list[tuple]]:
    """Every article file's bytes, and the catalogue's rows."""
    files = {
        p.relative_to(store.data_dir).as_posix(): p.read_bytes() for p in store.article_files()
    }
    with closing(sqlite3.connect(store.catalogue_path)) as db:
        rows = sorted(db.execute("SELECT id, file, head FROM parts"))
    return files, rows


def _sorted_key(record: dict) -> tuple:
    return (record.get("date", ""), record.get("paper", ""), record.get("page", ""), record["id"])


def test_shuffled_import_is_the_sorted_import_byte_for_byte(tmp_path: Path, monkeypatch) -> None:
    records = _archive()
    ordered = _write(tmp_path / "sorted.jsonl", sorted(records, key=_sorted_key))
    shuffled_records = list(records)
    random.Random(15).shuffle(shuffled_records)
    shuffled = _write(tmp_path / "shuffled.jsonl", shuffled_records)

    sorted_store = Store(tmp_path / "sorted")
    report = import_jsonl(sorted_store, [ordered])
    assert report.errors == [] and report.stored.new == len(records)
    shuffled_store = Store(tmp_path / "shuffled")
    assert import_jsonl(shuffled_store, [shuffled]).stored.new == len(records)
    expected = _snapshot(sorted_store)
    assert _snapshot(shuffled_store) == expected
    assert len(expected[0]) == 6 * len({a.date for a in _demo_articles()}) + 1

    # A bucket too big to read at once is split again: the same store comes out.
    monkeypatch.setattr(indexer.bulk, "_BUCKET_LIMIT", 2_000)
    split_store = Store(tmp_path / "split")
    import_jsonl(split_store, [shuffled])
    assert _snapshot(split_store) == expected
    # 转版 pairs are joined in the bulk-written files as in the demo.
    joined = [a for a in sorted_store.iter_articles() if len(a.pages) > 1]
    assert joined and all(sorted_store.get(a.id) == a for a in joined)
    assert len(sorted_store) == len(list(sorted_store.iter_articles()))


def test_bulk_import_updates_moves_and_counts(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    base = {"paper": "江城晚报", "page": "02", "body": "第一段。"}
    first = [
        {**base, "id": "same", "date": "2024-03-01", "title": "不变"},
        {**base, "id": "edit", "date": "2024-03-01", "title": "要改"},
        {**base, "id": "move", "date": "2024-03-02", "title": "要搬"},
    ]
    assert import_jsonl(store, [_write(tmp_path / "a.jsonl", first)]).stored.new == 3
    second = [
        {**base, "id": "same", "date": "2024-03-01", "title": "不变"},
        {**base, "id": "edit", "date": "2024-03-01", "title": "改了"},
        {**base, "id": "move", "date": "2024-03-05", "title": "要搬"},
        {**base, "id": "new", "date": "2024-03-05", "title": "新稿", "page": "01"},
        {**base, "id": "new", "date": "2024-03-05", "title": "新稿，最后一版", "page": "01"},
    ]
    stored = import_jsonl(store, [_write(tmp_path / "b.jsonl", second)]).stored
    # "move" lands in a file where it was not: new there, as put_articles counts it.
    assert (stored.new, stored.updated, stored.unchanged) == (2, 1, 1)
    assert store.get("edit").title == "改了"
    assert store.get("new").title == "新稿，最后一版"  # the last copy of an id wins
    assert store.get("move").date == "2024-03-05"
    # The emptied file is gone; each id is in exactly one file, new ones sorted by page then id.
    names = [p.name for p in store.article_files()]
    assert names == ["2024-03-01.jsonl", "2024-03-05.jsonl"]
    ids = [a.id for p in store.article_files() for a in store.read_parts(p)]
    assert ids == ["edit", "same", "new", "move"]
    assert not store.staging_dir.exists()
    # Importing the same file again changes nothing on disk.
    before = _snapshot(store)
    again = import_jsonl(store, [tmp_path / "b.jsonl"]).stored
    assert (again.new, again.updated, again.unchanged, again.files) == (0, 0, 4, [])
    assert _snapshot(store) == before


# --- killed halfway ---------------------------------------------------------------------------

# Imports a file, optionally dying (os._exit, no clean-up at all) at the n-th rename of the
# commit: the first is the marker that the staging is complete, the next ones put files in place.
_IMPORT = """
import os, sys
import indexer.bulk
from indexer.ingest import import_jsonl
from indexer.store import Store

die_at = int(sys.argv[3])
calls = 0
real_replace = os.replace

def replace(src, dst):
    global calls
    calls += 1
    if calls == die_at:
        os._exit(9)
    real_replace(src, dst)

if die_at:
    indexer.bulk.os.replace = replace
    indexer.fsutil.os.replace = replace
report = import_jsonl(Store(sys.argv[1]), [sys.argv[2]])
print(report.stored.new, report.stored.updated, report.stored.unchanged, flush=True)
"""


def _run_import(data: Path, source: Path, die_at: int = 0) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _IMPORT, str(data), str(source), str(die_at)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _each_id_once(store: Store) -> Counter:
    return Counter(a.id for path in store.article_files() for a in store.read_parts(path))


def test_import_killed_at_every_step_of_the_commit_then_run_again(tmp_path: Path) -> None:
    """Old articles move to new dates and new ones arrive; whichever rename the process dies at,
    the next run leaves every article stored exactly once, with its new content."""
    base = {"paper": "江城晚报", "page": "01", "body": "正文。"}
    old = [
        {**base, "id": f"o{i}", "date": f"2024-01-0{1 + i % 3}", "title": "旧"} for i in range(9)
    ]
    new = [
        {**base, "id": f"o{i}", "date": f"2024-02-0{1 + i % 4}", "title": "新"} for i in range(9)
    ]
    new += [{**base, "id": f"n{i}", "date": "2024-01-02", "title": "新"} for i in range(3)]
    first, second = _write(tmp_path / "old.jsonl", old), _write(tmp_path / "new.jsonl", new)
    # Renames: the marker, then 2024-01-02 (rewritten) and 2024-02-01…04 (new); 2024-01-01 and
    # 2024-01-03 lose all their articles and are unlinked.
    for die_at in range(1, 7):
        data = tmp_path / f"data{die_at}"
        assert _run_import(data, first).returncode == 0
        killed = _run_import(data, second, die_at)
        assert killed.returncode == 9, killed.stderr
        store = Store(data)
        # Whatever the kill left, a reader of the next Store sees a whole import or none.
        counts = _each_id_once(store)
        assert set(counts.values()) == {1}, (die_at, counts)
        assert {store.get(f"o{i}").title for i in range(9)} in ({"旧"}, {"新"})
        rerun = _run_import(data, second)
        assert rerun.returncode == 0, rerun.stderr
        store = Store(data)
        assert _each_id_once(store) == Counter(
            {f"o{i}": 1 for i in range(9)} | {f"n{i}": 1 for i in range(3)}
        )
        assert all(store.get(f"o{i}").date.startswith("2024-02") for i in range(9))
        assert len(store) == 12
        assert not store.staging_dir.exists()
        assert list(data.rglob("*.tmp")) == []


def _staged_files(staging: Path) -> bool:
    try:
        return any((staging / "files").iterdir())
    except FileNotFoundError:
        return False


def test_import_sigkilled_while_staging_changes_nothing(tmp_path: Path) -> None:
    """SIGKILL once the first date files are staged: the next reader drops the staging, the
    store is as before, and running the import again stores every article once."""
    records = [
        {
            "id": f"k{i}",
            "paper": "江城晚报",
            "date": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "title": f"稿{i}",
            "body": "第一段。" * 100,
        }
        for i in range(5_000)
    ]
    source = _write(tmp_path / "big.jsonl", records)
    data = tmp_path / "data"
    Store(data).put_articles([Article(id="before", paper="江城晚报", date="2023-01-01")])
    before = _snapshot(Store(data))
    writer = subprocess.Popen(
        [sys.executable, "-c", _IMPORT, str(data), str(source), "0"], cwd=REPO
    )
    staging = Store(data).staging_dir
    while not _staged_files(staging) and writer.poll() is None:
        time.sleep(0.005)
    writer.kill()
    writer.wait(30)
    assert writer.returncode == -9, "the import ended before it could be killed"
    assert staging.exists()
    assert _snapshot(Store(data)) == before
    assert not staging.exists()  # the next Store cleaned the killed run's staging
    assert _run_import(data, source).returncode == 0
    store = Store(data)
    assert len(store) == 5_001
    assert set(_each_id_once(store).values()) == {1}


# --- a full disk, a read-only one ---------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 2 MB tmpfs (we run as root); skipped where mounting is not allowed, except in CI."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace')}")
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _filling_records(count: int) -> list[dict]:
    return [
        {
            "id": f"f{i}",
            "paper": "江城晚报",
            "date": f"2022-05-{1 + i % 28:02d}",
            "title": f"满{i}",
            "body": f"第{i}段。" * 300,
        }
        for i in range(count)
    ]


def test_full_disk_leaves_the_store_as_it_was(small_disk: Path, tmp_path: Path) -> None:
    data = small_disk / "data"
    store = Store(data)
    import_jsonl(store, [_write(tmp_path / "small.jsonl", _filling_records(40))])
    before = _snapshot(store)
    too_big = _write(tmp_path / "big.jsonl", _filling_records(2_000))
    with pytest.raises(StoreWriteError, match="No space left on device") as caught:
        import_jsonl(Store(data), [too_big])
    assert "\n" not in str(caught.value)
    assert _snapshot(Store(data)) == before
    assert not store.staging_dir.exists() and list(data.rglob("*.tmp")) == []
    # The CLI says so in one line, without a traceback.
    result = CliRunner().invoke(main, ["--data", str(data), "import", str(too_big)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1 and "No space left on device" in result.output
    assert _snapshot(Store(data)) == before


def test_read_only_disk_leaves_the_store_as_it_was(small_disk: Path, tmp_path: Path) -> None:
    data = small_disk / "data"
    store = Store(data)
    import_jsonl(store, [_write(tmp_path / "small.jsonl", _filling_records(10))])
    before = _snapshot(store)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(StoreWriteError, match="Read-only file system"):
        import_jsonl(Store(data), [_write(tmp_path / "more.jsonl", _filling_records(20))])
    assert _snapshot(Store(data)) == before
