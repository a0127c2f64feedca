"""A hostile HTTP server on loopback, for the robustness tests (tests/test_hostile.py).

Raw sockets, one thread per connection, so an answer can be anything: silence, one byte a second,
2 GB, a gzip bomb, a lie. Each path has a behaviour (``server.route(path, behaviour)``); paths
without one get ``server.default``. Everything is bounded: the server binds 127.0.0.1 on a free
port, stops accepting after ``max_connections`` connections or ``lifetime`` seconds, and stops
every answer in progress when closed (the fixture closes it) or when the client goes away. Large
bodies are generated lazily, never built in memory.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate

Behaviour = Callable[["Exchange"], bool | None]  # True: keep the connection open for another
ZEROS = bytes(1 << 20)  # 1 MiB, allocated once: the raw material of bombs and huge bodies
BLOCK = b"<!-- " + b"x" * 65_526 + b" -->"  # 64 KiB of harmless XML comment
REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
           404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
           503: "Service Unavailable"}


@dataclass
class Exchange:
    """One request on one connection, and the means to answer it."""

    sock: socket.socket
    server: HostileServer
    method: str = ""
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def stopping(self) -> threading.Event:
        return self.server.stopping

    def send(self, data: bytes) -> bool:
        """Send ``data``; False once the client has gone or the server is closing."""
        if self.stopping.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def head(self, status: int, headers: Iterable[tuple[str, str]] = (),
             keep_alive: bool = False) -> bytes:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Whatever')}"]
        lines += [f"{name}: {value}" for name, value in headers]
        if not keep_alive:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def respond(self, status: int, body: bytes = b"", headers: Iterable[tuple[str, str]] = (),
                keep_alive: bool = False) -> bool:
        headers = [*headers, ("Content-Length", str(len(body)))]
        self.send(self.head(status, headers, keep_alive) + body)
        return keep_alive

    def stream(self, status: int, parts: Iterable[bytes], headers: Iterable[tuple[str, str]] = (),
               *, chunked: bool = False) -> None:
        """A body of unknown length, ended by closing the connection (or chunked)."""
        headers = [*headers, *([("Transfer-Encoding", "chunked")] if chunked else [])]
        if not self.send(self.head(status, headers)):
            return
        for part in parts:
            frame = b"%x\r\n%s\r\n" % (len(part), part) if chunked else part
            if part and not self.send(frame):
                return
        if chunked:
            self.send(b"0\r\n\r\n")

    def wait(self, seconds: float) -> bool:
        """Sleep, unless the server is closing (then False)."""
        return not self.stopping.wait(seconds)


class HostileServer:
    """See the module docstring. Use as a context manager, or ``start()`` / ``close()``."""

    def __init__(self, *, max_connections: int = 300, lifetime: float = 60.0,
                 tls: ssl.SSLContext | None = None):
        self.routes: dict[str, Behaviour] = {}
        self.default: Behaviour = not_found
        self.raw: Behaviour | None = None  # when set, answers each connection before any request
        self.tls = tls  # when set, every connection is HTTPS
        self.max_connections = max_connections
        self.lifetime = lifetime
        self.stopping = threading.Event()
        self.connections = 0
        self.requests: list[str] = []  # paths, in the order they were read
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def https_url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def route(self, path: str, behaviour: Behaviour) -> None:
        self.routes[path] = behaviour

    def count(self, path: str) -> int:
        return self.requests.count(path)

    def start(self) -> HostileServer:
        self._spawn(self._accept_loop)
        return self

    def close(self) -> None:
        self.stopping.set()
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _spawn(self, target: Callable, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        deadline = time.monotonic() + self.lifetime
        while not self.stopping.is_set() and time.monotonic() < deadline \
                and self.connections < self.max_connections:
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._spawn(self._serve, sock)
        self._listener.close()  # no more connections: later clients are refused at once
        self.stopping.wait(max(0.0, deadline - time.monotonic()))
        self.stopping.set()  # out of time: every answer still in progress stops too

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(2)
        if self.raw is not None:
            with sock, contextlib.suppress(OSError):
                self.raw(Exchange(sock, self))
            return
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except OSError:
                sock.close()
                return
        with sock:
            self._exchanges(sock)

    def _exchanges(self, sock: socket.socket) -> None:
        while not self.stopping.is_set():
            exchange = self._read_request(sock)
            if exchange is None:
                return
            behaviour = self.routes.get(exchange.path, self.default)
            try:
                keep = behaviour(exchange)
            except OSError:
                return
            if not keep:
                with_shutdown(sock)
                return

    def _read_request(self, sock: socket.socket) -> Exchange | None:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65_536:
            try:
                piece = sock.recv(4096)
            except OSError:
                return None
            if not piece:
                return None
            data += piece
        lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, path = [*lines[0].split(" "), "", ""][:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        self.requests.append(path)
        return Exchange(sock, self, method, path, headers)


def with_shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)


# --- behaviours -----------------------------------------------------------------------------


def not_found(exchange: Exchange) -> bool:
    return exchange.respond(404, b"not found", [("Content-Type", "text/plain")])


def static(body: bytes | str, content_type: str = "application/rss+xml",
           headers: Iterable[tuple[str, str]] = (), *, status: int = 200,
           keep_alive: bool = False) -> Behaviour:
    data = body.encode("utf-8") if isinstance(body, str) else body
    extra = [("Content-Type", content_type), *headers] if content_type else list(headers)

    def answer(exchange: Exchange) -> bool:
        return exchange.respond(status, data, extra, keep_alive)

    return answer


def status(code: int, headers: Iterable[tuple[str, str]] = ()) -> Behaviour:
    return static(f"HTTP {code}", "text/plain", headers, status=code)


def redirect(location: str, code: int = 302) -> Behaviour:
    return static(b"", "", [("Location", location)], status=code)


def silent(exchange: Exchange) -> None:
    """Accept, read the request, never answer (until the client or the server gives up)."""
    exchange.sock.settimeout(0.1)
    while not exchange.stopping.is_set():
        try:
            if not exchange.sock.recv(1024):
                return
        except TimeoutError:
            continue
        except OSError:
            return


def trickle(body: bytes, *, headers_too: bool = False, interval: float = 1.0) -> Behaviour:
    """One byte every ``interval`` seconds: of the body, or of the whole answer from line one."""

    def answer(exchange: Exchange) -> None:
        head = exchange.head(200, [("Content-Type", "application/rss+xml"),
                                   ("Content-Length", str(len(body)))])
        slow = head + body if headers_too else body
        if not headers_too and not exchange.send(head):
            return
        for byte in slow:
            if not exchange.send(bytes([byte])) or not exchange.wait(interval):
                return

    return answer


def tls_trickle(exchange: Exchange) -> None:
    """To an https:// client: a TLS record header promising 16 KB, then one byte a second
    (use as ``server.raw``: it answers before any HTTP request)."""
    exchange.sock.settimeout(0.1)
    with contextlib.suppress(OSError):
        exchange.sock.recv(65_536)  # the ClientHello
    if exchange.send(b"\x16\x03\x03\x40\x00"):
        while exchange.wait(1.0) and exchange.send(b"\x02"):
            pass


def huge(size: int = 2 * 10**9, *, length: bool = True, chunked: bool = False) -> Behaviour:
    """A ``size``-byte feed-looking body made of comments, generated as it is sent."""

    def parts() -> Iterator[bytes]:
        sent = 0
        while sent < size:
            part = BLOCK[: size - sent]
            sent += len(part)
            yield part

    def answer(exchange: Exchange) -> None:
        headers = [("Content-Type", "application/rss+xml")]
        if length:
            headers.append(("Content-Length", str(size)))
            exchange.send(exchange.head(200, headers))
            for part in parts():
                if not exchange.send(part):
                    return
        else:
            exchange.stream(200, parts(), headers, chunked=chunked)

    return answer


def deflated_zeros(decoded: int, *, members: int = 1, wbits: int = 31) -> Iterator[bytes]:
    """``members`` gzip members (``wbits=31``; 15 zlib, -15 raw deflate) of ``decoded`` zeros
    in all, compressed as they are sent: about 1 KB on the wire per MB decoded."""
    zeros = memoryview(ZEROS)
    for _ in range(members):
        packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
        left = decoded // members
        while left > 0:
            if out := packer.compress(zeros[: min(left, len(ZEROS))]):
                yield out
            left -= len(ZEROS)
        yield packer.flush()


def bomb(decoded: int = 10**9, *, members: int = 1, encoding: str = "gzip") -> Behaviour:
    """A compression bomb: ``decoded`` bytes of zeros, tiny on the wire, no Content-Length."""
    wbits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}[encoding]
    sent_as = "deflate" if "deflate" in encoding else "gzip"

    def answer(exchange: Exchange) -> None:
        exchange.stream(200, deflated_zeros(decoded, members=members, wbits=wbits),
                        [("Content-Type", "application/rss+xml"),
                         ("Content-Encoding", sent_as)])

    return answer


def cut_short(body: bytes, promised: int) -> Behaviour:
    """Promise ``promised`` bytes, send ``body``, hang up."""

    def answer(exchange: Exchange) -> None:
        exchange.send(exchange.head(200, [("Content-Type", "application/rss+xml"),
                                          ("Content-Length", str(promised))]) + body)

    return answer


def article_pages(prefix: str = "/a/") -> Behaviour:
    """Tiny article pages under ``prefix``; 404 elsewhere."""

    def answer(exchange: Exchange) -> bool:
        if not exchange.path.startswith(prefix):
            return not_found(exchange)
        number = exchange.path.removeprefix(prefix)
        html = (f"<html lang='en'><head><title>Story {number}</title></head><body><article>"
                f"<h1>Story {number}</h1><p>{'A few words of the story. ' * 20}</p>"
                "</article></body></html>")
        return exchange.respond(200, html.encode(), [("Content-Type", "text/html; charset=utf-8")])

    return answer


# --- documents ------------------------------------------------------------------------------


def rss(items: Iterable[tuple[str, str]], *, declaration: str = "utf-8", prolog: str = "") -> str:
    """An RSS 2.0 feed of (title, link) items."""
    body = "".join(f"<item><title>{title}</title><link>{link}</link>"
                   f"<pubDate>{formatdate(1744772400, usegmt=True)}</pubDate></item>"
                   for title, link in items)
    return (f'<?xml version="1.0" encoding="{declaration}"?>\n{prolog}'
            f'<rss version="2.0"><channel><title>Hostile</title>{body}</channel></rss>')


def big_feed(base: str, entries: int) -> Iterator[bytes]:
    """A valid RSS feed of ``entries`` items of about 500 bytes each, generated lazily."""
    yield (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
           f"<title>Big</title><link>{base}/</link>").encode()
    words = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. " * 5
    numbers = iter(range(entries))
    while batch := list(itertools.islice(numbers, 1000)):
        yield "".join(
            f"<item><title>Story number {n} of a very long feed</title>"
            f"<link>{base}/a/{n}</link><guid>{base}/a/{n}</guid>"
            f"<pubDate>Wed, 16 Apr 2025 03:00:00 GMT</pubDate>"
            f"<description>{words}</description></item>\n" for n in batch).encode()
    yield b"</channel></rss>\n"
