"""Limits on what one input may cost: a hostile or broken page (huge, a decompression bomb, an
endless response, tags nested thousands deep) must not exhaust the crawler's or the cleaner's
memory or time. An e-paper article page is tens of kilobytes; the limits sit far above any real
page and far below what would hurt a small server."""

from __future__ import annotations

MAX_PAGE_BYTES = 20 << 20  # decoded bytes of one page, downloaded or read from a file
MAX_FETCH_SECONDS = 120.0  # one download from first byte to last, whatever the read timeout


def too_big(size: int) -> str:
    """The reason given for a page over MAX_PAGE_BYTES."""
    return f"page larger than {MAX_PAGE_BYTES >> 20} MB ({size:,} bytes or more): not read"
