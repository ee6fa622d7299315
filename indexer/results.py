"""The search contract: what `Archive.search` is asked and what it answers, as dataclasses.

`to_dict()` gives the JSON of `baoku search --json` and /api/search (keys in this order).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from indexer.passages import SNIPPET_CHARS

# The orders hits can come in; date sorts put a day's articles in page (版次) order.
SORTS = ("relevance", "newest", "oldest")
HIT_FIELDS = ("id", "title", "paper", "date", "page", "page_name", "score", "snippet")
HIT_FIELDS += ("kicker", "subtitle", "author")


class IndexState(StrEnum):
    """Whether the index can be searched, and if not what to run."""

    READY = "ready"
    MISSING = "missing"  # no index yet: `baoku index`
    OUTDATED = "outdated"  # built by another schema version: `baoku index --rebuild`
    BROKEN = "broken"  # it exists but cannot be opened: `baoku index --rebuild`


@dataclass
class SearchRequest:
    """A search. date_from/date_to take YYYY, YYYY-MM or YYYY-MM-DD; `sort` is one of SORTS
    (a 排序:/sort: in the query wins over the default); `paper` filters on the paper's name;
    snippets=False leaves every hit's snippet empty (for exports of many hits)."""

    query: str
    limit: int = 10
    offset: int = 0
    date_from: str | None = None
    date_to: str | None = None
    page: str | None = None
    sort: str = "relevance"
    paper: str | None = None
    snippets: bool = True
    # About how many characters of text each snippet shows (indexer/passages.py).
    snippet_chars: int = SNIPPET_CHARS
    # True: copies of one text (indexer/copies.py) show as one hit, the others in its
    # `copies`, and offset/limit count distinct texts; False: every copy is a hit of its own.
    collapse: bool = True


@dataclass
class Copy:
    """Another printing of a hit's text (indexer/copies.py): where and when it appeared."""

    id: str
    date: str
    page: str
    page_name: str
    paper: str


@dataclass
class Hit:
    """One article found. `snippet` is HTML: 1–3 fragments, every match wrapped whole in
    <mark>…</mark>, all other text escaped; "" when snippets were not asked for."""

    id: str
    title: str
    paper: str
    date: str
    page: str
    page_name: str
    score: float
    snippet: str = ""
    # Holds every character bigram of an unquoted fragment but never the fragment itself:
    # listed after every exact match, its snippet marking the bigrams.
    near: bool = False
    # The headline as printed: 引题 above the title, 副题 below it; the byline. "" when unknown.
    kicker: str = ""
    subtitle: str = ""
    author: str = ""
    # The other copies of the same text in the result set, oldest first (indexer/copies.py);
    # [] when there are none or the search did not collapse copies.
    copies: list[Copy] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Facets:
    """Counts over the whole result set (after filters), in display order: years and months
    oldest first, 版次 in the paper's order, papers by count then name."""

    year: dict[str, int] = field(default_factory=dict)
    month: dict[str, int] = field(default_factory=dict)
    page: dict[str, int] = field(default_factory=dict)
    paper: dict[str, int] = field(default_factory=dict)
    # The 20 most frequent entities tagged at index time (indexer/entities.py), by count.
    person: dict[str, int] = field(default_factory=dict)
    place: dict[str, int] = field(default_factory=dict)
    organization: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, dict[str, int]]:
        return asdict(self)


@dataclass
class ParsedInfo:
    """How the query was read. `suggestion` is a sentence for people; `suggestion_query`,
    when not None, is the whole query to run instead (same filters), for a link."""

    terms: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    suggestion: str | None = None
    suggestion_query: str | None = None
    notes: list[str] = field(default_factory=list)
    # Name typed → the aliases searched with it (indexer/aliases.py).
    aliases: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResult:
    """The answer to a SearchRequest. `total` is exact; `sort` is the order the hits are in.

    Copies: `total`, `total_near` and the facets count every matching article, copies
    included, whether or not the search collapsed them; `total_collapsed` counts the distinct
    texts among the `total` (each group of copies once), and is what offset/limit page
    through when `collapsed` is True.
    """

    query: str
    total: int = 0
    # Articles that hold all of an unquoted fragment's characters (its bigrams) but not in a
    # row: not in `total`, listed after the exact matches.
    total_near: int = 0
    offset: int = 0
    limit: int = 10
    hits: list[Hit] = field(default_factory=list)
    facets: Facets = field(default_factory=Facets)
    sort: str = "relevance"
    parsed: ParsedInfo = field(default_factory=ParsedInfo)
    took_ms: float = 0.0
    total_collapsed: int = 0
    collapsed: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
