"""Photo stories (图片报道): a title, photos and captions, no paragraphs. They are articles (a
caption is what a journalist searches for); a page with a title and nothing else is refused,
and so is a layout page however many pictures it shows. Ads (广告) printed as a picture are
stored like any photo story: the archive keeps what the page printed, as the imported corpus
does, and an ad with no picture at all is refused like any bare title."""

from __future__ import annotations

import pytest

from indexer.article import Article, Caption, Section
from indexer.clean import CleanError, clean_html, clean_page
from tests.sitegen import TEMPLATES, article_paths, render_site

BASE = "http://epaper.example.cn/"
DAY = "2024-03-05"


def _story(id: str, title: str, captions: list[Caption], **extra) -> Article:
    fields = {"paper": "江城晚报", "date": DAY, "page": "03", "page_name": "图片", **extra}
    return Article(id=id, title=title, captions=captions, **fields)


STORIES = [
    _story(
        "p1",
        "图片报道",
        [Caption("游客在湖边赏樱。本报记者 周明 摄"), Caption("樱花开满了东湖的堤岸。")],
    ),
    # A long title with a comma reads like a sentence; it is still the title, not a body.
    _story(
        "p2",
        "春潮涌动处，万物竞生长：城郊湿地公园迎来首批越冬候鸟",
        [Caption("白鹭在湿地浅滩觅食，市民举着相机远远观望。本报记者 李文 摄")],
        kicker="江城春色",
    ),
    _story("p3", "谁是今年最美的志愿者？", [Caption("志愿者在地铁站为乘客指路。")]),
    _story("ad", "广告", [Caption("")]),  # an ad: one picture, no words
]
TEXT = _story(
    "t1",
    "地铁五号线全线贯通",
    [],
    page="01",
    sections=[Section("", ["昨日上午，随着最后一台盾构机破土而出，地铁五号线实现全线贯通。"])],
)


def _site(articles: list[Article], template: str) -> tuple[dict[str, bytes], dict[str, str]]:
    return render_site(articles, template, base_url=BASE), article_paths(articles, template)


def _assert_story(got: Article, want: Article) -> None:
    assert got.title == want.title
    assert got.kicker == want.kicker
    assert got.date == want.date and got.page == want.page
    assert got.body == "" and got.sections == [] and got.author == ""
    assert [c.text for c in got.captions] == [c.text for c in want.captions]
    assert all(c.src.endswith(".jpg") for c in got.captions)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("want", STORIES, ids=[s.id for s in STORIES])
def test_a_photo_story_comes_back_with_its_captions(template, want):
    site, paths = _site([TEXT, *STORIES], template)
    got = clean_page(site[paths[want.id]], url=BASE + paths[want.id])
    _assert_story(got, want)
    if template != "hubei":  # the 湖北日报 article page does not print the 版名
        assert got.page_name == want.page_name


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("want", STORIES, ids=[s.id for s in STORIES])
def test_the_generic_extractor_reads_a_photo_story_too(template, want):
    """Without the template's profile, as for a skin never seen before."""
    site, paths = _site([TEXT, *STORIES], template)
    got = clean_html(site[paths[want.id]].decode("utf-8"), url=BASE + paths[want.id], profiles=())
    _assert_story(got, want)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("profiles", ["profiles", "generic"])
@pytest.mark.parametrize("title", ["图片报道", "广告"])
def test_a_title_and_nothing_else_is_refused(template, profiles, title):
    bare = _story("b1", title, [])
    site, paths = _site([TEXT, bare], template)
    text = site[paths[bare.id]].decode("utf-8")
    expected = rf"^no article found: a title \('{title}'\) but no paragraphs, photos or captions"
    with pytest.raises(CleanError, match=expected):
        clean_html(
            text, url=BASE + paths[bare.id], **({"profiles": ()} if profiles == "generic" else {})
        )


@pytest.mark.parametrize("template", TEMPLATES)
def test_layout_pages_of_a_site_with_photo_stories_are_still_refused(template):
    site, paths = _site([TEXT, *STORIES], template)
    layouts = [p for p in site if "node_" in p]
    assert layouts
    for path in layouts:
        with pytest.raises(CleanError, match=r"layout page \(版面\)"):
            clean_page(site[path], url=BASE + path)


def _page(content: str, head: str = "<title>城市画报</title>") -> bytes:
    return f"<html><head>{head}</head><body>{content}</body></html>".encode()


NAV = '<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>'
FOOT = '<div class="footer">Copyright © 江城晚报社 版权所有</div>'


def test_an_unknown_skin_photo_story_with_a_link_to_the_next_article():
    """figure/figcaption, a 下一篇 link (one link to an article page is no layout evidence
    once there is a photo), the site footer right after the photos."""
    page = _page(
        NAV
        + '<div class="main"><h1 class="headline">雪后故宫</h1>'
        + '<p class="info">2024年01月22日 第05版</p>'
        + '<figure><img src="/pic/2024/0122/a1.jpg"><figcaption>雪后的角楼。</figcaption></figure>'
        + '<figure><img src="/pic/2024/0122/a2.jpg"><figcaption>游客在午门前留影。'
        + "</figcaption></figure>"
        + '<p><a href="/html/2024-01/22/content_12.htm">下一篇：冰雪运动进校园</a></p></div>'
        + FOOT
    )
    got = clean_page(page, url="http://news.example.cn/html/2024-01/22/content_11.htm")
    assert got.title == "雪后故宫"
    assert [c.text for c in got.captions] == ["雪后的角楼。", "游客在午门前留影。"]
    assert [c.src for c in got.captions] == ["/pic/2024/0122/a1.jpg", "/pic/2024/0122/a2.jpg"]
    assert got.body == "" and got.date == "2024-01-22" and got.page == "05"


def test_an_uncaptioned_photo_does_not_take_the_footer_as_its_caption():
    page = _page(
        '<div class="main"><h1>广告</h1><div class="content"><img src="/pic/ad/0122.jpg">'
        + "<p></p></div></div>"
        + '<div class="bottom">数字报 | 客户端 | 网站 Copyright © 江城晚报</div>'
    )
    got = clean_page(page)
    assert got.title == "广告" and [(c.text, c.src) for c in got.captions] == [
        ("", "/pic/ad/0122.jpg")
    ]


@pytest.mark.parametrize(
    "content",
    [
        # Only icons and a logo: nothing a reader would call a photo.
        '<h1>图片报道</h1><img src="/img/logo.png"><img src="/img/icon_print.gif">',
        # The page's own name in the title slot is not a headline.
        '<h1>江城晚报</h1><img src="/pic/2024/0122/a1.jpg">',
    ],
    ids=["icons-only", "paper-name-as-title"],
)
def test_no_photo_story_without_a_photo_and_a_real_title(content):
    with pytest.raises(CleanError, match="^no article found"):
        clean_page(_page(NAV + content + FOOT))


def test_a_layout_page_with_thumbnails_is_not_a_photo_story():
    links = "".join(
        f'<li><a href="/html/2024-01/22/content_{n}.htm">第{n}篇标题</a></li>' for n in range(1, 6)
    )
    page = _page(
        '<h1 class="title">第05版：图片新闻</h1>'
        + '<img src="/pic/2024/0122/page05.jpg" usemap="#map">'
        + '<img src="/pic/2024/0122/thumb1.jpg"><p>雪后的角楼。</p>'
        + f"<ul>{links}</ul>"
    )
    with pytest.raises(CleanError, match=r"layout page \(版面\)"):
        clean_page(page)


def test_text_found_anywhere_wins_over_a_photo_story():
    """A profile that finds the photos but misses the body (a skin variant that moved the
    paragraphs) must not store the page as a photo story: the generic extractor's text wins."""
    site, paths = _site([TEXT, *STORIES], "rmrb")
    page = site[paths["p1"]].decode("utf-8")
    moved = "".join(
        f"<p>{p}</p>"
        for p in [
            "清晨的东湖边，早到的游客已经沿着堤岸慢慢走开，不少人举着手机拍下满树繁花。",
            "园方介绍，今年樱花花期比往年提前了一周，预计本周末将迎来赏花客流高峰。",
        ]
    )
    page = page.replace(
        '<div id="ozoom">', f'<div class="article-text">{moved}</div><div id="ozoom">'
    )
    got = clean_html(page, url=BASE + paths["p1"])
    assert got.title == "图片报道"
    assert len(got.paragraphs) == 2 and got.paragraphs[0].startswith("清晨的东湖边")
