"""Load figures of the public site: gunicorn on 127.0.0.1 under concurrent clients (not a test).

    .venv/bin/python scripts/loadtest.py [--sizes 10000,100000] [--levels 1,8,32]
        [--seconds 20] [--max-requests 20000] [--rebuild-sizes 10000] [--work DIR]

For each archive size (copies of ../shared/corpus made by scripts/scale_corpus.py), gunicorn
serves `webui:create_app()` with 2 workers × 4 threads (rate limits off: this measures the
engine, not the limiter). Clients send the issue 3 query mix (scripts/bench_search.py
`query_mix` of the 人民日报 corpus), alternating /api/search and the HTML /search page, each
client on one keep-alive connection, for each concurrency level. Every loop is bounded twice:
by --seconds and by --max-requests. For the sizes in --rebuild-sizes the archive is a real
data dir (a store and its index) and 8 clients keep searching while `baoku index --rebuild`
runs (bounded by --rebuild-timeout); a failed request there is any answer but 200.

Results go to docs/loadtest.json (merged by size and phase) and to the table between the load
markers in docs/operations.md. The load generator runs on the same machine as the server, so
the figures are a floor of what the server does alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import bench_search as bench  # noqa: E402
import scale_corpus  # noqa: E402

from indexer.article import Article  # noqa: E402

RESULTS = REPO / "docs" / "loadtest.json"
DOC = REPO / "docs" / "operations.md"
START, END = "<!-- load:start -->", "<!-- load:end -->"
WORKERS, THREADS = 2, 4
REBUILD_CLIENTS = 8


@dataclass
class Tally:
    """What the clients of one phase saw."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies_ms.append(ms)
            else:
                self.errors += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(error)


@dataclass
class Row:
    docs: int
    phase: str  # "1 client", "8 clients", "32 clients", "8 clients during rebuild"
    clients: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50: float
    p95: float
    p99: float
    measured: str
    note: str = ""


# --- the archives --------------------------------------------------------------------------


def archive_with_store(folder: Path, size: int, base: list[dict], log) -> None:
    """A real data dir: the articles in a Store, indexed by `baoku index` (rebuildable)."""
    from indexer.store import Store

    if (folder / "index" / "CURRENT").exists():
        return
    log(f"[{size}] storing")
    Store(folder).put_articles(Article.from_dict(r) for r in scale_corpus.records(size, base))
    log(f"[{size}] indexing")
    baoku(folder, "index")


def index_only(folder: Path, size: int, base: list[dict], log) -> None:
    """An index without a store (as scripts/bench_scale.py builds it): cheaper at 100k."""
    from indexer.index import reindex

    if (folder / "index" / "CURRENT").exists():
        return
    log(f"[{size}] indexing (no store)")

    def stream():
        return (Article.from_dict(r) for r in scale_corpus.records(size, base))

    reindex(folder / "index", stream, rebuild=True, procs=2)


def baoku(folder: Path, *args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("baoku")), "--data", str(folder), *args]
    return subprocess.run(command, check=True, capture_output=True, text=True)


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(folder: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "BAOKU_DATA": str(folder),
        "BAOKU_RATELIMIT_ENABLED": "0",
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--timeout",
        "120",
        "webui:create_app()",
    ]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_ready(base: str, server: subprocess.Popen, mix: list[dict]) -> None:
    """Until /healthz says ok, then warm every worker (each opens the index on first use)."""
    for _ in range(1200):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if requests.get(f"{base}/healthz", timeout=60).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.25)
    else:
        raise RuntimeError("gunicorn never became healthy")
    for item in mix[: 10 * WORKERS]:
        requests.get(url_for(base, item, 0), timeout=120)


def url_for(base: str, item: dict, n: int) -> str:
    args = {"q": item["q"]}
    if item.get("date_from"):
        args["from"] = item["date_from"]
    if item.get("date_to"):
        args["to"] = item["date_to"]
    if n % 2:
        return f"{base}/search?{urlencode(args)}"
    return f"{base}/api/search?{urlencode(args | {'limit': 10})}"


# --- the clients ---------------------------------------------------------------------------


def client(base: str, mix: list[dict], start: int, tally: Tally, stop: threading.Event, budget):
    session = requests.Session()
    n = start
    while not stop.is_set() and budget():
        item = mix[n % len(mix)]
        began = time.perf_counter()
        error = None
        try:
            reply = session.get(url_for(base, item, n), timeout=120)
            reply.content  # noqa: B018 - the whole answer is part of the latency
            if reply.status_code != 200:
                error = f"{reply.status_code} {reply.text[:120]!r}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        tally.add((time.perf_counter() - began) * 1000, error)
        n += 1
    session.close()


def run_clients(base: str, mix: list[dict], clients: int, until, max_requests: int) -> tuple:
    """`clients` threads until `until()` is true or max_requests were sent; (tally, seconds)."""
    tally, stop = Tally(), threading.Event()
    sent = iter(range(max_requests))
    sent_lock = threading.Lock()

    def budget() -> bool:
        with sent_lock:
            return next(sent, None) is not None

    threads = [
        threading.Thread(target=client, args=(base, mix, i * 7, tally, stop, budget), daemon=True)
        for i in range(clients)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    while not until() and any(t.is_alive() for t in threads):
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(150)
    return tally, time.perf_counter() - began


def row(docs: int, phase: str, clients: int, tally: Tally, seconds: float, note="") -> Row:
    times = tally.latencies_ms or [0.0]
    done = len(tally.latencies_ms) + tally.errors
    return Row(
        docs=docs,
        phase=phase,
        clients=clients,
        requests=done,
        errors=tally.errors,
        seconds=round(seconds, 1),
        rps=round(done / seconds, 1) if seconds else 0.0,
        p50=round(bench.pct(times, 50), 1),
        p95=round(bench.pct(times, 95), 1),
        p99=round(bench.pct(times, 99), 1),
        measured=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        note=note or "; ".join(tally.error_samples[:2]),
    )


def measure(size: int, folder: Path, args, mix: list[dict], log) -> list[Row]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(folder, port)
    rows = []
    try:
        wait_ready(base, server, mix)
        for clients in args.levels:
            deadline = time.monotonic() + args.seconds
            tally, seconds = run_clients(
                base, mix, clients, lambda d=deadline: time.monotonic() > d, args.max_requests
            )
            rows.append(row(size, f"{clients} client(s)", clients, tally, seconds))
            log(f"[{size}] {asdict(rows[-1])}")
        if size in args.rebuild_sizes:
            rows.append(during_rebuild(size, folder, base, mix, args, log))
    finally:
        server.terminate()
        server.wait(60)
    return rows


def during_rebuild(size: int, folder: Path, base: str, mix, args, log) -> Row:
    command = [str(Path(sys.executable).with_name("baoku")), "--data", str(folder)]
    before = etag(base, mix)
    rebuild = subprocess.Popen(
        [*command, "index", "--rebuild"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + args.rebuild_timeout
    tally, seconds = run_clients(
        base,
        mix,
        REBUILD_CLIENTS,
        lambda: rebuild.poll() is not None or time.monotonic() > deadline,
        args.max_requests * 10,
    )
    if rebuild.poll() is None:
        rebuild.kill()
        note = f"rebuild not done in {args.rebuild_timeout} s, killed"
    else:
        note = "rebuild exit status " + str(rebuild.returncode)
    rebuild.wait()
    swapped = etag(base, mix) != before
    note += "; the site then served the new generation" if swapped else "; ETag unchanged"
    result = row(
        size,
        f"{REBUILD_CLIENTS} clients during index --rebuild",
        REBUILD_CLIENTS,
        tally,
        seconds,
        note,
    )
    log(f"[{size}] {asdict(result)}")
    return result


def etag(base: str, mix: list[dict]) -> str:
    """The validator of one search: it changes when the site serves another generation."""
    return requests.get(url_for(base, mix[0], 0), timeout=120).headers.get("ETag", "")


# --- the report ----------------------------------------------------------------------------


def merge(rows: list[Row]) -> list[dict]:
    old = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []
    fresh = {(r.docs, r.phase) for r in rows}
    kept = [r for r in old if (r["docs"], r["phase"]) not in fresh]
    merged = kept + [asdict(r) for r in rows]
    merged.sort(key=lambda r: (r["docs"], "rebuild" in r["phase"], r["clients"]))
    RESULTS.write_text(json.dumps(merged, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return merged


def markdown(rows: list[dict]) -> str:
    lines = [
        f"gunicorn {WORKERS} workers × {THREADS} threads on 127.0.0.1, clients on the same "
        "2-core machine; `scripts/loadtest.py` writes this table.",
        "",
        "| docs | phase | requests | errors | s | req/s | p50 ms | p95 ms | p99 ms | measured | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['docs']:,} | {r['phase']} | {r['requests']:,} | {r['errors']} | "
            f"{r['seconds']} | {r['rps']} | {r['p50']} | {r['p95']} | {r['p99']} | "
            f"{r['measured']} | {r['note']} |"
        )
    return "\n".join(lines) + "\n"


def write_doc(table: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Operations\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{table}{END}{tail}", encoding="utf-8")


def numbers(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=numbers, default=[10000, 100000])
    parser.add_argument("--levels", type=numbers, default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=20.0, help="per concurrency level")
    parser.add_argument("--max-requests", type=int, default=20000, help="per concurrency level")
    parser.add_argument("--rebuild-sizes", type=numbers, default=[10000])
    parser.add_argument("--rebuild-timeout", type=float, default=900.0)
    parser.add_argument("--work", type=Path, default=None, help="keep the archives here")
    parser.add_argument("--keep", action="store_true", help="do not delete the archives")
    args = parser.parse_args()

    def log(message: str) -> None:
        print(time.strftime("%H:%M:%S"), message, file=sys.stderr, flush=True)

    work = args.work or Path(tempfile_dir())
    work.mkdir(parents=True, exist_ok=True)
    mix = bench.query_mix(bench.load("rmrb-2019-2020.jsonl.gz"))
    base = scale_corpus.base_records()
    for size in args.sizes:
        folder = work / f"n{size}"
        if size in args.rebuild_sizes:
            archive_with_store(folder, size, base, log)
        else:
            index_only(folder, size, base, log)
        rows = measure(size, folder, args, mix, log)
        write_doc(markdown(merge(rows)))
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def tempfile_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="baoku-load-")


if __name__ == "__main__":
    main()
