"""Relevance of the ranking on judged queries over the 人民日报 corpus of ../shared (not a test).

    .venv/bin/python scripts/eval_relevance.py            # nDCG@10, P@10 → docs/relevance.md
    .venv/bin/python scripts/eval_relevance.py --sheet    # the pooled results still unjudged

scripts/relevance/queries.tsv holds the queries (id, set, query; set is `tune`, the queries
the weights were tuned on, or `held`, judged but never tuned on); scripts/relevance/
judgments.tsv holds the grades (query id, article id, grade 0/1/2) of the pooled top 10 of
every ranker below. Only ids and grades are kept in the repo: the articles are read from
../shared at run time. `--sheet` writes, for every pooled article not yet graded, what the
judge reads (title, 引题/副题, length, where the terms are, the lead and passages around the
matches) to a file outside the repo, to be graded by hand into judgments.tsv.

Rankers: `bm25`, the textbook recipe of scripts/bench_search.py (Whoosh BM25F over jieba
words of title and body, default query parser), the plain-BM25 baseline; `today`, Baoku's
first stage alone (BM25F over the query's words, known-item bonus); `+fragments`, the second
stage of indexer/rank.py without proximity; `+proximity`, the second stage in full (the
ranking Baoku ships). An article not judged counts as grade 0 (the table says how many).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

RELEVANCE = REPO / "scripts" / "relevance"
QUERIES = RELEVANCE / "queries.tsv"
JUDGMENTS = RELEVANCE / "judgments.tsv"
DOC = REPO / "docs" / "relevance.md"
BEGIN, END = "<!-- relevance:begin -->", "<!-- relevance:end -->"
DEPTH = 10


@dataclass
class Query:
    qid: str
    split: str
    text: str


@dataclass
class Row:
    """One ranker's figures on one set of queries."""

    ranker: str
    split: str
    queries: int
    ndcg: float
    precision: float
    unjudged: int
    distinct_ndcg: float = 0.0
    distinct_precision: float = 0.0


def dcg(grades: list[int]) -> float:
    """Discounted cumulative gain with exponential gain (2^g − 1) and log2(rank + 1) discount."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at(ranked: list[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    """nDCG@depth of `ranked` article ids: the ideal is the best `depth` of all judged grades
    of the query (0 when none is positive)."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:depth])
    if ideal <= 0:
        return 0.0
    return dcg([grades.get(a, 0) for a in ranked[:depth]]) / ideal


def precision_at(ranked: list[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    """The share of the first `depth` positions holding an article of grade ≥ 1 (a missing
    position counts as not relevant)."""
    return sum(1 for a in ranked[:depth] if grades.get(a, 0) >= 1) / depth


def distinct_grades(
    ranked: list[str], grades: dict[str, int], keys: dict[str, int]
) -> tuple[dict[str, int], list[str]]:
    """The query as a reader sees it to whom a second copy of one text adds nothing.

    Copies (equal copy keys, indexer/copies.py) are graded alike, so an ungraded copy takes
    the grade of a graded one; in `ranked`, a copy of a text listed higher counts 0; and the
    ideal holds each text once. Returns (grades for the ideal, ranked ids with repeats
    replaced by a placeholder of grade 0)."""
    by_key: dict[int, int] = {}
    for article, grade in grades.items():
        key = keys.get(article, 0)
        if key:
            by_key[key] = max(grade, by_key.get(key, 0))
    ideal = {a: g for a, g in grades.items() if not keys.get(a, 0)}
    ideal |= {f"key:{k}": g for k, g in by_key.items()}
    seen: set[int] = set()
    shown: list[str] = []
    for article in ranked:
        key = keys.get(article, 0)
        if not key:
            shown.append(article)
        elif key in seen:
            shown.append(f"repeat:{article}")
        else:
            seen.add(key)
            shown.append(f"key:{key}")
    return ideal, shown


def load_queries(path: Path = QUERIES) -> list[Query]:
    with open(path, encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]
    return [Query(qid, split, text) for qid, split, text in rows]


def load_judgments(path: Path = JUDGMENTS) -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = {}
    if not path.exists():
        return judged
    with open(path, encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            qid, article_id, grade = row
            if grade not in ("0", "1", "2"):
                raise ValueError(f"{path}: grade must be 0, 1 or 2, not {grade!r} ({row})")
            judged.setdefault(qid, {})[article_id] = int(grade)
    return judged


# --- the rankers ---------------------------------------------------------------------------


def baoku_rankers(work: Path, articles) -> dict:
    import indexer.rank as rank
    from indexer import Archive
    from indexer.index import reindex

    if not (work / "baoku" / "index").exists():
        reindex(work / "baoku" / "index", lambda: iter(articles), rebuild=True, procs=2)
    archive = Archive(work / "baoku")
    full = rank.RankWeights()
    variants = {
        "today": (replace(full, enabled=False), False),
        "+fragments": (replace(full, proximity=False), False),
        "+proximity": (full, False),
        "+proximity, copies collapsed": (full, True),
    }

    def ranker(weights, collapse: bool):
        def run(q: str) -> list[str]:
            rank.WEIGHTS = weights
            try:
                # Uncollapsed but for the last ranker (what Baoku ships): the first pools were
                # made uncollapsed, and the distinct figures show what copies cost each ranker.
                hits = archive.search(q, limit=DEPTH, snippets=False, collapse=collapse).hits
                return [h.id for h in hits]
            finally:
                rank.WEIGHTS = full

        return run

    return {name: ranker(w, c) for name, (w, c) in variants.items()}


def textbook_ranker(work: Path, articles):
    import bench_search as bench

    path = work / "textbook"
    if not path.exists():
        path.mkdir(parents=True)
        bench.textbook_build(path, articles)
    textbook = bench.Textbook(path)
    return lambda q: textbook.search(q, limit=DEPTH)


def copy_keys() -> dict[str, int]:
    """Article id → copy key (indexer/copies.py) of every article of the corpus."""
    import bench_search as bench

    from indexer.analysis import normalize
    from indexer.copies import copy_key

    return {a.id: copy_key(normalize(a.body)) for a in bench.load("rmrb-2019-2020.jsonl.gz")}


def all_rankers(work: Path) -> dict:
    import bench_search as bench

    articles = bench.load("rmrb-2019-2020.jsonl.gz")
    return {"bm25": textbook_ranker(work, articles), **baoku_rankers(work, articles)}


# --- the figures ---------------------------------------------------------------------------


def evaluate(
    runs: dict[str, dict[str, list[str]]],
    queries: list[Query],
    judged: dict[str, dict[str, int]],
    keys: dict[str, int] | None = None,
) -> list[Row]:
    """Mean nDCG@10 and P@10 per ranker over each set of queries and over all of them;
    `runs` maps ranker → query id → ranked article ids. With `keys` (article id → copy key)
    the distinct figures count each text once (`distinct_grades`)."""
    rows = []
    for split in ("held", "tune", "all"):
        chosen = [q for q in queries if split in ("all", q.split)]
        if not chosen:
            continue
        for ranker, ranked in runs.items():
            rows.append(_row(ranker, split, chosen, ranked, judged, keys or {}))
    return rows


def _row(ranker, split, chosen, ranked, judged, keys) -> Row:
    grades = [judged.get(q.qid, {}) for q in chosen]
    top = [ranked[q.qid][:DEPTH] for q in chosen]
    pairs = list(zip(top, grades, strict=True))
    distinct = [distinct_grades(t, g, keys) for t, g in pairs]
    n = len(chosen)
    return Row(
        ranker,
        split,
        n,
        sum(ndcg_at(t, g) for t, g in pairs) / n,
        sum(precision_at(t, g) for t, g in pairs) / n,
        sum(1 for t, g in pairs for a in t if a not in g and not _copy_judged(a, g, keys)),
        sum(ndcg_at(shown, ideal) for ideal, shown in distinct) / n,
        sum(precision_at(shown, ideal) for ideal, shown in distinct) / n,
    )


def _copy_judged(article: str, grades: dict[str, int], keys: dict[str, int]) -> bool:
    key = keys.get(article, 0)
    return bool(key) and any(keys.get(a, 0) == key for a in grades)


SPLIT_NAMES = {
    "held": "held out (never tuned on)",
    "tune": "tuning set",
    "all": "all queries",
}


def table(rows: list[Row]) -> str:
    lines = [
        "| queries | ranker | nDCG@10 | P@10 | nDCG@10, copies once | P@10, copies once"
        " | unjudged in top 10 |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {SPLIT_NAMES[r.split]} ({r.queries}) | {r.ranker} | {r.ndcg:.3f} | "
            f"{r.precision:.3f} | {r.distinct_ndcg:.3f} | {r.distinct_precision:.3f} | "
            f"{r.unjudged} |"
        )
    return "\n".join(lines)


def rewrite_doc(text: str, path: Path = DOC) -> None:
    doc = path.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{path}: the {BEGIN} … {END} markers are missing")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


# --- the judging sheet ---------------------------------------------------------------------


def passages(text: str, terms: list[str], width: int = 30, most: int = 2) -> list[str]:
    found = []
    for m in re.finditer("|".join(re.escape(t) for t in terms), text):
        if found and m.start() < found[-1][1]:
            continue
        found.append((max(0, m.start() - width), m.end() + width))
        if len(found) >= most:
            break
    return [text[a:b].replace("\n", " ") for a, b in found]


def sheet(runs, queries: list[Query], judged, out: Path, keys: dict[str, int]) -> int:
    """Write the pooled, ungraded articles of every query to `out`; return how many."""
    import bench_search as bench

    from indexer.analysis import normalize

    by_id = {a.id: a for a in bench.load("rmrb-2019-2020.jsonl.gz")}
    count = 0
    with open(out, "w", encoding="utf-8") as fh:
        for q in queries:
            pooled = []
            for ranked in runs.values():
                pooled += [a for a in ranked[q.qid] if a not in pooled]
            grades = judged.get(q.qid, {})
            todo = [a for a in pooled if a not in grades and not _copy_judged(a, grades, keys)]
            if not todo:
                continue
            fh.write(f"\n=== {q.qid} {q.text}\n")
            terms = [t for t in re.split(r"\s+", normalize(q.text).replace('"', "")) if t]
            for aid in todo:
                a = by_id[aid]
                body = normalize(a.body)
                counts = " ".join(f"{t}×{body.count(t)}" for t in terms)
                fh.write(
                    f"--- {q.qid}\t{aid}\n  题: {a.title} | 引: {a.kicker} | 副: {a.subtitle}"
                    f" | {a.date} {a.page}版 | 正文 {len(body)} 字 | {counts}\n"
                    f"  首: {body[:90]}\n"
                )
                for p in passages(body, terms):
                    fh.write(f"  …{p}…\n")
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "baoku-relevance"))
    parser.add_argument("--sheet", default=None, help="write the ungraded pool to this file")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    queries = load_queries()
    rankers = all_rankers(work)
    runs = {name: {q.qid: run(q.text) for q in queries} for name, run in rankers.items()}
    judged = load_judgments()
    keys = copy_keys()
    if args.sheet:
        count = sheet(runs, queries, judged, Path(args.sheet), keys)
        print(f"{count} articles to grade: {args.sheet}")
        return
    rows = evaluate(runs, queries, judged, keys)
    text = table(rows)
    print(text)
    rewrite_doc(text)


if __name__ == "__main__":
    main()
