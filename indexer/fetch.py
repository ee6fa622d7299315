"""Download pages for the crawler (indexer.crawl): requests with urllib3's Retry, requests to one
host spaced apart, robots.txt read with Protego. The policy (politeness, faults) is described in
indexer.crawl's docstring; a download that fails is a `FetchError` whose message is the reason
the crawl records."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from indexer.limits import MAX_FETCH_SECONDS, MAX_PAGE_BYTES, too_big

__all__ = [
    "USER_AGENT",
    "FetchError",
    "Fetcher",
    "Response",
    "Robots",
    "short_reason",
    "status_reason",
]

USER_AGENT = "BaokuBot/0.1 (+https://github.com/baoku/baoku; e-paper archiver)"
ROBOTS_AGENT = "BaokuBot"
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_REDIRECTS = 10


@dataclass
class Response:
    url: str  # after redirects
    status: int
    data: bytes
    content_type: str


class FetchError(Exception):
    """A page that could not be downloaded; the message is the reason recorded."""


class _HostGate:
    """Spaces the starts of requests to one host at least `delay` seconds apart."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}

    def slow_down(self, host: str, delay: float) -> None:
        """A host asks for more time between requests (robots.txt Crawl-delay)."""
        with self._lock:
            self._host_delay[host] = max(self.delay, delay)

    def wait(self, host: str, stop: threading.Event) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self._host_delay.get(host, self.delay)
        if start > now:
            stop.wait(start - now)


class Fetcher:
    """requests + urllib3 Retry, one session per thread (a Session is not thread-safe)."""

    def __init__(self, *, delay: float, timeout: float, retries: int, backoff: float) -> None:
        self.gate = _HostGate(delay)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.stop = threading.Event()
        self.allowed_hosts: set[str] | None = None  # None: any host (finding the entry page)
        self.max_bytes = MAX_PAGE_BYTES
        self.max_seconds = MAX_FETCH_SECONDS
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            retry = Retry(
                total=self.retries,
                connect=self.retries,
                read=self.retries,
                status=self.retries,
                other=0,
                backoff_factor=self.backoff,
                status_forcelist=RETRY_STATUSES,
                allowed_methods=frozenset({"GET"}),
                raise_on_status=False,
                respect_retry_after_header=True,
            )
            adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=2)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = USER_AGENT
            session.max_redirects = MAX_REDIRECTS
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def get(self, url: str) -> Response:
        """Download `url`; 4xx/5xx come back as responses, transport failures as FetchError."""
        last_error = ""
        # urllib3 retries connection errors, timeouts and 5xx itself; a body cut short surfaces
        # only while requests reads it, so that one case is retried here.
        for attempt in range(self.retries + 1):
            if self.stop.is_set():
                raise FetchError("crawl stopped")
            try:
                return self._follow(url)
            except requests.exceptions.ChunkedEncodingError as exc:
                last_error = f"truncated body: {short_reason(exc)}"
            except requests.exceptions.ContentDecodingError as exc:
                last_error = f"undecodable body: {short_reason(exc)}"
            except requests.ConnectionError as exc:
                raise FetchError(_connection_reason(exc)) from exc
            except requests.Timeout as exc:
                raise FetchError(f"timed out after {self.timeout:g} s") from exc
            except requests.RequestException as exc:
                raise FetchError(short_reason(exc)) from exc
            if attempt < self.retries:
                self.stop.wait(self.backoff * (2**attempt))
        raise FetchError(f"{last_error} (after {self.retries + 1} attempts)")

    def _follow(self, url: str) -> Response:
        """One download, its redirects followed by hand: a loop is named, and a redirect to a
        host outside `allowed_hosts` is a FetchError (recorded by the crawl, not followed)."""
        hops = [url]
        while True:
            current = hops[-1]
            self.gate.wait(urlsplit(current).netloc, self.stop)
            reply = self._session().get(
                current, timeout=self.timeout, allow_redirects=False, stream=True
            )
            try:
                if not reply.is_redirect:
                    data = self._read_body(reply)
                    return Response(
                        reply.url, reply.status_code, data, reply.headers.get("Content-Type", "")
                    )
                target = urljoin(reply.url, reply.headers["Location"])
            finally:
                reply.close()
            if target in hops:
                cycle = hops[hops.index(target) :] + [target]
                raise FetchError("redirect loop: " + " → ".join(cycle))
            if len(hops) > MAX_REDIRECTS:
                raise FetchError(f"too many redirects (more than {MAX_REDIRECTS}) from {url}")
            if not self.allows(target):
                raise FetchError(f"redirect to another host, not followed: {current} → {target}")
            hops.append(target)

    def allows(self, url: str) -> bool:
        return self.allowed_hosts is None or urlsplit(url).netloc in self.allowed_hosts

    def _read_body(self, reply: requests.Response) -> bytes:
        """The decoded body, read a piece at a time: a page over `max_bytes` (a huge file, a
        gzip bomb, an endless chunked stream) or one still coming after `max_seconds` (a
        trickle that never trips the read timeout) is dropped, never held whole in memory."""
        declared = reply.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(too_big(int(declared)))
        deadline = time.monotonic() + self.max_seconds
        chunks: list[bytes] = []
        size = 0
        for chunk in reply.iter_content(64 << 10):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(too_big(size))
            if time.monotonic() > deadline:
                raise FetchError(f"download still going after {self.max_seconds:g} s: dropped")
            if self.stop.is_set():
                raise FetchError("crawl stopped")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()


def short_reason(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:197] + "…"


def _connection_reason(exc: requests.ConnectionError) -> str:
    text = str(exc)
    if "Read timed out" in text or "ReadTimeoutError" in text:
        return "timed out (read) after retries"
    if "ConnectTimeout" in text or "connect timeout" in text.lower():
        return "timed out (connect) after retries"
    if "Connection refused" in text:
        return "connection refused after retries"
    if "RemoteDisconnected" in text or "Connection reset" in text or "Connection aborted" in text:
        return "connection reset after retries"
    return f"connection failed: {short_reason(exc)}"


def status_reason(status: int) -> str:
    if status in RETRY_STATUSES:
        return f"HTTP {status} (after retries)"
    return f"HTTP {status}"


# --- robots.txt --------------------------------------------------------------------------------


class Robots:
    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._parsers: dict[str, Protego | None] = {}
        self._reasons: dict[str, str] = {}
        self._lock = threading.Lock()

    def allowed(self, url: str) -> bool:
        parser = self._parser(url)
        return parser is None or parser.can_fetch(url, ROBOTS_AGENT)

    def _parser(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            if origin not in self._parsers:
                parser = self._parsers[origin] = self._load(origin)
                wanted = parser.crawl_delay(ROBOTS_AGENT) if parser is not None else None
                if wanted:
                    self.fetcher.gate.slow_down(parts.netloc, float(wanted))
            return self._parsers[origin]

    def _load(self, origin: str) -> Protego | None:
        try:
            reply = self.fetcher.get(origin + "/robots.txt")
        except FetchError as exc:
            # RFC 9309: an unreachable robots.txt means "assume complete disallow".
            return Protego.parse(f"# unreachable: {exc}\nUser-agent: *\nDisallow: /\n")
        if 400 <= reply.status < 500:
            return None  # no robots.txt: everything is allowed
        if reply.status >= 500:
            return Protego.parse("User-agent: *\nDisallow: /\n")
        return Protego.parse(reply.data.decode("utf-8", errors="replace"))
