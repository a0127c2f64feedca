"""Listings → entries: pure functions over recorded bytes."""

from __future__ import annotations

import pytest

from jobs.errors import ParseError
from jobs.models import Entry, Fetched
from jobs.parse import parse_html_listing, parse_listing, parse_sitemap, sniff_kind
from jobs.urls import canonical_url
from tests.conftest import SITE

BASE = "https://news.example"


def fixture(name: str) -> bytes:
    return (SITE / name).read_bytes().replace(b"{base}", BASE.encode())


def fetched(body: bytes, content_type: str = "application/xml", url: str = f"{BASE}/feed"):
    return Fetched(url=url, status=200, body=body, headers={"content-type": content_type})


def test_rss_entries_with_tracking_parameters_and_fragments_dropped():
    listing = parse_listing(fetched(fixture("rss.xml"), "text/html"))  # a feed sent as HTML
    assert listing.kind == "rss"
    assert listing.entries[0] == Entry(
        url=f"{BASE}/society/vtv-cmg-jointly-produce-programmes.html",
        title="Việt Nam, China national broadcasters to jointly produce programmes",
        published="2025-04-15T01:46:00+00:00",
        summary="VTV and CMG will jointly produce a series of programmes.",
    )
    assert listing.entries[1].url == f"{BASE}/news/vietnam-laos-media-cooperation-prospects.html"
    assert listing.entries[1].published == "2023-11-11T02:00:00+00:00"  # +0700 → UTC


def test_atom_entries():
    listing = parse_listing(fetched(fixture("atom.xml")))
    assert listing.kind == "atom"
    assert [e.title for e in listing.entries] == [
        "Báo chí Việt Nam – Lào tăng cường hợp tác", "Trang không có charset"]


def test_news_sitemap():
    listing = parse_listing(fetched(fixture("sitemap.xml")))
    assert listing.kind == "sitemap"
    assert listing.entries[0].title == "Vietnam-Laos media and communication cooperation prospects"
    assert listing.entries[0].published == "2023-11-11T09:00:00+07:00"
    assert listing.entries[1].published == "2025-01-20"


def test_sitemap_index_lists_children_newest_first():
    body = b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-2024.xml</loc><lastmod>2024-12-31</lastmod></sitemap>
  <sitemap><loc>https://news.example/sitemap-2025.xml</loc><lastmod>2025-04-16</lastmod></sitemap>
</sitemapindex>"""
    listing = parse_sitemap(body, BASE)
    assert listing.kind == "sitemapindex" and listing.entries == ()
    assert listing.sitemaps == (f"{BASE}/sitemap-2025.xml", f"{BASE}/sitemap-2024.xml")


def test_sitemap_entities_are_not_expanded():
    body = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://news.example/a-b-c-d.html</loc><lastmod>&lol2;&xxe;</lastmod></url>
</urlset>"""
    listing = parse_sitemap(body, BASE)
    assert [e.url for e in listing.entries] == [f"{BASE}/a-b-c-d.html"]
    assert "root:" not in (listing.entries[0].published or "")
    assert "lollol" not in (listing.entries[0].published or "")


def test_html_listing_finds_the_one_article_among_menus_and_footers():
    listing = parse_html_listing(fixture("listing.html"), f"{BASE}/politics")
    assert listing.entries == (Entry(
        url=f"{BASE}/society/vtv-cmg-jointly-produce-programmes.html",
        title="Việt Nam, China national broadcasters to jointly produce programmes"),)


def test_html_listing_include_and_exclude():
    listing = parse_html_listing(fixture("listing.html"), f"{BASE}/politics",
                                 include=[r"\.html$"], exclude=["facebook", "opinion"])
    assert [e.url for e in listing.entries] == [
        f"{BASE}/politics/most-read-stories-of-the-week-in-review.html",
        f"{BASE}/society/vtv-cmg-jointly-produce-programmes.html",
    ]


@pytest.mark.parametrize(("body", "kind"), [
    (b"\xef\xbb\xbf<?xml version='1.0'?><rss version='2.0'>", "feed"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
    (b"<rdf:RDF xmlns:rdf='x'>", "feed"),
    (b"<?xml version='1.0'?><urlset>", "sitemap"),
    (b"<!DOCTYPE html><html><body>", "html"),
])
def test_sniffing_trusts_the_document_over_the_header(body, kind):
    assert sniff_kind(body, "text/plain") == kind


@pytest.mark.parametrize("body", [
    b"\x00\x01\x02binary junk\xff\xfe" * 50,
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>cut",
])
def test_unreadable_feeds_raise_parse_error(body):
    with pytest.raises(ParseError):
        parse_listing(fetched(body))


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://News.Example:443/a?utm_source=x&utm_medium=rss&id=3#top", f"{BASE}/a?id=3"),
    ("https://news.example/a?fbclid=1&gclid=2", f"{BASE}/a"),
    ("http://news.example:80", "http://news.example/"),
    ("https://news.example:8443/x", "https://news.example:8443/x"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected
