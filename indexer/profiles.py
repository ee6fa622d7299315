"""Site profiles: where each field of an article page sits, as data (TOML), not code.

A profile only says *where* a field is printed: CSS selectors, or XPath expressions (any
selector that starts with "/" or "(" is XPath), tried in order, the first non-empty one
winning. How a field is read (folding titles, stripping ——, parsing 第07版 or 2023年02月11日,
finding a photo's caption) is the same code for every site, in indexer/clean/.

A newsroom adds its site with one file, DATA/profiles/NAME.toml or `--profile FILE`:

    name = "jiangcheng"            # shown by `baoku clean --explain`
    paper = "江城晚报"              # optional: the paper of every page the profile reads
    urls = ['/epaper/\\d{4}-\\d{2}/\\d{2}/a_\\d+\\.html$']   # optional: regexes on the URL
    detect = ["div.xq-zw"]         # optional: CSS/XPath that must all match the page

    [fields]
    title = ["div.xq-bt"]
    kicker = ["div.xq-yt"]
    subtitle = ["div.xq-ft"]
    author = ["span.xq-zz"]
    date = ["span.xq-rq"]          # any element whose text holds the date in a printed form
    page = ["span.xq-bc"]          # 版次: "07", "第07版", "版次：A07"
    page_name = ["span.xq-bm"]     # 版名: "第07版：经济", "A07·要闻", "版名：经济"
    body = ["div.xq-zw"]           # the element(s) holding the paragraphs
    images = ["div.xq-tp img"]     # photos whose captions belong to the article

A profile applies to a page when its URL matches one of `urls` (when both are known) and
every `detect` selector matches. Profiles given by the user are tried before the built-in
ones (indexer/data/profiles/), most specific first; pages no profile fits go to the
e-paper heuristics and the generic extractor.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import soupsieve
from lxml import etree

__all__ = ["PAPER_BY_HOST", "PROFILES", "Profile", "ProfileError", "load_profile", "site_profiles"]

FIELDS = (
    "title",
    "kicker",
    "subtitle",
    "author",
    "date",
    "page",
    "page_name",
    "body",
    "images",
)


class ProfileError(ValueError):
    """A profile file that cannot be read; the message names the file and the problem."""


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
    urls: tuple[str, ...] = ()  # regexes; the profile applies only to URLs matching one
    paper: str = ""  # the paper of every page the profile reads
    source: str = ""  # the file the profile was read from

    def matches_url(self, url: str) -> bool:
        """True unless the profile names URL patterns and a known URL matches none of them."""
        return not (self.urls and url) or any(re.search(p, url) for p in self.urls)


def is_xpath(selector: str) -> bool:
    return selector.startswith(("/", "("))


def load_profile(path: Path) -> Profile:
    """One profile file; ProfileError says what is wrong with it."""
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the profile: {exc}") from exc
    return _profile(data, str(path))


def _strings(data: dict, key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(f"{where}: {key} must be a selector or a list of selectors")
    return tuple(value)


def _check_selector(selector: str, where: str) -> None:
    try:
        if is_xpath(selector):
            etree.XPath(selector)
        else:
            soupsieve.compile(selector)
    except (etree.XPathError, soupsieve.SelectorSyntaxError) as exc:
        raise ProfileError(f"{where}: bad selector {selector!r}: {exc}") from exc


def _profile(data: dict, where: str) -> Profile:
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        raise ProfileError(f"{where}: [fields] must be a table")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ProfileError(f"{where}: unknown field(s) {', '.join(unknown)}")
    values = {name: _strings(fields, name, where) for name in FIELDS}
    for selector in [s for name in FIELDS for s in values[name]] + list(data.get("detect", [])):
        _check_selector(selector, where)
    if not values["title"] or not values["body"]:
        raise ProfileError(f"{where}: a profile needs at least [fields] title and body")
    urls = _strings(data, "urls", where)
    for pattern in urls:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProfileError(f"{where}: bad URL pattern {pattern!r}: {exc}") from exc
    name = data.get("name") or Path(where).stem
    return Profile(
        name=str(name),
        detect=_strings(data, "detect", where),
        urls=urls,
        paper=str(data.get("paper", "")),
        source=where,
        **values,
    )


def _builtin() -> tuple[Profile, ...]:
    folder = resources.files("indexer") / "data" / "profiles"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text("utf-8"))
            found.append((int(data.get("order", 100)), entry.name, _profile(data, entry.name)))
    return tuple(profile for _, _, profile in sorted(found))


# Order matters: the most specific template first (a 湖北日报 page also has <founder-content>).
PROFILES: tuple[Profile, ...] = _builtin()

# Papers known by the host that serves them.
PAPER_BY_HOST: dict[str, str] = {
    "epaper.hubeidaily.net": "湖北日报",
    "paper.people.com.cn": "人民日报",
    "digitalpaper.stdaily.com": "科技日报",
}


def site_profiles(
    data_dir: Path | None = None, files: tuple[Path, ...] = ()
) -> tuple[Profile, ...]:
    """The profiles to clean with: `files`, then DATA/profiles/*.toml, then the built-in ones."""
    paths = list(files)
    if data_dir is not None and (Path(data_dir) / "profiles").is_dir():
        paths += sorted((Path(data_dir) / "profiles").glob("*.toml"))
    return tuple(load_profile(p) for p in paths) + PROFILES
