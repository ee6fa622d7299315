"""Classic Founder (科技日报 content_N.htm) and 人民日报 article pages, old and new system.

No real article page of these systems is in ../shared, so the pages are built here, at run
time, from articles of the synthetic corpus (tests/synthetic.py), in the markup those systems
publish: the cleaner must give every field back.
"""

from __future__ import annotations

import json
import re
from html import escape

import pytest

from indexer.clean import clean_page
from tests.synthetic import synthetic_corpus_lines

BYLINE = "本报记者　王晓明　李红"  # our own words, the same on every page
CAPTION = "图为试验现场。本报记者　王晓明摄"


def _ws(text: str) -> str:
    return re.sub(r"[\s\u3000]+", " ", text).strip()


def _fit(article: dict) -> bool:
    paragraphs = [p for p in article["body"].split("\n") if p.strip()]
    return (
        len(paragraphs) >= 3
        and len(paragraphs[0]) >= 60
        and all(len(p.strip()) >= 2 for p in paragraphs)
        and len(article["title"]) >= 4
    )


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    """Three with 引题 and 副题, three with neither: the first that fit, in file order."""
    full, bare = [], []
    for line in synthetic_corpus_lines():
        article = {k: v or "" for k, v in json.loads(line).items()}
        if not _fit(article):
            continue
        if article["kicker"] and article["subtitle"] and len(full) < 3:
            full.append(article)
        elif not article["kicker"] and not article["subtitle"] and len(bare) < 3:
            bare.append(article)
        if len(full) == 3 and len(bare) == 3:
            break
    return full + bare


def _paragraphs(article: dict) -> list[str]:
    return [_ws(p) for p in article["body"].split("\n") if p.strip()]


def _zh_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{y}年{m}月{d}日"


def _body(article: dict, tag: str = "P") -> str:
    return "\n".join(
        f"<{tag}>\u3000\u3000{escape(p.strip())}</{tag}>"
        for p in article["body"].split("\n")
        if p.strip()
    )


def founder_classic_page(article: dict) -> str:
    """科技日报's classic Founder html/YYYY-MM/DD/content_N.htm, older skin (td.font01/font02)."""
    day = article["date"]
    subtitle = f"——{escape(article['subtitle'])}" if article["subtitle"] else ""
    return f"""<html>
<head>
  <meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
  <title>科技日报--数字报</title>
  <script language="javascript" src="http://css.stdaily.com/css/szb/js/mp.js"></script>
</head>
<body onLoad="initialize();initMPPage();" id="bodycss">
<div id="container">
  <div id="header"><div id="head3_nav"><ul>
    <li><a href="http://www.stdaily.com/">首页</a></li><li><a href="/news/index.htm">新闻</a></li>
  </ul></div></div>
  <div id="wrap"><div id="box"><div class="box0">
    <div class="box0-left">
      <div class="tu"><map name=PagePicMap>
        <Area coords="2,2,340,2,340,140,2,140" shape="polygon" href="content_548643.htm?div=-1">
        <Area coords="2,150,340,150,340,300,2,300" shape="polygon" href="content_548646.htm?div=-1">
      </map><img src=../../../images/{day[:7]}/{day[8:]}/01/KJRB_b.jpg border=0 USEMAP=#PagePicMap></div>
      <div class="zi"><div class="zi-top">
        <div class="banci">第{article["page"]}版：<STRONG>今日要闻</STRONG></div>
        <div class="next"><a class=preart href="node_3.htm">下一版</a></div>
      </div>
      <div class="zi-meat"><div class="title"><ul>
        <li><a href=content_548643.htm?div=-1><div style="display:inline" id=mp548643>本版另一篇</div></a>
        <li><a href=content_548646.htm?div=-1><div style="display:inline" id=mp548646>本版又一篇</div></a>
      </ul></div></div></div>
    </div>
    <div class="box0-right">
      <div class="right1"><div class="date">{_zh_date(day)} 星期二</div></div>
      <div class="right-meat">
        <table width="100%" border="0" cellspacing="0" cellpadding="0">
          <tr><td class="font02" align="center">{escape(article["kicker"])}</td></tr>
          <tr><td class="font01" align="center">{escape(article["title"])}</td></tr>
          <tr><td class="font02" align="center">{subtitle}</td></tr>
        </table>
        <div class="zuozhe">{BYLINE}</div>
        <table width="300" align="center"><tr><td><img src="../../../images/{day[:7]}/{day[8:]}/01/p1.jpg"></td></tr>
          <tr><td class="font6">{CAPTION}</td></tr></table>
        <div id="ozoom"><founder-content>
{_body(article)}
        </founder-content></div>
      </div>
    </div>
  </div></div></div>
  <div id="feeter"><div id="kjrb_copyright">Copyright © Science and Technology Daily 科技日报社 版权所有</div>
  <div id="kjrb_beian">京ICP备06005116号</div></div>
</div>
</body>
</html>
"""


def rmrb_old_page(article: dict) -> str:
    """人民日报's html/YYYY-MM/DD/nw.D110000renmrb_YYYYMMDD_N-NN.htm article page."""
    day = article["date"]
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>人民日报</title>
<link type="text/css" rel="stylesheet" href="../../../css/css.css" />
</head>
<body>
<div class="w1000 top"><a href="http://www.people.com.cn">人民网</a> | <a href="../../../paperindex.htm">人民日报</a></div>
<div class="w1000 mt10">
  <div class="l_c">
    <div class="l_t">第{article["page"]}版：要闻</div>
    <div class="ban_t"><ul>
      <li><a href="nw.D110000renmrb_{day.replace("-", "")}_2-{article["page"]}.htm">本版另一篇</a></li>
      <li><a href="nw.D110000renmrb_{day.replace("-", "")}_3-{article["page"]}.htm">本版又一篇</a></li>
    </ul></div>
  </div>
  <div class="r_c">
    <div class="text_c">
      <h3>{escape(article["kicker"])}</h3>
      <h1>{escape(article["title"])}</h1>
      <h2>{escape(article["subtitle"])}</h2>
      <h4>{BYLINE}</h4>
      <div class="lai">《 人民日报 》（ {_zh_date(day)}\u00a0\u00a0\u00a0第 {article["page"]} 版）</div>
      <div class="c_c">
        <table width="400" align="center"><tr><td><img src="../../../res/1.jpg" width="400"></td></tr>
        <tr><td><p>{CAPTION}</p></td></tr></table>
        <div id="ozoom">
{_body(article)}
        </div>
      </div>
    </div>
  </div>
</div>
<div class="w1000 copyright">人民日报社概况 | 关于人民网 | 报社招聘 | 招聘英才 | 广告服务 | 合作加盟 | 供稿服务 | 网站声明<br>
Copyright © 1997-2019 by www.people.com.cn. all rights reserved</div>
</body>
</html>
"""


def rmrb_new_page(article: dict) -> str:
    """人民日报's current rmrb/pc/content/YYYYMM/DD/content_N.html article page."""
    day = article["date"]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
\t<meta http-equiv="Content-Type" content="text/html;charset=utf-8" />
\t<title>人民日报-人民网</title>
</head>
\t<body>
\t\t<div class="top"><div class="w1000"><ul class="right nav"><li id="ribao">日报</li><li id="zhoubao">周报</li></ul></div></div>
\t\t<div class="main w1000">
\t\t\t<div class="left paper-box">
\t\t\t\t<div class="paper-bot"><p class="left ban">第{article["page"]}版：要闻</p>
\t\t\t\t<p class="right btn"><a href="../../../attachement/x.pdf">PDF下载</a></p></div>
\t\t\t</div>
\t\t\t<div class="right right-main">
\t\t\t\t<div class="date-box"><p class="date left">人民日报 <span class="newstime">{_zh_date(day)}</span></p></div>
\t\t\t\t<div class="article-box">
\t\t\t\t\t<div class="article">
\t\t\t\t\t\t<h3>{escape(article["kicker"])}</h3>
\t\t\t\t\t\t<h1>{escape(article["title"])}</h1>
\t\t\t\t\t\t<h2>{escape(article["subtitle"])}</h2>
\t\t\t\t\t\t<p class="sec">{BYLINE}<span class="date">《 人民日报 》（ {_zh_date(day)}\u00a0\u00a0\u00a0第 {article["page"]} 版）</span></p>
\t\t\t\t\t\t<div class="attachment"><table width="400" align="center"><tr><td align="center"><img src="../../../pic/1.jpg"></td></tr>
\t\t\t\t\t\t<tr><td align="center"><p>{CAPTION}</p></td></tr></table></div>
\t\t\t\t\t\t<div id="ozoom">
{_body(article, "p")}
\t\t\t\t\t\t</div>
\t\t\t\t\t</div>
\t\t\t\t</div>
\t\t\t</div>
\t\t</div>
\t\t<div class="copyright">人 民 网 版 权 所 有 ，未 经 书 面 授 权 禁 止 使 用<br>Copyright &copy; 1997-2024 by www.people.com.cn all rights reserved</div>
\t</body>
</html>
"""


def _check(article, source: dict, paper: str, page_name: str) -> None:
    assert article.title == _ws(source["title"])
    assert article.kicker == _ws(source["kicker"])
    assert article.subtitle == _ws(source["subtitle"])
    assert article.date == source["date"]
    assert article.page == source["page"]
    assert article.page_name == page_name
    assert article.paper == paper
    assert article.author == _ws(BYLINE)
    assert article.paragraphs == _paragraphs(source)
    assert article.headings == []
    assert [c.text for c in article.captions] == [_ws(CAPTION)]
    chrome = ("下一版", "本版另一篇", "Copyright", "版权所有", "PDF下载", "人民网", "首页")
    for text in [article.title, article.kicker, article.subtitle, article.author, article.body]:
        for word in chrome:
            assert word not in text


def test_the_corpus_gives_articles_of_both_kinds(articles):
    assert len(articles) == 6
    assert sum(1 for a in articles if a["kicker"]) == 3


def test_classic_founder_pages(articles):
    for source in articles:
        day = source["date"]
        url = f"http://digitalpaper.stdaily.com/http_www.kjrb.com/kjrb/html/{day[:7]}/{day[8:]}/content_548643.htm"
        article = clean_page(founder_classic_page(source).encode("utf-8"), url=url)
        _check(article, source, "科技日报", "今日要闻")
        assert article.url == url


def test_classic_founder_without_a_url_reads_paper_and_date_from_the_page(articles):
    source = articles[0]
    article = clean_page(founder_classic_page(source).encode("utf-8"))
    _check(article, source, "科技日报", "今日要闻")


def test_rmrb_old_system_pages_in_gbk(articles):
    for source in articles:
        html = rmrb_old_page(source)
        try:
            data = html.encode("gbk")
        except UnicodeEncodeError:
            data = html.replace("charset=gb2312", "charset=utf-8").encode("utf-8")
        stamp = source["date"].replace("-", "")
        url = f"http://paper.people.com.cn/rmrb/html/{source['date'][:7]}/{source['date'][8:]}/nw.D110000renmrb_{stamp}_1-{source['page']}.htm"
        _check(clean_page(data, url=url), source, "人民日报", "要闻")


def test_rmrb_new_system_pages(articles):
    for source in articles:
        day = source["date"].replace("-", "")
        url = (
            f"http://paper.people.com.cn/rmrb/pc/content/{day[:6]}/{day[6:]}/content_30048054.html"
        )
        _check(
            clean_page(rmrb_new_page(source).encode("utf-8"), url=url), source, "人民日报", "要闻"
        )


def test_rmrb_paper_is_read_from_the_date_line_without_a_url(articles):
    source = articles[-1]
    article = clean_page(rmrb_new_page(source).encode("utf-8"))
    _check(article, source, "人民日报", "要闻")
