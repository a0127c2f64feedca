"""The only place that knows the order of the stages, and isolates one source's failure.

    fetch listing (conditional GET) → parse entries → drop URLs already stored → fetch pages
    → extract Article → classify → store (article, item, source state, run row)

Articles are committed in small batches as they arrive, so a crash keeps the work done; the
source's new ETag / Last-Modified are committed only with the last batch, and only when every
entry of the listing is stored. A crash, a failed page or the per-pass cap therefore never makes
the next pass skip an article: it sees the whole listing again and fetches what is missing.

Sources are synced by a small pool of threads so that their requests overlap, but only one thread
extracts and classifies at a time, holding ``Sync.working``: Python threads doing CPU work at once
only take turns on the interpreter, and the turns cost (four such threads spent a fifth more CPU
per article than one, bench/RESULTS.md). The database has a single writer, guarded by
``Sync.lock``. The two locks are never held together.
"""

from __future__ import annotations

import email.utils
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import sqlite_utils

from jobs import events, store
from jobs.config import shown_pattern
from jobs.corrections import Correction, Corrections, CorrectionsWatch, Review, apply
from jobs.errors import ParseError, RateLimitedError, SourceError, StoppedError
from jobs.extract import extract_article
from jobs.fetch import Fetcher
from jobs.models import Article, Entry, Fetched, Item, Listing, Rejection, RunResult, Source
from jobs.parse import parse_html_listing, parse_listing

log = logging.getLogger(__name__)

BATCH = 20  # articles per transaction
MAX_CHILD_SITEMAPS = 3  # newest children of a sitemap index read per pass
WORKERS = 4

Classifier = Callable[[Article, str | None], Item | Rejection]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def default_classifier(scope: dict | None = None) -> Classifier:
    from jobs.classify import Scope, classify, warm_up

    parsed = Scope.from_config(scope) if scope else Scope.default()
    warm_up(parsed)  # the gazetteer and the scope's phrase index, once, before the first page

    def run(article: Article, country: str | None) -> Item | Rejection:
        return classify(article, scope=parsed, source_country=country)

    return run


@dataclass
class Sync:
    """One sync pass's shared parts: the database (one writer), the fetcher, the clock."""

    db: sqlite_utils.Database
    fetcher: Fetcher = field(default_factory=Fetcher)
    classifier: Classifier | None = None
    clock: Callable[[], datetime] = utcnow
    lock: threading.RLock = field(default_factory=threading.RLock)  # the database's writer
    working: threading.Lock = field(default_factory=threading.Lock)  # extracting, classifying
    claimed: set[str] = field(default_factory=set)  # URLs a running source is handling
    stopping: threading.Event = field(default_factory=threading.Event)  # set on shutdown
    corrections: CorrectionsWatch | None = None  # reviewers' corrections, reread when changed
    countries: dict[str, str | None] = field(default_factory=dict)  # each source's country
    applied: Corrections | None = None  # the corrections the stored articles last got

    def claim(self, urls: list[str]) -> list[str]:
        """Keep the URLs no other source of this pass has taken, and take them.

        A URL taken by another source is safe to leave: it is in that source's listing too,
        and that source saves its validators only once the URL is stored.
        """
        with self.lock:
            mine = [url for url in urls if url not in self.claimed]
            self.claimed.update(mine)
        return mine

    def release(self, urls: set[str]) -> None:
        """Give the URLs back once their source's pass is over, stored or not."""
        with self.lock:
            self.claimed.difference_update(urls)

    def run(self, sources: list[Source], workers: int = WORKERS,
            done: Callable[[RunResult], None] | None = None) -> list[RunResult]:
        """Sync every source; one failing never stops the others.

        ``done`` is called with each result as its source finishes (from the worker's thread).
        """
        def one(source: Source) -> RunResult:
            result = self.sync_source(source)
            if done is not None:
                done(result)
            return result

        if workers <= 1 or len(sources) <= 1:
            return [one(source) for source in sources]
        with ThreadPoolExecutor(max_workers=min(workers, len(sources))) as pool:
            return list(pool.map(one, sources))

    def sync_source(self, source: Source) -> RunResult:
        started = self.clock()
        corrections = self.corrections.current() if self.corrections else None
        fresh = corrections is not None and corrections is not self.applied
        with self.lock, store.transaction(self.db):
            if fresh and self.classifier is not None:
                correct_stored(self.db, corrections, self.classifier,
                               {**self.countries, source.name: source.country})
            store.ensure_source(self.db, source)
            state = store.source_state(self.db, source.name)
            state["previous_run"] = store.last_run(self.db, source.name)
        if fresh:
            self.applied = corrections
        wait_until = state.get("next_check")
        if wait_until and wait_until > iso(started):
            note = f"server asked to wait until {wait_until}"
            return RunResult(source.name, "skipped", error=note)
        run = _SourceRun(self, source, state, started)
        run.corrections = corrections
        try:
            return run.execute()
        except StoppedError as error:  # shutting down: keep what is stored, record no failure
            return run.finish(RunResult(source.name, "skipped", error=str(error)), None,
                              record=False)
        except SourceError as error:
            return run.fail(error)
        except Exception as error:  # a bug must not stop the other sources
            log.exception("%s: unexpected error", source.name)
            return run.fail(SourceError(f"internal error: {type(error).__name__}: {error}"))


class _SourceRun:
    """The state of one source's pass."""

    def __init__(self, sync: Sync, source: Source, state: dict, started: datetime):
        self.sync, self.source, self.state, self.started = sync, source, state, started
        self.pending: list[tuple[Article, str, Item | Rejection | None, Review | None]] = []
        self.corrections: Corrections | None = None
        self.new_articles = 0
        self.new_items = 0
        self.failures: list[str] = []
        self.next_check: str | None = None
        self.stopped = False
        self.claimed: set[str] = set()
        self.reference: tuple[str, str] | None = None  # for pages with no date: see reference_day

    def execute(self) -> RunResult:
        fetched = self.sync.fetcher.get(self.source.url, self.source,
                                        etag=self.state.get("etag"),
                                        last_modified=self.state.get("last_modified"))
        if fetched.status == 304:
            return self.finish(RunResult(self.source.name, "not_modified", 304), validators=None)
        listing = self._listing(fetched)
        self.reference = reference_day(listing, fetched.headers.get("last-modified"),
                                       self.state.get("previous_run") or {}, self.started)
        entries = listing.entries
        with self.sync.lock:
            known = store.known_urls(self.sync.db, [e.url for e in entries])
        new = [e for e in entries if e.url not in known]
        capped = len(new) > self.source.max_entries
        batch = new[: self.source.max_entries]
        self.claimed = set(self.sync.claim([e.url for e in batch]))
        for entry in (e for e in batch if e.url in self.claimed):
            if self.sync.stopping.is_set():
                self.stopped = True  # shutting down: keep what is done, the rest next time
            if self.stopped or not self._fetch_article(entry):
                break
        complete = not (capped or self.stopped or self.failures or self.next_check)
        validators = {"etag": fetched.headers.get("etag"),
                      "last_modified": fetched.headers.get("last-modified")} if complete else None
        result = RunResult(self.source.name, "ok", fetched.status, entries=len(entries),
                           error=self._problems(capped, len(new)))
        return self.finish(result, validators)

    def _listing(self, fetched) -> Listing:
        source = self.source
        listing = parse_listing(fetched, source.kind, include=source.include,
                                exclude=source.exclude)
        problem = include_kept_none(fetched, listing, source)
        if problem:
            raise ParseError(problem, url=fetched.url)
        if not listing.sitemaps:
            return listing
        entries: list[Entry] = []
        for child_url in listing.sitemaps[:MAX_CHILD_SITEMAPS]:
            child = parse_listing(self.sync.fetcher.get(child_url, source), "sitemap")
            entries.extend(child.entries)
        return Listing("sitemap", tuple(entries))

    def _fetch_article(self, entry: Entry) -> bool:
        """Fetch, extract, classify and queue one page; False to stop this pass."""
        try:
            page = self.sync.fetcher.get(entry.url, self.source)
        except RateLimitedError as error:
            self._wait(error)
            self.failures.append(str(error))
            return False
        except StoppedError:
            self.stopped = True
            return False
        except SourceError as error:
            self.failures.append(str(error))
            return True
        with self.sync.working:
            queued = self._read(page, entry)
        if queued and len(self.pending) >= BATCH:
            with self.sync.lock, store.transaction(self.sync.db):
                self._flush()
        return True

    def _read(self, page: Fetched, entry: Entry) -> bool:
        """Extract and classify a fetched page and queue it; False when it cannot be read."""
        try:
            article = extract_article(page.body, entry.url, source=self.source.name,
                                      headers=page.headers, fallback=entry)
        except Exception as error:  # one odd page must not fail its source
            log.exception("%s: cannot extract %s", self.source.name, entry.url)
            self.failures.append(f"{entry.url}: extraction failed: {type(error).__name__}")
            return False
        if not article.language and self.source.language:
            article = replace(article, language=self.source.language)
        if not article.published and self.reference:
            article = replace(article, reference=self.reference[0],
                              reference_from=self.reference[1])
        verdict = self._classify(article)
        correction = self.corrections.get(article.url) if self.corrections else None
        self.pending.append((article, entry.url, *apply(correction, article, verdict)))
        return True

    def _classify(self, article: Article) -> Item | Rejection | None:
        if self.sync.classifier is None:
            return None
        try:
            return self.sync.classifier(article, self.source.country)
        except Exception as error:  # stored with the reason, so reclassify can fix it later
            log.exception("%s: cannot classify %s", self.source.name, article.url)
            return Rejection(article.url, f"classifier error: {type(error).__name__}: {error}")

    def _flush(self) -> None:
        now = iso(self.sync.clock())
        for article, link, verdict, review in self.pending:
            if store.save_article(self.sync.db, article, link=link, now=now, verdict=verdict,
                                  review=review):
                self.new_articles += 1
                if isinstance(verdict, Item):
                    events.assign_event(self.sync.db, verdict)
                    self.new_items += 1
        self.pending.clear()

    def _wait(self, error: RateLimitedError) -> None:
        if error.retry_after:
            self.next_check = iso(self.sync.clock() + timedelta(seconds=error.retry_after))

    def _problems(self, capped: bool, new: int) -> str | None:
        notes = []
        if capped:
            notes.append(f"{new} new entries, {self.source.max_entries} fetched this pass "
                         "(max_entries); the rest next pass")
        if self.failures:
            notes.append(f"{len(self.failures)} page(s) failed: " + "; ".join(self.failures[:5]))
        return " | ".join(notes) or None

    def fail(self, error: SourceError) -> RunResult:
        if isinstance(error, RateLimitedError):
            self._wait(error)
        result = RunResult(self.source.name, "error", getattr(error, "status", None),
                           error=str(error))
        return self.finish(result, validators=None)

    def finish(self, result: RunResult, validators: dict | None, record: bool = True) -> RunResult:
        with self.sync.lock, store.transaction(self.sync.db):
            self._flush()
            result = RunResult(result.source, result.status, result.http_status, result.entries,
                               self.new_articles, self.new_items, result.error)
            if record:
                store.record_run(self.sync.db, result, started=iso(self.started),
                                 finished=iso(self.sync.clock()), validators=validators,
                                 next_check=self.next_check)
        self.sync.release(self.claimed)
        level = logging.WARNING if result.status == "error" else logging.INFO
        log.log(level, "%s: %s, %d entries, %d new articles, %d new items%s", result.source,
                result.status, result.entries, result.new_articles, result.new_items,
                f": {result.error}" if result.error else "")
        return result


def include_kept_none(fetched: Fetched, listing: Listing, source: Source) -> str | None:
    """Why an html listing kept no entry although it links to its own site, or None.

    A pattern that can never match (a typo, a path that changed) must fail its source with the
    reason, not pass as a listing with nothing new.
    """
    if listing.kind != "html" or listing.entries or not source.include:
        return None
    links = parse_html_listing(fetched.body, fetched.url, include=(".",)).entries
    if not links:
        return None
    looking = parse_html_listing(fetched.body, fetched.url, exclude=source.exclude).entries
    example = (looking or links)[0].url
    patterns = ", ".join(f"'{shown_pattern(p)}'" for p in source.include)
    return (f"{fetched.url}: the listing links to {len(links)} pages of its site "
            f"({len(looking)} look like articles, e.g. {example}) but the include pattern "
            f"{patterns} keeps none of them; `coopwatch try --source {source.name}` shows them")


FRESH = timedelta(days=7)


def reference_day(listing: Listing, last_modified: str | None, previous_run: dict,
                  now: datetime) -> tuple[str, str] | None:
    """The day a page with no date of its own (nor a dated feed entry) counts relative and
    year-less dates from, and where it came from: ``(YYYY-MM-DD, "feed" | "first_seen")``.

    The feed's own date (RSS lastBuildDate/pubDate, Atom updated) first: a feed lists its
    newest entries. Else the day the link was first seen, but only while the listing is fresh,
    so that "yesterday" in a page found today means yesterday:

    * the source's previous pass ended ok (or not modified) with nothing left over (not capped
      by max_entries, no page failed), at most ``FRESH`` before this one: a link missing from
      the listing then was added since, within ``FRESH``. So never on a source's first pass,
      which can read years of archive, nor after a long pause or an unfinished backlog;
    * and the listing's Last-Modified, when sent, is at most ``FRESH`` old.

    Otherwise None: an archive backfill must never invent a year (a year-less day is then kept
    as such, see jobs/classify/fields.py).
    """
    if listing.updated:
        return listing.updated[:10], "feed"
    finished = _moment(previous_run.get("finished"))
    fresh = (
        finished is not None
        and previous_run.get("status") in ("ok", "not_modified")
        and not previous_run.get("error")
        and now - finished <= FRESH
    )
    if last_modified:
        modified = _http_date(last_modified)
        fresh = fresh and modified is not None and now - modified <= FRESH
    return (now.astimezone(UTC).date().isoformat(), "first_seen") if fresh else None


def _moment(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _http_date(value: str) -> datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


RECLASSIFY_BATCH = 500


@dataclass
class ReclassifyCounts:
    articles: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    events: events.RelinkCounts | None = None


ARTICLE_COLUMNS = ("url, source, title, text, published, language, description, reference, "
                   "reference_from")


def reclassify(db: sqlite_utils.Database, classifier: Classifier,
               countries: dict[str, str | None] | None = None,
               corrections: Corrections | None = None) -> ReclassifyCounts:
    """Re-run the classifier over every stored article, then lay the reviewers' corrections
    over its verdicts; no network.

    Items are updated idempotently: new ones added, no-longer-items removed, changed ones
    updated in place (``first_seen`` kept), unchanged ones not written at all. Last, the array
    columns' rows and the facet counts are rebuilt from the tables (``store.rebuild_array_rows``).
    """
    countries = countries or {}
    if corrections is None:  # none given: the ones last applied stay in force
        corrections = Corrections("", {row["url"]: Correction.from_row(row)
                                       for row in db["corrections"].rows})
    counts = ReclassifyCounts()
    with store.transaction(db):
        store.save_corrections(db, corrections)
    last = 0
    while True:
        rows = db.execute(
            f"select rowid, {ARTICLE_COLUMNS} from articles where rowid > ? order by rowid "
            "limit ?", [last, RECLASSIFY_BATCH]).fetchall()
        if not rows:
            with store.transaction(db):
                counts.events = events.relink_all(db)
                store.rebuild_array_rows(db)
            return counts
        with store.transaction(db):
            for row in rows:
                article = Article(*row[1:])
                verdict = classifier(article, countries.get(article.source))
                _store_verdict(db, article, *apply(corrections.get(article.url), article,
                                                   verdict), counts)
        last = rows[-1][0]


def _store_verdict(db, article: Article, verdict: Item | Rejection, review: Review | None,
                   counts: ReclassifyCounts, *, relink: bool = False) -> None:
    """Write one stored article's new verdict; with ``relink``, refile its event at once."""
    counts.articles += 1
    now = iso(utcnow())
    store.set_decision(db, article.url, verdict, review)
    if isinstance(verdict, Item):
        outcome = store.save_item(db, verdict, article_text=article.text, now=now, review=review)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
        if relink and outcome != "unchanged":
            events.assign_event(db, verdict)
        return
    event = db.execute("select event_id from items where url = ?", [article.url]).fetchone()
    if store.delete_item(db, article.url, article_text=article.text):
        counts.removed += 1
        if relink and event and event[0]:
            events.refresh_event(db, event[0])


def correct_stored(db: sqlite_utils.Database, corrections: Corrections, classifier: Classifier,
                   countries: dict[str, str | None]) -> ReclassifyCounts:
    """Apply the corrections added, changed or removed since they were last applied to the
    articles already stored (call inside a transaction): each is classified again (its machine
    verdict), the correction laid over it, and its event refiled. The running service calls it
    at the start of every source's pass, a one-shot sync once."""
    counts = ReclassifyCounts()
    for url in sorted(store.save_corrections(db, corrections)):
        row = db.execute(f"select {ARTICLE_COLUMNS} from articles where url = ?",
                         [url]).fetchone()
        if row is None:  # not fetched yet: applied when it is
            continue
        article = Article(*row)
        try:
            verdict = classifier(article, countries.get(article.source))
        except Exception as error:  # as in a pass: stored with the reason
            log.exception("cannot classify %s", url)
            verdict = Rejection(url, f"classifier error: {type(error).__name__}: {error}")
        _store_verdict(db, article, *apply(corrections.get(url), article, verdict), counts,
                       relink=True)
    if counts.articles:
        log.info("corrections: %d stored articles reviewed again (%d items added, %d updated, "
                 "%d removed)", counts.articles, counts.added, counts.updated, counts.removed)
    return counts
