"""`baoku index` and `baoku search` on a real store and index."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.article import Article
from indexer.cli import main
from indexer.store import Store
from tests.synthetic import synthetic_corpus_lines


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    rows = [json.loads(line) for line in islice(synthetic_corpus_lines(), 150)]
    data = tmp_path_factory.mktemp("cli")
    Store(data).put_articles([Article.from_dict(r) for r in rows])
    result = CliRunner().invoke(main, ["--data", str(data), "index"])
    assert result.exit_code == 0, result.output
    assert "articles" in result.output and "added" in result.output
    return data


def test_index_again_reports_no_change_and_rebuild_swaps(data_dir: Path):
    result = CliRunner().invoke(main, ["--data", str(data_dir), "index"])
    assert result.exit_code == 0 and "0 added, 0 updated, 0 deleted" in result.output
    result = CliRunner().invoke(main, ["--data", str(data_dir), "index", "--rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output


def test_search_json_is_the_archive_dict(data_dir: Path):
    article = next(iter(Store(data_dir).iter_articles()))
    args = ["--data", str(data_dir), "search", f'"{article.title}"', "--json", "--limit", "3"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {"query", "total", "hits", "facets"} <= payload.keys()
    assert payload["hits"][0]["id"] == article.id
    hit = payload["hits"][0]
    assert {"id", "title", "paper", "date", "page", "score", "snippet"} <= hit.keys()
    assert set(payload["facets"]) == {
        "year",
        "month",
        "page",
        "paper",
        "person",
        "place",
        "organization",
    }


def test_search_human_output_and_bad_input(data_dir: Path):
    article = next(iter(Store(data_dir).iter_articles()))
    result = CliRunner().invoke(main, ["--data", str(data_dir), "search", article.title])
    assert result.exit_code == 0
    assert "1. " in result.output and article.date in result.output
    bad = CliRunner().invoke(main, ["--data", str(data_dir), "search", "x", "--from", "2019-13"])
    assert bad.exit_code == 1 and "not a date" in bad.output and "Traceback" not in bad.output
    empty = CliRunner().invoke(main, ["--data", str(data_dir / "nowhere"), "search", "x"])
    assert empty.exit_code == 1 and "baoku index" in empty.output


def test_piped_human_output_brackets_the_matches(data_dir: Path):
    """CliRunner is no terminal, like a pipe: styles would vanish, so matches are 【bracketed】."""
    paragraph = next(
        p for a in Store(data_dir).iter_articles() for p in a.paragraphs if len(p) > 30
    )
    fragment = paragraph[10:14]
    result = CliRunner().invoke(main, ["--data", str(data_dir), "search", f'"{fragment}"'])
    assert result.exit_code == 0, result.output
    assert f"【{fragment}】" in result.output.replace("\n", "")


def test_search_json_and_text_count_near_matches(tmp_path) -> None:
    from click.testing import CliRunner

    from indexer import Archive
    from indexer.article import Article
    from indexer.cli import main
    from indexer.store import Store

    Store(tmp_path).put_articles(
        [
            Article(id="a", title="文创市集", date="2020-02-03", body="一只琥珀猫头鹰摆件。"),
            Article(id="b", title="夜市", date="2020-02-04", body="琥珀猫眼石。\n猫头鹰风筝。"),
        ]
    )
    Archive(tmp_path).reindex()
    as_json = CliRunner().invoke(main, ["--data", str(tmp_path), "search", "珀猫头", "--json"])
    payload = json.loads(as_json.output)
    assert (payload["total"], payload["total_near"]) == (1, 1)
    text = CliRunner().invoke(main, ["--data", str(tmp_path), "search", "珀猫头"])
    assert "1 篇（另有 1 篇包含全部字但不连续）" in text.output
