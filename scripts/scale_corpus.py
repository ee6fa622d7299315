"""Archives of any size made from the real corpora of ../shared, for benchmarks (not a test).

Copy 0 is both corpora as they are (人民日报 then 新闻联播, 84,839 articles). Copy c (c = 1,
2, …) gives every article the id suffix "-c<c>", moves its date back by 10·c years (a 29
February without one becomes 28 February) and rotates its body paragraphs by c, so that the
vocabulary and the length of the texts stay real while no two copies are the same text.
Nothing is written to disk: `articles(n)` yields them one by one.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BAOKU_SHARED", REPO.parent / "shared"))
CORPORA = ("rmrb-2019-2020.jsonl.gz", "xwlb-2012-2026.jsonl.gz")


def base_records() -> list[dict]:
    records = []
    for name in CORPORA:
        with gzip.open(SHARED / "corpus" / name, "rt", encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh)
    return records


def shifted(day: str, years: int) -> str:
    if not day or len(day) < 10 or not years:
        return day
    year = int(day[:4]) - years
    month_day = day[5:10]
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if month_day == "02-29" and not leap:
        month_day = "02-28"
    return f"{year:04d}-{month_day}{day[10:]}"


def rotated(body: str, by: int) -> str:
    paragraphs = body.split("\n")
    if len(paragraphs) < 2 or not by:
        return body
    by %= len(paragraphs)
    return "\n".join(paragraphs[by:] + paragraphs[:by])


def copy_of(record: dict, copy: int) -> dict:
    if not copy:
        return record
    out = dict(record)
    out["id"] = f"{record['id']}-c{copy}"
    out["date"] = shifted(record.get("date") or "", 10 * copy)
    out["body"] = rotated(record.get("body") or "", copy)
    return out


def records(n: int, base: list[dict] | None = None, start: int = 0) -> Iterator[dict]:
    """Records start … n-1 of copies 0, 1, 2, … of both corpora."""
    base = base if base is not None else base_records()
    for i in range(start, n):
        copy, index = divmod(i, len(base))
        yield copy_of(base[index], copy)
