"""Declarative profiles of the e-paper article templates the cleaner knows by name.

A profile only says *where* each field sits (CSS selectors, tried in order, first non-empty
wins); how a field is read (folding titles, stripping ——, parsing 第07版 or 2023年02月11日,
finding a photo's caption) is the same code for every template, in indexer/clean.py.
A new template is a new Profile here, not a new branch of code. Pages that match no
profile go to the generic extractor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    # The profile applies when every one of these selectors matches something.
    detect: tuple[str, ...]
    title: tuple[str, ...]
    body: tuple[str, ...]  # the element(s) holding the paragraphs
    kicker: tuple[str, ...] = ()
    subtitle: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    # Elements whose text carries the date, 版次 or 版名 in any printed form
    # ("2023年02月11日", "02", "第01版：今日要闻", "《 人民日报 》（ 2019年10月01日 第 01 版）").
    date: tuple[str, ...] = ()
    page: tuple[str, ...] = ()
    page_name: tuple[str, ...] = ()
    # Images whose captions belong to the article (captions are read beside each image).
    images: tuple[str, ...] = ()


# 湖北日报's Founder "pc/content" system (epaper.hubeidaily.net): <font> ids for the titles,
# the hidden #nowLayout for 版次, the date in #author, the photos before <founder-content>.
# The article page does not print the 版名; the crawler takes it from the layout page.
HUBEI_FOUNDER = Profile(
    name="founder-pc",
    detect=("#main-title",),
    title=("#main-title",),
    kicker=("#intro-title",),
    subtitle=("#sub-title",),
    date=("#author",),
    page=("#nowLayout",),
    body=("founder-content",),
    images=("#content img", "#scroller img"),
)

# The classic Founder system (科技日报 html/YYYY-MM/DD/content_N.htm): a table with one row each
# for 引题, 标题, 副题. Older skins mark only the title cell (td.font01) and leave the rows
# before/after it as kicker/subtitle, newer ones name every cell.
FOUNDER_CLASSIC = Profile(
    name="founder-classic",
    detect=("founder-content", ":is(td.biaoti, td.font01, .biaoti)"),
    title=("td.biaoti", "td.font01", ".biaoti"),
    kicker=("td.yinti", "table:has(td.font01) tr:first-child > td.font02", ".yinti"),
    subtitle=("td.futi", "tr:has(> td.font01) + tr > td", ".futi"),
    author=("td.author", ".author", ".zuozhe"),
    date=(".date", "#date", ".riqi"),
    page=(".banci", ".bc", "#banci"),
    page_name=(".banci", ".bc", "#banci"),
    body=("founder-content",),
    images=("table.picture img", ".tuwen img", "#ozoom img", ".pic img"),
)

# 人民日报 (paper.people.com.cn): the old nw.D110000renmrb_*.htm pages (div.text_c, h4 byline,
# div.lai date line) and the current rmrb/pc/content/*.html pages (div.article, p.sec byline,
# span.date date line); both put paragraphs in div#ozoom.
RMRB = Profile(
    name="rmrb",
    detect=("#ozoom", "h1"),
    title=(".article h1", ".text_c h1", "h1"),
    kicker=(".article h3", ".text_c h3"),
    subtitle=(".article h2", ".text_c h2"),
    author=(".article p.sec", ".text_c h4", ".article h4"),
    date=(".sec .date", ".lai", ".sec", ".date"),
    page=(".sec .date", ".lai", ".sec"),
    page_name=(".paper-bot .ban", ".ban", ".l_t", ".banci"),
    body=("#ozoom",),
    images=(".attachment img", "table.pci_c img", ".c_c img", ".article img", ".text_c img"),
)

# Order matters: the most specific template first (a 湖北日报 page also has <founder-content>).
PROFILES: tuple[Profile, ...] = (HUBEI_FOUNDER, FOUNDER_CLASSIC, RMRB)

# Papers known by the host that serves them.
PAPER_BY_HOST: dict[str, str] = {
    "epaper.hubeidaily.net": "湖北日报",
    "paper.people.com.cn": "人民日报",
    "digitalpaper.stdaily.com": "科技日报",
}
