"""Benchmark the search core against the textbook recipe, on ../shared/corpus (not a test).

    .venv/bin/python scripts/bench_search.py [--sets rmrb10k,all85k] [--out docs/benchmarks.md]
    .venv/bin/python scripts/bench_search.py --backend solr --sets scale100000 [--solr URL]

The textbook recipe: jieba.analyse.ChineseAnalyzer in a default Whoosh schema (id ID stored,
title and body TEXT(stored=True, analyzer=ChineseAnalyzer())), the default writer.
For each document set, in one run: indexing docs/s and index size; query latency p50/p95
over a fixed seeded mix (2–6 character fragments, quoted phrases, several words, a date
filter; top 10 with snippets for ours, without snippets for the textbook); substring recall
and precision for quoted and unquoted fragments against a brute-force scan; the known-item
rate over 500 random unique 人民日报 titles. Results go to a JSON file beside the markdown
after every step, and the markdown table is rewritten.

With --backend solr the two engines of a set are Baoku on Whoosh and Baoku on SolrCloud (2
shards × 2 replicas; a 2-node cluster of scripts/solrcloud is started in the work directory
unless --solr names one), measured alike; the table goes between the bench-solr markers and
the results to docs/benchmarks-solr.json. A set scaleN is N articles of
scripts/scale_corpus.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import Archive  # noqa: E402
from indexer.aliases import AliasList  # noqa: E402
from indexer.analysis import RUN, normalize, words  # noqa: E402
from indexer.article import Article  # noqa: E402
from indexer.index import field_texts, reindex  # noqa: E402

SHARED = Path(os.environ.get("BAOKU_SHARED", REPO.parent / "shared"))
SEED = 20240101


def load(name: str) -> list[Article]:
    with gzip.open(SHARED / "corpus" / name, "rt", encoding="utf-8") as fh:
        return [Article.from_dict(json.loads(line)) for line in fh]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- the textbook recipe ------------------------------------------------------------------


def textbook_build(path: Path, articles: list[Article]) -> float:
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index

    schema = fields.Schema(
        id=fields.ID(stored=True),
        title=fields.TEXT(stored=True, analyzer=ChineseAnalyzer()),
        body=fields.TEXT(stored=True, analyzer=ChineseAnalyzer()),
    )
    ix = index.create_in(str(path), schema)
    started = time.perf_counter()
    writer = ix.writer()
    for a in articles:
        writer.add_document(id=a.id, title=a.title, body=a.body)
    writer.commit()
    return time.perf_counter() - started


class Textbook:
    def __init__(self, path: Path) -> None:
        from whoosh import index
        from whoosh.qparser import MultifieldParser

        self.ix = index.open_dir(str(path))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)

    def search(self, q: str, limit: int | None = 10) -> list[str]:
        results = self.searcher.search(self.parser.parse(q), limit=limit)
        return [hit["id"] for hit in results]


# --- query mix ----------------------------------------------------------------------------


def fragments(articles: list[Article], rng: random.Random, count: int) -> list[str]:
    out = []
    while len(out) < count:
        a = rng.choice(articles)
        runs = [r for r in RUN.findall(a.body) if len(r) >= 6]
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.randint(2, 6)
        start = rng.randrange(0, len(run) - size + 1)
        out.append(run[start : start + size])
    return out


def body_words(article: Article) -> list[str]:
    """The article's body words of two or more characters."""
    return [w for w in words(normalize(article.body)) if len(w) > 1]


def query_mix(articles: list[Article]) -> list[dict]:
    rng = random.Random(SEED)
    mix = [{"q": f} for f in fragments(articles, rng, 40)]
    mix += [{"q": f'"{f}"'} for f in fragments(articles, rng, 20)]
    while len(mix) < 80:
        ws = body_words(rng.choice(articles))
        if len(ws) >= 3:
            mix.append({"q": " ".join(rng.sample(ws, rng.randint(2, 3)))})
    dated = [a for a in articles if a.date]
    while len(mix) < 100:
        a = rng.choice(dated)
        ws = body_words(a)
        if ws:
            mix.append({"q": rng.choice(ws), "date_from": a.date[:7], "date_to": a.date[:7]})
    return mix


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(fn, mix: list[dict]) -> tuple[float, float]:
    for item in mix[:10]:  # warm the caches as a running server would be
        fn(item)
    times = []
    for item in mix:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return pct(times, 50), pct(times, 95)


# --- substring truth ------------------------------------------------------------------------


def truths(articles: list[Article], frags: list[str]) -> list[set[str]]:
    """The ids whose text holds each fragment: what the query language promises, the
    normalised text of any text field holds the fragment or one of its newsroom aliases (the
    shipped list: 新型冠状病毒 also finds 新冠病毒, as issue 8 asks)."""
    texts = [(a.id, normalize("\x00".join(field_texts(a).values()))) for a in articles]
    aliases = AliasList(None).table()
    out = []
    for frag in frags:
        needles = aliases.group_of(normalize(frag)) or (normalize(frag),)
        out.append({i for i, t in texts if any(n in t for n in needles)})
    return out


def recall_precision(truth: list[set[str]], frags, search_ids) -> tuple[float, float]:
    found = relevant = retrieved = 0
    for frag, relevant_ids in zip(frags, truth, strict=True):
        got = set(search_ids(frag))
        found += len(relevant_ids & got)
        relevant += len(relevant_ids)
        retrieved += len(got)
    return found / max(1, relevant), found / max(1, retrieved)


def known_items(articles: list[Article], search_top) -> float | None:
    """The share of 500 unique 人民日报 titles that put their article first; None when the set
    has no unique titles (a scaleN set past one copy prints every title twice)."""
    rmrb = [a for a in articles if a.paper == "人民日报" and a.title.strip()]
    counts = Counter(normalize(a.title) for a in rmrb)
    unique = [a for a in rmrb if counts[normalize(a.title)] == 1]
    if not unique:
        return None
    sample = random.Random(SEED).sample(unique, min(500, len(unique)))
    return sum(1 for a in sample if search_top(a.title) == a.id) / len(sample)


@dataclass
class Probes:
    """The queries every engine of a set is measured with, and the substring truth."""

    mix: list[dict]
    frags: list[str]
    truth: list[set[str]]

    @classmethod
    def of(cls, articles: list[Article]) -> Probes:
        count = 200 if len(articles) < 20000 else 100
        frags = fragments(articles, random.Random(SEED + 1), count)
        return cls(query_mix(articles), frags, truths(articles, frags))


def measure(archive, who: str, articles, probes: Probes, log, name: str) -> dict:
    """Latency, quoted/unquoted recall and precision, known items of one Archive, as
    `who`_p50, `who`_p95, … (the same for the Whoosh and the Solr backend)."""
    row: dict = {}

    def query(item):
        return archive.search(
            item["q"], limit=10, date_from=item.get("date_from"), date_to=item.get("date_to")
        )

    row[f"{who}_p50"], row[f"{who}_p95"] = latency(query, probes.mix)
    log(f"[{name}] {who} latency {row}")

    def ids(q):
        return [h.id for h in archive.search(q, limit=100000, snippets=False, collapse=False).hits]

    frags, truth = probes.frags, probes.truth
    quoted = recall_precision(truth, frags, lambda f: ids(f'"{f}"'))
    row[f"{who}_q_recall"], row[f"{who}_q_precision"] = quoted
    row[f"{who}_u_recall"], row[f"{who}_u_precision"] = recall_precision(truth, frags, ids)

    def top(title):
        hits = archive.search(title, limit=1).hits
        return hits[0].id if hits else None

    row[f"{who}_known"] = known_items(articles, top)
    log(f"[{name}] {who} recall and known items {row}")
    return row


# --- one document set ---------------------------------------------------------------------


def build_ours(name: str, articles: list[Article], work: Path, log) -> tuple[Path, dict]:
    ours_dir = work / f"{name}-ours"
    shutil.rmtree(ours_dir, ignore_errors=True)
    ours_dir.mkdir(parents=True)
    log(f"[{name}] whoosh: indexing {len(articles)} docs")
    report = reindex(ours_dir / "index", lambda: iter(articles), rebuild=True, procs=2)
    row = {"ours_docs_s": len(articles) / report.seconds}
    row["ours_mb"] = dir_size(ours_dir / "index") / 1e6
    return ours_dir, row


def run_set(name: str, articles: list[Article], work: Path, log) -> dict:
    row: dict = {"set": name, "docs": len(articles)}
    ours_dir, built = build_ours(name, articles, work, log)
    row |= built
    tb_dir = work / f"{name}-textbook"
    shutil.rmtree(tb_dir, ignore_errors=True)
    tb_dir.mkdir(parents=True)
    log(f"[{name}] textbook: indexing")
    seconds = textbook_build(tb_dir, articles)
    row["tb_docs_s"] = len(articles) / seconds
    row["tb_mb"] = dir_size(tb_dir) / 1e6
    log(f"[{name}] {row}")

    archive = Archive(ours_dir)
    textbook = Textbook(tb_dir)
    probes = Probes.of(articles)
    row |= measure(archive, "ours", articles, probes, log, name)

    row["tb_p50"], row["tb_p95"] = latency(lambda item: textbook.search(item["q"]), probes.mix)

    def tb_ids(q):
        return textbook.search(q, limit=None)

    frags, truth = probes.frags, probes.truth
    row["tb_q_recall"], row["tb_q_precision"] = recall_precision(
        truth, frags, lambda f: tb_ids(f'"{f}"')
    )
    row["tb_u_recall"], row["tb_u_precision"] = recall_precision(truth, frags, tb_ids)

    def tb_top(title):
        ids = textbook.search(title, limit=1)
        return ids[0] if ids else None

    row["tb_known"] = known_items(articles, tb_top)
    log(f"[{name}] textbook {row}")
    archive.close()
    return row


# --- the Solr backend beside Whoosh (issue 13) ----------------------------------------------


def solr_index_bytes(client, collection: str) -> int:
    """The on-disk size of every replica of `collection`, summed over the live nodes."""
    import requests

    total = 0
    for node in client.nodes:
        status = requests.get(
            f"{node}/admin/cores", params={"action": "STATUS", "wt": "json"}, timeout=60
        ).json()["status"]
        total += sum(
            core.get("index", {}).get("sizeInBytes", 0)
            for core_name, core in status.items()
            if core_name.startswith(f"{collection}_shard")
        )
    return total


def node_rss_mb(cluster_dir: Path | None) -> list[float]:
    if cluster_dir is None:
        return []
    sizes = []
    for pid_file in sorted(cluster_dir.glob("node-*.pid")):
        status = Path(f"/proc/{pid_file.read_text().strip()}/status")
        if status.exists():
            kb = next(ln for ln in status.read_text().splitlines() if ln.startswith("VmRSS"))
            sizes.append(int(kb.split()[1]) / 1024)
    return sizes


def run_solr_set(name: str, articles: list[Article], work: Path, log, solr) -> dict:
    """Whoosh and the Solr backend (2 shards × 2 replicas) on the same articles."""
    from indexer.solr_client import SolrClient
    from indexer.solr_index import alias_target, solr_reindex

    row: dict = {"set": name, "docs": len(articles)}
    ours_dir, built = build_ours(name, articles, work, log)
    row |= built
    probes = Probes.of(articles)
    archive = Archive(ours_dir)
    row |= measure(archive, "ours", articles, probes, log, name)
    archive.close()
    shutil.rmtree(ours_dir, ignore_errors=True)

    client = SolrClient(solr.url)
    alias = f"bench_{name}"
    log(f"[{name}] solr: indexing {len(articles)} docs, 2 shards × 2 replicas")
    report = solr_reindex(
        client, lambda: iter(articles), alias=alias, rebuild=True, shards=2, replicas=2
    )
    row["solr_docs_s"] = len(articles) / report.seconds
    collection = alias_target(client, alias)
    row["solr_mb"] = solr_index_bytes(client, collection) / 1e6
    log(f"[{name}] solr built {row}")
    empty = work / f"{name}-solr-data"  # the Solr backend needs no store to search
    empty.mkdir(parents=True, exist_ok=True)
    row |= measure(
        Archive(empty, solr_url=f"{solr.url}/{alias}"), "solr", articles, probes, log, name
    )
    row["solr_rss_mb"] = node_rss_mb(solr.directory)
    client.collections_api("DELETEALIAS", name=alias)
    client.collections_api("DELETE", name=collection)
    return row


@dataclass
class Cluster:
    url: str
    directory: Path | None  # None: a cluster this script did not start


def start_cluster(directory: Path, log) -> Cluster:
    import subprocess

    log(f"starting a 2-node SolrCloud in {directory}")
    env = {**os.environ, "BAOKU_SOLR_HEAP": os.environ.get("BAOKU_SOLR_HEAP", "1500m")}
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "solrcloud"), "start", "--dir", str(directory)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return Cluster(done.stdout.strip().splitlines()[-1], directory)


def stop_cluster(cluster: Cluster) -> None:
    import subprocess

    if cluster.directory is not None:
        script = REPO / "scripts" / "solrcloud"
        subprocess.run([sys.executable, str(script), "stop", "--dir", str(cluster.directory)])


def run_date(rows: list[dict]) -> str:
    """When the rows were measured (a --render keeps it; each set's own date where the rows
    come from different runs), or now."""
    dates = {r["date"] for r in rows if r.get("date")}
    if len(dates) > 1:
        return "; ".join(f"{r['set']} {r['date']}" for r in rows if r.get("date"))
    return dates.pop() if dates else time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


COLUMNS = (
    "index docs/s",
    "index MB",
    "p50 ms",
    "p95 ms",
    "quoted recall",
    "quoted precision",
    "unquoted recall",
    "unquoted precision",
    "known item",
)


def table_head(engine: str, extra: list[str] | None = None) -> list[str]:
    names = ["set", "docs", engine, *COLUMNS, *(extra or [])]
    return ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]


def engine_row(r: dict, who: str, label: str, extra: str = "") -> str:
    """One engine's line of a table: `who`_docs_s, `who`_mb, … of the row `r`."""

    def f(key, fmt="{:.3f}"):
        value = r.get(f"{who}_{key}")
        return fmt.format(value) if value is not None else "—"

    return (
        f"| {r['set']} | {r['docs']} | {label} | {f('docs_s', '{:.0f}')} | "
        f"{f('mb', '{:.0f}')} | {f('p50', '{:.1f}')} | {f('p95', '{:.1f}')} | "
        f"{f('q_recall')} | {f('q_precision')} | {f('u_recall')} | "
        f"{f('u_precision')} | {f('known')} |{extra}"
    )


def preamble(rows: list[dict], command: str, machine: str) -> list[str]:
    return [
        f"- machine: {platform.machine()}, {os.cpu_count()} cores{machine}",
        f"- date: {run_date(rows)}",
        f"- command: `{command}`",
    ]


def markdown_solr(rows: list[dict], command: str) -> str:
    lines = [
        *preamble(
            rows,
            command,
            "; the Solr nodes, ZooKeeper and this script share them, so timings are noisy",
        ),
        "- solr: 2 nodes (one JVM each, heap $BAOKU_SOLR_HEAP, 1500m by default) from"
        " scripts/solrcloud, a collection of 2 shards × 2 replicas; index MB sums all four"
        " replicas (one copy is half); docs/s counts Baoku's analysis in this process and"
        " the nodes' indexing up to the commit",
        "- whoosh: the default backend, 2 writer processes; the same query mix, fragments and"
        " known items as the table above",
        "",
        *table_head("backend", ["node RSS MB"]),
    ]
    for r in rows:
        for who, label in (("ours", "whoosh"), ("solr", "solr 2×2")):
            if f"{who}_docs_s" in r:
                rss = " + ".join(f"{v:.0f}" for v in r.get(f"{who}_rss_mb", [])) or "—"
                lines.append(engine_row(r, who, label, f" {rss} |"))
    return "\n".join(lines) + "\n"


# --- report ---------------------------------------------------------------------------------


def markdown(rows: list[dict], command: str) -> str:
    cpu = platform.processor() or platform.platform()
    lines = [
        *preamble(
            rows, command, f" ({cpu}), shared with other jobs while it ran, so timings are noisy"
        ),
        "- data: ../shared/corpus (rmrb10k = 人民日报 2019–2020, all85k = that plus 新闻联播)",
        "- textbook: jieba ChineseAnalyzer, TEXT(stored=True) title/body, ID id, default writer",
        "- ours: rjieba words + numpy character-gram sidecar + texts.bin verification, 2 writer"
        " processes; latency is top 10 with snippets (textbook: top 10, no snippets)",
        "- query mix (seeded): 40 fragments of 2–6 chars, 20 quoted phrases, 20 queries of"
        " 2–3 words, 20 words with a one-month date filter; recall/precision over random"
        " fragments of article text against a brute-force scan of the normalised text fields",
        "",
        *table_head("engine"),
    ]
    for r in rows:
        for who, label in (("ours", "ours"), ("tb", "textbook")):
            if f"{who}_docs_s" in r:
                lines.append(engine_row(r, who, label))
        if "tb_docs_s" in r and "ours_docs_s" in r:
            lines.append(
                f"| {r['set']} | ratio | ours/textbook | "
                f"{r['ours_docs_s'] / r['tb_docs_s']:.2f}× | {r['ours_mb'] / r['tb_mb']:.2f}× | "
                + (
                    f"{r['ours_p50'] / r['tb_p50']:.2f}× | {r['ours_p95'] / r['tb_p95']:.2f}× |"
                    if "tb_p95" in r and "ours_p95" in r
                    else "— | — |"
                )
                + " | | | | |"
            )
    return "\n".join(lines) + "\n"


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


SOLR_START, SOLR_END = "<!-- bench-solr:start -->", "<!-- bench-solr:end -->"


def write_report(out: Path, table: str, start: str = START, end: str = END) -> None:
    """Replace the table between the markers, keeping the prose around it."""
    block = f"{start}\n{table}{end}"
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = block + "\n" + text
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def load_set(name: str, rmrb: list[Article]) -> list[Article]:
    """rmrb10k, rmrbN (the first N, a smoke run), all85k, or scaleN (N articles of
    scripts/scale_corpus.py: both corpora, then shifted copies of them)."""
    if name.startswith("rmrb"):
        return rmrb if name == "rmrb10k" else rmrb[: int(name[4:])]
    if name.startswith("scale"):
        sys.path.insert(0, str(REPO / "scripts"))
        from scale_corpus import records

        return [Article.from_dict(r) for r in records(int(name[5:]))]
    return rmrb + load("xwlb-2012-2026.jsonl.gz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="rmrb10k,all85k")
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    parser.add_argument("--work", default=None, help="scratch directory (default: a temp dir)")
    parser.add_argument("--render", default=None, help="only rewrite the table from this JSON")
    parser.add_argument(
        "--backend",
        choices=("whoosh", "solr"),
        default="whoosh",
        help="solr: Whoosh and the Solr backend side by side (instead of Whoosh and the textbook)",
    )
    parser.add_argument(
        "--solr", default=None, help="with --backend solr: a running cluster (default: start one)"
    )
    args = parser.parse_args()
    out = Path(args.out)
    solr = args.backend == "solr"
    results_path = out.with_name("benchmarks-solr.json") if solr else out.with_suffix(".json")
    render, markers = (markdown_solr, (SOLR_START, SOLR_END)) if solr else (markdown, ())
    work = Path(args.work or tempfile.mkdtemp(prefix="baoku-bench-"))
    command = "python scripts/bench_search.py " + " ".join(sys.argv[1:])

    def log(message: str) -> None:
        print(time.strftime("%H:%M:%S"), message, flush=True)

    if args.render:
        rows = json.loads(Path(args.render).read_text(encoding="utf-8"))
        table = render(rows, rows[0].get("command", command) if rows else command)
        write_report(out, table, *markers)
        log(f"wrote {out}")
        return
    rmrb = load("rmrb-2019-2020.jsonl.gz")
    cluster = None
    if solr:
        cluster = Cluster(args.solr, None) if args.solr else start_cluster(work / "solr", log)
    rows = []
    try:
        for name in args.sets.split(","):
            articles = load_set(name, rmrb)
            if cluster is not None:
                row = run_solr_set(name, articles, work, log, cluster)
            else:
                row = run_set(name, articles, work, log)
            rows.append(row | {"command": command, "date": run_date([])})
            text = json.dumps(rows, ensure_ascii=False, indent=1)
            results_path.write_text(text, encoding="utf-8")
            write_report(out, render(rows, command), *markers)
            shutil.rmtree(work / f"{name}-ours", ignore_errors=True)
            shutil.rmtree(work / f"{name}-textbook", ignore_errors=True)
    finally:
        if cluster is not None:
            stop_cluster(cluster)
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
