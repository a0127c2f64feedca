"""Listing bytes → entries. Pure: no network, no database, no clock.

Three kinds of listing: feeds (RSS 0.9x/1.0/2.0, Atom, anything feedparser reads), sitemaps
(``urlset``, ``sitemapindex`` and Google News sitemaps) and HTML listing pages (a section front or
a home page with no feed). ``kind="auto"`` sniffs the document itself before trusting the
Content-Type, because servers often send feeds as ``text/html`` and pages as ``text/xml``.

Hostile documents:

* no entity a document declares is ever expanded or fetched: sitemaps and large feeds are read by
  lxml with entities, DTDs and the network off; a feed that declares entities (``<!ENTITY``,
  anywhere in it, as feedparser would see it) is refused with a clear error, because
  feedparser's fallback parser expands the ones it deems "safe" without bound (300 KB of feed
  can make a 100 MB title);
* when the HTTP charset and the document's own (BOM or XML declaration) disagree, the bytes
  decide: valid UTF-8 is UTF-8, then the header's charset if the bytes are valid in it (RFC 3023),
  then the document's;
* a feed larger than ``FEEDPARSER_MAX_BYTES`` is streamed by lxml (links, titles, dates,
  summaries; a small, fixed amount of memory per entry) instead of feedparser, whose result for a
  50 MB feed takes several hundred MB and tens of seconds;
* only ``http(s)`` URLs come out of any listing.
"""

from __future__ import annotations

import calendar
import codecs
import email.utils
import io
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
import feedparser.encodings
import lxml.etree
import lxml.html

from jobs.errors import ParseError
from jobs.models import Entry, Fetched, Listing
from jobs.urls import canonical_url, same_site

SNIFF_BYTES = 4096
FEEDPARSER_MAX_BYTES = 4_000_000  # larger feeds are streamed by lxml (see the module docstring)
ENTITY_DECLARATION = b"<!ENTITY"
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
HTTP_CHARSET = re.compile(r"""(;\s*charset\s*=\s*)["']?([^"';\s]+)["']?""", re.IGNORECASE)
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ENTRY_TAGS = ("item", "entry")
DATE_TAGS = ("pubDate", "published", "date", "updated", "issued", "modified")
FEED_DATE_TAGS = ("lastBuildDate", "updated", "pubDate", "published", "date", "modified")
FEED_PARENTS = ("channel", "feed")  # RSS <channel>, Atom <feed>: a date here is the feed's own
SUMMARY_TAGS = ("description", "summary", "encoded", "content")
FEED_ROOT = re.compile(rb"<(?:\w+:)?(rss|RDF|feed|channel)\b")
SITEMAP_ROOT = re.compile(rb"<(?:\w+:)?(urlset|sitemapindex)\b")
HTML_ROOT = re.compile(rb"<(!doctype\s+html|html|head|body)\b", re.IGNORECASE)
BOILERPLATE = ("nav", "header", "footer", "aside", "menu")
BOILERPLATE_CLASS = re.compile(
    r"\b(nav|navbar|menu|footer|header|breadcrumb|sidebar|social|share|tags?|pagination|pager|"
    r"copyright|topbar|masthead)\b", re.IGNORECASE)
ARTICLE_PATH = re.compile(
    r"(?:[\w%]+-){3,}[\w%]+|\d{5,}|/\d{4}/\d{1,2}/|\.(?:s?html?|vov|php|aspx?)$|[?&](?:id|p|newsid)=\d+",
    re.IGNORECASE)


def sniff_kind(body: bytes, content_type: str | None = None) -> str:
    """Guess the listing kind from the first bytes, then from the Content-Type."""
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if SITEMAP_ROOT.search(head):
        return "sitemap"
    if FEED_ROOT.search(head):
        return "feed"
    if HTML_ROOT.search(head):
        return "html"
    content_type = (content_type or "").lower()
    if "html" in content_type:
        return "html"
    return "feed"  # feedparser reads odd dialects (and says clearly when it cannot)


def parse_listing(fetched: Fetched, kind: str = "auto", *, include=(), exclude=()) -> Listing:
    """Parse a fetched listing; raise ParseError when it holds nothing readable."""
    if not fetched.body.strip():
        raise ParseError(f"{fetched.url}: empty document", url=fetched.url)
    if kind == "auto":
        kind = sniff_kind(fetched.body, fetched.content_type)
    if kind in ("rss", "atom", "feed"):
        return parse_feed(fetched)
    if kind == "sitemap":
        return parse_sitemap(fetched.body, fetched.url)
    return parse_html_listing(fetched.body, fetched.url, include=include, exclude=exclude)


def _iso(parsed_time) -> str | None:
    """feedparser's UTC struct_time → ISO 8601 (timegm, never mktime: that applies local tz)."""
    if not parsed_time:
        return None
    try:
        stamp = calendar.timegm(parsed_time)
        return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")
    except (OverflowError, ValueError, OSError):
        return None


def parse_feed(fetched: Fetched) -> Listing:
    """A feed, read from bytes and HTTP headers so feedparser sees the declared encodings."""
    if len(fetched.body) > FEEDPARSER_MAX_BYTES:
        _refuse_entities(fetched, fetched.body)
        return parse_large_feed(fetched)
    data, headers = _feed_input(fetched)
    try:
        parsed = feedparser.parse(
            data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True
        )
    except Exception as error:  # feedparser promises not to raise; do not trust a promise
        raise ParseError(f"{fetched.url}: feed parser failed: {error}", url=fetched.url) from None
    entries = []
    for raw in parsed.entries:
        link = _entry_link(raw)
        if not link:
            continue
        url = canonical_url(link, fetched.url)
        if not _is_http(url):
            continue
        entries.append(Entry(
            url=url,
            title=(raw.get("title") or "").strip() or None,
            published=_iso(raw.get("published_parsed") or raw.get("updated_parsed")),
            summary=(raw.get("summary") or "").strip() or None,
        ))
    if not entries and parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        raise ParseError(f"{fetched.url}: not a readable feed: {problem}", url=fetched.url)
    if not entries and not parsed.get("version") and not parsed.feed:
        raise ParseError(f"{fetched.url}: not a feed, sitemap or HTML page", url=fetched.url)
    kind = "atom" if str(parsed.get("version", "")).startswith("atom") else "rss"
    feed = parsed.get("feed") or {}
    raw = feed.get("updated") or feed.get("published")
    updated = _writer_date(raw) if raw else None
    updated = updated or _iso(feed.get("updated_parsed") or feed.get("published_parsed"))
    return Listing(kind=kind, entries=tuple(_unique(entries)), updated=updated)


def _is_http(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def _feed_input(fetched: Fetched) -> tuple[bytes, dict[str, str]]:
    """The bytes and headers to hand feedparser: decoded as it would, screened for entities."""
    headers = _reconcile_charset(dict(fetched.headers), fetched.body)
    headers.setdefault("content-location", fetched.url)
    result: dict = {}
    data = feedparser.encodings.convert_to_utf8(headers, fetched.body, result)
    _refuse_entities(fetched, data, fetched.body)
    if result.get("encoding"):  # now UTF-8 with a UTF-8 declaration: say so, once
        headers["content-type"] = "application/xml; charset=utf-8"
        return data, headers
    return fetched.body, headers


def _refuse_entities(fetched: Fetched, *documents: bytes) -> None:
    if any(ENTITY_DECLARATION in document for document in documents):
        raise ParseError(
            f"{fetched.url}: refused: the feed declares XML entities (<!ENTITY>); coopwatch never "
            "expands them, as expansion can exhaust memory (billion laughs) or read local files",
            url=fetched.url,
        )


def _reconcile_charset(headers: dict[str, str], body: bytes) -> dict[str, str]:
    """When the HTTP charset contradicts the document's, keep the one the bytes are valid in."""
    content_type = headers.get("content-type") or ""
    match = HTTP_CHARSET.search(content_type)
    header = _codec(match.group(2)) if match else None
    document = _codec(_document_encoding(body))
    if not header or not document or header == document:
        return headers
    candidates = (["utf-8"] if "utf-8" in (header, document) else []) + [header, document]
    for candidate in candidates:
        try:
            body.decode(candidate)
        except UnicodeDecodeError:
            continue
        headers["content-type"] = HTTP_CHARSET.sub(rf"\g<1>{candidate}", content_type, count=1)
        break
    return headers


def _document_encoding(body: bytes) -> str | None:
    for bom, name in BOMS:
        if body.startswith(bom):
            return name
    match = XML_ENCODING.match(body[:SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def parse_large_feed(fetched: Fetched) -> Listing:
    """A feed streamed by lxml: every entry's link, title, date and summary, nothing else kept."""
    entries: list[Entry] = []
    kind = "rss"
    feed_dates: dict[str, str] = {}
    events = lxml.etree.iterparse(io.BytesIO(fetched.body), events=("end",), **_SAFE_XML)
    try:
        for _event, element in events:
            if _local(element.tag) not in ENTRY_TAGS:
                _feed_date(element, feed_dates)
                continue
            kind = "atom" if _local(element.tag) == "entry" else kind
            entry = _lean_entry(element, fetched.url)
            if entry is not None:
                entries.append(entry)
            element.clear(keep_tail=True)
            while element.getprevious() is not None:  # drop the entries already read
                del element.getparent()[0]
    except lxml.etree.XMLSyntaxError as error:
        if not entries:
            raise ParseError(f"{fetched.url}: broken feed XML: {error}", url=fetched.url) from None
    if not entries:
        raise ParseError(
            f"{fetched.url}: a {len(fetched.body):,}-byte feed with no readable entries",
            url=fetched.url,
        )
    updated = next((_writer_date(feed_dates[k]) for k in FEED_DATE_TAGS if k in feed_dates), None)
    return Listing(kind=kind, entries=tuple(_unique(entries)), updated=updated)


def _feed_date(element, found: dict[str, str]) -> None:
    """Keep a date element of the channel (RSS) or the feed (Atom) itself, not of an entry."""
    name = _local(element.tag)
    parent = element.getparent()
    if name in FEED_DATE_TAGS and parent is not None and _local(parent.tag) in FEED_PARENTS:
        found.setdefault(name, "".join(element.itertext()).strip())


def _lean_entry(element, base_url: str) -> Entry | None:
    texts: dict[str, str] = {}
    href = None
    for child in element:
        name = _local(child.tag)
        if name == "link" and child.get("href") is not None:  # Atom
            if href is None and child.get("rel", "alternate") == "alternate":
                href = child.get("href")
        elif name not in texts:
            texts[name] = "".join(child.itertext()).strip()
    link = href or _lean_link(texts)
    url = canonical_url(link, base_url) if link else ""
    if not _is_http(url):
        return None
    published = next((_lean_date(texts[k]) for k in DATE_TAGS if texts.get(k)), None)
    summary = next((texts[k] for k in SUMMARY_TAGS if texts.get(k)), None)
    return Entry(url=url, title=texts.get("title") or None, published=published, summary=summary)


def _lean_link(texts: dict[str, str]) -> str | None:
    """RSS ``<link>``, else a ``<guid>`` / ``<id>`` that is an http(s) URL."""
    if texts.get("link"):
        return texts["link"]
    ids = (texts.get(k, "") for k in ("guid", "id"))
    return next((i for i in ids if i.startswith(("http://", "https://"))), None)


def _lean_date(text: str) -> str | None:
    """RFC 822 or ISO 8601 → ISO 8601 in UTC, like feedparser's dates."""
    moment = _moment(text)
    try:
        return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None
    except (OverflowError, ValueError):
        return None


def _writer_date(text: str) -> str | None:
    """RFC 822 or ISO 8601 → ISO 8601 in the writer's own offset, which keeps the feed's local
    day (``Tue, 06 Dec 2022 06:00 +0700`` stays the 6th; in UTC it would be the 5th)."""
    moment = _moment(text)
    return moment.isoformat(timespec="seconds") if moment else None


def _moment(text: str) -> datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _entry_link(raw) -> str | None:
    link = raw.get("link")
    if link:
        return link
    for candidate in raw.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return candidate["href"]
    guid = raw.get("id") or ""
    return guid if guid.startswith(("http://", "https://")) else None


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    result = []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            result.append(entry)
    return result


# No DTD loading, no entity expansion, no network, no huge trees.
_SAFE_XML = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "recover": True,
    "remove_comments": True,
}


def _safe_xml_parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(**_SAFE_XML)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, base_url: str) -> Listing:
    """A sitemap, sitemap index or news sitemap, parsed without expanding any entity."""
    try:
        root = lxml.etree.fromstring(body, _safe_xml_parser())
    except lxml.etree.XMLSyntaxError as error:
        raise ParseError(f"{base_url}: broken sitemap XML: {error}", url=base_url) from None
    if root is None:
        raise ParseError(f"{base_url}: empty or unreadable sitemap", url=base_url)
    if _local(root.tag) == "sitemapindex":
        children = [_child_text(node, "loc") for node in root if _local(node.tag) == "sitemap"]
        dated = [
            (_child_text(node, "lastmod") or "", loc)
            for node, loc in zip(
                [n for n in root if _local(n.tag) == "sitemap"], children, strict=True
            )
            if loc and _is_http(canonical_url(loc, base_url))
        ]
        dated.sort(reverse=True)  # newest first: the pipeline reads only the freshest few
        return Listing(kind="sitemapindex", entries=(),
                       sitemaps=tuple(canonical_url(loc, base_url) for _, loc in dated))
    if _local(root.tag) != "urlset":
        raise ParseError(f"{base_url}: not a sitemap (root <{_local(root.tag)}>)", url=base_url)
    entries = []
    for node in root:
        loc = _child_text(node, "loc") if _local(node.tag) == "url" else None
        if not loc or not _is_http(canonical_url(loc, base_url)):
            continue
        news = next((n for n in node if _local(n.tag) == "news"), None)
        title = _child_text(news, "title") if news is not None else None
        published = (_child_text(news, "publication_date") if news is not None else None) or \
            _child_text(node, "lastmod")
        entries.append(Entry(url=canonical_url(loc, base_url), title=title, published=published))
    return Listing(kind="sitemap", entries=tuple(_unique(entries)))


def _child_text(node, name: str) -> str | None:
    for child in node.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_html_listing(body: bytes, base_url: str, *, include=(), exclude=()) -> Listing:
    """Article links found on a listing page of the same site.

    Without ``include``, a link counts when it points into the same site, sits outside menus,
    headers and footers, and looks like an article (a long slug, a numeric id, a date path or a
    page extension). With ``include``, exactly the same-site links matching one of its regexes
    count. ``exclude`` drops matching links in both cases.
    """
    try:
        document = lxml.html.document_fromstring(body, base_url=base_url)
    except (lxml.etree.ParserError, ValueError) as error:
        raise ParseError(f"{base_url}: unreadable HTML: {error}", url=base_url) from None
    document.make_links_absolute(base_url, resolve_base_href=True, handle_failures="discard")
    includes = [re.compile(p) for p in include]
    excludes = [re.compile(p) for p in exclude]
    entries = []
    for anchor in document.iter("a"):
        href = anchor.get("href")
        if not href or not href.startswith(("http://", "https://")):
            continue
        url = canonical_url(href)
        if not same_site(url, base_url) or url == canonical_url(base_url):
            continue
        if includes:
            if not any(p.search(url) for p in includes):
                continue
        elif _in_boilerplate(anchor) or not ARTICLE_PATH.search(_path_and_query(url)):
            continue
        if any(p.search(url) for p in excludes):
            continue
        title = " ".join(anchor.text_content().split()) or anchor.get("title")
        entries.append(Entry(url=url, title=title or None))
    return Listing(kind="html", entries=tuple(_unique(entries)))


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _in_boilerplate(element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in BOILERPLATE:
            return True
        marker = f"{ancestor.get('class', '')} {ancestor.get('id', '')} {ancestor.get('role', '')}"
        if marker.strip() and BOILERPLATE_CLASS.search(marker):
            return True
    return False
