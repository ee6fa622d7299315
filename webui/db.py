"""The app's access to the archive (the role db.py plays in Flask's tutorial): the one Archive
per app, opened on first use, and the calls every blueprint makes through it."""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

from flask import Flask, abort, current_app

from indexer.article import Article
from indexer.results import IndexState, SearchResult
from webui.params import BadParameter, SearchParams

if TYPE_CHECKING:
    from indexer import Archive

ARCHIVE_KEY = "baoku.archive"
_ARTICLE_ID = re.compile(r"^[\w.\-]{1,100}$")


class IndexUnavailable(RuntimeError):
    """The archive's index cannot be used (not built yet, of an older version, or damaged); the
    message says what to run."""


# What to tell the reader (and the site's operator) for each Archive.index_state().
INDEX_STATE_MESSAGES = {
    IndexState.MISSING: "还没有建立检索索引。请在服务器上运行 `baoku index`，完成后刷新本页。",
    IndexState.OUTDATED: "检索索引是旧版本建立的，需要重建。请在服务器上运行 `baoku index --rebuild`。",
    IndexState.BROKEN: "检索索引无法打开。请在服务器上运行 `baoku index --rebuild` 重建索引。",
}


def init_app(app: Flask, archive: Archive | None) -> None:
    """Give the app its Archive: `archive` when one is shared, else DATA_DIR's on first use."""
    app.extensions[ARCHIVE_KEY] = archive
    app.extensions[ARCHIVE_KEY + ".lock"] = threading.Lock()


def get_archive() -> Archive:
    """The app's one Archive, opened on first use so the site starts even before `baoku index`."""
    app = current_app
    archive = app.extensions.get(ARCHIVE_KEY)
    if archive is not None:
        return archive
    with app.extensions[ARCHIVE_KEY + ".lock"]:
        archive = app.extensions.get(ARCHIVE_KEY)
        if archive is None:
            try:
                # Imported on first use: Whoosh and jieba load after the server is listening.
                from indexer import Archive

                archive = Archive(app.config["DATA_DIR"], solr_url=app.config["SOLR_URL"])
            except Exception as exc:  # whatever Whoosh raises, the reader gets one clear page
                raise IndexUnavailable(INDEX_STATE_MESSAGES[IndexState.BROKEN]) from exc
            app.extensions[ARCHIVE_KEY] = archive
    return archive


def get_index_archive() -> Archive:
    """The Archive, provided its index is ready: otherwise every search would say "none found",
    which reads as an answer when it is really an unready site."""
    archive = get_archive()
    state = archive.index_state()
    if state != IndexState.READY:
        raise IndexUnavailable(
            INDEX_STATE_MESSAGES.get(state, INDEX_STATE_MESSAGES[IndexState.BROKEN])
        )
    return archive


def run_search(params: SearchParams) -> SearchResult:
    """Archive.search with the checked parameters; a query the archive refuses is a 400."""
    from webui.traffic import query_budget

    archive = get_index_archive()
    try:
        kwargs = params.archive_kwargs()
        kwargs.setdefault("snippet_chars", current_app.config["SNIPPET_CHARS"])
        with query_budget():  # QueryTooCostly is a ValueError: a 400 that says which limit
            return archive.search(params.q, **kwargs)
    except ValueError as exc:  # the archive's own check of dates and sort
        raise BadParameter("q", f"无法执行这个检索：{exc}") from exc


def load_article(article_id: str) -> Article:
    """The article, or a 404 for an id that is malformed or not in the archive."""
    if not _ARTICLE_ID.match(article_id):
        abort(404)
    article = get_archive().get(article_id)
    if article is None:
        abort(404)
    return article
