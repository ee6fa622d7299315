"""The seed (../shared/seeds/) is the text of a real article page as a reader sees it.

These tests rebuild an HTML page in that style from the seed at run time (nothing of the
seed is stored here), wrap it in the chrome such pages carry, encode it the ways such
pages come (GBK declared as gb2312, UTF-8 without any declaration, GB18030 labelled gbk by
the server), and check that the cleaner gives back exactly the seed's fields and no chrome.
Each runs on the real seed and on a made-up text of the same shape (tests/synthetic.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import pytest

from indexer.article import Article
from indexer.clean import clean_page
from tests.conftest import require_shared
from tests.synthetic import synthetic_records

GBK_ONLY = "镕"  # in GBK and GB18030, not in GB2312: the classic mislabelled-page case
CHROME = (
    "网站首页",
    "数字报首页",
    "通版阅读请点击",
    "展开通版",
    "收缩通版",
    "上一篇",
    "下一篇",
    "返回目录",
    "Copyright",
    "版权所有",
    "ICP备",
    "第01版",
    "技术支持",
)


@dataclass
class Seed:
    chrome: list[str]
    title: str
    subtitle: str  # without the leading ——
    date: str  # as printed
    word_count: str  # as printed, "3,997"
    page: str
    captions: list[str]
    sections: list[tuple[str, list[str]]]  # (小标题 or "", paragraphs)

    @property
    def paragraphs(self) -> list[str]:
        return [p for _, ps in self.sections for p in ps]

    @property
    def headings(self) -> list[str]:
        return [h for h, _ in self.sections if h]


def parse_seed(text: str) -> Seed:
    """Split the reader's view into its parts by the shapes the page prints them in."""
    lines = text.splitlines()
    title_at = next(i for i, line in enumerate(lines) if lines[i + 1].startswith("——"))
    header = {}
    for line in lines[title_at + 2 : title_at + 8]:
        if re.fullmatch(r"\d{4}年\d{2}月\d{2}日", line.strip()):
            header["date"] = line.strip()
        elif m := re.fullmatch(r"字数[:：]([\d,]+)", line.strip()):
            header["word_count"] = m.group(1)
        elif m := re.fullmatch(r"版次[:：](\d+)", line.strip()):
            header["page"] = m.group(1)
    rest = lines[title_at + 5 :]
    first_para = next(i for i, line in enumerate(rest) if re.match(r"[ \u3000]+\S", line))
    captions = [line.strip() for line in rest[:first_para] if line.strip()]
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in rest[first_para:]:
        if not line.strip():
            continue
        # A cleaned field has plain spaces: the page's &nbsp; inside a 小标题 becomes " ".
        text = re.sub(r"\s+", " ", line).strip()
        if line[0] in " \u3000\u00a0":
            sections[-1][1].append(text)
        else:
            sections.append((text, []))
    return Seed(
        chrome=[line.strip() for line in lines[:title_at]],
        title=lines[title_at].strip(),
        subtitle=lines[title_at + 1].strip().lstrip("—"),
        date=header["date"],
        word_count=header["word_count"],
        page=header["page"],
        captions=captions,
        sections=sections,
    )


MADE_UP_HEADINGS = ("一、规划先行", "二、\u00a0服务到家", "三、群众说了算", "四、久久为功")


def made_up_seed_text() -> str:
    """A reader's view in the seed's shape, of made-up text: the chrome, a title, ——subtitle,
    date, 字数 and 版次 as the seed prints them, seven captions, then 25 paragraphs, indented,
    under four 小标题 (one with a no-break space, as a page's &nbsp; gives)."""
    records = [r for r in synthetic_records() if r["body"]]
    lead = next(r for r in records if r["subtitle"])
    paragraphs = [p for r in records[:12] for p in r["body"].split("\n")][:25]
    captions = [f"图为{r['title']}现场。{r['author']} 摄" for r in records[12:19]]
    lines = ["网站首页", "数字报首页", "通版阅读请点击:", "展开通版", "收缩通版"]
    lines += [lead["title"], "——" + lead["subtitle"], "2025年01月22日", "字数:3,997", "版次:07"]
    lines += captions
    for i in range(5):
        lines += [MADE_UP_HEADINGS[i - 1]] if i else []
        lines += ["\u3000\u3000" + p for p in paragraphs[i * 5 : i * 5 + 5]]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module", params=["made-up", "real"])
def seed(request) -> Seed:
    """The seed parsed ("real", from ../shared) or a made-up text of its shape, parsed."""
    if request.param == "real":
        text = require_shared("seeds", "000_a6192bb7d02a95be.txt").read_text("utf-8")
    else:
        text = made_up_seed_text()
    parsed = parse_seed(text)
    # Put a GBK-only character into the body, as real pages declaring gb2312 do.
    heading, paragraphs = parsed.sections[0]
    paragraphs[1] = paragraphs[1][:10] + GBK_ONLY + paragraphs[1][10:]
    return parsed


@pytest.mark.parametrize("seed", ["real"], indirect=True)
def test_the_seed_parses_into_the_parts_the_issue_names(seed):
    assert seed.chrome == ["网站首页", "数字报首页", "通版阅读请点击:", "展开通版", "收缩通版"]
    assert (seed.date, seed.word_count, seed.page) == ("2025年01月22日", "3,997", "07")
    assert len(seed.captions) == 7
    assert len(seed.headings) == 4
    assert len(seed.paragraphs) > 20


def seed_page(seed: Seed, *, meta_charset: str | None) -> str:
    """An article page of a Founder-style 数字报, with all the chrome readers see."""
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}" />\n'
        if meta_charset
        else ""
    )
    nav = "".join(
        f'<li><a href="../../../layout/202501/22/node_{n:02d}.html">第{n:02d}版：{name}</a></li>'
        for n, name in ((1, "要闻"), (2, "综合"), (7, "专版"), (8, "副刊"))
    )
    pictures = "".join(
        '<div class="pic-item">\n'
        f'  <img src="../../../pic/202501/22/{i:02d}.jpg" border="0" width="560">\n'
        f'  <p class="pic-note">{escape(text)}</p>\n'
        "</div>\n"
        for i, text in enumerate(seed.captions, 1)
    )

    def html_text(text: str) -> str:
        return escape(text).replace("\u00a0", "&nbsp;")

    body = []
    for heading, paragraphs in seed.sections:
        if heading:
            body.append(f"<p>{html_text(heading)}</p>")
        body.extend(f"<p>\u3000\u3000{html_text(p)}</p>" for p in paragraphs)
        body.append("<p>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;</p>")
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta}<title>{escape(seed.title)}--兰州日报数字报</title>
<link rel="stylesheet" href="../../../static/css/paper.css" type="text/css" />
<script type="text/javascript">function showAll(){{document.getElementById('tb').style.display='block';}}</script>
</head>
<body>
<div class="top-bar">
  <a href="http://www.example.cn/">{seed.chrome[0]}</a> | <a href="../../../index.html">{seed.chrome[1]}</a>
</div>
<div class="wrap">
  <div class="col-left">
    <div class="tb-read">{seed.chrome[2]}
      <a href="javascript:showAll()">{seed.chrome[3]}</a>
      <a href="javascript:hideAll()">{seed.chrome[4]}</a>
    </div>
    <ul class="page-list">{nav}</ul>
    <ul class="title-list">
      <li><a href="content_101.html">本版另一篇文章</a></li>
      <li><a href="content_102.html">本版又一篇文章</a></li>
    </ul>
  </div>
  <div class="col-right">
    <div class="art-head">
      <div class="art-title">{escape(seed.title)}</div>
      <div class="art-fu">——{escape(seed.subtitle)}</div>
      <div class="art-info">
        <span>{seed.date}</span>&nbsp;&nbsp;<span>字数:{seed.word_count}</span>&nbsp;&nbsp;<span>版次:{seed.page}</span>
      </div>
    </div>
    <div class="art-pics">
{pictures}    </div>
    <div class="art-text">
{"".join(body)}
    </div>
    <div class="art-turn">
      <a href="content_101.html">上一篇：本版另一篇文章</a>
      <a href="content_103.html">下一篇：下一版的文章</a>
      <a href="../../../layout/202501/22/node_07.html">返回目录</a>
    </div>
  </div>
</div>
<div class="bottom">
  <p>Copyright &copy; 兰州日报社 版权所有 陇ICP备00000000号</p>
  <p>技术支持：方正电子</p>
</div>
</body>
</html>
"""


def assert_matches_seed(article: Article, seed: Seed) -> None:
    assert article.title == seed.title
    assert article.subtitle == seed.subtitle
    assert article.date == "2025-01-22"
    assert article.word_count == 3997
    assert article.page == "07"
    assert [c.text for c in article.captions] == seed.captions
    assert [c.src for c in article.captions] == [
        f"../../../pic/202501/22/{i:02d}.jpg" for i in range(1, 8)
    ]
    assert article.headings == seed.headings
    assert [(s.heading, s.paragraphs) for s in article.sections] == seed.sections
    assert article.paragraphs == seed.paragraphs
    assert GBK_ONLY in article.body
    assert article.body == "\n".join(seed.paragraphs)
    assert article.paper == "兰州日报"
    fields = [article.title, article.subtitle, article.kicker, article.author, article.body]
    fields += [article.page_name] + article.headings + [c.text for c in article.captions]
    for text in fields:
        assert "\ufffd" not in text
        for chrome in CHROME:
            assert chrome not in text, chrome


def test_gbk_page_declaring_gb2312(seed):
    page = seed_page(seed, meta_charset="gb2312")
    with pytest.raises(UnicodeEncodeError):
        page.encode("gb2312")  # proves the page really holds a GBK-only character
    data = page.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    article = clean_page(data, url="http://szb.example.cn/pc/content/202501/22/content_7.html")
    assert_matches_seed(article, seed)


def test_utf8_page_without_any_declaration(seed):
    data = seed_page(seed, meta_charset=None).encode("utf-8")
    assert_matches_seed(clean_page(data), seed)


def test_gb18030_page_labelled_gbk_by_the_server_only(seed):
    data = seed_page(seed, meta_charset=None).encode("gb18030")
    article = clean_page(data, content_type="text/html; charset=GBK")
    assert_matches_seed(article, seed)


def test_the_same_page_twice_gives_the_same_article(seed):
    data = seed_page(seed, meta_charset="gb2312").encode("gbk")
    url = "http://szb.example.cn/pc/content/202501/22/content_7.html"
    assert clean_page(data, url=url).to_dict() == clean_page(data, url=url).to_dict()
