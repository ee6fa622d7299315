"""Second-stage ranking: the BM25F order of indexer/search.py picks a pool of candidates, and
this module rescores the pool from the stored text itself.

Why a second stage: BM25F over jieba words sees only whole words, so a fragment inside a
longer word (地铁 in 地铁站) adds nothing, and it knows neither where in the article the words
are nor whether the query's terms stand together. Reading the normalised text of a few hundred
candidates (texts.bin, mmap) costs a few milliseconds; reading every candidate of a common word
would not, hence the pool.

Features, per document of the pool:
- every occurrence of each query fragment (substring count, so 地铁 in 地铁站 counts), per
  region: title, 引题, 副题 weigh most, then 小标题 and captions, then the opening of the body
  (the lead), then the rest of the body; combined BM25F-style with length normalisation per
  region, so a few passing mentions in a very long report saturate low;
- proximity: all the query's terms together in the title/kicker/subtitle, or in the lead, or
  the shortest stretch of body that holds them all;
- the first stage's BM25F score (words of the query), with a small weight, and the known-item
  bonus of indexer/scoring.py unchanged, so a title typed in full stays first.

Every weight is in `RankWeights`; `WEIGHTS` is the one in use (scripts/eval_relevance.py
measures variants of it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from indexer.analysis import query_grams
from indexer.grams import gram_key
from indexer.index import SEP
from indexer.query import ParsedQuery
from indexer.scoring import TITLE_BONUS
from indexer.view import FIELD_INDEX, IndexView

SEP_BYTE = SEP.encode("utf-8")
# Regions of an article, in the order `regions` returns them.
REGIONS = ("title", "kicker", "subtitle", "headings", "captions", "lead", "rest")


@dataclass(frozen=True)
class RankWeights:
    """The constants of the second stage (`enabled` False: the first stage's order alone)."""

    enabled: bool = True
    pool: int = 100  # the first stage's top this many are rescored
    scan_all: int = 200  # … or every candidate, when there are no more than this
    # Within the head (title, kicker, subtitle) and within the text (the rest), how much one
    # occurrence in each region counts; head and text saturate apart, so that a word in the
    # title is not outweighed by a few more mentions in the body.
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
    head: float = 1.5  # the head's saturated part, against 1 for the text's
    k1: float = 1.2
    b: float = 0.75  # length normalisation of the body (lead and rest)
    b_head: float = 0.3  # … and of the short fields
    lead_min: int = 80  # the lead: the first paragraphs of the body, at least this long …
    lead_max: int = 300  # … and at most this long (characters)
    proximity: bool = True
    together_head: float = 1.0  # × the mean idf of the terms
    together_lead: float = 0.6
    together_body: float = 0.5  # × window / (window + shortest span)
    window: int = 20
    base: float = 0.3  # weight of the first stage's BM25F score (words of the query)


WEIGHTS = RankWeights()


@dataclass
class Term:
    """One positive group of the query: its fragments (ORed) and their idf."""

    texts: list[str]
    idf: float
    needles: list[bytes] = field(init=False)
    pattern: re.Pattern[bytes] = field(init=False)

    def __post_init__(self) -> None:
        self.needles = [t.encode("utf-8") for t in self.texts]
        longest_first = sorted(self.needles, key=len, reverse=True)
        self.pattern = re.compile(b"|".join(re.escape(t) for t in longest_first))


def pool_depth(candidates: int, depth: int, weights: RankWeights | None = None) -> int:
    """How many of the first stage's order `rerank` needs to return the first `depth`."""
    weights = weights or WEIGHTS
    if not weights.enabled:
        return depth
    return candidates if candidates <= weights.scan_all else max(depth, weights.pool)


def rerank(
    view: IndexView,
    parsed: ParsedQuery,
    ranked: list[tuple[int, float]],
    weights: RankWeights | None = None,
) -> list[tuple[int, float]]:
    """`ranked` (the first stage's order of every candidate it returned) with its pool
    rescored and reordered; what is beyond the pool keeps its order, after the pool."""
    weights = weights or WEIGHTS
    if not weights.enabled or len(ranked) < 2:
        return ranked
    terms = query_terms(view, parsed)
    if not terms:
        return ranked
    size = len(ranked) if len(ranked) <= weights.scan_all else weights.pool
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
    bounds = [0]
    for _ in range(FIELD_INDEX["body"]):
        bounds.append(data.find(SEP_BYTE, bounds[-1]) + 1)
    body = bounds[-1]
    body_end = data.find(SEP_BYTE, body)
    body_end = len(data) if body_end < 0 else body_end
    cut = lead_end(data, body, body_end, weights)
    spans = [(bounds[i], bounds[i + 1] - 1) for i in range(len(bounds) - 1)]
    return [*spans, (body, cut), (cut, body_end)]


def lead_end(data: bytes, start: int, end: int, weights: RankWeights) -> int:
    """Where the lead ends: after the first paragraph that brings it to lead_min characters,
    never beyond lead_max (in bytes: CJK text takes three a character)."""
    at, least, most = start, start + 3 * weights.lead_min, start + 3 * weights.lead_max
    while at < end and at < least:
        nl = data.find(b"\n", at, end)
        at = end if nl < 0 else nl + 1
    if at > most:  # cut on a character start, so that no match is split in two
        at = most
        while at > start and (data[at] & 0xC0) == 0x80:
            at -= 1
    return at


def pool_scores(
    view: IndexView, docs: np.ndarray, terms: list[Term], weights: RankWeights
) -> np.ndarray:
    """The second-stage scores of `docs` (without the first stage's part): the occurrences
    are counted per document in Python (bytes.count), all the arithmetic is numpy."""
    counts = np.zeros((len(docs), len(terms), len(REGIONS)))
    proximity = np.zeros(len(docs))
    near = weights.proximity and len(terms) > 1
    for row, docnum in enumerate(docs.tolist()):
        off, size = int(view.toff[docnum]), int(view.tlen[docnum])
        data = view.mm[off : off + size] if view.mm is not None else b""
        spans = regions(data, weights)
        for col, term in enumerate(terms):
            counts[row, col] = [
                sum(data.count(t, a, b) for t in term.needles) if b > a else 0 for a, b in spans
            ]
        if near:
            proximity[row] = _proximity(data, spans, terms, weights)
    norms = np.stack(
        [
            _norms(view, docs, f, weights.b_head)
            for f in ("title", "kicker", "subtitle", "headings", "captions")
        ]
        + [_norms(view, docs, "body", weights.b)] * 2,
        axis=1,
    )  # docs × regions
    boosts = np.array([weights.boosts[r] for r in REGIONS])
    tf = counts * (boosts / norms)[:, None, :]
    head, text = tf[:, :, :3].sum(axis=2), tf[:, :, 3:].sum(axis=2)
    k1 = weights.k1
    idf = np.array([t.idf for t in terms])
    per_term = weights.head * head * (k1 + 1) / (head + k1) + text * (k1 + 1) / (text + k1)
    mean_idf = float(idf.mean())
    return (per_term * idf).sum(axis=1) + mean_idf * proximity


def _norms(view: IndexView, docs: np.ndarray, name: str, b: float) -> np.ndarray:
    return 1 - b + b * view.lengths[name][docs] / max(view.avg_length[name], 1.0)


def _proximity(
    data: bytes, spans: list[tuple[int, int]], terms: list[Term], weights: RankWeights
) -> float:
    def all_in(start: int, end: int) -> bool:
        return all(any(data.find(t, start, end) >= 0 for t in term.needles) for term in terms)

    head_start, head_end = spans[0][0], spans[2][1]
    lead_start, lead_end_ = spans[5]
    if all_in(head_start, head_end):
        return weights.together_head
    if all(
        any(
            data.find(t, a, b) >= 0
            for t in term.needles
            for a, b in ((head_start, head_end), spans[5])
        )
        for term in terms
    ):
        return weights.together_lead
    span = shortest_span(data[lead_start : spans[6][1]], terms)
    if span is None:
        return 0.0
    return weights.together_body * weights.window / (weights.window + span / 3)


MAX_POSITIONS = 32  # per term: enough to find a close pair, bounded cost on long texts


def shortest_span(text: bytes, terms: list[Term]) -> int | None:
    """The length in bytes of the shortest stretch of `text` holding one fragment of every
    term (None when some term is not in it)."""
    events: list[tuple[int, int, int]] = []  # start, end, term
    for i, term in enumerate(terms):
        found = 0
        for m in term.pattern.finditer(text):
            events.append((m.start(), m.end(), i))
            found += 1
            if found >= MAX_POSITIONS:
                break
        if not found:
            return None
    events.sort()
    need = len(terms)
    last_end: dict[int, int] = {}
    last_start: dict[int, int] = {}
    best: int | None = None
    for start, end, i in events:
        last_start[i], last_end[i] = start, end
        if len(last_start) == need:
            span = max(last_end.values()) - min(last_start.values())
            best = span if best is None else min(best, span)
    return best
