"""Shared fixtures: a loopback news site serving recorded pages, a fresh database, a config."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from jobs.schema import connect

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "site"
SEEDS = FIXTURES / "seeds"
LAST_MODIFIED = "Wed, 16 Apr 2025 03:00:00 GMT"

# path on the loopback site → (file, content type)
PAGES: dict[str, tuple[Path, str]] = {
    "/rss.xml": (SITE / "rss.xml", "application/rss+xml; charset=utf-8"),
    "/atom.xml": (SITE / "atom.xml", "application/atom+xml"),
    "/sitemap.xml": (SITE / "sitemap.xml", "application/xml"),
    "/politics": (SITE / "listing.html", "text/html; charset=utf-8"),
    "/malformed.xml": (SITE / "malformed.xml", "application/rss+xml"),
    "/society/vtv-cmg-jointly-produce-programmes.html":
        (SEEDS / "vtv-cmg-2025-04-14.html", "text/html; charset=utf-8"),
    "/news/vietnam-laos-media-cooperation-prospects.html":
        (SEEDS / "vietnam-laos-2023-11-11.html", "text/html; charset=utf-8"),
    "/society/city-opens-new-flower-market.html":
        (SITE / "flower-market.html", "text/html; charset=utf-8"),
    "/tin-tuc/bao-chi-viet-nam-lao-tang-cuong-hop-tac.html":
        (SITE / "bao-chi-cp1258.html", "text/html"),
    "/tin-tuc/trang-khong-co-charset.html": (SITE / "no-charset.html", "text/html"),
}


@dataclass
class Site:
    """A loopback HTTP server serving the recorded site, with conditional GET."""

    server: HTTPServer
    extra: dict[str, Response | Callable[[Request], Response]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.server.url_for("").rstrip("/")

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        """Every path requested so far, in order (robots.txt included)."""
        return [request.path for request, _ in self.server.log]

    def requests_for(self, path: str) -> list[Request]:
        return [request for request, _ in self.server.log if request.path == path]

    def handle(self, request: Request) -> Response:
        if request.path in self.extra:
            answer = self.extra[request.path]
            return answer(request) if callable(answer) and not isinstance(answer, Response) \
                else answer
        if request.path == "/robots.txt":
            return Response("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        if request.path == "/slow.xml":
            time.sleep(1.5)
            return Response("<rss/>", content_type="application/rss+xml")
        if request.path not in PAGES:
            return Response("not found", status=404)
        file, content_type = PAGES[request.path]
        body = file.read_bytes().replace(b"{base}", self.base.encode())
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type=content_type,
                        headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})


@pytest.fixture(scope="session")
def _server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


@pytest.fixture
def site(_server: HTTPServer) -> Iterator[Site]:
    """The loopback site, fresh for each test (one server for the session: stopping is slow)."""
    loopback = Site(_server)
    _server.clear()
    _server.expect_request(re.compile(".*")).respond_with_handler(loopback.handle)
    yield loopback
    _server.clear()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "coopwatch.db"


@pytest.fixture
def db(db_path: Path):
    database = connect(db_path)
    yield database
    database.close()


def write_config(tmp_path: Path, sources: str, defaults: str = "") -> Path:
    """A sources.yaml for the loopback site: no delay, private network allowed, short timeouts."""
    path = tmp_path / "sources.yaml"
    path.write_text(
        "defaults:\n  delay: 0\n  timeout: 2\n  allow_private_network: true\n"
        + defaults + "sources:\n" + sources,
        encoding="utf-8",
    )
    return path
