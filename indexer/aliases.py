"""Newsroom aliases: names that stand for one another in a query (央行 = 中国人民银行).

Two files, one group of names per line, names separated by white space, `#` starts a comment:

    indexer/data/aliases.txt   the default list shipped with Baoku
    DATA/aliases.txt           the archive's own list (optional), read after the default

How they combine: every line adds its names to the groups; groups that share a name become
one group (so `央行 人行` in DATA's file joins the default group of 央行). A line of names each
with a leading minus (`-人行 -人民银行`) takes those names out of every group read so far; a
group left with one name is dropped. Names are normalised like queries (simplified,
half-width, case-folded), so `COVID-19` also matches `covid-19`.

A bad line (a single name, or names and `-names` mixed) is skipped, with a warning in the
log and in `AliasList.problems` ("aliases.txt:3: …"); a file that is not UTF-8 is skipped
whole, the same way. Nothing in the file ever makes a search fail.

In a query, a fragment whose text equals a name becomes an OR of the group's names, in the
same field and with the same quoting (`标题:央行` → 标题:央行 | 标题:中国人民银行); an excluded
name excludes the whole group. The added clauses carry `alias_of`, so that the page can
show the expansion and the name typed can rank a little higher (`TYPED_BONUS`). An alias
that holds another alias of its group (中国人民银行 holds 人民银行) is not added: the shorter
one finds it already, and both would count each of its mentions twice.

The archive's file is re-read when its mtime, size or inode change (one stat per search):
an edit takes effect on the next search, with no reindex.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from indexer.analysis import RUN, normalize
from indexer.query import Clause, ParsedQuery

DEFAULT_PATH = Path(__file__).parent / "data" / "aliases.txt"
FILE_NAME = "aliases.txt"
# The typed name's documents score this fraction higher than those of its aliases alone.
TYPED_BONUS = 0.05

log = logging.getLogger(__name__)


@dataclass
class AliasTable:
    """name → its group (every name of the group, in file order, itself included)."""

    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def group_of(self, name: str) -> tuple[str, ...]:
        return self.groups.get(name, ())


def _read_lines(path: Path, problems: list[str]) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot be read ({exc}); its aliases are not used")
        return []
    return [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(text.splitlines(), 1)]


def _apply_line(groups: list[set[str]], names: list[str], where: str, problems: list[str]) -> None:
    removals = [n for n in names if n.startswith("-")]
    if removals and len(removals) != len(names):
        problems.append(f"{where}: names and -names mixed on one line; line skipped")
        return
    if removals:
        drop = {n[1:] for n in removals}
        for group in groups:
            group -= drop
        groups[:] = [g for g in groups if len(g) > 1]
        return
    names = list(dict.fromkeys(names))
    if len(names) < 2:
        problems.append(f"{where}: a group needs at least two names; line skipped")
        return
    merged = set(names)
    kept = []
    for group in groups:
        if group & merged:
            merged |= group
        else:
            kept.append(group)
    groups[:] = [*kept, merged]


def parse_files(paths: list[Path]) -> AliasTable:
    """The combined table of `paths`, in order (missing files count as empty)."""
    problems: list[str] = []
    groups: list[set[str]] = []
    order: dict[str, int] = {}  # first appearance of a name: groups list names in file order
    for path in paths:
        for number, line in _read_lines(path, problems):
            if not line:
                continue
            names = [normalize(n) for n in line.split()]
            names = [n for n in names if RUN.search(n)]
            for n in names:
                order.setdefault(n.lstrip("-"), len(order))
            _apply_line(groups, names, f"{path.name}:{number}", problems)
    table = AliasTable(problems=problems)
    for group in groups:
        ordered = tuple(sorted(group, key=lambda n: order.get(n, 0)))
        for name in ordered:
            table.groups[name] = ordered
    for problem in problems:
        log.warning("aliases: %s", problem)
    return table


class AliasList:
    """The default list plus `data_dir`/aliases.txt, re-read when that file changes."""

    def __init__(self, data_dir: Path | str | None, default: Path = DEFAULT_PATH) -> None:
        self.path = Path(data_dir) / FILE_NAME if data_dir is not None else None
        self.default = default
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._table: AliasTable | None = None

    def _file_stamp(self) -> tuple[int, int, int]:
        if self.path is None:
            return (0, 0, 0)
        try:
            st = os.stat(self.path)
        except OSError:
            return (0, 0, 0)
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def table(self) -> AliasTable:
        """The current table (re-read if the archive's file changed since the last call)."""
        stamp = self._file_stamp()
        with self._lock:
            if self._table is None or stamp != self._stamp:
                paths = [self.default] + ([self.path] if self.path is not None else [])
                self._table, self._stamp = parse_files(paths), stamp
            return self._table

    @property
    def problems(self) -> list[str]:
        return self.table().problems


def _expand_group(group: list[Clause], table: AliasTable) -> list[Clause]:
    out: list[Clause] = []
    seen = {(c.text, c.field, c.quoted) for c in group}
    for clause in group:
        out.append(clause)
        if clause.alias_of is not None:
            continue
        names = table.group_of(clause.text)
        for name in names:
            key = (name, clause.field, clause.quoted)
            # 中国人民银行 holds 人民银行: a document with it is found by the shorter name
            # already, and searching both would count its every mention twice.
            inside = any(o != name and o in name for o in names)
            if key not in seen and not inside:
                seen.add(key)
                out.append(replace(clause, text=name, alias_of=clause.text))
    return out


def expand(parsed: ParsedQuery, table: AliasTable) -> ParsedQuery:
    """`parsed` with every fragment that is a name ORed with its aliases (in place; returned)."""
    if not table.groups:
        return parsed
    parsed.groups = [_expand_group(group, table) for group in parsed.groups]
    parsed.excluded = _expand_group(parsed.excluded, table)
    return parsed


def expansions(parsed: ParsedQuery) -> dict[str, list[str]]:
    """Typed name → the aliases added for it (for ParsedInfo and the 检索理解为 line)."""
    out: dict[str, list[str]] = {}
    for clause in [*parsed.positive, *parsed.excluded]:
        if clause.alias_of is not None:
            names = out.setdefault(clause.alias_of, [])
            if clause.text not in names:
                names.append(clause.text)
    return out


def typed_clauses(parsed: ParsedQuery) -> list[Clause]:
    """The clauses typed in groups that aliases were added to (their docs get TYPED_BONUS)."""
    return [
        c
        for group in parsed.groups
        if any(a.alias_of is not None for a in group)
        for c in group
        if c.alias_of is None
    ]
