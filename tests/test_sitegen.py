"""render_site: the three e-paper templates, their links, encodings and determinism."""

from __future__ import annotations

import posixpath
import re

import pytest
from bs4 import BeautifulSoup

from indexer.article import Article, Caption, Section
from tests.sitegen import TEMPLATES, article_paths, render_site

DATES = ("2024-03-01", "2024-03-02", "2024-03-04")


def _articles() -> list[Article]:
    """Made-up articles in our own words: two pages a day, one with a caption and 小标题."""
    out = []
    for day in DATES:
        for page, name in (("01", "要闻"), ("03", "科技")):
            for n in range(2):
                sections = [Section("", [f"{day}第{page}版第{n}篇的导语。"])]
                captions = []
                if n == 1:
                    sections.append(Section("小标题一", ["第一部分的正文。", "又一段。"]))
                    sections.append(Section("小标题二", ["第二部分的正文。"]))
                    captions = [Caption("图为实验室一角。本报记者 摄")]
                out.append(
                    Article(
                        id=f"t-{day}-{page}-{n}",
                        paper="测试报",
                        date=day,
                        page=page,
                        page_name=name,
                        kicker="引题文字" if n == 0 else "",
                        title=f"{day[5:]}第{page}版标题{n}",
                        subtitle="副题文字" if n == 1 else "",
                        sections=sections,
                        captions=captions,
                    )
                )
    return out


def _soup(data: bytes, encoding: str = "utf-8") -> BeautifulSoup:
    return BeautifulSoup(data.decode(encoding), "lxml")


def _resolve(path: str, href: str) -> str:
    href = href.split("?")[0].split("#")[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), href))


def _layouts(site: dict[str, bytes]) -> list[str]:
    return sorted(p for p in site if "/node_" in p)


def test_unknown_template_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown template"):
        render_site(_articles(), "nyt")
    with pytest.raises(ValueError, match="at least one article"):
        render_site([], "founder")


@pytest.mark.parametrize("template", TEMPLATES)
def test_output_is_deterministic_and_paths_are_stable(template: str) -> None:
    articles = _articles()
    site = render_site(articles, template)
    assert site == render_site(articles, template)
    paths = article_paths(articles, template)
    # A page's number depends on its article alone, not on what else is in the site.
    assert article_paths(articles[:3], template)[articles[0].id] == paths[articles[0].id]
    assert len(set(paths.values())) == len(articles)
    assert set(paths.values()) <= set(site)


@pytest.mark.parametrize("template", TEMPLATES)
def test_front_page_refreshes_to_the_newest_issue(template: str) -> None:
    site = render_site(_articles(), template)
    match = re.search(rb'URL=([^">]+)"', site["index.html"])
    assert match, "index.html holds a meta refresh"
    target = _resolve("index.html", match[1].decode())
    assert target in site
    newest = DATES[-1].replace("-", "")
    assert newest[:6] in target.replace("-", "") and target.endswith(("node_2.htm", "node_01.html"))


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_internal_link_of_a_layout_page_exists(template: str) -> None:
    site = render_site(_articles(), template)
    for path in _layouts(site):
        soup = _soup(site[path])
        hrefs = [t["href"] for t in soup.find_all(["a", "area"], href=True)]
        internal = [
            _resolve(path, h)
            for h in hrefs
            if not h.startswith(("http", "/", "javascript")) and not h.endswith(".pdf")
        ]
        assert internal, path
        missing = [h for h in internal if h not in site]
        assert not missing, f"{path} links to missing {missing}"


@pytest.mark.parametrize("template", TEMPLATES)
def test_layout_pages_list_pages_articles_and_other_days(template: str) -> None:
    articles = _articles()
    site = render_site(articles, template)
    paths = article_paths(articles, template)
    y, m, d = DATES[1].split("-")
    middle = [p for p in _layouts(site) if f"{y}-{m}/{d}/" in p or f"{y}{m}/{d}/" in p]
    assert len(middle) == 2  # two pages that day
    text = site[middle[0]].decode("utf-8")
    assert "上一期" in text and "下一期" in text
    assert ("第01版：<STRONG>要闻" if template == "founder" else "01版：要闻") in text
    assert "03版：科技" in text
    soup = _soup(site[middle[0]])
    linked = {_resolve(middle[0], a["href"]) for a in soup.find_all("area", href=True)}
    on_page = {paths[a.id] for a in articles if a.date == DATES[1] and a.page == "01"}
    assert linked == on_page, "the image map covers every article of the page"
    titles = soup.get_text()
    for article in articles:
        if article.date == DATES[1] and article.page == "01":
            assert article.title in titles


@pytest.mark.parametrize("template", TEMPLATES)
def test_article_pages_carry_sections_and_captions(template: str) -> None:
    articles = _articles()
    article = next(a for a in articles if a.captions)
    page = render_site(articles, template)[article_paths(articles, template)[article.id]]
    soup = _soup(page)
    bold = [b.get_text() for b in soup.find_all(["strong", "b"])]
    assert "小标题一" in bold and "小标题二" in bold
    text = soup.get_text()
    for paragraph in article.paragraphs:
        assert paragraph in text
    img = soup.find("img", src=re.compile(r"\.jpg$"))
    assert img is not None
    assert "图为实验室一角" in img.find_next(string=re.compile("图为"))
    assert article.title in text and article.subtitle in text


def test_gbk_site_declares_gb2312_and_keeps_gbk_only_characters() -> None:
    articles = _articles()
    articles[0].title += "镕喆堃"
    site = render_site(articles, "founder", encoding="gbk", meta_charset="gb2312")
    page = site[article_paths(articles, "founder")[articles[0].id]]
    assert "镕喆堃".encode("gbk") in page  # real GBK bytes, not character references
    assert b"charset=gb2312" in page and not page.startswith(b"\xef\xbb\xbf")
    for data in site.values():
        data.decode("gbk")  # strict: every page is valid GBK
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")


def test_pages_without_a_declared_charset() -> None:
    site = render_site(_articles(), "hubei", meta_charset=None)
    assert not any(b"charset" in data.lower() for data in site.values())
