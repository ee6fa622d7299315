"""The person/place/organization facets of a result page as clickable query filters.

Unlike the year or 版次 facets, an entity facet narrows the *query*: clicking 钟南山 adds
`人物:钟南山` to q (so the filter shows, and can be edited, in the search box); clicking it
again takes that term out.
"""

from __future__ import annotations

from typing import Any

from webui.params import SearchParams

ENTITY_FACETS = (("person", "人物"), ("place", "地点"), ("organization", "机构"))


def entity_term(prefix: str, value: str) -> str:
    # A name with a space or quote would split the term: quote it (the parser reads 人物:"…").
    return f'{prefix}:"{value}"' if any(c in value for c in ' "“”') else f"{prefix}:{value}"


def entity_facet_groups(
    facets: dict[str, dict[str, int]], params: SearchParams, link: Any
) -> list[dict[str, Any]]:
    """Groups in the shape of views.facet_groups, one per entity type with entries."""
    terms = params.q.split()
    groups = []
    for name, prefix in ENTITY_FACETS:
        entries = []
        for value, count in facets.get(name, {}).items():
            term = entity_term(prefix, str(value))
            active = term in terms
            q = " ".join(t for t in terms if t != term) if active else f"{params.q} {term}".strip()
            entries.append(
                {"value": str(value), "count": count, "active": active, "href": link(q=q or None)}
            )
        if entries:
            groups.append({"name": name, "label": prefix, "entries": entries})
    return groups
