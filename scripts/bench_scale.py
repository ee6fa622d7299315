"""The cost curve: latency, indexing rate and memory against archive size (not a test).

    .venv/bin/python scripts/bench_scale.py [--sizes 10000,30000,100000] [--work DIR]

For each size, an archive is made by scripts/scale_corpus.py from ../shared/corpus and indexed
from scratch (2 writer processes). Then a fresh searching process opens it and runs the
bench_search query mix of the 人民日报 corpus plus very common words (top 10 with snippets,
facets and the exact total), 3 rounds after a warm-up; it reports p50/p95, its peak RSS, and
its resident memory split into private and shared pages (/proc/self/smaps_rollup), since
gunicorn workers share the page cache but not private memory. Results go to
docs/benchmarks-scale.json (merged by size), the table in docs/benchmarks.md between the
scale markers, and the chart docs/cost-curve.svg.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import bench_search as bench  # noqa: E402
import scale_corpus  # noqa: E402

from indexer.article import Article  # noqa: E402

COMMON_WORDS = ("的", "中国", "发展", "人民", "经济 发展", "习近平", "建设")
RESULTS = REPO / "docs" / "benchmarks-scale.json"
CHART = REPO / "docs" / "cost-curve.svg"
START, END = "<!-- scale:start -->", "<!-- scale:end -->"


def days(size: int, base: list[dict]):
    """The archive as sources of DAY records each, like the store's files of a day: an
    incremental update reads only the sources it has not indexed."""
    from indexer.index import Source

    def load(start: int, stop: int):
        return (Article.from_dict(r) for r in scale_corpus.records(stop, base, start))

    for start in range(0, size, DAY):
        stop = min(size, start + DAY)
        yield Source(f"day{start // DAY}", f"{stop - start}", lambda a=start, b=stop: load(a, b))


def build(folder: Path, size: int, base: list[dict]) -> dict:
    from indexer.index import reindex

    def stream():
        return (Article.from_dict(r) for r in scale_corpus.records(size, base))

    report = reindex(
        folder / "index", stream, rebuild=True, procs=2, sources=lambda: days(size, base)
    )
    return {"docs_s": size / report.seconds, "build_s": report.seconds}


DAY = 200  # articles a daily paper adds in a day


def add_day(folder: Path, size: int, base: list[dict], log) -> dict:
    """Adds one day (the next DAY records, new ids) to the built index as `baoku index`
    does (an incremental `reindex` by sources: the days already indexed are not read),
    while an Archive opened before the update stays open: its next search must see the new
    articles without a restart."""
    from indexer import Archive
    from indexer.index import live_generation, load_manifest, reindex

    have = len(load_manifest(live_generation(folder / "index")).docs)  # more after a --keep run
    archive = Archive(folder)
    probe = "的"
    before = archive.search(probe, limit=1).total
    view_before = archive._current()

    def stream():
        return (Article.from_dict(r) for r in scale_corpus.records(have + DAY, base))

    if not load_manifest(live_generation(folder / "index")).sources:
        # An index built before sources were recorded: one pass that reads everything
        # records them (what the first update after an upgrade does); not the day's cost.
        recorded = reindex(folder / "index", stream, sources=lambda: days(have, base))
        log(f"[{size}] sources recorded: {recorded}")
    report = reindex(folder / "index", stream, sources=lambda: days(have + DAY, base), procs=1)
    started = time.perf_counter()
    after = archive.search(probe, limit=1).total
    first_ms = (time.perf_counter() - started) * 1000
    fresh = archive._current()
    seen = fresh is not view_before and fresh.doc_count == have + DAY
    archive.close()
    log(f"[{size}] day added: {report}, {probe!r} {before} -> {after}, seen {seen}")
    if report.added != DAY or not seen or after <= before:
        raise SystemExit(f"the open archive did not see the {DAY} new articles: {report}")
    return {"day_s": report.seconds, "day_first_search_ms": first_ms}


def memory() -> dict:
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0]) / 1024
    # Private pages include file pages (mmap of texts.bin, the gram sidecar, Whoosh's files)
    # that only this process has touched so far; those are page cache, which a second worker
    # maps too. Anonymous memory is what each worker holds alone.
    return {
        "rss_mb": fields.get("Rss", 0.0),
        "private_mb": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
        "shared_mb": fields.get("Shared_Clean", 0) + fields.get("Shared_Dirty", 0),
        "anon_mb": fields.get("Anonymous", 0.0),
        "file_mb": fields.get("Rss", 0.0) - fields.get("Anonymous", 0.0),
    }


def peak_rss_mb() -> float:
    """This process's own high-water RSS (VmHWM). Not ru_maxrss: Linux carries that across
    exec, so a worker started from the benchmark reported the parent's memory (the loaded
    corpus) as its peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def write_mix(path: Path) -> None:
    mix = bench.query_mix(bench.load("rmrb-2019-2020.jsonl.gz")) + [{"q": q} for q in COMMON_WORDS]
    path.write_text(json.dumps(mix, ensure_ascii=False), encoding="utf-8")


def search_worker(folder: Path, mix_file: Path) -> None:
    """Runs in a process of its own, reading the query mix from a file, so that its memory is
    the searching process's alone (loading the corpus for the mix would count 10k articles)."""
    from indexer import Archive

    mix = json.loads(mix_file.read_text(encoding="utf-8"))
    archive = Archive(folder)
    run = [item for _ in range(3) for item in mix]
    for item in mix[:10]:
        archive.search(item["q"], limit=10)
    times, common = [], []
    for item in run:
        started = time.perf_counter()
        archive.search(
            item["q"], limit=10, date_from=item.get("date_from"), date_to=item.get("date_to")
        )
        ms = (time.perf_counter() - started) * 1000
        times.append(ms)
        if item["q"] in COMMON_WORDS:
            common.append(ms)
    peak = peak_rss_mb()
    row = {"p50": bench.pct(times, 50), "p95": bench.pct(times, 95)}
    row |= {"common_p95": bench.pct(common, 95), "peak_rss_mb": peak} | memory()
    print(json.dumps(row))


def measure(size: int, work: Path, base: list[dict], log, keep: bool, old: dict | None) -> dict:
    folder = work / f"n{size}"
    if keep and old and (folder / "index").is_dir():
        # The index of an earlier run with --keep: only the searching is measured again.
        log(f"[{size}] reusing the index in {folder}")
        row = {k: old[k] for k in ("docs", "docs_s", "build_s", "index_mb")}
    else:
        shutil.rmtree(folder, ignore_errors=True)
        log(f"[{size}] indexing")
        row = {"docs": size} | build(folder, size, base)
        row["index_mb"] = bench.dir_size(folder / "index") / 1e6
    log(f"[{size}] searching {row}")
    out = subprocess.run(
        [sys.executable, __file__, "--search-worker", str(folder), str(work / "mix.json")],
        check=True,
        capture_output=True,
        text=True,
    )
    row |= json.loads(out.stdout.strip().splitlines()[-1])
    log(f"[{size}] searched {row}")
    row |= add_day(folder, size, base, log)
    row["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    log(f"[{size}] {row}")
    return row


def markdown(rows: list[dict]) -> str:
    lines = [
        "| docs | index docs/s | build s | index MB | p50 ms | p95 ms | p95 common words ms |"
        " peak RSS MB | private MB | shared MB | anonymous MB | file pages MB |"
        " add a day (200) s | first search after it ms | measured |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['docs']:,} | {r['docs_s']:.0f} | {r['build_s']:.0f} | {r['index_mb']:.0f} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['common_p95']:.1f} | "
            f"{r['peak_rss_mb']:.0f} | {r['private_mb']:.0f} | {r['shared_mb']:.0f} | "
            f"{_fmt(r.get('anon_mb'), 0)} | {_fmt(r.get('file_mb'), 0)} | "
            f"{_fmt(r.get('day_s'))} | {_fmt(r.get('day_first_search_ms'))} | {r['date']} |"
        )
    return "\n".join(lines) + "\n"


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def polyline(points: list[tuple[float, float]], box, xr, yr, color: str) -> str:
    x0, y0, w, h = box

    def at(x: float, y: float) -> str:
        import math

        fx = (math.log10(x) - xr[0]) / (xr[1] - xr[0])
        return f"{x0 + fx * w:.1f},{y0 + h - y / yr * h:.1f}"

    dots = " ".join(at(x, y) for x, y in points)
    return f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{dots}"/>'


def chart(rows: list[dict]) -> str:
    """Three panels against log archive size: latency, indexing rate, searching memory."""
    import math

    sizes = [r["docs"] for r in rows]
    xr = (math.log10(min(sizes)) - 0.1, math.log10(max(sizes)) + 0.1)
    panels = [
        ("query ms", [("p50", "p50", "#1f77b4"), ("p95", "p95", "#d62728")]),
        ("index docs/s", [("docs_s", "docs/s", "#2ca02c")]),
        (
            "searching process MB",
            [("peak_rss_mb", "peak RSS", "#9467bd"), ("private_mb", "private", "#8c564b")],
        ),
    ]
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="960" height="300" '
        'font-family="sans-serif" font-size="12">'
    ]
    for i, (title, series) in enumerate(panels):
        box = (40 + i * 310, 30, 250, 220)
        top = max(r[key] for r in rows for key, _, _ in series) * 1.15 or 1
        parts.append(f'<text x="{box[0]}" y="18">{title} (max {top / 1.15:.0f})</text>')
        parts.append(
            f'<rect x="{box[0]}" y="{box[1]}" width="{box[2]}" height="{box[3]}" '
            'fill="none" stroke="#999"/>'
        )
        for j, (key, label, color) in enumerate(series):
            points = [(r["docs"], r[key]) for r in rows]
            parts.append(polyline(points, box, xr, top, color))
            parts.append(
                f'<text x="{box[0] + 5}" y="{box[1] + 15 + 14 * j}" fill="{color}">{label}</text>'
            )
        for r in rows:
            fx = (math.log10(r["docs"]) - xr[0]) / (xr[1] - xr[0])
            parts.append(
                f'<text x="{box[0] + fx * box[2] - 12:.0f}" y="{box[1] + box[3] + 15}">'
                f"{r['docs'] // 1000}k</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def save(rows: list[dict], out: Path) -> None:
    RESULTS.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    CHART.write_text(chart(rows), encoding="utf-8")
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    block = f"{START}\n{markdown(rows)}{END}"
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text += "\n" + block + "\n"
    out.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--work", default=None)
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each index in WORK; a later --keep run with the same WORK re-measures "
        "only the searching of an index kept there",
    )
    parser.add_argument("--search-worker", nargs=2, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.search_worker:
        search_worker(*map(Path, args.search_worker))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="baoku-scale-"))
    work.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(time.strftime("%H:%M:%S"), message, flush=True)

    base = scale_corpus.base_records()
    write_mix(work / "mix.json")
    rows = {r["docs"]: r for r in json.loads(RESULTS.read_text())} if RESULTS.exists() else {}
    for size in (int(s) for s in args.sizes.split(",")):
        rows[size] = measure(size, work, base, log, args.keep, rows.get(size))
        save([rows[k] for k in sorted(rows)], Path(args.out))
    log(f"wrote {args.out}, {CHART.relative_to(REPO)}")


if __name__ == "__main__":
    main()
