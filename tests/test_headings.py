"""小标题 found in plain-text bodies (indexer.headings), on hand-written text."""

from __future__ import annotations

import json

from indexer.article import Section
from indexer.headings import detect_sections, heading_flags

PARA = "江城今年新建的城市书房已经开放了十二家，市民凭借书证就可以在任何一家借还图书。"
PARA2 = "据市图书馆介绍，明年还将在地铁站和公园里再开一批，让读书成为城市生活的一部分。"


def test_headings_between_paragraphs_open_sections() -> None:
    body = "\n".join([PARA, "书房开进社区", PARA2, "夜读成为新风尚", PARA, PARA2])
    sections = detect_sections(body)
    assert [s.heading for s in sections] == ["", "书房开进社区", "夜读成为新风尚"]
    assert sections[0].paragraphs == [PARA]
    assert sections[2].paragraphs == [PARA, PARA2]


def test_a_lone_short_line_is_not_a_heading() -> None:
    # Papers set 小标题 in series; one short line alone is an emphasised sentence.
    assert heading_flags([PARA, "书房开进社区", PARA2]) == [False, False, False]


def test_sentences_credits_and_figures_are_never_headings() -> None:
    lines = [
        PARA,
        "书房开进社区。",  # closes like a sentence
        PARA2,
        "本报记者 陈晓东摄",  # photo credit
        PARA,
        "5593个",  # a figure set large on the page
        PARA2,
        "（本报江城4月7日电）",  # dateline
        PARA,
        "版式设计：刘丽华",
        PARA2,
    ]
    assert not any(heading_flags(lines))


def test_first_and_last_lines_stay_paragraphs_unless_a_rubric() -> None:
    lines = ["城市书房遍地开花", PARA, "书房开进社区", PARA2, "夜读成为新风尚", PARA]
    assert heading_flags(lines) == [False, False, True, False, True, False]
    lines[0] = "核心阅读"
    assert heading_flags(lines)[0] is True


def test_a_two_line_heading_keeps_a_quoted_lead_but_not_a_speakers_post() -> None:
    quoted = [PARA, "“书是城市的灯”", "书房开进社区", PARA2, "夜读成为新风尚", PARA]
    assert heading_flags(quoted)[1:3] == [True, True]
    speaker = [PARA, "江城市图书馆馆长刘丽华", "书房开进社区", PARA2, "夜读成为新风尚", PARA]
    assert heading_flags(speaker)[1:3] == [False, True]


def test_the_title_repeated_in_the_body_is_not_a_heading() -> None:
    lines = [PARA, "书房开进社区", PARA2, "夜读成为新风尚", PARA]
    assert heading_flags(lines, title="书房开进社区") == [False] * 5


def _plain_record(article_id: str) -> dict:
    body = "\n".join([PARA, "书房开进社区", PARA2, "夜读成为新风尚", PARA])
    return {
        "id": article_id,
        "paper": "江城晚报",
        "date": "2025-04-07",
        "title": "书香江城",
        "body": body,
    }


def test_import_stores_headings_found_in_plain_text(tmp_path) -> None:
    from indexer.ingest import import_jsonl
    from indexer.store import Store

    source = tmp_path / "export.jsonl"
    given = {
        "id": "given",
        "title": "有小标题",
        "sections": [{"heading": "", "paragraphs": [PARA]}],
    }
    lines = [_plain_record("plain"), given]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), "utf-8")
    store = Store(tmp_path / "data")
    import_jsonl(store, [source])
    article = store.get("plain")
    assert article.headings == ["书房开进社区", "夜读成为新风尚"]
    assert "书房开进社区" not in article.body.split("\n")
    assert article.paragraphs == [PARA, PARA2, PARA]
    assert store.get("given").headings == []  # sections given by the export are kept as they are


def test_reclean_finds_headings_in_articles_stored_before(tmp_path) -> None:
    from click.testing import CliRunner

    from indexer.article import Article
    from indexer.cli import main
    from indexer.store import Store

    store = Store(tmp_path / "data")
    stored = Article(**{k: v for k, v in _plain_record("old").items()})
    stored.sections = [Section("", stored.body.split("\n"))]  # as an import before this change
    store.put_articles([stored])
    assert store.get("old").headings == []
    result = CliRunner().invoke(main, ["--data", str(tmp_path / "data"), "reclean"])
    assert result.exit_code == 0, result.output
    assert "1 imported articles given 小标题" in result.output, result.output
    assert Store(tmp_path / "data").get("old").headings == ["书房开进社区", "夜读成为新风尚"]
