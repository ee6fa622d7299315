"""Highlighting and snippets: where a query's fragments occur in a document's text, marked
with <mark> in HTML-escaped text, and the 1–3 fragments around them shown under a hit.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import lru_cache

from indexer.analysis import contains, normalize
from indexer.passages import (
    MAX_FRAGMENTS,
    SNIPPET_CHARS,
    Occurrence,
    choose_passages,
    merge_spans,
    occurrences,
    opening,
)
from indexer.query import ParsedQuery, parse
from indexer.view import FIELD_INDEX

SNIPPET_FRAGMENTS = MAX_FRAGMENTS


def mark_terms(parsed: ParsedQuery) -> list[str]:
    """The normalised strings to mark: every positive fragment and phrase."""
    return [text for clause in parsed.positive if (text := clause.text.strip())]


@lru_cache(maxsize=32)
def highlight_terms(
    query: str, within: str, extra: tuple[str, ...] = ()
) -> tuple[tuple[str, ...], frozenset[str]]:
    """The query's terms to mark and those `within` holds whole. Cached: a page highlights
    each of an article's paragraphs with the same query and article, and normalising the
    whole article again for every paragraph made a long article's page cost ~170 ms."""
    terms = tuple(dict.fromkeys([*mark_terms(parse(query)), *extra]))
    document = normalize(within) if terms else ""
    return terms, frozenset(extra) | frozenset(t for t in terms if contains(document, t))


def find_spans(
    norm: str,
    terms: list[str],
    whole_elsewhere: frozenset[str] = frozenset(),
) -> list[tuple[int, int]]:
    """Merged (start, end) spans of every occurrence of the terms in normalised text (see
    indexer.passages.occurrences for the fallback to a fragment's words)."""
    return merge_spans(occurrences(norm, terms, whole_elsewhere))


def render_marked(
    original: str, spans: list[tuple[int, int]], lo: int = 0, hi: int | None = None
) -> str:
    """original[lo:hi] HTML-escaped, with the spans (clipped to the window) in <mark>."""
    hi = len(original) if hi is None else hi
    out, pos = [], lo
    for start, end in spans:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        out.append(html.escape(original[pos:start]))
        out.append("<mark>" + html.escape(original[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(original[pos:hi]))
    return "".join(out)


SNIPPET_FIELDS = ("body", "captions", "headings", "subtitle", "kicker")


def snippet_order(parsed: ParsedQuery) -> tuple[str, ...]:
    """Where to look for the snippet: a field the query names (图片:…) before the body."""
    named = [c.field for c in parsed.positive if c.field in SNIPPET_FIELDS]
    return tuple(dict.fromkeys([*named, *SNIPPET_FIELDS]))


def make_snippet(
    parts_norm: list[str],
    parts_orig: Sequence[str],
    terms: list[str],
    order: tuple[str, ...] = SNIPPET_FIELDS,
    chars: int = SNIPPET_CHARS,
    exact: frozenset[str] = frozenset(),
) -> str:
    """1–3 fragments, about `chars` characters in all, around the best matches (see
    indexer.passages) of the first field in `order` that has one (the `exact` terms are
    marked only whole, never by their words)."""
    whole = exact | frozenset(
        t for t in terms or [] if any(contains(part, t) for part in parts_norm)
    )
    for name in order:
        i = FIELD_INDEX[name]
        found = occurrences(parts_norm[i], terms, whole) if terms else []
        if found:
            return _fragments(parts_orig[i], found, chars)
    # No match to show (a filter-only search, or a match in the title): the opening text,
    # from the body, else the captions of a photo story.
    text = next(
        (
            parts_orig[FIELD_INDEX[n]]
            for n in ("body", "captions", "subtitle")
            if parts_orig[FIELD_INDEX[n]].strip()
        ),
        "",
    ).strip()
    end = opening(text, chars - 1)
    return html.escape(text[:end].replace("\n", " ")) + ("…" if end < len(text) else "")


def _fragments(original: str, found: list[Occurrence], chars: int) -> str:
    """The chosen windows of `original`, each holding its matches whole, joined by one
    " … " (the text's own "……" is left as it is)."""
    spans = merge_spans(found)
    windows = choose_passages(original, found, spans, chars)
    if not windows:
        return ""
    text = " … ".join(_clean_edges(render_marked(original, spans, lo, hi)) for lo, hi in windows)
    lead = "…" if windows[0][0] > 0 else ""
    tail = "…" if windows[-1][1] < len(original) else ""
    return lead + text + tail


def _clean_edges(fragment: str) -> str:
    # The text's own "……" at a cut would run into the " … " that marks the cut.
    return fragment.replace("\n", " ").strip().strip("…").strip()


def highlight(text: str, query: str, within: str = "", extra: tuple[str, ...] = ()) -> str:
    """`text` HTML-escaped, every match of the query's fragments wrapped in <mark>.

    `within` is the whole document `text` is a part of (a paragraph of an article): a
    fragment the document holds whole is marked only whole, never by its separate words.
    `extra`: more normalised strings to mark (the aliases of the query's names).
    """
    terms, whole = highlight_terms(query or "", within, extra)
    if not terms:
        return render_marked(text, [])
    return render_marked(text, find_spans(normalize(text), list(terms), whole_elsewhere=whole))
