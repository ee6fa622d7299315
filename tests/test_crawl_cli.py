"""`baoku crawl`: the summary, the exit status, and the store it leaves behind."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from indexer.article import Article
from indexer.cli import main
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, SAMPLE_GAP, EpaperServer, sample_articles
from tests.sitegen import article_paths, render_site
from tests.synthetic import PAPER

FIRST, LAST = SAMPLE_DATES[0], SAMPLE_DATES[-1]
FAST = ["--delay", "0.002", "--timeout", "5", "--paper", PAPER]


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return sample_articles(per_page=2)


def _crawl(data_dir, url: str, *extra: str):
    args = ["--data", str(data_dir), "crawl", url, "--from", FIRST, "--to", LAST, *FAST, *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_crawl_prints_a_summary_and_fills_the_store(tmp_path, articles) -> None:
    with EpaperServer(render_site(articles, "founder")) as server:
        result = _crawl(tmp_path, server.url)
        assert result.exit_code == 0, result.output
        assert f"new {len(articles)}," in result.output
        assert "failed 0" in result.output
        assert f"skipped {SAMPLE_GAP}: no issue (HTTP 404)" in result.output
        assert len(Store(tmp_path)) == len(articles)
        again = _crawl(tmp_path, server.url)
        assert again.exit_code == 0
        assert f"new 0, updated 0, unchanged {len(articles)}, failed 0" in again.output


def test_crawl_fails_when_nothing_could_be_fetched(tmp_path, articles) -> None:
    site = render_site(articles, "rmrb")
    with EpaperServer(site) as server:
        for path in article_paths(articles, "rmrb").values():
            server.fail(path, 404)
        result = _crawl(tmp_path, server.url)
        assert result.exit_code == 1
        assert "nothing could be fetched" in result.output
        assert f"failed {len(articles)}" in result.output
        assert len(Store(tmp_path)) == 0


def test_an_unreachable_entry_is_a_clear_error(tmp_path, articles) -> None:
    with EpaperServer(render_site(articles, "hubei")) as server:
        server.fail("index.html", 404)
        result = _crawl(tmp_path, server.url)
    assert result.exit_code == 1
    assert "HTTP 404" in result.output


def test_a_bad_date_is_a_clear_error(tmp_path, articles) -> None:
    with EpaperServer(render_site(articles, "hubei")) as server:
        args = ["--data", str(tmp_path), "crawl", server.url, "--from", "2019-13-01", *FAST]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "--from" in result.output and "not a date" in result.output
