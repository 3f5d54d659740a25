"""Polite HTTP for scraping: per-host rate limit, robots.txt, retries with exponential backoff
and jitter on timeouts, 429 (Retry-After honoured) and 5xx; other failures are a `FetchError`
with a machine-readable reason (http_404, timeout, truncated_body, robots_disallowed, ...)."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

USER_AGENT = "nummus/0.1 (coin research crawler; polite, robots.txt honoured)"
DEFAULT_RATE = 2.0  # seconds between two requests to the same host


class FetchError(Exception):
    """A request that failed for good (after retries where retrying makes sense)."""

    def __init__(self, reason: str, detail: str, status: int | None = None):
        self.reason = reason
        self.status = status
        super().__init__(detail)


class _Transient(FetchError):
    """Worth another try: timeouts, connection trouble, 429, 5xx."""

    def __init__(self, reason: str, detail: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason, detail, status)
        self.retry_after = retry_after


@dataclass
class FetchResult:
    url: str
    status: int
    content: bytes
    content_type: str
    headers: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        charset = "utf-8"
        if "charset=" in self.content_type:
            charset = self.content_type.split("charset=")[-1].split(";")[0].strip() or charset
        return self.content.decode(charset, errors="replace")


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


class Fetcher:
    """One client for a crawl. `rate`: seconds between requests to one host (0 = no pause)."""

    def __init__(self, *, rate: float = DEFAULT_RATE, timeout: float = 20.0, retries: int = 4,
                 backoff: float = 1.0, max_backoff: float = 60.0, max_retry_after: float = 300.0,
                 max_bytes: int = 64 * 1024 * 1024, robots: bool = True, user_agent: str = USER_AGENT):
        self.rate = rate
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.max_bytes = max_bytes
        self.robots = robots
        self.user_agent = user_agent
        self.client = httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent})
        self._last: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # politeness ------------------------------------------------------------------------
    def _pause(self, host: str) -> None:
        delay = self.rate
        rules = self._robots.get(host)
        if rules is not None and self.rate > 0:
            delay = max(delay, float(rules.crawl_delay(self.user_agent) or 0))
        wait = self._last.get(host, -1e9) + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last[host] = time.monotonic()

    def allowed(self, url: str) -> bool:
        if not self.robots:
            return True
        parts = urlsplit(url)
        host = parts.netloc
        if host not in self._robots:
            rules = None
            try:
                res = self._request(f"{parts.scheme}://{host}/robots.txt")
                if res.status == 200:
                    rules = RobotFileParser()
                    rules.parse(res.text.splitlines())
            except FetchError:
                rules = None  # no readable robots.txt: everything allowed
            self._robots[host] = rules
        rules = self._robots[host]
        return rules is None or rules.can_fetch(self.user_agent, url)

    # requests --------------------------------------------------------------------------
    def _request(self, url: str) -> FetchResult:
        self._pause(urlsplit(url).netloc)
        self.requests += 1
        try:
            with self.client.stream("GET", url) as resp:
                status = resp.status_code
                if status == 429 or status >= 500:
                    raise _Transient(f"http_{status}", f"HTTP {status} from {url}", status,
                                     retry_after_seconds(resp.headers.get("retry-after")))
                if status >= 400:
                    raise FetchError(f"http_{status}", f"HTTP {status} from {url}", status)
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError("too_large", f"{url}: more than {self.max_bytes} bytes", status)
                    chunks.append(chunk)
                return FetchResult(str(resp.url), status, b"".join(chunks),
                                   resp.headers.get("content-type", ""), dict(resp.headers))
        except httpx.TimeoutException as exc:
            raise _Transient("timeout", f"timed out: {url} ({exc.__class__.__name__})") from exc
        except httpx.RemoteProtocolError as exc:
            raise _Transient("truncated_body", f"{url}: {exc}") from exc
        except httpx.TransportError as exc:
            raise _Transient("connection_error", f"{url}: {exc}") from exc

    def _wait(self, state) -> float:
        exc = state.outcome.exception()
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_retry_after)
        return wait_exponential_jitter(initial=self.backoff, max=self.max_backoff, jitter=self.backoff)(state)

    def get(self, url: str) -> FetchResult:
        """GET with politeness and retries; raises FetchError(reason) when it fails for good."""
        if not self.allowed(url):
            raise FetchError("robots_disallowed", f"robots.txt disallows {url}")
        retrying = Retrying(stop=stop_after_attempt(self.retries + 1), wait=self._wait,
                            retry=retry_if_exception_type(_Transient), reraise=True)
        try:
            return retrying(self._request, url)
        except _Transient as exc:
            raise FetchError(exc.reason, f"{exc} (after {self.retries + 1} attempts)", exc.status) from None
