"""Every long job reports through the one progress protocol of indexer.progress:
`progress(done, total, stage)`, counted from the start of the job, `done` never going back."""

from __future__ import annotations

import gzip
from itertools import islice
from pathlib import Path

from indexer.archive import Archive
from indexer.config import demo_pages
from indexer.crawl import crawl
from indexer.ingest import import_jsonl, ingest_paths
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, EpaperServer, sample_articles
from tests.sitegen import render_site
from tests.synthetic import PAPER, synthetic_corpus_lines


class Recorder:
    """A progress callback that keeps every call, by stage."""

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[int, int]]] = {}

    def __call__(self, done: int, total: int, stage: str = "") -> None:
        self.calls.setdefault(stage, []).append((done, total))

    def last(self, stage: str = "") -> tuple[int, int]:
        return self.calls[stage][-1]

    def assert_never_goes_back(self) -> None:
        for stage, calls in self.calls.items():
            dones = [done for done, _ in calls]
            totals = [total for _, total in calls]
            assert dones == sorted(dones), stage
            assert totals == sorted(totals), stage
            assert all(total == 0 or done <= total for done, total in calls), stage


def test_the_crawl_reports_dates_pages_and_articles(tmp_path: Path) -> None:
    articles = sample_articles()
    with EpaperServer(render_site(articles, "founder")) as server:
        progress = Recorder()
        report = crawl(
            Store(tmp_path),
            server.url,
            date_from=SAMPLE_DATES[0],
            date_to=SAMPLE_DATES[-1],
            delay=0.002,
            timeout=5.0,
            backoff=0.01,
            paper=PAPER,
            progress=progress,
        )
    assert report.failures == [] and report.new == len(articles)
    assert set(progress.calls) == {"dates", "pages", "articles"}
    days = 4  # SAMPLE_DATES and the gap date between them, which has no issue
    assert progress.last("dates") == (days, days)
    assert progress.last("articles") == (len(articles), len(articles))
    pages_done, pages_total = progress.last("pages")
    assert pages_done == pages_total >= len(SAMPLE_DATES)
    progress.assert_never_goes_back()


def test_ingest_import_and_index_report_through_the_same_protocol(tmp_path: Path) -> None:
    store = Store(tmp_path / "ingested")
    progress = Recorder()
    ingest_paths(store, [demo_pages() / "html"], paper="江城晚报", progress=progress)
    files = len(list((demo_pages() / "html").rglob("*.htm")))
    assert set(progress.calls) == {""} and progress.last() == (files, files)
    progress.assert_never_goes_back()

    corpus = tmp_path / "part.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in islice(synthetic_corpus_lines(), 200))
    store = Store(tmp_path / "imported")
    progress = Recorder()
    report = import_jsonl(store, [corpus], progress=progress)
    assert report.errors == [] and report.articles == 200
    # Counted in bytes of the file, read as it is decompressed.
    assert progress.last() == (corpus.stat().st_size, corpus.stat().st_size)
    progress.assert_never_goes_back()

    progress = Recorder()
    Archive(store.data_dir).reindex(progress=progress)
    assert set(progress.calls) == {""}
    assert progress.last() == (report.articles, 0)  # the store does not say how many up front
    progress.assert_never_goes_back()
