"""Benchmark `baoku import` at archive scale, sorted and shuffled, against the old code.

    .venv/bin/python scripts/bench_import.py [--sizes 100000,1000000] [--baseline-ref main]

Inputs are built from both corpora of ../shared/corpus (84,839 articles). Copy 0 is the corpus
as it is; copy c (c = 1, 2, …) gets the id suffix "-c<c>" and every date moved back by 10·c
years (a 29 February that does not exist in the target year becomes 28 February). The first N
articles of copies 0, 1, 2, … make an N-article input; "sorted" orders them by date (then copy,
then corpus position), "shuffled" is a seeded random permutation. Both are plain .jsonl.

Every import runs in its own process into an empty data dir, started by a small wrapper process
that reports getrusage(RUSAGE_CHILDREN).ru_maxrss: the peak RSS of that one import. The old
code (`--baseline-ref`, taken with `git archive`) runs in the same session on a bounded sample:
the first `--baseline-limit` lines of the same file, since the old path at 100k shuffled takes
far too long. The results replace the "Bulk import" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BAOKU_SHARED", REPO.parent / "shared"))
CORPORA = ("rmrb-2019-2020.jsonl.gz", "xwlb-2012-2026.jsonl.gz")
SEED = 15
SECTION = "## Bulk import (issue 15)"

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from indexer.ingest import import_jsonl
from indexer.store import Store
started = time.perf_counter()
report = import_jsonl(Store(sys.argv[2]), [sys.argv[3]])
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "articles": report.articles, "new": report.stored.new,
                  "errors": len(report.errors), "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""

# Linux carries a process's peak RSS across fork and exec: a child of this script (which holds
# the corpus) would report at least this script's size. A small wrapper starts the import and
# reads the peak of its one child.
_WRAPPER = """
import json, resource, subprocess, sys
out = subprocess.run([sys.executable, "-c", *sys.argv[1:]], check=True, capture_output=True,
                     text=True).stdout
result = json.loads(out.strip().splitlines()[-1])
result["peak_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(result))
"""


def base_lines() -> list[str]:
    lines: list[str] = []
    for name in CORPORA:
        with gzip.open(SHARED / "corpus" / name, "rt", encoding="utf-8") as handle:
            lines += [line for line in handle if line.strip()]
    return lines


def shifted(day: str, years: int) -> str:
    if not years:
        return day
    value = date.fromisoformat(day)
    try:
        return value.replace(year=value.year - years).isoformat()
    except ValueError:  # 29 February in a year that has none
        return value.replace(year=value.year - years, day=28).isoformat()


def build_inputs(base: list[str], size: int, folder: Path) -> dict[str, Path]:
    """The sorted and the shuffled N-article files; built once, kept between runs."""
    paths = {order: folder / f"import-{size}-{order}.jsonl" for order in ("sorted", "shuffled")}
    if all(p.exists() for p in paths.values()):
        return paths
    dates = [json.loads(line)["date"] for line in base]
    keys = []
    for n in range(size):
        copy, index = divmod(n, len(base))
        keys.append((shifted(dates[index], 10 * copy), copy, index))
    orders = {"sorted": sorted(keys), "shuffled": list(keys)}
    random.Random(SEED).shuffle(orders["shuffled"])
    for order, items in orders.items():
        with open(paths[order], "w", encoding="utf-8") as handle:
            for day, copy, index in items:
                record = json.loads(base[index])
                if copy:
                    record["id"] = f"{record['id']}-c{copy}"
                    record["date"] = day
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return paths


def head(path: Path, lines: int) -> Path:
    out = path.with_name(f"{path.stem}-head{lines}.jsonl")
    if not out.exists():
        with open(path, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
            for number, line in enumerate(src):
                if number >= lines:
                    break
                dst.write(line)
    return out


def old_tree(ref: str, folder: Path) -> Path:
    target = folder / f"old-{ref}"
    if not target.exists():
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", ref, "indexer"], check=True, capture_output=True
        ).stdout
        target.mkdir()
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target


def run_import(code: Path, data_file: Path, work: Path) -> dict:
    store = Path(tempfile.mkdtemp(prefix="store-", dir=work))
    try:
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER, _CHILD, str(code), str(store), str(data_file)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
    finally:
        shutil.rmtree(store, ignore_errors=True)
    result["rate"] = result["articles"] / result["seconds"]
    result["cpu_rate"] = result["articles"] / result["cpu_seconds"]
    return result


def save_rows(results: Path, rows: list[dict]) -> list[dict]:
    """Merge with what another run wrote meanwhile (one size each); ours win on the same key."""

    def key(row: dict) -> tuple:
        return (row["size"], row["code"] != "new", row["code"], row["order"])

    merged = {key(row): row for row in json.loads(results.read_text())} if results.exists() else {}
    merged.update((key(row), row) for row in rows)
    rows = [merged[k] for k in sorted(merged)]
    results.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return rows


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def write_markdown(path: Path, rows: list[dict], notes: list[str]) -> None:
    table = [
        SECTION,
        "",
        "Measured by `scripts/bench_import.py`: each import in its own process, into an empty data",
        "dir; peak RSS is that process's maximum (RUSAGE_CHILDREN of a wrapper). Inputs: both",
        "corpora of ../shared/corpus, copied with new ids (suffix `-c<copy>`) and dates moved back",
        "10·copy years (a 29 February without one becomes 28 February); `sorted` by date,",
        "`shuffled` a",
        f"seeded permutation (seed {SEED}). `old` is the code before issue 15 (`put_articles` in",
        "batches of 5,000), on the first lines of the same file only, because at 100k shuffled it",
        "would take far too long: its rate is over that sample.",
        "",
        "`articles/s` is by wall-clock time; `per CPU s` divides by the process's user + system",
        "CPU time, which the other jobs on the shared machine disturb far less.",
        "",
        "| code | input | order | imported | seconds | articles/s | CPU s | per CPU s"
        " | peak RSS MiB | load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        table.append(
            f"| {row['code']} | {row['size']:,} | {row['order']} | {row['articles']:,} | "
            f"{row['seconds']:.1f} | {row['rate']:,.0f} | {row['cpu_seconds']:.1f} | "
            f"{row['cpu_rate']:,.0f} | {row['peak_mib']:,.0f} | {row['load']} |"
        )
    table += ["", *notes, ""]
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECTION in text:
        before, rest = text.split(SECTION, 1)
        after = rest.split("\n## ", 1)
        text = before + "\n".join(table) + ("\n## " + after[1] if len(after) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(table)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--orders", default="sorted,shuffled")
    parser.add_argument("--baseline-ref", default="main")
    parser.add_argument("--baseline-limit", type=int, default=20_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/baoku-bench-import"))
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    base = base_lines()
    old = old_tree(args.baseline_ref, args.work)
    # Runs of other sizes from earlier sessions stay in the table; a size run again replaces them.
    results = args.out.with_name("benchmarks-import.json")
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = json.loads(results.read_text()) if results.exists() else []
    rows = [row for row in rows if row["size"] not in sizes]
    notes = [f"Machine: {os.cpu_count()} cores, shared with other jobs; load = 1/5/15-min load "]
    notes[0] += "average when the run started."
    for size in sizes:
        inputs = build_inputs(base, size, args.work)
        for order, path in inputs.items():
            if order not in args.orders.split(","):
                continue
            runs = [("new", REPO, path)]
            if size == min(sizes) and args.baseline_limit:
                runs.append((f"old ({args.baseline_ref})", old, head(path, args.baseline_limit)))
            for code, tree, data_file in runs:
                load = load_average()
                print(f"{code} {size} {order} …", flush=True)
                result = run_import(tree, data_file, args.work)
                result.update(code=code, size=size, order=order, load=load)
                print(json.dumps(result), flush=True)
                rows.append(result)
                rows = save_rows(results, rows)
                write_markdown(args.out, rows, notes)


if __name__ == "__main__":
    main()
