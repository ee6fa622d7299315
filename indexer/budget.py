"""Limits on the work of one query: how many OR alternatives it may hold, and how long it may run.

The web site sets a budget around each search; the CLI sets none, so a newsroom's own
`baoku search` is never cut short. The budget lives in a context variable, so each server
thread has its own and indexer/search.py needs no extra argument:

    with budget.limits(QueryBudget(max_or_branches=32, time_ms=2000)):
        archive.search(q)          # raises QueryTooCostly (a ValueError) over a limit

indexer/search.py calls `begin(parsed)` once the query is parsed (the clock starts there, so
time spent waiting for the Archive's lock is not counted) and `checkpoint()` between the
expensive steps (one fragment's postings, one verification against the stored text).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from indexer.query import ParsedQuery


@dataclass(frozen=True)
class QueryBudget:
    """`max_or_branches`: alternatives over all OR groups (None: no cap); `time_ms`: the run
    time of one search (None: no limit)."""

    max_or_branches: int | None = None
    time_ms: float | None = None


class QueryTooCostly(ValueError):
    """The query is over its budget; the message (Chinese, for the reader) says which limit."""


_budget: ContextVar[QueryBudget | None] = ContextVar("baoku_query_budget", default=None)
_deadline: ContextVar[float | None] = ContextVar("baoku_query_deadline", default=None)


@contextmanager
def limits(budget: QueryBudget) -> Iterator[None]:
    """Searches run inside this block are held to `budget`."""
    token = _budget.set(budget)
    deadline_token = _deadline.set(None)
    try:
        yield
    finally:
        _deadline.reset(deadline_token)
        _budget.reset(token)


def or_branches(parsed: ParsedQuery) -> int:
    """Alternatives in the query's OR groups (a plain AND query has none)."""
    return sum(len(group) for group in parsed.groups if len(group) > 1)


def begin(parsed: ParsedQuery) -> None:
    """Check the parsed query against the budget and start its clock."""
    budget = _budget.get()
    if budget is None:
        return
    cap = budget.max_or_branches
    if cap is not None and (branches := or_branches(parsed)) > cap:
        raise QueryTooCostly(f"检索式含 {branches} 个 OR 分支，超过上限 {cap} 个，请拆成几次检索。")
    if budget.time_ms is not None:
        _deadline.set(time.perf_counter() + budget.time_ms / 1000)


def checkpoint() -> None:
    """Raise QueryTooCostly when the running search is past its time budget."""
    deadline = _deadline.get()
    if deadline is not None and time.perf_counter() > deadline:
        budget = _budget.get()
        limit = budget.time_ms if budget is not None else 0
        raise QueryTooCostly(
            f"检索用时超过上限 {limit:g} 毫秒，已停止。请用更具体的词，或加上日期范围。"
        )
