"""Measure the cleaner on templates it has no profile for, and rewrite its section of
docs/cleaning.md (between the templates:begin/end markers; the rest of the file is kept).

Random articles (the demo paper's, with fields randomly left out: tests/sitegen_pages.py) are
rendered in each of the eight template families and cleaned back; each field the page shows
is scored right (extracted exactly), empty (not extracted) or wrong (anything else, including
a field the page does not show). Deterministic: the same seeds give the same table.

    .venv/bin/python scripts/eval_cleaning.py [--articles 200] [--out docs/cleaning.md]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ holds the renderer

from indexer.clean import CleanError, clean_page  # noqa: E402
from tests.sitegen_pages import (  # noqa: E402
    FAMILIES,
    SCORED,
    random_article,
    render_article_page,
    score,
)

OUT = Path(__file__).resolve().parent.parent / "docs" / "cleaning.md"
BEGIN, END = "<!-- templates:begin -->", "<!-- templates:end -->"
INTRO = """## Article pages of templates never seen before

Written by `scripts/eval_cleaning.py`; do not edit by hand. {articles} random articles (the demo
paper's text with 引题, 副题, byline, 版名, 小标题 and captions randomly left out, and 版次
sometimes lettered, A07) are rendered as article pages in each of eight template families
(`tests/sitegen_pages.py`), each page drawing its own info line (order, separator, which parts)
and 版名 form (第07版：经济, A07·经济, in the `<title>`, none). The built-in profiles match two of
them (`table-founder` → founder-classic, `rmrb-nbs` → rmrb); the others are read by the e-paper
heuristics and the generic extractor alone.

Per field the page shows: **right** extracted exactly, **empty** left empty, **wrong** anything
else (a field the page does not show but the cleaner filled counts as wrong too). Pages that
showed neither are not counted. `headings` are the 小标题, `paragraphs` the body, compared as
whole lists.

Read the numbers for what they are: the heuristics were written against these families, so
they show that every family's markup is read and that nothing wrong gets through, not how a
template nobody has seen will fare. For a new site, `baoku clean --explain` on a few of its
pages shows each field's rule and every field left empty; a profile file
(`DATA/profiles/*.toml`, see the README) fixes what the heuristics cannot tell.

"""


def evaluate(articles: int) -> tuple[dict[tuple[str, str], Counter], Counter, int]:
    per: dict[tuple[str, str], Counter] = defaultdict(Counter)
    refused: Counter = Counter()
    for seed in range(articles):
        article = random_article(seed)
        for family in FAMILIES:
            rendered = render_article_page(article, family, seed)
            try:
                got = clean_page(rendered.data, url=rendered.url)
            except CleanError:
                refused[family] += 1
                for name in SCORED:
                    per[(family, name)]["empty"] += 1
                continue
            for name, state in score(rendered.shown, got).items():
                per[(family, name)][state] += 1
    return per, refused, articles * len(FAMILIES)


def table(per: dict[tuple[str, str], Counter]) -> str:
    head = "| family | " + " | ".join(SCORED) + " | all |"
    rule = "|---|" + "---|" * (len(SCORED) + 1)
    rows = [head, rule]
    for family in (*FAMILIES, "all"):
        cells = []
        total: Counter = Counter()
        for name in SCORED:
            counts: Counter = Counter()
            for fam in FAMILIES if family == "all" else (family,):
                counts += per[(fam, name)]
            total += counts
            cells.append(_cell(counts))
        label = f"**{family}**" if family == "all" else family
        rows.append(f"| {label} | " + " | ".join(cells) + f" | {_cell(total)} |")
    return "\n".join(rows)


def _cell(counts: Counter) -> str:
    return f"{counts['right']} / {counts['empty']} / {counts['wrong']}"


def _replace_section(path: Path, section: str) -> str:
    """The file with our section replaced, or appended (other tools own the rest of it)."""
    old = path.read_text("utf-8") if path.exists() else "# Cleaning\n"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        return head + section + rest.split(END, 1)[1]
    return old.rstrip("\n") + "\n\n" + section + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    per, refused, pages = evaluate(args.articles)
    total: Counter = Counter()
    for counts in per.values():
        total += counts
    present = total["right"] + total["empty"] + total["wrong"]
    summary = (
        f"**{pages} pages, {present} fields shown: {total['right']} right "
        f"({100 * total['right'] / present:.2f}%), {total['empty']} empty, "
        f"{total['wrong']} wrong; {sum(refused.values())} pages refused.**\n\n"
        "Each cell: right / empty / wrong.\n\n"
    )
    section = f"{BEGIN}\n{INTRO.format(articles=args.articles)}{summary}{table(per)}\n{END}"
    args.out.write_text(_replace_section(args.out, section), "utf-8")
    print(summary.strip().splitlines()[0])
    return 0 if total["wrong"] == 0 and total["right"] >= 0.98 * present else 1


if __name__ == "__main__":
    sys.exit(main())
