"""Measure the entity tagger (indexer/entities.py) against 200 hand-tagged sentences.

The sample: 150 sentences of the 人民日报 corpus and 50 of the 新闻联播 corpus under
../shared/corpus, one random sentence each from random records (random.seed(14)). The gold
(scripts/entities/gold.tsv) keeps only where each sentence is (file, line of the JSONL, index
of the sentence in the body as `sentences()` splits it) and the entity strings tagged by hand
in it, never the sentence: the text is read from ../shared at run time.

    .venv/bin/python scripts/eval_entities.py sample   # print the sample, for tagging by hand
    .venv/bin/python scripts/eval_entities.py          # score, and write docs/entities.md

Scoring is by distinct (type, canonical string) per sentence: a tag is right when the hand
tags of that sentence hold the same string of the same type (places compared without a final
省/市, as the tagger shows them).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.analysis import normalize  # noqa: E402
from indexer.entities import ENTITY_TYPES, canonical_place, tag_text  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
FILES = {"rmrb-2019-2020.jsonl.gz": 150, "xwlb-2012-2026.jsonl.gz": 50}
GOLD = REPO / "scripts" / "entities" / "gold.tsv"
HELDOUT = REPO / "scripts" / "entities" / "heldout.tsv"
HELDOUT_SEED = 15
HELDOUT_FILES = {"rmrb-2019-2020.jsonl.gz": 60, "xwlb-2012-2026.jsonl.gz": 20}
DOC = REPO / "docs" / "entities.md"
BEGIN, END = "<!-- entities:begin -->", "<!-- entities:end -->"
SEED = 14
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def sentences(body: str) -> list[str]:
    """The body's sentences: split after 。！？ and at line breaks, stripped."""
    return [s.strip() for s in _SENTENCE.findall(body or "") if s.strip()]


@dataclass
class Located:
    file: str
    line: int
    index: int
    text: str


def sample(
    seed: int = SEED, files: dict[str, int] = FILES, skip: frozenset = frozenset()
) -> Iterator[Located]:
    """The 200 sentences, in gold order (15 to 150 characters, one per record); with another
    seed and `skip` (the (file, line) pairs of the gold), the held-out sample."""
    rng = random.Random(seed)
    for name, count in files.items():
        with gzip.open(CORPUS / name, "rt", encoding="utf-8") as fh:
            records = fh.readlines()
        taken = 0
        for line in rng.sample(range(len(records)), len(records)):
            if (name, line) in skip:
                continue
            found = sentences(json.loads(records[line]).get("body") or "")
            usable = [i for i, s in enumerate(found) if 15 <= len(s) <= 150]
            if not usable:
                continue
            index = rng.choice(usable)
            yield Located(name, line, index, found[index])
            taken += 1
            if taken == count:
                break


KINDS = {"P": "person", "L": "place", "O": "organization"}


@dataclass
class Score:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 1.0


def load_gold(path: Path = GOLD) -> list[tuple[str, int, int, set[tuple[str, str]]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, number, index, tags = line.split("\t")
        wanted = set()
        for tag in tags.split():
            if tag != "-":
                kind = KINDS[tag[0]]
                wanted.add((kind, canonical(kind, normalize(tag[2:]))))
        rows.append((name, int(number), int(index), wanted))
    return rows


def canonical(kind: str, name: str) -> str:
    return canonical_place(name) if kind == "place" else name


def read_sentences(rows: list) -> list[str]:
    wanted: dict[str, set[int]] = {}
    for name, number, _, _ in rows:
        wanted.setdefault(name, set()).add(number)
    bodies: dict[tuple[str, int], str] = {}
    for name, numbers in wanted.items():
        with gzip.open(CORPUS / name, "rt", encoding="utf-8") as fh:
            for number, line in enumerate(fh):
                if number in numbers:
                    bodies[(name, number)] = json.loads(line).get("body") or ""
    return [sentences(bodies[(name, number)])[index] for name, number, index, _ in rows]


def evaluate(verbose: bool = False, path: Path = GOLD) -> dict[str, Score]:
    rows = load_gold(path)
    scores = {kind: Score() for kind in ENTITY_TYPES}
    for (_, _, _, wanted), text in zip(rows, read_sentences(rows), strict=True):
        got = set(tag_text(text).items())
        for kind, name in got:
            if (kind, name) in wanted:
                scores[kind].true_pos += 1
            else:
                scores[kind].false_pos += 1
                if verbose:
                    print("FP", kind, name, "|", text[:60])
        for kind, name in wanted - got:
            scores[kind].false_neg += 1
            if verbose:
                print("FN", kind, name)
    return scores


def table(scores: dict[str, Score]) -> str:
    lines = [
        "| type | tagged | right | in the gold | precision | recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, score in scores.items():
        lines.append(
            f"| {kind} | {score.true_pos + score.false_pos} | {score.true_pos} | "
            f"{score.true_pos + score.false_neg} | {score.precision:.2f} | {score.recall:.2f} |"
        )
    return "\n".join(lines)


FACET_QUERIES = ("疫情", "脱贫攻坚", "一带一路", "冬奥", "改革")
JUDGED = REPO / "scripts" / "entities" / "facets.tsv"


def facet_values() -> list[tuple[str, str, str]]:
    """(query, type, name) of the top-20 facets of FACET_QUERIES over every third article of
    the 人民日报 corpus, indexed afresh in a temporary directory."""
    import tempfile

    from indexer import Archive
    from indexer.article import Article
    from indexer.store import Store

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        with gzip.open(CORPUS / "rmrb-2019-2020.jsonl.gz", "rt", encoding="utf-8") as fh:
            articles = [
                Article.from_dict(json.loads(line)) for i, line in enumerate(fh) if i % 3 == 0
            ]
        Store(tmp).put_articles(articles)
        with Archive(tmp) as archive:
            archive.reindex()
            for query in FACET_QUERIES:
                facets = archive.search(query, limit=0).facets
                for kind in ENTITY_TYPES:
                    out += [(query, kind, name) for name in getattr(facets, kind)]
    return out


def judge_facets() -> dict[str, Score]:
    """Precision of what the facets show, by the judgements in scripts/entities/facets.tsv
    (type, name, y/n); a value never judged is printed and counted as wrong."""
    judged = {}
    for line in JUDGED.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, name, verdict = line.split("\t")
            judged[(kind, name)] = verdict == "y"
    scores = {kind: Score() for kind in ENTITY_TYPES}
    for query, kind, name in facet_values():
        verdict = judged.get((kind, name))
        if verdict is None:
            print(f"unjudged\t{kind}\t{name}\t({query})")
        if verdict:
            scores[kind].true_pos += 1
        else:
            scores[kind].false_pos += 1
    return scores


def main() -> None:
    if sys.argv[1:] == ["facets"]:
        scores = judge_facets()
        for kind, score in scores.items():
            shown = score.true_pos + score.false_pos
            print(f"{kind}: {score.true_pos}/{shown} right, precision {score.precision:.2f}")
        return
    if sys.argv[1:] == ["sample-heldout"]:
        skip = frozenset((name, number) for name, number, _, _ in load_gold(GOLD))
        for n, s in enumerate(sample(HELDOUT_SEED, HELDOUT_FILES, skip)):
            print(f"{n}\t{s.file}\t{s.line}\t{s.index}\t{s.text}")
        return
    if sys.argv[1:] == ["sample"]:
        for n, s in enumerate(sample()):
            print(f"{n}\t{s.file}\t{s.line}\t{s.index}\t{s.text}")
        return
    verbose = "-v" in sys.argv  # -v: every miss; -q: print only, docs/entities.md untouched
    result = (
        "Held out (80 sentences, tagged after the rules were fixed):\n\n"
        + table(evaluate(verbose, HELDOUT))
        + "\n\nTuning set (200 sentences, the rules were tuned on them):\n\n"
        + table(evaluate(verbose, GOLD))
    )
    print(result)
    if DOC.exists() and not sys.argv[1:]:
        doc = DOC.read_text(encoding="utf-8")
        head, _, rest = doc.partition(BEGIN)
        _, _, tail = rest.partition(END)
        DOC.write_text(f"{head}{BEGIN}\n{result}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
