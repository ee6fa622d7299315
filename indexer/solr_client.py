"""HTTP to a SolrCloud cluster, with failover between its nodes.

The client starts from one base URL (`http://host:port/solr`, or several separated by
commas), learns every live node from CLUSTERSTATUS, and when a node cannot be reached
(connection refused or reset, no answer to the connect) tries the next one, so the loss of any
node (the one it was given included) does not stop it. Only the whole cluster down raises
`SolrUnavailable`; Solr's own refusals (a bad request, a missing collection) raise `SolrError`.

A node that accepted the request but answers slowly is not a dead node: the read timeout is
generous (a big rebuild's commit or a cold facet takes long under load), and a slow answer
raises `SolrTimeout` rather than sending the same heavy request to every other node too.
"""

from __future__ import annotations

import threading
from typing import Any

import requests

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 300.0


class SolrUnavailable(RuntimeError):
    """No node of the cluster answers."""


class SolrTimeout(SolrUnavailable):
    """A node took the request but gave no answer within READ_TIMEOUT."""


class SolrError(RuntimeError):
    """Solr answered with an error."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Solr error {status}: {message}")
        self.status = status


class SolrClient:
    """JSON requests to whichever node answers; thread-safe (one requests.Session per thread)."""

    def __init__(self, base_url: str, read_timeout: float = READ_TIMEOUT) -> None:
        self.nodes = [u.strip().rstrip("/") for u in base_url.split(",") if u.strip()]
        if not self.nodes:
            raise ValueError("a Solr URL is needed, e.g. http://127.0.0.1:8983/solr")
        self.read_timeout = read_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._learned = False

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def request(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """`path` (e.g. "baoku/select") on the first node that answers; its JSON."""
        if not self._learned:
            self._learn_nodes()
        params = {"wt": "json", **(params or {})}
        last: Exception | None = None
        for i, base in enumerate(list(self.nodes)):
            try:
                response = self._send(base, path, params, json_body, data, headers)
            except requests.ReadTimeout as exc:
                # Connected, then slow: the node is alive; do not pile the load on the others.
                raise SolrTimeout(
                    f"Solr at {base} gave no answer in {self.read_timeout:.0f} s"
                ) from exc
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                last = exc  # refused, reset, or no connect: that node is gone, try the next
                continue
            if response.status_code == 503 and i + 1 < len(self.nodes):
                last = SolrError(503, response.text[:200])
                continue  # a node starting up or shutting down: another may answer
            if i:
                self._prefer(base)
            return _decode(response)
        raise SolrUnavailable(f"no Solr node answers ({', '.join(self.nodes)}): {_short(last)}")

    def _send(self, base, path, params, json_body, data, headers) -> requests.Response:
        url = f"{base}/{path.lstrip('/')}"
        timeout = (CONNECT_TIMEOUT, self.read_timeout)
        if json_body is None and data is None:
            return self._session().get(url, params=params, timeout=timeout)
        return self._session().post(
            url, params=params, json=json_body, data=data, headers=headers, timeout=timeout
        )

    def _prefer(self, base: str) -> None:
        with self._lock:
            if self.nodes[0] != base and base in self.nodes:
                self.nodes.remove(base)
                self.nodes.insert(0, base)

    def _learn_nodes(self) -> None:
        """Every live node from CLUSTERSTATUS, the given one kept first."""
        self._learned = True
        try:
            status = self.request("admin/collections", {"action": "CLUSTERSTATUS"})
        except SolrError:
            return
        except SolrUnavailable:
            self._learned = False  # learn on the next request, when a node answers
            raise
        live = status.get("cluster", {}).get("live_nodes", [])
        urls = [_node_url(name, self.nodes[0]) for name in live]
        with self._lock:
            self.nodes += [u for u in urls if u not in self.nodes]

    def select(self, collection: str, params: dict[str, Any]) -> dict[str, Any]:
        """A search, its parameters in a POST body (id lists and long queries fit)."""
        body = {"params": {**params}}
        return self.request(f"{collection}/select", json_body=body)

    def collections_api(self, action: str, **params: Any) -> dict[str, Any]:
        return self.request("admin/collections", {"action": action, **params})


def _short(exc: Exception | None) -> str:
    """The reason in a few words (urllib3's messages nest the whole pool's repr)."""
    if exc is None:
        return "no node"
    text = str(exc)
    for reason in ("Connection refused", "Connection reset", "timed out", "Name or service"):
        if reason in text:
            return reason.lower()
    return type(exc).__name__


def _node_url(node_name: str, example: str) -> str:
    """127.0.0.1:8983_solr → http://127.0.0.1:8983/solr (scheme taken from `example`)."""
    host, _, context = node_name.partition("_")
    scheme = example.split("://", 1)[0]
    return f"{scheme}://{host}/{context.replace('%2F', '/')}"


def _decode(response: requests.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if response.status_code >= 400 or payload is None:
        message = response.text[:500]
        if isinstance(payload, dict):
            message = str(payload.get("error", {}).get("msg", message))
        raise SolrError(response.status_code, message)
    return payload
