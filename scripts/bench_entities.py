"""What entity tagging costs the index build: the same articles indexed with and without it.

Side by side in one run (alternating, so the machine's load hits both alike): every third of
the first 3,000 人民日报 articles of ../shared (1,000), indexed afresh into a temporary
directory with the tagger, and with `tag_parts` replaced by one that finds nothing (the
baseline: the index as it was before). Also the tagger alone over the same articles.
Written to docs/entities.md between the `entities-cost` markers.

    .venv/bin/python scripts/bench_entities.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import indexer.index as index_module  # noqa: E402
from indexer import Archive  # noqa: E402
from indexer.article import Article  # noqa: E402
from indexer.entities import Entities, tag_parts  # noqa: E402
from indexer.index import field_texts  # noqa: E402
from indexer.store import Store  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "rmrb-2019-2020.jsonl.gz"
DOC = REPO / "docs" / "entities.md"
BEGIN, END = "<!-- entities-cost:begin -->", "<!-- entities-cost:end -->"


def load() -> list[Article]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        return [
            Article.from_dict(json.loads(line))
            for i, line in enumerate(fh)
            if i < 3000 and i % 3 == 0
        ]


def build(articles: list[Article], tagging: bool) -> float:
    index_module.tag_parts = tag_parts if tagging else (lambda parts: Entities())
    with tempfile.TemporaryDirectory() as tmp:
        Store(tmp).put_articles(articles)
        started = time.perf_counter()
        Archive(tmp).reindex()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    rounds = parser.parse_args().rounds
    articles = load()
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for tagging in (False, True):
            times[tagging].append(build(articles, tagging))
    index_module.tag_parts = tag_parts
    started = time.perf_counter()
    for article in articles:
        tag_parts(list(field_texts(article).values())[:-1])
    alone = time.perf_counter() - started
    chars = sum(len(t) for a in articles for t in field_texts(a).values())
    base, tagged = statistics.median(times[False]), statistics.median(times[True])
    table = "\n".join(
        [
            f"{len(articles):,} articles ({chars / 1e6:.1f} M characters), median of {rounds} "
            "builds each, alternating, 2 index processes:",
            "",
            "| build | seconds | articles/s |",
            "|---|---:|---:|",
            f"| without tagging (baseline) | {base:.1f} | {len(articles) / base:.0f} |",
            f"| with tagging | {tagged:.1f} | {len(articles) / tagged:.0f} |",
            "",
            f"The tagger alone, in one process: {alone:.1f} s ({chars / alone / 1e6:.2f} M "
            f"characters/s). The build costs {100 * (tagged - base) / base:+.0f}% with tagging.",
        ]
    )
    print(table)
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN in doc:
        head, _, rest = doc.partition(BEGIN)
        _, _, tail = rest.partition(END)
        DOC.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
