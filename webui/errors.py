"""Errors as readable pages for people and as JSON for /api/*, never a bare stack trace."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from webui.params import BadParameter

log = logging.getLogger(__name__)

TITLES = {
    400: "请求有误",
    404: "找不到页面",
    405: "不支持的请求方法",
    413: "请求过大",
    414: "网址过长",
    429: "请求过于频繁",
    500: "服务器出错",
    503: "暂时无法检索",
}

CLUSTER_DOWN = "检索集群暂时无法连接，请稍后再试。文章库本身完好，集群恢复后即可检索。"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str, parameter: str | None = None):
    if wants_json():
        body: dict[str, object] = {"error": {"status": status, "message": message}}
        if parameter:
            body["error"]["parameter"] = parameter  # type: ignore[index]
        return jsonify(body), status
    title = TITLES.get(status, "出错了")
    retry = without_parameter(parameter) if status == 400 and parameter else None
    page = render_template("error.html", status=status, title=title, message=message, retry=retry)
    return page, status


def without_parameter(name: str) -> str:
    """This URL without the offending parameter: a shared link that picked up a stray
    parameter on the way (a messenger's tracking tag, say) is one click from working."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != name]
    return request.path + ("?" + urlencode(kept) if kept else "")


def register_error_handlers(app: Flask) -> None:
    from indexer.index import IndexOutdated
    from indexer.results import IndexState
    from indexer.solr_client import SolrUnavailable
    from webui.db import INDEX_STATE_MESSAGES, IndexUnavailable

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
        return error_response(400, exc.message, exc.name)

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(exc: IndexUnavailable):
        log.warning("index unavailable: %s", exc)
        return error_response(503, str(exc))

    @app.errorhandler(SolrUnavailable)
    def cluster_unavailable(exc: SolrUnavailable):
        # Every node of the SolrCloud cluster is down or unreachable: the site stays up and says
        # so, and its log names the nodes tried.
        log.warning("search cluster unavailable: %s", exc)
        return error_response(503, CLUSTER_DOWN)

    @app.errorhandler(IndexOutdated)
    def index_outdated(exc: IndexOutdated):
        # Raised by any Archive call when the index on disk changed under a running site.
        log.warning("index outdated: %s", exc)
        return error_response(503, INDEX_STATE_MESSAGES[IndexState.OUTDATED])

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        messages = {
            404: "没有这个页面或这篇文章。",
            405: "这个地址只接受 GET 请求。",
        }
        return error_response(status, messages.get(status, exc.description or ""))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error on %s", request.path)
        return error_response(500, "服务器内部错误，已记录。")
