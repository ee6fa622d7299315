"""The Solr backend as its users meet it: chosen by --solr or $BAOKU_SOLR_URL, the CLI's index
and search on a real cluster, the same ids as Whoosh over the same ~3,000 articles, a node lost
to SIGKILL, and the whole cluster down (the web's 503, the CLI's one line).

The what-is-found checks shared with Whoosh are in tests/test_search_archive.py (`both_backends`).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from indexer import Archive
from indexer.analysis import RUN, normalize
from indexer.article import Article, Section
from indexer.results import IndexState
from indexer.solr_archive import SolrArchive
from indexer.solr_client import SolrUnavailable
from indexer.store import Store
from tests.conftest import both_corpora, corpus_lines
from tests.gunicorn_server import free_port
from tests.solr_cluster import REPLICAS, SHARDS, solr_archive, start_cluster
from webui import create_app

SAME_IDS_SAMPLE = 3000


def baoku(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "indexer.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def dead_url() -> str:
    """A node URL on a port nothing listens on: connection refused, as a cluster that is down."""
    return f"http://127.0.0.1:{free_port()}/solr"


def small_store(tmp_path, count: int = 40) -> Store:
    store = Store(tmp_path)
    store.put_articles(
        [
            Article(
                id=f"solr-cli-{n}",
                paper="测试报",
                date=f"2020-01-{n % 28 + 1:02d}",
                page=f"{n % 4 + 1:02d}",
                title=f"第{n}篇 城市书房开进地铁站" if n % 5 == 0 else f"第{n}篇 新能源汽车下乡",
                sections=[Section("", [f"这是第{n}篇文章的正文，讲述地铁和书房。" * (n % 3 + 1)])],
            )
            for n in range(count)
        ]
    )
    return store


# --- choosing the backend -------------------------------------------------------------------


def test_the_environment_chooses_solr_and_without_it_whoosh(tmp_path, monkeypatch):
    monkeypatch.delenv("BAOKU_SOLR_URL", raising=False)
    assert type(Archive(tmp_path)) is Archive
    url = dead_url()
    monkeypatch.setenv("BAOKU_SOLR_URL", url)
    archive = Archive(tmp_path)
    assert isinstance(archive, SolrArchive) and archive.solr_url == url
    # An explicit URL wins over the environment.
    other = dead_url()
    assert Archive(tmp_path, solr_url=other).solr_url == other
    app = create_app({"DATA_DIR": tmp_path, "TESTING": True})
    assert app.config["SOLR_URL"] == url


# --- the whole cluster down -----------------------------------------------------------------


def test_cluster_down_is_one_line_from_the_cli(tmp_path):
    small_store(tmp_path)
    url = dead_url()
    for args in (["index", "--solr", url], ["search", "地铁", "--solr", url]):
        done = baoku("--data", str(tmp_path), *args)
        assert done.returncode == 1, done
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "no Solr node answers" in lines[0], done.stderr
    assert len(Store(tmp_path)) == 40  # the store is untouched


def test_cluster_down_is_a_503_on_the_site_and_api(tmp_path):
    small_store(tmp_path)
    app = create_app({"DATA_DIR": tmp_path, "SOLR_URL": dead_url(), "TESTING": True})
    client = app.test_client()
    page = client.get("/search?q=地铁")
    assert page.status_code == 503
    assert "检索集群暂时无法连接" in page.get_data(as_text=True)
    api = client.get("/api/search?q=地铁")
    assert api.status_code == 503
    assert "检索集群暂时无法连接" in api.get_json()["error"]["message"]
    assert client.get("/healthz").status_code == 503
    # An article the store holds is still shown: the store is the source of truth.
    assert client.get("/article/solr-cli-3").status_code == 200


# --- the CLI on a real cluster --------------------------------------------------------------


def test_cli_indexes_incrementally_rebuilds_and_searches_on_solr(tmp_path, solr_cluster):
    store = small_store(tmp_path)
    url = f"{solr_cluster.url}/cli_{free_port()}"
    first = baoku(
        "--data", str(tmp_path), "index", "--solr", url, "--shards", "2", "--replicas", "2"
    )
    assert first.returncode == 0, first.stderr
    assert "index rebuilt: 40 added, 0 updated, 0 deleted, 40 articles" in first.stdout

    archive = Archive(tmp_path, solr_url=url)
    collection = archive._target()
    layout = archive.client.collections_api("CLUSTERSTATUS", collection=collection)
    shards = layout["cluster"]["collections"][collection]["shards"]
    assert len(shards) == SHARDS
    assert all(len(s["replicas"]) == REPLICAS for s in shards.values())

    store.put_articles(
        [
            Article(
                id="solr-cli-new",
                paper="测试报",
                date="2020-02-01",
                page="01",
                title="地铁新线开通",
                sections=[Section("", ["新线今日开通。"])],
            )
        ]
    )
    again = baoku("--data", str(tmp_path), "index", "--solr", url)
    assert "index updated: 1 added, 0 updated, 0 deleted, 41 articles" in again.stdout, again

    found = baoku(
        "--data",
        str(tmp_path),
        "search",
        "地铁",
        "--json",
        "--limit",
        "100",
        "--all-copies",
        "--solr",
        url,
    )
    assert found.returncode == 0, found.stderr
    ids = {hit["id"] for hit in json.loads(found.stdout)["hits"]}
    assert ids == {a.id for a in store.iter_articles() if "地铁" in a.title + a.body}

    rebuilt = baoku("--data", str(tmp_path), "index", "--solr", url, "--rebuild")
    assert "index rebuilt: 0 added, 0 updated, 0 deleted, 41 articles" in rebuilt.stdout, rebuilt
    fresh = archive._target()
    assert fresh != collection  # the alias moved to a new collection, and the old one is gone
    listed = archive.client.collections_api("LIST")["collections"]
    assert fresh in listed and collection not in listed


def test_before_the_first_build_a_search_finds_nothing(tmp_path, solr_cluster):
    archive = Archive(tmp_path, solr_url=f"{solr_cluster.url}/never_{free_port()}")
    assert archive.index_state() == IndexState.MISSING
    result = archive.search("地铁")
    assert (result.total, result.hits) == (0, [])


def test_a_rebuild_that_fails_half_way_leaves_the_old_collection_serving(tmp_path, solr_cluster):
    from indexer.solr_client import SolrClient
    from indexer.solr_index import BATCH, solr_reindex

    store = small_store(tmp_path)
    archive = Archive(tmp_path, solr_url=f"{solr_cluster.url}/half_{free_port()}")
    archive.reindex(rebuild=True)
    live = archive._target()
    before = archive.search("地铁", limit=100).total
    assert before > 0

    def broken_store():
        # Enough articles for several batches to be sent (and indexed) before the store fails.
        for i in range(3 * BATCH + 7):
            yield Article(id=f"half-{i}", paper="测试报", date="2020-03-01", title=f"地铁{i}号线")
        raise OSError("the store's disk went away")

    with pytest.raises(OSError, match="went away"):
        solr_reindex(SolrClient(solr_cluster.url), broken_store, alias=archive.alias, rebuild=True)
    assert archive._target() == live
    assert (
        archive.search("地铁", limit=100).total
        == before
        == sum("地铁" in a.title + a.body for a in store.iter_articles())
    )
    listed = archive.client.collections_api("LIST")["collections"]
    assert not [c for c in listed if c.startswith(f"{archive.alias}_") and c != live]


# --- the same ids as Whoosh -----------------------------------------------------------------


@pytest.fixture(scope="module")
def twin(request, tmp_path_factory):
    """(Whoosh archive, Solr archive, articles) over the same store of up to 3,000 articles."""
    rows = [json.loads(line) for line in corpus_lines(request.param)]
    rows = random.Random(5).sample(rows, min(SAME_IDS_SAMPLE, len(rows)))
    data = tmp_path_factory.mktemp(f"twin-{request.param}")
    Store(data).put_articles([Article.from_dict(r) for r in rows])
    whoosh = Archive(data)
    whoosh.reindex()
    solr = solr_archive(request.getfixturevalue("solr_cluster"), data, f"twin_{request.param}")
    yield whoosh, solr, list(Store(data).iter_articles())
    whoosh.close()


def twin_queries(articles: list[Article], seed: int = 3) -> list[str]:
    """Fragments of the texts, quoted and not, in fields, with dates, OR and NOT."""
    rng = random.Random(seed)
    runs = [r for a in articles for r in RUN.findall(normalize(a.body)) if len(r) >= 6]
    fragments = []
    for _ in range(24):
        run = rng.choice(runs)
        size = rng.randint(2, 5)
        start = rng.randrange(len(run) - size + 1)
        fragments.append(run[start : start + size])
    titles = [a.title for a in articles if a.title]
    queries = fragments[:8]
    queries += [f'"{f}"' for f in fragments[8:14]]
    queries += [f"{a} {b}" for a, b in zip(fragments[14:18], fragments[18:22], strict=True)]
    queries += [f"{fragments[22]} OR {fragments[23]}", f"{fragments[0]} -{fragments[1]}"]
    queries += [f"标题:{rng.choice(titles)[:3]}", f"版次:01 {fragments[2]}"]
    queries += [f"{fragments[3]} 日期:2020", rng.choice(titles), "經濟", "5G"]
    return queries


@both_corpora("twin")
def test_the_same_query_finds_the_same_ids_on_both_backends(twin):
    whoosh, solr, articles = twin
    assert solr.built.total == whoosh.count() == len(articles)
    for query in twin_queries(articles):
        expected = whoosh.search(query, limit=100000, snippets=False, collapse=False)
        got = solr.search(query, limit=100000, snippets=False, collapse=False)
        assert {h.id for h in got.hits} == {h.id for h in expected.hits}, query
        assert got.total == expected.total, query


# --- one node lost, then all ----------------------------------------------------------------


@pytest.fixture(scope="module")
def own_cluster(tmp_path_factory):
    """A cluster of this module's own, since its nodes get killed."""
    cluster = start_cluster(tmp_path_factory.mktemp("solrcloud-kill"), nodes=2)
    yield cluster
    cluster.stop()


def test_searches_survive_a_node_killed_and_the_site_says_503_when_all_are(tmp_path, own_cluster):
    rows = [json.loads(line) for line in corpus_lines("synthetic")][:600]
    Store(tmp_path).put_articles([Article.from_dict(r) for r in rows])
    archive = solr_archive(own_cluster, tmp_path, "kill")
    queries = ["江城", '"新能源"', "标题:江城", "地铁 OR 书房", "日期:2020 江城"]
    before = {q: archive.search(q, limit=20, snippets=False).total for q in queries}
    assert before["江城"] > 0
    app = create_app({"DATA_DIR": tmp_path, "SOLR_URL": archive.solr_url, "TESTING": True})
    client = app.test_client()
    api_before = client.get("/api/search?q=江城").get_json()["total"]

    # Node 1 is the one whose URL the archive was given: it learnt the other from the cluster.
    assert own_cluster.url == f"http://127.0.0.1:{own_cluster.node_port(1)}/solr"
    own_cluster.kill_node(1)
    after = {q: archive.search(q, limit=20, snippets=False).total for q in queries}
    assert after == before
    assert client.get("/api/search?q=江城").get_json()["total"] == api_before

    own_cluster.kill_node(2)
    with pytest.raises(SolrUnavailable):
        archive.search("江城")
    assert client.get("/api/search?q=江城").status_code == 503
    assert client.get("/search?q=江城").status_code == 503
