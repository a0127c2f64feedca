"""bench/RESULTS.md: one section per benchmark, then the growth table and the targets.

Formatting only: every number comes from the ``results`` ``bench.run`` collected.
"""

from __future__ import annotations

from bench.figures import (
    INCREMENTAL_COLUMNS,
    TARGET_MS,
    bare_per_page,
    growth_row,
    incremental_figures,
    med,
    per_article,
    size_row,
    table,
    verdict,
    with_metadata_per_page,
)
from bench.report_serving import reclassify_section, serving_section


def render(machine: dict, results: dict) -> str:
    sections = (_header, _sync, _decomposition, _profile, _incremental, _memory,
                serving_section, reclassify_section, _growth, _targets)
    return "\n".join(section(machine, results) for section in sections)


def _header(machine: dict, results: dict) -> str:
    plan = results["plan"]
    classifier = results["sync"]["sizes"][0]["runs"][0]["classifier"]
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    return f"""# coopwatch benchmarks

Written by `bench/run.py` (mode **{plan['name']}**) on {machine['date']}, in
{results['elapsed_s'] / 60:.1f} minutes. Raw figures: `{'RESULTS' if plan['name'] == 'default'
else 'RESULTS-' + plan['name']}.json` beside this file.

| machine | |
|---|---|
| CPU | {machine['cpu']} |
| cores | {machine['cores']} ({machine['usable']} usable) |
| RAM | {machine['ram']} |
| OS | {machine['os']} |
| Python | {machine['python']}, SQLite {machine['sqlite']} |
| packages | {packages} |
| classifier | {classifier} |
| load average (1, 5, 15 min) | before {machine['load_before']}, after {machine['load_after']} |

How to read: *CPU* is the user + system time of the process doing the work (the sync, the web
server, reclassify), each run in a process of its own; the loopback news site runs in another,
so serving pages never counts as syncing them. Medians over the runs shown; a ratio is taken
within one run. Pages are 30–120 KB (median about 65 KB), gzipped on the wire, one source per
host, English and Vietnamese, about one in ten a media-cooperation story (`bench/site.py`).
"""


def _sync(machine: dict, results: dict) -> str:
    sync = results["sync"]
    rows = [size_row(size) for size in sync["sizes"]]
    smallest = sync["sizes"][0]
    default = smallest["runs"][0]["workers"]
    workers = [[default, med(map(per_article, smallest["runs"])),
                med(r["articles"] / r["wall_s"] for r in smallest["runs"]),
                med(r["ratio"] for r in smallest["runs"])]]
    workers += [[w["workers"], per_article(w), w["articles"] / w["wall_s"], w["ratio"]]
                for w in sync["workers"]]
    every = [per_article(r) for size in sync["sizes"] for r in size["runs"]]
    spread = (f"Across all {len(every)} first syncs above, with {default} workers, the CPU per "
              f"article ranged from {min(every):.1f} to {max(every):.1f} ms. Only one thread "
              "extracts and classifies at a time (`Sync.working`), so more threads overlap the "
              "network without fighting for the interpreter (section 2 adds up the parts).")
    ready = med(r.get("ready_cpu_s", 0.0) for size in sync["sizes"] for r in size["runs"]) * 1000
    return f"""## 1. Sync throughput: first sync

`Sync(db, Fetcher(), classifier=...).run(sources)` into an empty database (`delay: 0`,
`jobs.pipeline.WORKERS` = {default} worker threads, as the CLI runs it: one of them extracts and
classifies at a time, the others fetch), then, in the same process,
`trafilatura.extract(page_bytes, url=..., with_metadata=True)` and bare `trafilatura.extract`
over the very same pages: the ratio is coopwatch's CPU per new article (fetching, extracting,
classifying, storing, linking events) over trafilatura's with metadata per page.
Target (issue 14): ≤ 1.0. The process's start is counted apart: imports and the classifier's
warm-up (gazetteer, phrase index, name tables) took {ready:,.0f} CPU ms, once per process.

{table(["articles (sources × per source)", "runs", "articles/s (wall)", "CPU ms / article",
        "trafilatura with metadata CPU ms / page", "bare trafilatura CPU ms / page",
        "ratio (median)", "ratio range", "ratio to bare", "peak RSS MB"], rows)}
Worker threads (`Sync.run(..., workers=N)`), at {smallest['sources'] * smallest['per_source']:,}
articles (one run each except the default's median):

{table(["workers", "CPU ms / article", "articles/s (wall)", "ratio"], workers)}
{spread}
"""


SAME_KEYS = {  # alternative step → its "same output" count in the decomposition
    "bare_extraction(with_metadata=False)": "no_meta_text",
    "bare_extraction(with_metadata=True, fast=True)": "fast_text",
    "bare_extraction(with_metadata=False, fast=True)": "lean_text",
    "light metadata (parse + meta + JSON-LD + htmldate)": "light_metadata",
}
OWN_STEPS = ("fetch (Fetcher.get)", "decode_html", "extract_article (whole stage)", "classify",
             "fold (jobs.text)", "store.save_article (incl. fold)")


def _decomposition(machine: dict, results: dict) -> str:
    found = results["sync"]["decompose"]
    same, pages = found["same_output"], found["pages"]

    def role(name: str) -> str:
        if name in OWN_STEPS:
            return "coopwatch"
        key = SAME_KEYS.get(name)
        return f"alternative; same output on {same[key]}/{pages}" if key in same else "reference"

    rows = [[name, value, role(name)] for name, value in found["ms_per_page"].items()]
    listings = [[kind, f["sources"], f["entries"], f["fetch"], f["parse"], f["known_urls"]]
                for kind, f in found["listings"].items()]
    return f"""## 2. Where a new article's CPU goes

Each step timed alone (`time.process_time`, no profiler) on {pages} pages of the headline site,
in one quiet process. Rows marked *coopwatch* are what a sync runs (`extract_article` includes
its trafilatura call, `save_article` its `fold`); the others are alternatives timed on the same
inputs, their output compared with `bare_extraction(with_metadata=True)`'s text (title, date and
description for the light metadata).

{table(["step", "CPU ms / page", "role"], rows)}
A changed listing (a new ETag) is fetched, parsed and its URLs looked up in the archive before
any page is fetched; CPU ms per listing, by kind:

{table(["listing", "sources", "entries", "fetch", "parse", "known_urls"], listings)}"""


def _profile(machine: dict, results: dict) -> str:
    run = results["sync"]["profile"]
    summary = run["profile"]
    total = max(summary["total_s"], run["cpu_s"])
    buckets = sorted(summary["buckets"].items(), key=lambda kv: -kv[1])

    def rows(pairs) -> list[list]:
        return [[name, seconds, f"{seconds / total:.0%}"] for name, seconds in pairs]

    return f"""## 3. Profile of one sync

cProfile (timer: `time.process_time`) of a first sync of {run['articles']:,} articles with
`workers=1` (cProfile follows one thread), {run['cpu_s']:.1f} CPU s in all. Profiling inflates
cheap, frequent calls: read the shares, and section 2 for unbiased costs. Own time by library
(built-ins counted with the library that calls them where their name says so):

{table(["library", "own CPU s", "share"], rows(buckets))}
Cumulative CPU of coopwatch's and trafilatura's functions (top 25, the pipeline's loops left out):

{table(["function", "cumulative CPU s", "share"], rows(summary["cumulative"].items()))}
Own CPU of single functions (top 20):

{table(["function", "own CPU s", "share"], rows(summary["own"].items()))}"""


def _incremental(machine: dict, results: dict) -> str:
    variants = results["sync"]["incremental"]
    sources, per_source = results["plan"]["headline"]
    figures = [incremental_figures(v, sources) for v in variants]
    rows = [list(f.values()) for f in figures]
    first = next(s for s in results["sync"]["sizes"]
                 if [s["sources"], s["per_source"]] == [sources, per_source])
    return f"""## 4. Incremental cost: re-syncs

The {sources}-source archive of section 1, re-synced by one long-lived `Sync` (as `coopwatch
run` keeps it): three passes over the unchanged site (the first, in a new process, also reads
each host's robots.txt); three where every listing changed (new ETag) but holds nothing new;
three rounds where each source publishes {max(1, per_source // 100)} new article(s), 1 % of its
listing. The cost of a new article is the round's CPU minus that of a changed listing with
nothing new. Then the same on copies of the archive padded with older articles (rows only, 400
characters of text, no full-text rows), to show the cost does not follow the archive's size. A
first sync cost {med(map(per_article, first['runs'])):.1f} CPU ms per article.

{table(list(INCREMENTAL_COLUMNS.values()), rows)}"""


def _memory(machine: dict, results: dict) -> str:
    sync = results["sync"]
    rows = [[f"first sync of {s['sources'] * s['per_source']:,}",
             med(r["rss_ready_mb"] for r in s["runs"]), med(r["maxrss_mb"] for r in s["runs"])]
            for s in sync["sizes"]]
    if sync["memory"]:
        rows.append([f"first sync of {sync['memory']['articles']:,}",
                     sync["memory"]["rss_ready_mb"], sync["memory"]["maxrss_mb"]])
    rows += [[f"re-syncs over {v['archive']:,}", "–", v["maxrss_mb"]]
             for v in sync["incremental"]]
    biggest = sync["sizes"][-1]["runs"][0]
    minutes = 10_000 / (biggest["articles"] / biggest["wall_s"]) / 60
    note = "" if sync["memory"] else (
        f"\nA 10,000-article sync is run by `--full` only (bench/RESULTS-full.md): at the rate "
        f"of section 1 it takes {minutes:.0f} minutes alone, more than this mode's budget.\n")
    return f"""## 5. Memory of a sync

Peak RSS of the syncing process during the sync ("ready" is after imports and the classifier's
warm-up). A first sync's process ran trafilatura over the pages just before (section 1): its
freed memory is handed back (`malloc_trim`) and the high-water mark restarted (`VmHWM`), so the
peak also holds what that pass left allocated, about 10 MB. Re-syncs: `ru_maxrss`.
{note}
{table(["run", "RSS ready MB", "peak RSS MB"], rows)}"""


def _growth(machine: dict, results: dict) -> str:
    sync, serving, reclass = results["sync"], results["serving"], results["reclassify"]
    n_sync = [s["sources"] * s["per_source"] for s in sync["sizes"]]
    n_arch = [v["archive"] for v in sync["incremental"]]
    n_items = [s["items"] for s in serving]
    reclass = [r for r in reclass if "articles" in r]  # none without a classifier
    n_re = [r["size"] for r in reclass]
    inc = [incremental_figures(v, results["plan"]["headline"][0]) for v in sync["incremental"]]
    rows = [
        growth_row("first sync: CPU ms / article", n_sync,
                   [med(map(per_article, s["runs"])) for s in sync["sizes"]], True),
        growth_row("first sync: peak RSS MB", n_sync,
                   [med(r["maxrss_mb"] for r in s["runs"]) for s in sync["sizes"]], False),
        growth_row("unchanged re-sync: CPU ms / source, by archive", n_arch,
                   [f["unchanged_ms"] for f in inc], False),
        growth_row("changed listing: CPU ms / source, by archive", n_arch,
                   [f["touched_ms"] for f in inc], False),
        growth_row("1 % new: CPU ms / new article, by archive", n_arch,
                   [f["per_new_ms"] for f in inc], False),
        growth_row("re-syncs: peak RSS MB, by archive", n_arch, [f["rss"] for f in inc], False),
    ]
    for label in serving[0]["queries"]:
        rows.append(growth_row(f"serving: {label} (ms)", n_items,
                               [s["queries"][label]["median_ms"] for s in serving], False))
    for index, name in ((1, "CSV by key: ms / row"), (0, "CSV documented URL: ms / row")):
        rows.append(growth_row(name, n_items, [s["csv"][index]["seconds"] * 1000 /
                                               max(1, s["csv"][index]["rows"]) for s in serving],
                               True))
    rows.append(growth_row("CSV: serving RSS MB (last quarter)", n_items,
                           [s["csv"][1]["rss_last_quarter_mb"] for s in serving], False))
    if reclass:
        rows.append(growth_row("reclassify: CPU ms / article", n_re,
                               [r["cpu_s"] / r["articles"] * 1000 for r in reclass], True))
        rows.append(growth_row("reclassify: peak RSS MB", n_re,
                               [r["maxrss_mb"] for r in reclass], False))
    return f"""## 8. Growth

Each figure at three sizes (value @ size). *b* is the exponent in cost ∝ size^b: for per-unit
costs (per article, per row) it is that of the total, so 1 is linear; for latencies and memory it
is that of the figure itself, so 0 is flat and 1 grows as fast as the data.

{table(["figure", "small", "medium", "large", "b", "reading"], rows)}"""


def _targets(machine: dict, results: dict) -> str:
    sync, serving = results["sync"], results["serving"]
    head = next(s for s in sync["sizes"]
                if [s["sources"], s["per_source"]] == list(results["plan"]["headline"]))
    ratio = med(r["ratio"] for r in head["runs"])
    inc = incremental_figures(sync["incremental"][0], head["sources"])
    req, cpu_source, pages = inc["requests"], inc["unchanged_ms"], inc["pages"]
    first_ms = med(map(per_article, head["runs"]))
    peak = sync["memory"]["maxrss_mb"] if sync["memory"] else \
        max(med(r["maxrss_mb"] for r in s["runs"]) for s in sync["sizes"])
    peak_at = sync["memory"]["articles"] if sync["memory"] else \
        max(s["sources"] * s["per_source"] for s in sync["sizes"])
    big = serving[-1]
    q = big["queries"]
    csv = big["csv"][1]
    rows = [
        ["first sync: CPU per new article ≤ 1.0 × trafilatura with metadata", f"{ratio:.2f} ×",
         verdict(ratio <= 1.0)],
        ["unchanged re-sync: 1 request per source, answered 304", f"{req:.2f} requests/source",
         verdict(req <= 1.0)],
        ["unchanged re-sync: no page fetched", f"{pages} pages", verdict(pages == 0)],
        ["unchanged re-sync: CPU ≤ 20 ms per source", f"{cpu_source:.1f} ms", verdict(
            cpu_source <= 20)],
        ["1 % new: cost follows the new articles, not the archive",
         f"{inc['per_new_ms']:.1f} ms per new article (first sync: {first_ms:.1f})"
         f" + {inc['touched_ms']:.1f} ms per changed listing", "see section 8"],
        [f"peak RSS ≤ 250 MB (syncing {peak_at:,} articles)", f"{peak:.0f} MB",
         verdict(peak <= 250)],
        ["full CSV streams with flat memory", f"{csv['rss_first_quarter_mb']:.0f} → "
         f"{csv['rss_last_quarter_mb']:.0f} MB, {csv['rows'] / csv['seconds']:,.0f} rows/s",
         verdict(csv["rss_last_quarter_mb"] - csv["rss_first_quarter_mb"] < 20)],
    ]
    for what, label in (("items page", "items page"), ("facet page", "facet: source = s007"),
                        ("FTS search", "search: hợp tác")):
        ms = q[label]["median_ms"]
        rows.insert(-1, [f"{what} ≤ {TARGET_MS} ms at {big['items']:,} items ({label})",
                         f"{ms:,.0f} ms", verdict(ms <= TARGET_MS)])
    small = serving[0]
    growth = {label: q[label]["median_ms"] / small["queries"][label]["median_ms"]
              for label in q if label in small["queries"]}
    worst = max(growth, key=growth.get)
    rows.insert(-1, [f"every page at {big['items']:,} items ≤ 2 × its time at "
                     f"{small['items']:,} (issue 14)", f"{growth[worst]:.2f} × at most ({worst})",
                     verdict(growth[worst] <= 2.0)])
    documented = [s["csv"][0] for s in serving if "distinct" in s["csv"][0]]
    if documented:
        twice = sum(d["rows"] - d["distinct"] for d in documented)
        rows.append([f"full CSV at `{documented[0]['path']}`: every row once",
                     f"{twice} rows sent twice in {len(documented)} downloads",
                     verdict(twice == 0)])
    return f"""## 9. Targets

{table(["target", "measured", ""], rows)}
First sync: trafilatura with metadata {med(map(with_metadata_per_page, head['runs'])):.1f} CPU
ms per page, bare {med(map(bare_per_page, head['runs'])):.1f}; coopwatch
{med(map(per_article, head['runs'])):.1f} ms per article. See section 2 for the split.
"""
