"""Article pages in eight template families the cleaner has no profile for (issue 10).

`render_site` (tests/sitegen.py) renders whole sites in the three templates the crawler knows;
this module renders single article pages the way other e-paper skins print them, so the
cleaner can be measured on templates it was not written against:

- "table-founder": the classic Founder table (td.font01/font02 rows), GBK declared gb2312,
  the info line in the row under the titles;
- "div-founder": a div skin with short class names (yt/bt/ft), the info line in a div;
- "ozoom": a Founder skin whose titles are told apart by font size alone, div#ozoom body;
- "rmrb-nbs": the old 人民日报 nw.D110000renmrb_* page (h3/h1/h2/h4, div.lai date line);
- "html5": an <article> with <header>, <time>, <figure>/<figcaption>;
- "mobile": a phone page (viewport, m-* classes, the 版次 in the URL's query);
- "big5": a traditional-Chinese table page in Big5 (字數, 記者);
- "bare": no class or id at all: <font size>, <b>, <center>, <br>.

Every field is present on some pages and absent on others (it follows the article), and each
page draws its info line (order, separator, which parts) and its 版名 form (第07版：经济,
A07·要闻, in the <title>, none) from `variant`. `Rendered.shown` is the article as the page
shows it: what a perfect cleaner gives back. Output is deterministic for a given variant.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
from dataclasses import dataclass, replace
from datetime import date as Date
from functools import cache
from html import escape
from pathlib import Path

from indexer.article import Article, Caption, Section

FAMILIES = (
    "table-founder",
    "div-founder",
    "ozoom",
    "rmrb-nbs",
    "html5",
    "mobile",
    "big5",
    "bare",
)
SITE = "http://epaper.example.org"
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Rendered:
    data: bytes
    url: str
    shown: Article  # the fields the page prints, as a perfect cleaner would give them back
    family: str


@dataclass(frozen=True)
class _Style:
    """What a variant prints and how."""

    date_form: int  # 2025年01月22日 / 2025-01-22 / with 星期
    info_order: tuple[str, ...]  # the parts of the info line, in order
    separator: str
    name_form: str  # "label" 第07版：经济 / "dot" A07·经济 / "title" in <title> / "none"
    byline_in_info: bool  # 作者：… in the info line instead of a byline under the title
    show_page: bool


def _style(article: Article, variant: int) -> _Style:
    rng = random.Random(f"{article.id}/{variant}")
    parts = ["date", "words", "page"]
    if rng.random() < 0.3:
        parts.remove("words")
    show_page = rng.random() < 0.85
    if not show_page:
        parts.remove("page")
    byline_in_info = bool(article.author) and rng.random() < 0.3
    if byline_in_info:
        parts.append("author")
    rng.shuffle(parts)
    return _Style(
        date_form=rng.randrange(3),
        info_order=tuple(parts),
        separator=rng.choice([" ", "\u3000", " | ", "&nbsp;&nbsp;", " / ", "｜"]),
        name_form=rng.choice(["label", "dot", "title", "none"]),
        byline_in_info=byline_in_info,
        show_page=show_page,
    )


def render_article_page(article: Article, family: str, variant: int = 0) -> Rendered:
    """One article page of `family` showing `article`; `variant` picks the info line and 版名."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    if family == "big5":
        article = _traditional(article)
    style = _style(article, variant)
    page = _Page(article, style)
    html, url = _RENDERERS[family](page)
    encoding = {"table-founder": "gbk", "big5": "big5", "rmrb-nbs": "gb18030"}.get(family, "utf-8")
    return Rendered(
        html.encode(encoding, errors="xmlcharrefreplace"), url, page.shown(family), family
    )


# --- what a page prints --------------------------------------------------------------------


class _Page:
    def __init__(self, article: Article, style: _Style) -> None:
        self.a = article
        self.style = style
        self.day = Date.fromisoformat(article.date)
        digest = hashlib.sha1(article.id.encode()).hexdigest()
        self.number = int(digest[:8], 16) % 90000 + 10000

    def shown(self, family: str) -> Article:
        a, s = self.a, self.style
        page_shown = s.show_page or (s.name_form != "none" and bool(a.page_name))
        page_shown = page_shown or family in ("mobile", "rmrb-nbs")
        name_shown = s.name_form != "none" and family != "rmrb-nbs"
        return replace(
            a,
            page=a.page if page_shown else "",
            page_name=a.page_name if name_shown else "",
            author=" ".join(a.author.split()),
            pages=[],
        )

    @property
    def zh_date(self) -> str:
        d = self.day
        text = f"{d.year}年{d.month:02d}月{d.day:02d}日"
        if self.style.date_form == 1:
            return d.isoformat()
        if self.style.date_form == 2:
            return f"{text} 星期{_WEEKDAYS[d.weekday()]}"
        return text

    def info_line(self, *, traditional: bool = False) -> str:
        words = "字數" if traditional else "字数"
        author = "作者"
        parts = {
            "date": self.zh_date,
            "words": f"{words}:{sum(len(p) for p in self.a.paragraphs):,}",
            "page": f"版次:{self.a.page}",
            "author": f"{author}：{escape(self.a.author)}",
        }
        return self.style.separator.join(parts[k] for k in self.style.info_order)

    def page_label(self) -> str:
        """The 版次/版名 label beside the article, as the variant prints it."""
        a, form = self.a, self.style.name_form
        if form == "label" and a.page_name:
            return f"第{a.page}版：{escape(a.page_name)}"
        if form == "dot" and a.page_name:
            prefix = a.page if a.page[:1].isalpha() else f"{a.page}版"
            return f"{prefix}·{escape(a.page_name)}"
        return ""

    def doc_title(self, paper: str) -> str:
        a = self.a
        if self.style.name_form == "title" and a.page_name:
            return f"{escape(a.title)}_第{a.page}版：{escape(a.page_name)}_{paper}"
        return f"{escape(a.title)}_{paper}"

    def byline(self) -> str:
        return "" if self.style.byline_in_info else escape(self.a.author)

    def title_block(self, kicker: str, title: str, subtitle: str, byline: str, info: str) -> str:
        """引题, 标题, 副题, byline and info line, each in its format ("{}" for the text); the
        parts the article lacks are left out, as pages leave out their rows."""
        a = self.a
        parts = [(kicker, escape(a.kicker)), (title, escape(a.title))]
        parts += [(subtitle, escape(a.subtitle)), (byline, self.byline())]
        parts.append((info, self.info_line(traditional=a.paper == "江城晚報")))
        return "".join(fmt.format(text) for fmt, text in parts if text and fmt)

    def paragraphs(self, para: str, heading: str) -> str:
        out = []
        for section in self.a.sections:
            if section.heading:
                out.append(heading.format(escape(section.heading)))
            out += [para.format(escape(p)) for p in section.paragraphs]
        return "\n".join(out)

    def photos(self, fmt: str) -> str:
        return "\n".join(
            fmt.format(src=f"/images/{self.day:%Y%m%d}/p{self.number}_{i}.jpg", cap=escape(c.text))
            for i, c in enumerate(self.a.captions)
        )

    def nav(self) -> str:
        """The chrome of every page: the page list as links, 上一篇/下一篇, a footer."""
        pages = "".join(
            f'<li><a href="node_{n}.htm">第{n:02d}版：{name}</a></li>'
            for n, name in ((1, "要闻"), (2, "城事"), (3, "经济"), (4, "文体"))
        )
        return f"<ul>{pages}</ul>"

    def turn(self) -> str:
        return (
            '<a href="content_1.htm">上一篇</a> <a href="content_2.htm">下一篇</a> '
            '<a href="node_1.htm">返回目录</a>'
        )

    def footer(self, paper: str) -> str:
        return f"Copyright © {paper}社 版权所有 未经授权不得转载 技术支持：方正电子"


def _head(title: str, charset: str, extra: str = "") -> str:
    return (
        "<html><head>"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"{extra}<title>{title}</title></head>\n"
    )


# --- the families ---------------------------------------------------------------------------


def _table_founder(p: _Page) -> tuple[str, str]:
    rows = p.title_block(
        '<tr><td class="font02" align="center">{}</td></tr>',
        '<tr><td class="font01" align="center">{}</td></tr>',
        '<tr><td class="font02" align="center">——{}</td></tr>',
        '<tr><td class="font02" align="center">{}</td></tr>',
        '<tr><td class="font02" align="center">{}</td></tr>',
    )
    photos = p.photos(
        '<table width="100%"><tr><td align="center"><img src="{src}" border=0></td></tr>'
        '<tr><td align="center" class="font6">{cap}</td></tr></table>'
    )
    html = (
        _head(p.doc_title("江城晚报"), "gb2312")
        + f'<body><table width="980"><tr><td width="300" valign="top">{p.nav()}'
        + f'<div class="ban">{p.page_label()}</div></td>\n<td valign="top">'
        + f'<table width="100%">{rows}</table>\n{photos}\n'
        + "<founder-content><!--enpcontent-->"
        + p.paragraphs("<P>\u3000\u3000{}</P>", "<P><STRONG>{}</STRONG></P>")
        + "<!--/enpcontent--></founder-content>\n"
        + f"<div>{p.turn()}</div></td></tr></table>\n"
        + f'<div align="center">{p.footer("江城晚报")}</div></body></html>'
    )
    return html, f"{SITE}/html/{p.day:%Y-%m}/{p.day:%d}/content_{p.number}.htm"


def _div_founder(p: _Page) -> tuple[str, str]:
    head = p.title_block(
        '<div class="yt">{}</div>\n',
        '<div class="bt">{}</div>\n',
        '<div class="ft">{}</div>\n',
        '<div class="zz">{}</div>\n',
        '<div class="info">{}</div>\n',
    )
    photos = p.photos('<div class="pic"><img src="{src}"><p class="pic-txt">{cap}</p></div>')
    html = (
        _head(p.doc_title("江城晚报"), "utf-8")
        + '<body><div class="top"><a href="/">首页</a> <a href="/epaper/">数字报</a>'
        + " <span>今天是2026年12月02日 星期三</span></div>\n"
        + f'<div class="left"><div class="bm">{p.page_label()}</div>{p.nav()}</div>\n'
        + f'<div class="right"><div class="art">{head}{photos}\n<div class="content">'
        + p.paragraphs("<p>\u3000\u3000{}</p>", "<p><b>{}</b></p>")
        + f"</div>\n<div>{p.turn()}</div></div></div>\n"
        + f'<div class="footer">{p.footer("江城晚报")}</div></body></html>'
    )
    return html, f"{SITE}/epaper/{p.day:%Y%m}/{p.day:%d}/content_{p.number}.html"


def _ozoom(p: _Page) -> tuple[str, str]:
    rows = p.title_block(
        '<tr><td style="font-size:14px">{}</td></tr>',
        '<tr><td style="font-size:26px;font-weight:bold">{}</td></tr>',
        '<tr><td style="font-size:16px">{}</td></tr>',
        '<tr><td style="font-size:12px">{}</td></tr>',
        '<tr><td style="font-size:12px;color:#666">{}</td></tr>',
    )
    photos = p.photos(
        '<table align="center"><tr><td><img src="{src}"></td></tr><tr><td>{cap}</td></tr></table>'
    )
    html = (
        _head(p.doc_title("江城晚报"), "utf-8")
        + f'<body><div id="topnav">{p.nav()}</div>\n'
        + f'<div class="layout-name">{p.page_label()}</div>\n'
        + f'<table width="100%">{rows}</table>\n{photos}\n'
        + '<div id="ozoom"><founder-content>'
        + p.paragraphs("<p>\u3000\u3000{}</p>", "<p><strong>{}</strong></p>")
        + f"</founder-content></div>\n<p>{p.turn()}</p>\n"
        + f'<div id="copyright">{p.footer("江城晚报")}</div></body></html>'
    )
    return html, f"{SITE}/paper/html/{p.day:%Y-%m}/{p.day:%d}/content_{p.number}.htm"


def _rmrb_nbs(p: _Page) -> tuple[str, str]:
    a = p.a
    info = f"《 江城晚报 》（ {p.day.year}年{p.day.month:02d}月{p.day.day:02d}日 第 {a.page} 版）"
    photos = p.photos(
        '<table class="pci_c" align="center"><tr><td><img src="{src}"></td></tr>'
        "<tr><td><p>{cap}</p></td></tr></table>"
    )
    html = (
        _head(f"{escape(a.title)}--江城晚报", "gb2312")
        + f'<body><div class="ri_t">{p.nav()}</div>\n<div class="text_c">\n'
        + f"<h3>{escape(a.kicker)}</h3>\n<h1>{escape(a.title)}</h1>\n"
        + f"<h2>{escape(a.subtitle)}</h2>\n<h4>{escape(a.author)}</h4>\n"
        + f'<div class="lai"><a href="#">江城晚报</a> {info}</div>\n'
        + f'<div class="c_c">{photos}<div id="ozoom"><founder-content>'
        + p.paragraphs("<P>\u3000\u3000{}</P>", "<P><B>{}</B></P>")
        + "</founder-content></div></div></div>\n"
        + f'<div class="copyright">{p.footer("江城晚报")}</div></body></html>'
    )
    url = f"{SITE}/html/{p.day:%Y-%m}/{p.day:%d}/nw.D110000jcwb_{p.day:%Y%m%d}_{p.number}-{a.page}.htm"
    return html, url


def _html5(p: _Page) -> tuple[str, str]:
    a = p.a
    head = p.title_block(
        '<p class="kicker">{}</p>\n',
        "<h1>{}</h1>\n",
        '<p class="subtitle">{}</p>\n',
        '<p class="byline">{}</p>\n',
        f'<p class="meta"><time datetime="{a.date}">{{}}</time></p>\n',
    )
    if p.page_label():
        head += f'<p class="section">{p.page_label()}</p>\n'
    photos = p.photos('<figure><img src="{src}" alt=""><figcaption>{cap}</figcaption></figure>')
    html = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{p.doc_title('江城晚报')}</title></head>\n"
        f"<body><nav>{p.nav()}</nav>\n<main><article><header>{head}</header>\n{photos}\n"
        + "<section>"
        + p.paragraphs("<p>{}</p>", "<h2>{}</h2>")
        + f"</section></article>\n<aside>{p.turn()}</aside></main>\n"
        + f"<footer>{p.footer('江城晚报')}</footer></body></html>"
    )
    return html, f"{SITE}/news/{p.day:%Y/%m/%d}/{p.number}.html"


def _mobile(p: _Page) -> tuple[str, str]:
    a = p.a
    head = p.title_block(
        '<div class="m-yinti">{}</div>',
        '<div class="m-title">{}</div>',
        '<div class="m-futi">{}</div>',
        '<div class="m-author">{}</div>',
        '<div class="m-date">{}</div>',
    )
    photos = p.photos('<div class="m-img"><img src="{src}"><span>{cap}</span></div>')
    html = (
        _head(
            p.doc_title("江城晚报"),
            "utf-8",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
        )
        + '<body><div class="m-header"><a href="/m/">江城晚报</a> <a href="/m/list">目录</a></div>\n'
        + f'<div class="m-bm">{p.page_label()}</div>\n'
        + f'<div class="m-article">{head}{photos}<div class="m-body">'
        + p.paragraphs("<p>{}</p>", "<p><strong>{}</strong></p>")
        + f'</div></div>\n<div class="m-pager">{p.turn()}</div>\n'
        + f'<div class="m-footer">{p.footer("江城晚报")}</div></body></html>'
    )
    return html, f"{SITE}/m/{p.day:%Y%m%d}/article.html?id={p.number}&banci={a.page}"


def _big5(p: _Page) -> tuple[str, str]:
    rows = p.title_block(
        '<tr><td class="yinti">{}</td></tr>',
        '<tr><td class="biaoti">{}</td></tr>',
        '<tr><td class="futi">{}</td></tr>',
        '<tr><td class="zuozhe">{}</td></tr>',
        "<tr><td>{}</td></tr>",
    )
    photos = p.photos(
        '<table class="tu"><tr><td><img src="{src}"></td></tr><tr><td>{cap}</td></tr></table>'
    )
    html = (
        _head(p.doc_title("江城晚報"), "big5")
        + '<body><div class="daohang"><a href="/">網站首頁</a> '
        + '<a href="/epaper/">數字報首頁</a></div>\n'
        + f'<div class="banming">{p.page_label()}</div>\n'
        + f'<table class="wz">{rows}</table>\n{photos}\n<div class="zhengwen">'
        + p.paragraphs("<p>\u3000\u3000{}</p>", "<p><b>{}</b></p>")
        + '</div>\n<div><a href="c1.htm">上一篇</a> <a href="c2.htm">下一篇</a></div>\n'
        + "<div>Copyright 2025 江城晚報社 版權所有</div></body></html>"
    )
    return html, f"{SITE}/big5/{p.day:%Y-%m}/{p.day:%d}/content_{p.number}.htm"


def _bare(p: _Page) -> tuple[str, str]:
    head = p.title_block(
        '<font size="3">{}</font><br>\n',
        '<font size="5"><b>{}</b></font><br>\n',
        '<font size="3">——{}</font><br>\n',
        '<font size="2">{}</font><br>\n',
        "",
    )
    photos = p.photos(
        '<table align="center"><tr><td><img src="{src}"></td></tr><tr><td>{cap}</td></tr></table>'
    )
    html = (
        _head(p.doc_title("江城晚报"), "utf-8")
        + f"<body><table><tr><td>{p.nav()}<p>{p.page_label()}</p></td><td>\n"
        + f'<center>{head}</center>\n<p align="center">{p.info_line()}</p><hr>\n{photos}\n'
        + p.paragraphs("<p>\u3000\u3000{}</p>", "<p><b>{}</b></p>")
        + f"\n<p>{p.turn()}</p></td></tr></table>\n"
        + f'<p align="center">{p.footer("江城晚报")}</p></body></html>'
    )
    return html, f"{SITE}/{p.day:%Y-%m-%d}/{p.number}.htm"


_RENDERERS = {
    "table-founder": _table_founder,
    "div-founder": _div_founder,
    "ozoom": _ozoom,
    "rmrb-nbs": _rmrb_nbs,
    "html5": _html5,
    "mobile": _mobile,
    "big5": _big5,
    "bare": _bare,
}


# --- random articles in our own words --------------------------------------------------------


@cache
def demo_articles() -> tuple[Article, ...]:
    """The demo paper's 36 articles (scripts/make_demo.py), written for this project."""
    path = Path(__file__).resolve().parent.parent / "scripts" / "make_demo.py"
    spec = importlib.util.spec_from_file_location("baoku_make_demo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.build_articles())


def random_article(seed: int) -> Article:
    """A demo article with fields randomly dropped, moved to another page or renamed: every
    field is present on some articles and absent on others."""
    rng = random.Random(seed)
    pool = demo_articles()
    base = pool[rng.randrange(len(pool))]
    other = pool[rng.randrange(len(pool))]
    page = base.page
    if rng.random() < 0.3:
        page = rng.choice("ABC") + f"{rng.randrange(1, 16):02d}"
    sections = [Section(s.heading, list(s.paragraphs)) for s in base.sections]
    if rng.random() < 0.3:
        sections = [Section("", [p for s in sections for p in s.paragraphs])]
    captions = [Caption(c.text) for c in base.captions]
    if rng.random() < 0.3 and other.captions:
        captions += [Caption(c.text) for c in other.captions if c.text not in base.paragraphs]
    return Article(
        id=f"r{seed:06d}{rng.randrange(16**4):04x}",
        paper="江城晚报",
        date=base.date,
        page=page,
        page_name=base.page_name if rng.random() < 0.8 else "",
        kicker=_maybe(rng, base.kicker or other.kicker, 0.6),
        title=base.title,
        subtitle=_maybe(rng, base.subtitle or other.subtitle, 0.5),
        author=_maybe(rng, base.author, 0.8),
        sections=sections,
        captions=captions if rng.random() < 0.8 else [],
    )


def _maybe(rng: random.Random, value: str, chance: float) -> str:
    return value if rng.random() < chance else ""


@cache
def _converter():
    import opencc

    return opencc.OpenCC("s2tw")


def _traditional(article: Article) -> Article:
    """The article as a Hong Kong or Taiwan paper would print it."""
    t = _converter().convert
    return replace(
        article,
        paper=t(article.paper),
        page_name=t(article.page_name),
        kicker=t(article.kicker),
        title=t(article.title),
        subtitle=t(article.subtitle),
        author=t(article.author),
        sections=[Section(t(s.heading), [t(p) for p in s.paragraphs]) for s in article.sections],
        captions=[Caption(t(c.text), c.src) for c in article.captions],
        body="",
    )


# --- scoring a cleaned article against the page ----------------------------------------------

SCORED = (
    "kicker",
    "title",
    "subtitle",
    "author",
    "date",
    "page",
    "page_name",
    "headings",
    "paragraphs",
    "captions",
)


def _value(article: Article, name: str) -> object:
    if name == "captions":
        return [" ".join(c.text.split()) for c in article.captions if c.text.strip()]
    if name in ("headings", "paragraphs"):
        return [" ".join(text.split()) for text in getattr(article, name)]
    return " ".join(str(getattr(article, name)).split())


def score(shown: Article, got: Article) -> dict[str, str]:
    """Per field: "right", "empty" (shown but not extracted), "wrong" (extracted and not what
    the page shows, or something the page does not show) or "absent" (neither)."""
    out = {}
    for name in SCORED:
        want, have = _value(shown, name), _value(got, name)
        if not have:
            out[name] = "empty" if want else "absent"
        else:
            out[name] = "right" if have == want else "wrong"
    return out
