"""Warming a worker before its first reader: open the index and run what every query needs.

A fresh worker's first search paid for opening the index (numpy columns, the texts mmap, the
gram segments), rjieba's dictionary, the templates' compilation and the home page's example
queries: 121 ms where the same search warm took 24 ms (issue 16). `start_warming` does that
work in a background thread as the worker starts (the app factory calls it, and
`post_worker_init` in webui/gunicorn_conf.py for gunicorn --preload); /healthz answers 503
until it is done, so a load balancer sends readers only to warm workers.

The warm-up goes through the app itself (a test client request for the home page and for a
search with snippets), so whatever a real first request would load is loaded.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from dataclasses import dataclass, field

from flask import Flask

WARM_KEY = "baoku.warm"


@dataclass
class WarmState:
    """Whether this process's warm-up is done; `seconds` it took, `error` if it failed (the
    worker then serves cold rather than not at all)."""

    pid: int = field(default_factory=os.getpid)
    done: threading.Event = field(default_factory=threading.Event)
    seconds: float | None = None
    error: str | None = None


def start_warming(app: Flask) -> WarmState:
    """Warm `app` in a background thread, once per process (a forked worker warms again)."""
    state = app.extensions.get(WARM_KEY)
    if isinstance(state, WarmState) and state.pid == os.getpid():
        return state
    state = WarmState()
    app.extensions[WARM_KEY] = state
    threading.Thread(target=_warm, args=(app, state), name="baoku-warm", daemon=True).start()
    return state


def warming(app: Flask) -> bool:
    """True while this process's warm-up runs (False when none was started)."""
    state = app.extensions.get(WARM_KEY)
    return isinstance(state, WarmState) and not state.done.is_set()


def _warm(app: Flask, state: WarmState) -> None:
    started = time.perf_counter()
    try:
        warm(app)
    except Exception as exc:  # noqa: BLE001 - a failed warm-up must not stop the worker
        state.error = f"{type(exc).__name__}: {exc}"
    finally:
        state.seconds = time.perf_counter() - started
        state.done.set()


def warm(app: Flask) -> None:
    """Open the index and run the requests every reader's first query needs."""
    from webui.db import get_archive

    with app.app_context():
        archive = get_archive()
        if not archive.is_ready():
            return  # nothing to warm: the pages say what to run
        archive.health()
        query = warm_query(archive)
    client = app.test_client()
    client.get("/")
    if query:
        client.get("/search", query_string={"q": query})
        client.get("/api/search", query_string={"q": query})
    # What the warm-up made is there to stay: out of the collector's way, so the first
    # reader does not pay for a full collection of it.
    gc.collect()
    gc.freeze()


def warm_query(archive) -> str:
    """A query that finds something here (an example query of the home page, or "")."""
    examples = archive.example_queries(limit=1)
    return examples[0] if examples else ""
