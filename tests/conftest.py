"""Shared fixtures. ../shared is read at run time and never copied into the repo."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
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
