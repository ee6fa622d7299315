"""A full disk, a read-only one and a permission error, for real (a small tmpfs mounted for the
test), during every command that writes: `index` (update and rebuild), `import`, `ingest`,
`crawl` and `reclean`. Each ends with one line saying what happened and where, and leaves the
live index searchable, the store as it was and nothing half-written behind."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from indexer import Archive
from indexer.article import Article
from indexer.check import check_data_dir
from indexer.cli import main
from indexer.index import live_generation
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, EpaperServer, sample_articles
from tests.sitegen import render_site
from tests.synthetic import PAPER, synthetic_corpus_lines

REPO = Path(__file__).resolve().parent.parent
QUERY = "中国"


@pytest.fixture(scope="module")
def corpus() -> list[Article]:
    rows = [json.loads(line) for line in islice(synthetic_corpus_lines(), 400)]
    return [Article.from_dict(r) for r in rows if r.get("body")][:300]


def _tree(data: Path) -> dict[str, str]:
    """Every file under the data dir (ballast aside) with its sha256: the whole state."""
    out = {}
    for path in sorted(data.rglob("*")):
        if path.is_file():
            out[path.relative_to(data).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _store_state(data: Path) -> dict[str, str]:
    return {k: v for k, v in _tree(data).items() if k.startswith(("articles/", "raw/"))}


def _search_ids(data: Path) -> list[str]:
    with Archive(data) as archive:
        return [h.id for h in archive.search(QUERY, limit=1000, snippets=False).hits]


def _run(data: Path, *args: str):
    return CliRunner().invoke(main, ["--data", str(data), *args])


def _assert_one_line_refusal(result, what: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {what} at "), lines[0]


def _assert_nothing_left(data: Path, generations: set[str]) -> None:
    """No temp file, no staging, no extra generation, no lock held."""
    assert not [p for p in data.rglob("*") if p.name.endswith(".tmp")]
    assert not (data / ".store" / "staging").exists()
    assert {p.name for p in (data / "index").glob("gen-*")} == generations
    for lock in (data / ".store" / "write.lock", data / "index" / "write.lock"):
        if lock.exists():
            with FileLock(str(lock), timeout=0):
                pass  # nobody holds it


@pytest.fixture
def archive_on_tmpfs(mounted_tmpfs, corpus):
    """An 8 MB tmpfs with a data dir: 200 articles stored and indexed."""
    disk = mounted_tmpfs("8m")
    data = disk.path / "data"
    Store(data).put_articles(corpus[:200])
    Archive(data).reindex(procs=1)
    return disk, data


def _before(data: Path) -> tuple[dict[str, str], list[str], set[str], str]:
    gens = {p.name for p in (data / "index").glob("gen-*")}
    return _store_state(data), _search_ids(data), gens, live_generation(data / "index").name


def _assert_unchanged(data: Path, before) -> None:
    store, ids, gens, live = before
    assert _store_state(data) == store
    assert live_generation(data / "index").name == live
    assert _search_ids(data) == ids and ids
    _assert_nothing_left(data, gens)
    # Whole: `check` finds nothing but, where the test stored articles first, the index behind.
    problems = check_data_dir(data).problems
    assert {p.kind for p in problems} <= {"index"}, [str(p) for p in problems]


@pytest.mark.parametrize("rebuild", [False, True], ids=["update", "rebuild"])
def test_index_on_a_full_disk(archive_on_tmpfs, corpus, rebuild: bool) -> None:
    disk, data = archive_on_tmpfs
    Store(data).put_articles(corpus[200:300])
    before = _before(data)
    live = data / "index" / before[3]
    live_files = _tree(live)
    disk.fill(leave=16 << 10)
    result = _run(data, "index", *(["--rebuild"] if rebuild else []))
    _assert_one_line_refusal(result, "the disk is full")
    assert str(data) in result.output
    _assert_unchanged(data, before)
    assert _tree(live) == live_files, "the live generation is byte for byte as it was"
    disk.empty()
    assert _run(data, "index").exit_code == 0
    assert len(_search_ids(data)) > len(before[1])


def test_import_on_a_full_disk(archive_on_tmpfs, tmp_path: Path, corpus) -> None:
    disk, data = archive_on_tmpfs
    source = tmp_path / "more.jsonl"
    source.write_text("".join(a.to_json() + "\n" for a in corpus[200:300]), encoding="utf-8")
    before = _before(data)
    disk.fill(leave=8 << 10)
    _assert_one_line_refusal(_run(data, "import", str(source)), "the disk is full")
    _assert_unchanged(data, before)


def test_ingest_on_a_full_disk(archive_on_tmpfs, tmp_path: Path) -> None:
    disk, data = archive_on_tmpfs
    pages = tmp_path / "site"
    for path, body in render_site(sample_articles(), "rmrb").items():
        (pages / path).parent.mkdir(parents=True, exist_ok=True)
        (pages / path).write_bytes(body)
    before = _before(data)
    disk.fill(leave=24 << 10)  # room for a few raw pages, not for all of them
    result = _run(data, "ingest", str(pages), "--paper", PAPER)
    _assert_one_line_refusal(result, "the disk is full")
    _assert_unchanged(data, before)


def test_reclean_on_a_full_disk(mounted_tmpfs, tmp_path: Path) -> None:
    disk = mounted_tmpfs("8m")
    data = disk.path / "data"
    with EpaperServer(render_site(sample_articles(), "rmrb")) as server:
        assert _crawl(data, server).exit_code == 0
    assert _run(data, "index").exit_code == 0
    # An older cleaner's output: reclean has every article to rewrite.
    store = Store(data)
    stale = [_stale(a) for a in store.iter_articles()]
    store.put_articles(stale)
    before = _before(data)
    disk.fill(leave=4 << 10)
    _assert_one_line_refusal(_run(data, "reclean"), "the disk is full")
    _assert_unchanged(data, before)
    disk.empty()
    assert _run(data, "reclean").exit_code == 0
    assert _store_state(data) != before[0]


def _stale(article: Article) -> Article:
    article.title = article.title + "（旧）"
    return article


def _crawl(data: Path, server: EpaperServer):
    return _run(
        data,
        "crawl",
        server.url,
        "--from",
        SAMPLE_DATES[0],
        "--to",
        SAMPLE_DATES[-1],
        "--delay",
        "0.002",
        "--paper",
        PAPER,
    )


def test_crawl_on_a_full_disk(archive_on_tmpfs) -> None:
    """A crawl keeps what it stored before the disk filled, whole; the next run resumes."""
    disk, data = archive_on_tmpfs
    articles = sample_articles()
    before = _before(data)
    disk.fill(leave=24 << 10)
    with EpaperServer(render_site(articles, "rmrb")) as server:
        result = _crawl(data, server)
        _assert_one_line_refusal(result, "the disk is full")
        assert "run the same crawl again" in result.output
        store, ids, gens, live = before
        assert live_generation(data / "index").name == live and _search_ids(data) == ids
        _assert_nothing_left(data, gens)
        kept = Store(data)
        for path in kept.article_files():
            kept.read_parts(path)  # every file whole: this raises on a torn line
        # Every page and line whole: `check` finds nothing but the index behind the store.
        problems = check_data_dir(data).problems
        assert {p.kind for p in problems} <= {"index"}, [str(p) for p in problems]
        disk.empty()
        assert _crawl(data, server).exit_code == 0
    assert len(Store(data)) == 200 + len(articles)
    assert _run(data, "index").exit_code == 0
    assert _run(data, "check").exit_code == 0


# --- read-only, and no permission ------------------------------------------------------------------

WRITERS = [
    ("index", "--rebuild"),
    ("index",),
    ("import", "{jsonl}"),
    ("ingest", "{html}", "--paper", PAPER),
    ("reclean",),
    ("crawl", "{url}", "--from", SAMPLE_DATES[0], "--to", SAMPLE_DATES[-1], "--delay", "0.002"),
]


def _command_id(command: tuple[str, ...]) -> str:
    return command[0] + ("-rebuild" if "--rebuild" in command else "")


@pytest.fixture
def inputs(tmp_path: Path, corpus) -> Iterator[dict[str, str]]:
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text("".join(a.to_json() + "\n" for a in corpus[200:260]), encoding="utf-8")
    html = tmp_path / "page.html"
    html.write_bytes(render_site(sample_articles()[:1], "rmrb")[_first_article_path()])
    with EpaperServer(render_site(sample_articles(), "rmrb")) as server:
        yield {"jsonl": str(jsonl), "html": str(html), "url": server.url}


def _first_article_path() -> str:
    from tests.sitegen import article_paths

    articles = sample_articles()[:1]
    return article_paths(articles, "rmrb")[articles[0].id]


@pytest.mark.parametrize("command", WRITERS, ids=_command_id)
def test_a_read_only_data_dir(archive_on_tmpfs, corpus, inputs, command) -> None:
    disk, data = archive_on_tmpfs
    Store(data).put_articles(corpus[260:280])  # so that `index` has work to do
    before = _before(data)
    disk.read_only()
    args = [part.format(**inputs) for part in command]
    _assert_one_line_refusal(_run(data, *args), "the file system is read-only")
    disk.read_only(False)  # to see that no lock is held, one has to be able to take it
    _assert_unchanged(data, before)


def _without_root_powers(data: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `baoku` as root without CAP_DAC_OVERRIDE (setpriv): file permissions then apply to
    it as to anyone. (Running as another user is not possible here: the interpreter lives under
    /root.)"""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if os.environ.get("CI") == "true":
            pytest.fail("setpriv (util-linux) is needed to drop root's file powers")
        pytest.skip("setpriv (util-linux) is not installed")
    return subprocess.run(
        [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
        + [sys.executable, "-m", "indexer.cli", "--data", str(data), *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _chmod_tree(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755 if writable else 0o555)
        else:
            path.chmod(0o644 if writable else 0o444)


@pytest.mark.parametrize("command", WRITERS, ids=_command_id)
def test_no_permission_on_the_data_dir(archive_on_tmpfs, corpus, inputs, command) -> None:
    disk, data = archive_on_tmpfs
    Store(data).put_articles(corpus[260:280])
    before = _before(data)
    _chmod_tree(data, writable=False)
    try:
        done = _without_root_powers(data, *[part.format(**inputs) for part in command])
    finally:
        _chmod_tree(data, writable=True)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: permission denied at "), done.stderr
    _assert_unchanged(data, before)


def test_a_read_only_data_dir_without_an_id_catalogue(archive_on_tmpfs) -> None:
    """SQLite cannot even open (create) the catalogue there: still one line, saying why."""
    disk, data = archive_on_tmpfs
    (data / ".store" / "ids.sqlite3").unlink()
    before = _before(data)
    disk.read_only()
    for command in (["index"], ["index", "--rebuild"], ["reclean"]):
        result = _run(data, *command)
        _assert_one_line_refusal(result, "the file system is read-only")
        if command[0] == "index":  # it counts the stored articles first
            assert "ids.sqlite3" in result.output
    disk.read_only(False)
    _assert_unchanged(data, before)
