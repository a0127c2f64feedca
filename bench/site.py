"""A realistic news site on loopback for the benchmarks: N sources × M articles.

Each source is an outlet with its own "host" (a listening port on 127.0.0.1, or a share of one
when ``hosts`` < ``sources``), its own language (English or Vietnamese) and its own kind of
listing: RSS, Atom, sitemap or an HTML section page. Article pages weigh 30–120 KB, as real ones
do: menus, a ticker, related-links and most-read blocks, a footer of links, inline styles,
JSON-LD and analytics scripts around a few KB of text; about one in ten reports international
cooperation in media. Pages are generated from seeded RNGs, so the benchmark can rebuild the exact
bytes a sync fetched (``page_bytes``) and time bare trafilatura on them.

The server runs in a child process, so its CPU never counts as the sync's. It answers
``If-None-Match`` with 304, gzips when asked, and counts what it served. The benchmark steers it
over HTTP, on any of its hosts (these requests are not counted)::

    /_bench/set?visible=N&revision=R   every source has published N articles; a new revision
                                       changes every listing's ETag, not its entries
    /_bench/stats           counts of requests served, by kind, as JSON
    /_bench/reset           zero the counts

It stops when its stdin closes or ``--lifetime`` seconds have passed, whichever comes first.

    .venv/bin/python -m bench.site --sources 3 --articles 10 --lifetime 60
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import threading
import urllib.request
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

from bench import pages
from bench.pages import SiteSpec

ROOT = Path(__file__).resolve().parent.parent
PAGE_PATH = re.compile(r"^/(?P<src>s\d{3})/[\w-]+/[\w-]*-\d{3}(?P<k>\d{6})\.html?$")
LISTING_PATH = re.compile(r"^/(?P<src>s\d{3})/(?:rss\.xml|atom\.xml|sitemap\.xml|latest)$")


class _State:
    """What the site has published so far, and what it has served."""

    def __init__(self, spec: SiteSpec, bases: list[str]):
        self.spec, self.bases = spec, bases
        self.visible = [spec.articles] * spec.sources
        self.revision = 0
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}

    def count(self, kind: str, size: int = 0) -> None:
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.counts["bytes"] = self.counts.get("bytes", 0) + size

    def base(self, index: int) -> str:
        return self.bases[index % len(self.bases)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    state: _State

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path.startswith("/_bench/"):
            return self._control(path, query)
        if path == "/robots.txt":
            return self._send("robots", b"User-agent: *\nDisallow: /private/\n", "text/plain",
                              '"robots"')
        if match := LISTING_PATH.match(path):
            return self._listing(int(match["src"][1:]))
        if (match := PAGE_PATH.match(path)) and self._known(int(match["src"][1:]), int(match["k"])):
            index, k = int(match["src"][1:]), int(match["k"])
            body = pages.page_bytes(self.state.spec, index, k, self.state.base(index))
            return self._send("page", body, "text/html; charset=utf-8", pages.page_etag(index, k))
        return self._send("not_found", b"not found", "text/plain", None, status=404)

    def _control(self, path: str, query: str) -> None:
        state = self.state
        with state.lock:
            if path == "/_bench/set":
                args = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
                state.visible = [int(args["visible"])] * state.spec.sources
                state.revision = int(args.get("revision", state.revision))
            elif path == "/_bench/reset":
                state.counts = {}
            answer = {"counts": dict(state.counts), "visible": state.visible[0]}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _known(self, index: int, k: int) -> bool:
        return index < self.state.spec.sources and k < self.state.visible[index]

    def _listing(self, index: int) -> None:
        visible = self.state.visible[index]
        etag = f'"l{index}-{visible}-{self.state.revision}"'
        if self.headers.get("If-None-Match") == etag:
            return self._not_modified("listing", etag)
        body, kind = pages.listing_bytes(self.state.spec, index, visible, self.state.base(index))
        return self._send("listing", body, kind, etag)

    def _not_modified(self, kind: str, etag: str) -> None:
        self.state.count(kind + "_304")
        self.send_response(304)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, kind: str, body: bytes, content_type: str, etag: str | None,
              status: int = 200) -> None:
        if etag and self.headers.get("If-None-Match") == etag:
            return self._not_modified(kind, etag)
        gzipped = self.state.spec.gzip and "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            body = gzip.compress(body, compresslevel=5, mtime=0)
        self.state.count(kind, len(body))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _serve(spec: SiteSpec, lifetime: float) -> None:
    """The child process: bind the hosts, print their bases, serve until told to stop."""
    hosts = spec.hosts or spec.sources
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Handler) for _ in range(hosts)]
    bases = [f"http://127.0.0.1:{server.server_port}" for server in servers]
    state = _State(spec, bases)
    _Handler.state = state
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"bases": bases}), flush=True)
    stop = threading.Event()

    def stop_on_eof() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=stop_on_eof, daemon=True).start()
    try:
        stop.wait(lifetime)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def control(base: str, command: str) -> dict:
    """Send a ``/_bench/`` command to a site (from any process) and return its answer."""
    with urllib.request.urlopen(f"{base}/_bench/{command}", timeout=10) as response:
        return json.loads(response.read())


class Site:
    """The parent's handle on a site child process (a context manager)."""

    def __init__(self, spec: SiteSpec, lifetime: float = 900.0, stderr: IO | None = None):
        self.spec = spec
        command = [sys.executable, "-m", "bench.site", "--spec", json.dumps(asdict(spec)),
                   "--lifetime", str(lifetime)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=stderr, text=True)
        self.bases: list[str] = json.loads(self.process.stdout.readline())["bases"]

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def stats(self) -> dict[str, int]:
        return control(self.bases[0], "stats")["counts"]

    def reset(self) -> None:
        control(self.bases[0], "reset")

    def base(self, index: int) -> str:
        return self.bases[index % len(self.bases)]

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", help="a SiteSpec as JSON")
    parser.add_argument("--sources", type=int, default=3)
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--lifetime", type=float, default=600.0, help="seconds before it stops")
    args = parser.parse_args()
    spec = SiteSpec(**json.loads(args.spec)) if args.spec else \
        SiteSpec(sources=args.sources, articles=args.articles)
    _serve(spec, args.lifetime)


if __name__ == "__main__":
    main()
