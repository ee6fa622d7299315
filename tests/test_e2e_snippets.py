"""A result list a reader can scan (issue 16), in Debian's headless Chromium at 1280 px and at
390 px (a phone): no snippet is taller than 3 lines (4 on the phone), measured as the element's
height over its line-height; the headline as printed (引题, title, 副题) and the 版名 and byline
show on the hit. Screenshots go to test-output/e2e/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.conftest import CHROMIUM
from tests.test_e2e_web import OUTPUT, Server
from webui import create_app

VIEWPORTS = {"desktop": (1280, 900, 3), "phone": (390, 844, 4)}
QUERIES = ("中国", "冰雕展", "发展 经济")

# Every snippet on the page: its rendered lines (its box's height over its line-height), the
# lines its whole text would take (scrollHeight), and whether its first mark is in view.
SNIPPET_LINES = """() => [...document.querySelectorAll('.snippet')].map(el => {
  const style = getComputedStyle(el);
  let line = parseFloat(style.lineHeight);
  if (Number.isNaN(line)) line = 1.2 * parseFloat(style.fontSize);
  const box = el.getBoundingClientRect();
  const mark = el.querySelector('mark');
  return {
    lines: box.height / line,
    full: el.scrollHeight / line,
    text: el.innerText.length,
    markShown: !mark || mark.getBoundingClientRect().bottom <= box.bottom + 1,
  };
})"""


@pytest.fixture(scope="module")
def site(web_data_dir) -> Iterator[str]:
    if not CHROMIUM.exists():
        message = "Debian chromium is not installed at /usr/bin/chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = Server(create_app({"DATA_DIR": web_data_dir, "TESTING": True}))
    yield server.origin
    server.stop()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_no_snippet_is_taller_than_three_lines(browser, site, viewport):
    width, height, most = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        measured = 0
        for i, query in enumerate(QUERIES):
            page.goto(f"{site}/search?q={quote(query)}")
            page.wait_for_selector(".hit")
            snippets = page.evaluate(SNIPPET_LINES)
            assert snippets, query
            for s in snippets:
                # a fraction over a whole line is a mark's padding, not another line
                assert round(s["lines"]) <= most, (viewport, query, s)
                assert s["markShown"], (viewport, query, s)
                if viewport == "desktop":  # the text itself fits, not only the clamped box
                    assert round(s["full"]) <= most, (viewport, query, s)
            measured += len(snippets)
            OUTPUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUTPUT / f"snippets-{viewport}-{i}.png"), full_page=True)
            page.locator(".hit").first.scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / f"snippets-{viewport}-{i}-hits.png"))
        assert measured >= 10
        assert errors == []  # the CSP let the page's own CSS and script run
    finally:
        context.close()


def test_the_hit_shows_the_headline_as_printed(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{site}/search?q={quote('冰雕展')}")
        hit = page.locator(".hit").first
        kicker, title, subtitle = (
            hit.locator(c) for c in (".hit-kicker", ".hit-title", ".hit-subtitle")
        )
        assert kicker.inner_text() == "引题文字" and subtitle.inner_text() == "副题文字"
        boxes = [x.bounding_box() for x in (kicker, title, subtitle)]
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]  # above and below the title
        size = [
            float(x.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
            for x in (kicker, title, subtitle)
        ]
        assert size[0] < size[1] and size[2] < size[1]  # smaller than the title
        meta = hit.locator(".hit-meta").inner_text()
        assert "第7版 · 文化" in meta and "本报记者 张三" in meta
        OUTPUT.mkdir(parents=True, exist_ok=True)
        hit.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / "hit-headline-phone.png"))
    finally:
        context.close()
