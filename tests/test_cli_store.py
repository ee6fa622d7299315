"""The store's commands: ingest, import, export, stats, reclean, demo (CliRunner and a real process)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.article import Article
from indexer.cli import main
from indexer.config import demo_pages
from indexer.store import Store

REPO = Path(__file__).resolve().parent.parent
DEMO_DAY = demo_pages() / "html" / "2025-04" / "08"


def _run(data: Path, *args: str):
    return CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)


def _jsonl(path: Path, articles: list[Article]) -> Path:
    path.write_text("".join(a.to_json() + "\n" for a in articles), encoding="utf-8")
    return path


def _articles() -> list[Article]:
    return [
        Article(id="c1", paper="江城晚报", date="2024-03-05", page="01", title="一", body="甲"),
        Article(id="c2", paper="江城晚报", date="2024-03-05", page="02", title="二", body="乙"),
        Article(id="c3", paper="江城晚报", date="2025-01-02", page="01", title="三", body="丙"),
        Article(id="c4", paper="海城日报", date="2025-01-02", page="05", title="四", body="丁"),
    ]


def test_import_export_stats(tmp_path: Path) -> None:
    source = _jsonl(tmp_path / "in.jsonl", _articles())
    result = _run(tmp_path / "data", "import", str(source))
    assert result.exit_code == 0, result.output
    assert "4 articles (4 new, 0 updated, 0 unchanged), 0 errors" in result.stdout

    result = _run(tmp_path / "data", "export")
    assert result.exit_code == 0
    exported = [Article.from_json(line) for line in result.stdout.splitlines()]
    assert sorted(exported, key=lambda a: a.id) == _articles()

    result = _run(tmp_path / "data", "stats", "--json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["articles"] == 4
    assert stats["papers"]["江城晚报"]["years"] == {"2024": 2, "2025": 1}
    assert stats["papers"]["江城晚报"]["pages"] == {"01": 2, "02": 1}
    assert stats["papers"]["海城日报"] == {
        "articles": 1,
        "first": "2025-01-02",
        "last": "2025-01-02",
        "years": {"2025": 1},
        "pages": {"05": 1},
    }

    result = _run(tmp_path / "data", "stats")
    assert result.exit_code == 0
    assert "海城日报" in result.stdout and "per page" in result.stdout


def test_import_reports_bad_lines_and_fails_when_nothing_imports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "title": \n[]\n', encoding="utf-8")
    result = _run(tmp_path / "data", "import", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:1: invalid JSON" in result.output
    assert f"{bad}:2: not a JSON object" in result.output
    assert "no article could be imported" in result.output

    result = _run(tmp_path / "data", "import", str(tmp_path / "none.jsonl"))
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_ingest_good_and_bad(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in sorted(DEMO_DAY.glob("content_*.htm"))[:2]:
        shutil.copy(page, folder / page.name)
    (folder / "empty.htm").write_bytes(b"")
    result = _run(tmp_path / "data", "ingest", str(folder), "--paper", "江城晚报")
    assert result.exit_code == 0, result.output
    assert f"{folder / 'empty.htm'}:" in result.output
    assert "3 HTML files: 2 articles stored (2 new, 0 updated, 0 unchanged)" in result.stdout
    assert "1 errors" in result.stdout
    assert len(Store(tmp_path / "data")) == 2

    result = _run(tmp_path / "data", "reclean")
    assert result.exit_code == 0, result.output
    assert "2 raw pages: 2 articles (0 new, 0 updated, 2 unchanged)" in result.stdout


def test_ingest_exits_nonzero_when_nothing_could_be_done(tmp_path: Path) -> None:
    result = _run(tmp_path / "data", "ingest", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "no such file or folder" in result.output
    (tmp_path / "junk.html").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    result = _run(tmp_path / "data", "ingest", str(tmp_path / "junk.html"))
    assert result.exit_code == 1
    assert "junk.html" in result.output


def test_commands_on_a_missing_archive(tmp_path: Path) -> None:
    for command in ("export", "stats", "reclean"):
        result = _run(tmp_path / "absent", command)
        assert result.exit_code == 1, command
        assert "no archive at" in result.output
    Store(tmp_path / "empty").put_articles(_articles()[:1])  # articles, but no raw pages
    result = _run(tmp_path / "empty", "reclean")
    assert result.exit_code == 1
    assert "0 raw pages" in result.output


def test_data_dir_from_environment(tmp_path: Path) -> None:
    source = _jsonl(tmp_path / "in.jsonl", _articles()[:2])
    runner = CliRunner(env={"BAOKU_DATA": str(tmp_path / "env")})
    result = runner.invoke(main, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert len(Store(tmp_path / "env")) == 2


def test_demo_builds_and_indexes(tmp_path: Path) -> None:
    result = _run(tmp_path / "data", "demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert "demo: 36 articles" in result.stdout
    store = Store(tmp_path / "data")
    assert len(store) == 35
    from indexer import Archive

    hits = Archive(tmp_path / "data").search("地铁", limit=50)
    titles = {hit.title for hit in hits.hits}
    assert "地铁5号线今晨开通试运营" in titles
    assert "城市书房开进地铁站" in titles


def test_real_baoku_process(tmp_path: Path) -> None:
    """The installed console script, in its own process, with the data dir from $BAOKU_DATA."""
    baoku = Path(sys.executable).with_name("baoku")
    assert baoku.exists(), "the package is not installed (pip install -e .)"
    source = _jsonl(tmp_path / "in.jsonl", _articles())
    env = {**os.environ, "BAOKU_DATA": str(tmp_path / "data")}
    done = subprocess.run(
        [str(baoku), "import", str(source)], env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    done = subprocess.run([str(baoku), "export"], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode("utf-8").splitlines()
    assert sorted(Article.from_json(line).id for line in lines) == ["c1", "c2", "c3", "c4"]
    done = subprocess.run(
        [str(baoku), "import", str(tmp_path / "missing.jsonl")],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "missing.jsonl: no such file" in done.stderr.decode("utf-8")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_serves_the_archive(tmp_path: Path) -> None:
    """README's first command, end to end: `baoku demo` builds, indexes and serves."""
    baoku = Path(sys.executable).with_name("baoku")
    port = _free_port()
    server = subprocess.Popen(
        [str(baoku), "--data", str(tmp_path / "data"), "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                pytest.fail(f"baoku demo exited: {server.stdout.read().decode()}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        query = urllib.parse.quote("地铁")
        with urllib.request.urlopen(f"{base}/api/search?q={query}", timeout=30) as reply:
            result = json.load(reply)
        titles = {hit["title"] for hit in result["hits"]}
        assert "地铁5号线今晨开通试运营" in titles
        assert any("<mark>" in hit["snippet"] for hit in result["hits"])
    finally:
        server.terminate()
        server.wait(30)
