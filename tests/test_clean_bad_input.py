"""Bad input: every case gets a CleanError whose message names the reason, never junk.

Truncated pages are refused rather than half-extracted (see indexer/clean.py): a partial
article would be stored and indexed as if it were whole.
"""

from __future__ import annotations

import zlib
from functools import cache

import pytest

from indexer.article import Article
from indexer.clean import CleanError, LayoutPageError, clean_page
from indexer.config import demo_pages
from tests.conftest import require_shared
from tests.sitegen import article_paths, render_site
from tests.synthetic import synthetic_records


@cache
def _article() -> Article:
    """An article of the synthetic corpus with a kicker, a subtitle and five paragraphs or more."""
    records = synthetic_records()
    return next(
        article
        for article in map(Article.from_dict, records)
        if article.kicker and article.subtitle and len(article.paragraphs) >= 5
    )


@cache
def _fragment() -> bytes:
    """The article part (div#scroller) of a 湖北日报 page as sitegen renders it: the shape of the
    real fragments in ../shared/epaper/hubeidaily, cut the same way."""
    article = _article()
    page = render_site([article], "hubei")[article_paths([article], "hubei")[article.id]]
    start = page.index(b'<div id="scroller">')
    return page[start : page.rindex(b"</div>") + len(b"</div>")] + b"\n"


def test_clean_error_is_a_value_error():
    assert issubclass(CleanError, ValueError)


def test_empty_file():
    with pytest.raises(CleanError, match="^empty file"):
        clean_page(b"")
    with pytest.raises(CleanError, match="^empty file"):
        clean_page(b"\r\n   \t\n")


def test_binary_file():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + zlib.compress(bytes(range(256)) * 4)
    with pytest.raises(CleanError, match="binary file.*PNG"):
        clean_page(png, url="http://example.cn/pic/1.png")
    with pytest.raises(CleanError, match="binary file.*PDF"):
        clean_page(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")


def test_plain_text_is_not_html():
    article = _article()
    text = "\n".join([article.title, article.date, *article.paragraphs])
    with pytest.raises(CleanError, match="not HTML"):
        clean_page(text.encode("utf-8"))


def test_the_seed_text_is_not_html():
    seed = require_shared("seeds", "000_a6192bb7d02a95be.txt").read_bytes()
    with pytest.raises(CleanError, match="not HTML"):
        clean_page(seed)


def test_truncated_in_the_middle_of_a_paragraph():
    data = _fragment()
    end = data.index(b"<!--/enpcontent-->")
    cut = data.index("。".encode(), end // 2) + 3  # just after a full stop, inside a <p>
    with pytest.raises(CleanError, match="^truncated HTML.*never closed"):
        clean_page(data[:cut])


def test_truncated_between_paragraphs():
    data = _fragment()
    end = data.index(b"<!--/enpcontent-->")
    cut = data.index(b"</p>", end // 2) + len(b"</p>")
    with pytest.raises(CleanError, match="^truncated HTML"):
        clean_page(data[:cut])


def test_truncated_inside_a_character_or_a_tag():
    data = _fragment()
    end = data.index(b"<!--/enpcontent-->")
    inside_char = data.index("。".encode(), end // 2) + 1
    with pytest.raises(CleanError, match="^truncated"):
        clean_page(data[:inside_char])
    inside_tag = data.index(b"<p>", end // 2) + 2
    with pytest.raises(CleanError, match="^truncated HTML.*inside a tag"):
        clean_page(data[:inside_tag])


def test_truncated_after_the_body_before_the_page_ends():
    data = _fragment()
    cut = data.index(b"</founder-content>") + len(b"</founder-content>")
    with pytest.raises(CleanError, match="^truncated HTML.*<div>"):
        clean_page(data[:cut])
    page = b"<html><head><title>t</title></head><body>" + data
    with pytest.raises(CleanError, match="^truncated HTML.*</html>"):
        clean_page(page)


def test_the_whole_page_is_fine():
    data = _fragment()
    assert clean_page(data).paragraphs
    page = b"<html><head><title>t</title></head><body>" + data + b"</body></html>"
    assert clean_page(page).paragraphs == clean_page(data).paragraphs


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
        "<p>您访问的页面不存在。</p><hr><address>nginx</address></body></html>",
        '<html><head><META HTTP-EQUIV="REFRESH" CONTENT="0; URL=html/2024-01/02/node_2.htm">'
        "<title>数字报</title></head><body></body></html>",
        "<html><body><div class='nav'><a href='/'>首页</a> <a href='/news/'>新闻</a></div>"
        "<div class='footer'>Copyright © 某报社 版权所有</div></body></html>",
    ],
    ids=["404", "meta-refresh", "only-chrome"],
)
def test_page_with_no_article(html):
    with pytest.raises(CleanError, match="^no article found"):
        clean_page(html.encode("utf-8"))


@pytest.mark.parametrize(
    "parts",
    [("epaper", "stdaily", "node_2.htm"), ("epaper", "rmrb", "New-RMRB-URL-20241225.html")],
    ids=["stdaily-founder", "rmrb-new"],
)
def test_real_layout_pages_are_refused_as_layout(parts):
    data = require_shared(*parts).read_bytes()
    with pytest.raises(CleanError, match=r"layout page \(版面\), not an article page"):
        clean_page(data)


def test_a_layout_page_has_its_own_error_type():
    """Batch callers tell an expected 版面 page from a failure by type, not by message text."""
    assert issubclass(LayoutPageError, CleanError)
    demo = demo_pages() / "html"
    with pytest.raises(LayoutPageError):
        clean_page(sorted(demo.glob("**/node_2.htm"))[0].read_bytes())
    with pytest.raises(CleanError) as refused:
        clean_page("<html><body><h1>版面设计展览开幕</h1></body></html>".encode())
    assert not isinstance(refused.value, LayoutPageError)
