"""The connection guard: what a request may connect to, and for how long.

``Fetcher`` (jobs.fetch) sets the per-thread ``context`` for each request; the connections made
through ``make_session`` read it:

* unless the request allows private networks, the address a socket is actually connected to
  (new or kept alive, before TLS and before a byte is sent) must be a public unicast address:
  ``check_resolved`` refuses a name that resolves elsewhere before connecting, and the socket
  check defeats DNS rebinding between the two;
* every socket of a request is put under its ``Watchdog``, which shuts them down when the
  request's deadline passes, however slowly the server trickles.
"""

from __future__ import annotations

import contextlib
import heapq
import ipaddress
import itertools
import os
import socket
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from jobs.errors import BlockedError, FetchError


class _Context(threading.local):
    allow_private: bool = True
    watchdog: Watchdog | None = None


context = _Context()


def check_address(address: str, url: str) -> None:
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
        if not context.allow_private:
            check_address(sock.getpeername()[0], host)
    except BlockedError:
        sock.close()
        raise
    if context.watchdog is not None:
        context.watchdog.watch(sock)


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
    """A session whose connections are guarded, and which reads the environment once.

    requests reads proxies, ``no_proxy``, ``~/.netrc`` and the CA bundle variables on every call
    when ``trust_env`` is on: a third of a millisecond per page on a loopback sync, a third of
    what the fetch itself costs. Here the CA bundle is read now, and ``Fetcher`` asks for each
    host's proxies once (``requests.utils.get_environ_proxies``); ``.netrc`` credentials are never
    sent to news sites."""
    session = requests.Session()
    session.trust_env = False
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.verify = bundle or True
    adapter = GuardedAdapter(max_retries=0, pool_connections=32, pool_maxsize=8)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Watchdog:
    """Shuts down the connections of one request when its deadline passes, however they trickle.

    It holds a duplicate of each socket's descriptor: shutting that down ends the connection in
    every phase (TLS handshake, headers, body), even after TLS has detached the original socket
    or http.client has let go of it, and the duplicates are ours to close when the request ends.
    """

    def __init__(self, seconds: float):
        self.fired = False
        self.ended = False
        self.seconds = seconds
        self._copies: list[socket.socket] = []
        self._lock = threading.Lock()

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
            if self.ended:
                return
            self.fired = True
            copies = list(self._copies)
        for copy in copies:
            _shut(copy)

    def __enter__(self) -> Watchdog:
        context.watchdog = self
        _ALARMS.add(time.monotonic() + self.seconds, self)
        return self

    def __exit__(self, *exc) -> None:
        context.watchdog = None
        with self._lock:
            self.ended = True
            copies, self._copies = self._copies, []
        for copy in copies:
            copy.close()


class _AlarmClock:
    """One thread that fires the watchdogs whose deadline has passed.

    A timer thread per request cost 0.12 CPU ms, a tenth of a whole loopback fetch. Watchdogs
    that ended are left in the heap and dropped when they reach its top."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Watchdog]] = []
        self._numbers = itertools.count()  # ties on the deadline never compare watchdogs
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: float, watchdog: Watchdog) -> None:
        with self._changed:
            heapq.heappush(self._due, (deadline, next(self._numbers), watchdog))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="coopwatch-deadlines",
                                                daemon=True)
                self._thread.start()
            self._changed.notify()

    def _run(self) -> None:
        while True:
            self._next_due().fire()

    def _next_due(self) -> Watchdog:
        with self._changed:
            while True:
                while self._due and self._due[0][2].ended:
                    heapq.heappop(self._due)
                wait = self._due[0][0] - time.monotonic() if self._due else None
                if wait is not None and wait <= 0:
                    return heapq.heappop(self._due)[2]
                self._changed.wait(wait)


_ALARMS = _AlarmClock()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def check_resolved(host: str, port: int, url: str) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"{url}: cannot resolve {host}: {error.strerror}", url=url) from None
    for info in infos:
        check_address(info[4][0], url)
