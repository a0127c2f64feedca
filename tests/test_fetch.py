"""The network module against a loopback server: bounds, redirects, validators, guards."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from werkzeug import Response

from jobs.errors import BlockedError, FetchError, RateLimitedError, TooLargeError
from jobs.fetch import MAX_RETRY_AFTER, Fetcher, parse_retry_after
from jobs.models import Source


def source_for(url: str, **options) -> Source:
    defaults = {"delay": 0, "timeout": 2, "allow_private_network": True,
                "user_agent": "coopwatch-test/1"}
    return Source(name="test", url=url, **{**defaults, **options})


def test_gzip_body_is_decoded(site):
    body = b"<rss>" + b"x" * 1000 + b"</rss>"
    site.extra["/gz"] = Response(gzip.compress(body), headers={"Content-Encoding": "gzip"})
    result = Fetcher().get(site.url("/gz"), source_for(site.base))
    assert result.body == body
    assert "gzip" in site.requests_for("/gz")[0].headers["Accept-Encoding"]


def test_gzip_bomb_stops_at_the_decoded_cap(site):
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros, ~50 KB on the wire
    site.extra["/bomb"] = Response(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(TooLargeError, match="max_bytes"):
        Fetcher().get(site.url("/bomb"), source_for(site.base, max_bytes=1_000_000))


def test_user_agent_and_conditional_headers(site):
    site.extra["/feed"] = Response("<rss/>")
    Fetcher().get(site.url("/feed"), source_for(site.base), etag='"abc"',
                  last_modified="Wed, 16 Apr 2025 03:00:00 GMT")
    request = site.requests_for("/feed")[0]
    assert request.headers["User-Agent"] == "coopwatch-test/1"
    assert request.headers["If-None-Match"] == '"abc"'
    assert request.headers["If-Modified-Since"] == "Wed, 16 Apr 2025 03:00:00 GMT"


def test_304_is_returned_as_such(site):
    site.extra["/feed"] = Response(status=304)
    assert Fetcher().get(site.url("/feed"), source_for(site.base), etag='"x"').status == 304


def test_five_redirects_are_followed_and_a_sixth_is_refused(site):
    for hop in range(10):
        site.extra[f"/hop{hop}"] = Response(status=302, headers={"Location": f"/hop{hop + 1}"})
    site.extra["/hop5"] = Response("<rss/>")
    assert Fetcher().get(site.url("/hop0"), source_for(site.base)).url == site.url("/hop5")
    site.extra["/hop5"] = Response(status=302, headers={"Location": "/hop6"})
    with pytest.raises(FetchError, match="more than 5 redirects"):
        Fetcher().get(site.url("/hop0"), source_for(site.base))


def test_redirect_loop_ends(site):
    site.extra["/loop"] = Response(status=301, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="redirects"):
        Fetcher().get(site.url("/loop"), source_for(site.base))


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limits_carry_retry_after(site, status):
    site.extra["/busy"] = Response("busy", status=status, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitedError) as caught:
        Fetcher(sleep=pytest.fail).get(site.url("/busy"), source_for(site.base))
    assert caught.value.retry_after == 120 and caught.value.status == status


def test_retry_after_forms():
    now = datetime(2025, 4, 16, 3, 0, tzinfo=UTC)
    assert parse_retry_after("90", now) == 90
    assert parse_retry_after("Wed, 16 Apr 2025 03:10:00 GMT", now) == 600
    assert parse_retry_after("Wed, 16 Apr 2025 02:00:00 GMT", now) == 0
    assert parse_retry_after("99999999999", now) == MAX_RETRY_AFTER
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) == MAX_RETRY_AFTER
    assert parse_retry_after("soon", now) is None


def test_private_addresses_are_refused_without_the_switch(site):
    with pytest.raises(BlockedError, match="allow_private_network"):
        Fetcher().get(site.url("/rss.xml"), source_for(site.base, allow_private_network=False))
    assert site.paths() == []  # no connection at all, not even robots.txt


def test_redirect_to_a_private_address_is_refused(site):
    site.extra["/away"] = Response(status=302, headers={"Location": "http://10.0.0.1/x"})
    fetcher = Fetcher()
    source = source_for(site.base, allow_private_network=False)
    # the first hop itself is loopback, so check the guard on the redirect target directly
    with pytest.raises(BlockedError):
        fetcher.get("http://10.0.0.1/x", source)
    with pytest.raises(BlockedError):
        fetcher.get("http://[::1]/x", source)


def test_non_http_schemes_are_refused():
    with pytest.raises(BlockedError, match="only http"):
        Fetcher().get("gopher://example.com/", source_for("http://example.com"))


def test_politeness_delay_between_requests_to_one_host(site):
    site.extra["/a"] = Response("a")
    slept: list[float] = []
    clock = iter(range(100))
    fetcher = Fetcher(sleep=slept.append, monotonic=lambda: float(next(clock)))
    source = source_for(site.base, delay=5)
    fetcher.get(site.url("/a"), source)
    fetcher.get(site.url("/a"), source)
    assert slept and all(0 < s <= 5 for s in slept)


def test_file_urls(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"<rss/>")
    first = Fetcher().get(feed.as_uri(), source_for("file://"))
    assert first.body == b"<rss/>"
    again = Fetcher().get(feed.as_uri(), source_for("file://"),
                          last_modified=first.headers["last-modified"])
    assert again.status == 304
    with pytest.raises(FetchError, match="cannot read file"):
        Fetcher().get((tmp_path / "none.xml").as_uri(), source_for("file://"))


def test_connection_refused_is_a_clear_error():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match="connection refused"):
        Fetcher().get(f"http://127.0.0.1:{port}/feed", source_for("http://127.0.0.1"))


ROBOTS = """\
User-agent: *
Disallow: /news/
Allow: /news/public/
Disallow: /*.pdf$
Disallow: /search*q=

User-agent: coopwatch-test
Disallow: /only-for-others/
"""


@pytest.mark.parametrize(("path", "allowed"), [
    ("/news/public/a", True),   # the longer Allow wins over the shorter Disallow (RFC 9309 2.2.2)
    ("/news/private/b", False),
    ("/files/report.pdf", False),  # `*` and `$`
    ("/files/report.pdf.html", True),  # `$` anchors at the end
    ("/search?page=2&q=press", False),
    ("/about", True),
])
def test_robots_txt_follows_rfc_9309(site, path, allowed):
    site.extra["/robots.txt"] = Response(ROBOTS, content_type="text/plain")
    site.extra[path.split("?")[0]] = Response("<html></html>")
    fetcher = Fetcher()
    source = source_for(site.base, user_agent="other-bot/2")
    if allowed:
        assert fetcher.get(site.url(path), source).status == 200
    else:
        with pytest.raises(BlockedError, match=r"robots\.txt"):
            fetcher.get(site.url(path), source)


def test_robots_txt_group_for_our_agent_replaces_the_star_group(site):
    site.extra["/robots.txt"] = Response(ROBOTS, content_type="text/plain")
    site.extra["/news/b"] = Response("<html></html>")
    site.extra["/only-for-others/x"] = Response("<html></html>")
    fetcher = Fetcher()
    source = source_for(site.base, user_agent="coopwatch-test/1 (+https://example.org)")
    assert fetcher.get(site.url("/news/b"), source).status == 200
    with pytest.raises(BlockedError):
        fetcher.get(site.url("/only-for-others/x"), source)


def test_robots_txt_5xx_disallows_everything(site):
    site.extra["/robots.txt"] = Response("oops", status=500)
    with pytest.raises(BlockedError, match=r"robots\.txt"):
        Fetcher().get(site.url("/feed"), source_for(site.base))


@pytest.mark.parametrize("url", ["http://[::1/feed", "http://127.0.0.1:99999/feed",
                                 "http://" + "a" * 70 + ".example/feed"])
def test_a_malformed_url_is_a_fetch_error_not_a_crash(url):
    with pytest.raises(FetchError, match=r"not a valid URL|Failed to parse"):
        Fetcher().get(url, source_for("http://127.0.0.1/"))


# --- the environment's proxies, read once per host (requests would read them on every call) ---


def _no_proxies(monkeypatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def test_pages_go_through_the_environments_proxy(site, monkeypatch):
    _no_proxies(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", site.base)
    site.extra["/story"] = Response("<html>through the proxy</html>")
    fetcher = Fetcher()
    result = fetcher.get("http://news.invalid/story", source_for("http://news.invalid/"))
    assert result.body == b"<html>through the proxy</html>"
    assert site.requests_for("/story")


def test_no_proxy_hosts_are_fetched_directly(site, monkeypatch):
    _no_proxies(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens: a proxy use fails
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    site.extra["/story"] = Response("<html>direct</html>")
    assert Fetcher().get(site.url("/story"), source_for(site.base)).body == b"<html>direct</html>"
