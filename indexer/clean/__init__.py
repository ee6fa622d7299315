"""The cleaner: e-paper article page → Article (see extract.py for how, layer by layer)."""

from indexer.clean.extract import (
    Cleaned,
    CleanError,
    LayoutPageError,
    clean_html,
    clean_page,
    explain_html,
    explain_page,
)

__all__ = [
    "CleanError",
    "Cleaned",
    "LayoutPageError",
    "clean_html",
    "clean_page",
    "explain_html",
    "explain_page",
]
