"""Every article page tests.sitegen renders, for every template and encoding, cleans back
into the article it was rendered from; every layout page is refused as a layout page."""

from __future__ import annotations

import pytest

from indexer.article import Article, Caption, Section
from indexer.clean import CleanError, clean_page
from tests.sitegen import TEMPLATES, article_paths, render_site

BASE = "http://epaper.example.cn/"


def _articles() -> list[Article]:
    """Articles in our own words, with every field a page can carry."""
    common = dict(paper="江城晚报", date="2024-03-05")
    return [
        Article(
            id="a1",
            page="01",
            page_name="要闻",
            kicker="春耕时节",
            title="万亩良田开犁播种",
            subtitle="农机手凌晨出发抢农时",
            author="本报记者　周明",
            sections=[
                Section("", ["天刚蒙蒙亮，城郊的田野里已是一片繁忙景象，二十多台拖拉机一字排开。"]),
                Section(
                    "新机具上阵", ["今年新添的北斗导航播种机，一天能播两百多亩，比去年快了一倍。"]
                ),
                Section("专家进田间", ["农技站的专家蹲在地头，手把手教种粮大户调试播种深度。"]),
            ],
            captions=[Caption("农机手在田间调试播种机。本报记者 周明 摄")],
            **common,
        ),
        Article(
            id="a2",
            page="01",
            page_name="要闻",
            title="地铁五号线全线贯通",
            sections=[
                Section(
                    "",
                    [
                        "昨日上午，随着最后一台盾构机破土而出，地铁五号线实现全线贯通。",
                        "五号线全长三十公里，设车站二十座，预计年底开通试运营。",
                    ],
                )
            ],
            **common,
        ),
        Article(
            id="a3",
            page="02",
            page_name="城事",
            title="社区食堂里的“家常味”",
            subtitle="一份十二元的套餐背后",
            sections=[
                Section("", ["中午十一点半，和平社区食堂门口已经排起长队，多是附近的老人。"]),
            ],
            captions=[Caption("老人们在社区食堂用餐。"), Caption("厨师正在准备午餐。")],
            **common,
        ),
    ]


def _check(got: Article, want: Article, template: str) -> None:
    where = (template, want.title)
    assert got.title == want.title, where
    assert got.kicker == want.kicker, where
    assert got.subtitle == want.subtitle, where
    assert got.author == want.author.replace("\u3000", " "), where
    assert got.date == want.date, where
    assert got.page == want.page, where
    assert got.sections == want.sections, where
    assert [c.text for c in got.captions] == [c.text for c in want.captions], where
    assert all(c.src for c in got.captions), where


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize(
    "encoding,meta", [("utf-8", "utf-8"), ("gbk", "gb2312"), ("gb18030", None)]
)
def test_rendered_article_pages_clean_back(template, encoding, meta):
    articles = _articles()
    site = render_site(articles, template, encoding=encoding, meta_charset=meta, base_url=BASE)
    paths = article_paths(articles, template)
    content_type = None if meta else f"text/html; charset={encoding}"
    for want in articles:
        path = paths[want.id]
        got = clean_page(site[path], url=BASE + path, content_type=content_type)
        _check(got, want, template)
        assert got.url == BASE + path
        if template != "hubei":  # the 湖北日报 article page does not print the 版名
            assert got.page_name == want.page_name, (template, want.title)


@pytest.mark.parametrize("template", TEMPLATES)
def test_rendered_layout_and_front_pages_are_not_articles(template):
    articles = _articles()
    site = render_site(articles, template, base_url=BASE)
    content = set(article_paths(articles, template).values())
    others = [path for path in site if path not in content]
    assert others
    for path in others:
        with pytest.raises(CleanError, match="layout page|no article found"):
            clean_page(site[path], url=BASE + path)
    layouts = [p for p in others if "node_" in p]
    for path in layouts:
        with pytest.raises(CleanError, match=r"layout page \(版面\)"):
            clean_page(site[path], url=BASE + path)
