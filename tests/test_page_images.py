"""The article on its page: the crawler keeps each 版面's picture, PDF and the articles' regions,
and the site shows them from the archive (real HTTP server on 127.0.0.1, real index)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import Archive
from indexer.cli import main
from indexer.crawl import crawl
from indexer.page_media import area_points, image_size, parse_page_media
from indexer.pages import PageCatalogue
from indexer.store import Store
from tests.epaper_server import SAMPLE_DATES, EpaperServer, sample_articles
from tests.sitegen import PICTURE_SIZE, article_paths, render_site
from tests.synthetic import PAPER
from webui import create_app

FAST = {"delay": 0.002, "timeout": 5.0, "backoff": 0.01, "paper": PAPER}
FIRST, LAST = SAMPLE_DATES[0], SAMPLE_DATES[-1]


def test_area_shapes():
    assert area_points("rect", "10,20,110,220") == [(10, 20), (110, 20), (110, 220), (10, 220)]
    assert area_points("poly", "1,2, 30,2, 30,40") == [(1, 2), (30, 2), (30, 40)]
    assert area_points("polygon", "1,2,3") == []
    assert area_points("circle", "50,50,10") == []


def test_layout_page_media_parsed():
    html = (
        '<html><body><map name="M"><area shape="rect" coords="0,0,10,10" href="content_1.htm?div=0">'
        '<area shape="rect" coords="0,0,10,10" href="content_1.htm?div=-1">'
        '<area shape="poly" coords="0,20,10,20,10,40" href="content_2.htm"></map>'
        '<img src="../pic/p1.jpg" width="400" height="575" usemap="#M">'
        '<a href="/pdf/p1.pdf">PDF</a></body></html>'
    )
    media = parse_page_media(html, "http://paper.test/html/2020-01/02/node_1.htm")
    assert media.image_url == "http://paper.test/html/2020-01/pic/p1.jpg"
    assert media.pdf_url == "http://paper.test/pdf/p1.pdf"
    assert (media.width, media.height) == (400, 575)
    assert [r.url.rsplit("/", 1)[1] for r in media.regions] == ["content_1.htm", "content_2.htm"]


@pytest.fixture(scope="module")
def articles():
    return sample_articles()


def content_type(path: str) -> str:
    if path.endswith(".jpg"):
        return "image/jpeg"
    return "application/pdf" if path.endswith(".pdf") else "text/html; charset=utf-8"


def crawled(tmp_path: Path, articles, template: str, **options):
    site = render_site(articles, template, page_images=True)
    # rmrb's server calls every file text/html (as some real ones do): kept and served right.
    server = EpaperServer(site) if template == "rmrb" else EpaperServer(site, content_type)
    server = server.start()
    store = Store(tmp_path)
    report = crawl(store, server.url, date_from=FIRST, date_to=LAST, **{**FAST, **options})
    return site, server, store, report


@pytest.mark.parametrize("template", ["founder", "rmrb", "hubei"])
def test_crawl_keeps_pictures_pdfs_and_regions(tmp_path, articles, template):
    site, server, store, report = crawled(tmp_path, articles, template)
    try:
        assert report.failures == []
        records = PageCatalogue(tmp_path).records()
        layouts = [p for p in site if "node_" in p]
        assert sorted(records) == sorted(server.url + p for p in layouts)
        paths = article_paths(articles, template)
        by_url = {server.url + paths[a.id]: a for a in articles}
        stored = {a.url: a for a in store.iter_articles()}
        for url, record in records.items():
            media = parse_page_media(site[url[len(server.url) :]].decode("utf-8"), url)
            # The picture is kept byte for byte, content-addressed like a raw page.
            assert store.read_raw(record.image) == site[media.image_url[len(server.url) :]]
            expected = (400, 575) if template == "rmrb" else PICTURE_SIZE
            assert (record.width, record.height) == expected
            assert image_size(store.read_raw(record.image)) == (
                (800, 1150) if template == "rmrb" else PICTURE_SIZE
            )
            assert (record.pdf is not None) == (template == "rmrb")
            if record.pdf:
                assert store.read_raw(record.pdf).startswith(b"%PDF")
            assert [r.url for r in record.regions] == [r.url for r in media.regions]
            for region, area in zip(record.regions, media.regions, strict=True):
                assert region.points == [list(p) for p in area.points]
                assert region.article_id == stored[region.url].id
                assert stored[region.url].page == record.page
        assert set(stored) == set(by_url)
        # A second run downloads no picture again.
        before = len(server.hits(lambda p: p.endswith((".jpg", ".pdf"))))
        crawl(store, server.url, date_from=FIRST, date_to=LAST, **FAST)
        assert len(server.hits(lambda p: p.endswith((".jpg", ".pdf")))) == before
    finally:
        server.stop()


def test_no_page_images_skips_them(tmp_path, articles):
    site = render_site(articles, "rmrb", page_images=True)
    with EpaperServer(site) as server:
        result = CliRunner().invoke(
            main,
            ["--data", str(tmp_path), "crawl", server.url, "--from", FIRST, "--to", LAST,
             "--delay", "0.002", "--no-page-images"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert server.hits(lambda p: p.endswith((".jpg", ".pdf"))) == []
    assert PageCatalogue(tmp_path).records() == {}
    assert len(list(Store(tmp_path).iter_articles())) == len(articles)
    stats = json.loads(
        CliRunner().invoke(main, ["--data", str(tmp_path), "stats", "--json"]).output
    )
    assert stats["page_images"] == {"pages": 0, "images": 0, "pdfs": 0, "bytes": 0}


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory, articles):
    path = tmp_path_factory.mktemp("page-images")
    _, server, store, report = crawled(path, articles, "rmrb")
    server.stop()
    assert report.failures == []
    Archive(path).reindex()
    return path


@pytest.fixture(scope="module")
def app(archive_dir):
    return create_app({"DATA_DIR": archive_dir, "TESTING": True})


def test_stats_reports_disk_use(archive_dir):
    out = CliRunner().invoke(main, ["--data", str(archive_dir), "stats", "--json"])
    use = json.loads(out.output)["page_images"]
    records = PageCatalogue(archive_dir).records().values()
    files = {r.image for r in records} | {r.pdf for r in records}
    assert use["pages"] == len(records) and use["images"] + use["pdfs"] == len(files)
    assert use["bytes"] == sum((archive_dir / f).stat().st_size for f in files)
    text = CliRunner().invoke(main, ["--data", str(archive_dir), "stats"]).output
    assert "page images:" in text


def test_article_page_shows_its_outline_and_the_others(client, archive_dir):
    record = next(iter(PageCatalogue(archive_dir).records().values()))
    mine, *others = record.regions
    page = client.get(f"/article/{mine.article_id}").get_data(as_text=True)
    svg = re.search(r'<svg class="page-svg" viewBox="0 0 (\d+) (\d+)".*?</svg>', page, re.S)
    assert svg and svg.groups() == (str(record.width), str(record.height))
    points = " ".join(f"{x},{y}" for x, y in mine.points)
    assert (
        f'<polygon class="region current" points="{points}" data-article="{mine.article_id}">'
        in page
    )
    image = record.image.rsplit("/", 1)[1]
    assert f'<image href="/media/{image}"' in page
    assert f'href="/media/{record.pdf.rsplit("/", 1)[1]}"' in page
    for other in others:
        assert f'<a href="/article/{other.article_id}"><polygon class="region"' in page
    assert "style=" not in svg.group(0) and "<script" not in svg.group(0)


def test_media_is_served_from_the_archive_only(client, archive_dir):
    record = next(iter(PageCatalogue(archive_dir).records().values()))
    response = client.get("/media/" + record.image.rsplit("/", 1)[1])
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data == (archive_dir / record.image).read_bytes()
    pdf = client.get("/media/" + record.pdf.rsplit("/", 1)[1])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    # A kept layout page is a raw file too, but no page record names it: never served.
    layout_source = Store(archive_dir).raw_source(record.layout_url)
    assert client.get("/media/" + layout_source.rsplit("/", 1)[1]).status_code == 404
    assert client.get("/media/../catalogue.jsonl").status_code == 404


def test_browse_shows_every_page_as_its_picture(client, archive_dir):
    records = PageCatalogue(archive_dir).records().values()
    day = next(iter(records)).date
    page = client.get("/browse", query_string={"date": day}).get_data(as_text=True)
    on_day = [r for r in records if r.date == day]
    assert page.count('<svg class="page-svg"') == len(on_day)
    for record in on_day:
        for region in record.regions:
            assert f'<a href="/article/{region.article_id}"><polygon class="region"' in page


def test_api_article_gains_page_fields(client, archive_dir):
    record = next(iter(PageCatalogue(archive_dir).records().values()))
    region = record.regions[0]
    body = client.get(f"/api/article/{region.article_id}").get_json()
    assert body["page_image"].endswith("/media/" + record.image.rsplit("/", 1)[1])
    assert body["page_pdf"].endswith("/media/" + record.pdf.rsplit("/", 1)[1])
    assert body["region"] == region.points


def test_archive_without_page_images_works_as_today(tmp_path, articles):
    site = render_site(articles, "founder")  # no pictures on the site
    with EpaperServer(site) as server:
        report = crawl(Store(tmp_path), server.url, date_from=FIRST, date_to=LAST, **FAST)
    assert report.failures == []
    Archive(tmp_path).reindex()
    client = create_app({"DATA_DIR": tmp_path, "TESTING": True}).test_client()
    some = next(iter(Store(tmp_path).iter_articles()))
    assert "page-svg" not in client.get(f"/article/{some.id}").get_data(as_text=True)
    body = client.get(f"/api/article/{some.id}").get_json()
    assert body == some.to_dict()
    assert "page-svg" not in client.get("/browse", query_string={"date": some.date}).get_data(
        as_text=True
    )
