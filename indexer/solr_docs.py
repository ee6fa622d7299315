"""An Article as a SolrCloud document of Baoku's schema (indexer/data/solr/conf/schema.xml).

The text goes in normalised by Baoku (as for Whoosh), so Solr's index and Baoku's query
parser cut alike: `<field>_w` the rjieba words of each word field, `text_cjk`/`<field>_cjk` the
normalised text for CJKBigramFilter, `grams` the unigrams and bigrams Whoosh's gram sidecar
holds. `parts`/`orig` (JSON lists, one entry per TEXT_FIELDS) are what the highlighter and
the verification of fragments read back.
"""

from __future__ import annotations

import json
from typing import Any

from indexer.analysis import grams, normalize, words
from indexer.article import Article
from indexer.copies import copy_key
from indexer.entities import ENTITY_TYPES, tag_parts
from indexer.entity_index import MAX_PER_TYPE
from indexer.index import SEP, TEXT_FIELDS, field_texts, title_key
from indexer.scoring import WORD_BOOSTS
from indexer.view import page_sort

# Fields a query prefix can name (indexer/query.py), each with a CJK field of its own.
PREFIX_FIELDS = ("title", "captions", "author", "page_name")
# The parts of `head`: what a hit shows without a snippet.
HEAD = ("title", "kicker", "subtitle", "author", "page_name")


def solr_doc(article: Article, dk: int) -> dict[str, Any]:
    """The document for `article`; `dk` orders ties like Whoosh's indexing order."""
    texts = field_texts(article)
    raw = [texts[name].replace(SEP, " ") for name in TEXT_FIELDS]
    # Normalised as one text, as indexer/index.py does, so a part's offsets match Whoosh's.
    norm = normalize(SEP.join(raw)).split(SEP)
    dord = _dord(article.date)
    doc: dict[str, Any] = {
        "id": article.id,
        "hash": article.content_hash(),
        "paper": article.paper,
        "page": article.page,
        "page_name": norm[TEXT_FIELDS.index("page_name")],
        "page_rank": min(page_sort(article.page)[0], 2**31 - 1),
        "dord": dord,
        "date": article.date[:10] if dord else "",
        "dk": dk,
        "tkey": title_key(norm[0]) or "\x01",
        "grams": " ".join(sorted(grams(SEP.join(norm)))),
        "text_cjk": [part for part in norm if part],
        "parts": json.dumps(norm, ensure_ascii=False),
        "orig": json.dumps(raw, ensure_ascii=False),
        "head": json.dumps([raw[TEXT_FIELDS.index(n)] for n in HEAD], ensure_ascii=False),
        "ckey": copy_key(norm[TEXT_FIELDS.index("body")]),
    }
    entities = tag_parts(norm[:-1])  # all but page_name, as the Whoosh index tags them
    for kind in ENTITY_TYPES:
        names = getattr(entities, kind)[:MAX_PER_TYPE]
        if names:
            doc[kind] = names
    if dord:
        doc["year"] = f"{dord // 10000:04d}"
        doc["month"] = f"{dord // 10000:04d}-{dord // 100 % 100:02d}"
    for name, part in zip(TEXT_FIELDS, norm, strict=True):
        if name in WORD_BOOSTS and part:
            doc[f"{name}_w"] = " ".join(words(part))
        if name in PREFIX_FIELDS and part:
            doc[f"{name}_cjk"] = part
    return doc


def _dord(date: str) -> int:
    """YYYYMMDD of an article's date, 0 when unknown (as indexer/index.py doc_fields)."""
    from indexer.index import _parse_date  # one parser for both backends

    day = _parse_date(date)
    return day.year * 10000 + day.month * 100 + day.day if day else 0
