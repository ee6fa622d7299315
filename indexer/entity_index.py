"""The entities of the indexed articles as numpy arrays: facets and 人物:/地点:/机构: filters.

Each document's entities are one string in the `ents` column (`encode_entities`); a view reads
the column once, on first use, into pairs (document, entity) so that counting the entities of
any result set, or finding the documents of one entity, is numpy over those pairs.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from indexer.entities import ENTITY_TYPES, Entities, canonical_place
from indexer.whoosh_fast import string_column

FACET_SIZE = 20
_KIND_CODE = {"person": "p", "place": "l", "organization": "o"}
_CODE_KIND = {v: k for k, v in _KIND_CODE.items()}
_SEP = "\x1f"
NONE = "-"  # the column value of an article without entities


MAX_PER_TYPE = 200  # a long list (a 名单, a table) still makes a column value of a few KB


def encode_entities(entities: Entities) -> str:
    """p钟南山␟l武汉␟o国家卫健委: one string for the column ("-" when there is none)."""
    items = [
        _KIND_CODE[kind] + name
        for kind in ENTITY_TYPES
        for name in getattr(entities, kind)[:MAX_PER_TYPE]
    ]
    return _SEP.join(items) or NONE


@dataclass
class EntityPairs:
    """Every (document, entity) pair of a view; entity ids index `kinds` and `names`."""

    docs: np.ndarray
    ids: np.ndarray
    kinds: np.ndarray  # per entity id: its index in ENTITY_TYPES
    names: list[str]
    lookup: dict[tuple[str, str], int]
    name_rank: np.ndarray  # per entity id: its place in the names' sorted order


def entity_pairs(view) -> EntityPairs:
    """The view's pairs, read from its column once and kept on the view."""
    cached = view.__dict__.get("_entity_pairs")
    if cached is not None:
        return cached
    values, codes = string_column(view.searcher.reader(), "ents", view.n)
    lookup: dict[tuple[str, str], int] = {}
    flat = array("q")  # the entity ids of every distinct value, one after the other
    counts = np.zeros(len(values), dtype=np.int64)
    for code, value in enumerate(values):
        before = len(flat)
        for item in value.split(_SEP) if value != NONE else []:
            kind = _CODE_KIND.get(item[:1])
            if kind and len(item) > 1:
                flat.append(lookup.setdefault((kind, item[1:]), len(lookup)))
        counts[code] = len(flat) - before
    del values
    # Pairs in numpy, by document then in the value's order: Python lists of them cost
    # 36 bytes a pair (int objects), about 100 MB transient at 100k articles.
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(counts) else counts
    live_docs = np.flatnonzero(view.live)
    doc_codes = codes[live_docs]
    per_doc = counts[doc_codes]
    docs = np.repeat(live_docs, per_doc)
    first = np.repeat(starts[doc_codes] - (np.cumsum(per_doc) - per_doc), per_doc)
    ids = np.frombuffer(flat, dtype=np.int64)[first + np.arange(len(docs))] if len(docs) else docs
    keys = list(lookup)
    names = [name for _, name in keys]
    name_rank = np.zeros(len(names), dtype=np.int64)
    name_rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    pairs = EntityPairs(
        docs,
        ids,
        np.asarray([ENTITY_TYPES.index(k) for k, _ in keys], dtype=np.int8),
        names,
        lookup,
        name_rank,
    )
    view.__dict__["_entity_pairs"] = pairs
    return pairs


def entity_facets(view, docs: np.ndarray, size: int = FACET_SIZE) -> dict[str, dict[str, int]]:
    """The `size` most frequent people, places and organisations among `docs`, by count then
    name: {"person": {name: count}, "place": …, "organization": …}."""
    pairs = entity_pairs(view)
    out: dict[str, dict[str, int]] = {kind: {} for kind in ENTITY_TYPES}
    if not len(pairs.ids) or not len(docs):
        return out
    chosen = np.zeros(view.n, dtype=bool)
    chosen[docs] = True
    counts = np.bincount(pairs.ids[chosen[pairs.docs]], minlength=len(pairs.names))
    for code, kind in enumerate(ENTITY_TYPES):
        ids = np.flatnonzero((pairs.kinds == code) & (counts > 0))
        if len(ids) > size:
            # Only the names counted at least as often as the size-th can be among the
            # first `size`: sorting those alone gives the same first `size`.
            kth = np.partition(counts[ids], len(ids) - size)[len(ids) - size]
            ids = ids[counts[ids] >= kth]
        # By count, then name, in numpy: a common word's result holds tens of thousands of
        # names, and a Python sort of them was the largest cost of its search.
        best = ids[np.lexsort((pairs.name_rank[ids], -counts[ids]))[:size]]
        out[kind] = {pairs.names[i]: int(counts[i]) for i in best.tolist()}
    return out


def entity_mask(view, kind: str, name: str) -> np.ndarray:
    """The live documents tagged with this entity (人物:钟南山 → kind "person")."""
    pairs = entity_pairs(view)
    mask = np.zeros(view.n, dtype=bool)
    name = canonical_place(name.strip()) if kind == "place" else name.strip()
    wanted = pairs.lookup.get((kind, name))
    if wanted is not None:
        mask[pairs.docs[pairs.ids == wanted]] = True
    return mask
