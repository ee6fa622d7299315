"""Dump every result of the bench_search query mix over ../shared/corpus (rmrb10k) to JSON, to
check that a refactoring changes no search result (not a test).

    .venv/bin/python scripts/search_snapshot.py OUT.json WORKDIR [--reuse]

Builds WORKDIR/index from the 人民日报 corpus (or, with --reuse, searches the index already
there), then writes ids, order, scores, snippets, totals, facets and parsed info of: the
bench mix (top 10 with filters, and a newest-first page), 60 fragments quoted and unquoted
(all hits, no snippets), a few filter-only queries, more_like_this, example_queries, issues.
took_ms is left out. Compare two runs over the SAME index with `cmp`: two builds with two
writer processes may number documents differently, which reorders hits of equal score.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import bench_search as bench  # noqa: E402

from indexer import Archive  # noqa: E402
from indexer.index import reindex  # noqa: E402

FILTER_QUERIES = ("", "日期:2019-10", "版次:01 排序:oldest", "中国 -北京", "标题:发展", "兰州新区")


def plain(result) -> dict:
    out = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    out.pop("took_ms", None)
    return out


def snapshot(archive: Archive, articles: list) -> dict:
    results = []
    for item in bench.query_mix(articles):
        dates = {"date_from": item.get("date_from"), "date_to": item.get("date_to")}
        results.append(plain(archive.search(item["q"], limit=10, **dates)))
        results.append(plain(archive.search(item["q"], limit=20, offset=5, sort="newest")))
    for fragment in bench.fragments(articles, random.Random(bench.SEED + 1), 60):
        results.append(plain(archive.search(f'"{fragment}"', limit=100000, snippets=False)))
        results.append(plain(archive.search(fragment, limit=100000, snippets=False)))
    for query in FILTER_QUERIES:
        results.append(plain(archive.search(query, limit=10, paper="人民日报")))
    issues = [asdict(ref) for ref in archive.issues()[:30]]
    return {
        "search": results,
        "mlt": [[plain(h) for h in archive.more_like_this(a.id)] for a in articles[:20]],
        "examples": archive.example_queries(),
        "issues": issues,
        "issue": [asdict(p) for p in archive.issue(issues[0]["paper"], issues[0]["date"])],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--reuse", action="store_true", help="search the index in WORK as is")
    args = parser.parse_args()
    articles = bench.load("rmrb-2019-2020.jsonl.gz")
    if not args.reuse:
        shutil.rmtree(args.work, ignore_errors=True)
        args.work.mkdir(parents=True)
        reindex(args.work / "index", lambda: iter(articles), rebuild=True, procs=2)
    with Archive(args.work) as archive:
        data = snapshot(archive, articles)
    text = json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"{len(data['search'])} results → {args.out}")


if __name__ == "__main__":
    main()
