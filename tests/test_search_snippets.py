"""Snippets: every match whole inside one fragment, fragments merged when they touch, one " … "
between fragments. On made-up text (matches placed at every offset around the window edges),
on the demo archive, and on the articles of the synthetic and the 人民日报 corpus."""

from __future__ import annotations

import html
import json
import random
import re

import pytest

from indexer import Archive
from indexer.analysis import normalize
from indexer.article import Article
from indexer.highlight import find_spans, make_snippet
from indexer.index import TEXT_FIELDS, field_texts
from indexer.passages import SNIPPET_CHARS
from tests.conftest import CORPORA, corpus_lines

MARK = re.compile(r"<mark>(.*?)</mark>")


def snippet_of(body: str, terms: list[str]) -> str:
    parts = ["" for _ in TEXT_FIELDS]
    parts[TEXT_FIELDS.index("body")] = body
    return make_snippet([normalize(p) for p in parts], parts, [normalize(t) for t in terms])


def check_snippet(snippet: str, original: str, marked: set[str]) -> None:
    """Each fragment is a piece of the text; each mark holds a whole match; one " … " apart."""
    assert "… …" not in snippet
    assert all(m in marked for m in MARK.findall(snippet)), (MARK.findall(snippet), snippet)
    plain = snippet.removeprefix("…").removesuffix("…")
    flat = original.replace("\n", " ")
    fragments = plain.split(" … ")
    assert 1 <= len(fragments) <= 3
    starts = []
    for fragment in fragments:
        # a fragment that ends or starts inside a match would leave a dangling tag or a part
        assert fragment.count("<mark>") == fragment.count("</mark>")
        text = html.unescape(MARK.sub(r"\1", fragment))
        assert text in flat, fragment
        starts.append(flat.find(text))
    assert starts == sorted(starts)


@pytest.mark.parametrize("term", ["5G", "马克思", "兰州新区建设", "AB"])
def test_a_match_near_a_window_edge_is_never_cut(term):
    filler = "这是用来填充的文字内容没有特别意义仅供测试使用"
    for gap in range(SNIPPET_CHARS // 2 - 10, SNIPPET_CHARS + 40):
        text = (filler * 10)[:40] + term + (filler * 10)[:gap] + term + filler[:30] + term
        snippet = snippet_of(text, [term])
        check_snippet(snippet, text, {term})
        assert f"<mark>{term}</mark>" in snippet, (gap, snippet)


def test_matches_that_touch_are_one_mark_and_fragments_that_touch_merge():
    text = "甲" * 60 + "5G基站" + "乙" * 95 + "5G专网" + "丙" * 20 + "5G" + "丁" * 200
    snippet = snippet_of(text, ["5G", "基站"])
    check_snippet(snippet, text, {"5G基站", "5G"})
    assert "<mark>5G基站</mark>" in snippet
    assert snippet.count("<mark>5G</mark>") >= 1
    assert snippet.count(" … ") == 0  # one term, one passage


def test_whole_word_marked_not_a_prefix():
    text = "本报讯" + "学习马克思主义理论。" * 3 + "马克思" + "文字" * 60
    snippet = snippet_of(text, ["马克思"])
    assert "<mark>马克思</mark>" in snippet and "<mark>马克</mark>" not in snippet
    check_snippet(snippet, text, {"马克思"})


def test_random_texts_and_terms():
    rng = random.Random(3)
    alphabet = "的是一在有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    for _ in range(300):
        term = "".join(rng.choice("兰州新区ab5G") for _ in range(rng.randint(2, 4)))
        pieces = []
        for _ in range(rng.randint(1, 8)):
            pieces.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))))
            pieces.append(term)
        text = "".join(pieces)
        spans = find_spans(normalize(text), [normalize(term)])
        marked = {text[s:e] for s, e in spans}
        check_snippet(snippet_of(text, [term]), text, marked)


def test_demo_archive_5g_snippet(demo_data_dir):
    with Archive(demo_data_dir) as archive:
        result = archive.search("5G 基站", limit=10)
        assert result.total >= 1
        for hit in result.hits:
            article = archive.get(hit.id)
            marked = {m for m in MARK.findall(hit.snippet)}
            assert marked <= {"5G基站", "5G", "基站"}, hit.snippet
            check_snippet(hit.snippet, article.body, marked)


@pytest.mark.parametrize("corpus_name", CORPORA)
def test_corpus_articles_snippets_keep_matches_whole(corpus_name):
    step = {"synthetic": 13, "rmrb": 97}[corpus_name]  # about 200 articles of each
    lines = corpus_lines(corpus_name)
    rows = [json.loads(line) for i, line in enumerate(lines) if i % step == 0][:200]
    rng = random.Random(7)
    checked = 0
    for row in rows:
        article = Article.from_dict(row)
        body = field_texts(article)["body"]
        words = [w for w in re.findall(r"[\u4e00-\u9fff]{2,4}", body)]
        if len(body) < 300 or not words:
            continue
        terms = rng.sample(words, min(3, len(words)))
        norm_terms = [normalize(t) for t in terms]
        parts = list(field_texts(article).values())
        snippet = make_snippet([normalize(p) for p in parts], parts, norm_terms)
        spans = find_spans(normalize(body), norm_terms)
        check_snippet(snippet, body, {body[s:e] for s, e in spans})
        checked += 1
    assert checked > 50


def test_highlight_falls_back_to_words_only_when_the_document_lacks_the_fragment(tmp_path):
    archive = Archive(tmp_path)  # highlight needs no index
    paragraph = "全国市场运转平稳"
    assert archive.highlight(paragraph, "碳市场") == "全国<mark>市场</mark>运转平稳"
    document = "全国碳市场开市。\n" + paragraph
    assert archive.highlight(paragraph, "碳市场", within=document) == paragraph
    assert "<mark>碳市场</mark>" in archive.highlight(document, "碳市场", within=document)


def test_snippet_marks_no_bare_words_of_a_fragment_the_title_holds_whole():
    parts = ["" for _ in TEXT_FIELDS]
    parts[TEXT_FIELDS.index("title")] = "碳市场开市"
    parts[TEXT_FIELDS.index("body")] = "全国市场运转平稳。"
    snippet = make_snippet([normalize(p) for p in parts], parts, ["碳市场"])
    assert snippet == "全国市场运转平稳。"
    # Without the title, the body's words are the best the snippet can show.
    assert snippet_of("全国市场运转平稳。", ["碳市场"]) == "全国<mark>市场</mark>运转平稳。"
