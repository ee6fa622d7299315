"""Templates the cleaner has never seen: no profile matches, the generic extractor must cope.

Both pages are invented here (text in our own words), with class names no profile or rule
targets by name, Chinese labels, and the date only in the URL.
"""

from __future__ import annotations

import re

import pytest

from indexer.clean import CleanError, clean_html, clean_page
from tests.conftest import require_shared
from tests.test_clean_templates import founder_classic_page, rmrb_new_page, rmrb_old_page

TITLE = "老街巷换新颜 居民乐开怀"
KICKER = "城市更新进行时"
SUBTITLE = "东城区三年改造十二条背街小巷纪实"
CAPTIONS = ["改造后的南门巷铺上了青石板。记者 李文 摄", "居民在新建的口袋公园里下棋。"]
SECTIONS = [
    (
        "",
        [
            "清晨七点，南门巷的早点铺已经排起了队。三年前，这里还是坑洼不平的土路，雨天一脚泥。",
            "从去年春天开始，东城区把十二条背街小巷列入改造清单，先修路、再理线、后补绿。",
        ],
    ),
    (
        "先问居民要什么",
        [
            "改造之前，街道干部挨家挨户上门，收集了三百多条意见，停车难排在第一位。",
            "设计方案几易其稿，最后保留了老槐树，把停车位挪到了巷口的空地上。",
        ],
    ),
    (
        "小空间里做文章",
        [
            "巷子中段的一块废弃空地，变成了有座椅、有花坛的口袋公园，老人们在这里下棋聊天。",
            "“以前出门就想快点走，现在愿意在巷子里多待一会儿。”住了四十年的王大爷笑着说。",
        ],
    ),
]
PARAGRAPHS = [p for _, ps in SECTIONS for p in ps]
CHROME = ("首页", "上一篇", "下一篇", "返回", "版权所有", "ICP", "第A01版", "要闻")


def variant_divs() -> str:
    """Divs with names we never target (zw-*), Chinese labels in 【】, no date on the page."""
    paragraphs = []
    for heading, texts in SECTIONS:
        if heading:
            paragraphs.append(f'<p style="text-align:center"><b>{heading}</b></p>')
        paragraphs += [f"<p>&nbsp;&nbsp;&nbsp;&nbsp;{t}</p>" for t in texts]
    figures = "".join(
        f'<figure><img src="/res/{i}.jpg" alt="图片"><figcaption>{c}</figcaption></figure>'
        for i, c in enumerate(CAPTIONS, 1)
    )
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>{TITLE}_东城晚报</title></head><body>
<div class="hd-links"><a href="/">首页</a> | <a href="/epaper/">电子版</a> | <a href="/about">关于我们</a></div>
<div class="pg-nav"><a href="../node_1.htm">第A01版：要闻</a> <a href="../node_3.htm">第A03版：城事</a></div>
<div class="zw-wrap">
  <div class="zw-yt">{KICKER}</div>
  <div class="zw-zt">{TITLE}</div>
  <div class="zw-ft">——{SUBTITLE}</div>
  <div class="zw-xx">【版次】A03　【版名】城事　【作者】记者 李文</div>
  <div class="zw-tp">{figures}</div>
  <div class="zw-nr">{"".join(paragraphs)}</div>
  <div class="zw-fy"><a href="content_87.htm">上一篇</a> <a href="content_89.htm">下一篇</a> <a href="../node_3.htm">返回版面</a></div>
</div>
<div class="dibu">东城晚报社 版权所有 京ICP备00000000号</div>
</body></html>"""


def variant_table() -> str:
    """A table layout: paragraphs split by <br> in one cell, <b> headings, photos in the cell."""
    lines = []
    for heading, texts in SECTIONS:
        if heading:
            lines.append(f"<b>{heading}</b><br>")
        lines += [f"&nbsp;&nbsp;&nbsp;&nbsp;{t}<br><br>" for t in texts]
    photos = "".join(
        f'<table align="center"><tr><td><img src="../../pic/{i}.jpg"></td></tr>'
        f'<tr><td class="sm">{c}</td></tr></table>'
        for i, c in enumerate(CAPTIONS, 1)
    )
    return f"""<html><head><meta http-equiv="content-type" content="text/html; charset=gbk">
<title>东城晚报-数字报刊平台</title></head>
<body><table width="980" align="center">
<tr><td colspan="2"><a href="/">首页</a> <a href="/epaper">往期回顾</a></td></tr>
<tr><td width="300" valign="top">
  <table><tr><td><a href="node_1.htm">第A01版：要闻</a></td></tr>
  <tr><td><a href="node_5.htm">第A05版：经济</a></td></tr></table>
</td><td valign="top">
  <table width="100%">
    <tr><td class="bc">第A05版：经济</td></tr>
    <tr><td id="ArticlePreTitle">{KICKER}</td></tr>
    <tr><td id="ArticleTitle"><span class="hei22">{TITLE}</span></td></tr>
    <tr><td id="ArticleSubTitle">{SUBTITLE}</td></tr>
    <tr><td class="zw">{photos}{"".join(lines)}</td></tr>
    <tr><td><a href="content_2.htm">上一篇：另一篇稿件</a> <a href="content_4.htm">下一篇：又一篇稿件</a></td></tr>
  </table>
</td></tr>
<tr><td colspan="2">Copyright 2024 东城晚报 版权所有</td></tr>
</table></body></html>"""


def _no_chrome(article) -> None:
    texts = [article.title, article.subtitle, article.kicker, article.body, *article.headings]
    texts += [c.text for c in article.captions]
    for text in texts:
        for word in CHROME:
            assert word not in text, word


def test_divs_with_unknown_names_and_labels():
    url = "http://wb.example.cn/epaper/html/2024-05/06/content_88.htm"
    article = clean_page(variant_divs().encode("utf-8"), url=url)
    assert article.title == TITLE
    assert article.subtitle == SUBTITLE
    assert article.date == "2024-05-06"
    assert article.page == "A03"
    assert article.page_name == "城事"
    assert [(c.text, c.src) for c in article.captions] == [
        (c, f"/res/{i}.jpg") for i, c in enumerate(CAPTIONS, 1)
    ]
    assert article.headings == [h for h, _ in SECTIONS if h]
    assert [(s.heading, s.paragraphs) for s in article.sections] == SECTIONS
    assert article.author == "记者 李文"
    assert article.paper == "东城晚报"
    assert article.url == url
    _no_chrome(article)


def test_table_layout_with_br_paragraphs_in_gbk():
    url = "http://wb.example.cn/paper/202405/06/content_3.html"
    article = clean_page(variant_table().encode("gbk"), url=url)
    assert article.title == TITLE
    assert article.kicker == KICKER
    assert article.subtitle == SUBTITLE
    assert article.date == "2024-05-06"
    assert article.page == "A05"
    assert article.page_name == "经济"
    assert [(c.text, c.src) for c in article.captions] == [
        (c, f"../../pic/{i}.jpg") for i, c in enumerate(CAPTIONS, 1)
    ]
    assert [(s.heading, s.paragraphs) for s in article.sections] == SECTIONS
    assert article.paper == "东城晚报"
    _no_chrome(article)


def test_without_url_the_date_comes_from_the_page_or_stays_empty():
    article = clean_page(variant_divs().encode("utf-8"))
    assert article.date == ""  # nothing on the page says when: no guessing
    dated = variant_divs().replace("【版次】A03", "2024年05月06日　【版次】A03")
    assert clean_page(dated.encode("utf-8")).date == "2024-05-06"


# --- the generic extractor alone, on pages a profile also reads ---------------------------

FIELDS = ("title", "kicker", "subtitle", "author", "date", "page", "paper", "sections", "captions")
# The same article, for the profile templates of tests/test_clean_templates.py.
SOURCE = {
    "date": "2024-03-05",
    "page": "04",
    "kicker": KICKER,
    "title": TITLE,
    "subtitle": SUBTITLE,
    "body": "\n".join(PARAGRAPHS),
}


def _same(got, want) -> None:
    for name in FIELDS:
        assert getattr(got, name) == getattr(want, name), name


def test_generic_alone_reads_the_real_hubei_pages_like_their_profile():
    """Without the profile and without the hidden <!--enpproperty--> block, only the visible
    page: the generic extractor must still find every field the profile finds."""
    fragments = require_shared("epaper", "hubeidaily", "fragments")
    paths = [p for p in sorted(fragments.glob("*.html")) if ".dup" not in p.name]
    assert len(paths) == 31
    for path in paths:
        raw = path.read_bytes()
        visible = re.sub(r"<!--enpproperty.*?-->", "", raw.decode("utf-8"), flags=re.S)
        assert "enpproperty" not in visible
        _same(clean_html(visible, profiles=()), clean_page(raw))


def test_generic_alone_reads_rmrb_pages_like_their_profile():
    for page in (rmrb_old_page(SOURCE), rmrb_new_page(SOURCE)):
        generic = clean_html(page, profiles=())
        _same(generic, clean_html(page))
        assert generic.title == TITLE and generic.kicker == KICKER
        assert generic.date == "2024-03-05" and generic.page == "04"


def test_generic_alone_refuses_rather_than_guess_a_title():
    """The classic Founder skin marks its title only with a font class; without the profile
    the generic extractor finds no title and says so instead of taking a link or a byline."""
    page = founder_classic_page(SOURCE)
    assert clean_html(page).title == TITLE
    with pytest.raises(CleanError, match="no title"):
        clean_html(page, profiles=())
