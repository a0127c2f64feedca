"""Frozen dataclasses handed from one pipeline stage to the next.

Stages never pass database rows or HTTP responses around: they pass these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """One validated entry of ``sources.yaml`` with the defaults applied."""

    name: str
    url: str
    kind: str = "auto"  # auto | rss | atom | sitemap | html
    interval: int = 3600  # seconds
    language: str | None = None
    country: str | None = None
    enabled: bool = True
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    delay: float = 1.0
    timeout: float = 30.0
    max_bytes: int = 10_000_000
    max_entries: int = 500
    user_agent: str = ""
    allow_private_network: bool = False
    line: int = 0  # where it was defined in sources.yaml, for messages


@dataclass(frozen=True)
class Fetched:
    """The outcome of one HTTP GET: a body, a 304, or a refused/failed request."""

    url: str  # the final URL after redirects
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass(frozen=True)
class Entry:
    """One article link found in a listing (feed, sitemap or HTML page)."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO 8601, UTC
    summary: str | None = None


@dataclass(frozen=True)
class Listing:
    """What a listing document parsed into."""

    kind: str  # rss | atom | sitemap | sitemapindex | html
    entries: tuple[Entry, ...]
    sitemaps: tuple[str, ...] = ()  # child sitemaps of a sitemap index
    updated: str | None = None  # the feed's own date (RSS lastBuildDate/pubDate, Atom updated)


@dataclass(frozen=True)
class Article:
    """An article page reduced to clean text and metadata."""

    url: str  # canonical
    source: str
    title: str
    text: str
    published: str | None = None  # ISO 8601 date or datetime
    language: str | None = None
    description: str | None = None
    # The day relative and year-less dates count from when the page and its feed entry give no
    # date: YYYY-MM-DD, and where it came from, ``feed`` (the feed's own date) or ``first_seen``
    # (the day a fresh listing first showed the link; see jobs.pipeline.reference_day).
    reference: str | None = None
    reference_from: str | None = None
    # Which evidence gave ``published`` (jobs/extract.py, strongest first): url | metadata |
    # json-ld | comment | text | html | free-text, or ``entry`` (the feed entry's date).
    published_from: str | None = None


@dataclass(frozen=True)
class Item:
    """A cooperation item found in one article (see jobs/classify/__init__.py)."""

    url: str
    source: str
    title: str
    published: str | None  # YYYY-MM-DD
    event_date: str | None  # YYYY-MM-DD
    place: str | None
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2 of the parties, sorted
    organisations: tuple[str, ...]  # canonical names, sorted
    kinds: tuple[str, ...]
    topics: tuple[str, ...]
    summary: str
    evidence: dict[str, Any]
    score: float
    classifier: str
    # How event_date was known: stated | inferred | year-less | missing (jobs/classify/fields.py);
    # and, for a year-less day, its month and day: --MM-DD.
    event_date_basis: str | None = None
    event_day: str | None = None


@dataclass(frozen=True)
class Rejection:
    """Why an article is not a cooperation item."""

    url: str
    reason: str
    classifier: str = ""


@dataclass(frozen=True)
class RunResult:
    """One source's outcome in one sync pass."""

    source: str
    status: str  # ok | not_modified | error | skipped
    http_status: int | None = None
    entries: int = 0
    new_articles: int = 0
    new_items: int = 0
    error: str | None = None
