"""Site profiles as data (issue 10): a new site is added with a profile file alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.article import Article
from indexer.clean import CleanError, clean_page, explain_page
from indexer.cli import main
from indexer.profiles import PROFILES, ProfileError, load_profile, site_profiles
from indexer.store import Store

URL = "https://news.xq.example/epaper/2025-01-22/a_7301.html"
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>西桥新闻网</title></head>
<body><div class="q0"><a href="/">西桥新闻网</a></div>
<div class="q9">
<span class="a0">冬储菜上市</span><span class="a1">白菜萝卜摆满早市</span>
<span class="a2">价格比去年低一成</span>
<div class="a9"><em class="a3">见习记者 孟川</em> <i class="a4">2025.01.22</i>
<b class="a5">7</b> <b class="a6">民生</b></div>
<div class="a8"><img src="/p/7301.jpg"><p>清晨的早市上，摊主在码放大白菜。</p></div>
<div class="a7"><p>清晨六点，城西早市已经热闹起来，成捆的大白菜和萝卜从货车上卸下，堆满了摊位。</p>
<p>摊主老何说，今年秋菜收成好，白菜一斤卖八毛，比去年便宜了一成左右。</p>
<p>附近小区的居民拎着布袋挑菜，不少人一次买上几十斤，准备腌酸菜、储冬菜。</p></div>
</div></body></html>
"""
PROFILE = """
name = "xiqiao"
paper = "西桥晚报"
urls = ['^https://news\\.xq\\.example/epaper/\\d{4}-\\d{2}-\\d{2}/a_\\d+\\.html$']
detect = ["div.q9"]

[fields]
kicker = ["span.a0"]
title = ["//span[@class='a1']"]
subtitle = ["span.a2"]
author = ["em.a3"]
date = ["i.a4"]
page = ["//b[@class='a5']/text()"]
page_name = ["b.a6"]
body = ["div.a7"]
images = ["div.a8 img"]
"""
WANT = {
    "paper": "西桥晚报",
    "kicker": "冬储菜上市",
    "title": "白菜萝卜摆满早市",
    "subtitle": "价格比去年低一成",
    "author": "见习记者 孟川",
    "date": "2025-01-22",
    "page": "07",
    "page_name": "民生",
}


def _fields(article: Article) -> dict[str, str]:
    return {name: getattr(article, name) for name in WANT}


def test_without_a_profile_the_page_is_refused_rather_than_guessed() -> None:
    # Nothing marks a headline here: the spans run together, and no title is made up.
    with pytest.raises(CleanError, match="no title"):
        clean_page(PAGE.encode(), url=URL)


def test_a_new_site_is_added_with_a_profile_file_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "profiles").mkdir(parents=True)
    (data / "profiles" / "xiqiao.toml").write_text(PROFILE, "utf-8")
    page = tmp_path / "mirror" / "epaper" / "2025-01-22" / "a_7301.html"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE, "utf-8")
    result = CliRunner().invoke(
        main,
        ["--data", str(data), "ingest", str(tmp_path / "mirror"), "--base-url",
         "https://news.xq.example/"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store(data)
    (article,) = [a for path in store.article_files() for a in store.read_parts(path)]
    assert _fields(article) == WANT
    assert [c.text for c in article.captions] == ["清晨的早市上，摊主在码放大白菜。"]
    assert len(article.paragraphs) == 3 and article.url == URL


def test_explain_names_the_profile_rule_of_every_field(tmp_path: Path) -> None:
    profile = tmp_path / "xiqiao.toml"
    profile.write_text(PROFILE, "utf-8")
    cleaned = explain_page(PAGE.encode(), url=URL, profiles=site_profiles(None, (profile,)))
    assert cleaned.extractor == "profile xiqiao"
    assert cleaned.rules["title"] == "profile xiqiao: //span[@class='a1']"
    assert cleaned.rules["page"].startswith("profile xiqiao: //b[@class='a5']/text()")
    # Another address: the profile's URL pattern does not match, so it does not apply.
    with pytest.raises(CleanError, match="no title"):
        explain_page(PAGE.encode(), url="https://elsewhere.example/a.html",
                     profiles=site_profiles(None, (profile,)))  # fmt: skip


def test_the_built_in_profiles_are_package_data_in_the_same_format() -> None:
    assert [p.name for p in PROFILES] == ["founder-pc", "founder-classic", "rmrb"]
    assert all(p.source.endswith(".toml") for p in PROFILES)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 'x'\n[fields]\ntitle = ['h1']\n", "needs at least [fields] title and body"),
        (
            "[fields]\ntitle = ['h1']\nbody = ['div']\nheadline = ['h2']\n",
            "unknown field(s) headline",
        ),
        ("[fields\n", "cannot read the profile"),
        ("urls = ['(']\n[fields]\ntitle = ['h1']\nbody = ['div']\n", "bad URL pattern"),
        ("[fields]\ntitle = ['h1[']\nbody = ['div']\n", "bad selector"),
        ("[fields]\ntitle = ['//h1[']\nbody = ['div']\n", "bad selector"),
    ],
)
def test_a_bad_profile_is_refused_with_one_clear_line(tmp_path: Path, text: str, message: str):
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ProfileError, match=re.escape(message)):
        load_profile(path)
    page = tmp_path / "p.html"
    page.write_text(PAGE, "utf-8")
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "clean", str(page), "--profile",
                                       str(path)])  # fmt: skip
    assert result.exit_code != 0
    assert "bad.toml" in result.output and "Traceback" not in result.output
