"""Measure the snippets of the issue 3 query mix (scripts/bench_search.py) on an archive (not a test).

    .venv/bin/python scripts/eval_snippets.py [--data DIR] [--work DIR] [--out docs/snippets.md]

Without --data it indexes the 人民日报 corpus of ../shared into --work (a temp dir). For the
top 10 hits of every query of the mix: the snippet's length in characters of text (marks
dropped, the " … " joins counted), median, p95 and longest; and whether every hit whose
article matches outside its title shows a <mark>. Also the snippets of 口罩 产能, the query
of issue 16. tests/test_snippet_budget.py asserts the same on the demo and the 人民日报 corpus.
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_search import load, query_mix  # noqa: E402

from indexer import Archive  # noqa: E402
from indexer.article import Article  # noqa: E402
from indexer.highlight import SNIPPET_FIELDS, mark_terms  # noqa: E402
from indexer.index import field_texts, reindex  # noqa: E402
from indexer.passages import SNIPPET_CHARS, occurrences  # noqa: E402
from indexer.query import parse  # noqa: E402

MARK = re.compile(r"</?mark>")
ISSUE_QUERY = "口罩 产能"


@dataclass
class SnippetStats:
    """Snippet lengths over a query mix, and the hits that match outside their title but
    show no mark (`unmarked`, as (query, article id))."""

    queries: int = 0
    lengths: list[int] = field(default_factory=list)
    body_matches: int = 0
    unmarked: list[tuple[str, str]] = field(default_factory=list)
    near_hits: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.lengths) if self.lengths else 0.0

    @property
    def p95(self) -> int:
        ordered = sorted(self.lengths)
        return ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0

    @property
    def longest(self) -> int:
        return max(self.lengths, default=0)


def plain(snippet: str) -> str:
    """A snippet's text as the reader sees it."""
    return html.unescape(MARK.sub("", snippet))


def matches_outside_title(article: Article, query: str) -> bool:
    """Whether a field the snippet is drawn from holds one of the query's terms to mark (a
    fragment the article holds whole elsewhere, e.g. in its title, only whole)."""
    terms = mark_terms(parse(query))
    texts = field_texts(article)
    whole = frozenset(t for t in terms if any(t in text for text in texts.values()))
    return any(occurrences(texts[name], terms, whole) for name in SNIPPET_FIELDS)


def measure(archive: Archive, mix: list[dict], chars: int = SNIPPET_CHARS) -> SnippetStats:
    """The snippets of the top 10 hits of every query in `mix`."""
    stats = SnippetStats()
    for item in mix:
        result = archive.search(
            item["q"],
            limit=10,
            date_from=item.get("date_from"),
            date_to=item.get("date_to"),
            snippet_chars=chars,
        )
        stats.queries += 1
        for hit in result.hits:
            stats.lengths.append(len(plain(hit.snippet)))
            if hit.near:
                stats.near_hits += 1  # its snippet marks bigrams, not the query's terms
                continue
            article = archive.get(hit.id)
            if article is not None and matches_outside_title(article, item["q"]):
                stats.body_matches += 1
                if "<mark>" not in hit.snippet:
                    stats.unmarked.append((item["q"], hit.id))
    return stats


def snippet_cost(archive: Archive, mix: list[dict], rounds: int = 3) -> tuple[float, float]:
    """p50 ms of the mix's top 10 without snippets and with them, query by query alternating
    so that both see the same background load."""
    off, on = [], []
    for _ in range(rounds):
        for item in mix:
            for snippets, times in ((False, off), (True, on)):
                started = time.perf_counter()
                archive.search(
                    item["q"],
                    limit=10,
                    snippets=snippets,
                    date_from=item.get("date_from"),
                    date_to=item.get("date_to"),
                )
                times.append((time.perf_counter() - started) * 1000)
    return statistics.median(off), statistics.median(on)


def report(
    stats: SnippetStats, example: list[str], command: str, docs: int, cost: tuple[float, float]
) -> str:
    lines = [
        "# Snippets",
        "",
        f"`{command}`, {time.strftime('%Y-%m-%d')}: the issue 3 query mix "
        f"({stats.queries} queries, top 10 hits) on {docs} articles of 人民日报 2019–2020, "
        f"snippet_chars = {SNIPPET_CHARS} (indexer/passages.py).",
        "",
        "| snippets | median chars | p95 | longest | hits matching outside the title | "
        "of those without a mark | near hits (not checked) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {len(stats.lengths)} | {stats.median:.0f} | {stats.p95} | {stats.longest} | "
        f"{stats.body_matches} | {len(stats.unmarked)} | {stats.near_hits} |",
        "",
        "Targets (issue 16): median ≤ 160, longest ≤ 220, every hit matching outside its title "
        'marked. Lengths count the text the reader sees: marks dropped, the " … " joins '
        'and the leading/trailing "…" included.',
        "",
        f"Cost: the mix's top 10 takes {cost[0]:.1f} ms p50 without snippets and {cost[1]:.1f} "
        "ms with them (3 rounds, alternating query by query, in one process).",
        "",
        f"Before issue 16 the ten snippets of `{ISSUE_QUERY}` were 598, 278, 102, 389, 953, "
        "334, 616, 616, 179 and 82 characters long. Now "
        # Lengths only: the snippets are the corpus's text, which must not be committed.
        + ", ".join(str(len(s)) for s in example)
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="an indexed data dir of the rmrb corpus")
    parser.add_argument("--work", default=None, help="where to index it (default: a temp dir)")
    parser.add_argument("--out", default=str(REPO / "docs" / "snippets.md"))
    args = parser.parse_args()
    articles = load("rmrb-2019-2020.jsonl.gz")
    data = Path(args.data or args.work or tempfile.mkdtemp(prefix="baoku-snippets-"))
    if not (data / "index" / "CURRENT").exists():
        print(f"indexing {len(articles)} articles into {data}", flush=True)
        reindex(data / "index", lambda: iter(articles), rebuild=True, procs=2)
    with Archive(data) as archive:
        stats = measure(archive, query_mix(articles))
        example = [plain(h.snippet) for h in archive.search(ISSUE_QUERY, limit=10).hits]
        cost = snippet_cost(archive, query_mix(articles))
    command = "python scripts/eval_snippets.py " + " ".join(sys.argv[1:])
    text = report(stats, example, command.strip(), len(articles), cost)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
