"""Running a query over one IndexView: match, verify, filter, rank, and the hits.

How a query runs (why this design is in docs/benchmarks.md):
1. Each fragment's character bigrams (unigram for a one-character run) are looked up in the
   gram sidecar (indexer/grams.py) and intersected with numpy: every document that contains
   the fragment is a candidate (recall 1.0 by construction).
2. Quoted phrases and field-prefixed fragments are verified against the normalised text in
   texts.bin (mmap.find within the document's byte range): precision 1.0, exact totals.
   Unquoted fragments keep all candidates (a document with all the bigrams).
3. Relevance: indexer/scoring.py (BM25F over the query's words, and a known-item bonus).
4. Facets, filters and date sorts are numpy over columns loaded once per view.

The query language is parsed by indexer/query.py (never raises; see its docstring).
"""

from __future__ import annotations

import time
from collections import Counter
from itertools import repeat

import numpy as np

from indexer import budget
from indexer.aliases import TYPED_BONUS, AliasTable, expand, expansions, typed_clauses
from indexer.analysis import (
    RUN,
    contains,
    normalize,
    number_pattern_bytes,
    query_grams,
    to_simplified,
    words,
)
from indexer.browse import facets
from indexer.copies import copies_of, distinct_count, distinct_ranked
from indexer.entities import ENTITY_TYPES
from indexer.entity_index import entity_mask
from indexer.grams import gram_key
from indexer.highlight import SNIPPET_FIELDS, make_snippet, mark_terms, snippet_order
from indexer.index import SEP, title_key
from indexer.original import OriginalParts
from indexer.passages import SNIPPET_CHARS
from indexer.query import Clause, ParsedQuery, date_bound, parse
from indexer.rank import pool_depth, pool_size, rerank
from indexer.results import SORTS, Hit, ParsedInfo, SearchRequest, SearchResult
from indexer.scoring import (
    SIMILAR_BOOSTS,
    SIMILAR_MIN_WORD_LENGTH,
    SIMILAR_WORDS,
    TITLE_BONUS,
    WORD_BOOSTS,
    bm25,
    scoring_words,
    similar_word_weight,
)
from indexer.view import FIELD_INDEX, IndexView, code_mask, fmt_date

MIN_SNIPPET_CHARS, MAX_SNIPPET_CHARS = 20, 5000
Filters = tuple[int | None, int | None, str | None, str | None]  # date from, date to, page, paper


def execute(
    view: IndexView | None, request: SearchRequest, aliases: AliasTable | None = None
) -> SearchResult:
    """Run a search on `view` (None: there is no index, so no hits).

    A query with no words (empty, or only 日期:/版次:/排序: and exclusions) but a filter lists
    every article the filters let through, newest first unless told otherwise, with score 0
    and the article's opening text as snippet. No words and no filter: no hits.
    Raises ValueError for a malformed date or sort (the query string itself never raises).
    `aliases`: names ORed with the names typed (indexer/aliases.py).
    """
    started = time.perf_counter()
    check_snippet_chars(request.snippet_chars)
    if request.sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {request.sort!r}")
    lo = _bound("date_from", request.date_from, end=False)
    hi = _bound("date_to", request.date_to, end=True)
    limit, offset = max(0, int(request.limit)), max(0, int(request.offset))
    parsed = parse(request.query or "")
    budget.begin(parsed)  # the web site's limits on OR branches and time (indexer/budget.py)
    if aliases is not None:
        expand(parsed, aliases)
    result = SearchResult(query=request.query, offset=offset, limit=limit)
    filters: Filters = (lo, hi, request.page, request.paper)
    filter_only = not parsed.groups and _has_filters(parsed, filters)
    result.sort = _effective_sort(parsed, request.sort, filter_only)
    if view is not None and (filter_only or not parsed.is_empty()):
        _run(
            view,
            parsed,
            result,
            filters,
            filter_only,
            request.snippets,
            request.snippet_chars,
            request.collapse,
        )
    result.parsed = _parsed_info(view, request.query or "", parsed, result.total, filters)
    result.took_ms = round((time.perf_counter() - started) * 1000, 2)
    return result


def _run(
    view: IndexView,
    parsed: ParsedQuery,
    result: SearchResult,
    filters: Filters,
    filter_only: bool,
    snippets: bool,
    snippet_chars: int = SNIPPET_CHARS,
    collapse: bool = True,
) -> None:
    # Fragments with no letter, digit or CJK character (lone punctuation) restrict nothing;
    # a query left with no positive fragment finds nothing rather than everything. With
    # no words at all but filters, every article the filters (and exclusions) let through.
    parsed.groups = [
        kept
        for group in parsed.groups
        if (kept := [c for c in group if c.quoted or c.field or query_grams(c.text)])
    ]
    if not parsed.groups and not filter_only:
        return
    mask = _match(view, parsed)
    mask &= _filters(view, parsed, filters)
    docs = np.flatnonzero(mask)
    exact = _exact(view, parsed, docs)
    docs, near = docs[exact], docs[~exact]
    result.total, result.total_near = int(len(docs)), int(len(near))
    result.total_collapsed, result.collapsed = distinct_count(view.ckey[docs]), collapse
    result.facets = facets(view, docs)
    limit, offset = result.limit, result.offset
    if not limit or not (len(docs) or len(near)):
        return

    budget.checkpoint()

    def rank_to(depth: int) -> list[tuple[int, float, bool]]:
        ranked = [(d, s, False) for d, s in _order(view, parsed, docs, depth, result.sort)]
        if len(ranked) < depth and len(near):
            more = _order(view, parsed, near, depth - len(docs), result.sort)
            ranked += [(d, s, True) for d, s in more]
        return ranked

    if collapse:
        ranked = distinct_ranked(view.ckey, rank_to, offset + limit, len(docs) + len(near))
    else:
        ranked = rank_to(offset + limit)
    terms = mark_terms(parsed) if snippets else None
    near_terms = _near_terms(parsed) if snippets else None
    fields = snippet_order(parsed)
    # Aliases are marked where they stand whole, never by their separate words.
    added = frozenset(c.text for c in parsed.positive if c.alias_of is not None)
    result.hits = [
        make_hit(
            view, d, s, near_terms if is_near else terms, fields, is_near, snippet_chars, added
        )
        for d, s, is_near in ranked[offset:]
    ]
    if collapse:
        shown = [d for d, _, _ in ranked[offset:]]
        for hit, copies in zip(
            result.hits, copies_of(view, shown, np.concatenate((docs, near))), strict=True
        ):
            hit.copies = copies


def _order(
    view: IndexView, parsed: ParsedQuery, docs: np.ndarray, depth: int, sort: str
) -> list[tuple[int, float]]:
    """The first `depth` of `docs` in the result's order."""
    if not len(docs) or depth <= 0:
        return []
    if sort == "relevance":
        first = _rank(view, parsed, docs, pool_depth(len(docs), depth))
        return _typed_first(view, parsed, rerank(view, parsed, first, len(docs)), len(docs))[:depth]
    # Within a day, in the paper's order: 第1版 first, then in indexing order.
    days = view.dord[docs] if sort == "oldest" else -view.dord[docs]
    order = np.lexsort((view.dk[docs], view.page_rank[view.page[docs]], days))
    return [(int(d), 0.0) for d in docs[order[:depth]]]


def _typed_first(
    view: IndexView, parsed: ParsedQuery, ranked: list[tuple[int, float]], candidates: int
) -> list[tuple[int, float]]:
    """The rescored pool with the documents holding a name as typed (not only one of its
    aliases) TYPED_BONUS higher; what is beyond the pool keeps its place."""
    typed = typed_clauses(parsed)
    size = min(pool_size(candidates), len(ranked)) or len(ranked)
    if not typed or not ranked:
        return ranked
    docs = np.array([d for d, _ in ranked[:size]], dtype=np.int64)
    held = np.zeros(len(docs), dtype=bool)
    for clause in typed:
        if clause.field in ENTITY_TYPES:
            held |= entity_mask(view, clause.field, clause.text)[docs]
        else:
            held |= np.isin(docs, _verify(view, docs, clause))
    pool = [
        (d, s + TYPED_BONUS * max(abs(s), 1.0) if h else s)
        for (d, s), h in zip(ranked[:size], held.tolist(), strict=True)
    ]
    pool.sort(key=lambda ds: -ds[1])  # stable: ties keep the rescored order
    return pool + ranked[size:]


def _loose(clause: Clause) -> bool:
    """Whether the gram postings only approximate this fragment: an unquoted fragment of more
    than one gram can be matched by articles holding its bigrams apart (quoted phrases and
    field searches are verified in clause_mask already)."""
    return not clause.quoted and not clause.field and len(query_grams(clause.text)) > 1


def _exact(view: IndexView, parsed: ParsedQuery, docs: np.ndarray) -> np.ndarray:
    """For each of `docs`, whether it holds every group's fragment as typed (after
    normalisation), verified against the stored text; the others hold only the bigrams."""
    exact = np.ones(len(docs), dtype=bool)
    for group in parsed.groups:
        if not any(_loose(c) for c in group):
            continue  # every clause's match is exact already
        held = np.zeros(len(docs), dtype=bool)
        for clause in group:
            todo = docs[exact & ~held]
            if not len(todo):
                break
            found = (
                _verify(view, todo, clause)
                if _loose(clause)
                else todo[clause_mask(view, clause)[todo]]
            )
            held |= np.isin(docs, found, assume_unique=True)
        exact &= held
    return exact


def _near_terms(parsed: ParsedQuery) -> list[str]:
    """What a near match's snippet marks: the bigrams of the fragments it holds apart."""
    terms = []
    for clause in parsed.positive:
        terms.extend(query_grams(clause.text) if _loose(clause) else [clause.text])
    return [t for t in dict.fromkeys(terms) if t.strip()]


def _match(view: IndexView, parsed: ParsedQuery) -> np.ndarray:
    mask = view.live.copy()
    for group in parsed.groups:
        alt = np.zeros(view.n, dtype=bool)
        for clause in group:
            alt |= clause_mask(view, clause)
        mask &= alt
    for clause in parsed.excluded:
        mask &= ~clause_mask(view, clause)
    return mask


def clause_mask(view: IndexView, clause: Clause) -> np.ndarray:
    """The documents one fragment of a query matches."""
    budget.checkpoint()
    if clause.field in ENTITY_TYPES:
        return entity_mask(view, clause.field, clause.text) & view.live
    mask = np.zeros(view.n, dtype=bool)
    needed = query_grams(clause.text)
    if needed:
        lists = sorted((view.gram_docs(gram_key(g)) for g in needed), key=len)
        docs = lists[0]
        for other in lists[1:]:
            if not len(docs):
                break
            docs = docs[np.isin(docs, other, assume_unique=True)]
    elif clause.quoted or clause.field:
        docs = np.flatnonzero(view.live)  # only punctuation: verify every document
    else:
        return view.live.copy()  # nothing searchable in it: it does not restrict
    # A one- or two-character run is its own gram, so its postings are already exact.
    exact_gram = RUN.fullmatch(clause.text) is not None and len(clause.text) <= 2
    if clause.field or (clause.quoted and not exact_gram):
        docs = _verify(view, docs, clause)
    mask[docs] = True
    return mask


def _holding_the_word(view: IndexView, docs: np.ndarray, text: str) -> np.ndarray:
    """A mask of the `docs` that hold `text` as one of their words: no need to scan their
    text, since every word is cut from it (习近平: 25,000 candidates at 100k, most of them
    holding the word). Not for digits: words are cut from the text without its thousands
    marks, so a number word need not be in the text as it is."""
    if not len(docs) or any(ch.isdigit() for ch in text):
        return np.zeros(len(docs), dtype=bool)
    held = [view.postings(name, text)[0] for name in WORD_BOOSTS]
    return np.isin(docs, np.concatenate(held))


def _verify(view: IndexView, docs: np.ndarray, clause: Clause) -> np.ndarray:
    budget.checkpoint()
    if view.mm is None:
        return docs[:0]
    needle = clause.text.encode("utf-8")
    keep = np.zeros(len(docs), dtype=bool)
    find, toff, tlen = view.mm.find, view.toff, view.tlen
    number = number_pattern_bytes(clause.text)  # 2000 also finds 2,000 (analysis.py)
    if number is not None:
        mm = view.mm
        for i, d in enumerate(docs.tolist()):
            off = int(toff[d])
            if clause.field is None:
                keep[i] = number.search(mm, off, off + int(tlen[d])) is not None
            else:
                keep[i] = contains(view.field_text(d, clause.field), clause.text)
        return docs[keep]
    if clause.field is None:
        keep = _holding_the_word(view, docs, clause.text)
        scan = docs[~keep]
        # One C-level map over the candidates: a Python loop cost 2× as much (习近平: 2,567 candidates).
        starts = toff[scan]
        found = map(find, repeat(needle), starts.tolist(), (starts + tlen[scan]).tolist())
        keep[~keep] = np.fromiter(found, dtype=np.int64, count=len(scan)) >= 0
        return docs[keep]
    else:
        for i, d in enumerate(docs.tolist()):
            keep[i] = clause.text in view.field_text(d, clause.field)
    return docs[keep]


def _filters(view: IndexView, parsed: ParsedQuery, filters: Filters) -> np.ndarray:
    lo, hi, page, paper = filters
    mask = np.ones(view.n, dtype=bool)
    # The tighter of the argument's and the query's (日期:) bounds.
    lo = max((x for x in (lo, parsed.date_from) if x is not None), default=None)
    hi = min((x for x in (hi, parsed.date_to) if x is not None), default=None)
    if lo is not None:
        mask &= view.dord >= lo
    if hi is not None:
        mask &= view.dord <= hi
    pages = [p for p in [page, *parsed.pages] if p]
    for wanted in pages:
        mask &= code_mask(view.page_names, view.page, wanted, numeric=True)
    if paper:
        mask &= code_mask(view.paper_names, view.paper, paper, numeric=False)
    return mask


def _rank(
    view: IndexView, parsed: ParsedQuery, docs: np.ndarray, depth: int
) -> list[tuple[int, float]]:
    """The first `depth` candidates: by BM25F score, then unscored ones newest first; ties
    newest first, then in indexing order, so that every build of one archive ranks alike."""
    scores = _scores(view, parsed, docs)
    sd = scores[docs]
    hit = sd > 0
    pos_docs, pos_scores = docs[hit], sd[hit]
    order = _top(view, pos_docs, pos_scores, view.dord[pos_docs], depth)
    ranked = [(int(d), float(x)) for d, x in zip(pos_docs[order], pos_scores[order], strict=True)]
    need = depth - len(ranked)
    if need > 0:
        rest = docs[~hit]
        dates = view.dord[rest]
        ranked += [(int(d), 0.0) for d in rest[_top(view, rest, dates, dates, need)]]
    return ranked


def _top(
    view: IndexView, docs: np.ndarray, first: np.ndarray, then: np.ndarray, depth: int
) -> np.ndarray:
    """Positions of the best `depth` docs: highest `first`, then highest `then`, then in
    indexing order. Every doc tied with the last one kept takes part in the final sort, so
    the cut never depends on docnums."""
    if depth <= 0:
        return np.arange(0)
    pick = np.arange(len(docs))
    if len(docs) > depth:
        kth = np.partition(first, len(docs) - depth)[len(docs) - depth]
        pick = np.flatnonzero(first >= kth)
    order = np.lexsort((view.dk[docs[pick]], -then[pick], -first[pick]))[:depth]
    return pick[order]


def _field_scores(
    view: IndexView, field: str, boost: float, df: int, ids: np.ndarray, tf: np.ndarray
) -> np.ndarray:
    return bm25(view.doc_count, view.lengths[field][ids], view.avg_length[field], boost, df, tf)


def _scores(view: IndexView, parsed: ParsedQuery, docs: np.ndarray) -> np.ndarray:
    """BM25F over the query's words in the word fields, weighted per field, for the
    candidates only; plus the known-item bonus."""
    scores = np.zeros(view.n, dtype=np.float64)
    candidate = np.zeros(view.n, dtype=bool)
    candidate[docs] = True

    def body_frequency(word: str) -> int:
        return view.doc_frequency("body", word)

    for clause in parsed.positive:
        names = [clause.field] if clause.field in WORD_BOOSTS else list(WORD_BOOSTS)
        for word in scoring_words(body_frequency, view.doc_count, clause.text):
            for name in names:
                ids, tf = view.postings(name, word)
                if not len(ids):
                    continue
                df = len(ids)
                keep = candidate[ids]
                ids, tf = ids[keep], tf[keep]
                scores[ids] += _field_scores(view, name, WORD_BOOSTS[name], df, ids, tf)
    key = title_key(" ".join(c.text for c in parsed.positive if c.alias_of is None))
    if key:
        ids, _ = view.postings("tkey", key)
        scores[ids[candidate[ids]]] += TITLE_BONUS
    return scores


def make_hit(
    view: IndexView,
    docnum: int,
    score: float,
    terms: list[str] | None,
    fields: tuple[str, ...] = SNIPPET_FIELDS,
    near: bool = False,
    snippet_chars: int = SNIPPET_CHARS,
    exact: frozenset[str] = frozenset(),
) -> Hit:
    """A document as a Hit; its snippet marks `terms` (None: no snippet), looked for in
    `fields` in that order; the `exact` ones only where they stand whole."""
    stored, norm = view.searcher.stored_fields(docnum), view.text(docnum)
    parts_norm, parts_orig = norm.split(SEP), OriginalParts(norm, stored.get("diffs") or [])
    return Hit(
        id=stored.get("id", ""),
        title=parts_orig[0],
        paper=stored.get("paper", ""),
        date=fmt_date(int(view.dord[docnum])),
        page=stored.get("page", ""),
        page_name=parts_orig[FIELD_INDEX["page_name"]],
        score=round(score, 4),
        snippet=(
            make_snippet(parts_norm, parts_orig, terms, fields, snippet_chars, exact)
            if terms is not None
            else ""
        ),
        near=near,
        kicker=parts_orig[FIELD_INDEX["kicker"]].strip(),
        subtitle=parts_orig[FIELD_INDEX["subtitle"]].strip(),
        author=parts_orig[FIELD_INDEX["author"]].strip(),
    )


def similar(view: IndexView, docnum: int, limit: int) -> list[Hit]:
    """Articles like `docnum` (by its title and body's most telling words), without snippets."""
    parts = view.text(docnum).split(SEP)
    counts = Counter(
        w
        for w in words(parts[0] + " " + parts[FIELD_INDEX["body"]])
        if len(w) >= SIMILAR_MIN_WORD_LENGTH
    )
    weighted = []
    for word, tf in counts.items():
        df = view.doc_frequency("body", word) + 1
        weighted.append((similar_word_weight(tf, df, view.doc_count), word))
    top = [w for _, w in sorted(weighted, reverse=True)[:SIMILAR_WORDS]]
    if not top:
        return []
    scores = np.zeros(view.n, dtype=np.float64)
    for word in top:
        for name, boost in SIMILAR_BOOSTS.items():
            ids, tf = view.postings(name, word)
            if len(ids):
                scores[ids] += _field_scores(view, name, boost, len(ids), ids, tf)
    scores[docnum] = 0.0
    best = np.argsort(-scores, kind="stable")[:limit]
    return [make_hit(view, int(d), float(scores[d]), None) for d in best if scores[d] > 0]


def _parsed_info(
    view: IndexView | None, query: str, parsed: ParsedQuery, total: int, filters: Filters
) -> ParsedInfo:
    terms = []
    added = expansions(parsed)
    for clause in parsed.positive:
        if clause.alias_of is not None:
            continue  # shown with the name typed
        label = f'"{clause.text}"' if clause.quoted else " ".join(words(clause.text))
        if clause.field:
            label = f"{clause.field}:{label}"
        if clause.text in added:
            label += "（同义：" + "、".join(added[clause.text]) + "）"
        terms.append(label)
    excluded = [c.text for c in parsed.excluded if c.alias_of is None]
    info = ParsedInfo(terms=terms, excluded=excluded, notes=parsed.notes, aliases=added)
    simplified = to_simplified(query)
    if simplified != query:
        # The results are already those of the simplified query: nothing else to run.
        info.suggestion = f"已按简体检索：{simplified}"
    elif total == 0 and view is not None and len(parsed.positive) == 1:
        found = _typo_suggestion(view, query, parsed, filters)
        if found:
            info.suggestion, info.suggestion_query = found
    return info


def _typo_suggestion(
    view: IndexView, query: str, parsed: ParsedQuery, filters: Filters
) -> tuple[str, str] | None:
    """For a fragment with no hits: the one-character-shorter variant with the most hits
    under the same filters and exclusions, as (sentence, the whole query to run)."""
    clause = parsed.positive[0]
    text = clause.text
    if len(text) < 3 or len(text) > 12:
        return None
    # normalize keeps offsets, so the fragment's place in the normalised query is its
    # place in the query as typed: the suggestion keeps the reader's own characters.
    at = normalize(query).find(text)
    if at < 0:
        return None
    typed = query[at : at + len(text)]
    base = view.live & _filters(view, parsed, filters)
    for excluded in parsed.excluded:
        base &= ~clause_mask(view, excluded)
    best, best_count = None, 0
    for i in range(len(text)):
        variant = text[:i] + text[i + 1 :]
        if not query_grams(variant):
            continue  # punctuation left: it would match everything
        found = clause_mask(view, Clause(variant, clause.field, clause.quoted)) & base
        count = int(found.sum())
        if count > best_count:
            best, best_count = typed[:i] + typed[i + 1 :], count
    if best is None:
        return None
    suggested = query[:at] + best + query[at + len(text) :]
    return f"没有找到“{typed}”，试试：{best}（{best_count} 篇）", suggested


def _has_filters(parsed: ParsedQuery, filters: Filters) -> bool:
    return any(x for x in (*filters, parsed.date_from, parsed.date_to, *parsed.pages))


def _effective_sort(parsed: ParsedQuery, sort: str, filter_only: bool) -> str:
    """The order the hits come in: a 排序: in the query wins over the default; without words
    relevance means nothing, so the default is newest first."""
    chosen = parsed.sort if parsed.sort and sort == "relevance" else sort
    return "newest" if filter_only and chosen == "relevance" else chosen


def check_snippet_chars(chars: int) -> None:
    """A snippet budget the passages can be cut to: ValueError otherwise."""
    if not isinstance(chars, int) or not MIN_SNIPPET_CHARS <= chars <= MAX_SNIPPET_CHARS:
        raise ValueError(
            f"snippet_chars must be a whole number from {MIN_SNIPPET_CHARS} to "
            f"{MAX_SNIPPET_CHARS}, not {chars!r}"
        )


def _bound(name: str, value: str | None, end: bool) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    bound = date_bound(str(value), end=end)
    if bound is None:
        raise ValueError(f"{name}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return bound
