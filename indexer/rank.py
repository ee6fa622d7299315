"""Second-stage ranking: the BM25F order of indexer/search.py picks a pool of candidates, and
this module rescores the pool from the stored text itself.

Why a second stage: BM25F over jieba words sees only whole words, so a fragment inside a
longer word (地铁 in 地铁站) adds nothing, and it knows neither where in the article the words
are nor whether the query's terms stand together. Reading the normalised text of a hundred
candidates (texts.bin, mmap) costs about a millisecond; reading every candidate of a common word
would not, hence the pool.

Features, per document of the pool:
- every occurrence of each query fragment (substring count, so 地铁 in 地铁站 counts), per
  region: title, 引题, 副题 weigh most, then 小标题 and captions, then the opening of the body
  (the lead), then the rest of the body; combined BM25F-style with length normalisation per
  region, so a few passing mentions in a very long report saturate low; rarer terms weigh
  more (idf to a power above 1);
- proximity: all the query's terms together in the title/kicker/subtitle, or in the lead, or
  within a few characters of each other in the body;
- the first stage's BM25F score (words of the query), with a small weight, and the known-item
  bonus of indexer/scoring.py unchanged, so a title typed in full stays first.

Every weight is in `RankWeights`; `WEIGHTS` is the one in use (scripts/eval_relevance.py
measures variants of it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from indexer.analysis import query_grams
from indexer.grams import gram_key
from indexer.index import SEP
from indexer.query import ParsedQuery
from indexer.scoring import TITLE_BONUS
from indexer.view import FIELD_INDEX, IndexView

SEP_BYTE = SEP.encode("utf-8")
# Regions of an article, in the order `regions` returns them (it relies on TEXT_FIELDS
# beginning with these fields, in this order).
assert list(FIELD_INDEX)[:6] == ["title", "kicker", "subtitle", "headings", "captions", "body"]
REGIONS = ("title", "kicker", "subtitle", "headings", "captions", "lead", "rest")


@dataclass(frozen=True)
class RankWeights:
    """The constants of the second stage (`enabled` False: the first stage's order alone)."""

    enabled: bool = True
    pool: int = 60  # the first stage's top this many are rescored
    scan_all: int = 100  # … or every candidate, when there are no more than this
    # Within the head (title, kicker, subtitle) and within the text (the rest), how much one
    # occurrence in each region counts.
    boosts: dict[str, float] = field(
        default_factory=lambda: {
            "title": 1.0,
            "kicker": 0.5,
            "subtitle": 0.5,
            "headings": 2.0,
            "captions": 1.5,
            "lead": 2.0,
            "rest": 1.0,
        }
    )
    head: float = 3.0  # how much one occurrence in the head counts against one in the text
    # True: head × `head` and text saturate together (plain BM25F); False: each saturates
    # apart, head × `head` (measured: joint is as good or better, docs/relevance.md).
    joint: bool = True
    k1: float = 1.2
    b: float = 0.5  # length normalisation of the body (lead and rest)
    b_head: float = 0.3  # … and of the short fields
    lead_min: int = 80  # the lead: the first paragraphs of the body, at least this long …
    lead_max: int = 300  # … and at most this long (characters)
    proximity: bool = True
    together_head: float = 1.0  # × the mean idf of the terms
    together_lead: float = 0.6
    together_body: float = 0.5  # × window / (window + shortest span)
    window: int = 20
    base: float = 0.1  # weight of the first stage's BM25F score (words of the query)
    idf_power: float = 1.5  # > 1: the rarer terms of the query weigh more against common ones


WEIGHTS = RankWeights()


@dataclass
class Term:
    """One positive group of the query: its fragments (ORed) and their idf."""

    texts: list[str]
    idf: float
    needles: list[bytes] = field(init=False)

    def __post_init__(self) -> None:
        self.needles = [t.encode("utf-8") for t in self.texts]


def pool_size(candidates: int, weights: RankWeights | None = None) -> int:
    """How many of the first stage's best are rescored, out of `candidates`: it depends on
    the candidates alone, never on the page asked for, so that every page agrees."""
    weights = weights or WEIGHTS
    if not weights.enabled:
        return 0
    return candidates if candidates <= weights.scan_all else weights.pool


def pool_depth(candidates: int, depth: int, weights: RankWeights | None = None) -> int:
    """How many of the first stage's order `rerank` needs to return the first `depth`."""
    return max(depth, pool_size(candidates, weights))


def rerank(
    view: IndexView,
    parsed: ParsedQuery,
    ranked: list[tuple[int, float]],
    candidates: int,
    weights: RankWeights | None = None,
) -> list[tuple[int, float]]:
    """`ranked` (the first stage's order, at least `pool_depth` long, of `candidates`
    documents) with its pool rescored and reordered; what is beyond the pool keeps its order,
    after the pool."""
    weights = weights or WEIGHTS
    size = min(pool_size(candidates, weights), len(ranked))
    if size < 2:
        return ranked
    terms = query_terms(view, parsed)
    if not terms:
        return ranked
    pool, rest = ranked[:size], ranked[size:]
    docs = np.array([d for d, _ in pool], dtype=np.int64)
    base = np.array([s for _, s in pool], dtype=np.float64)
    known = base >= TITLE_BONUS
    scores = pool_scores(view, docs, terms, weights)
    scores += weights.base * np.where(known, base - TITLE_BONUS, base) + known * TITLE_BONUS
    dates = view.dord[docs].astype(np.float64)
    order = np.lexsort((view.dk[docs], -dates, -scores))
    return [(int(docs[i]), float(scores[i])) for i in order] + rest


def query_terms(view: IndexView, parsed: ParsedQuery) -> list[Term]:
    """The query's positive groups as Terms, idf from how many documents hold the fragment."""
    terms = []
    for group in parsed.groups:
        texts = [c.text for c in group if c.text.strip()]
        if not texts:
            continue
        # The rarest gram's document count: an upper bound of the fragment's, read from the
        # cached gram postings without intersecting them.
        df = 0
        for clause in group:
            grams = query_grams(clause.text)
            df += min((len(view.gram_docs(gram_key(g))) for g in grams), default=view.doc_count)
        idf = math.log(view.doc_count / (min(df, view.doc_count) + 1)) + 1.0
        terms.append(Term(list(dict.fromkeys(texts)), max(idf, 0.1)))
    return terms


def regions(data: bytes, weights: RankWeights) -> list[tuple[int, int]]:
    """The (start, end) byte offsets of the REGIONS in a document's normalised text as UTF-8
    (TEXT_FIELDS joined by SEP). Bytes, not str: decoding every text of the pool would cost
    more than all the counting, and a UTF-8 needle only ever matches at character starts."""
    find = data.find
    title = find(SEP_BYTE)
    kicker = find(SEP_BYTE, title + 1)
    subtitle = find(SEP_BYTE, kicker + 1)
    headings = find(SEP_BYTE, subtitle + 1)
    captions = find(SEP_BYTE, headings + 1)
    body = captions + 1
    body_end = find(SEP_BYTE, body)
    body_end = len(data) if body_end < 0 else body_end
    cut = lead_end(data, body, body_end, weights)
    return [
        (0, title),
        (title + 1, kicker),
        (kicker + 1, subtitle),
        (subtitle + 1, headings),
        (headings + 1, captions),
        (body, cut),
        (cut, body_end),
    ]


def lead_end(data: bytes, start: int, end: int, weights: RankWeights) -> int:
    """Where the lead ends: at the end of the paragraph that brings it to lead_min
    characters, never beyond lead_max (in bytes: CJK text takes three a character)."""
    least, most = start + 3 * weights.lead_min, start + 3 * weights.lead_max
    if least >= end:
        return end
    nl = data.find(b"\n", least - 1, min(end, most))
    if nl >= 0:
        return nl + 1
    if most >= end:
        return end
    at = most  # cut on a character start, so that no match is split in two
    while at > start and (data[at] & 0xC0) == 0x80:
        at -= 1
    return at


def pool_scores(
    view: IndexView, docs: np.ndarray, terms: list[Term], weights: RankWeights
) -> np.ndarray:
    """The second-stage scores of `docs` (without the first stage's part): the occurrences
    are counted per document in Python (bytes.count), all the arithmetic is numpy."""
    flat: list[int] = []
    proximity = np.zeros(len(docs))
    near = weights.proximity and len(terms) > 1
    mm, toff, tlen = view.mm, view.toff, view.tlen
    for row, docnum in enumerate(docs.tolist()):
        off = int(toff[docnum])
        data = mm[off : off + int(tlen[docnum])] if mm is not None else b""
        spans = regions(data, weights)
        counts = [_count(data, term.needles, spans) for term in terms]
        flat.extend(c for per_term in counts for c in per_term)
        if near:
            proximity[row] = _proximity(data, spans, terms, counts, weights)
    counts_all = np.array(flat, dtype=np.float64).reshape(len(docs), len(terms), len(REGIONS))
    norms = np.stack(
        [
            _norms(view, docs, f, weights.b_head)
            for f in ("title", "kicker", "subtitle", "headings", "captions")
        ]
        + [_norms(view, docs, "body", weights.b)] * 2,
        axis=1,
    )  # docs × regions
    boosts = np.array([weights.boosts[r] for r in REGIONS])
    tf = counts_all * (boosts / norms)[:, None, :]
    head, text = tf[:, :, :3].sum(axis=2), tf[:, :, 3:].sum(axis=2)
    k1 = weights.k1
    idf = np.array([t.idf for t in terms]) ** weights.idf_power
    if weights.joint:
        both = weights.head * head + text
        per_term = both * (k1 + 1) / (both + k1)
    else:
        per_term = weights.head * head * (k1 + 1) / (head + k1) + text * (k1 + 1) / (text + k1)
    mean_idf = float(idf.mean())
    return (per_term * idf).sum(axis=1) + mean_idf * proximity


def _count(data: bytes, needles: list[bytes], spans: list[tuple[int, int]]) -> list[int]:
    if len(needles) == 1:
        count, needle = data.count, needles[0]
        return [count(needle, a, b) for a, b in spans]
    return [sum(data.count(t, a, b) for t in needles) for a, b in spans]


def _norms(view: IndexView, docs: np.ndarray, name: str, b: float) -> np.ndarray:
    return 1 - b + b * view.lengths[name][docs] / max(view.avg_length[name], 1.0)


def _proximity(
    data: bytes,
    spans: list[tuple[int, int]],
    terms: list[Term],
    counts: list[list[int]],
    weights: RankWeights,
) -> float:
    """How close together the terms are: all in the head, all in the head or lead, or all
    within a few characters of each other somewhere in the body (counts: per term, per
    region, as `regions` orders them)."""
    if all(sum(c[:3]) for c in counts):
        return weights.together_head
    if all(sum(c[:3]) + c[5] for c in counts):
        return weights.together_lead
    if not all(c[5] + c[6] for c in counts):
        return 0.0
    start, end = spans[5][0], spans[6][1]
    # Anchored on the term with the fewest body occurrences: one find per other term.
    order = sorted(range(len(terms)), key=lambda i: counts[i][5] + counts[i][6])
    anchor, others = terms[order[0]], [terms[i] for i in order[1:]]
    for window, weight in ((weights.window, 1.0), (4 * weights.window, 0.4)):
        if close_together(data, start, end, anchor, others, 3 * window):
            return weights.together_body * weight
    return 0.0


MAX_POSITIONS = 16  # anchors tried per document: bounded cost on long texts


def close_together(
    data: bytes, start: int, end: int, anchor: Term, others: list[Term], reach: int
) -> bool:
    """Whether some occurrence of `anchor` in data[start:end] has every one of `others`
    within `reach` bytes before or after it."""
    seen = 0
    for needle in anchor.needles:
        at = data.find(needle, start, end)
        while at >= 0 and seen < MAX_POSITIONS:
            lo, hi = max(start, at - reach), min(end, at + len(needle) + reach)
            if all(any(data.find(t, lo, hi) >= 0 for t in o.needles) for o in others):
                return True
            seen += 1
            at = data.find(needle, at + len(needle), end)
    return False
