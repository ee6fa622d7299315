"""Shared fixtures. ../shared is read at run time and never copied into the repo."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.synthetic import synthetic_corpus_lines

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BAOKU_SHARED", REPO.parent / "shared"))


def require_shared(*parts: str) -> Path:
    """The path under ../shared; a failure in CI if it is missing, a skip elsewhere."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"../shared data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


RMRB_CORPUS = ("corpus", "rmrb-2019-2020.jsonl.gz")


def shared_corpus_lines(*parts: str) -> Iterator[str]:
    """The JSON lines of a gzipped corpus under ../shared (人民日报 2019–2020 unless `parts`
    name another), read lazily so a caller can skip lines before parsing them."""
    with gzip.open(require_shared(*(parts or RMRB_CORPUS)), "rt", encoding="utf-8") as lines:
        yield from lines


def corpus_lines(name: str) -> Iterator[str]:
    """The JSON lines of a test corpus by name: "synthetic", made up at run time (tests/synthetic.py),
    or "rmrb", the 人民日报 corpus of ../shared (skipped without it, a failure under CI=true)."""
    if name == "synthetic":
        return synthetic_corpus_lines()
    if name == "rmrb":
        return shared_corpus_lines()
    raise ValueError(f"unknown corpus {name!r}")


CORPORA = ("synthetic", "rmrb")


def both_corpora(fixture: str) -> pytest.MarkDecorator:
    """Run a test once per corpus of CORPORA, for the checks worth making on real text too.

    `fixture` names the test's corpus fixture, which reads the name from `request.param`."""
    return pytest.mark.parametrize(fixture, CORPORA, indirect=True)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return require_shared()


# --- web app ---------------------------------------------------------------------------------

XSS_TITLE = "<script>alert(1)</script>标题"
XSS_BODY = "第一段<img src=x onerror=alert(1)>结尾"


def web_crafted_articles() -> list:
    """Articles the real corpus lacks: markup in the text, captions, 小标题, a javascript: URL."""
    from indexer.article import Article, Caption, Section

    return [
        Article(
            id="web-xss-1",
            paper="测试报",
            date="2019-10-15",
            page="03",
            page_name="要闻",
            title=XSS_TITLE,
            author="<b>记者</b>",
            body=XSS_BODY + "\n第二段 跨站脚本测试",
            url="javascript:alert(1)",
            captions=[Caption("图注<img src=x onerror=alert(1)>", "javascript:alert(2)")],
        ),
        Article(
            id="web-sections-1",
            paper="测试报",
            date="2020-01-20",
            page="07",
            page_name="文化",
            kicker="引题文字",
            title="冰雕展开幕",
            subtitle="副题文字",
            author="本报记者 张三",
            sections=[
                Section("", ["导语段落：冰雕展今天开幕。"]),
                Section("第一部分", ["冰雕展吸引了很多游客。"]),
                Section("第二部分", ["冰雕展将持续一个月。"]),
            ],
            captions=[Caption("游客在冰雕展参观", "https://img.example/a.jpg")],
            url="https://paper.example/2020-01/20/content_7.htm",
        ),
        # 珀猫头 held whole by one article, and only as its bigrams (珀猫, 猫头) by the other.
        Article(
            id="web-near-exact",
            paper="近似报",
            date="2020-02-03",
            page="05",
            title="文创市集开张",
            body="摊位上摆着一只琥珀猫头鹰摆件，引来不少市民驻足。",
        ),
        Article(
            id="web-near-apart",
            paper="近似报",
            date="2020-02-04",
            page="05",
            title="夜市见闻",
            body="有人在挑琥珀猫眼石手串。\n不远处，孩子们围着一只猫头鹰风筝。",
        ),
    ]


@pytest.fixture(scope="session")
def web_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with every 7th article of the synthetic corpus (about 400, five months) plus
    the crafted ones, indexed."""
    import json

    from indexer import Archive
    from indexer.article import Article
    from indexer.store import Store

    data_dir = tmp_path_factory.mktemp("web-data")
    lines = synthetic_corpus_lines()
    made_up = [Article.from_dict(json.loads(line)) for i, line in enumerate(lines) if i % 7 == 0]
    Store(data_dir).put_articles(made_up + web_crafted_articles())
    Archive(data_dir).reindex()
    return data_dir


# A test module that defines an `app` fixture (a configured webui app) gets these two with it.


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def archive(app):
    """The Archive the app serves from, to compare what the pages show with."""
    from webui.db import get_archive

    with app.app_context():
        return get_archive()


# --- the demo archive --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo pages (《江城晚报》, made up, package data) built and indexed by `baoku demo`."""
    from click.testing import CliRunner

    from indexer.cli import main

    data_dir = tmp_path_factory.mktemp("demo-data")
    result = CliRunner().invoke(main, ["--data", str(data_dir), "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    return data_dir


# --- a small real file system (disk-full and read-only faults) -------------------------------


class Tmpfs:
    """A tmpfs mounted for one test: `fill(leave)` takes its free space down to `leave` bytes,
    `read_only()` remounts it read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ballast = 0

    def free(self) -> int:
        stat = os.statvfs(self.path)
        return stat.f_bavail * stat.f_frsize

    def fill(self, leave: int = 0) -> None:
        """Write a ballast file so that only about `leave` bytes stay free."""
        import errno

        self._ballast += 1
        ballast = self.path / f"ballast-{self._ballast}"
        want = max(0, self.free() - leave)
        with open(ballast, "wb") as handle:
            try:
                while want > 0:
                    chunk = min(want, 1 << 20)
                    handle.write(b"\0" * chunk)
                    want -= chunk
                handle.flush()
            except OSError as exc:  # full already: fine, that is the point
                if exc.errno != errno.ENOSPC:
                    raise

    def empty(self) -> None:
        """Remove the ballast again."""
        for ballast in self.path.glob("ballast-*"):
            ballast.unlink()

    def read_only(self, on: bool = True) -> None:
        import subprocess

        option = "remount,ro" if on else "remount,rw"
        subprocess.run(["mount", "-o", option, str(self.path)], check=True)


@pytest.fixture
def mounted_tmpfs() -> Iterator[Callable[..., Tmpfs]]:
    """Mount real tmpfs file systems (we run as root): `mounted_tmpfs("8m")` gives a `Tmpfs`.

    The mount point is a world-traversable directory under /tmp, so that a test can also run a
    command as an unprivileged user (root ignores file permissions). Skipped where mounting is
    not allowed, a failure under CI=true. Everything is unmounted at the end of the test.
    """
    import shutil
    import subprocess
    import tempfile

    mounts: list[Path] = []

    def mount(size: str = "4m") -> Tmpfs:
        point = Path(tempfile.mkdtemp(prefix="baoku-tmpfs-"))
        point.chmod(0o755)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point)],
            capture_output=True,
        )
        if done.returncode != 0:
            point.rmdir()
            reason = done.stderr.decode(errors="replace").strip()
            if os.environ.get("CI") == "true":
                pytest.fail(f"cannot mount a tmpfs: {reason}")
            pytest.skip(f"cannot mount a tmpfs here: {reason}")
        mounts.append(point)
        return Tmpfs(point)

    try:
        yield mount
    finally:
        for point in mounts:
            subprocess.run(["umount", "-l", str(point)], check=False)
            shutil.rmtree(point, ignore_errors=True)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module (no browser download)."""
    import playwright.sync_api as playwright_api

    if not CHROMIUM.exists():
        message = f"Debian chromium is not installed at {CHROMIUM}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- SolrCloud (tests/solr_cluster.py) -------------------------------------------------------


@pytest.fixture(scope="session")
def solr_cluster(tmp_path_factory: pytest.TempPathFactory):
    """One real 2-node SolrCloud per session (collections 2 shards × 2 replicas), stopped at
    the end whatever happened; skipped without java/mvn (a failure under CI=true)."""
    from tests.solr_cluster import start_cluster

    cluster = start_cluster(tmp_path_factory.mktemp("solrcloud"), nodes=2)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def backend(request) -> str:
    """ "whoosh" unless a test is parametrised with `both_backends`."""
    return getattr(request, "param", "whoosh")


both_backends = pytest.mark.parametrize("backend", ["whoosh", "solr"], indirect=True)
