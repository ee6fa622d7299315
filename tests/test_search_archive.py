"""Archive.search on a real Whoosh index of 1,000 articles (built once per session): made up at
run time (tests/synthetic.py), and for the checks marked `both_corpora`, also real 人民日报
articles of ../shared.

Expected values are computed at run time by brute force over the same articles.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import opencc
import pytest
import rjieba

from indexer import Archive
from indexer.analysis import RUN, normalize, query_grams
from indexer.article import Article, Caption, Section
from indexer.index import SEP, TEXT_FIELDS, field_texts
from indexer.store import Store
from tests.conftest import both_backends, both_corpora, corpus_lines

SAMPLE = 1000


def crafted() -> list[Article]:
    """A few articles of our own for what the corpus lacks: captions, markup, Latin text."""
    return [
        Article(
            id="test-caption-1",
            paper="测试报",
            date="2019-10-15",
            page="05",
            page_name="图片新闻",
            title="动物园里的冬天",
            captions=[Caption("熊猫宝宝在雪地里打滚", "a.jpg"), Caption("饲养员 摄", "b.jpg")],
            sections=[Section("", ["动物园迎来今冬第一场雪，游客们纷纷前来观看。"])],
        ),
        Article(
            id="test-script-1",
            paper="测试报",
            date="2019-10-16",
            page="06",
            title="网页安全小常识",
            sections=[
                Section("", ["有的网页里藏着<script>alert('xss')</script>这样的代码。"]),
            ],
        ),
        Article(
            id="test-latin-1",
            paper="测试报",
            date="2020-01-20",
            page="07",
            title="新款iPhone发布",
            sections=[
                Section("小标题：数码", ["ＡＰＥＣ会议期间，5G网络覆盖了全城，第5版有详细报道。"])
            ],
        ),
    ]


@pytest.fixture(scope="session")
def corpora(tmp_path_factory):
    """Corpus name → (archive, articles), each built on first use: SAMPLE articles of it plus
    the crafted ones."""
    built: dict[str, tuple[Archive, list[Article]]] = {}

    def get(name: str) -> tuple[Archive, list[Article]]:
        if name not in built:
            rows = [json.loads(line) for line in corpus_lines(name)]
            rows = random.Random(11).sample(rows, SAMPLE)
            data = tmp_path_factory.mktemp(f"archive-{name}")
            store = Store(data)
            store.put_articles([Article.from_dict(r) for r in rows] + crafted())
            archive = Archive(data)
            report = archive.reindex()
            articles = list(store.iter_articles())
            assert report.total == len(articles) and report.rebuilt
            built[name] = archive, articles
        return built[name]

    yield get
    for archive, _ in built.values():
        archive.close()


_SOLR: dict[str, Archive] = {}


@pytest.fixture
def corpus(request, corpora, backend) -> tuple[Archive, list[Article]]:
    """(archive, articles) of the corpus the test asks for, on the backend it asks for: the
    Whoosh archive, or a SolrArchive over the same store (tests marked `both_backends`)."""
    name = getattr(request, "param", "synthetic")
    archive, articles = corpora(name)
    if backend == "solr":
        from tests.solr_cluster import solr_archive

        if name not in _SOLR:
            cluster = request.getfixturevalue("solr_cluster")
            _SOLR[name] = solr_archive(cluster, archive.data_dir, f"search_{name}")
            assert _SOLR[name].built.total == len(articles)
        archive = _SOLR[name]
    return archive, articles


_NORM: dict[str, str] = {}


def norm_text(article: Article) -> str:
    if article.id not in _NORM:
        _NORM[article.id] = normalize(SEP.join(field_texts(article).values()))
    return _NORM[article.id]


def brute(articles: list[Article], fragment: str, field: str | None = None) -> set[str]:
    needle = normalize(fragment)
    if field is None:
        return {a.id for a in articles if needle in norm_text(a)}
    return {a.id for a in articles if needle in normalize(field_texts(a)[field])}


def all_ids(archive: Archive, query: str, **kw) -> list[str]:
    result = archive.search(query, limit=100000, snippets=False, collapse=False, **kw)
    assert result.total + result.total_near == len(result.hits)
    return [h.id for h in result.hits]


def random_fragments(articles, seed: int, count: int, sizes=(2, 6)) -> list[str]:
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        article = rng.choice(articles)
        runs = [r for r in RUN.findall(normalize(article.body)) if len(r) >= sizes[1]]
        if runs:
            run = rng.choice(runs)
            size = rng.randint(*sizes)
            start = rng.randrange(len(run) - size + 1)
            out.append(run[start : start + size])
    return out


@both_corpora("corpus")
@both_backends
def test_quoted_fragments_match_brute_force_exactly(corpus):
    archive, articles = corpus
    for fragment in random_fragments(articles, seed=1, count=60):
        truth = brute(articles, fragment)
        assert truth, fragment
        assert set(all_ids(archive, f'"{fragment}"')) == truth, fragment


@both_corpora("corpus")
@both_backends
def test_unquoted_fragments_find_every_article_containing_them(corpus):
    archive, articles = corpus
    for fragment in random_fragments(articles, seed=2, count=60):
        truth = brute(articles, fragment)
        assert truth <= set(all_ids(archive, fragment)), fragment


@both_corpora("corpus")
@both_backends
def test_unquoted_fragments_list_the_articles_holding_them_first(corpus):
    """Issue 17: the exact part of the list is exactly the articles holding the fragment (a
    brute-force scan), ahead of every near match (all bigrams, never the fragment), which is
    counted apart and whose snippet marks what it holds."""
    archive, articles = corpus
    near_seen = 0
    for fragment in random_fragments(articles, seed=7, count=60):
        truth = brute(articles, fragment)
        grams = query_grams(normalize(fragment))
        apart = {
            a.id for a in articles if a.id not in truth and all(g in norm_text(a) for g in grams)
        }
        result = archive.search(fragment, limit=100000, snippets=False, collapse=False)
        flags = [h.near for h in result.hits]
        assert flags == sorted(flags), fragment  # no near match above an exact one
        assert {h.id for h in result.hits if not h.near} == truth, fragment
        assert {h.id for h in result.hits if h.near} == apart, fragment
        assert (result.total, result.total_near) == (len(truth), len(apart)), fragment
        if apart:
            near_seen += 1
            shown = archive.search(fragment, offset=len(truth), limit=3, collapse=False)
            assert shown.hits and all(h.near and "<mark>" in h.snippet for h in shown.hits)
    assert near_seen, "no fragment had a near match: the test checked nothing apart"


@both_corpora("corpus")
@both_backends
def test_phrases_across_word_boundaries(corpus):
    archive, articles = corpus
    rng = random.Random(5)
    checked = 0
    while checked < 25:
        tokens = rjieba.cut(normalize(rng.choice(articles).body))  # adjacent, as in the text
        i = rng.randrange(max(1, len(tokens) - 2))
        if len(tokens) < 3 or not all(RUN.fullmatch(t) for t in tokens[i : i + 2]):
            continue
        # the last character of one word and the first of the next: never a word itself
        phrase = tokens[i][-1] + tokens[i + 1][:2]
        if phrase in tokens:
            continue
        truth = brute(articles, phrase)
        hits = set(all_ids(archive, f"“{phrase}”"))
        assert hits == truth and truth, phrase
        checked += 1


@both_corpora("corpus")
@both_backends
def test_traditional_characters_find_the_simplified_text(corpus):
    archive, articles = corpus
    to_traditional = opencc.OpenCC("s2t")
    checked = 0
    for fragment in random_fragments(articles, seed=3, count=200, sizes=(3, 5)):
        traditional = to_traditional.convert(fragment)
        if traditional == fragment:
            continue
        result = archive.search(f'"{traditional}"', limit=100000, collapse=False)
        assert {h.id for h in result.hits} == brute(articles, fragment)
        assert "简体" in (result.parsed.suggestion or "")
        checked += 1
        if checked == 10:
            break
    assert checked == 10


@both_backends
def test_digits_latin_and_full_width(corpus):
    archive, _ = corpus
    for query in ("iphone", "IPHONE", "ｉＰｈｏｎｅ", "5g", '"第5版"', "apec"):
        assert "test-latin-1" in all_ids(archive, query), query
    hit = archive.search("iphone 5G", limit=50).hits
    mine = next(h for h in hit if h.id == "test-latin-1")
    assert "<mark>5G</mark>" in mine.snippet
    assert mine.title == "新款iPhone发布"
    assert "<mark>ＡＰＥＣ</mark>" in archive.search("apec").hits[0].snippet


@both_backends
def test_captions_only_search(corpus):
    archive, articles = corpus
    assert all_ids(archive, "图片:打滚") == ["test-caption-1"]
    assert all_ids(archive, "caption:熊猫宝宝") == ["test-caption-1"]
    # 观看 is in that article's body, not in any caption
    assert "test-caption-1" in all_ids(archive, "观看")
    assert "test-caption-1" not in all_ids(archive, "图片:观看")
    hit = archive.search("图片:打滚").hits[0]
    assert "<mark>打滚</mark>" in hit.snippet
    # 雪 is in the body and in a caption: a caption search shows the caption it matched.
    caption_hit = archive.search("图片:雪").hits[0]
    assert caption_hit.id == "test-caption-1"
    assert "熊猫宝宝在<mark>雪</mark>地" in caption_hit.snippet
    assert "熊猫" not in archive.search("动物园 雪").hits[0].snippet


@both_backends
def test_title_field_is_verified_against_the_title(corpus):
    archive, articles = corpus
    word = "社区食堂"  # in some titles, and in the body of articles with other titles
    assert 0 < len(brute(articles, word, "title")) < len(brute(articles, word))
    assert set(all_ids(archive, f"标题:{word}")) == brute(articles, word, "title")
    assert set(all_ids(archive, f'title:"{word}"')) == brute(articles, word, "title")


@both_backends
def test_date_ranges_filter_exactly(corpus):
    archive, articles = corpus
    fragment = "发展"
    inside = {a.id for a in articles if "2019-10-01" <= a.date <= "2019-10-31"}
    truth = brute(articles, fragment) & inside
    assert set(all_ids(archive, f'"{fragment}"', date_from="2019-10", date_to="2019-10")) == truth
    assert set(all_ids(archive, f'"{fragment}" 日期:2019-10-01..2019-10-31')) == truth
    later = {a.id for a in articles if a.date >= "2020-02-01"}
    assert (
        set(all_ids(archive, f'"{fragment}" 日期:2020-02..')) == brute(articles, fragment) & later
    )
    with pytest.raises(ValueError):
        archive.search("x", date_from="2019-13")


@both_backends
def test_sort_newest_and_oldest(corpus):
    archive, _ = corpus
    newest = [h.date for h in archive.search("经济", limit=50, sort="newest").hits]
    oldest = [h.date for h in archive.search("经济", limit=50, sort="oldest").hits]
    assert newest == sorted(newest, reverse=True) and len(newest) == 50
    assert oldest == sorted(oldest)
    assert newest[0] > oldest[0]
    in_query = [h.date for h in archive.search("经济 排序:最早", limit=20).hits]
    assert in_query == oldest[:20]


@both_backends
def test_facets_count_the_whole_result_set(corpus):
    archive, articles = corpus
    by_id = {a.id: a for a in articles}
    for fragment in ("人民", "合作"):
        truth = [by_id[i] for i in brute(articles, fragment)]
        facets = archive.search(f'"{fragment}"', limit=1).facets
        assert facets.year == dict(Counter(a.date[:4] for a in truth))
        assert facets.month == dict(Counter(a.date[:7] for a in truth))
        assert facets.page == dict(Counter(a.page for a in truth if a.page))
        assert facets.paper == dict(Counter(a.paper for a in truth))


@both_backends
def test_pagination_and_exact_total(corpus):
    archive, articles = corpus
    full = archive.search("中国", limit=30)
    first = archive.search("中国", limit=15)
    second = archive.search("中国", limit=15, offset=15)
    assert [h.id for h in first.hits + second.hits] == [h.id for h in full.hits]
    assert full.total >= len(brute(articles, "中国"))


@both_backends
def test_snippets_escape_markup(corpus):
    archive, _ = corpus
    hit = archive.search("alert").hits[0]
    assert hit.id == "test-script-1"
    assert "&lt;script&gt;" in hit.snippet and "<script" not in hit.snippet
    assert "<mark>alert</mark>" in hit.snippet
    assert re.sub(r"</?mark>", "", hit.snippet).count("<") == 0
    marked = archive.highlight("<script>x</script>蘭州新区", "兰州")
    assert marked == "&lt;script&gt;x&lt;/script&gt;<mark>蘭州</mark>新区"


@both_backends
def test_marks_wrap_the_whole_match(corpus):
    archive, articles = corpus
    rng = random.Random(9)
    checked = 0
    while checked < 10:
        tokens = rjieba.cut(normalize(rng.choice(articles).body))
        pairs = [
            (a, b)
            for a, b in zip(tokens, tokens[1:], strict=False)
            if len(a) > 1 and len(b) > 1 and RUN.fullmatch(a + b)
        ]
        if not pairs:
            continue
        fragment = "".join(rng.choice(pairs))  # two words: jieba splits it, we mark it whole
        for query in (f'"{fragment}"', fragment):
            hits = archive.search(query, limit=3).hits
            assert any(f"<mark>{fragment}</mark>" in h.snippet for h in hits), query
        checked += 1


@both_corpora("corpus")
@both_backends
def test_known_item_title_ranks_first(corpus):
    archive, articles = corpus
    titles = Counter(normalize(a.title) for a in articles)
    unique = [a for a in articles if a.title and titles[normalize(a.title)] == 1]
    sample = random.Random(4).sample(unique, 40)
    first = []
    for a in sample:
        hits = archive.search(a.title, limit=1).hits
        first.append(bool(hits) and hits[0].id == a.id)
        if not first[-1]:
            print("missed", repr(a.title), hits)
    assert sum(first) >= 38


def test_more_like_this_get_and_browse(corpus):
    archive, articles = corpus
    article = next(a for a in articles if len(a.body) > 500)
    related = archive.more_like_this(article.id, limit=5)
    assert 0 < len(related) <= 5 and article.id not in {h.id for h in related}
    assert archive.get(article.id).title == article.title
    assert archive.get("no-such-id") is None

    issues = archive.issues()
    assert {(i.paper, i.date) for i in issues} == {(a.paper, a.date) for a in articles}
    assert issues[0].date == max(a.date for a in articles)
    ref = issues[len(issues) // 2]
    pages = archive.issue(ref.paper, ref.date)
    listed = {x.id for p in pages for x in p.articles}
    assert listed == {a.id for a in articles if (a.paper, a.date) == (ref.paper, ref.date)}
    assert [p.page for p in pages] == sorted(p.page for p in pages)


@both_backends
def test_empty_and_garbage_queries_answer(corpus):
    archive, _ = corpus
    for query in ("", "OR", "-", "标题:", '"', "“", "，。", "x" * 5000, "日期:bad"):
        result = archive.search(query)
        assert result.total >= 0 and result.parsed is not None
    assert archive.search("，。").total == 0


def test_text_fields_order_matches_index():
    # texts.bin and field-prefixed verification rely on this order
    assert TEXT_FIELDS[0] == "title" and "captions" in TEXT_FIELDS


def _text_only(body: str) -> str:
    return "".join(RUN.findall(normalize(body)))


@both_corpora("corpus")
@both_backends
def test_collapsed_hits_and_their_copies_are_every_match(corpus):
    """Issue 8 §2: collapsing hides no article: the hits and the copies listed under them are
    exactly the uncollapsed hits, each once, and a hit's copies have its body (brute force)."""
    archive, articles = corpus
    bodies = {a.id: _text_only(a.body) for a in articles}
    by_body: dict[str, list[str]] = {}
    for aid, body in bodies.items():
        if len(body) >= 80:
            by_body.setdefault(body, []).append(aid)
    groups = [ids for ids in by_body.values() if len(ids) > 1]
    # Queries: a phrase of each group's body, and random fragments.
    queries = [f'"{next(a for a in articles if a.id == ids[0]).body[20:28]}"' for ids in groups]
    queries += random_fragments(articles, seed=17, count=30)
    for query in queries:
        every = archive.search(query, limit=100000, snippets=False, collapse=False)
        collapsed = archive.search(query, limit=100000, snippets=False)
        listed = [h.id for h in collapsed.hits] + [c.id for h in collapsed.hits for c in h.copies]
        assert sorted(listed) == sorted(h.id for h in every.hits), query
        assert collapsed.total == every.total, query
        assert collapsed.total_collapsed == sum(not h.near for h in collapsed.hits), query
        for hit in collapsed.hits:
            for copy in hit.copies:
                assert bodies[copy.id] == bodies[hit.id] and len(bodies[hit.id]) >= 80, query
    for ids in groups:  # every group of copies in the sample shows as one hit
        query = f'"{next(a for a in articles if a.id == ids[0]).body[20:28]}"'
        hits = archive.search(query, limit=100000, snippets=False).hits
        holding = [h for h in hits if h.id in ids or any(c.id in ids for c in h.copies)]
        assert len(holding) == 1 and len(holding[0].copies) == len(ids) - 1, query
