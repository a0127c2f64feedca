"""Article page bytes → ``Article``. Pure: no network, no database, no clock.

Decoding is done here, not left to guessing: a Vietnamese page in windows-1258 that declares its
charset only in a ``<meta>`` tag must come out as ``Việt Nam``, and so must a UTF-8 page that
declares nothing. Order: byte-order mark; valid UTF-8 (pages that decode cleanly as UTF-8 are
UTF-8 far more often than not, whatever a stale header says); UTF-8 with U+FFFD for a few stray
bytes, when the page says UTF-8 or nothing and most of its non-ASCII text decodes (a guessed
legacy charset would garble the whole page to save three bytes); the HTTP charset; the ``<meta>``
charset; charset-normalizer's guess; windows-1252 with replacement as the last resort. All text
is normalised to NFC (windows-1258 spells tones as combining marks).

The publication date is htmldate's extensive search, stage by stage, so the kind of evidence
that gave it is kept (``Article.published_from``; see ``find_published``). The text is
trafilatura's, with tables (see ``extract_article``) and without readers' comments."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from copy import deepcopy
from datetime import date, datetime, timedelta

import charset_normalizer
import trafilatura
from htmldate import core as htmldate_core
from htmldate.extractors import (
    FREE_TEXT_EXPRESSIONS,
    discard_unwanted,
    extract_url_date,
    idiosyncrasies_search,
    img_search,
    json_search,
    pattern_search,
)
from htmldate.settings import CLEANING_LIST, MAX_SEGMENT_LEN, MIN_SEGMENT_LEN
from htmldate.utils import Extractor, clean_html, load_html
from htmldate.validators import check_extracted_reference, get_max_date, get_min_date
from lxml import etree
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title

from jobs.models import Article, Entry
from jobs.text import nfc
from jobs.urls import canonical_url, same_site

META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.IGNORECASE)
HTML_LANG = re.compile(r"<html[^>]*?\blang\s*=\s*[\"']?([a-zA-Z]{2,3})", re.IGNORECASE)
CANONICAL = re.compile(
    r"""<link\b(?=[^>]*\brel\s*=\s*["']?canonical)[^>]*\bhref\s*=\s*["']([^"'\s>]+)""",
    re.IGNORECASE)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
HEAD_BYTES = 4096
STAMP = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)\s?"
    r"(Z|[+-]\d{2}:?\d{2})(?![\d:])")
UTC_STAMP_TAIL = r"[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\s?(?:Z|[+-]00:?00)(?![\d:])"
ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
UTF8_MAJORITY = 10  # good UTF-8 characters per stray byte to overrule a declared legacy charset
# A date guessed from the page's free text is right two times in three on htmldate's pages
# (bench/PEERS.md): the date the publisher's own feed or sitemap gives is better evidence.
WEAKER_THAN_ENTRY = ("free-text",)
STAMPED = ("metadata", "json-ld", "html")  # evidence that is usually a full timestamp
SHORT_TEXT = 1000  # characters: a shorter fast text is extracted again with the fallbacks
BYLINE_SEPARATOR = re.compile(r"\s+[·•|–—-]\s+|:\s+")
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
RDF_DESCRIPTION = re.compile(r"<rdf:Description\b[^>]*>", re.IGNORECASE)
RDF_ABOUT = re.compile(r"""\brdf:about\s*=\s*["']([^"']+)""", re.IGNORECASE)
RDF_DATE = re.compile(r"""\bdc:date\s*=\s*["']([^"']+)""", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode an HTML page (see the module docstring for the order of evidence)."""
    for bom, encoding in BOMS:
        if body.startswith(bom):
            return nfc(body.decode(encoding, "replace")) or ""
    try:
        return nfc(body.decode("utf-8")) or ""
    except UnicodeDecodeError:
        pass
    declared = []
    if content_type and (match := HTTP_CHARSET.search(content_type)):
        declared.append(match.group(1))
    if match := META_CHARSET.search(body[:HEAD_BYTES]):
        declared.append(match.group(1).decode("ascii", "replace"))
    if text := _mostly_utf8(body, claimed=not declared or _codec(declared[0]) == "utf-8"):
        return text
    for name in declared:
        if text := _try_decode(body, name):
            return text
    guess = charset_normalizer.from_bytes(body[:65536]).best()
    if guess is not None and (text := _try_decode(body, guess.encoding)):
        return text
    return nfc(body.decode("cp1252", "replace")) or ""


def _mostly_utf8(body: bytes, *, claimed: bool) -> str | None:
    """The page as UTF-8 with U+FFFD for stray bytes, when it is UTF-8 with a few stray bytes.

    A page that says UTF-8 (or says nothing) is taken as UTF-8 unless most of its non-ASCII
    characters fail to decode; a page that names another charset only when nearly all of them
    decode (ten good for one bad), as no legacy single-byte text does by chance.
    """
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if good >= bad * (1 if claimed else UTF8_MAJORITY):
        return nfc(text)
    return None


def _try_decode(body: bytes, name: str) -> str | None:
    codec = _codec(name)
    if codec is None or codec == "utf-8":  # utf-8 was tried first, strictly
        return None
    try:
        return nfc(body.decode(codec))
    except UnicodeDecodeError:
        return None


def page_canonical(html: str, url: str) -> str:
    """The page's ``<link rel=canonical>`` when it stays on the same site, else ``url``."""
    match = CANONICAL.search(html[:65536])
    if match:
        candidate = canonical_url(match.group(1), url)
        if candidate.startswith(("http://", "https://")) and same_site(candidate, url):
            return candidate
    return canonical_url(url)


def extract_article(
    body: bytes,
    url: str,
    *,
    source: str,
    headers: Mapping[str, str] | None = None,
    fallback: Entry | None = None,
) -> Article:
    """Reduce a page to an Article; fall back to the listing entry's title, date and summary.

    The entry's date also replaces a date the page only gave as a guess (free text).

    Per field, on purpose: the text keeps tables, because agreement terms, delegation lists and
    schedules are put in tables, and trafilatura's own pruning already drops the link-heavy
    ones that are menus (on trafilatura's 990 evaluation pages: 10 more fully right, 3 fewer).
    It leaves readers' comments out: a commenter's claim is no report (and 3 more of those pages
    are fully right without them). Title and description come from the metadata either way.
    """
    headers = headers or {}
    html = decode_html(body, headers.get("content-type"))
    # htmldate's loader keeps comments (old blogs put an RDF dc:date there); trafilatura's drops
    # them, so they are stripped before the text is extracted.
    tree = load_html(html) if html.strip() else None
    title = published = published_from = description = text = None
    if tree is not None:
        published, published_from = find_published(tree, html, url)
        _without_comments(tree)
        title, description = _title_description(tree)  # before trafilatura prunes the tree
        text = _main_text(tree, html, url)
    fallback = fallback or Entry(url=url)
    if fallback.published and (not published or published_from in WEAKER_THAN_ENTRY):
        published, published_from = fallback.published, "entry"
    lang = HTML_LANG.search(html[:HEAD_BYTES])
    return Article(
        url=page_canonical(html, url),
        source=source,
        title=nfc(title or fallback.title or "") or "",
        text=nfc(text or _strip_tags(fallback.summary) or "") or "",
        published=published,
        language=lang.group(1).lower() if lang else None,
        description=nfc(description or _strip_tags(fallback.summary)),
        published_from=published_from,
    )


def _main_text(tree, html: str, url: str) -> str | None:
    """The page's main text by trafilatura: its fast mode first, its full comparison with the
    readability and jusText fallbacks only when the fast text is short.

    The fallbacks cost half the extraction and change the text of 73 of trafilatura's 990
    evaluation pages, mostly ones where the fast text is under ``SHORT_TEXT`` characters: an
    article's text is rarely that short, a page whose main block was missed often is. On those
    990 pages (bench/PEERS.md) this rule gets the same 668 fully right as the fallbacks on every
    page, fast mode alone 663."""
    options = {"url": url, "with_metadata": False, "include_comments": False,
               "include_tables": True}
    document = trafilatura.bare_extraction(tree, fast=True, **options)
    text = document.text if document is not None else None
    if text is None or len(text) < SHORT_TEXT:  # trafilatura pruned ``tree``: parsed again
        document = trafilatura.bare_extraction(_without_comments(load_html(html)), **options)
        text = document.text if document is not None else None
    return text


def _without_comments(tree):
    etree.strip_tags(tree, etree.Comment)
    return tree


def _title_description(tree) -> tuple[str | None, str | None]:
    """Title and description, by trafilatura's own readers.

    ``with_metadata=True`` would also look for author, licence, categories, tags and site name,
    which coopwatch does not keep: that doubled the cost of extraction (bench/RESULTS.md).
    """
    meta = extract_meta_json(tree, examine_meta(tree))
    return meta.title or extract_title(tree), meta.description


def find_published(tree, html: str, url: str) -> tuple[str | None, str | None]:
    """The publication day and the kind of evidence that gave it, strongest evidence first.

    The stages are htmldate's own ``find_date(extensive_search=True, original_date=True)``, run
    one at a time so the winning stage is known, with three additions: an RDF ``dc:date`` in a
    comment (read in ``html``), the site's local day for a UTC timestamp, and byline parts tried
    alone. ``tree`` must keep the page's comments, as htmldate's own loader does: its later
    stages read the serialised page, comments included. Evidence kinds, strongest first: ``url``,
    ``metadata``, ``json-ld``, ``comment``, ``text`` (a dated element), ``html`` (a timestamp
    elsewhere in the source), ``free-text`` (the likeliest date in the text: a guess). The stage
    functions are htmldate's module-level functions rather than its public API (checked with
    htmldate 1.11): an upgrade that renames one fails at import, not silently.
    """
    options = Extractor(True, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")
    for kind, stage in (("url", lambda: extract_url_date(url, options)),
                        ("metadata", lambda: htmldate_core.examine_header(tree, options)),
                        ("json-ld", lambda: json_search(tree, options)),
                        ("comment", lambda: _comment_date(html, url, options)),
                        ("text", lambda: htmldate_core.examine_abbr_elements(tree, options))):
        if day := stage():
            return _local_day(day, html) if kind in STAMPED else day, kind
    day, kind = _search_body(tree, options)
    return (_local_day(day, html) if day and kind in STAMPED else day), kind


def _pieces(segment: str) -> list[str]:
    """A text segment, and the parts of a byline that joins a name and a date with a separator.

    "Redacción · martes 17 de marzo de 2020" is no date to a date parser, its second part is.
    """
    if not MIN_SEGMENT_LEN < len(segment) < MAX_SEGMENT_LEN:
        return []
    parts = BYLINE_SEPARATOR.split(segment)
    if len(parts) == 1:
        return [segment]
    return [segment, *(part for part in parts if len(part) > MIN_SEGMENT_LEN and YEAR.search(part))]


def _comment_date(html: str, url: str, options: Extractor) -> str | None:
    """The ``dc:date`` of an RDF description, which blogs used to put in an HTML comment.

    A page listing several posts has several: the one about ``url`` wins, else they must agree.
    """
    if "dc:date" not in html:
        return None
    days = {}
    for match in RDF_DESCRIPTION.finditer(html):
        about, stamp = RDF_ABOUT.search(match.group(0)), RDF_DATE.search(match.group(0))
        if stamp and (day := _parse_stamp(stamp.group(1))):
            days[canonical_url(about.group(1)) if about else ""] = day.date()
    if not days:
        return None
    day = days.get(canonical_url(url))
    if day is None and len(set(days.values())) == 1:
        day = next(iter(days.values()))
    if day is None or not options.min.date() <= day <= options.max.date():
        return None
    return day.isoformat()


def _parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _local_day(day: str, html: str) -> str:
    """The page's own calendar day for a date read from a UTC timestamp.

    Sites stamp metadata in UTC and write the day in their own zone: 23:59 UTC on 24 December is
    25 December in Cairo. When the same instant is also given with the site's offset (JSON-LD
    often is), that offset's day is the one the page was published on.
    """
    if not re.search(re.escape(day) + UTC_STAMP_TAIL, html):  # no UTC stamp on that day: done
        return day
    stamps = _stamps_around(day, html)
    utc = [stamp for stamp in stamps
           if stamp.utcoffset() == ZERO and stamp.date().isoformat() == day]
    local = [stamp for stamp in stamps if stamp.utcoffset() != ZERO]
    for stamp in utc:
        for other in local:
            if other == stamp:
                return other.date().isoformat()
    return day


def _stamps_around(day: str, html: str) -> list[datetime]:
    """The timestamps written on ``day`` or the day before or after, the only ones that can be
    the same instant as a UTC stamp on ``day``. Each is found by a plain search for its date and
    checked there: ``STAMP`` run over a whole page cost more than the rest of the date search."""
    middle = date.fromisoformat(day)
    found = []  # (where, stamp): in the page's order, as a search from its top finds them
    for near in (middle - ONE_DAY, middle, middle + ONE_DAY):
        written = near.isoformat()
        at = html.find(written)
        while at >= 0:
            if (match := STAMP.match(html, at)) and (stamp := _stamp(match)) is not None:
                found.append((at, stamp))
            at = html.find(written, at + 1)
    return [stamp for _, stamp in sorted(found, key=lambda pair: pair[0])]


def _stamp(match: re.Match) -> datetime | None:
    zone = match.group(3)
    zone = "+00:00" if zone == "Z" else zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    return _parse_stamp(f"{match.group(1)}T{match.group(2)}{zone}")


def _search_body(tree, options: Extractor) -> tuple[str | None, str | None]:
    """htmldate's later stages, on a pruned copy: dated elements, the HTML, the free text."""
    try:
        pruned = discard_unwanted(clean_html(deepcopy(tree), CLEANING_LIST))
    except ValueError:  # lxml refuses some control characters
        pruned = deepcopy(tree)
    if day := (htmldate_core.examine_elements(
            htmldate_core.date_candidates(pruned, True), options)
            or htmldate_core.examine_elements(pruned.xpath(".//title|.//h1"), options)
            or htmldate_core.examine_time_elements(pruned, options)):
        return day, "text"
    html = htmldate_core.serialize(pruned)
    if day := (pattern_search(html, htmldate_core.TIMESTAMP_PATTERN, options)
               or img_search(pruned, options) or idiosyncrasies_search(html, options)):
        return day, "html"
    reference = None
    for segment in FREE_TEXT_EXPRESSIONS(pruned):
        for piece in _pieces(segment.strip()):
            reference = htmldate_core.compare_reference(reference, piece, options)
    day = check_extracted_reference(reference, options) or htmldate_core.search_page(html, options)
    return day, "free-text" if day else None


def _strip_tags(html: str | None) -> str | None:
    if not html:
        return None
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()) or None
