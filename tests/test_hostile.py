"""coopwatch against hostile servers and documents (issue 5, items 1 and 2).

Every test names, in its docstring, the guard it proves; each fails without that guard. The
server is tests/hostile.py: loopback only, bounded in connections and time.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path

import pytest

from jobs import guard
from jobs.config import load_config
from jobs.errors import BlockedError, FetchError, ParseError, TooLargeError
from jobs.fetch import MAX_RETRY_AFTER, Fetcher
from jobs.models import Source
from jobs.parse import FEEDPARSER_MAX_BYTES, parse_listing
from jobs.pipeline import Sync
from tests import hostile
from tests.hostile import HostileServer

ROOT = Path(__file__).resolve().parent.parent
SLACK = 0.75  # seconds a deadline may overrun: thread wake-ups on a busy two-core machine


@pytest.fixture
def server():
    with HostileServer(lifetime=90) as running:
        yield running


def source_for(server: HostileServer, path: str = "/feed", **options) -> Source:
    settings = {"delay": 0, "timeout": 2, "allow_private_network": True, "max_entries": 20,
                "user_agent": "coopwatch-test/1"}
    return Source(name="hostile", url=server.url(path), **{**settings, **options})


def never_sleep(seconds: float) -> None:
    pytest.fail(f"the fetcher slept {seconds} s")


def sync(db, *sources: Source):
    return {r.source: r for r in Sync(db, Fetcher(sleep=never_sleep)).run(list(sources))}


def seconds_since(started: float) -> float:
    return time.monotonic() - started


# --- time: one deadline per request, whatever the server does ---------------------------------


def test_a_silent_server_costs_one_timeout_in_all(server, db):
    """Guard: one deadline shared by robots.txt and the feed, enforced by the watchdog."""
    server.default = hostile.silent
    started = time.monotonic()
    result = sync(db, source_for(server, timeout=1))["hostile"]
    assert seconds_since(started) < 1 + SLACK
    assert result.status == "error"
    assert result.error == f"{server.url('/feed')}: no complete answer within 1 s"
    assert server.requests == ["/robots.txt"]  # the feed had no time left of its own


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_an_answer_trickled_one_byte_a_second_is_cut_at_the_deadline(server, headers_too):
    """Guard: the watchdog (a read timeout alone never fires when a byte comes every second),
    also while the status line and headers trickle in."""
    feed = hostile.rss([("Story", "/a/1")]).encode()
    server.route("/feed", hostile.trickle(feed, headers_too=headers_too, interval=1.0))
    started = time.monotonic()
    with pytest.raises(FetchError, match="no complete answer within 2 s"):
        Fetcher().get(server.url("/feed"), source_for(server, timeout=2))
    assert seconds_since(started) < 2 + SLACK


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=30)
    return cert, key


@pytest.mark.parametrize("phase", ["handshake", "body"])
def test_https_trickled_one_byte_a_second_is_cut_at_the_deadline(certificate, phase):
    """Guard: the watchdog holds a duplicate of each socket's descriptor, so it still ends the
    connection once TLS has taken the socket over (wrap_socket detaches the original)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with HostileServer(lifetime=30, tls=context) as server:
        if phase == "handshake":
            server.tls, server.raw = None, hostile.tls_trickle
        server.route("/feed", hostile.trickle(hostile.rss([("Story", "/a/1")]).encode()))
        session = guard.make_session()
        session.trust_env = False  # else REQUESTS_CA_BUNDLE would override verify
        session.verify = str(certificate[0])
        started = time.monotonic()
        with pytest.raises(FetchError, match="no complete answer within 2 s"):
            Fetcher(session).get(server.https_url("/feed"), source_for(server, timeout=2))
        assert seconds_since(started) < 2 + SLACK


# --- size: the decoded body is capped -------------------------------------------------------


def test_a_2gb_body_with_content_length_is_refused_before_reading(server):
    """Guard: a Content-Length above max_bytes is refused before the body is read."""
    server.route("/feed", hostile.huge(2 * 10**9, length=True))
    started = time.monotonic()
    with pytest.raises(TooLargeError, match=r"Content-Length 2,000,000,000 bytes is larger than "
                                            r"max_bytes \(1,000,000 bytes\)"):
        Fetcher().get(server.url("/feed"), source_for(server, max_bytes=1_000_000))
    assert seconds_since(started) < 1


@pytest.mark.parametrize("chunked", [False, True], ids=["close-delimited", "chunked"])
def test_a_2gb_body_without_length_stops_at_the_cap(server, chunked):
    """Guard: the cap on the bytes read, checked as they arrive."""
    server.route("/feed", hostile.huge(2 * 10**9, length=False, chunked=chunked))
    started = time.monotonic()
    with pytest.raises(TooLargeError, match=r"body larger than max_bytes \(1,000,000 bytes\)"):
        Fetcher().get(server.url("/feed"), source_for(server, max_bytes=1_000_000))
    assert seconds_since(started) < 1


@pytest.mark.parametrize(("members", "encoding"), [
    (1, "gzip"), (1000, "gzip"), (1, "deflate"), (1, "raw-deflate"),
], ids=["gzip", "gzip-members", "deflate", "raw-deflate"])
def test_a_compression_bomb_stops_at_the_decoded_cap_in_bounded_memory(server, members, encoding):
    """Guards: the cap applies to *decoded* bytes, across concatenated gzip members; and a
    compressed chunk is inflated CHUNK bytes at a time (16 KB of a bomb would be 16 MB at once)."""
    server.route("/feed", hostile.bomb(10**8, members=members, encoding=encoding))
    fetcher = Fetcher()
    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError, match=r"body larger than max_bytes \(1,000,000"):
            fetcher.get(server.url("/feed"), source_for(server, max_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000


# --- redirects ------------------------------------------------------------------------------


def test_a_redirect_loop_ends_after_five_hops(server):
    """Guard: MAX_REDIRECTS."""
    server.route("/loop", hostile.redirect("/loop"))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        Fetcher().get(server.url("/loop"), source_for(server))
    assert server.count("/loop") == 6


def test_a_ten_hop_chain_is_cut_after_five(server, db):
    """Guard: MAX_REDIRECTS, recorded as the source's error."""
    for hop in range(10):
        server.route(f"/hop{hop}", hostile.redirect(f"/hop{hop + 1}", code=301 + hop % 2))
    server.route("/hop10", hostile.static(hostile.rss([])))
    result = sync(db, source_for(server, "/hop0"))["hostile"]
    assert result.status == "error" and "more than 5 redirects" in result.error
    assert [p for p in server.requests if p != "/robots.txt"] == [f"/hop{n}" for n in range(6)]


# --- rate limits and server errors ----------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(("retry_after", "expected"), [
    ("120", 120),
    ("in ten minutes", 600),
    ("1000000000000", MAX_RETRY_AFTER),
    ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
], ids=["seconds", "date", "huge-seconds", "year-9999"])
def test_rate_limits_are_recorded_as_next_check_never_slept_on(server, db, status, retry_after,
                                                               expected):
    """Guards: Retry-After is recorded as next_check (capped at MAX_RETRY_AFTER; 10^12 s would
    overflow a datetime), never slept on (the injected sleep fails the test), and respected."""
    if retry_after == "in ten minutes":
        retry_after = formatdate(time.time() + 600, usegmt=True)
    server.route("/feed", hostile.status(status, [("Retry-After", retry_after)]))
    before = datetime.now(UTC)
    started = time.monotonic()
    result = sync(db, source_for(server))["hostile"]
    assert seconds_since(started) < 2
    assert result.status == "error" and result.http_status == status
    next_check = datetime.fromisoformat(db["sources"].get("hostile")["next_check"])
    assert abs((next_check - before).total_seconds() - expected) < 5
    server.requests.clear()
    assert sync(db, source_for(server))["hostile"].status == "skipped"
    assert server.requests == []


def test_a_rate_limited_robots_txt_parks_the_source(server, db):
    """Guard: 429 on robots.txt is a rate limit (next_check), not a silent 'disallow all'."""
    server.route("/robots.txt", hostile.status(429, [("Retry-After", "3600")]))
    result = sync(db, source_for(server))["hostile"]
    assert result.status == "error" and result.http_status == 429
    assert db["sources"].get("hostile")["next_check"] > datetime.now(UTC).isoformat()
    assert server.count("/feed") == 0


def test_server_errors_are_recorded_once_per_pass_without_retries(server, db):
    """Guard: no retry loop (max_retries=0): one request per pass, the failure counted."""
    server.route("/feed", hostile.status(500))
    for attempt in (1, 2):
        result = sync(db, source_for(server))["hostile"]
        assert (result.status, result.http_status) == ("error", 500)
        assert result.error == f"{server.url('/feed')}: HTTP 500"
        assert db["sources"].get("hostile")["consecutive_failures"] == attempt
    assert server.count("/feed") == 2


# --- documents that lie ---------------------------------------------------------------------


def test_a_feed_served_as_text_html_is_read_as_a_feed(server, db):
    """Guard: sniff_kind trusts the document over the Content-Type."""
    server.default = hostile.article_pages()
    items = [("Story 1", server.url("/a/1")), ("Story 2", server.url("/a/2"))]
    server.route("/feed", hostile.static(hostile.rss(items), "text/html; charset=utf-8"))
    result = sync(db, source_for(server))["hostile"]
    assert (result.status, result.entries, result.new_articles) == ("ok", 2, 2)


@pytest.mark.parametrize(("content_type", "declaration", "encoding", "title"), [
    ("application/rss+xml; charset=windows-1252", "utf-8", "utf-8", "Việt Nam – Lào hợp tác"),
    ("text/xml; charset=windows-1258", "utf-8", "utf-8", "Việt Nam – Lào hợp tác"),
    ("application/rss+xml; charset=utf-8", "windows-1252", "cp1252", "Coopération médiatique"),
    ("application/xml; charset=windows-1252", "utf-8", "cp1252", "Coopération médiatique"),
], ids=["cp1252-header-utf8-body", "text-xml-cp1258-header-utf8-body",
        "utf8-header-cp1252-body", "cp1252-header-wrong-declaration"])
def test_a_charset_header_contradicting_the_xml_declaration(server, content_type, declaration,
                                                           encoding, title):
    """Guard: _reconcile_charset (valid UTF-8 is UTF-8; else the charset the bytes are valid in).
    Without it, feedparser follows the header (RFC 3023) and the first two come out garbled; the
    last two are feedparser's own fallback (header charset invalid → declaration), kept working."""
    body = hostile.rss([(title, "/a/1")], declaration=declaration).encode(encoding)
    server.route("/feed", hostile.static(body, content_type))
    fetched = Fetcher().get(server.url("/feed"), source_for(server))
    assert [e.title for e in parse_listing(fetched).entries] == [title]


# --- entities: never expanded, never fetched ------------------------------------------------

LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
QUADRATIC = f'<!ENTITY a "{"a" * 100_000}">'


def external(server: HostileServer) -> str:
    return (f'<!ENTITY file SYSTEM "file:///etc/passwd">'
            f'<!ENTITY leak SYSTEM "{server.url("/leak")}">'
            f'<!ENTITY % remote SYSTEM "{server.url("/leak.dtd")}"> %remote;')


def entity_feed(server: HostileServer, case: str) -> str:
    """A feed whose one entry uses entities: a tail cut short sends feedparser to its loose
    parser, which is the one that expands "safe" entities."""
    subset, use, tail = {
        "billion-laughs": (LAUGHS, "&lol9;", ""),
        "quadratic": (f"\n{QUADRATIC}\n", "&a;" * 1000, "<item><title>cut"),
        "external": (external(server), "&file;&leak;", ""),
    }[case]
    feed = hostile.rss([(f"Story {use}", server.url("/a/1"))],
                       prolog=f"<!DOCTYPE rss [{subset}]>\n")
    return feed.replace("</channel></rss>", tail) if tail else feed


@pytest.mark.parametrize("case", ["billion-laughs", "quadratic", "external"])
def test_a_feed_declaring_entities_is_refused_unexpanded(server, db, case):
    """Guard: the <!ENTITY screen before feedparser. Without it the quadratic case expands 300 KB
    into a 100 MB title (feedparser's loose parser) and the others are parsed as 'ok'."""
    server.default = hostile.article_pages()
    server.route("/feed", hostile.static(entity_feed(server, case)))
    started = time.monotonic()
    result = sync(db, source_for(server, max_bytes=2_000_000))["hostile"]
    assert seconds_since(started) < 3
    assert result.status == "error" and "declares XML entities (<!ENTITY>)" in result.error
    assert "/leak" not in server.requests and "/leak.dtd" not in server.requests
    assert db["articles"].count == 0


@pytest.mark.parametrize("case", ["entities", "external-dtd"])
def test_a_large_feed_expands_and_fetches_nothing(server, case):
    """Guards: feeds above FEEDPARSER_MAX_BYTES go through the same <!ENTITY screen; an external
    DTD is not loaded by the lean reader (lxml with load_dtd, no_network off)."""
    padding = "<!-- " + "x" * (FEEDPARSER_MAX_BYTES + 1000) + " -->\n"
    doctype = (f"<!DOCTYPE rss [{LAUGHS}{external(server)}]>" if case == "entities"
               else f'<!DOCTYPE rss SYSTEM "{server.url("/leak.dtd")}">')
    feed = hostile.rss([("Story", server.url("/a/1"))], prolog=f"{doctype}\n{padding}")
    server.route("/feed", hostile.static(feed))
    fetched = Fetcher().get(server.url("/feed"), source_for(server, max_bytes=8_000_000))
    if case == "entities":
        with pytest.raises(ParseError, match=r"declares XML entities \(<!ENTITY>\)"):
            parse_listing(fetched)
    else:
        assert [e.url for e in parse_listing(fetched).entries] == [server.url("/a/1")]
    assert "/leak" not in server.requests and "/leak.dtd" not in server.requests


def test_an_external_dtd_in_a_feed_is_not_fetched(server, db):
    """Guard: the strict parser never loads external DTDs (feedparser turns external general
    entities off; expat loads no external parameter entities)."""
    server.default = hostile.article_pages()
    feed = hostile.rss([("Story", server.url("/a/1"))],
                       prolog=f'<!DOCTYPE rss SYSTEM "{server.url("/leak.dtd")}">\n')
    server.route("/feed", hostile.static(feed))
    result = sync(db, source_for(server))["hostile"]
    assert (result.status, result.new_articles) == ("ok", 1)
    assert "/leak.dtd" not in server.requests


@pytest.mark.parametrize("case", ["billion-laughs", "external"])
def test_a_sitemap_with_entities_expands_and_fetches_nothing(server, db, case):
    """Guard: the sitemap parser runs with resolve_entities off (with it on, &file; becomes the
    content of /etc/passwd), and with load_dtd and the network off."""
    server.default = hostile.article_pages()
    subset, use = (LAUGHS, "&lol9;") if case == "billion-laughs" else (external(server),
                                                                       "&file;&leak;")
    sitemap = (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [{subset}]>\n'
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               f"<url><loc>{server.url('/a/1')}</loc><lastmod>{use}</lastmod></url></urlset>")
    server.route("/sitemap.xml", hostile.static(sitemap, "application/xml"))
    fetched = Fetcher().get(server.url("/sitemap.xml"), source_for(server))
    entries = parse_listing(fetched).entries
    assert [e.url for e in entries] == [server.url("/a/1")]
    assert entries[0].published is None  # neither 'lollol…' nor the password file
    result = sync(db, source_for(server, "/sitemap.xml"))["hostile"]
    assert (result.status, result.new_articles) == ("ok", 1)
    assert "/leak" not in server.requests and "/leak.dtd" not in server.requests
    row = json.dumps(dict(db["articles"].get(server.url("/a/1"))))
    assert "lollol" not in row and "root:" not in row


# --- broken documents -----------------------------------------------------------------------


@pytest.mark.parametrize("case", ["document", "transfer"])
def test_truncated_xml_is_an_error_not_a_silent_zero(server, db, case):
    """Guards: a feed with no readable entry that feedparser flags as broken is an error; a body
    shorter than its Content-Length is a fetch error (never parsed as if whole)."""
    whole = hostile.rss([("Story", server.url("/a/1"))]).encode()
    cut = whole[: whole.index(b"<link>")]
    if case == "document":
        server.route("/feed", hostile.static(cut))
        expected = "not a readable feed"
    else:
        server.route("/feed", hostile.cut_short(cut, promised=len(whole)))
        expected = "connection closed before the whole body arrived"
    result = sync(db, source_for(server))["hostile"]
    assert result.status == "error" and expected in result.error


def test_an_empty_200_is_an_error(server, db):
    """Guard: parse_listing's empty-document check (a clear message, not a silent zero)."""
    server.route("/feed", hostile.static(b""))
    result = sync(db, source_for(server))["hostile"]
    assert result.status == "error" and result.error == f"{server.url('/feed')}: empty document"


JUNK = bytes((n * 7919 + 13) % 256 for n in range(50_000))


@pytest.mark.parametrize(("headers", "expected"), [
    ([], "not a readable feed"),
    ([("Content-Encoding", "gzip")], "body is not valid gzip data"),
], ids=["junk", "junk-as-gzip"])
def test_binary_junk_is_an_error_not_a_crash(server, db, headers, expected):
    """Guards: parse errors and decoding errors are SourceErrors with a message, never an
    'internal error' (an exception escaping a stage)."""
    server.route("/feed", hostile.static(JUNK, "application/octet-stream", headers))
    result = sync(db, source_for(server))["hostile"]
    assert result.status == "error" and expected in result.error
    assert "internal error" not in result.error


# --- a 50 MB feed: bounded memory, capped entries, the rest next pass -----------------------

PASSES = """
import json, resource, sys
from jobs.fetch import Fetcher
from jobs.models import Source
from jobs.pipeline import Sync
from jobs.schema import connect

db = connect(sys.argv[1])
source = Source(name="big", url=sys.argv[2], delay=0, timeout=30, max_bytes=64_000_000,
                max_entries=20, allow_private_network=True, user_agent="coopwatch-test/1")
results = [Sync(db, Fetcher()).run([source])[0] for _ in range(int(sys.argv[3]))]
print(json.dumps({"results": [[r.status, r.entries, r.new_articles, r.error] for r in results],
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run_passes(db_path: Path, url: str, passes: int) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", PASSES, str(db_path), url, str(passes)], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_a_50mb_feed_of_100k_entries_in_bounded_memory_and_capped_passes(server, tmp_path):
    """Guards: a feed above FEEDPARSER_MAX_BYTES is streamed by lxml (feedparser would take
    ~20 s and ~400 MB per pass here); max_entries caps the pages fetched per pass, and the
    validators are not saved, so the next pass sees the listing again and takes the next 20."""
    server.default = hostile.article_pages()
    server.route("/small", hostile.static(hostile.rss(
        [(f"Story {n}", server.url(f"/a/{n}")) for n in range(3)])))

    def big(exchange: hostile.Exchange) -> None:
        exchange.stream(200, hostile.big_feed(server.base, 100_000),
                        [("Content-Type", "application/rss+xml; charset=utf-8")])

    server.route("/big", big)
    baseline = run_passes(tmp_path / "small.db", server.url("/small"), 1)["max_rss_kb"]
    started = time.monotonic()
    report = run_passes(tmp_path / "big.db", server.url("/big"), 2)
    elapsed = seconds_since(started)
    assert elapsed < 60, f"two passes over the 50 MB feed took {elapsed:.0f} s"
    (first, second) = report["results"]
    assert first[:3] == ["ok", 100_000, 20] and "max_entries" in first[3]
    assert second[:3] == ["ok", 100_000, 20]
    from jobs.schema import connect

    stored = {row["url"] for row in connect(tmp_path / "big.db")["articles"].rows}
    assert stored == {server.url(f"/a/{n}") for n in range(40)}  # feed order, no duplicates
    grown_mb = (report["max_rss_kb"] - baseline) / 1024
    print(f"50 MB feed, 2 passes: {elapsed:.1f} s, peak RSS {grown_mb:.0f} MB over baseline")
    assert grown_mb < 300  # ≈ 2 × the body (read buffer + bytes) + 100k small entries


# --- SSRF: private addresses and other schemes ----------------------------------------------


def test_a_source_not_allowed_private_addresses_makes_no_connection(server, db):
    """Guard: the DNS pre-check, before robots.txt, before any connection."""
    result = sync(db, source_for(server, allow_private_network=False))["hostile"]
    assert result.status == "error"
    assert "non-public address 127.0.0.1" in result.error
    assert "allow_private_network: true" in result.error
    assert server.connections == 0


@pytest.mark.parametrize(("defaults", "per_source", "allowed"), [
    ("true", "", True), ("false", "    allow_private_network: true\n", True),
    ("false", "", False), ("true", "    allow_private_network: false\n", False),
])
def test_the_private_network_switch_in_defaults_or_per_source(server, db, tmp_path, defaults,
                                                             per_source, allowed):
    """Guard: allow_private_network read from sources.yaml, per source over defaults."""
    server.default = hostile.article_pages()
    server.route("/feed", hostile.static(hostile.rss([("Story", server.url("/a/1"))])))
    config = tmp_path / "sources.yaml"
    config.write_text(f"defaults:\n  delay: 0\n  timeout: 2\n  allow_private_network: {defaults}\n"
                      f"sources:\n  - name: hostile\n    url: {server.url('/feed')}\n{per_source}",
                      encoding="utf-8")
    result = sync(db, *load_config(config).enabled())["hostile"]
    assert (result.status == "ok") is allowed
    assert (server.connections > 0) is allowed


def test_links_from_a_listing_may_not_reach_private_addresses_or_local_files(server, db,
                                                                             tmp_path):
    """Guards: the pre-check on every URL taken from a listing; the parsers keep http(s) URLs
    only; a file:// URL is read only for a file:// source. The listing is a local file, so the
    source itself needs no private network."""
    feed = tmp_path / "feed.xml"
    feed.write_text(hostile.rss([("Loopback", server.url("/a/1")),
                                 ("Metadata", "http://169.254.169.254/latest/meta-data/"),
                                 ("Local file", "file:///etc/passwd"),
                                 ("Gopher", "gopher://127.0.0.1/")]), encoding="utf-8")
    source = Source(name="local", url=feed.as_uri(), delay=0, timeout=2, user_agent="t")
    result = sync(db, source)["local"]
    assert result.entries == 2  # file:// and gopher:// never become entries
    assert "2 page(s) failed" in result.error and "non-public address" in result.error
    assert server.connections == 0 and db["articles"].count == 0
    http_source = source_for(server, allow_private_network=False)
    with pytest.raises(BlockedError, match="file:// URL may only be read by a source"):
        Fetcher().get("file:///etc/passwd", http_source)


def test_a_sitemap_keeps_only_http_urls(server):
    """Guard: parse_sitemap drops file://, gopher:// and other schemes (entries and children)."""
    sitemap = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               "<url><loc>file:///etc/passwd</loc></url><url><loc>gopher://x/</loc></url>"
               f"<url><loc>{server.url('/a/1')}</loc></url></urlset>")
    server.route("/sitemap.xml", hostile.static(sitemap, "application/xml"))
    fetched = Fetcher().get(server.url("/sitemap.xml"), source_for(server))
    assert [e.url for e in parse_listing(fetched).entries] == [server.url("/a/1")]


@pytest.mark.parametrize("target", [
    "http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x",
    "http://224.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/",
])
def test_every_redirect_hop_is_checked(server, monkeypatch, target):
    """Guard: each hop goes through the same checks as the first. Loopback cannot be public, so
    127.0.0.1 is made to count as public here; the hop it redirects to must still be refused,
    before any connection to it."""
    real = guard.check_address
    monkeypatch.setattr(guard, "check_address",
                        lambda address, url: None if address == "127.0.0.1" else real(address, url))
    server.route("/away", hostile.redirect(target))
    with pytest.raises(BlockedError, match=r"non-public address|only http"):
        Fetcher().get(server.url("/away"), source_for(server, allow_private_network=False))
    assert server.count("/away") == 1


def test_the_address_actually_connected_to_is_checked(server, monkeypatch):
    """Guard: the check in the connection itself (DNS rebinding: the name resolved to a public
    address for the pre-check, then to 127.0.0.1 for the connection). No request is sent."""
    monkeypatch.setattr(guard, "check_resolved", lambda host, port, url: None)
    with pytest.raises(BlockedError, match=r"non-public address 127\.0\.0\.1"):
        Fetcher().get(server.url("/feed"), source_for(server, allow_private_network=False))
    assert server.requests == []


def test_a_kept_alive_connection_is_checked_again(server, monkeypatch):
    """Guard: a pooled socket opened for a source allowed private addresses is checked again
    before it is reused for one that is not."""
    monkeypatch.setattr(guard, "check_resolved", lambda host, port, url: None)
    server.route("/robots.txt", hostile.static("", "text/plain", keep_alive=True))
    server.route("/feed", hostile.static(hostile.rss([]), keep_alive=True))
    fetcher = Fetcher()
    fetcher.get(server.url("/feed"), source_for(server))
    with pytest.raises(BlockedError, match=r"non-public address 127\.0\.0\.1"):
        fetcher.get(server.url("/feed"), source_for(server, allow_private_network=False))
    assert server.connections == 1 and server.requests == ["/robots.txt", "/feed"]
