"""Running a query (indexer/query.py's language) on the SolrCloud collection `baoku`.

The same answer as indexer/search.py over Whoosh, by the same rules:
- Match: an unquoted fragment matches articles holding all its grams (field `grams`, Baoku's
  own unigrams and bigrams); a quoted or field-prefixed one only those holding it exactly.
  Solr is exact by itself for a run of Han characters (a phrase on the CJKBigramFilter field:
  consecutive bigrams are the substring) and for a one-gram fragment; anything else (Latin,
  punctuation, spaces inside quotes) is verified against the stored normalised text, as the
  Whoosh backend verifies against texts.bin, and Solr is then asked about the ids found.
- Near matches (all the bigrams of an unquoted fragment, not in a row) come after the exact
  ones and are counted apart (`total_near`).
- Relevance: BM25 per word field with the field weights of indexer/scoring.py (edismax qf),
  plus the known-item bonus on the title key; ties newest first, then indexing order.
- Facets: Solr's JSON facet API, put in Whoosh's display order. Snippets: Baoku's own
  highlighter over the stored text.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from indexer.aliases import AliasTable, expand
from indexer.analysis import RUN, contains, query_grams, unmarked, words
from indexer.copies import NO_KEY, distinct_ranked
from indexer.entities import ENTITY_TYPES, canonical_place
from indexer.entity_index import FACET_SIZE
from indexer.highlight import make_snippet, mark_terms, snippet_order
from indexer.index import SEP, TEXT_FIELDS, title_key
from indexer.passages import SNIPPET_CHARS
from indexer.query import Clause, ParsedQuery, parse
from indexer.results import SORTS, Copy, Facets, Hit, SearchRequest, SearchResult
from indexer.scoring import TITLE_BONUS, WORD_BOOSTS
from indexer.search import (
    _bound,
    _effective_sort,
    _has_filters,
    _loose,
    _near_terms,
    _parsed_info,
    check_snippet_chars,
)
from indexer.solr_client import SolrClient
from indexer.solr_docs import HEAD
from indexer.view import fmt_date, page_sort

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
FIELD_INDEX = {name: i for i, name in enumerate(TEXT_FIELDS)}
NOTHING = "-*:*"
HIT_FIELDS = "id,paper,page,dord,ckey,head,score"
SNIPPET_HIT_FIELDS = HIT_FIELDS + ",parts,orig"
QF = " ".join(f"{name}_w^{boost}" for name, boost in WORD_BOOSTS.items())
FACETS: dict[str, Any] = {
    name: {"type": "terms", "field": name, "limit": -1, "mincount": 1}
    for name in ("year", "month", "page", "paper")
}
FACETS.update(
    {
        kind: {"type": "terms", "field": kind, "limit": FACET_SIZE, "refine": True}
        for kind in ENTITY_TYPES
    }
)
# Copy keys held by more than one match: total_collapsed is total minus the extra copies.
FACETS["copies"] = {
    "type": "terms",
    "field": "ckey",
    "limit": -1,
    "mincount": 2,
    "domain": {"filter": "ckey:[1 TO *]"},
}
VERIFY_ROWS = 2000


@dataclass
class Plan:
    """The Solr filter of the exact matches, and of the near ones (None: there are none)."""

    exact: str
    near: str | None


def execute(
    client: SolrClient,
    collection: str,
    request: SearchRequest,
    aliases: AliasTable | None = None,
) -> SearchResult:
    """indexer/search.py `execute` on Solr (same arguments, same SearchResult)."""
    started = time.perf_counter()
    check_snippet_chars(request.snippet_chars)
    if request.sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {request.sort!r}")
    lo = _bound("date_from", request.date_from, end=False)
    hi = _bound("date_to", request.date_to, end=True)
    limit, offset = max(0, int(request.limit)), max(0, int(request.offset))
    parsed = parse(request.query or "")
    if aliases is not None:
        expand(parsed, aliases)
    result = SearchResult(query=request.query, offset=offset, limit=limit)
    result.collapsed = request.collapse
    filters = (lo, hi, request.page, request.paper)
    filter_only = not parsed.groups and _has_filters(parsed, filters)
    result.sort = _effective_sort(parsed, request.sort, filter_only)
    if filter_only or not parsed.is_empty():
        _run(client, collection, parsed, result, filters, filter_only, request)
    # No typo suggestion on Solr (it needs the gram sidecar): the rest of ParsedInfo alike.
    result.parsed = _parsed_info(None, request.query or "", parsed, result.total, filters)
    result.took_ms = round((time.perf_counter() - started) * 1000, 2)
    return result


class _Order:
    """The result's order, exact matches then near ones, fetched from Solr as deep as asked:
    `rank_to(n)` is indexer/copies.py's ranking callback, positions standing for docnums."""

    def __init__(self, client, collection, parsed, result, plan, fq, fields) -> None:
        self.args = (client, collection, parsed, result.sort)
        self.plan, self.fq, self.fields = plan, fq, fields
        self.total, self.near = result.total, result.total_near
        self.keys = np.zeros(self.total + self.near, dtype=np.int64)
        self.docs: list[dict] = []

    def rank_to(self, depth: int) -> list[tuple[int, float, bool]]:
        depth = min(depth, self.total + self.near)
        if depth > len(self.docs):
            exact = _select(
                *self.args, [self.plan.exact, *self.fq], 0, min(depth, self.total), self.fields
            )
            docs = exact["response"]["docs"]
            if depth > self.total and self.plan.near is not None:
                near = _select(
                    *self.args, [self.plan.near, *self.fq], 0, depth - self.total, self.fields
                )
                docs += near["response"]["docs"]
            self.docs = docs
            for i, doc in enumerate(docs):
                self.keys[i] = int(doc.get("ckey", NO_KEY))
        return [
            (i, float(doc.get("score", 0.0)), i >= self.total)
            for i, doc in enumerate(self.docs[:depth])
        ]

    def page(self, offset: int, limit: int, collapse: bool) -> list[tuple[dict, float, bool]]:
        if collapse:
            ranked = distinct_ranked(self.keys, self.rank_to, offset + limit, len(self.keys))
        else:
            ranked = self._window(offset, limit)
            return ranked
        return [(self.docs[i], s, near) for i, s, near in ranked[offset:]]

    def _window(self, offset: int, limit: int) -> list[tuple[dict, float, bool]]:
        """offset..offset+limit without collapsing: only that window is fetched."""
        out = []
        if offset < self.total and limit:
            rows = min(limit, self.total - offset)
            exact = _select(*self.args, [self.plan.exact, *self.fq], offset, rows, self.fields)
            out += [(d, float(d.get("score", 0.0)), False) for d in exact["response"]["docs"]]
        left = limit - len(out)
        if left > 0 and self.plan.near is not None and self.near:
            start = max(0, offset - self.total)
            near = _select(*self.args, [self.plan.near, *self.fq], start, left, self.fields)
            out += [(d, float(d.get("score", 0.0)), True) for d in near["response"]["docs"]]
        return out


def _run(client, collection, parsed, result, filters, filter_only, request) -> None:
    parsed.groups = [
        kept
        for group in parsed.groups
        if (kept := [c for c in group if c.quoted or c.field or query_grams(c.text)])
    ]
    if not parsed.groups and not filter_only:
        return
    fq = _filter_queries(parsed, filters)
    plan = _solr_plan(parsed) or _verified_plan(client, collection, parsed, fq)
    counted = _count(client, collection, [plan.exact, *fq], facets=True)
    result.total = int(counted["response"]["numFound"])
    raw = counted.get("facets", {})
    extra = sum(int(b["count"]) - 1 for b in raw.get("copies", {}).get("buckets", []))
    result.total_collapsed = result.total - extra
    if result.total:
        result.facets = _facets(raw)
    if plan.near is not None:
        near = _count(client, collection, [plan.near, *fq])
        result.total_near = int(near["response"]["numFound"])
    if not result.limit or not (result.total or result.total_near):
        return
    snippets = request.snippets
    order = _Order(
        client, collection, parsed, result, plan, fq, SNIPPET_HIT_FIELDS if snippets else HIT_FIELDS
    )
    shown = order.page(result.offset, result.limit, request.collapse)
    terms = mark_terms(parsed) if snippets else None
    near_terms = _near_terms(parsed) if snippets else None
    fields = snippet_order(parsed)
    added = frozenset(c.text for c in parsed.positive if c.alias_of is not None)
    result.hits = [
        _hit(
            doc,
            score if result.sort == "relevance" else 0.0,
            near_terms if is_near else terms,
            fields,
            is_near,
            request.snippet_chars,
            added,
        )
        for doc, score, is_near in shown
    ]
    if request.collapse:
        pool = plan.exact if plan.near is None else _either([plan.exact, plan.near])
        copies = _copies(client, collection, [doc for doc, _, _ in shown], [pool, *fq])
        for hit, found in zip(result.hits, copies, strict=True):
            hit.copies = found


def _copies(client, collection, shown: list[dict], fq: list[str]) -> list[list[Copy]]:
    """For each shown doc, the other matches with its copy key, oldest first, in 版次 order."""
    keys = sorted({int(d.get("ckey", NO_KEY)) for d in shown} - {NO_KEY})
    if not keys:
        return [[] for _ in shown]
    params = {
        "q": "*:*",
        "fq": [*fq, "{!terms f=ckey}" + ",".join(map(str, keys))],
        "fl": "id,paper,page,dord,ckey,head",
        "sort": "dord asc, page_rank asc, dk asc",
        "rows": 100000,
    }
    members = client.select(collection, params)["response"]["docs"]
    out = []
    for doc in shown:
        key = int(doc.get("ckey", NO_KEY))
        same = [
            m for m in members if key != NO_KEY and int(m["ckey"]) == key and m["id"] != doc["id"]
        ]
        out.append([_copy(m) for m in same])
    return out


def _copy(doc: dict) -> Copy:
    head = dict(zip(HEAD, json.loads(doc["head"]), strict=True))
    return Copy(
        id=doc["id"],
        date=fmt_date(int(doc.get("dord", 0))),
        page=doc.get("page", ""),
        page_name=head["page_name"],
        paper=doc.get("paper", ""),
    )


# -- what matches ---------------------------------------------------------------------------


def _phrase(field: str, text: str) -> str:
    return f'{field}:"{text.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'


def _loose_q(clause: Clause) -> str:
    """Articles holding every gram of the fragment (anywhere in their text)."""
    needed = query_grams(clause.text)
    if not needed:
        return "*:*"
    return "(" + " AND ".join(_phrase("grams", g) for g in needed) + ")"


def _exact_q(clause: Clause) -> str | None:
    """Articles holding the fragment as typed (in its field), when Solr can tell exactly."""
    text = clause.text
    if clause.field in ENTITY_TYPES:
        name = canonical_place(text.strip()) if clause.field == "place" else text.strip()
        return _phrase(clause.field, name)  # an exact name, as entity_mask looks it up
    if clause.field is None and RUN.fullmatch(text) and len(text) <= 2:
        return _phrase("grams", text)  # one gram: its postings are exact
    if len(text) >= 2 and HAN.fullmatch(text):
        field = "text_cjk" if clause.field is None else f"{clause.field}_cjk"
        return _phrase(field, text)
    return None


def _match_q(clause: Clause) -> str | None:
    """What the Whoosh backend's clause_mask matches: loose for an unquoted fragment in no
    field, exact otherwise (None: Solr cannot tell exactly)."""
    if not clause.quoted and not clause.field:
        return _loose_q(clause)
    if clause.field and not query_grams(clause.text) and clause.field not in ENTITY_TYPES:
        return None  # only punctuation: verified against the field's text
    return _exact_q(clause)


def _both(parts: list[str]) -> str:
    return " AND ".join(f"({p})" for p in parts) if parts else "*:*"


def _either(parts: list[str]) -> str:
    return " OR ".join(f"({p})" for p in parts)


def _solr_plan(parsed: ParsedQuery) -> Plan | None:
    """The plan when Solr alone is exact for every fragment, else None."""
    clauses = [*parsed.positive, *parsed.excluded]
    if any(_match_q(c) is None for c in clauses):
        return None
    if any(_loose(c) and _exact_q(c) is None for c in parsed.positive):
        return None
    match = [_either([_match_q(c) for c in group]) for group in parsed.groups]
    match += [f"*:* -({_match_q(c)})" for c in parsed.excluded]
    held = [
        _either([_exact_q(c) if _loose(c) else _match_q(c) for c in group])
        for group in parsed.groups
        if any(_loose(c) for c in group)
    ]
    if not held:
        return Plan(_both(match), None)
    return Plan(_both([*match, *held]), f"{_both(match)} AND NOT ({_both(held)})")


def _verified_plan(client, collection, parsed: ParsedQuery, fq: list[str]) -> Plan:
    """Candidates from Solr (a superset), sorted into exact and near against their stored
    normalised text, as the Whoosh backend verifies against texts.bin."""
    candidates = [_either([_match_q(c) or _loose_q(c) for c in g]) for g in parsed.groups]
    candidates += [f"*:* -({_match_q(c)})" for c in parsed.excluded if _match_q(c)]
    exact, near = [], []
    for doc_id, parts, entities in _scan(client, collection, [_both(candidates), *fq]):
        verdict = _verdict(parsed, parts, entities)
        if verdict is True:
            exact.append(doc_id)
        elif verdict is False:
            near.append(doc_id)
    return Plan(_ids(exact), _ids(near) if near else None)


def _verdict(parsed: ParsedQuery, parts: list[str], entities: dict[str, list[str]]) -> bool | None:
    """True: an exact match; False: a near one; None: no match."""
    joined = SEP.join(parts)
    unmarked_joined = unmarked(joined)

    def verified(c: Clause) -> bool:
        if c.field in ENTITY_TYPES:
            name = canonical_place(c.text.strip()) if c.field == "place" else c.text.strip()
            return name in entities.get(c.field, [])
        return contains(joined if c.field is None else parts[FIELD_INDEX[c.field]], c.text)

    def matches(c: Clause) -> bool:
        if not c.quoted and not c.field:
            return all(g in unmarked_joined for g in query_grams(c.text))
        return verified(c)

    if not all(any(matches(c) for c in group) for group in parsed.groups):
        return None
    if any(matches(c) for c in parsed.excluded):
        return None
    return all(
        any(verified(c) if _loose(c) else matches(c) for c in group)
        for group in parsed.groups
        if any(_loose(c) for c in group)
    )


def _ids(ids: list[str]) -> str:
    return "{!terms f=id}" + ",".join(ids) if ids else NOTHING


def _scan(client, collection, fq: list[str]):
    """(id, normalised parts) of every document the filters let through."""
    cursor = "*"
    while True:
        params = {
            "q": "*:*",
            "fq": fq,
            "fl": "id,parts," + ",".join(ENTITY_TYPES),
            "sort": "id asc",
            "rows": VERIFY_ROWS,
            "cursorMark": cursor,
        }
        answer = client.select(collection, params)
        for doc in answer["response"]["docs"]:
            yield doc["id"], json.loads(doc["parts"]), {k: doc.get(k, []) for k in ENTITY_TYPES}
        if answer["nextCursorMark"] == cursor:
            return
        cursor = answer["nextCursorMark"]


def _filter_queries(parsed: ParsedQuery, filters) -> list[str]:
    lo, hi, page, paper = filters
    lo = max((x for x in (lo, parsed.date_from) if x is not None), default=None)
    hi = min((x for x in (hi, parsed.date_to) if x is not None), default=None)
    fq = []
    if lo is not None or hi is not None:
        fq.append(f"dord:[{lo if lo is not None else '*'} TO {hi if hi is not None else '*'}]")
    for wanted in [p for p in [page, *parsed.pages] if p]:
        wanted = wanted.strip()
        forms = [wanted]
        if wanted.isdigit():  # 7 also finds 07, as code_mask does
            forms += [f"{int(wanted):0{width}d}" for width in (1, 2, 3)]
        fq.append(_either([_phrase("page", f) for f in dict.fromkeys(forms)]))
    if paper:
        fq.append(_phrase("paper", paper.strip()))
    return fq


# -- ranking and the page of hits -----------------------------------------------------------


def _scoring(parsed: ParsedQuery) -> dict[str, Any]:
    """The relevance query: BM25 over the word fields (edismax, Whoosh's field weights) and
    the known-item bonus; documents it does not score stay in with score 0."""
    found = list(dict.fromkeys(w for c in parsed.positive for w in words(c.text) if w.strip()))
    if not found:
        return {"q": "*:*"}
    params: dict[str, Any] = {
        "q": "{!bool should=$sq should=$all}",
        "all": "*:*^=0",
        "sq": "{!edismax qf=$qf mm=0 q.op=OR v=$qw bq=$bq}",
        "qf": QF,
        "qw": " ".join(_escape(w) for w in found),
        "bq": "-*:*",
    }
    key = title_key(" ".join(c.text for c in parsed.positive if c.alias_of is None))
    if key:
        params["bq"] = f"{_phrase('tkey', key)}^={TITLE_BONUS}"
    return params


def _escape(word: str) -> str:
    return re.sub(r'([+\-&|!(){}\[\]^"~*?:\\/ ])', r"\\\1", word)


def _sort(sort: str) -> str:
    if sort == "relevance":
        return "score desc, dord desc, dk asc"
    days = "dord asc" if sort == "oldest" else "dord desc"
    return f"{days}, page_rank asc, dk asc"


def _select(client, collection, parsed, sort, fq, start, rows, fields=HIT_FIELDS) -> dict:
    params = {
        **(_scoring(parsed) if sort == "relevance" else {"q": "*:*"}),
        "fq": fq,
        "fl": fields,
        "sort": _sort(sort),
        "start": start,
        "rows": rows,
    }
    return client.select(collection, params)


def _count(client, collection, fq: list[str], facets: bool = False) -> dict:
    params: dict[str, Any] = {"q": "*:*", "fq": fq, "rows": 0}
    if facets:
        params["json.facet"] = json.dumps(FACETS)
    return client.select(collection, params)


def _facets(raw: dict[str, Any]) -> Facets:
    def counts(name: str) -> dict[str, int]:
        buckets = raw.get(name, {}).get("buckets", [])
        return {str(b["val"]): int(b["count"]) for b in buckets if str(b["val"])}

    page = counts("page")
    paper = counts("paper")
    entities = {
        kind: dict(sorted(counts(kind).items(), key=lambda kv: (-kv[1], kv[0])))
        for kind in ENTITY_TYPES
    }
    return Facets(
        **entities,
        year=dict(sorted(counts("year").items())),
        month=dict(sorted(counts("month").items())),
        page={k: page[k] for k in sorted(page, key=page_sort)},
        paper={k: paper[k] for k in sorted(paper, key=lambda k: (-paper[k], k))},
    )


def _hit(
    doc: dict,
    score: float,
    terms: list[str] | None,
    fields: tuple[str, ...],
    near: bool,
    snippet_chars: int = SNIPPET_CHARS,
    exact: frozenset[str] = frozenset(),
) -> Hit:
    head = dict(zip(HEAD, json.loads(doc["head"]), strict=True))
    snippet = ""
    if terms is not None:
        norm, orig = json.loads(doc["parts"]), json.loads(doc["orig"])
        snippet = make_snippet(norm, orig, terms, fields, snippet_chars, exact)
    return Hit(
        id=doc["id"],
        title=head["title"],
        paper=doc.get("paper", ""),
        date=fmt_date(int(doc.get("dord", 0))),
        page=doc.get("page", ""),
        page_name=head["page_name"],
        score=round(score, 4),
        snippet=snippet,
        near=near,
        kicker=head["kicker"].strip(),
        subtitle=head["subtitle"].strip(),
        author=head["author"].strip(),
    )
