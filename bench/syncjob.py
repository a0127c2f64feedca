"""One measured sync in a process of its own, so its CPU time and peak RSS are its alone.

``bench.run`` starts this module with a JSON job on the command line and reads one JSON line
back. The job names the site (its spec and bases), the database, how many sources to sync, and
what else to measure in the same process: ``trafilatura.extract`` with metadata and bare over the
very pages the sync fetched, before the sync and after it (the denominator of the 1.0× target),
and optionally cProfile.

    .venv/bin/python -m bench.syncjob '{"db": "/tmp/x.db", "sources": 2, ...}'
"""

from __future__ import annotations

import contextlib
import cProfile
import ctypes
import gc
import json
import pstats
import re
import resource
import sys
import time
from pathlib import Path

from bench import pages, procmem
from bench.pages import SiteSpec
from bench.site import control
from jobs.fetch import Fetcher
from jobs.models import Source
from jobs.pipeline import WORKERS, Classifier, Sync
from jobs.schema import connect

USER_AGENT = "coopwatch-bench/0.1"
CLASSIFIER_FILES = ("/jobs/classify/",)
PROFILE_BUCKETS = {  # label → substrings of a function's file (or of a built-in's name)
    "trafilatura": ("/trafilatura/",), "htmldate": ("/htmldate/",), "justext": ("/justext/",),
    "readability": ("/readability",), "courlan": ("/courlan/",), "lxml": ("lxml",),
    "charset_normalizer": ("charset_normalizer",), "feedparser": ("/feedparser/",),
    "sqlite (sqlite-utils, sqlite3)": ("/sqlite_utils/", "sqlite3"),
    "network (requests, urllib3, sockets, gzip)": ("/requests/", "/urllib3/", "/http/",
                                                   "socket", "zlib"),
    "threads and locks": ("threading", "_thread", "lock"),
    "classifier (jobs.classify and its helpers)": CLASSIFIER_FILES,
    "unicodedata (fold, NFC)": ("unicodedata",), "regular expressions": ("re.Pattern", "/re/"),
    "jobs (other)": ("/jobs/",),
}
WRAPPERS = ("run", "<listcomp>", "sync_source", "execute", "_fetch_article")


def bench_sources(spec: SiteSpec, bases: list[str], count: int) -> list[Source]:
    """The first ``count`` sources of the site, as sources.yaml would give them."""
    result = []
    for index in range(count):
        profile = pages.profile(spec, index)
        url = bases[index % len(bases)] + pages.listing_path(spec, index)
        result.append(Source(name=profile.name, url=url, language=profile.lang,
                             country=profile.country, delay=0, timeout=30,
                             allow_private_network=True, user_agent=USER_AGENT))
    return result


def classifier() -> tuple[Classifier | None, str]:
    """``default_classifier()`` when jobs.classify exists, else None, and a note saying which."""
    try:
        from jobs.pipeline import default_classifier

        return default_classifier(), "jobs.pipeline.default_classifier()"
    except ImportError as error:
        return None, f"none (jobs.classify not importable: {error})"


def maxrss_mb() -> float:
    """The peak RSS since the start, or since ``reset_peak()`` where Linux allows it."""
    peak = procmem.status_mb().get("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Give freed memory back (glibc keeps it) and restart the peak from the RSS left."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    procmem.reset_peak()


def current_rss_mb() -> float:
    return procmem.status_mb().get("VmRSS", 0.0)


def run_sync(job: dict, sync: Sync, sources: list[Source]) -> dict:
    workers = 1 if job.get("profile") else job.get("workers", WORKERS)
    profiler = cProfile.Profile(time.process_time) if job.get("profile") else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    results = sync.run(sources, workers=workers)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    answer = {"workers": workers, "wall_s": wall, "cpu_s": cpu, "statuses": statuses,
              "articles": sum(r.new_articles for r in results),
              "items": sum(r.new_items for r in results),
              "errors": [r.error for r in results if r.error][:3]}
    if profiler:
        answer["profile"] = profile_summary(profiler, job["profile"])
    return answer


def baseline(spec: SiteSpec, bases: list[str], count: int) -> dict:
    """CPU of ``trafilatura.extract`` on the pages the sync fetched, page by page: with its
    metadata (the issue 14 yardstick), then bare (the older 1.3× one). Each in a pass of its own,
    so each page is new to it, as it is to the sync: run back to back on one page, the second
    call found the page's memory warm and cost 2 % less."""
    import trafilatura

    pages_ = []
    for index in range(count):
        base = bases[index % len(bases)]
        pages_ += [(pages.page_bytes(spec, index, k, base),
                    base + pages.article_meta(spec, index, k).path) for k in range(spec.articles)]
    costs = {}
    for name, options in (("with_metadata_cpu_s", {"with_metadata": True}), ("bare_cpu_s", {})):
        started = time.process_time()
        for body, url in pages_:
            trafilatura.extract(body, url=url, **options)
        costs[name] = time.process_time() - started
    return {"pages": len(pages_), **costs}


def profile_summary(profiler: cProfile.Profile, path: str) -> dict:
    """Own CPU time per library, and the cumulative time of coopwatch's main steps."""
    profiler.dump_stats(path)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    buckets: dict[str, float] = {}
    steps: dict[str, float] = {}
    own: dict[str, float] = {}
    for (file, _line, name), (_cc, _nc, tottime, cumtime, _callers) in stats.items():
        where = f"{file} {name}" if file == "~" else file
        label = next((label for label, parts in PROFILE_BUCKETS.items()
                      if any(part in where for part in parts)), "other")
        buckets[label] = buckets.get(label, 0.0) + tottime
        key = name if file == "~" else f"{_short(file)}:{name}"
        own[key] = own.get(key, 0.0) + tottime
        if ("/jobs/" in file or "/trafilatura/" in file) and not (
                "pipeline" in file and name in WRAPPERS):
            steps[key] = max(steps.get(key, 0.0), cumtime)
    return {"total_s": sum(buckets.values()), "buckets": buckets,
            "cumulative": dict(sorted(steps.items(), key=lambda kv: -kv[1])[:25]),
            "own": dict(sorted(own.items(), key=lambda kv: -kv[1])[:20])}


def _short(file: str) -> str:
    """``…/site-packages/lxml/html/__init__.py`` → ``lxml/html/__init__.py``."""
    root = f"{Path(__file__).resolve().parent.parent}/"
    return re.sub(r"^.*/(site-packages|lib/python3\.\d+)/", "", file.removeprefix(root))


def _measured_pass(sync: Sync, sources: list[Source], base: str) -> dict:
    """One pass over ``sources``: CPU, wall, new articles, and what the site served."""
    control(base, "reset")
    wall, cpu = time.perf_counter(), time.process_time()
    results = sync.run(sources)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpu_s": cpu, "wall_s": wall, "new": sum(r.new_articles for r in results),
            "statuses": sorted({r.status for r in results}), "served": control(base, "stats")[
                "counts"]}


def incremental(job: dict) -> dict:
    """Passes over an unchanged site, then rounds where each source publishes a few articles.

    One ``Sync`` (one Fetcher) serves every pass, as in ``coopwatch run``; the first pass of a
    new process also fetches each host's robots.txt.
    """
    spec, base = SiteSpec(**job["spec"]), job["bases"][0]
    chosen, note = classifier()
    control(base, f"set?visible={spec.articles}&revision=0")
    db = connect(job["db"])
    sync = Sync(db, Fetcher(), classifier=chosen)
    sources = bench_sources(spec, job["bases"], job["sources"])
    unchanged = [_measured_pass(sync, sources, base) for _ in range(job["passes"])]
    touched = []  # every listing changed (new ETag), nothing new in it
    for number in range(1, job["rounds"] + 1):
        control(base, f"set?visible={spec.articles}&revision={number}")
        touched.append(_measured_pass(sync, sources, base))
    rounds = []
    for number in range(1, job["rounds"] + 1):
        control(base, f"set?visible={spec.articles + number * job['per_round']}")
        rounds.append(_measured_pass(sync, sources, base))
    control(base, f"set?visible={spec.articles}&revision=0")
    db.close()
    return {"classifier": note, "unchanged": unchanged, "touched": touched, "rounds": rounds,
            "maxrss_mb": maxrss_mb()}


def main() -> None:
    job = json.loads(sys.argv[1])
    if job.get("kind") == "incremental":
        print(json.dumps(incremental(job)), flush=True)
        return
    spec = SiteSpec(**job["spec"])
    started_rss = current_rss_mb()
    chosen, note = classifier() if job.get("classify", True) else (None, "disabled")
    db = connect(job["db"])
    sources = bench_sources(spec, job["bases"], job["sources"])
    answer = {"classifier": note, "rss_before_mb": started_rss, "rss_ready_mb": current_rss_mb(),
              "ready_cpu_s": time.process_time()}  # imports and the classifier's warm-up
    # trafilatura runs over the same pages before the sync and after it, and the two are
    # averaged: the machine's speed drifts by several per cent over a run, in either direction
    before = baseline(spec, job["bases"], job["sources"]) if job.get("baseline") else None
    reset_peak()
    fetcher = Fetcher()
    answer.update(run_sync(job, Sync(db, fetcher, classifier=chosen), sources))
    answer.update(requests=fetcher.requests, maxrss_mb=maxrss_mb(), rss_end_mb=current_rss_mb())
    db.close()
    if before is not None:
        after = baseline(spec, job["bases"], job["sources"])
        answer["baseline"] = {key: (before[key] + after[key]) / 2 for key in after}
        answer["baseline_passes"] = [before, after]
    print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
