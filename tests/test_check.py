"""`baoku check [--repair]` on a real data dir (crawled from a 127.0.0.1 site and indexed),
damaged on purpose in every way the check knows: each problem is reported with its path and
the exit status is 1; `--repair` fixes what it can, moves what it cannot read to
DATA/quarantine/ and deletes nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import Archive
from indexer.check import check_data_dir
from indexer.cli import main
from indexer.index import live_generation
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, crawled_data_dir, sample_articles
from tests.sitegen import render_site
from tests.synthetic import PAPER


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("check") / "data"
    return crawled_data_dir(data, render_site(sample_articles(), "rmrb"))


@pytest.fixture
def data(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(pristine, copy)
    return copy


def _check(data: Path, *extra: str):
    return CliRunner().invoke(main, ["--data", str(data), "check", *extra])


def _contents(root: Path) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_a_sound_data_dir_passes(data: Path) -> None:
    result = _check(data)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"no problem in {data}")
    report = check_data_dir(data)
    assert report.ok and report.articles == len(Store(data)) == report.indexed > 0
    assert report.raw_pages == len(list(Store(data).iter_raw()))


def _damage(data: Path) -> dict[str, str]:
    """Damage the data dir in every way; returns path → a word the problem must contain."""
    store = Store(data)
    from indexer.article import Article

    # Stored but never indexed: the index falls behind the store.
    store.put_articles([Article(id="late-1", paper=PAPER, date=SAMPLE_DATES[0], title="迟到")])
    files = store.article_files()
    first, second = files[0], files[1]
    with open(first, "a", encoding="utf-8") as handle:
        handle.write('{"id": "broken", "title": \n')  # a torn line
    twin = first.read_text(encoding="utf-8").splitlines()[0]
    with open(second, "a", encoding="utf-8") as handle:
        handle.write(twin + "\n")  # the same id in a second file
    pages = list(store.iter_raw())
    flipped = data / pages[0].source
    flipped.write_bytes(flipped.read_bytes().replace(b"<", b"[", 1))
    (data / pages[1].source).unlink()
    orphan = data / "raw" / "ab" / (hashlib.sha256(b"orphan").hexdigest() + ".html")
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"orphan")
    with open(data / "raw" / "catalogue.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"url": "http://x/torn", "sou')
    (first.parent / f".{first.name}.x1y2.tmp").write_text("half", encoding="utf-8")
    twin_line = len(second.read_text(encoding="utf-8").splitlines())
    broken_line = len(first.read_text(encoding="utf-8").splitlines())
    rel = lambda p: p.relative_to(data).as_posix()  # noqa: E731
    return {
        f"{rel(first)}:{broken_line}": "unreadable article",
        f"{rel(second)}:{twin_line}": "stored already",
        pages[0].source: "sha256",
        pages[1].source: "missing",
        rel(orphan): "not in raw/catalogue.jsonl",
        "raw/catalogue.jsonl:": "unreadable catalogue line",
        f"{rel(first.parent)}/.{first.name}.x1y2.tmp": "temp file",
        "index/gen-": "does not match the store",
    }


def test_every_problem_is_reported_with_its_path(data: Path) -> None:
    expected = _damage(data)
    result = _check(data)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for where, word in expected.items():
        assert any(line.startswith(where) and word in line for line in lines), (where, word)
    assert "Traceback" not in result.output


def test_an_index_that_does_not_open_is_reported(data: Path) -> None:
    gen = live_generation(data / "index")
    for segment in gen.glob("*.trm"):
        segment.unlink()
    result = _check(data)
    assert result.exit_code == 1
    assert any(
        line.startswith(f"index/{gen.name}") and ("does not open" in line or "search" in line)
        for line in result.output.splitlines()
    ), result.output


def test_an_id_catalogue_out_of_step_is_reported_and_rebuilt(data: Path) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(data / ".store" / "ids.sqlite3")) as db:
        db.execute("DELETE FROM parts WHERE rowid IN (SELECT rowid FROM parts LIMIT 3)")
        db.commit()
    result = _check(data)
    assert result.exit_code == 1
    assert ".store/ids.sqlite3: id catalogue disagrees" in result.output
    assert _check(data, "--repair").exit_code == 0


def test_repair_fixes_what_it_can_and_deletes_nothing(data: Path) -> None:
    before = _contents(data)
    store_ids = {a.id for a in Store(data).iter_articles()} | {"late-1"}
    _damage(data)
    damaged = _contents(data / "articles") | _contents(data / "raw")
    result = _check(data, "--repair")
    assert result.exit_code == 0, result.output
    assert "repaired: rebuilt the index" in result.output
    assert _check(data).exit_code == 0, "sound after repair"
    # Nothing of the store deleted: every file's bytes are still in the data dir or in
    # quarantine/ (the id catalogue and the index are rebuilt from them).
    assert damaged - _contents(data) == set()
    quarantined = list((data / "quarantine").rglob("*"))
    names = {p.name for p in quarantined if p.is_file()}
    assert any(n.endswith(".jsonl") for n in names) and any(n.endswith(".tmp") for n in names)
    # The articles are all there, once each, and searchable.
    store = Store(data)
    assert {a.id for a in store.iter_articles()} == store_ids
    with Archive(data) as archive:
        assert archive.count() == len(store_ids)
    assert before  # (the pristine contents, for the message of a failure above)


def test_check_reads_only(data: Path) -> None:
    _damage(data)
    before = {
        p.relative_to(data).as_posix(): p.read_bytes() for p in data.rglob("*") if p.is_file()
    }
    _check(data)
    after = {p.relative_to(data).as_posix(): p.read_bytes() for p in data.rglob("*") if p.is_file()}
    assert after == before


def test_a_missing_index_is_a_problem_that_repair_builds(data: Path) -> None:
    shutil.rmtree(data / "index")
    result = _check(data)
    assert result.exit_code == 1 and "index: no index" in result.output
    assert _check(data, "--repair").exit_code == 0
    report = json.dumps(check_data_dir(data).indexed)
    assert int(report) == len(Store(data))
