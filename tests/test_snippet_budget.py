"""Snippets a reader can scan (issue 16): about 160 characters in 1–3 passages chosen for the
query's terms, cut at clause ends and never inside a match, a number or a Latin word; the
opening lines for a match in the title only; snippet_chars through the Archive and the API;
the headline as printed on each hit. The issue 3 query mix (scripts/bench_search.py) is
measured with scripts/eval_snippets.py on the demo archive and on 人民日报 (../shared)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import sys

import pytest

from indexer import Archive
from indexer.analysis import normalize
from indexer.article import Article
from indexer.highlight import make_snippet
from indexer.index import TEXT_FIELDS
from indexer.passages import SNIPPET_CHARS
from indexer.store import Store
from tests.conftest import REPO, corpus_lines, web_crafted_articles
from webui import create_app


def _script(name: str):
    path = REPO / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


eval_snippets = _script("eval_snippets")
plain = eval_snippets.plain


def snippet_of(body: str, terms: list[str], chars: int = SNIPPET_CHARS, title: str = "") -> str:
    parts = ["" for _ in TEXT_FIELDS]
    parts[TEXT_FIELDS.index("body")] = body
    parts[TEXT_FIELDS.index("title")] = title
    return make_snippet(
        [normalize(p) for p in parts], parts, [normalize(t) for t in terms], chars=chars
    )


FILLER = "会议指出，要坚持稳中求进工作总基调，统筹推进各项工作。"


def test_the_sentence_with_both_terms_wins_over_the_first_match():
    body = (
        "口罩是防护物资。"
        + FILLER * 6
        + "目前全国口罩产能恢复较快，企业加紧生产。"
        + FILLER * 6
        + "产能还要提高。"
    )
    snippet = snippet_of(body, ["口罩", "产能"])
    assert "<mark>口罩</mark><mark>产能</mark>" in snippet or (
        "<mark>口罩产能</mark>" in snippet
    ), snippet
    assert "口罩是防护物资" not in snippet
    assert len(plain(snippet)) <= SNIPPET_CHARS


def test_terms_far_apart_get_one_fragment_each():
    body = "甲地建成了新的口罩工厂。" + FILLER * 10 + "乙地的产能翻了一番。" + FILLER * 10
    snippet = snippet_of(body, ["口罩", "产能"])
    assert snippet.count(" … ") == 1, snippet
    assert "<mark>口罩</mark>" in snippet and "<mark>产能</mark>" in snippet
    assert len(plain(snippet)) <= SNIPPET_CHARS


def test_cuts_fall_at_clause_ends_when_there_are_some():
    body = FILLER * 3 + "今年口罩日产量大幅增长，满足了需求。" + FILLER * 8
    text = plain(snippet_of(body, ["口罩"])).strip("…")
    assert text.startswith("今年口罩") and text[-1] in "。，", text


@pytest.mark.parametrize("chars", range(40, 200, 7))
def test_no_cut_inside_a_number_or_a_latin_word(chars):
    number, word = "1234567.89", "Internationalization"
    body = (
        (f"增长到{number}万吨，{word}进展顺利") * 12
        + "关键词出现在这里"
        + (f" {word} {number}万") * 12
    )
    snippet = plain(snippet_of(body, ["关键词"], chars=chars))
    for fragment in snippet.replace(" … ", "…").split("…"):
        runs = re.findall(r"[0-9A-Za-z.]+", fragment)
        for run in runs:
            # every run in the snippet is whole: a sequence of whole numbers and words
            assert run in (number, word), (run, snippet)
    assert len(snippet) <= chars
    assert number in snippet or word in snippet or chars < 60


def test_a_match_in_the_title_only_shows_the_opening_lines():
    body = "本报北京1月1日电 新年第一天，首都各界举行活动。" + FILLER * 10
    snippet = snippet_of(body, ["新春音乐会"], title="新春音乐会举行")
    assert snippet.startswith("本报北京1月1日电") and "<mark>" not in snippet
    assert snippet.endswith("…") and len(plain(snippet)) <= SNIPPET_CHARS
    assert plain(snippet).rstrip("…")[-1] in "。，；！？", snippet


def test_snippet_chars_sets_the_budget():
    body = "".join(f"第{i}段里的口罩产能，和其他文字一起。" for i in range(60))
    short, longer = snippet_of(body, ["口罩"], chars=60), snippet_of(body, ["口罩"], chars=400)
    assert len(plain(short)) <= 60 < len(plain(longer)) <= 400


def test_archive_and_api_take_snippet_chars(web_data_dir):
    with Archive(web_data_dir) as archive:
        short = archive.search("冰雕展", limit=1, snippet_chars=20).hits[0]
        hit = archive.search("冰雕展", limit=1).hits[0]
        assert len(plain(short.snippet)) <= 20
        # The headline as printed, and the byline, on the hit and in its JSON.
        assert (hit.kicker, hit.subtitle, hit.author) == ("引题文字", "副题文字", "本报记者 张三")
        assert hit.to_dict()["kicker"] == "引题文字"
        with pytest.raises(ValueError, match="snippet_chars"):
            archive.search("冰雕展", snippet_chars=5)
    client = create_app({"DATA_DIR": web_data_dir, "TESTING": True}).test_client()
    ok = client.get("/api/search?q=冰雕展&snippet_chars=30").get_json()
    assert len(plain(ok["hits"][0]["snippet"])) <= 30 and ok["hits"][0]["subtitle"] == "副题文字"
    capped = client.get("/api/search?q=冰雕展&snippet_chars=401")
    assert capped.status_code == 400 and "snippet_chars" in capped.get_data(as_text=True)


def test_the_hit_shows_kicker_subtitle_page_name_and_byline(web_data_dir):
    from bs4 import BeautifulSoup

    client = create_app({"DATA_DIR": web_data_dir, "TESTING": True}).test_client()
    page = BeautifulSoup(client.get("/search?q=冰雕展").get_data(as_text=True), "lxml")
    hit = page.select_one(".hit")
    kicker, title, subtitle = (
        hit.select_one(c) for c in (".hit-kicker", ".hit-title", ".hit-subtitle")
    )
    assert kicker.get_text() == "引题文字" and subtitle.get_text() == "副题文字"
    order = list(hit.children)
    assert order.index(kicker) < order.index(title) < order.index(subtitle)
    meta = hit.select_one(".hit-meta").get_text(" ", strip=True)
    assert "第7版 · 文化" in meta and "本报记者 张三" in meta
    # The byline is escaped like every other text.
    xss = BeautifulSoup(client.get("/search?q=跨站脚本测试").get_data(as_text=True), "lxml")
    assert xss.select_one(".hit .byline").get_text() == "<b>记者</b>"
    assert xss.select_one(".hit .byline b") is None
    assert any(a.id == "web-xss-1" for a in web_crafted_articles())


def check_mix(archive: Archive, articles: list[Article]) -> None:
    stats = eval_snippets.measure(archive, eval_snippets.query_mix(articles))
    assert len(stats.lengths) > 100, stats.queries
    assert stats.median <= 160 and stats.longest <= 220, (stats.median, stats.longest)
    assert stats.body_matches > 50
    assert stats.unmarked == [], stats.unmarked[:5]


def test_query_mix_on_the_demo_archive(demo_data_dir):
    articles = list(Store(demo_data_dir).iter_articles())
    with Archive(demo_data_dir) as archive:
        check_mix(archive, articles)


def test_query_mix_on_rmrb(tmp_path):
    """1,500 articles of 人民日报 (../shared), indexed here."""
    lines = corpus_lines("rmrb")
    articles = [Article.from_dict(json.loads(line)) for line in itertools.islice(lines, 1500)]
    Store(tmp_path).put_articles(articles)
    with Archive(tmp_path) as archive:
        archive.reindex()
        check_mix(archive, articles)


def test_the_export_and_the_feed_ask_for_longer_snippets(web_data_dir):
    import csv
    import io
    from xml.etree import ElementTree as ET

    client = create_app({"DATA_DIR": web_data_dir, "TESTING": True}).test_client()
    exported = client.get("/export.csv?q=中国&limit=50").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert max(len(r["snippet"]) for r in rows) > SNIPPET_CHARS
    assert max(len(r["snippet"]) for r in rows) <= 500
    feed = ET.fromstring(client.get("/feed.atom?q=中国").get_data())
    summaries = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}summary")]
    assert max(len(s) for s in summaries) > SNIPPET_CHARS + 40  # beyond "paper date page"
