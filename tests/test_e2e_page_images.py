"""In headless Chromium: the article's outline sits over its own part of the page picture.

A sitegen site (人民日报 template) with page pictures is crawled by the real crawler from a
real server on 127.0.0.1, indexed, and served by the site. Each region of sitegen's pictures is
filled in its own colour, so the pixel under the outline's centre says which region of the
picture the outline is drawn over."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from indexer import Archive
from indexer.crawl import crawl
from indexer.pages import PageCatalogue
from indexer.store import Store
from tests.conftest import CHROMIUM
from tests.epaper_server import SAMPLE_DATES, EpaperServer, sample_articles
from tests.sitegen import REGION_COLOURS, render_site
from tests.synthetic import PAPER
from tests.test_e2e_web import OUTPUT, Server
from webui import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[Server, PageCatalogue]]:
    if not CHROMIUM.exists():
        import os

        if os.environ.get("CI") == "true":
            pytest.fail("Debian chromium is not installed at /usr/bin/chromium")
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    data_dir = tmp_path_factory.mktemp("e2e-pages")
    files = render_site(sample_articles(), "rmrb", page_images=True)
    with EpaperServer(files) as paper:
        report = crawl(
            Store(data_dir),
            paper.url,
            date_from=SAMPLE_DATES[0],
            date_to=SAMPLE_DATES[-1],
            delay=0.002,
            paper=PAPER,
        )
    assert report.failures == []
    Archive(data_dir).reindex()
    server = Server(create_app({"DATA_DIR": data_dir}))
    yield server, PageCatalogue(data_dir)
    server.stop()


def nearest_colour(pixel: tuple[int, ...]) -> int:
    return min(
        range(len(REGION_COLOURS)),
        key=lambda i: sum((a - b) ** 2 for a, b in zip(pixel[:3], REGION_COLOURS[i], strict=True)),
    )


def test_outline_sits_over_the_articles_part_of_the_picture(site, browser):
    server, catalogue = site
    record = max(catalogue.records().values(), key=lambda r: len(r.regions))
    assert len(record.regions) >= 2
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        for index, region in enumerate(record.regions):
            page.goto(f"{server.origin}/article/{region.article_id}")
            page.wait_for_function(
                "() => { const i = document.querySelector('.page-svg image');"
                " return i && i.getBBox().width > 0; }"
            )
            # Where the outline and the picture are on the screen: their geometry (without
            # the stroke) through the SVG's own transform to CSS pixels.
            boxes = page.evaluate(
                """() => {
                  const screen = (el) => {
                    const b = el.getBBox(), m = el.getScreenCTM();
                    return {x: b.x * m.a + m.e + window.scrollX, y: b.y * m.d + m.f + window.scrollY,
                            width: b.width * m.a, height: b.height * m.d};
                  };
                  return {image: screen(document.querySelector('.page-svg image')),
                          outline: screen(document.querySelector('polygon.region.current'))};
                }"""
            )
            image, outline = boxes["image"], boxes["outline"]
            xs = [x for x, _ in region.points]
            ys = [y for _, y in region.points]
            sx, sy = image["width"] / record.width, image["height"] / record.height
            assert image["width"] > 100 and sx == pytest.approx(sy, rel=0.01)
            # The outline is where the map says, on the picture as drawn.
            assert outline["x"] - image["x"] == pytest.approx(min(xs) * sx, abs=1)
            assert outline["y"] - image["y"] == pytest.approx(min(ys) * sy, abs=1)
            assert outline["width"] == pytest.approx((max(xs) - min(xs)) * sx, abs=1)
            assert outline["height"] == pytest.approx((max(ys) - min(ys)) * sy, abs=1)
            # And over the part of the picture that is this article's (its colour).
            shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
            OUTPUT.mkdir(parents=True, exist_ok=True)
            shot.save(OUTPUT / f"page-outline-{index}.png")
            centre = (
                round(outline["x"] + outline["width"] / 2),
                round(outline["y"] + outline["height"] / 2),
            )
            assert nearest_colour(shot.getpixel(centre)) == index % len(REGION_COLOURS)
            # The other articles of the page are links on the picture.
            assert page.locator("svg.page-svg a polygon.region").count() == len(record.regions) - 1
        assert all(url.startswith(server.origin) for url in requests), requests
        assert problems == []
    finally:
        context.close()
