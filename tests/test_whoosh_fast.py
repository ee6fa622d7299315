"""The fast postings reader (indexer/whoosh_fast.py) against Whoosh's public matcher API, on a
multi-segment index with updates and deletions; and /healthz going red when it breaks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from whoosh.scoring import bm25 as whoosh_bm25

from indexer import Archive, whoosh_fast
from indexer.article import Article
from indexer.index import reindex
from indexer.scoring import K1, WORD_BOOSTS, B
from indexer.store import Store
from webui import create_app


@pytest.fixture(scope="module")
def demo_articles(demo_data_dir: Path) -> list[Article]:
    return sorted(Store(demo_data_dir).iter_articles(), key=lambda a: a.id)


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory, demo_articles: list[Article]) -> Path:
    """An index built, then updated twice: new documents, changed ones, deleted ones."""
    data = tmp_path_factory.mktemp("segmented")
    arts = demo_articles
    reindex(data / "index", lambda: iter(arts[:20]), procs=1)
    changed = [dataclasses.replace(a, body=a.body + "\n补记：报库分段测试。") for a in arts[3:6]]
    second = changed + arts[8:28]  # drops 0-2 and 6-7, changes 3-5, adds 20-27
    report = reindex(data / "index", lambda: iter(second), procs=1)
    assert (report.added, report.updated, report.deleted) == (8, 3, 5)
    third = second[:-2] + arts[28:]  # drops two more, adds the rest
    reindex(data / "index", lambda: iter(third), procs=1)
    return data


def test_the_index_really_has_several_segments_and_deletions(segmented: Path):
    with Archive(segmented) as archive:
        reader = archive._current().searcher.reader()  # noqa: SLF001 - the test inspects it
        assert len(reader.leaf_readers()) >= 2
        assert reader.doc_count_all() > reader.doc_count()  # deleted documents still on disk


def test_fast_postings_equal_whooshs_public_matchers(segmented: Path):
    with Archive(segmented) as archive:
        view = archive._current()  # noqa: SLF001
        reader = view.searcher.reader()
        compared = 0
        for field in [*WORD_BOOSTS, "tkey"]:
            for word in reader.lexicon(field):
                text = word.decode("utf-8")
                fast_ids, fast_tf = whoosh_fast.read_postings(reader, field, text)
                keep = view.live[fast_ids]
                ids, tf = whoosh_fast.public_postings(reader, field, text)
                assert np.array_equal(fast_ids[keep], ids), (field, text)
                assert np.array_equal(fast_tf[keep], tf), (field, text)
                # and the view's cached copy (what scoring reads) is the same
                view_ids, view_tf = view.postings(field, text)
                assert np.array_equal(view_ids, ids) and np.array_equal(view_tf, tf)
                compared += 1
        assert compared > 1000


def test_scores_from_fast_postings_equal_whooshs_bm25_on_public_postings(segmented: Path):
    """Every word field's BM25 contribution, per document: the search core's numpy scoring of
    the fast postings against the same of the public matcher's postings, and Whoosh's own
    bm25() over them."""
    from indexer.search import _field_scores

    with Archive(segmented) as archive:
        view = archive._current()  # noqa: SLF001
        reader = view.searcher.reader()
        for field in WORD_BOOSTS:
            for word in list(reader.lexicon(field))[:200]:
                text = word.decode("utf-8")
                ids, tf = view.postings(field, text)
                fast = _field_scores(view, field, 1.0, len(ids), ids, tf)
                pub_ids, pub_tf = whoosh_fast.public_postings(reader, field, text)
                idf = np.log(view.doc_count / (len(pub_ids) + 1)) + 1.0
                avg = view.avg_length[field]
                # tf stays float32 as the matcher gives it, so the arithmetic is the same
                public = [
                    whoosh_bm25(idf, t, float(view.lengths[field][d]), avg, B, K1)
                    for d, t in zip(pub_ids.tolist(), pub_tf, strict=True)
                ]
                assert np.array_equal(ids, pub_ids)
                # Exactly the scores the public postings give through the same scoring …
                from_public = _field_scores(view, field, 1.0, len(pub_ids), pub_ids, pub_tf)
                np.testing.assert_array_equal(fast, from_public, err_msg=f"{field}:{text}")
                # … and Whoosh's own formula, up to the float32 term frequencies numpy keeps.
                np.testing.assert_allclose(fast, public, rtol=1e-6, err_msg=f"{field}:{text}")


def test_numeric_columns_equal_whooshs_column_readers(segmented: Path):
    with Archive(segmented) as archive:
        view = archive._current()  # noqa: SLF001
        reader = view.searcher.reader()
        for name in ("dord", "toff", "tlen", "dk", "n_body"):
            col = reader.column_reader(name)
            public = np.array([col[i] for i in range(reader.doc_count_all())], dtype=np.int64)
            assert np.array_equal(whoosh_fast.numeric_column(reader, name, len(public)), public)


def test_string_columns_and_live_mask_equal_whooshs_readers(segmented: Path):
    with Archive(segmented) as archive:
        reader = archive._current().searcher.reader()  # noqa: SLF001
        n = reader.doc_count_all()
        for name in ("paper", "page", "ents"):
            col = reader.column_reader(name)
            values = [
                v.decode("utf-8") if isinstance(v, bytes) else str(v)
                for v in map(col.__getitem__, range(n))
            ]
            names, codes = whoosh_fast.string_column(reader, name, n)
            assert names == sorted(set(values)) and (len(names) > 1 or name == "paper")
            assert [names[c] for c in codes.tolist()] == values
        live = whoosh_fast.live_mask(reader, n)
        assert np.flatnonzero(live).tolist() == list(reader.all_doc_ids()) and not live.all()


def test_health_checks_the_postings_path(segmented: Path, monkeypatch: pytest.MonkeyPatch):
    archive = Archive(segmented)
    client = create_app({"DATA_DIR": segmented, "ARCHIVE": archive, "TESTING": True}).test_client()
    healthy = client.get("/healthz")
    assert healthy.status_code == 200 and healthy.get_json()["status"] == "ok"

    def renamed_internals(reader, field, word):
        raise AttributeError("'W3LeafMatcher' object has no attribute '_read_data'")

    monkeypatch.setattr("indexer.archive.read_postings", renamed_internals)
    broken = client.get("/healthz")
    assert broken.status_code == 503 and "_read_data" in broken.get_json()["reason"]

    def wrong_frequencies(reader, field, word):
        ids, tf = whoosh_fast.read_postings(reader, field, word)
        return ids, tf + 1

    monkeypatch.setattr("indexer.archive.read_postings", wrong_frequencies)
    wrong = client.get("/healthz")
    assert wrong.status_code == 503 and "differ" in wrong.get_json()["reason"]
    monkeypatch.undo()
    assert client.get("/healthz").status_code == 200
    archive.close()
