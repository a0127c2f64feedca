"""The only module that touches the network.

``Fetcher.get`` makes one polite, bounded GET:

* one ``get`` has an overall deadline, the source's ``timeout``, shared by its robots.txt request,
  every redirect hop and every body; a watchdog shuts the sockets down when it passes, so a
  server trickling one byte a second (headers or body) cannot hold a sync for longer;
* the *decoded* body is capped at the source's ``max_bytes``: a ``Content-Length`` above it is
  refused before reading, and urllib3 decodes gzip/deflate ``CHUNK`` bytes at a time, so a gzip
  bomb stops at the cap having inflated no more than that;
* redirects are followed by hand, at most ``MAX_REDIRECTS``, each hop checked like the first;
* conditional GET with the stored ETag / Last-Modified: a 304 is returned as such;
* 429 and 503 raise ``RateLimitedError`` with ``Retry-After`` in seconds (capped), never slept on;
* robots.txt is honoured per host, read by protego as RFC 9309 says (the longest matching rule
  wins, Allow on a tie; ``*`` and ``$``; a 4xx robots.txt allows all, 5xx disallows all);
* requests to one host are spaced by the source's ``delay``;
* unless the source sets ``allow_private_network``, a URL may only reach public unicast addresses,
  checked before connecting (DNS) and again on the address actually connected to (new or
  kept-alive socket, before a byte is sent), which defeats DNS rebinding (``jobs.guard``, which
  also holds the watchdog);
* ``file://`` URLs are read only for a source whose own ``url`` is a ``file://`` URL: a remote
  listing can never make coopwatch read a local file.
"""

from __future__ import annotations

import email.utils
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests
import urllib3
from protego import Protego

from jobs import guard
from jobs.errors import (
    BlockedError,
    FetchError,
    RateLimitedError,
    StoppedError,
    TooLargeError,
)
from jobs.models import Fetched, Source
from jobs.urls import host_of

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 24 * 3600  # seconds: a server may not park a source for longer than a day
ROBOTS_MAX_BYTES = 512_000
CHUNK = 16_384  # decoded bytes read at a time
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.8, */*;q=0.5"
)

class _Budget:
    """The network time left to one ``Fetcher.get`` (robots.txt, redirects and bodies)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.left = seconds

    def spend(self, seconds: float) -> None:
        self.left -= seconds


def _refuse_declared_size(headers: dict[str, str], source: Source, url: str) -> None:
    length = headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > source.max_bytes:
        raise TooLargeError(
            f"{url}: Content-Length {int(length):,} bytes is larger than "
            f"max_bytes ({source.max_bytes:,} bytes)",
            url=url,
        )


# --- the fetcher ----------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now`` (delta-seconds or HTTP-date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


class Fetcher:
    """Polite GETs for one sync pass. One instance keeps robots.txt and per-host timing."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.session = session or guard.make_session()
        self.sleep = sleep
        self.monotonic = monotonic
        self.requests = 0
        self._robots: dict[str, Protego | None] = {}
        self._proxies: dict[str, dict[str, str]] = {}  # origin → proxies (see guard.make_session)
        self._last_request: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._active: set[guard.Watchdog] = set()
        self.cancelled = False

    def cancel(self) -> None:
        """Cut every request in flight short and refuse new ones (the service is stopping)."""
        with self._lock:
            self.cancelled = True
            active = list(self._active)
        for watchdog in active:
            watchdog.fire()

    def get(
        self,
        url: str,
        source: Source,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """GET ``url`` for ``source``; raise a FetchError subclass on any failure."""
        if _valid_url(url).scheme == "file":
            return _read_file(url, source, last_modified)
        headers = {"User-Agent": source.user_agent, "Accept": ACCEPT,
                   "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        budget = _Budget(source.timeout)
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                self._check_allowed(url, source, budget)
            except ValueError as error:  # a malformed URL from a feed (port, IPv6, IDNA)
                raise FetchError(f"{url}: not a valid URL: {error}", url=url) from None
            response = self._request(url, source, headers, budget)
            if response.status in (301, 302, 303, 307, 308) and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                headers.pop("If-None-Match", None)
                headers.pop("If-Modified-Since", None)
                continue
            return _checked_status(response)
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects", url=url)

    def _check_allowed(self, url: str, source: Source, budget: _Budget) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BlockedError(f"{url}: only http(s) URLs may be fetched", url=url)
        if not source.allow_private_network:
            guard.check_resolved(parts.hostname, parts.port or 80, url)
        robots = self._robots_for(url, source, budget)
        if robots is not None and not robots.can_fetch(url, source.user_agent):
            raise BlockedError(f"{url}: disallowed by {parts.scheme}://{parts.netloc}/robots.txt",
                               url=url)

    def _robots_for(self, url: str, source: Source, budget: _Budget):
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            key_lock = self._host_locks.setdefault("robots " + key, threading.Lock())
        with key_lock:  # one robots.txt request per host, however many threads ask
            if key not in self._robots:
                self._robots[key] = self._load_robots(key + "/robots.txt", source, budget)
        return self._robots[key]

    def _load_robots(self, robots_url: str, source: Source, budget: _Budget) -> Protego | None:
        headers = {"User-Agent": source.user_agent}
        small = replace(source, max_bytes=min(source.max_bytes, ROBOTS_MAX_BYTES))
        try:
            response = self._request(robots_url, small, headers, budget)
        except (BlockedError, TooLargeError):
            raise
        except FetchError as error:
            log.info("%s unavailable (%s): allowing all", robots_url, error)
            return None
        if response.status in (429, 503):
            _checked_status(response)  # the host asks us to wait: RateLimitedError
        if response.status >= 500:  # unreachable: RFC 9309 says assume complete disallow
            return Protego.parse("User-agent: *\nDisallow: /\n")
        if 200 <= response.status < 300:
            return Protego.parse(response.body.decode("utf-8", "replace"))
        return None  # 3xx left unfollowed, 4xx: no usable robots.txt, everything allowed

    def _request(
        self, url: str, source: Source, headers: dict[str, str], budget: _Budget
    ) -> Fetched:
        """One GET; requests to one host wait their turn, across threads."""
        with self._lock:
            host_lock = self._host_locks.setdefault(host_of(url), threading.Lock())
        with host_lock:
            self._wait_turn(url, source.delay)
            try:
                return self._request_now(url, source, headers, budget)
            finally:
                self._last_request[host_of(url)] = self.monotonic()

    def _request_now(
        self, url: str, source: Source, headers: dict[str, str], budget: _Budget
    ) -> Fetched:
        late = FetchError(f"{url}: no complete answer within {budget.seconds:g} s", url=url)
        if self.cancelled:
            raise StoppedError(f"{url}: not fetched, coopwatch is stopping", url=url)
        if budget.left <= 0:
            raise late
        guard.context.allow_private = source.allow_private_network
        self.requests += 1
        started = time.monotonic()
        try:
            with guard.Watchdog(budget.left) as watchdog:
                with self._lock:
                    self._active.add(watchdog)
                try:
                    return self._send(url, source, headers, min(10.0, budget.left), budget.left)
                except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                    if not watchdog.fired:
                        raise _as_fetch_error(url, error) from None
                finally:
                    with self._lock:
                        self._active.discard(watchdog)
            if self.cancelled:
                raise StoppedError(f"{url}: cut short, coopwatch is stopping", url=url)
            raise late  # the watchdog shut the socket down
        finally:
            budget.spend(time.monotonic() - started)

    def _send(
        self, url: str, source: Source, headers: dict[str, str], connect: float, read: float
    ) -> Fetched:
        with self.session.get(
            url, headers=headers, timeout=(connect, read), allow_redirects=False, stream=True,
            proxies=self._proxies_for(url),
        ) as response:
            received = {k.lower(): v for k, v in response.headers.items()}
            coding = received.get("content-encoding", "").strip().lower()
            if coding in ("", "identity"):
                _refuse_declared_size(received, source, url)
            body = bytearray()
            try:
                # urllib3 (>= 2.6) inflates at most CHUNK bytes per piece: a bomb stops at the cap
                for piece in response.raw.stream(CHUNK, decode_content=True):
                    body += piece
                    if len(body) > source.max_bytes:
                        raise TooLargeError(
                            f"{url}: body larger than max_bytes ({source.max_bytes:,} bytes)",
                            url=url,
                        )
            except urllib3.exceptions.DecodeError:
                raise FetchError(f"{url}: body is not valid {coding} data", url=url) from None
            if guard.context.watchdog is not None and guard.context.watchdog.fired:
                raise OSError("deadline passed")  # a shut-down socket can look like a clean end
            return Fetched(url=url, status=response.status_code, body=bytes(body), headers=received)

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The environment's proxies for ``url``'s host (none when ``no_proxy`` names it)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        proxies = self._proxies.get(origin)
        if proxies is None:
            proxies = self._proxies[origin] = requests.utils.get_environ_proxies(origin)
        return proxies

    def _wait_turn(self, url: str, delay: float) -> None:
        last = self._last_request.get(host_of(url))
        if last is not None and delay > 0:
            remaining = delay - (self.monotonic() - last)
            if remaining > 0:
                self.sleep(remaining)


def _valid_url(url: str):
    """``url`` split, or FetchError when it cannot be (a bad IPv6 host, a port out of range)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError as error:
        raise FetchError(f"{url}: not a valid URL: {error}", url=url) from None
    return parts


def _as_fetch_error(url: str, error: Exception) -> FetchError:
    if isinstance(error, FetchError):
        return error
    if isinstance(error, requests.ConnectTimeout):
        return FetchError(f"{url}: connection timed out", url=url)
    if isinstance(error, requests.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
        return FetchError(f"{url}: server stopped answering (read timeout)", url=url)
    if isinstance(error, requests.ConnectionError):
        reason = error.args[0] if error.args else error
        inner = getattr(reason, "reason", reason)
        if isinstance(inner, BlockedError):
            return inner
        return FetchError(f"{url}: cannot connect: {_short(inner)}", url=url)
    if isinstance(error, urllib3.exceptions.ProtocolError):
        return FetchError(f"{url}: connection closed before the whole body arrived", url=url)
    return FetchError(f"{url}: {_short(error)}", url=url)


def _short(error: object) -> str:
    text = str(error)
    if "Errno 111" in text or "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "Temporary failure in name resolution" in text:
        return "host name not found"
    if "Remote end closed connection" in text:
        return "the server closed the connection without answering"
    return text[:200]


def _checked_status(response: Fetched) -> Fetched:
    status = response.status
    if status == 304 or 200 <= status < 300:
        return response
    if status in (429, 503):
        retry = parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
        hint = f", retry after {retry:.0f} s" if retry is not None else ""
        raise RateLimitedError(f"{response.url}: HTTP {status}{hint}", url=response.url,
                               status=status, retry_after=retry)
    raise FetchError(f"{response.url}: HTTP {status}", url=response.url, status=status)


def _read_file(url: str, source: Source, last_modified: str | None) -> Fetched:
    if urlsplit(source.url).scheme != "file":
        raise BlockedError(
            f"{url}: a file:// URL may only be read by a source whose own url is a file:// URL",
            url=url,
        )
    path = Path(unquote(urlsplit(url).path))
    try:
        stat = path.stat()
        stamp = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if last_modified == stamp:
            return Fetched(url=url, status=304, headers={"last-modified": stamp})
        if stat.st_size > source.max_bytes:
            raise TooLargeError(f"{url}: file larger than max_bytes ({source.max_bytes:,})",
                                url=url)
        body = path.read_bytes()
    except OSError as error:
        raise FetchError(f"{url}: cannot read file: {os.strerror(error.errno or 0)}",
                         url=url) from None
    return Fetched(url=url, status=200, body=body, headers={"last-modified": stamp})
