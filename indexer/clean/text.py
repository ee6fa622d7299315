"""Printed text and markup: normalising text, and the patterns that tell chrome, headlines,
bylines and prose apart (the info line and the 版次/版名 labels are read in infoline.py).

A new paper's chrome, class names or byline forms are a change to this one file.
"""

from __future__ import annotations

import re
from datetime import date as Date
from urllib.parse import urlsplit

from indexer.urls import date_in_path

# --- text helpers ------------------------------------------------------------------------

_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2014\u201c\u201d"
_SPACE = "\\s\u3000\u00a0\u200b\ufeff"
_FOLD_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\u00a0]*[\r\n]+[{_SPACE}]*(?=[{_CJK}])")
_RUN = re.compile(rf"[{_SPACE}]+")
_LEADING_DASH = re.compile(rf"^[—―─－\-–]+[{_SPACE}]*")


def norm(text: str) -> str:
    """One line of printed text: line breaks between hanzi fold away, space runs become one."""
    return _RUN.sub(" ", _FOLD_BREAK.sub("", text)).strip()


def _squeeze(text: str) -> str:
    """Spaces that only justify a short label (版名 "综 合") carry no meaning."""
    return re.sub(rf"(?<=[{_CJK}]) (?=[{_CJK}])", "", text)


# --- printed patterns ----------------------------------------------------------------------

_DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_PAGE_NO = r"([A-Za-z]?\d{1,3})"
_PAGE_LABEL = re.compile(rf"版\s*次\s*[:：】\]]?\s*(?:第\s*)?{_PAGE_NO}")
_PAGE_PRINTED = re.compile(rf"第\s*{_PAGE_NO}\s*版")
_WORD_COUNT = re.compile(r"字\s*数\s*[:：]\s*(\d[\d,，]*)")
_PAPER_NAME = re.compile(
    r"([\u4e00-\u9fff]{2,10}?(?:日报|晚报|早报|晨报|商报|时报|都市报|法制报|报))"
)
_NOT_PAPER = {"数字报", "电子报", "报", "版报", "日报"}

_REPORTER = r"(?:记者|通讯员|评论员|特约撰稿|撰稿人|实习生|本报评论员|記者|通訊員|評論員|實習生)"
_BYLINE = re.compile(
    rf"^[□■●◎]?\s*(?:[（(])?[^。！？，,【】\[\]:：]{{0,20}}{_REPORTER}[^。！？]{{0,30}}$"
    r"|^(?:文|图|圖|文/图|文/圖|文图|文圖|摄影|攝影)\s*[/／:：]\s*[^。！？，,]{1,30}$"
)
# 本报讯（记者 周航 通讯员 钱敏） on a line of its own is a byline, not the body's first words.
_NEWS_BYLINE = re.compile(rf"^\S{{0,8}}[讯訊]\s*[（(][^（）()。]*{_REPORTER}[^（）()。]*[）)]$")
_DATELINE = re.compile(r"(?<!通)讯(?!员)|日电|消息")

_CHROME_TEXT = re.compile(
    r"^(?:网站首页|数字报首页|首页|返回首页|返回目录|返回本版|返回版面|返回|通版阅读请点击[:：]?"
    r"|展开通版|收缩通版|上一版|下一版|上一期|下一期|上一篇.*|下一篇.*|本版标题导航|版面导航"
    r"|标题导航|往期回顾|往期查询|按日期查阅|PDF下载|打印本页|打印|关闭窗口|放大|缩小|默认"
    r"|分享到.*|客户端\s*\|?|数字报\s*\|?|网站|版权声明|我要纠错|字号.*)$"
)
_CHROME_ANY = re.compile(
    r"Copyright|©|版权所有|版 权 所 有|ICP备|ICP证|公网安备|未经.{0,8}授权|All Rights Reserved"
    r"|技术支持[:：]|主办单位|联系我们",
    re.I,
)
_CHROME_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav\w*|menu\w*|foot\w*|feeter|copyright|banner|toolbar|share|breadcrumb|crumb"
    r"|sidebar|calendar|rili|login|search|pagelist|bmname\d?|bmml|layout-list|news-list|day-nav"
    r"|rqdh|topbar|top-bar|friendlink|qrcode|next|prev|pager|tongban|bottom\w*|copy-?\w*"
    r"|statement|disclaimer)(?:$|[\s_-])",
    re.I,
)
_CHROME_TAGS = {"nav", "footer", "aside"}
_TITLE_ATTR = re.compile(r"title|biaoti|headline|timu|(?:^|[\s_-])bt(?:$|[\s_-])", re.I)
_SUBTITLE_ATTR = re.compile(r"sub|futi|fubt|fu-?title|deck|(?:^|[\s_-])f?ft(?:$|[\s_-])", re.I)
_KICKER_ATTR = re.compile(
    r"intro|yinti|yin-?title|kicker|pre-?title|overline|shoulder|(?:^|[\s_-])yt(?:$|[\s_-])", re.I
)
_HEADLINE_ATTR = re.compile(
    f"{_TITLE_ATTR.pattern}|{_SUBTITLE_ATTR.pattern}|{_KICKER_ATTR.pattern}", re.I
)
_PAGE_ATTR = re.compile(r"layout|banci|banmian|pageno|pagenum|(?:^|[\s_-])bc(?:$|[\s_-])", re.I)
_CONTENT_LINK = re.compile(r"content_\d+|nw\.D\d+|/content/\d|detail|article", re.I)
_PROSE_PUNCT = re.compile(r"[。！？；，：,]")
_TERMINAL = re.compile(r"[。！？；：:，,…]$")  # a sentence ends here: not a title or 小标题

_BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "caption", "center", "dd", "div", "dl", "dt",
    "figcaption", "figure", "founder-content", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul", "footer", "nav", "aside", "form", "html",
}  # fmt: skip
_PARA_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "pre",
              "center", "figcaption"}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "select", "option", "iframe", "map", "area",
              "button", "input", "textarea", "head", "title", "object", "embed", "svg", "template",
              "link", "meta"}  # fmt: skip
_BOLD_TAGS = {"strong", "b"}
_FIELD_HINT = re.compile(r"title|biaoti|yinti|futi|author|date|time|banci|intro", re.I)

# --- dates --------------------------------------------------------------------


def _valid_date(y: str, m: str, d: str) -> str:
    try:
        return Date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return ""


def _date_from_url(url: str) -> str:
    found = date_in_path(urlsplit(url).path)
    if found is None or not 1900 < found[0].year < 2100:
        return ""
    return found[0].isoformat()
