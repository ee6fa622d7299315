"""Measure 小标题 detection in plain-text bodies against the hand-labelled sample.

Two samples of 人民日报 articles from ../shared/corpus, drawn at random, list every body line of
at most 40 characters with a label: H for a 小标题, - for anything else. scripts/headings/tune.tsv
(200 articles) is the set the rules were tuned on; scripts/headings/heldout.tsv (150 other
articles) was labelled after the rules were fixed and is the honest figure. Only ids and line
numbers are kept; the text is read from ../shared at run time. The precision and recall are
written into docs/cleaning.md between the `headings` markers.

    .venv/bin/python scripts/eval_headings.py
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.headings import heading_flags  # noqa: E402

SAMPLES = {
    "held out (150 articles, never tuned on)": REPO / "scripts" / "headings" / "heldout.tsv",
    "tuning set (200 articles)": REPO / "scripts" / "headings" / "tune.tsv",
}
CORPUS = REPO.parent / "shared" / "corpus" / "rmrb-2019-2020.jsonl.gz"
DOC = REPO / "docs" / "cleaning.md"
BEGIN, END = "<!-- headings:begin -->", "<!-- headings:end -->"


@dataclass
class Score:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    lines: int = 0
    articles: int = 0

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 1.0


def read_labels(path: Path) -> dict[str, dict[int, bool]]:
    labels: dict[str, dict[int, bool]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        article_id, number, label = line.split("\t")
        lines = labels.setdefault(article_id, {})
        if number != "*":
            lines[int(number)] = label == "H"
    return labels


def predicted(body: str, title: str) -> dict[int, bool]:
    """Detector output keyed by the raw line number of body.split("\\n")."""
    raw = body.split("\n")
    kept = [i for i, line in enumerate(raw) if line.strip()]
    flags = heading_flags([raw[i].strip() for i in kept], title)
    return dict(zip(kept, flags, strict=True))


def evaluate(labels: dict[str, dict[int, bool]]) -> Score:
    score = Score()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            gold = labels.get(record["id"])
            if gold is None:
                continue
            score.articles += 1
            guess = predicted(record.get("body") or "", record.get("title") or "")
            for number, is_heading in guess.items():
                truth = gold.get(number, False)  # lines over 40 characters are never headings
                score.lines += 1
                score.true_pos += is_heading and truth
                score.false_pos += is_heading and not truth
                score.false_neg += truth and not is_heading
    return score


def render(scores: dict[str, Score]) -> str:
    rows = [
        f"| {name} | {s.lines} | {s.true_pos + s.false_neg} | {s.true_pos} | {s.false_pos} "
        f"| {s.false_neg} | {s.precision:.3f} | {s.recall:.3f} |"
        for name, s in scores.items()
    ]
    header = [
        "| sample | lines | headings labelled | found right | found wrong | missed "
        "| precision | recall |",
        "|---|---|---|---|---|---|---|---|",
    ]
    return "\n".join([BEGIN, *header, *rows, END])


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"eval_headings: {CORPUS} is missing (../shared beside the checkout)")
    scores = {name: evaluate(read_labels(path)) for name, path in SAMPLES.items()}
    table = render(scores)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Cleaning\n"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: table, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + table + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
