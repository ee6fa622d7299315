"""The cleaner on the 31 distinct real 湖北日报 (Founder pc system) article pages in ../shared.

Two independent checks per page, neither copying any text of ../shared into the repo:
- an oracle that reads the raw bytes with plain regular expressions (the hidden
  <!--enpproperty--> block, #nowLayout and the <!--enpcontent--> <p> list) and must agree
  with the bs4 cleaner field by field;
- digests of every field, pinned once after reading the cleaner's output by eye, so a
  change that breaks both the cleaner and the oracle the same way still fails.

What the 湖北日报 profile does with the hidden block (a URL given wins over it, it fills in a
missing title, a local file keeps the page's web address) is also checked on a page of that
system rendered by tests/sitegen.py from the synthetic corpus, so it runs without ../shared.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from indexer.article import Article
from indexer.clean import clean_page
from tests.conftest import require_shared
from tests.sitegen import article_paths, render_site
from tests.synthetic import synthetic_records

RENDERED_SITE = "http://epaper.example.cn/"

# file id → sha1[:12] of (title, kicker, subtitle, first paragraph, last paragraph, author),
# then page, paragraph count, 小标题 count, caption count.
PINNED = {
    "211242": (
        "ccef17768ef4",
        "da39a3ee5e6b",
        "1d86358234b5",
        "4e61e393cdda",
        "d3a88baee931",
        "da39a3ee5e6b",
        "01",
        4,
        0,
        0,
    ),
    "211243": (
        "c508acf181a4",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "0b8e4a2f4cd7",
        "620d4cd05f56",
        "da39a3ee5e6b",
        "01",
        8,
        0,
        1,
    ),
    "211244": (
        "8183fb76244d",
        "da39a3ee5e6b",
        "15087326b669",
        "33176302415d",
        "2adf5b717f55",
        "da39a3ee5e6b",
        "01",
        7,
        0,
        0,
    ),
    "211245": (
        "8d32099c534d",
        "9315a9b3e451",
        "da39a3ee5e6b",
        "d0a5cd56fd95",
        "b28b79c49933",
        "da39a3ee5e6b",
        "01",
        6,
        0,
        0,
    ),
    "211246": (
        "99358eec83a3",
        "c6bfb6707aad",
        "da39a3ee5e6b",
        "78914f981fb7",
        "9f1b66d6467b",
        "da39a3ee5e6b",
        "01",
        4,
        0,
        0,
    ),
    "211247": (
        "a113904af5d8",
        "4cab6555e864",
        "da39a3ee5e6b",
        "309c87b957f9",
        "f134cef43010",
        "da39a3ee5e6b",
        "01",
        4,
        0,
        0,
    ),
    "211248": (
        "0507680344a0",
        "3366a25bdd8a",
        "da39a3ee5e6b",
        "9f9473588e09",
        "f379f43a4d77",
        "e91031fdf79a",
        "01",
        20,
        3,
        1,
    ),
    "211249": (
        "d1e0f59cea46",
        "67f263bf9119",
        "da39a3ee5e6b",
        "d41755d6866f",
        "4de7b87180c1",
        "b80e26b5f89a",
        "01",
        25,
        3,
        0,
    ),
    "211250": (
        "6d5bcdc03c00",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "86b3b6ac623e",
        "4a89027b2d3f",
        "90ff00013f03",
        "02",
        7,
        0,
        0,
    ),
    "211251": (
        "01a4d20953da",
        "5945590279cd",
        "da39a3ee5e6b",
        "0f83d525e632",
        "1bebe0a94b09",
        "da39a3ee5e6b",
        "02",
        2,
        0,
        0,
    ),
    "211252": (
        "913c6ae71637",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "0e568eade292",
        "2d4c21eb9fa4",
        "da39a3ee5e6b",
        "02",
        4,
        0,
        0,
    ),
    "211253": (
        "a64c62f01540",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "b106794fc864",
        "66c98e6c7e38",
        "da39a3ee5e6b",
        "02",
        5,
        0,
        1,
    ),
    "211254": (
        "32c47cd50944",
        "1f1505bd92b4",
        "da39a3ee5e6b",
        "6cd86e1be484",
        "e7dca9898c77",
        "da39a3ee5e6b",
        "02",
        3,
        0,
        0,
    ),
    "211255": (
        "ec8a634361d6",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "20808ce1e484",
        "191c6d43e3c4",
        "da39a3ee5e6b",
        "02",
        3,
        0,
        0,
    ),
    "211256": (
        "4c2f82b1b8ba",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "f3905f6608d7",
        "8d28b1eb5504",
        "da39a3ee5e6b",
        "02",
        5,
        0,
        0,
    ),
    "211257": (
        "686282a5f073",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "4e2685872ac5",
        "9bde04927f95",
        "da39a3ee5e6b",
        "02",
        3,
        0,
        0,
    ),
    "211258": (
        "dc6db03c33e7",
        "b075951412ad",
        "da39a3ee5e6b",
        "f9dfbcf8d055",
        "010229dbface",
        "da39a3ee5e6b",
        "02",
        3,
        0,
        0,
    ),
    "211259": (
        "d1e0f59cea46",
        "67f263bf9119",
        "da39a3ee5e6b",
        "d41755d6866f",
        "4de7b87180c1",
        "b80e26b5f89a",
        "02",
        25,
        3,
        0,
    ),
    "211260": (
        "9ba747529976",
        "b82c21487bad",
        "da39a3ee5e6b",
        "7146521081d8",
        "2fb51897f4bc",
        "da39a3ee5e6b",
        "02",
        3,
        0,
        0,
    ),
    "211261": (
        "0507680344a0",
        "3366a25bdd8a",
        "da39a3ee5e6b",
        "9f9473588e09",
        "f379f43a4d77",
        "e91031fdf79a",
        "03",
        20,
        3,
        1,
    ),
    "211262": (
        "1741a9923db5",
        "4e6e0dfc7501",
        "da39a3ee5e6b",
        "f2a72d3879af",
        "f75ff18b1a9b",
        "da39a3ee5e6b",
        "03",
        4,
        0,
        0,
    ),
    "211263": (
        "a61d14bf69d3",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "330aee3217a1",
        "9f6f4a5da87b",
        "da39a3ee5e6b",
        "03",
        2,
        0,
        1,
    ),
    "211264": (
        "d76d655cb986",
        "f2c97e5a1148",
        "da39a3ee5e6b",
        "d0717d59528e",
        "5d0cda139e5f",
        "da39a3ee5e6b",
        "03",
        4,
        0,
        0,
    ),
    "211265": (
        "268b7f994634",
        "0b0406bc3a1d",
        "da39a3ee5e6b",
        "a6a34d3d1633",
        "0ea216bb90e4",
        "da39a3ee5e6b",
        "03",
        3,
        0,
        0,
    ),
    "211266": (
        "13248813537e",
        "6e81c2d0b549",
        "da39a3ee5e6b",
        "a816874a20fd",
        "5d6179c8c26b",
        "da39a3ee5e6b",
        "03",
        4,
        0,
        0,
    ),
    "211267": (
        "969c98c441b8",
        "da39a3ee5e6b",
        "da39a3ee5e6b",
        "e0b73a8c552d",
        "1d451d3634b0",
        "da39a3ee5e6b",
        "03",
        18,
        0,
        1,
    ),
    "211268": (
        "09c08804cdff",
        "6046b3a0d733",
        "da39a3ee5e6b",
        "af9893f57e0f",
        "24c27160957f",
        "da39a3ee5e6b",
        "04",
        3,
        0,
        0,
    ),
    "211269": (
        "8183fb76244d",
        "da39a3ee5e6b",
        "15087326b669",
        "33176302415d",
        "2adf5b717f55",
        "da39a3ee5e6b",
        "04",
        7,
        0,
        0,
    ),
    "211270": (
        "1cbc1546f2d3",
        "da39a3ee5e6b",
        "d55308f12092",
        "6bd45cf7b0dd",
        "e5f31052723a",
        "da39a3ee5e6b",
        "04",
        21,
        0,
        1,
    ),
    "211271": (
        "63160cd8189a",
        "da39a3ee5e6b",
        "5db72875ad43",
        "e1634dc32eb7",
        "e5f31052723a",
        "da39a3ee5e6b",
        "04",
        16,
        0,
        0,
    ),
    "211272": (
        "ed14c7632bdc",
        "69ad762e5d3d",
        "da39a3ee5e6b",
        "5d9644ad0a39",
        "b4e0e6c58d75",
        "da39a3ee5e6b",
        "04",
        4,
        0,
        0,
    ),
}
CHROME = ("数字报 |", "客户端 |", "Copyright", "鄂ICP备", "湖北日报传媒集团出品")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _fragments() -> list[Path]:
    return sorted(require_shared("epaper", "hubeidaily", "fragments").glob("*.html"))


def _file_id(path: Path) -> str:
    return re.search(r"content_(\d+)", path.name).group(1)


def _distinct() -> list[Path]:
    return [p for p in _fragments() if ".dup" not in p.name]


def _squash(text: str) -> str:
    text = re.sub(r"\s*\n\s*", "", text)  # the titles break lines between hanzi only
    return re.sub(r"[\s\u3000\xa0]+", " ", text).strip()


def oracle(raw: str) -> dict:
    """The page's fields read with regular expressions only, no HTML parser."""
    hidden = re.search(r"<!--enpproperty(.*?)/enpproperty-->", raw, re.S).group(1)
    enp = dict(re.findall(r"<(\w+)>(.*?)</\1>", hidden, re.S))
    content = re.search(r"<!--enpcontent-->(.*?)<!--/enpcontent-->", raw, re.S).group(1)
    headings = [_squash(h) for h in re.findall(r"<p><strong>(.*?)</strong></p>", content)]
    paragraphs = [
        _squash(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", content, re.S)
    ]
    paragraphs = [p for p in paragraphs if p and p not in headings]
    author = ""
    first = paragraphs[0]
    if (
        len(first) <= 40
        and re.search(r"记者|评论员", first)
        and not re.search(r"日报讯|日电", first)
    ):
        author = re.sub(r"^□\s*", "", paragraphs.pop(0))
    images = re.findall(
        r'<img src="([^"]+)"[^>]*>\s*((?:<p>.*?</p>\s*)*)<founder-content>', raw, re.S
    )
    return {
        "title": _squash(enp["title"]),
        "kicker": _squash(enp["introtitle"]),
        "subtitle": _squash(enp["subtitle"]).lstrip("—"),
        "date": enp["date"][:10],
        "url": enp["url"],
        "page": re.search(r'id="nowLayout"[^>]*>\s*(\d+)\s*<', raw).group(1),
        "paragraphs": paragraphs,
        "headings": headings,
        "author": author,
        "captions": [(_squash(re.sub(r"<[^>]+>", "", c)), src) for src, c in images],
    }


@pytest.fixture(scope="module")
def cleaned() -> dict[str, tuple[Article, dict]]:
    out = {}
    for path in _fragments():
        raw = path.read_bytes()
        out[path.name] = (clean_page(raw), oracle(raw.decode("utf-8")))
    return out


def test_there_are_31_distinct_pages_and_one_duplicate():
    paths = _fragments()
    assert len(paths) == 32
    assert len({p.read_bytes() for p in paths}) == 31
    assert sorted(_file_id(p) for p in _distinct()) == sorted(PINNED)


@pytest.mark.parametrize("file_id", sorted(PINNED))
def test_fields_match_the_raw_page(cleaned, file_id):
    article, expected = cleaned[f"content_{file_id}.fragment.html"]
    assert article.title == expected["title"]
    assert article.kicker == expected["kicker"]
    assert article.subtitle == expected["subtitle"]
    assert article.date == expected["date"] == "2023-02-11"
    assert article.page == expected["page"]
    assert article.paper == "湖北日报"
    assert article.url == expected["url"]
    assert article.author == expected["author"]
    assert article.headings == expected["headings"]
    assert article.paragraphs[0] == expected["paragraphs"][0]
    assert article.paragraphs[-1] == expected["paragraphs"][-1]
    assert article.paragraphs == expected["paragraphs"]
    assert article.body == "\n".join(expected["paragraphs"])
    assert [(c.text, c.src) for c in article.captions] == expected["captions"]


@pytest.mark.parametrize("file_id", sorted(PINNED))
def test_fields_match_the_pinned_digests(cleaned, file_id):
    article, _ = cleaned[f"content_{file_id}.fragment.html"]
    title, kicker, subtitle, first, last, author, page, n_par, n_head, n_cap = PINNED[file_id]
    assert _digest(article.title) == title
    assert _digest(article.kicker) == kicker
    assert _digest(article.subtitle) == subtitle
    assert _digest(article.paragraphs[0]) == first
    assert _digest(article.paragraphs[-1]) == last
    assert _digest(article.author) == author
    assert article.page == page
    assert (len(article.paragraphs), len(article.headings), len(article.captions)) == (
        n_par,
        n_head,
        n_cap,
    )


def test_page_numbers_cover_01_to_04(cleaned):
    assert {a.page for a, _ in cleaned.values()} == {"01", "02", "03", "04"}


def test_no_chrome_and_no_layout_whitespace_in_any_field(cleaned):
    for name, (article, _) in cleaned.items():
        texts = [article.title, article.kicker, article.subtitle, article.author]
        texts += article.paragraphs + article.headings + [c.text for c in article.captions]
        for text in texts:
            for chrome in CHROME:
                assert chrome not in text, (name, chrome)
            assert text == text.strip(), name
            assert "\u3000" not in text and "\n" not in text and "\ufffd" not in text, name
        assert "网站" not in (article.paragraphs[-1], article.title), name
        assert all(p.strip() for p in article.paragraphs), name
        assert not article.subtitle.startswith("—"), name


def test_captions_come_with_the_pages_that_have_photos(cleaned):
    for name, (article, _) in cleaned.items():
        raw = (require_shared("epaper", "hubeidaily", "fragments") / name).read_text("utf-8")
        assert len(article.captions) == raw.count("<img "), name
        for caption in article.captions:
            assert caption.src and caption.src in raw
            assert caption.text not in article.paragraphs
    with_text = [c for a, _ in cleaned.values() for c in a.captions if c.text]
    assert len(with_text) >= 4


def test_the_duplicate_fragment_is_the_same_article(cleaned):
    original, _ = cleaned["content_211250.fragment.html"]
    duplicate, _ = cleaned["content_211250.dup2.fragment.html"]
    assert duplicate.id == original.id
    assert duplicate.to_dict() == original.to_dict()


def test_ids_are_stable_and_distinct_per_page(cleaned):
    ids = {a.id for name, (a, _) in cleaned.items() if ".dup" not in name}
    assert len(ids) == 31
    path = _distinct()[0]
    assert clean_page(path.read_bytes()).id == clean_page(path.read_bytes()).id


def _rendered_page() -> tuple[bytes, str]:
    """A 湖北日报-style article page rendered from the synthetic corpus, and its web address."""
    article = Article.from_dict(next(r for r in synthetic_records() if r["kicker"]))
    path = article_paths([article], "hubei")[article.id]
    return render_site([article], "hubei", base_url=RENDERED_SITE)[path], RENDERED_SITE + path


@pytest.fixture(params=["rendered", "real"])
def hubei_page(request) -> bytes:
    """A page of the 湖北日报 system: rendered by sitegen, or the first real one of ../shared."""
    if request.param == "real":
        return _distinct()[0].read_bytes()
    return _rendered_page()[0]


def test_a_given_url_wins_over_the_hidden_one(hubei_page):
    article = clean_page(hubei_page, url="https://mirror.example/a.html", paper="某报")
    assert article.url == "https://mirror.example/a.html"
    assert article.paper == "某报"


def test_enpproperty_is_a_cross_check_and_a_fallback(caplog, hubei_page):
    raw = hubei_page.decode("utf-8")
    hidden_title = oracle(raw)["title"]
    # The visible title wins when both exist; a disagreement is logged.
    shown = re.sub(r'(<font id="main-title">)[^<]*', r"\1另一个标题", raw)
    with caplog.at_level("WARNING", logger="indexer.clean"):
        article = clean_page(shown.encode("utf-8"))
    assert article.title == "另一个标题"
    assert any("enpproperty" in r.getMessage() for r in caplog.records)
    # With the visible title gone, the hidden one fills in.
    blank = re.sub(r'(<font id="main-title">)[^<]*', r"\1", raw)
    assert clean_page(blank.encode("utf-8")).title == hidden_title


def test_a_local_file_keeps_the_page_own_web_address() -> None:
    """Read from disk, a Founder page still carries its enpproperty URL, not file://."""
    path = require_shared("epaper", "hubeidaily", "fragments", "content_211242.fragment.html")
    article = clean_page(path.read_bytes(), url=path.resolve().as_uri())
    assert article.url.startswith("http://epaper.hubeidaily.net/pc/content/202302/11/")
    assert article.url.endswith("content_211242.html")


def test_a_local_rendered_file_keeps_the_page_own_web_address(tmp_path: Path) -> None:
    data, address = _rendered_page()
    path = tmp_path / address.rsplit("/", 1)[1]
    path.write_bytes(data)
    assert clean_page(path.read_bytes(), url=path.resolve().as_uri()).url == address
