"""`import_jsonl`: the synthetic and the real 人民日报 corpus, export round trip, and bad lines."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from indexer.article import Article
from indexer.ingest import import_jsonl
from indexer.store import Store
from tests.conftest import both_corpora, corpus_lines, require_shared

RMRB = ("corpus", "rmrb-2019-2020.jsonl.gz")


def _sources_months() -> tuple[int, dict[str, int]]:
    """The record count and per-month counts that SOURCES.md states for the 人民日报 file."""
    text = require_shared("corpus", "SOURCES.md").read_text(encoding="utf-8")
    section = text.split("rmrb-2019-2020.jsonl.gz", 1)[1].split("\n## ", 1)[0]
    line = next(ln for ln in section.splitlines() if ln.startswith("- Records:"))
    total = int(re.search(r"Records:\s*([\d,]+)", line).group(1).replace(",", ""))
    months = {m: int(n.replace(",", "")) for m, n in re.findall(r"(\d{4}-\d{2}): ([\d,]+)", line)}
    return total, months


def _corpus_file(name: str, tmp_path_factory) -> Path:
    """The gzipped JSON lines of a corpus: ../shared's 人民日报 file, or the synthetic one
    written out now."""
    if name == "rmrb":
        return require_shared(*RMRB)
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in corpus_lines(name))
    return path


@pytest.fixture(scope="module")
def corpus_store(request, tmp_path_factory) -> tuple[Store, list[dict]]:
    """A store with a whole corpus imported (`request.param` names it) and the corpus's records."""
    name = request.param
    path = _corpus_file(name, tmp_path_factory)
    store = Store(tmp_path_factory.mktemp(name))
    report = import_jsonl(store, [path])
    assert report.errors == []
    records = [json.loads(line) for line in corpus_lines(name)]
    assert report.lines == len(records)
    assert report.stored.new == len(records)
    return store, records


@pytest.mark.parametrize("corpus_store", ["rmrb"], indirect=True)
def test_rmrb_counts_match_sources_md(corpus_store) -> None:
    store, records = corpus_store
    total, months = _sources_months()
    assert len(months) == 5
    assert len(records) == total
    assert len(store) == total
    stored_months = Counter(a.date[:7] for a in store.iter_articles())
    assert dict(stored_months) == months
    assert dict(Counter(r["date"][:7] for r in records)) == months
    # One file per paper and date, all under the paper's own (Chinese) name.
    days = {r["date"] for r in records}
    assert len(store.article_files()) == len(days)
    assert {p.parent.parent.name for p in store.article_files()} == {"人民日报"}


@both_corpora("corpus_store")
def test_corpus_fields_survive_import(corpus_store) -> None:
    store, records = corpus_store
    for record in records[::97]:
        article = store.get(record["id"])
        assert article is not None, record["id"]
        for name in ("paper", "date", "page", "kicker", "title", "subtitle", "body"):
            assert getattr(article, name) == (record[name] or ""), (record["id"], name)
        assert article.paragraphs == [p for p in (record["body"] or "").split("\n") if p.strip()]
        assert article.pages == [record["page"]]


@both_corpora("corpus_store")
def test_corpus_export_round_trip(corpus_store, tmp_path: Path) -> None:
    store, _ = corpus_store
    exported = tmp_path / "export.jsonl"
    with open(exported, "w", encoding="utf-8") as handle:
        for article in store.iter_articles():
            handle.write(article.to_json() + "\n")
    again = Store(tmp_path / "again")
    report = import_jsonl(again, [exported])
    assert report.errors == []
    assert len(again) == len(store)
    assert list(again.iter_articles()) == list(store.iter_articles())
    # Importing the same file twice changes nothing.
    report = import_jsonl(again, [exported])
    assert (report.stored.new, report.stored.updated) == (0, 0)
    assert report.stored.unchanged == len(store)


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_lines_are_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    good = {"id": "g1", "paper": "江城晚报", "date": "2024-03-05", "page": "01", "title": "好稿"}
    lines = [
        json.dumps(good, ensure_ascii=False),  # 1
        '{"id": "x", "title": "没写完',  # 2 invalid JSON
        "[1, 2, 3]",  # 3 not an object
        json.dumps({"id": "t", "title": ["一", "二"], "body": "正文"}),  # 4 title is a list
        json.dumps({"id": "s", "title": "节", "sections": "正文"}),  # 5 sections not a list
        json.dumps({"id": "d", "title": "日期", "date": "2024-13-45"}),  # 6 impossible date
        "{}",  # 7 nothing in it
        "",  # 8 blank: skipped, not an error
        json.dumps(  # 9 nulls and extra fields are fine
            {"id": "n", "title": "空值", "kicker": None, "author": None, "body": "甲\n乙", "x": 1},
            ensure_ascii=False,
        ),
        json.dumps({"title": "无编号", "date": "2024/3/6", "body": "正文"}, ensure_ascii=False),
    ]
    path = _write_lines(tmp_path / "cms.jsonl", lines)
    store = Store(tmp_path / "data")
    report = import_jsonl(store, [path])
    where = {p.where: p.reason for p in report.errors}
    assert set(where) == {f"{path}:{n}" for n in (2, 3, 4, 5, 6, 7)}
    assert "invalid JSON" in where[f"{path}:2"]
    assert "not a JSON object" in where[f"{path}:3"]
    assert "'title'" in where[f"{path}:4"]
    assert "'sections'" in where[f"{path}:5"]
    assert "'date'" in where[f"{path}:6"]
    assert "no title and no body" in where[f"{path}:7"]
    assert report.lines == 9
    assert report.articles == 3
    assert store.get("g1").title == "好稿"
    nulls = store.get("n")
    assert (nulls.kicker, nulls.author, nulls.paragraphs) == ("", "", ["甲", "乙"])
    (no_id,) = [a for a in store.iter_articles() if a.title == "无编号"]
    assert no_id.date == "2024-03-06"
    assert store.get("x") is None and store.get("t") is None


def test_truncated_gzip_keeps_what_came_before(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": f"z{i}", "title": f"第{i}篇", "body": "正文" * 50}, ensure_ascii=False)
        for i in range(400)
    ]
    data = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    store = Store(tmp_path / "data")
    report = import_jsonl(store, [path])
    assert len(report.errors) == 1
    assert report.errors[0].where.startswith(f"{path}:")
    assert "unreadable" in report.errors[0].reason
    assert 0 < len(store) < 400
    assert all(store.get(f"z{i}") is not None for i in range(len(store)))


def test_gzip_is_detected_by_content_and_bom_is_accepted(tmp_path: Path) -> None:
    line = json.dumps({"id": "b", "title": "字节序", "body": "正文"}, ensure_ascii=False)
    plain = tmp_path / "bom.jsonl"
    plain.write_bytes(b"\xef\xbb\xbf" + line.encode("utf-8") + b"\n")
    packed = tmp_path / "packed.json"  # gzip without the .gz name
    packed.write_bytes(gzip.compress(line.replace('"b"', '"c"').encode("utf-8")))
    store = Store(tmp_path / "data")
    report = import_jsonl(store, [plain, packed])
    assert report.errors == []
    assert {a.id for a in store.iter_articles()} == {"b", "c"}


def test_non_utf8_file_and_missing_file(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('{"id": "g", "title": "标题"}\n'.encode("gbk"))
    store = Store(tmp_path / "data")
    report = import_jsonl(store, [gbk, tmp_path / "nope.jsonl"])
    reasons = {p.where: p.reason for p in report.errors}
    assert reasons[str(tmp_path / "nope.jsonl")] == "no such file"
    assert "unreadable" in reasons[f"{gbk}:1"]
    assert len(store) == 0


def test_imported_article_equals_the_model(tmp_path: Path) -> None:
    article = Article(
        id="m1",
        paper="江城晚报",
        date="2024-03-05",
        page="02",
        title="模型",
        body="第一段\n第二段",
        pages=["02", "05"],
    )
    path = _write_lines(tmp_path / "one.jsonl", [article.to_json()])
    store = Store(tmp_path / "data")
    import_jsonl(store, [path])
    assert store.get("m1") == article
