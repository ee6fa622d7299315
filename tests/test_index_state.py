"""Archive.count(), is_ready() and index_state() on a real index: built, missing, of another
schema version, damaged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer import Archive
from indexer.index import IndexOutdated, live_generation
from indexer.store import Store


def outdated_copy(data_dir: Path, target: Path) -> Path:
    """A copy of an archive whose index says it was built by an older schema."""
    shutil.copytree(data_dir, target)
    manifest = live_generation(target / "index") / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["schema"] = data.get("schema", 1) - 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    return target


def broken_copy(data_dir: Path, target: Path) -> Path:
    """A copy whose live generation lost its Whoosh files (a disk that filled up, say)."""
    shutil.copytree(data_dir, target)
    gen = live_generation(target / "index")
    for path in gen.iterdir():
        if path.suffix in (".toc", ".seg"):
            path.unlink()
    return target


def test_a_built_index_counts_its_articles(demo_data_dir):
    with Archive(demo_data_dir) as archive:
        assert archive.is_ready() and archive.index_state() == "ready"
        assert archive.count() == len(Store(demo_data_dir)) > 0
        assert archive.count() == sum(ref.articles for ref in archive.issues())


def test_no_index(tmp_path):
    with Archive(tmp_path) as archive:
        assert not archive.is_ready() and archive.index_state() == "missing"
        assert archive.count() == 0


def test_an_index_of_another_schema_version(demo_data_dir, tmp_path):
    with Archive(outdated_copy(demo_data_dir, tmp_path / "old")) as archive:
        assert not archive.is_ready() and archive.index_state() == "outdated"
        with pytest.raises(IndexOutdated, match="--rebuild"):
            archive.count()


def test_a_damaged_index(demo_data_dir, tmp_path):
    with Archive(broken_copy(demo_data_dir, tmp_path / "broken")) as archive:
        assert not archive.is_ready() and archive.index_state() == "broken"


def test_an_index_built_later_is_picked_up(demo_data_dir, tmp_path):
    shutil.copytree(demo_data_dir / "articles", tmp_path / "articles")
    with Archive(tmp_path) as archive:
        assert not archive.is_ready()
        archive.reindex()
        assert archive.is_ready() and archive.count() == len(Store(tmp_path))
