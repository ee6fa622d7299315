"""`ingest_paths` and `reclean` over real HTML: the demo archive and a folder of bad files."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from indexer.article import Article
from indexer.config import demo_pages
from indexer.ingest import ingest_paths, reclean
from indexer.store import Store

REPO = Path(__file__).resolve().parent.parent
DEMO_HTML = demo_pages() / "html"
BASE = "https://epaper.jcwb.example/html/"


def _demo_source() -> list[Article]:
    """The articles scripts/make_demo.py renders: what cleaning the demo must give back."""
    spec = importlib.util.spec_from_file_location("make_demo", REPO / "scripts" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_articles()


def _content_pages(day: str = "") -> list[Path]:
    return sorted(DEMO_HTML.glob(f"**/{day}/content_*.htm" if day else "**/content_*.htm"))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> tuple[Store, object]:
    store = Store(tmp_path_factory.mktemp("demo"))
    report = ingest_paths(store, [DEMO_HTML], paper="江城晚报", base_url=BASE)
    return store, report


def test_demo_archive_cleans_completely(demo_store) -> None:
    store, report = demo_store
    source = _demo_source()
    assert [str(e) for e in report.errors] == []
    assert report.articles == len(source) == len(_content_pages()) == 36
    assert len(report.not_articles) == 12  # 3 issues × 4 layout pages
    assert all("node_" in p.where for p in report.not_articles)
    assert len(store) == 35  # one 转版 pair became one article
    by_place = {(a.date, a.page, a.title): a for a in source}
    for article in store.iter_articles():
        expected = by_place[(article.date, article.page, article.title)]
        assert article.paper == "江城晚报"
        assert article.page_name == expected.page_name
        assert (article.kicker, article.subtitle) == (expected.kicker, expected.subtitle)
        assert article.author == expected.author
        assert [c.text for c in article.captions] == [c.text for c in expected.captions]
        assert article.url.startswith(BASE)
        assert store.read_raw(article.source) == (DEMO_HTML / article.url[len(BASE) :]).read_bytes()
        if len(article.pages) > 1:
            continue  # the 转版 pair: test_demo_zhuanban_pair_is_one_article
        assert article.headings == expected.headings, article.title
        assert article.paragraphs == expected.paragraphs, article.title


def test_demo_zhuanban_pair_is_one_article(demo_store) -> None:
    store, _ = demo_store
    (joined,) = [a for a in store.iter_articles() if a.pages != [a.page]]
    assert joined.title == "一季度全市GDP同比增长5.8%"
    assert joined.pages == ["01", "03"]
    halves = [a for a in _demo_source() if a.title == joined.title]
    assert joined.headings == [h for a in halves for h in a.headings]
    assert "转第" not in joined.body and "上接" not in joined.body
    first, second = halves
    assert joined.paragraphs[0] == first.paragraphs[0]
    assert joined.paragraphs[-1] == second.paragraphs[-1]


def test_ingest_is_idempotent(demo_store, tmp_path: Path) -> None:
    store = Store(tmp_path)
    pages = _content_pages("08")
    first = ingest_paths(store, pages, base_url=None)
    second = ingest_paths(store, pages, base_url=None)
    assert first.stored.new == len(pages) == 12
    assert (second.stored.new, second.stored.updated, second.stored.unchanged) == (0, 0, 12)
    assert len(store) == 12
    assert len(list(store.iter_raw())) == 12


def test_mixed_folder_reports_each_bad_file_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "mirror"
    (folder / "sub").mkdir(parents=True)
    good = _content_pages("09")[:3]
    for i, page in enumerate(good):
        shutil.copy(page, folder / ("sub" if i == 2 else ".") / page.name)
    shutil.copy(sorted(DEMO_HTML.glob("**/node_2.htm"))[0], folder / "node_2.htm")
    (folder / "empty.htm").write_bytes(b"")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    (folder / "picture.html").write_bytes(png)
    whole = good[0].read_bytes()
    (folder / "truncated.htm").write_bytes(whole[: len(whole) // 3])
    (folder / "style.css").write_text("body { color: red }")
    store = Store(tmp_path / "data")
    report = ingest_paths(store, [folder, tmp_path / "missing"], paper="江城晚报")
    errors = {Path(p.where).name: p.reason for p in report.errors}
    assert set(errors) == {"empty.htm", "picture.html", "truncated.htm", "missing"}
    assert all(errors.values())
    assert "empty" in errors["empty.htm"].lower()
    assert "binary" in errors["picture.html"].lower()
    assert "truncated" in errors["truncated.htm"].lower()
    assert errors["missing"] == "no such file or folder"
    assert [Path(p.where).name for p in report.not_articles] == ["node_2.htm"]
    assert report.skipped == [str(folder / "style.css")]
    assert report.articles == 3
    assert len(store) == 3
    # Only the good pages were kept raw.
    kept = {store.read_raw(p.source) for p in store.iter_raw()}
    assert kept == {page.read_bytes() for page in good}


def test_a_page_whose_refusal_mentions_a_layout_is_an_error_not_a_layout_page(
    tmp_path: Path,
) -> None:
    """Layout pages are told apart by the cleaner's error type, not by words in the message:
    a title with 版面 in it and no text under it is an error to report."""
    page = tmp_path / "content_9.htm"
    page.write_text("<html><body><h1>版面设计展览开幕</h1></body></html>", encoding="utf-8")
    report = ingest_paths(Store(tmp_path / "data"), [page])
    assert [p.where for p in report.errors] == [str(page)]
    assert "版面设计展览开幕" in report.errors[0].reason
    assert report.not_articles == []


def test_bad_copy_of_a_stored_page_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    page = _content_pages("07")[0]
    target = folder / page.name
    shutil.copy(page, target)
    store = Store(tmp_path / "data")
    assert ingest_paths(store, [folder], base_url=BASE).articles == 1
    (before,) = list(store.iter_articles())
    files_before = {p: p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file()}
    target.write_bytes(page.read_bytes()[:200])  # the same URL, now truncated
    report = ingest_paths(store, [folder], base_url=BASE)
    assert [Path(p.where).name for p in report.errors] == [page.name]
    assert list(store.iter_articles()) == [before]
    files_after = {p: p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file()}
    assert {p: b for p, b in files_after.items() if ".store" not in p.parts} == {
        p: b for p, b in files_before.items() if ".store" not in p.parts
    }


def test_reclean_rebuilds_articles_from_raw_pages(tmp_path: Path) -> None:
    store = Store(tmp_path)
    ingest_paths(store, [DEMO_HTML / "2025-04" / "07"], paper="江城晚报", base_url=BASE)
    before = sorted(store.iter_articles(), key=lambda a: a.id)
    report = reclean(store)
    assert report.errors == []
    assert report.pages == 12  # layout pages were never kept raw by ingest
    assert report.stored.unchanged == 12
    # Lose every article file: the raw pages are enough to get them all back.
    shutil.rmtree(tmp_path / "articles")
    store = Store(tmp_path)
    assert len(store) == 0
    report = reclean(store)
    assert report.stored.new == 12
    assert sorted(store.iter_articles(), key=lambda a: a.id) == before


def test_ids_do_not_depend_on_where_the_files_lie(tmp_path) -> None:
    """Without a base URL the file:// path is no identity: two checkouts give the same ids."""
    ids = []
    for name in ("machine_a", "machine_b"):
        folder = tmp_path / name / "deep" / "copy"
        shutil.copytree(DEMO_HTML / "2025-04" / "07", folder)
        store = Store(tmp_path / f"data_{name}")
        ingest_paths(store, [folder], paper="江城晚报")
        ids.append(sorted(a.id for a in store.iter_articles()))
    assert ids[0] == ids[1]
    assert len(ids[0]) == 11  # 12 pages, one 转版 pair
