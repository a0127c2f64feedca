"""``coopwatch try``: one source's pass, dry — what sync would read, and nothing written.

It fetches the listing and one article page with the same ``Fetcher`` (robots.txt, size caps,
private-network guard), parses, extracts and classifies them with the same functions as
``jobs.pipeline``, and returns what it saw. It opens no database and takes no lock, so it can run
beside ``coopwatch run`` and before a source is added to sources.yaml: the way to fit an
``include`` pattern to a site's real links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from jobs.config import shown_pattern
from jobs.errors import SourceError
from jobs.extract import extract_article
from jobs.fetch import Fetcher
from jobs.models import Article, Entry, Fetched, Item, Listing, Rejection, Source
from jobs.parse import parse_html_listing, parse_listing
from jobs.pipeline import MAX_CHILD_SITEMAPS, Classifier, include_kept_none

SHOWN = 5  # article URLs listed, kept and not kept
ATTEMPTS = 3  # article pages tried before giving up on showing one


@dataclass(frozen=True)
class Trial:
    """What one dry pass over a source saw."""

    source: Source
    url: str  # the listing's final URL, after redirects
    status: int
    kind: str  # rss | atom | sitemap | html (as detected or configured)
    listed: int  # entries the listing gives (html: links to pages of its own site)
    kept: tuple[Entry, ...]  # what sync would fetch (before dropping URLs already stored)
    not_kept: tuple[str, ...]  # html links no include pattern kept (or not article-like)
    problem: str | None = None  # the error sync would record for this listing
    article: Article | None = None
    verdict: Item | Rejection | None = None
    article_errors: tuple[str, ...] = ()


def run_trial(source: Source, classifier: Classifier, fetcher: Fetcher | None = None) -> Trial:
    """Fetch ``source``'s listing and its first article page; raise SourceError if the listing
    cannot be fetched or read (what sync would record as the source's error)."""
    fetcher = fetcher or Fetcher()
    fetched = fetcher.get(source.url, source)
    listing = parse_listing(fetched, source.kind, include=source.include, exclude=source.exclude)
    problem = include_kept_none(fetched, listing, source)
    listing = _with_children(listing, fetcher, source)
    listed, not_kept = _html_links(fetched, listing)
    trial = Trial(source, fetched.url, fetched.status, listing.kind, listed or len(listing.entries),
                  listing.entries, not_kept, problem)
    return _first_article(trial, fetcher, classifier) if listing.entries else trial


def _with_children(listing: Listing, fetcher: Fetcher, source: Source) -> Listing:
    """A sitemap index read as sync reads it: its first children's entries."""
    if not listing.sitemaps:
        return listing
    entries: list[Entry] = []
    for child_url in listing.sitemaps[:MAX_CHILD_SITEMAPS]:
        entries.extend(parse_listing(fetcher.get(child_url, source), "sitemap").entries)
    return Listing("sitemap", tuple(entries))


def _html_links(fetched: Fetched, listing: Listing) -> tuple[int, tuple[str, ...]]:
    """For an html listing: how many links to its own site it has, and those not kept."""
    if listing.kind != "html":
        return 0, ()
    links = parse_html_listing(fetched.body, fetched.url, include=(".",)).entries
    kept = {entry.url for entry in listing.entries}
    return len(links), tuple(e.url for e in links if e.url not in kept)


def _first_article(trial: Trial, fetcher: Fetcher, classifier: Classifier) -> Trial:
    source, errors = trial.source, []
    for entry in trial.kept[:ATTEMPTS]:
        try:
            page = fetcher.get(entry.url, source)
            article = extract_article(page.body, entry.url, source=source.name,
                                      headers=page.headers, fallback=entry)
        except SourceError as error:
            errors.append(str(error))
            continue
        if not article.language and source.language:
            article = replace(article, language=source.language)
        return replace(trial, article=article, verdict=classifier(article, source.country),
                       article_errors=tuple(errors))
    return replace(trial, article_errors=tuple(errors))


def report(trial: Trial, echo: Callable[[str], None]) -> None:
    """Print ``trial`` for a person fitting a source: one fact a line."""
    source = trial.source
    echo(f"source    {source.name}: {source.url}")
    if trial.url != source.url:
        echo(f"          redirected to {trial.url}")
    detected = "detected" if source.kind == "auto" else "as configured"
    echo(f"listing   HTTP {trial.status}, {trial.kind} ({detected})")
    patterns = ", ".join(f"'{shown_pattern(p)}'" for p in source.include) or "none"
    if trial.kind == "html":
        echo(f"entries   {trial.listed} links to pages of this site; include {patterns} "
             f"keeps {len(trial.kept)}")
    else:
        echo(f"entries   {len(trial.kept)} in the {trial.kind} "
             "(include/exclude apply to html listings only)")
    _urls("kept" if trial.kind == "html" else "articles", [e.url for e in trial.kept], echo)
    if trial.kind == "html":
        _urls("not kept", list(trial.not_kept), echo)
    if trial.problem:
        echo(f"problem   {trial.problem}")
    for error in trial.article_errors:
        echo(f"failed    {error}")
    if trial.article is not None:
        _article(trial.article, trial.verdict, echo)


def _urls(label: str, urls: list[str], echo: Callable[[str], None]) -> None:
    if not urls:
        return
    more = f" (first {SHOWN} of {len(urls)})" if len(urls) > SHOWN else ""
    echo(f"{label}{more}:")
    for url in urls[:SHOWN]:
        echo(f"  {url}")


def _article(article: Article, verdict: Item | Rejection | None,
             echo: Callable[[str], None]) -> None:
    echo(f"article   {article.url}")
    echo(f"  title      {article.title or '-'}")
    published = article.published or "-"
    if article.published_from:
        published += f" (from {article.published_from})"
    echo(f"  published  {published}")
    echo(f"  language   {article.language or '-'}")
    echo(f"  text       {len(article.text):,} characters")
    if isinstance(verdict, Rejection):
        echo(f"  decision   rejected: {verdict.reason}")
    elif isinstance(verdict, Item):
        _item(verdict, echo)


def _item(item: Item, echo: Callable[[str], None]) -> None:
    echo(f"  decision   item (score {item.score:g})")
    rows = {
        "countries": ", ".join(item.countries),
        "organisations": ", ".join(item.organisations),
        "kinds": ", ".join(item.kinds),
        "topics": ", ".join(item.topics),
        "event date": f"{item.event_date or '-'} ({item.event_date_basis or 'missing'})",
        "place": item.place,
        "summary": item.summary,
    }
    for name, value in rows.items():
        echo(f"  {name:14} {value or '-'}")
