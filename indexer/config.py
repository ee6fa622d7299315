"""Where the archive lives, and where the demo's pages are: settings shared by the CLI and the
web app (neither imports the other for them)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DEFAULT_DATA = "corpus"
DATA_ENV = "BAOKU_DATA"

DEMO_PAPER = "江城晚报"
DEMO_BASE_URL = "https://epaper.jcwb.example/"


def resolve_data_dir(data: str | os.PathLike[str] | None) -> Path:
    """--data wins, then $BAOKU_DATA, then ./corpus."""
    return Path(data or os.environ.get(DATA_ENV) or DEFAULT_DATA)


def demo_pages() -> Path:
    """The demo e-paper site (index.html, paperindex.htm, html/…), shipped as package data
    of indexer (indexer/data/demo, written by scripts/make_demo.py)."""
    return Path(str(resources.files("indexer") / "data" / "demo"))


SOLR_ENV = "BAOKU_SOLR_URL"


def resolve_solr_url(solr_url: str | None = None) -> str | None:
    """--solr (or config SOLR_URL) wins, then $BAOKU_SOLR_URL; None: the embedded Whoosh index."""
    return solr_url or os.environ.get(SOLR_ENV) or None
