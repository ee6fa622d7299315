"""Render articles as a whole e-paper (数字报) site, the way the real publishing systems lay it out.

The crawler's tests and the demo archive need sites that look like the real thing without copying
any real page. Three templates follow the real pages in ../shared/epaper:

- "founder": the classic Founder (方正) system of 科技日报: ``html/YYYY-MM/DD/node_N.htm`` layout
  pages (版面; the first page is node_2, as on the real site) and ``content_N.htm`` article pages
  with table cells for 引题/标题/副题 and ``<founder-content>`` paragraphs.
- "rmrb": 人民日报's current scheme: ``rmrb/pc/layout/YYYYMM/DD/node_NN.html`` layout pages that
  list ``../../../content/YYYYMM/DD/content_N.html``; article pages with h3/h1/h2, ``p.sec``,
  the 《 人民日报 》 date line and ``div#ozoom``.
- "hubei": 湖北日报's Founder "pc" system: ``pc/layout/YYYYMM/DD/node_NN.html`` and
  ``pc/content/YYYYMM/DD/content_N.html`` wrapping the real ``div#scroller`` article structure
  (#nowLayout, #intro-title, #main-title, #sub-title, <!--enpcontent-->, <!--enpproperty-->).

Every site has an ``index.html`` that only meta-refreshes to the newest issue's first page, and
every layout page links to the previous and next issue (上一期/下一期), so a crawler can walk dates.
The real sites do that with JavaScript; a static link is what a crawler can follow.

Output is deterministic: content numbers come from article ids, so the same articles always give
the same bytes.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from html import escape

from indexer.article import Article

TEMPLATES = ("founder", "rmrb", "hubei")
_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class _Page:
    number: str  # 版次 as printed, "01"
    name: str  # 版名, may be empty
    ordinal: int  # 1 for the issue's first page
    articles: list[tuple[int, Article]] = field(default_factory=list)  # (content number, article)


@dataclass
class _Issue:
    day: Date
    pages: list[_Page] = field(default_factory=list)


def render_site(
    articles: Iterable[Article],
    template: str,
    *,
    encoding: str = "utf-8",
    meta_charset: str | None = "utf-8",
    base_url: str = "",
    page_images: bool = False,
) -> dict[str, bytes]:
    """Every file of the site: URL path relative to the site root → bytes in `encoding`.

    Articles are grouped by date, then page (版次); a page's 版名 is the first non-empty
    `page_name` among its articles. `meta_charset=None` leaves the charset out of the pages.
    `base_url` only prefixes the absolute URLs a template prints (湖北日报's enpproperty).
    Characters that `encoding` lacks are written as numeric character references.
    `page_images=True` also renders every page picture the layout pages show (a small JPEG
    with each article's region filled in its own colour, see `page_picture`) and the PDFs
    they link; 湖北日报's image maps then use shape="rect", the others stay polygons.
    """
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; expected one of {', '.join(TEMPLATES)}")
    issues = _group(list(articles))
    if not issues:
        raise ValueError("render_site needs at least one article with a date")
    scheme = _SCHEMES[template](meta_charset, base_url)
    scheme.rect_areas = page_images
    texts: dict[str, str] = {}
    for i, issue in enumerate(issues):
        prev_issue = issues[i - 1] if i > 0 else None
        next_issue = issues[i + 1] if i + 1 < len(issues) else None
        for page in issue.pages:
            texts[scheme.layout_path(issue, page)] = scheme.layout(
                issue, page, prev_issue, next_issue
            )
            for number, article in page.articles:
                texts[scheme.content_path(issue, number)] = scheme.content(
                    issue, page, number, article
                )
    newest = issues[-1]
    for path, target in scheme.front_pages(newest):
        texts[path] = _refresh_page(target, meta_charset)
    if not encoding.lower().replace("-", "").startswith("utf"):
        # The real 科技日报 pages start with a UTF-8 BOM; a GB-encoded page has none.
        texts = {path: text.removeprefix("\ufeff") for path, text in texts.items()}
    files = {
        path: text.encode(encoding, errors="xmlcharrefreplace") for path, text in texts.items()
    }
    if page_images:
        layouts = {scheme.layout_path(issue, page) for issue in issues for page in issue.pages}
        for path in sorted(layouts):
            files.update(_page_files(path, texts[path]))
    return files


# Page pictures: the natural size when the <img> sets none; twice the <img>'s size when it
# does (as 人民日报's 400×575 picture of a larger scan), so the map's coordinates are in the
# displayed size, not the file's.
PICTURE_SIZE = (350, 575)
REGION_COLOURS = ((214, 40, 40), (42, 157, 143), (38, 70, 83), (233, 196, 106), (106, 76, 147))


def _page_files(layout_path: str, text: str) -> dict[str, bytes]:
    from urllib.parse import urlsplit

    from indexer.page_media import parse_page_media

    media = parse_page_media(text, "http://site.test/" + layout_path)
    out: dict[str, bytes] = {}
    if media.image_url:
        shown = (media.width, media.height) if media.width and media.height else None
        out[urlsplit(media.image_url).path.lstrip("/")] = page_picture(
            [r.points for r in media.regions], shown
        )
    if media.pdf_url:
        out[urlsplit(media.pdf_url).path.lstrip("/")] = page_pdf(layout_path)
    return out


def page_picture(regions: list[list[tuple[int, int]]], shown: tuple[int, int] | None) -> bytes:
    """A JPEG of a printed page: white paper, each region filled in its own colour (the
    colours of REGION_COLOURS in turn). `shown`: the size the layout page displays it at."""
    import io

    from PIL import Image, ImageDraw

    scale = 2 if shown else 1
    size = (shown[0] * 2, shown[1] * 2) if shown else PICTURE_SIZE
    picture = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    for i, points in enumerate(regions):
        colour = REGION_COLOURS[i % len(REGION_COLOURS)]
        draw.polygon([(x * scale, y * scale) for x, y in points], fill=colour)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()


def page_pdf(name: str) -> bytes:
    """A one-page PDF standing in for the printed page."""
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (200, 287), (255, 255, 255))
    ImageDraw.Draw(picture).text((10, 10), name[-40:], fill=(0, 0, 0))
    out = io.BytesIO()
    picture.save(out, "PDF")
    return out.getvalue()


def article_paths(articles: Iterable[Article], template: str) -> dict[str, str]:
    """Article id → the path of its article page in the site `render_site` makes."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; expected one of {', '.join(TEMPLATES)}")
    scheme = _SCHEMES[template](None, "")
    return {
        article.id: scheme.content_path(issue, number)
        for issue in _group(list(articles))
        for page in issue.pages
        for number, article in page.articles
    }


# --- grouping ------------------------------------------------------------------------------


def _group(articles: list[Article]) -> list[_Issue]:
    numbers = _content_numbers(articles)
    by_date: dict[str, dict[str, _Page]] = {}
    for article in articles:
        if not article.date:
            continue
        pages = by_date.setdefault(article.date, {})
        key = article.page or "01"
        page = pages.get(key)
        if page is None:
            page = pages[key] = _Page(number=key, name="", ordinal=0)
        if not page.name and article.page_name:
            page.name = article.page_name
        page.articles.append((numbers[article.id], article))
    issues = []
    for day in sorted(by_date):
        pages = sorted(by_date[day].values(), key=lambda p: _page_sort_key(p.number))
        for ordinal, page in enumerate(pages, start=1):
            page.ordinal = ordinal
        issues.append(_Issue(Date.fromisoformat(day), pages))
    return issues


def _page_sort_key(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


def _content_numbers(articles: list[Article]) -> dict[str, int]:
    """A content_N number per article id, stable across runs (hash of the id, collisions probed)."""
    taken: set[int] = set()
    numbers: dict[str, int] = {}
    for article_id in sorted({a.id for a in articles}):
        number = 100000 + int(hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8], 16) % 900000
        while number in taken:
            number += 1
        taken.add(number)
        numbers[article_id] = number
    return numbers


# --- shared pieces -------------------------------------------------------------------------


def _meta(meta_charset: str | None) -> str:
    if not meta_charset:
        return ""
    return f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}" />'


def _refresh_page(target: str, meta_charset: str | None) -> str:
    return (
        "<html>\n<head>\n"
        f"{_meta(meta_charset)}\n"
        f'<META HTTP-EQUIV="REFRESH" CONTENT="0; URL={target}">\n'
        "<title>数字报</title>\n</head>\n<body></body>\n</html>\n"
    )


def _rel(from_path: str, to_path: str) -> str:
    return posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")


def _zh_date(day: Date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _ban(page: _Page) -> str:
    """The page label of the "pc" systems: 01版：要闻."""
    return f"{page.number}版：{escape(page.name)}" if page.name else f"{page.number}版"


def _title_for_list(article: Article) -> str:
    return article.title or article.kicker or "图片"


def _map_areas(hrefs: list[list[str]], rect: bool = False) -> str:
    """An image map with a rectangle per article, stacked down the page picture (as a polygon,
    or with `rect` as shape="rect")."""
    areas = []
    height = 560 // max(len(hrefs), 1)
    for i, variants in enumerate(hrefs):
        top, bottom = 2 + i * height, (i + 1) * height
        coords = f"2,{top},346,{top},346,{bottom},2,{bottom}"
        for href in variants:
            if rect:
                areas.append(f'<area shape="rect" coords="2,{top},346,{bottom}" href="{href}">')
            else:
                areas.append(f'<Area coords="{coords}" shape="polygon" href="{href}">')
    return "".join(areas)


def _body_html(article: Article, para: str, heading: str) -> str:
    """Paragraphs with 小标题 as bold paragraphs; `para`/`heading` are format strings."""
    lines = []
    for section in article.sections:
        if section.heading:
            lines.append(heading.format(escape(section.heading)))
        for paragraph in section.paragraphs:
            lines.append(para.format(escape(paragraph)))
    return "".join(lines)


def _caption_src(article: Article, index: int, default_dir: str, src: str) -> str:
    if src:
        return src
    digest = hashlib.sha1(f"{article.id}/{index}".encode()).hexdigest()[:12]
    return f"{default_dir}{digest}.jpg"


class _Scheme:
    def __init__(self, meta_charset: str | None, base_url: str) -> None:
        self.meta_charset = meta_charset
        self.base_url = base_url
        self.rect_areas = False  # shape="rect" areas, where the template uses them

    def layout_path(self, issue: _Issue, page: _Page) -> str:
        raise NotImplementedError

    def content_path(self, issue: _Issue, number: int) -> str:
        raise NotImplementedError

    def front_pages(self, newest: _Issue) -> list[tuple[str, str]]:
        first = self.layout_path(newest, newest.pages[0])
        return [("index.html", first)]

    def layout(
        self, issue: _Issue, page: _Page, prev_issue: _Issue | None, next_issue: _Issue | None
    ) -> str:
        raise NotImplementedError

    def content(self, issue: _Issue, page: _Page, number: int, article: Article) -> str:
        raise NotImplementedError

    def _day_links(
        self, here: str, prev_issue: _Issue | None, next_issue: _Issue | None, fmt: str
    ) -> str:
        links = []
        for label, css, other in (("上一期", "prev", prev_issue), ("下一期", "next", next_issue)):
            if other is not None:
                href = _rel(here, self.layout_path(other, other.pages[0]))
                links.append(fmt.format(href=href, label=label, cls=css))
        return "".join(links)


# --- 科技日报: classic Founder html/YYYY-MM/DD/node_N.htm -----------------------------------


class _Founder(_Scheme):
    def _dir(self, issue: _Issue) -> str:
        return f"html/{issue.day:%Y-%m}/{issue.day:%d}"

    def layout_path(self, issue: _Issue, page: _Page) -> str:
        return f"{self._dir(issue)}/node_{page.ordinal + 1}.htm"

    def content_path(self, issue: _Issue, number: int) -> str:
        return f"{self._dir(issue)}/content_{number}.htm"

    def front_pages(self, newest: _Issue) -> list[tuple[str, str]]:
        first = self.layout_path(newest, newest.pages[0])
        return [("index.html", first), ("paperindex.htm", first)]

    def _head(self) -> str:
        return (
            "\ufeff<html>\n<head>\n"
            '  <meta http-equiv="X-UA-Compatible" content="IE=EmulateIE7" />\n'
            f"  {_meta(self.meta_charset)}\n"
            '  <meta content="all" name="robots" />\n'
            '  <link href="../../../css/style3.css" type=text/css rel=stylesheet>\n'
            "  <title>科技日报--数字报</title>\n"
            '<script language="javascript" type="text/javascript" src="../../../js/mp.js"></script>\n'
            "</head>\n"
        )

    def _header(self) -> str:
        return (
            '<div id="header"><div id="head3_nav"><ul>'
            '<li><a href="/" target="new">首页</a></li>'
            '<li><a href="/news/index.htm" target="new">新闻</a></li>'
            '<li><a href="/pic/index.htm" target="new">图片</a></li>'
            '<li><a href="/video/index.htm" target="new">视频</a></li>'
            "</ul></div></div>\n"
        )

    def _footer(self) -> str:
        return (
            '<div id="feeter"><div id="kjrb_copyright" style="text-align:center;">'
            "Copyright © Science and Technology Daily, All Rights Reserved 科技日报社 版权所有"
            "</div></div>\n</body>\n</html>\n"
        )

    def _page_list(self, issue: _Issue, here: str) -> str:
        rows = []
        for i, page in enumerate(issue.pages):
            css = "bmname1" if i % 2 == 0 else "bmname2"
            href = _rel(here, self.layout_path(issue, page))
            label = f"第{page.number}版：{escape(page.name)}" if page.name else f"第{page.number}版"
            rows.append(f'<div class="{css}">&nbsp;<a id=pageLink href={href}>{label}</a></div>')
        return '<div class="bmname">\n' + "\n".join(rows) + "\n</div>"

    def _banci(self, page: _Page) -> str:
        if page.name:
            return f"第{page.number}版：<STRONG>{escape(page.name)}</STRONG>"
        return f"第{page.number}版"

    def _date_line(self, issue: _Issue) -> str:
        return f"{_zh_date(issue.day)} 星期{_WEEKDAYS_ZH[issue.day.weekday()]}"

    def layout(
        self, issue: _Issue, page: _Page, prev_issue: _Issue | None, next_issue: _Issue | None
    ) -> str:
        here = self.layout_path(issue, page)
        hrefs = [
            [f"content_{n}.htm?div=0", f"content_{n}.htm?div=-1"]
            if a.captions
            else [f"content_{n}.htm?div=-1"]
            for n, a in page.articles
        ]
        titles = "\n".join(
            '<li><img src="../../../image/checkbox.bmp" align="absmiddle" />'
            f'<a href=content_{n}.htm?div=-1><div style="display:inline" id=mp{n}>'
            f"{escape(_title_for_list(a))}</div></a>"
            for n, a in page.articles
        )
        next_page = ""
        if page.ordinal < len(issue.pages):
            nxt = _rel(here, self.layout_path(issue, issue.pages[page.ordinal]))
            next_page = f'<a class=preart href="{nxt}">下一版</a>'
        day_nav = self._day_links(here, prev_issue, next_issue, '<a href="{href}">{label}</a> ')
        picture = f"../../../images/{issue.day:%Y-%m}/{issue.day:%d}/{page.number}/page_b.jpg"
        return (
            self._head()
            + '<body onLoad="initialize();initMPPage();" id="bodycss">\n<div id="container">\n'
            + self._header()
            + '<div id="wrap"><div id="box"><div class="box0"><div class="box0-left">\n'
            + '<div class="tu"><div class="tu2-2">'
            + f"<map name=PagePicMap>{_map_areas(hrefs)}</map>"
            + f"<img src={picture} border=0 USEMAP=#PagePicMap></div></div>\n"
            + '<div class="zi"><div class="zi-top">'
            + f'<div class="banci">\n                {self._banci(page)}\n              </div>\n'
            + f'<div class="next">{next_page}</div></div>\n'
            + f'<div class="zi-meat"><div class="title">\n<ul>\n{titles}\n</ul>\n</div></div>\n'
            + "</div></div>\n"
            + '<div class="box0-right"><div class="right1">\n'
            + f'<div class="date">\n              {self._date_line(issue)}\n            </div>\n'
            + f'<div class="rqdh">{day_nav}</div>\n'
            + '<div class="bmml"></div>\n'
            + self._page_list(issue, here)
            + "\n</div></div>\n</div></div></div>\n"
            + self._footer()
        )

    def content(self, issue: _Issue, page: _Page, number: int, article: Article) -> str:
        here = self.content_path(issue, number)
        subtitle = f"——{escape(article.subtitle)}" if article.subtitle else ""
        pictures = "".join(
            '<table class="picture" width="100%" border="0" cellspacing="0" cellpadding="0">'
            f'<tr><td align="center"><img src="{escape(self._img(issue, page, article, i, c.src))}"'
            " border=0></td></tr>"
            f'<tr><td align="center" class="font6">{escape(c.text)}</td></tr></table>\n'
            for i, c in enumerate(article.captions)
        )
        body = _body_html(article, "<P>　　{}</P>", "<P><STRONG>{}</STRONG></P>")
        back = _rel(here, self.layout_path(issue, page))
        return (
            self._head()
            + '<body id="bodycss">\n<div id="container">\n'
            + self._header()
            + '<div id="wrap"><div class="box0-right"><div class="right1">\n'
            + f'<div class="date">{self._date_line(issue)}</div>\n'
            + f'<div class="banci">{self._banci(page)}</div>\n'
            + f'<div class="back"><a href="{back}">返回本版</a></div>\n'
            + "</div></div>\n"
            + '<div class="right-meat">\n'
            + '<table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
            + f'<tr><td align="center" class="yinti">{escape(article.kicker)}</td></tr>\n'
            + f'<tr><td align="center" class="biaoti">{escape(article.title)}</td></tr>\n'
            + f'<tr><td align="center" class="futi">{subtitle}</td></tr>\n'
            + f'<tr><td align="center" class="author">{escape(article.author)}</td></tr>\n'
            + "</table>\n"
            + f'<div class="tuwen">\n{pictures}'
            + '<div class="article"><div id="ozoom" style="font-size:14px;">\n'
            + f"<founder-content><!--enpcontent-->{body}<!--/enpcontent--></founder-content>\n"
            + "</div></div></div>\n</div>\n</div>\n"
            + self._footer()
        )

    def _img(self, issue: _Issue, page: _Page, article: Article, i: int, src: str) -> str:
        return _caption_src(
            article, i, f"../../../images/{issue.day:%Y-%m}/{issue.day:%d}/{page.number}/", src
        )


# --- the Founder "pc" systems: <root>pc/layout/YYYYMM/DD/node_NN.html ---------------------


class _Pc(_Scheme):
    """What 人民日报 and 湖北日报 share: the paths under `root`, the pictures' folder, and the
    article links of a layout page."""

    root = ""

    def layout_path(self, issue: _Issue, page: _Page) -> str:
        return f"{self.root}pc/layout/{issue.day:%Y%m}/{issue.day:%d}/node_{page.ordinal:02d}.html"

    def content_path(self, issue: _Issue, number: int) -> str:
        return f"{self.root}pc/content/{issue.day:%Y%m}/{issue.day:%d}/content_{number}.html"

    def _article_links(self, here: str, issue: _Issue, page: _Page) -> list[str]:
        return [_rel(here, self.content_path(issue, n)) for n, _ in page.articles]

    def _pic_dir(self, issue: _Issue) -> str:
        return f"../../../pic/{issue.day:%Y%m}/{issue.day:%d}/"

    def _img(self, issue: _Issue, article: Article, i: int, src: str) -> str:
        return _caption_src(article, i, self._pic_dir(issue), src)


# --- 人民日报: rmrb/pc/layout/YYYYMM/DD/node_NN.html ------------------------------------------


class _Rmrb(_Pc):
    root = "rmrb/"

    def front_pages(self, newest: _Issue) -> list[tuple[str, str]]:
        first = self.layout_path(newest, newest.pages[0])
        return [("index.html", first), ("rmrb/paperindex.htm", _rel("rmrb/paperindex.htm", first))]

    def _head(self) -> str:
        return (
            '\n<!DOCTYPE html>\n<html lang="en">\n\n<head>\n'
            f"\t{_meta(self.meta_charset)}\n"
            '\t<meta http-equiv="X-UA-Compatible" content="ie=edge">\n'
            "\t\t<title>人民日报-人民网</title>\n"
            '\t<meta content="all" name="robots" />\n'
            '\t<link href="/files/default.css" rel="stylesheet">\n'
            "</head>\n\n"
        )

    def _top(self) -> str:
        return (
            '\t\t<div class="top"><div class="w1000">'
            '<ul class="right nav"><li id="ribao">日报</li><li id="zhoubao">周报</li>'
            '<li id="zazhi">杂志</li></ul></div></div>\n'
        )

    def _bottom(self) -> str:
        return (
            '\t\t<div class="bottom"><div class="w1000">'
            '<p class="copy-cont">版权声明</p></div>'
            '<div class=" clearfix w1000"><div class="copyright">'
            "人 民 网 版 权 所 有 ，未 经 书 面 授 权 禁 止 使 用<br>"
            "Copyright &copy; 1997-2020 by www.people.com.cn all rights reserved"
            "</div></div></div>\n\t</body>\n\n\n</html>\n"
        )

    def layout(
        self, issue: _Issue, page: _Page, prev_issue: _Issue | None, next_issue: _Issue | None
    ) -> str:
        here = self.layout_path(issue, page)
        links = self._article_links(here, issue, page)
        slides = "".join(
            '\t\t\t\t\t\t\t<div class="swiper-slide">\n'
            f'\t\t\t\t\t\t\t\t<a id="pageLink" href="{_rel(here, self.layout_path(issue, p))}">'
            f"{_ban(p)}</a>\n\t\t\t\t\t\t\t</div>\n"
            for p in issue.pages
        )
        items = "".join(
            "\t\t\t\t\t\t\t\t<li>\n\t\t\t\t\t\t\t\t\t<span>·</span>\n"
            f'\t\t\t\t\t\t\t\t\t<a href="{href}"> {escape(_title_for_list(a))} </a>\n'
            "\t\t\t\t\t\t\t\t</li>\n"
            for href, (_, a) in zip(links, page.articles, strict=True)
        )
        day_nav = self._day_links(
            here,
            prev_issue,
            next_issue,
            '<span class="{cls}"><a href="{href}">{label}</a></span>\n',
        )
        picture = f"{self._pic_dir(issue)}page_{page.number}.jpg"
        pdf = f"../../../attachement/{issue.day:%Y%m}/{issue.day:%d}/page_{page.number}.pdf"
        return (
            self._head()
            + '\t<body onLoad="initialize();initMPPage();">\n'
            + self._top()
            + '\t\t<div class="main w1000">\n\t\t\t<div class="left paper-box">\n'
            + '\t\t\t\t<div class="paper">\n'
            + f'\t\t\t\t\t<MAP NAME="PagePicMap">{_map_areas([[h] for h in links])}</MAP>\n'
            + f'\t\t\t\t\t<img width="400" height="575" src="{picture}" border="0" '
            + "USEMAP=#PagePicMap>\n\t\t\t\t</div>\n"
            + '\t\t\t\t<div class="paper-bot">\n\t\t\t\t\t<p class="left ban">\n'
            + f"\t\t\t\t\t\t第{_ban(page)}\n\t\t\t\t\t</p>\n"
            + f'\t\t\t\t\t<p class="right btn">\n\t\t\t\t\t\t<a href="{pdf}">PDF下载</a>\n'
            + "\t\t\t\t\t</p>\n\t\t\t\t</div>\n\t\t\t</div>\n"
            + '\t\t\t<div class="right right-main">\n\t\t\t\t<div class="date-box">\n'
            + '\t\t\t\t\t<p class="date left">\n'
            + f'\t\t\t\t\t\t人民日报 <span class="newstime">{_zh_date(issue.day)} '
            + f"{_WEEKDAYS_EN[issue.day.weekday()]}</span>\n\t\t\t\t\t</p>\n"
            + f'\t\t\t\t\t<p class="right">\n{day_nav}\t\t\t\t\t</p>\n\t\t\t\t</div>\n'
            + '\t\t\t\t<div class="swiper-box">\n\t\t\t\t\t<div class="swiper-container">\n'
            + slides
            + "\t\t\t\t\t</div>\n\t\t\t\t</div>\n"
            + '\t\t\t\t<div class="news">\n\t\t\t\t\t<ul class="news-list">\n'
            + items
            + "\t\t\t\t\t</ul>\n\t\t\t\t</div>\n\t\t\t</div>\n\t\t</div>\n"
            + self._bottom()
        )

    def content(self, issue: _Issue, page: _Page, number: int, article: Article) -> str:
        here = self.content_path(issue, number)
        pictures = "".join(
            '<table class="pci_c" width="400" align="center"><tbody><tr><td align="center">'
            f'<img src="{escape(self._img(issue, article, i, c.src))}"></td></tr>'
            f'<tr><td align="center"><p>{escape(c.text)}</p></td></tr></tbody></table>\n'
            for i, c in enumerate(article.captions)
        )
        body = _body_html(
            article, '<p style="text-indent: 2em;">{}</p>\n', "<p><strong>{}</strong></p>\n"
        )
        date_line = f"《 人民日报 》（ {_zh_date(issue.day)}\u00a0\u00a0\u00a0第 {page.number} 版）"
        back = _rel(here, self.layout_path(issue, page))
        return (
            self._head()
            + "\t<body>\n"
            + self._top()
            + '\t\t<div class="main w1000">\n'
            + '\t\t\t<div class="left paper-box"><div class="paper-bot">'
            + f'<p class="left ban"><a href="{back}">第{_ban(page)}</a></p></div></div>\n'
            + '\t\t\t<div class="right right-main"><div class="article-box">\n'
            + '\t\t\t\t<div class="article">\n'
            + f"\t\t\t\t\t<h3>{escape(article.kicker)}</h3>\n"
            + f"\t\t\t\t\t<h1>{escape(article.title)}</h1>\n"
            + f"\t\t\t\t\t<h2>{escape(article.subtitle)}</h2>\n"
            + f'\t\t\t\t\t<p class="sec">{escape(article.author)}</p>\n'
            + f'\t\t\t\t\t<div class="sec"><span class="date">{date_line}</span></div>\n'
            + f"{pictures}"
            + f'\t\t\t\t\t<div id="ozoom">\n{body}\t\t\t\t\t</div>\n'
            + "\t\t\t\t</div>\n\t\t\t</div></div>\n\t\t</div>\n"
            + self._bottom()
        )


# --- 湖北日报: pc/layout/YYYYMM/DD/node_NN.html + pc/content/…/content_N.html ------------------


class _Hubei(_Pc):
    def _head(self, title: str) -> str:
        return (
            "<!DOCTYPE html>\n<html>\n<head>\n"
            f"{_meta(self.meta_charset)}\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{title}</title>\n"
            '<link rel="stylesheet" href="../../../../static/css/paper.css">\n'
            "</head>\n"
        )

    def layout(
        self, issue: _Issue, page: _Page, prev_issue: _Issue | None, next_issue: _Issue | None
    ) -> str:
        here = self.layout_path(issue, page)
        links = self._article_links(here, issue, page)
        pages = "".join(
            f'<li><a id="pageLink" href="{_rel(here, self.layout_path(issue, p))}">'
            f"{_ban(p)}</a></li>\n"
            for p in issue.pages
        )
        items = "".join(
            f'<li><a href="{href}"><h3>{escape(_title_for_list(a))}</h3></a></li>\n'
            for href, (_, a) in zip(links, page.articles, strict=True)
        )
        day_nav = self._day_links(here, prev_issue, next_issue, '<a href="{href}">{label}</a>\n')
        picture = f"{self._pic_dir(issue)}page_{page.number}.jpg"
        return (
            self._head("湖北日报数字报")
            + "<body>\n"
            + '<div class="header"><a href="https://epaper.hubeidaily.net">数字报</a> | '
            + '<a href="/download.html">客户端</a> | <a href="/">网站</a></div>\n'
            + '<div class="main">\n<div class="main-left">\n'
            + f'<div class="paper-date">{_zh_date(issue.day)}</div>\n'
            + f'<div class="day-nav">{day_nav}</div>\n'
            + f'<div class="layout-title">{_ban(page)}</div>\n'
            + f'<div class="pic"><img src="{picture}" usemap="#PagePicMap">\n'
            + f'<map name="PagePicMap">{_map_areas([[h] for h in links], self.rect_areas)}</map>'
            + "</div>\n"
            + "</div>\n"
            + f'<div class="main-right">\n<ul class="layout-list">\n{pages}</ul>\n'
            + f'<ul class="news-list">\n{items}</ul>\n</div>\n</div>\n'
            + self._footer()
            + "</body>\n</html>\n"
        )

    def _footer(self) -> str:
        return (
            '\t\t<div class="footer_sqd">\n\t\t<span>\n'
            '\t\t<a href="https://epaper.hubeidaily.net" target="_blank">数字报 |</a>\n'
            '\t\t<a href="http://news.hubeidaily.net/download.html" target="_blank">客户端 |</a>\n'
            '\t\t<a href="http://news.hubeidaily.net" target="_blank">网站</a>\n'
            "\t\t</span>\n\n"
            "\t    <span>Copyright © 湖北日报 [鄂ICP备12007957号-2] </span>\n"
            "\t    <span>湖北日报传媒集团出品 </span>\n\t\t</div>\n"
        )

    def content(self, issue: _Issue, page: _Page, number: int, article: Article) -> str:
        here = self.content_path(issue, number)
        pictures = "".join(
            f'\t\t\t\t<img src="{escape(self._img(issue, article, i, c.src))}"'
            ' style="border-style: none">\n'
            f"\t\t\t\t<p>    {escape(c.text)}</p>\n"
            for i, c in enumerate(article.captions)
        )
        body = _body_html(article, "<p>    {}</p>", "<p><strong>{}</strong></p>")
        url = self.base_url + here
        prop = (
            f"<!--enpproperty <date>{issue.day:%Y-%m-%d} 00:00:00:0</date>"
            f"<author>{escape(article.author)}</author>"
            f"<subtitle>{escape(article.subtitle)}</subtitle>"
            f"<introtitle>{escape(article.kicker)}</introtitle><keyword></keyword>"
            f"<paperarticleid>{number}</paperarticleid><channel>1</channel><nodeid>0</nodeid>"
            f"<nodename></nodename><url>{escape(url)}</url>"
            f"<urlpad>content_{number}.html</urlpad><siteid>1</siteid><paperid>5</paperid>"
            f"<title>{escape(article.title)}</title>/enpproperty-->"
        )
        back = _rel(here, self.layout_path(issue, page))
        return (
            self._head(escape(article.title) or "湖北日报数字报")
            + "<body>\n"
            + f'<div class="back"><a href="{back}">返回版面</a></div>\n'
            + '<div id="scroller">\n'
            + '            <div class="caption">\n'
            + '                <a name="top" id="top"></a>\n'
            + '                <font id="guide"></font>\n                 \n'
            + f'\t\t\t\t<p id="nowLayout" class="hide">{page.number}</p>\n'
            + f'\t\t\t\t<font id="intro-title">{escape(article.kicker)}</font>\n'
            + f'\t\t\t\t<font id="main-title">{escape(article.title)}</font>\n'
            + f'                <font id="sub-title">{escape(article.subtitle)}</font>\n'
            + f'                <font id="author">{_zh_date(issue.day)}</font>\n'
            + "            </div>\n"
            + '            <div class="content" id="content">\n'
            + pictures
            + "                    <founder-content>\n"
            + f"\t\t\t\t\t<!--enpcontent-->{body}<!--/enpcontent-->{prop}\n"
            + "\t\t\t\t\t</founder-content>\n"
            + "            </div>\n\n\t\t\n"
            + self._footer()
            + "\t\t\n        </div>\n"
            + "</body>\n</html>\n"
        )


_SCHEMES: dict[str, type[_Scheme]] = {"founder": _Founder, "rmrb": _Rmrb, "hubei": _Hubei}
