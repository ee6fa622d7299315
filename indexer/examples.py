"""Example queries mined from the archive itself, for the home page: each one is run before it
is offered, so it always finds something here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import numpy as np

from indexer.analysis import RUN, words
from indexer.index import SEP, TEXT_FIELDS
from indexer.view import IndexView

Recent = list[dict[str, tuple[str, str]]]


def example_queries(view: IndexView, total: Callable[[str], int]) -> list[str]:
    """Queries that find something in this archive, to show beside the search box: a
    frequent word of recent titles (标题:), a phrase of a recent title in quotes, a caption
    search (图片:) and an author search (作者:) when articles have them, an exclusion.
    `total(query)` is the number of hits of a query; a candidate is kept when it is not 0."""
    recent = recent_fields(view, EXAMPLE_RECENT)
    found = [q for q in _example_candidates(recent) if total(q) > 0]
    return found + _exclusion_example(recent, total)


def recent_fields(view: IndexView, count: int) -> Recent:
    """The newest articles' fields as name → (normalised, original) text."""
    docs = np.flatnonzero(view.live)
    recent = docs[np.lexsort((docs, -view.dord[docs]))[:count]]
    out = []
    for d in recent.tolist():
        _, norm, original = view.stored_texts(d)
        pairs = zip(norm.split(SEP), original.split(SEP), strict=False)
        out.append(dict(zip(TEXT_FIELDS, pairs, strict=False)))
    return out


def _exclusion_example(recent: Recent, total: Callable[[str], int]) -> list[str]:
    """ "A -B": A the commonest word of recent titles, B another frequent one that removes
    some but not all of A's articles."""
    frequent = [w for w, _ in _title_word_counts(recent).most_common(20)]
    if not frequent:
        return []
    first = frequent[0]
    whole = total(first)
    for other in frequent[1:]:
        query = f"{first} -{other}"
        if other not in first and 0 < total(query) < whole:
            return [query]
    return []


EXAMPLE_RECENT = 300
# Words of a byline that name a role, not a person (本报记者 张三 通讯员 李四).
BYLINE_ROLES = ("记者", "通讯员", "本报", "实习生", "摄影", "特约", "编辑", "新华社", "讯")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


def _typed(norm: str, original: str, piece: str) -> str:
    """`piece` (found in normalised text) in the characters the paper printed."""
    at = norm.find(piece)
    return original[at : at + len(piece)] if at >= 0 else piece


def _title_word_counts(recent: Recent) -> Counter:
    """Chinese words of two or more characters, counted once per recent title."""
    counts: Counter = Counter()
    for fields in recent:
        norm, original = fields["title"]
        counts.update({_typed(norm, original, w) for w in words(norm) if _CJK_WORD.match(w)})
    return counts


def _example_candidates(recent: Recent) -> list[str]:
    titles = _title_word_counts(recent)
    picks = (
        ("标题:{}", titles.most_common(1)[0][0] if titles else None),
        ('"{}"', _title_phrase(recent)),
        ("图片:{}", _caption_word(recent)),
        ("作者:{}", _author_name(recent)),
    )
    return [template.format(value) for template, value in picks if value]


def _title_phrase(recent: Recent) -> str | None:
    """Two adjacent words of the newest title that has them (4 to 6 characters together)."""
    for fields in recent:
        norm, original = fields["title"]
        cut = words(norm)
        for a, b in zip(cut, cut[1:], strict=False):
            if len(a) > 1 and len(b) > 1 and _CJK_WORD.match(a + b) and a + b in norm:
                return _typed(norm, original, a + b)
    return None


def _caption_word(recent: Recent) -> str | None:
    """The commonest caption word that is also in its article's title (what the photo shows),
    else the commonest caption word."""
    in_title: Counter = Counter()
    anywhere: Counter = Counter()
    for fields in recent:
        norm, original = fields["captions"]
        found = {
            w
            for w in words(norm)
            if _CJK_WORD.match(w) and not any(role in w for role in BYLINE_ROLES)
        }
        anywhere.update(_typed(norm, original, w) for w in found)
        in_title.update(_typed(norm, original, w) for w in found if w in fields["title"][0])
    best = in_title.most_common(1) or anywhere.most_common(1)
    return best[0][0] if best else None


def _author_name(recent: Recent) -> str | None:
    """The byline name that recurs most: bylines are space- and punctuation-separated runs
    (本报记者 张三 通讯员 李四); role words are left out."""
    counts: Counter = Counter()
    for fields in recent:
        _, original = fields["author"]
        names = {
            run
            for run in RUN.findall(original)
            if _CJK_WORD.match(run)
            and len(run) <= 4
            and not any(role in run for role in BYLINE_ROLES)
        }
        counts.update(names)
    best = counts.most_common(1)
    return best[0][0] if best else None
