"""Measure copies of one article (indexer/copies.py) in an indexed archive (not a test).

    .venv/bin/python scripts/measure_copies.py --data DIR [--out docs/copies.md]

DIR is an archive with its index built (e.g. `baoku --data DIR import
../shared/corpus/rmrb-2019-2020.jsonl.gz && baoku --data DIR index`). In one run:
- the groups of copies (articles with one copy key): how many, their sizes, same day or not,
  which pages; how many articles have no key (body too short);
- what exact keys may miss: articles of one day with one title (not a generic one such as
  图片报道) whose keys differ, printed for reading;
- over the judged queries of scripts/relevance/queries.tsv: how many of each top 10 are
  copies of a higher hit when nothing is collapsed;
- nDCG@10 and P@10 of the judged set with and without collapsing (unjudged = grade 0);
- latency of those queries with collapse=True and collapse=False, interleaved, same run.
The table between the markers of --out is rewritten; the rest of the file is left alone.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import Archive  # noqa: E402
from indexer.analysis import normalize  # noqa: E402
from indexer.article import Article  # noqa: E402
from indexer.copies import NO_KEY, copy_key  # noqa: E402
from indexer.store import Store  # noqa: E402

BEGIN, END = "<!-- copies:begin -->", "<!-- copies:end -->"
QUERIES = REPO / "scripts" / "relevance" / "queries.tsv"
GENERIC_TITLES = {"图片报道", "本版责编", "广告", ""}
REPEATS = 5


def key_of(article: Article) -> int:
    return copy_key(normalize(article.body.replace("\x00", " ")))


def group_stats(articles: list[Article]) -> tuple[list[str], dict[int, list[Article]]]:
    groups: dict[int, list[Article]] = defaultdict(list)
    keyless = 0
    for a in articles:
        key = key_of(a)
        if key == NO_KEY:
            keyless += 1
        else:
            groups[key].append(a)
    multi = {k: g for k, g in groups.items() if len(g) > 1}
    sizes = Counter(len(g) for g in multi.values())
    same_day = sum(len({a.date for a in g}) == 1 for g in multi.values())
    titles_differ = sum(len({a.title for a in g}) > 1 for g in multi.values())
    pages = Counter(" + ".join(sorted(a.page for a in g)) for g in multi.values())
    in_groups = sum(len(g) for g in multi.values())
    lines = [
        f"| articles | {len(articles)} |",
        f"| articles without a copy key (body under the minimum) | {keyless} |",
        f"| groups of copies (2 or more articles, one key) | {len(multi)} |",
        f"| articles in those groups | {in_groups} |",
        f"| articles hidden under another by collapsing | {in_groups - len(multi)} |",
        "| group sizes | "
        + ", ".join(f"{n} articles: {c}" for n, c in sorted(sizes.items()))
        + " |",
        f"| groups all printed on one day | {same_day} |",
        f"| groups whose titles differ | {titles_differ} |",
        "| most common 版次 of a group | "
        + ", ".join(f"{p} ({c})" for p, c in pages.most_common(5))
        + " |",
    ]
    return lines, multi


def possible_misses(articles: list[Article]) -> list[tuple[Article, ...]]:
    """Same day, same (non-generic) title, different keys: near-copies exact keys miss, or
    different articles under one standing title; for reading."""
    by_title: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for a in articles:
        if a.title.strip() not in GENERIC_TITLES:
            by_title[(a.date, a.title.strip())].append(a)
    out = []
    for group in by_title.values():
        if len(group) > 1 and len({key_of(a) for a in group}) > 1:
            out.append(tuple(group))
    return out


def queries() -> list[str]:
    rows = [line.split("\t") for line in QUERIES.read_text("utf-8").splitlines()]
    return [r[2] for r in rows if len(r) == 3 and not r[0].startswith("#")]


def query_effect(archive: Archive, keys: dict[str, int], qs: list[str]) -> list[str]:
    repeated, affected = 0, 0
    for q in qs:
        hits = archive.search(q, limit=10, snippets=False, collapse=False).hits
        seen: set[int] = set()
        extra = 0
        for h in hits:
            k = keys.get(h.id, NO_KEY)
            if k != NO_KEY and k in seen:
                extra += 1
            seen.add(k)
        repeated += extra
        affected += extra > 0
    return [
        f"| judged queries | {len(qs)} |",
        f"| queries whose uncollapsed top 10 holds a copy of a higher hit | {affected} |",
        f"| copies in those top 10s, all queries together | {repeated} |",
    ]


def relevance_effect(archive: Archive, qs: list[str]) -> list[str]:
    """nDCG@10 and P@10 of the judged set (scripts/eval_relevance.py's judgments) with and
    without collapsing; an unjudged article counts 0, so the collapsed figure is a floor."""
    sys.path.insert(0, str(REPO / "scripts"))
    from eval_relevance import load_judgments, load_queries, ndcg_at, precision_at

    judged = load_judgments()
    rows = []
    for collapse in (False, True):
        ndcg, prec, unjudged = [], [], 0
        for query in load_queries():
            grades = judged.get(query.qid, {})
            hits = archive.search(query.text, limit=10, snippets=False, collapse=collapse).hits
            ids = [h.id for h in hits]
            ndcg.append(ndcg_at(ids, grades))
            prec.append(precision_at(ids, grades))
            unjudged += sum(i not in grades for i in ids)
        rows.append(
            f"| judged set, collapse={collapse}: nDCG@10 / P@10 / unjudged in the top 10s "
            f"| {statistics.mean(ndcg):.3f} / {statistics.mean(prec):.3f} / {unjudged} |"
        )
    return rows


def latency(archive: Archive, qs: list[str]) -> list[str]:
    times: dict[bool, list[float]] = {True: [], False: []}
    for q in qs:  # warm both paths once
        archive.search(q)
        archive.search(q, collapse=False)
    for _ in range(REPEATS):
        for q in qs:
            for collapse in (False, True):
                started = time.perf_counter()
                archive.search(q, collapse=collapse)
                times[collapse].append((time.perf_counter() - started) * 1000)

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1]

    off, on = times[False], times[True]
    return [
        f"| search p50, collapse=False / True (ms) | {p(off, 50):.1f} / {p(on, 50):.1f} |",
        f"| search p95, collapse=False / True (ms) | {p(off, 95):.1f} / {p(on, 95):.1f} "
        f"({p(on, 95) / p(off, 95):.2f}×) |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "copies.md")
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args()
    articles = list(Store(args.data).iter_articles())
    stats, multi = group_stats(articles)
    keys = {a.id: key_of(a) for a in articles}
    qs = queries()
    with Archive(args.data) as archive:
        effect = query_effect(archive, keys, qs) + relevance_effect(archive, qs)
        timing = latency(archive, qs)
    misses = possible_misses(articles)
    table = [
        "| measure | value |",
        "|---|---|",
        *stats,
        f"| same day and title, different keys (printed below for reading) | {len(misses)} |",
        *effect,
        *timing,
        f"| machine | {platform.machine()}, Python {platform.python_version()}, "
        f"{REPEATS} runs of each query, interleaved |",
    ]
    write(args.out, "\n".join(table))
    print("\n".join(table))
    print("\n# groups (first of each date order)")
    for group in list(multi.values())[: args.examples]:
        print(" | ".join(f"{a.id} {a.date} p{a.page} {a.title[:24]}" for a in group))
    print("\n# same day and title, different keys")
    for group in misses[: args.examples * 3]:
        print(" | ".join(f"{a.id} p{a.page} {a.title[:20]} [{a.body[:30]}]" for a in group))


def write(out: Path, table: str) -> None:
    text = out.read_text("utf-8") if out.exists() else f"{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    out.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", "utf-8")


if __name__ == "__main__":
    main()
