"""decode_html: BOM, then HTTP charset, then <meta>, GB18030 for every GB label, detection last;
never a U+FFFD or mojibake, and a DecodeError that names the reason for what is not text."""

from __future__ import annotations

import codecs
import gzip
import zlib
from itertools import islice

import pytest

from indexer.article import Article
from indexer.decode import DecodeError, decode_html
from tests.conftest import require_shared
from tests.sitegen import render_site
from tests.synthetic import synthetic_records

GBK_ONLY = "朱镕基 陶喆 王堃"  # each name has a character that GB2312 lacks


def _page(body: str, meta: str | None = None) -> str:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={meta}">' if meta else ""
    return f"<html><head>{head}<title>测试</title></head><body><p>{body}</p></body></html>"


@pytest.fixture(scope="module")
def prose() -> str:
    """A few paragraphs of the synthetic corpus, long enough for detection to have evidence."""
    body = "\n".join(record["body"] for record in islice(synthetic_records(), 3))
    return body[:400].replace("\n", "</p><p>")


def test_real_page_with_utf8_bom():
    data = require_shared("epaper", "stdaily", "node_2.htm").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    text = decode_html(data)
    assert text.startswith("<html>")
    assert "今日要闻" in text
    assert "\ufeff" not in text


def test_rendered_founder_page_with_utf8_bom():
    """The test sites' classic Founder pages start with a BOM, as 科技日报's do."""
    articles = [Article.from_dict(record) for record in islice(synthetic_records(), 8)]
    site = render_site(articles, "founder")
    data = site[min(path for path in site if path.endswith("node_2.htm"))]
    assert data.startswith(codecs.BOM_UTF8)
    text = decode_html(data)
    assert text.startswith("<html>") and "\ufeff" not in text
    assert articles[0].title in text


def test_utf8_with_and_without_bom(prose):
    page = _page(prose)
    assert decode_html(page.encode("utf-8")) == page
    assert decode_html(codecs.BOM_UTF8 + page.encode("utf-8")) == page
    assert decode_html(page.encode("utf-16")) == page  # a BOM decides even for UTF-16


def test_gb2312_declared_but_gbk_only_characters(prose):
    page = _page(prose + GBK_ONLY, meta="gb2312")
    data = page.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    assert decode_html(data) == page
    assert decode_html(data, "text/html; charset=GB2312") == page
    assert decode_html(data, "text/html; charset=x-gbk") == page


def test_gbk_undeclared_is_detected(prose):
    page = _page(prose + GBK_ONLY)
    assert decode_html(page.encode("gbk")) == page
    assert decode_html(page.encode("gb18030")) == page


def test_short_gbk_page_undeclared():
    page = _page("本报讯 记者" + GBK_ONLY)
    assert decode_html(page.encode("gbk")) == page


def test_header_wins_over_meta(prose):
    page = _page(prose, meta="gb2312")
    # The server is right (utf-8), the page's own meta is stale.
    assert decode_html(page.encode("utf-8"), "text/html; charset=utf-8") == page
    # The server is wrong (says utf-8), the bytes are GBK: strict decoding fails, meta wins.
    assert decode_html(page.encode("gbk"), "text/html; charset=utf-8") == page


def test_wrong_header_falls_back_without_mojibake(prose):
    page = _page(prose)
    data = page.encode("utf-8")
    # gb18030 would "decode" these UTF-8 bytes strictly into nonsense; it must not be used.
    assert decode_html(data, "text/html; charset=gbk") == page
    assert decode_html(data, "text/html; charset=iso-8859-1") == page
    assert decode_html(page.encode("gbk"), "text/html; charset=iso-8859-1") == page


def test_gb18030_four_byte_characters():
    page = _page("一个四字节字符：\U00020000，还有𠮷")
    assert decode_html(page.encode("gb18030"), "text/html; charset=gbk") == page


def test_corrupt_utf8_is_refused_not_replaced(prose):
    data = _page(prose).encode("utf-8")
    cut = data.index("。".encode()) + 1
    broken = data[:cut] + b"\xff" + data[cut:]
    with pytest.raises(DecodeError, match="corrupt UTF-8.*offset"):
        decode_html(broken)
    with pytest.raises(DecodeError):
        decode_html(broken, "text/html; charset=utf-8")


def test_never_a_replacement_character(prose):
    for encoding in ("utf-8", "gbk", "gb18030"):
        for meta in (None, "gb2312", "utf-8", "gbk"):
            page = _page(prose + GBK_ONLY, meta=meta)
            try:
                text = decode_html(page.encode(encoding))
            except DecodeError:
                continue  # refusing is allowed; substituting is not
            assert "\ufffd" not in text
            assert text == page, (encoding, meta)


def test_empty_input():
    with pytest.raises(DecodeError, match="empty file"):
        decode_html(b"")
    with pytest.raises(DecodeError, match="empty file"):
        decode_html(b" \r\n\t ")


def test_binary_input_names_the_kind():
    png = b"\x89PNG\r\n\x1a\n" + zlib.compress(b"\x00" * 200)
    with pytest.raises(DecodeError, match="binary file.*PNG"):
        decode_html(png)
    with pytest.raises(DecodeError, match="binary file.*JPEG"):
        decode_html(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    with pytest.raises(DecodeError, match="binary file.*gzip"):
        decode_html(gzip.compress(b"<html></html>"))
    with pytest.raises(DecodeError, match="binary file.*NUL"):
        decode_html(b"<html>" + b"\x00\x01\x02" * 30 + b"</html>")
    assert issubclass(DecodeError, ValueError)


def test_hz_is_decoded_not_left_as_ascii_escapes():
    page = _page("中文" + "测试", meta="HZ-GB-2312")
    data = page.encode("hz")
    assert data.isascii() and b"~{" in data
    assert decode_html(data) == page
