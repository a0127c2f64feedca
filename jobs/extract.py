"""Article page bytes → ``Article``. Pure: no network, no database, no clock.

Decoding is done here, not left to guessing: a Vietnamese page in windows-1258 that declares its
charset only in a ``<meta>`` tag must come out as ``Việt Nam``, and so must a UTF-8 page that
declares nothing. Order: byte-order mark; valid UTF-8 (pages that decode cleanly as UTF-8 are
UTF-8 far more often than not, whatever a stale header says); the HTTP charset; the ``<meta>``
charset; charset-normalizer's guess; windows-1252 with replacement as the last resort. All text
is normalised to NFC (windows-1258 spells tones as combining marks).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

import charset_normalizer
import trafilatura
from htmldate import find_date
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title
from trafilatura.utils import load_html

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
        declared.append(match.group(1).decode("ascii"))
    for name in declared:
        if text := _try_decode(body, name):
            return text
    guess = charset_normalizer.from_bytes(body[:65536]).best()
    if guess is not None and (text := _try_decode(body, guess.encoding)):
        return text
    return nfc(body.decode("cp1252", "replace")) or ""


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
    """Reduce a page to an Article; fall back to the listing entry's title, date and summary."""
    headers = headers or {}
    html = decode_html(body, headers.get("content-type"))
    tree = load_html(html) if html.strip() else None
    title = published = description = text = None
    if tree is not None:
        title, published, description = _metadata(tree, url)  # before trafilatura prunes it
        document = trafilatura.bare_extraction(
            tree, url=url, with_metadata=False, include_comments=False, include_tables=False)
        text = document.text if document is not None else None
    fallback = fallback or Entry(url=url)
    lang = HTML_LANG.search(html[:HEAD_BYTES])
    return Article(
        url=page_canonical(html, url),
        source=source,
        title=nfc(title or fallback.title or "") or "",
        text=nfc(text or _strip_tags(fallback.summary) or "") or "",
        published=published or fallback.published,
        language=lang.group(1).lower() if lang else None,
        description=nfc(description or _strip_tags(fallback.summary)),
    )


def _metadata(tree, url: str) -> tuple[str | None, str | None, str | None]:
    """Title, publication date and description, by trafilatura's and htmldate's own readers.

    ``with_metadata=True`` would also look for author, licence, categories, tags and site name,
    which coopwatch does not keep: that doubled the cost of extraction (bench/RESULTS.md).
    """
    meta = extract_meta_json(tree, examine_meta(tree))
    published = find_date(tree, url=url, original_date=True, extensive_search=False)
    return meta.title or extract_title(tree), published, meta.description


def _strip_tags(html: str | None) -> str | None:
    if not html:
        return None
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()) or None
