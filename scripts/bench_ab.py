"""Query latency of two revisions of the search core, side by side in one run (not a test).

    .venv/bin/python scripts/bench_ab.py --base REV [--set rmrb10k] [--rounds 3] [--out FILE]

The machine is noisy, so one revision measured now and the other measured later are not
comparable. This script builds the same document set with each revision's own indexer (index
formats may differ), in a `git worktree` of REV and in this checkout, then starts one worker
process per revision and sends them the bench_search query mix, plus very common words,
alternately: A, B, A, B... Every query is timed inside its worker (top 10 with snippets,
facets, exact total), so both see the same background load. It reports p50/p95/max per
revision, the ratio head/base, and how many queries returned different top 10 ids.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import bench_search as bench  # noqa: E402

COMMON_WORDS = ("的", "中国", "发展", "人民", "经济 发展", "习近平", "建设")

WORKER = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from indexer import Archive
from indexer.index import reindex
sys.path.insert(0, sys.argv[2])
import bench_search as bench
work = Path(sys.argv[3])
articles = bench.load("rmrb-2019-2020.jsonl.gz")[: int(sys.argv[4])]
if not (work / "index").exists():
    reindex(work / "index", lambda: iter(articles), rebuild=True, procs=2)
archive = Archive(work)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    item = json.loads(line)
    started = time.perf_counter()
    result = archive.search(item["q"], limit=10, date_from=item.get("date_from"),
                            date_to=item.get("date_to"))
    ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"ms": ms, "total": result.total, "ids": [h.id for h in result.hits]}),
          flush=True)
"""


@dataclass
class Worker:
    """One revision's searching process, spoken to in JSON lines."""

    label: str
    tree: Path
    proc: subprocess.Popen
    times: list[float] = field(default_factory=list)

    def ask(self, item: dict) -> dict:
        self.proc.stdin.write(json.dumps(item, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())


def start(label: str, tree: Path, work: Path, docs: int) -> Worker:
    work.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-c", WORKER, str(tree), str(REPO / "scripts"), str(work), str(docs)]
    proc = subprocess.Popen(
        argv, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    worker = Worker(label, tree, proc)
    if not json.loads(proc.stdout.readline()).get("ready"):
        raise SystemExit(f"{label}: worker did not start")
    return worker


def checkout(rev: str, where: Path) -> Path:
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(where), rev],
        check=True,
        capture_output=True,
    )
    return where


def mix_for(docs: int) -> list[dict]:
    articles = bench.load("rmrb-2019-2020.jsonl.gz")[:docs]
    return bench.query_mix(articles) + [{"q": q} for q in COMMON_WORDS]


def run(base: Worker, head: Worker, mix: list[dict], rounds: int) -> int:
    """Alternate the two workers over the mix; return how many queries differed in top 10."""
    for item in mix[:10]:  # warm both, as a running server would be
        base.ask(item), head.ask(item)
    differ = 0
    for n in range(rounds):
        for item in mix:
            pair = (base, head) if n % 2 == 0 else (head, base)
            answers = {w.label: w.ask(item) for w in pair}
            for w in pair:
                w.times.append(answers[w.label]["ms"])
            if n == 0 and answers["base"]["ids"] != answers["head"]["ids"]:
                differ += 1
    return differ


def report(base: Worker, head: Worker, differ: int, mix: int, args) -> str:
    def row(w: Worker) -> str:
        return (
            f"| {w.label} | `{w.tree.name if w.label == 'base' else 'HEAD'}` | "
            f"{bench.pct(w.times, 50):.1f} | {bench.pct(w.times, 95):.1f} | {max(w.times):.1f} |"
        )

    ratio = bench.pct(head.times, 95) / bench.pct(base.times, 95)
    return "\n".join(
        [
            f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; base `{args.base}`;"
            f" {args.docs} 人民日报 articles; {mix} queries (bench_search mix + common words)"
            f" × {args.rounds} rounds, alternating",
            "",
            "| revision | tree | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|---|",
            row(base),
            row(head),
            "",
            f"p95 head/base: **{ratio:.2f}×**; queries whose top 10 ids differ: {differ} of {mix}",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--docs", type=int, default=10294, help="first N 人民日报 articles")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", default=None, help="scratch directory (default: a temp dir)")
    parser.add_argument("--out", default=None, help="append the markdown table to this file")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="baoku-ab-"))
    tree = work / "base-tree"
    if not tree.exists():
        checkout(args.base, tree)
    try:
        base = start("base", tree, work / "base", args.docs)
        head = start("head", REPO, work / "head", args.docs)
        mix = mix_for(args.docs)
        differ = run(base, head, mix, args.rounds)
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "-f", str(tree)], check=False)
    table = report(base, head, differ, len(mix), args)
    print(table)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(table)


if __name__ == "__main__":
    main()
