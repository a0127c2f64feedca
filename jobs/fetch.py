"""The only module that touches the network.

``Fetcher.get`` makes one polite, bounded GET:

* one ``get`` has an overall deadline, the source's ``timeout``, shared by its robots.txt request,
  every redirect hop and every body; a watchdog shuts the sockets down when it passes, so a
  server trickling one byte a second (headers or body) cannot hold a sync for longer;
* the *decoded* body is capped at the source's ``max_bytes``: a ``Content-Length`` above it is
  refused before reading, and gzip/deflate are decoded here ``CHUNK`` bytes at a time, so a gzip
  bomb stops at the cap having inflated no more than that;
* redirects are followed by hand, at most ``MAX_REDIRECTS``, each hop checked like the first;
* conditional GET with the stored ETag / Last-Modified: a 304 is returned as such;
* 429 and 503 raise ``RateLimitedError`` with ``Retry-After`` in seconds (capped), never slept on;
* robots.txt is honoured per host, read by protego as RFC 9309 says (the longest matching rule
  wins, Allow on a tie; ``*`` and ``$``; a 4xx robots.txt allows all, 5xx disallows all);
* requests to one host are spaced by the source's ``delay``;
* unless the source sets ``allow_private_network``, a URL may only reach public unicast addresses,
  checked before connecting (DNS) and again on the address actually connected to (new or
  kept-alive socket, before a byte is sent), which defeats DNS rebinding;
* ``file://`` URLs are read only for a source whose own ``url`` is a ``file://`` URL: a remote
  listing can never make coopwatch read a local file.
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import logging
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests
import urllib3
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

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
CHUNK = 16_384  # bytes read from the socket, and bytes inflated, at a time
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.8, */*;q=0.5"
)

# --- the per-thread request context, read by the guarded connections below -----------------


class _Context(threading.local):
    allow_private: bool = True
    watchdog: _Watchdog | None = None


_context = _Context()


def _check_address(address: str, url: str) -> None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast:
        raise BlockedError(
            f"{url}: refused to connect to non-public address {ip} "
            "(set allow_private_network: true for this source to allow it)",
            url=url,
        )


def _guard_socket(sock: socket.socket, host: str) -> None:
    """Check the address a socket is connected to, then put it under the request's watchdog."""
    try:
        if not _context.allow_private:
            _check_address(sock.getpeername()[0], host)
    except BlockedError:
        sock.close()
        raise
    if _context.watchdog is not None:
        _context.watchdog.watch(sock)


class _GuardMixin:
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        _guard_socket(sock, self.host)  # type: ignore[attr-defined]  # before TLS, before a byte
        return sock


class _GuardedHTTPConnection(_GuardMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardMixin, HTTPSConnection):
    pass


class _KeptAliveMixin:
    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        if conn.sock is not None:  # a kept-alive socket: checked and watched like a new one
            try:
                _guard_socket(conn.sock, conn.host)
            except BlockedError:
                conn.close()
                raise
        return conn


class _GuardedPool(_KeptAliveMixin, HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(_KeptAliveMixin, HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """An adapter whose connections can be watched (deadline) and checked (SSRF)."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedPool, "https": _GuardedHTTPSPool}


def make_session() -> requests.Session:
    session = requests.Session()
    adapter = GuardedAdapter(max_retries=0, pool_connections=32, pool_maxsize=8)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _Watchdog:
    """Shuts down the connections of one request when its deadline passes, however they trickle.

    It holds a duplicate of each socket's descriptor: shutting that down ends the connection in
    every phase (TLS handshake, headers, body), even after TLS has detached the original socket
    or http.client has let go of it, and the duplicates are ours to close when the request ends.
    """

    def __init__(self, seconds: float):
        self.fired = False
        self._copies: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.fire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        try:
            copy = socket.socket(fileno=os.dup(sock.fileno()))
        except OSError:
            return
        with self._lock:
            self._copies.append(copy)
            late = self.fired
        if late:  # connected after the deadline: no time left for it
            _shut(copy)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            copies = list(self._copies)
        for copy in copies:
            _shut(copy)

    def __enter__(self) -> _Watchdog:
        _context.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _context.watchdog = None
        with self._lock:
            copies, self._copies = self._copies, []
        for copy in copies:
            copy.close()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _Budget:
    """The network time left to one ``Fetcher.get`` (robots.txt, redirects and bodies)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.left = seconds

    def spend(self, seconds: float) -> None:
        self.left -= seconds


# --- bodies: bounded decoding ---------------------------------------------------------------


class _Decoder:
    """Undo gzip / deflate ``CHUNK`` bytes at a time: a bomb never inflates past the cap."""

    def __init__(self, content_encoding: str | None, url: str):
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        known = [c for c in codings if c in ("gzip", "x-gzip", "deflate")]
        if len(known) > 1:
            raise FetchError(f"{url}: more than one Content-Encoding ({content_encoding})", url=url)
        self.coding = known[0] if known else None  # anything else is passed through, as urllib3
        self.url = url
        self._started = False
        self._obj = self._new(raw=False)

    def _new(self, raw: bool):
        if self.coding == "deflate":
            return zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self.coding is None:
            yield data
            return
        while True:
            out = self._inflate(data)
            yield out
            data = self._obj.unconsumed_tail
            if self._obj.eof:
                data = self._next_member()
            if not data and len(out) < CHUNK:
                return

    def _inflate(self, data: bytes) -> bytes:
        try:
            out = self._obj.decompress(data, CHUNK)
        except zlib.error:
            if self.coding != "deflate" or self._started:
                raise FetchError(
                    f"{self.url}: body is not valid {self.coding} data", url=self.url
                ) from None
            self._obj = self._new(raw=True)  # "deflate" sent without its zlib wrapper
            return self._inflate(data)
        self._started = True
        return out

    def _next_member(self) -> bytes:
        rest = self._obj.unused_data
        if self.coding != "deflate" and rest.startswith(b"\x1f\x8b"):  # concatenated gzip
            self._obj = self._new(raw=False)
            return rest
        return b""  # trailing bytes after the stream are ignored


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
        self.session = session or make_session()
        self.sleep = sleep
        self.monotonic = monotonic
        self.requests = 0
        self._robots: dict[str, Protego | None] = {}
        self._last_request: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._active: set[_Watchdog] = set()
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
            _check_resolved(parts.hostname, parts.port or 80, url)
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
        _context.allow_private = source.allow_private_network
        self.requests += 1
        started = time.monotonic()
        try:
            with _Watchdog(budget.left) as watchdog:
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
            url, headers=headers, timeout=(connect, read), allow_redirects=False, stream=True
        ) as response:
            received = {k.lower(): v for k, v in response.headers.items()}
            decoder = _Decoder(received.get("content-encoding"), url)
            if decoder.coding is None:
                _refuse_declared_size(received, source, url)
            body = bytearray()
            for raw in response.raw.stream(CHUNK, decode_content=False):
                for piece in decoder.decode(raw):
                    body += piece
                    if len(body) > source.max_bytes:
                        raise TooLargeError(
                            f"{url}: body larger than max_bytes ({source.max_bytes:,} bytes)",
                            url=url,
                        )
            if _context.watchdog is not None and _context.watchdog.fired:
                raise OSError("deadline passed")  # a shut-down socket can look like a clean end
            return Fetched(url=url, status=response.status_code, body=bytes(body), headers=received)

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


def _check_resolved(host: str, port: int, url: str) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"{url}: cannot resolve {host}: {error.strerror}", url=url) from None
    for info in infos:
        _check_address(info[4][0], url)


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
