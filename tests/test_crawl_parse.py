"""Discovery on real layout pages (../shared/epaper, read at run time) and the URL date patterns."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.decode import decode_html
from indexer.layout import find_redirect, parse_layout
from indexer.urls import fill_pattern, url_date
from tests.conftest import require_shared

STDAILY = "http://digitalpaper.stdaily.com/http_www.kjrb.com/kjrb/html/2023-02/10/node_2.htm"
RMRB = "http://paper.people.com.cn/rmrb/pc/layout/202412/25/node_01.html"


def _real(*parts: str, url: str):
    data = require_shared("epaper", *parts).read_bytes()
    return parse_layout(decode_html(data), url)


def test_stdaily_classic_founder_layout_page() -> None:
    layout = _real("stdaily", "node_2.htm", url=STDAILY)
    assert (layout.page, layout.page_name) == ("01", "今日要闻")
    base = STDAILY.rsplit("/", 1)[0] + "/"
    assert layout.pages == [base + f"node_{n}.htm" for n in range(2, 10)]
    # Title list and image map: five articles; the ?div=0 / ?div=-1 map areas are one page each.
    assert layout.articles == [
        base + f"content_{n}.htm" for n in (548643, 548646, 548655, 548659, 548662)
    ]


def test_rmrb_pc_layout_page() -> None:
    layout = _real("rmrb", "New-RMRB-URL-20241225.html", url=RMRB)
    assert (layout.page, layout.page_name) == ("01", "要闻")
    assert len(layout.pages) == 20 and layout.pages[0] == RMRB
    assert layout.pages[-1].endswith("/rmrb/pc/layout/202412/25/node_20.html")
    content = "http://paper.people.com.cn/rmrb/pc/content/202412/25/"
    assert layout.articles == [content + f"content_{n}.html" for n in range(30048054, 30048061)]
    # The 手机版 link (/rmrb/pad/layout/) is the same day in another edition, not another issue.
    assert layout.other_dates == {}


@pytest.mark.parametrize(
    ("url", "day", "other"),
    [
        (STDAILY, date(2023, 2, 10), ".../kjrb/html/2024-01/02/node_2.htm"),
        (RMRB, date(2024, 12, 25), ".../rmrb/pc/layout/202401/02/node_01.html"),
        (
            "http://paper.people.com.cn/rmrb/html/2019-10/01/nbs.D110000renmrb_01.htm",
            date(2019, 10, 1),
            ".../rmrb/html/2024-01/02/nbs.D110000renmrb_01.htm",
        ),
        (
            "http://mrdx.cn/content/20200320/Page01DK.htm",
            date(2020, 3, 20),
            ".../content/20240102/Page01DK.htm",
        ),
    ],
)
def test_the_date_in_a_layout_url_makes_a_pattern(url: str, day: date, other: str) -> None:
    found = url_date(url)
    assert found is not None and found[0] == day
    assert fill_pattern(found[1], day) == url
    assert fill_pattern(found[1], date(2024, 1, 2)).endswith(other.removeprefix("..."))


def test_a_url_without_a_date_has_no_pattern() -> None:
    assert url_date("http://paper.example.cn/index.html") is None
    assert url_date("http://paper.example.cn/html/2023-13/45/node_2.htm") is None


@pytest.mark.parametrize(
    "page",
    [
        '<META HTTP-EQUIV="REFRESH" CONTENT="0; URL=html/2023-02/10/node_2.htm">',
        "<meta http-equiv='refresh' content='0;url=html/2023-02/10/node_2.htm'>",
        '<meta content="0; url=html/2023-02/10/node_2.htm" http-equiv="refresh">',
        '<script>window.location.href = "html/2023-02/10/node_2.htm";</script>',
    ],
)
def test_front_page_redirects(page: str) -> None:
    assert find_redirect(page, "http://x.cn/kjrb/index.html") == (
        "http://x.cn/kjrb/html/2023-02/10/node_2.htm"
    )


def test_a_page_without_a_redirect() -> None:
    assert find_redirect("<html><body>首页</body></html>", "http://x.cn/") is None
