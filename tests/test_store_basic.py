"""The corpus store: raw bytes, atomic article files, idempotence, 转版 joining, get(id)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.article import Article, Caption, Section
from indexer.store import PutResult, Store, StoreError
from indexer.zhuanban import join_continuations, page_number


def _article(id_: str, **fields) -> Article:
    values = {"paper": "江城晚报", "date": "2024-03-05", "page": "01", "title": f"标题{id_}"}
    values.update(fields)
    return Article(id=id_, **values)


def _temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.tmp")]


# --- raw pages --------------------------------------------------------------------------------


def test_raw_bytes_round_trip_byte_for_byte(tmp_path: Path) -> None:
    store = Store(tmp_path)
    # GBK bytes, a NUL, a lone \r and an invalid UTF-8 sequence must all survive untouched.
    data = "<html><meta charset=gb2312>朱镕基 喆 堃</html>".encode("gbk") + b"\x00\r\xff\xfe"
    source = store.put_raw("http://epaper.example/a/content_1.htm", data, content_type="text/html")
    assert source.startswith("raw/")
    assert store.read_raw(source) == data
    assert (tmp_path / source).read_bytes() == data
    assert store.raw_source("http://epaper.example/a/content_1.htm") == source
    assert store.raw_source("http://epaper.example/other.htm") is None


def test_put_raw_is_idempotent_and_keeps_the_latest_copy(tmp_path: Path) -> None:
    store = Store(tmp_path)
    url = "http://epaper.example/b.htm"
    first = store.put_raw(url, b"one", fetched_at="2024-01-01T00:00:00+00:00")
    assert store.put_raw(url, b"one") == first
    pages = list(store.iter_raw())
    assert len(pages) == 1
    assert pages[0].fetched_at == "2024-01-01T00:00:00+00:00"
    second = store.put_raw(url, b"two", content_type="text/html; charset=gbk")
    assert second != first
    # A fresh Store instance (another process) reads the catalogue from disk.
    again = Store(tmp_path)
    assert again.raw_source(url) == second
    assert [p.content_type for p in again.iter_raw()] == ["text/html; charset=gbk"]
    # The first copy is still kept: raw pages are never deleted.
    assert again.read_raw(first) == b"one"


def test_torn_catalogue_line_is_skipped(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_raw("http://a.example/1", b"1")
    with open(tmp_path / "raw" / "catalogue.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"url": "http://a.example/2", "sour')  # a crash mid-append
    store = Store(tmp_path)
    assert [p.url for p in store.iter_raw()] == ["http://a.example/1"]
    store.put_raw("http://a.example/3", b"3")
    assert [p.url for p in Store(tmp_path).iter_raw()] == [
        "http://a.example/1",
        "http://a.example/3",
    ]


def test_read_raw_refuses_paths_outside_raw(tmp_path: Path) -> None:
    store = Store(tmp_path)
    (tmp_path / "secret.txt").write_text("x")
    with pytest.raises(StoreError, match="not a raw page"):
        store.read_raw("raw/../secret.txt")


# --- articles ---------------------------------------------------------------------------------


def test_layout_and_chinese_paper_names(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_articles(
        [
            _article("a"),
            _article("b", paper="人民日报/海外版", date="2019-10-01"),
            _article("c", date=""),
            _article("d", date="2019年10月1日"),
        ]
    )
    rel = sorted(p.relative_to(tmp_path).as_posix() for p in store.article_files())
    assert rel == [
        "articles/人民日报_海外版/2019/2019-10-01.jsonl",
        "articles/江城晚报/2024/2024-03-05.jsonl",
        "articles/江城晚报/undated.jsonl",
    ]
    assert len(store) == 4


def test_same_article_twice_is_one_article(tmp_path: Path) -> None:
    store = Store(tmp_path)
    article = _article("x1", body="第一段。\n第二段。")
    assert store.put_articles([article]) == PutResult(1, 0, 0, store.article_files())
    result = store.put_articles([_article("x1", body="第一段。\n第二段。")])
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)
    assert result.files == []
    # fetched_at does not make an article "changed"
    result = store.put_articles([_article("x1", body="第一段。\n第二段。", fetched_at="2025")])
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)
    result = store.put_articles([_article("x1", body="第一段。\n改过的第二段。")])
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    assert len(store) == 1
    lines = store.article_files()[0].read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["body"] == "第一段。\n改过的第二段。"


def test_article_moves_when_its_date_changes(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_articles([_article("m", date="")])
    store.put_articles([_article("m", date="2024-03-06")])
    assert [a.id for a in store.iter_articles()] == ["m"]
    assert store.get("m").date == "2024-03-06"
    assert [p.name for p in store.article_files()] == ["2024-03-06.jsonl"]


def test_get_uses_the_catalogue_and_rebuilds_it(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_articles([_article(f"id{i}", date=f"2024-03-0{1 + i % 5}") for i in range(20)])
    assert store.get("id7").title == "标题id7"
    assert store.get("nope") is None
    assert "id3" in store and "nope" not in store
    (tmp_path / ".store" / "ids.sqlite3").unlink()
    fresh = Store(tmp_path)
    assert fresh.get("id7").title == "标题id7"
    assert len(fresh) == 20


def test_catalogue_catches_up_with_a_hand_edited_file(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_articles([_article("h1")])
    path = store.article_files()[0]
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(_article("h2").to_json() + "\n")
    os.utime(path, ns=(1, 1))  # make sure the stat differs even on coarse clocks
    assert Store(tmp_path).get("h2").title == "标题h2"
    assert len(Store(tmp_path)) == 2


def test_crash_mid_write_leaves_the_old_file(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_articles([_article("ok1"), _article("ok2")])
    path = store.article_files()[0]
    before = path.read_bytes()
    bad = _article("bad", title=object())  # json.dumps fails after ok1 and ok2 are written
    with pytest.raises(TypeError):
        store.put_articles([bad])
    assert path.read_bytes() == before
    assert _temp_files(tmp_path) == []
    assert store.get("bad") is None
    assert len(Store(tmp_path)) == 2


def test_crash_before_rename_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    store = Store(tmp_path)
    store.put_articles([_article("r1")])
    path = store.article_files()[0]
    before = path.read_bytes()

    def power_cut(src, dst):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError, match="power cut"):
        store.put_articles([_article("r1", title="新标题")])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _temp_files(tmp_path) == []
    assert Store(tmp_path).get("r1").title == "标题r1"


def test_json_round_trip_of_every_field(tmp_path: Path) -> None:
    article = Article(
        id="full",
        paper="江城晚报",
        date="2024-03-05",
        page="02",
        page_name="要闻",
        kicker="引题",
        title="主题",
        subtitle="副题",
        author="本报记者 张三",
        sections=[Section("", ["导语。"]), Section("小标题", ["正文。", "GDP 增长 5G"])],
        captions=[Caption("图为现场。", "pic/1.jpg")],
        url="http://epaper.example/c.htm",
        source="raw/aa/x.html",
        fetched_at="2024-03-05T08:00:00+00:00",
    )
    store = Store(tmp_path)
    store.put_articles([article])
    assert store.get("full") == article
    assert store.read_article_file(store.article_files()[0]) == [article]


# --- 转版 -------------------------------------------------------------------------------------


def _head_and_tail() -> tuple[Article, Article]:
    head = _article(
        "head",
        page="01",
        kicker="城市更新",
        title="老街区焕新颜",
        sections=[Section("", ["第一段。", "第二段说到一半，（下转第3版）"])],
        captions=[Caption("街景", "a.jpg")],
    )
    tail = _article(
        "tail",
        page="03",
        title="老街区焕新颜",
        sections=[
            Section("", ["（上接第1版）接着说完第二段。"]),
            Section("居民说", ["第三段。"]),
        ],
        captions=[Caption("居民", "b.jpg")],
    )
    return head, tail


def test_zhuanban_pair_is_joined(tmp_path: Path) -> None:
    head, tail = _head_and_tail()
    store = Store(tmp_path)
    result = store.put_articles([tail, head])
    assert result.new == 2
    assert len(store) == 1
    (joined,) = list(store.iter_articles())
    assert joined.id == "head"
    assert joined.pages == ["01", "03"]
    assert joined.page == "01"
    assert joined.kicker == "城市更新"
    assert joined.paragraphs == ["第一段。", "第二段说到一半，", "接着说完第二段。", "第三段。"]
    assert joined.headings == ["居民说"]
    assert joined.body == "第一段。\n第二段说到一半，\n接着说完第二段。\n第三段。"
    assert "转第" not in joined.body and "上接" not in joined.body
    assert [c.src for c in joined.captions] == ["a.jpg", "b.jpg"]
    # The continuation's id leads to the whole article.
    assert store.get("tail") == joined
    assert store.get("head") == joined


def test_zhuanban_join_survives_reingesting_one_half(tmp_path: Path) -> None:
    head, tail = _head_and_tail()
    store = Store(tmp_path)
    store.put_articles([head])
    assert store.get("head").pages == ["01"]
    store.put_articles([tail])
    assert store.get("head").pages == ["01", "03"]
    result = store.put_articles([head, tail])
    assert result.unchanged == 2
    head.sections[0].paragraphs[0] = "改过的第一段。"
    store.put_articles([head])
    joined = store.get("head")
    assert joined.paragraphs[0] == "改过的第一段。"
    assert joined.paragraphs[-1] == "第三段。"
    assert len(store) == 1


def test_zhuanban_needs_matching_title_and_pages() -> None:
    head, tail = _head_and_tail()
    other = _article("other", page="03", title="别的稿件", body="（上接第1版）不相干。")
    joined, folded = join_continuations([head, other])
    assert [a.id for a in joined] == ["head", "other"]
    assert folded == {}
    wrong_page = _article("w", page="04", title="老街区焕新颜", body="（上接第1版）续。")
    assert len(join_continuations([head, wrong_page])[0]) == 2
    # A kicker on the continuation that repeats the head's title also matches.
    by_kicker = _article(
        "k", page="03", kicker="老街区焕新颜", title="续", body="上接第一版 续完。"
    )
    joined, folded = join_continuations([head, by_kicker])
    assert folded == {"k": "head"}
    assert joined[0].paragraphs[-1] == "续完。"


def test_zhuanban_chain_of_three() -> None:
    first = _article("p1", page="01", title="长文", body="甲。（转第2版）")
    second = _article("p2", page="02", title="长文", body="（上接第1版）乙。\n丙。（下转第五版）")
    third = _article("p5", page="05", title="长文", body="（上接第2版）丁。")
    joined, folded = join_continuations([third, second, first])
    assert len(joined) == 1
    assert joined[0].id == "p1"
    assert joined[0].pages == ["01", "02", "05"]
    assert joined[0].body == "甲。\n乙。\n丙。\n丁。"
    assert folded == {"p2": "p1", "p5": "p1"}


@pytest.mark.parametrize(
    ("text", "number"),
    [("07", 7), ("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("０３", 3), ("版", None)],
)
def test_page_number(text: str, number: int | None) -> None:
    assert page_number(text) == number


# --- concurrency ------------------------------------------------------------------------------


def _writer(data_dir: str, worker: int) -> None:
    store = Store(data_dir)
    for batch in range(5):
        store.put_articles(
            [_article(f"w{worker}-{batch}-{i}", body=f"正文{worker}{batch}{i}") for i in range(20)]
        )


def test_two_processes_writing_the_same_file(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(tmp_path), n)) for n in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    store = Store(tmp_path)
    assert len(store.article_files()) == 1
    assert len(store.read_parts(store.article_files()[0])) == 200
    assert len(store) == 200


_KILLED_WRITER = """
import sys
from indexer.article import Article
from indexer.store import Store

store = Store(sys.argv[1])
round_ = 0
while True:
    round_ += 1
    store.put_articles(
        Article(id=f"k{i}", paper="江城晚报", date="2024-03-05", page="01", title=f"稿{i}",
                body=f"第{round_}轮" * 400)
        for i in range(300)
    )
    print(round_, flush=True)
"""


def test_killed_writer_never_leaves_half_a_file(tmp_path: Path) -> None:
    """SIGKILL a process that keeps rewriting one big file: the file is always whole."""
    for _attempt in range(3):
        writer = subprocess.Popen(
            [sys.executable, "-c", _KILLED_WRITER, str(tmp_path)],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert writer.stdout.readline()  # one whole round is on disk, the next one is under way
        writer.kill()
        writer.wait(30)
        store = Store(tmp_path)
        (path,) = store.article_files()
        parts = store.read_parts(path)
        assert [a.id for a in parts] == [f"k{i}" for i in range(300)]
        assert len({a.body for a in parts}) == 1  # one round, not a mix of two
    store.put_articles([_article("after")])
    assert _temp_files(tmp_path) == []
    assert len(Store(tmp_path)) == 301
