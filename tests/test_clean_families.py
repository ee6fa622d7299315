"""Templates the cleaner was not written against (issue 10): eight families of article pages
from tests/sitegen_pages.py, random articles in them, every field right or empty, never wrong."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.article import Article, Caption, Section
from indexer.clean import clean_page, explain_page
from indexer.cli import main
from indexer.store import Store
from tests.sitegen_pages import FAMILIES, SCORED, random_article, render_article_page, score

CHROME = ("上一篇", "下一篇", "返回目录", "版权所有", "版權所有", "Copyright", "技术支持", "首页")


def _fields(article: Article) -> list[str]:
    texts = [article.kicker, article.title, article.subtitle, article.author, article.page_name]
    return texts + article.headings + article.paragraphs + [c.text for c in article.captions]


@settings(max_examples=100, derandomize=True, deadline=None)
@given(seed=st.integers(0, 10**6), family=st.sampled_from(FAMILIES), variant=st.integers(0, 99))
def test_every_field_is_the_pages_or_empty(seed: int, family: str, variant: int) -> None:
    rendered = render_article_page(random_article(seed), family, variant)
    cleaned = explain_page(rendered.data, url=rendered.url)
    got = cleaned.article
    wrong = {k: v for k, v in score(rendered.shown, got).items() if v == "wrong"}
    assert not wrong, (wrong, cleaned.rules)
    for text in _fields(got):
        for chrome in CHROME:
            assert chrome not in text, (chrome, text)
    # No field holds another field's text: a 副题 is never the title, the info line or a byline.
    shown = rendered.shown
    for name in ("kicker", "subtitle", "author"):
        others = {shown.title, shown.kicker, shown.subtitle, shown.author} - {getattr(shown, name)}
        assert getattr(got, name) not in others - {""}, name


def test_at_least_98_percent_of_present_fields_and_nothing_wrong() -> None:
    counts: Counter[str] = Counter()
    for seed in range(12):
        article = random_article(seed)
        for family in FAMILIES:
            rendered = render_article_page(article, family, seed)
            counts.update(
                score(rendered.shown, clean_page(rendered.data, url=rendered.url)).values()
            )
    present = counts["right"] + counts["empty"] + counts["wrong"]
    assert counts["wrong"] == 0
    assert counts["right"] >= 0.98 * present, counts
    # The random articles really do leave fields out and put them in.
    assert counts["absent"] > 0.1 * present


def test_every_field_is_present_on_some_pages_and_absent_on_others() -> None:
    seen: dict[str, set[str]] = {name: set() for name in SCORED}
    for seed in range(40):
        article = random_article(seed)
        for family in FAMILIES:
            shown = render_article_page(article, family, seed).shown
            for name, state in score(shown, shown).items():
                seen[name].add(state)
    for name in ("kicker", "subtitle", "author", "page", "page_name", "headings", "captions"):
        assert seen[name] == {"right", "absent"}, name


# --- the issue's case: a table-based Founder page, GBK declared gb2312, no 副题 -------------


def _issue_article(subtitle: str = "") -> Article:
    return Article(
        id="issue10",
        paper="江城晚报",
        date="2025-01-22",
        page="07",
        page_name="经济",
        kicker="",
        title="老街巷换上新路灯",
        subtitle=subtitle,
        author="",
        sections=[
            Section("", ["东城区今年为十二条背街小巷换装了节能路灯，夜里走路的居民多了起来。"]),
            Section("", ["街道办说，新路灯按需调光，一年可省电费四万多元。"]),
        ],
        captions=[Caption("工人在南门巷安装新路灯。")],
    )


def _issue_page(variant: int, subtitle: str = "") -> bytes:
    for v in range(variant, variant + 200):
        rendered = render_article_page(_issue_article(subtitle), "table-founder", v)
        text = rendered.data.decode("gbk")
        if "版次:07" in text and "字数" in text and "第07版：经济" in text:
            return rendered.data
    raise AssertionError("no variant prints the info line and 第07版：经济")


def test_the_info_line_under_the_title_is_never_the_subtitle() -> None:
    data = _issue_page(0)
    data.decode("gbk")  # GBK bytes, declared gb2312
    assert b"charset=gb2312" in data
    cleaned = explain_page(data, url="http://epaper.example.org/html/2025-01/22/content_9.htm")
    article = cleaned.article
    assert article.subtitle == ""
    assert "info line" in cleaned.rejected["subtitle"]
    assert (article.title, article.page, article.page_name) == ("老街巷换上新路灯", "07", "经济")
    assert article.date == "2025-01-22"
    with_subtitle = clean_page(_issue_page(0, subtitle="节能灯一年省电四万元"))
    assert with_subtitle.subtitle == "节能灯一年省电四万元"
    assert with_subtitle.page == "07"


def test_contradictory_page_numbers_leave_the_field_empty_and_say_why() -> None:
    data = _issue_page(0).decode("gbk").replace("第07版：经济", "第08版：经济").encode("gbk")
    cleaned = explain_page(data)
    assert cleaned.article.page == ""
    assert "contradictory" in cleaned.rejected["page"]
    assert "07" in cleaned.rejected["page"] and "08" in cleaned.rejected["page"]


def test_ingest_stores_the_page_number_the_page_shows(tmp_path: Path) -> None:
    stored = {}
    for family in FAMILIES:
        for variant in range(30):
            rendered = render_article_page(_issue_article(), family, variant)
            if rendered.shown.page:
                break
        page = tmp_path / family / "content_9.htm"
        page.parent.mkdir()
        page.write_bytes(rendered.data)
        data = tmp_path / f"data-{family}"
        result = CliRunner().invoke(main, ["--data", str(data), "ingest", str(page)])
        assert result.exit_code == 0, result.output
        (article,) = [
            a for path in Store(data).article_files() for a in Store(data).read_parts(path)
        ]
        stored[family] = article.page
    assert stored == {family: "07" for family in FAMILIES}


# --- baoku clean ----------------------------------------------------------------------------


def test_baoku_clean_prints_without_storing_and_explains(tmp_path: Path) -> None:
    page = tmp_path / "content_9.htm"
    page.write_bytes(_issue_page(0))
    data = tmp_path / "data"
    runner = CliRunner()
    result = runner.invoke(main, ["--data", str(data), "clean", str(page), "--explain"])
    assert result.exit_code == 0, result.output
    assert "老街巷换上新路灯" in result.output
    assert "profile founder-classic: td.font01" in result.output
    assert "left empty: the info line, not a 副题" in result.output
    result = runner.invoke(main, ["--data", str(data), "clean", str(page), "--json", "--explain"])
    record = json.loads(result.output)
    assert record["page"] == "07" and record["subtitle"] == ""
    assert record["explain"]["rules"]["title"] == "profile founder-classic: td.font01"
    assert not data.exists() or not any(data.rglob("*.jsonl"))  # nothing stored


def test_baoku_clean_reports_a_bad_file_and_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.htm"
    good.write_bytes(_issue_page(0))
    empty = tmp_path / "empty.htm"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "clean", str(empty), str(good)])
    assert result.exit_code == 0
    assert "empty.htm: empty file: 0 bytes" in result.output
    assert "老街巷换上新路灯" in result.output
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "clean", str(empty)])
    assert result.exit_code != 0


def test_the_families_are_what_they_say() -> None:
    article = random_article(5)
    pages = {f: render_article_page(article, f, 5) for f in FAMILIES}
    assert len(FAMILIES) >= 8 and len({p.data for p in pages.values()}) == len(FAMILIES)
    big5 = pages["big5"].data
    # Big5 bytes; a name character Big5 lacks (喆) is a numeric reference, as on real pages.
    assert "江城晚報" in big5.decode("big5") and "&#169;" not in big5.decode("big5")
    assert pages["big5"].shown.title != article.title  # printed in traditional characters
    bare = pages["bare"].data.decode("utf-8")
    assert " class=" not in bare and " id=" not in bare
    assert (
        "<article>" in pages["html5"].data.decode() and "viewport" in pages["mobile"].data.decode()
    )
    pages["table-founder"].data.decode("gbk")
    try:
        render_article_page(article, "nope")
    except ValueError as exc:
        assert "unknown family" in str(exc)
    else:
        raise AssertionError("an unknown family was rendered")
