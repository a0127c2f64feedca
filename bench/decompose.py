"""Where a synced article's CPU goes, step by step, without a profiler's distortion.

For a sample of the site's pages, each step coopwatch takes for one new article is timed on its
own with ``time.process_time`` in this quiet child process: the fetch, the decoding,
``extract_article``, the classifier, ``fold`` for the full-text row and the store. Beside them,
alternatives the profile pointed at are timed on the same inputs, and their outputs compared
with ``bare_extraction(with_metadata=True)``'s, so a suggestion comes with its measured gain:

* ``trafilatura.extract`` bare (the 1.3× target's denominator);
* ``bare_extraction`` with and without metadata, with and without ``fast=True``;
* title, date and description alone (``light_metadata``), which is all coopwatch keeps;
* a plain ``requests`` GET of the same page;
* the article row written with one plain ``INSERT ... RETURNING rowid`` instead of sqlite-utils.

    .venv/bin/python -m bench.decompose '{"spec": {...}, "bases": [...], "pages": 200}'
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import requests
import trafilatura
from htmldate import find_date
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title
from trafilatura.utils import load_html

from bench import pages
from bench.pages import SiteSpec
from bench.syncjob import bench_sources, classifier
from jobs import store
from jobs.extract import decode_html, extract_article
from jobs.fetch import Fetcher
from jobs.models import Source
from jobs.parse import parse_listing
from jobs.schema import connect
from jobs.text import fold

PARAMS = {"with_metadata": True, "include_comments": False, "include_tables": False,
          "date_extraction_params": {"original_date": True, "extensive_search": False}}
class Clock:
    """Sums the CPU time of named steps."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}

    def time(self, name: str, step: Callable, *args, **kwargs):
        started = time.process_time()
        result = step(*args, **kwargs)
        self.totals[name] = self.totals.get(name, 0.0) + time.process_time() - started
        return result


def _fts_insert_raw(db, article, now: str) -> None:
    row = {**asdict(article), "link": article.url, "first_seen": now, "fetched": now}
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    cursor = db.conn.execute(f"insert into articles ({columns}) values ({marks}) "
                             "on conflict(url) do nothing returning rowid", list(row.values()))
    rowid = cursor.fetchone()[0]
    body = article.text or ""
    db.conn.execute("insert into articles_fts(rowid, title, body, folded) values (?, ?, ?, ?)",
                    [rowid, article.title, body, fold(f"{article.title}\n{body}")])


def light_metadata(html: str, url: str) -> tuple:
    """Title, date and description only: the metadata coopwatch keeps, without author,
    licence, categories, tags and site name, which ``with_metadata=True`` also extracts."""
    tree = load_html(html)
    meta = extract_meta_json(tree, examine_meta(tree))
    date = find_date(tree, url=url, original_date=True, extensive_search=False)
    return meta.title or extract_title(tree), date, meta.description


def _extract_variants(clock: Clock, body: bytes, url: str, same: dict[str, int]) -> None:
    clock.time("trafilatura.extract (bare)", trafilatura.extract, body, url=url)
    html = clock.time("decode_html", decode_html, body)
    full = clock.time("bare_extraction(with_metadata=True)", trafilatura.bare_extraction, html,
                      url=url, **PARAMS)
    no_meta = clock.time("bare_extraction(with_metadata=False)", trafilatura.bare_extraction,
                         html, url=url, **{**PARAMS, "with_metadata": False})
    fast = clock.time("bare_extraction(with_metadata=True, fast=True)",
                      trafilatura.bare_extraction, html, url=url, **{**PARAMS, "fast": True})
    lean = clock.time("bare_extraction(with_metadata=False, fast=True)",
                      trafilatura.bare_extraction, html, url=url,
                      **{**PARAMS, "with_metadata": False, "fast": True})
    light = clock.time("light metadata (parse + meta + JSON-LD + htmldate)", light_metadata,
                       html, url)
    same["no_meta_text"] += no_meta.text == full.text
    same["fast_text"] += fast.text == full.text
    same["lean_text"] += lean.text == full.text
    same["light_metadata"] += light == (full.title, full.date, full.description)


class _Sample:
    """Times every step, and the alternatives, on one page after another."""

    def __init__(self, folder: Path):
        self.chosen, self.note = classifier()
        self.fetcher, self.clock, self.session = Fetcher(), Clock(), requests.Session()
        self.db, self.raw_db = connect(folder / "a.db"), connect(folder / "b.db")
        self.same = {"no_meta_text": 0, "fast_text": 0, "lean_text": 0, "light_metadata": 0}
        self.pages = 0

    def page(self, source: Source, url: str) -> None:
        clock, now = self.clock, "2025-01-01T00:00:00+00:00"
        page = clock.time("fetch (Fetcher.get)", self.fetcher.get, url, source)
        clock.time("fetch (plain requests.Session.get)", lambda u: self.session.get(u).content,
                   url)
        _extract_variants(clock, page.body, url, self.same)
        article = clock.time("extract_article (whole stage)", extract_article, page.body, url,
                             source=source.name, headers=page.headers)
        if self.chosen is not None:
            clock.time("classify", self.chosen, article, source.country)
        text = f"{article.title}\n{article.text}"
        clock.time("fold (jobs.text)", fold, text)
        with store.transaction(self.db):
            clock.time("store.save_article (incl. fold)", store.save_article, self.db, article,
                       link=url, now=now)
        with store.transaction(self.raw_db):
            clock.time("plain INSERT + FTS", _fts_insert_raw, self.raw_db,
                       article, now)
        self.pages += 1


def run(job: dict) -> dict:
    """Every ``len(site) / job["pages"]``-th page of the site, then every listing."""
    spec = SiteSpec(**job["spec"])
    sources = bench_sources(spec, job["bases"], spec.sources)
    step = max(1, spec.sources * spec.articles // job["pages"])
    with tempfile.TemporaryDirectory(prefix="coopwatch-bench-") as folder:
        sample = _Sample(Path(folder))
        for number in range(0, spec.sources * spec.articles, step):
            index, k = divmod(number, spec.articles)
            url = job["bases"][index % len(job["bases"])] + pages.article_meta(spec, index, k).path
            sample.page(sources[index], url)
        found = listings(spec, sources, sample.fetcher, sample.db)
        sample.db.close()
        sample.raw_db.close()
    return {"pages": sample.pages, "classifier": sample.note, "same_output": sample.same,
            "ms_per_page": {name: total / sample.pages * 1000
                            for name, total in sample.clock.totals.items()},
            "listings": found}


def listings(spec: SiteSpec, sources: list[Source], fetcher: Fetcher, db) -> dict[str, dict]:
    """Per kind of listing: CPU ms per source to fetch it, parse it and look its URLs up."""
    clocks: dict[str, Clock] = {}
    counts: dict[str, list[int]] = {}  # kind → [sources, entries of the last one]
    for index, source in enumerate(sources):
        kind = pages.profile(spec, index).kind
        clock = clocks.setdefault(kind, Clock())
        fetched = clock.time("fetch", fetcher.get, source.url, source)
        listing = clock.time("parse", parse_listing, fetched, source.kind)
        clock.time("known_urls", store.known_urls, db, [e.url for e in listing.entries])
        counts[kind] = [counts.get(kind, [0])[0] + 1, len(listing.entries)]
    return {kind: {"sources": counts[kind][0], "entries": counts[kind][1],
                   **{step: total * 1000 / counts[kind][0] for step, total in clock.totals.items()}}
            for kind, clock in clocks.items()}


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))), flush=True)
