"""Sections 6 and 7 of bench/RESULTS.md: serving at scale, and reclassify."""

from __future__ import annotations

from bench.figures import TARGET_MS, table


def serving_section(machine: dict, results: dict) -> str:
    serving = results["serving"]
    sizes = [s["items"] for s in serving]
    labels = list(serving[0]["queries"])
    rows = [[label, *[s["queries"][label]["median_ms"] for s in serving],
             serving[-1]["queries"][label]["cold_ms"],
             serving[-1]["queries"][label]["facets_timed_out"] or "–"] for label in labels]
    sql = [[label, *[s["sql"][label] for s in serving]] for label in serving[0]["sql"]]
    made = [[s["items"], s["made"]["total_s"], s["made"]["mb"]] for s in serving]
    csv = [_csv_row(s["items"], d) for s in serving for d in s["csv"]]
    rare = serving[-1]["rare"]
    settings = results.get("serving_settings", {})
    limit = f"{settings['facet_time_limit_ms']} ms" if "facet_time_limit_ms" in settings \
        else "as configured in jobs/serve.py"
    scale = "" if sizes[-1] >= 1_000_000 else (
        f"This mode stops at {sizes[-1]:,} items to stay within its time budget (a million take "
        "about 90 s to generate and its slow pages seconds each); `bench/run.py --full` serves "
        "1,000,000 (bench/RESULTS-full.md).\n")
    return f"""## 6. Serving at scale

Databases of items, and an event for every second item, generated directly (`bench/bigdb.py`:
`jobs.schema.connect`, then one transaction; full-text rows as `jobs.store` writes them, the
array columns' rows and facet counts by the schema's triggers; item texts of about 1 KB), served by
`jobs.serve.make_datasette` + `make_server` in a child process on loopback. Median of
{results['plan']['query_runs']} requests in a row, in ms (target ≤ {TARGET_MS} ms); the last
column is the first of them at the largest size. The rare term `{rare['term']}` is in about
{rare['rows']:,} rows of the largest database.
{scale}
{table(["query", *[f"{n:,} items" for n in sizes], f"first, {sizes[-1]:,}",
        f"facets timed out, {sizes[-1]:,}"], rows)}
A facet that runs past `facet_time_limit_ms` ({limit}) is dropped from the page, which says so
("timed out" above). What the pages are made of, each statement timed alone in SQLite
(median ms):

{table(["statement", *[f"{n:,} items" for n in sizes]], sql)}
{table(["items", "generated in s", "database MB"], made)}
Full CSV downloads, with the serving process's RSS sampled every 0.2 s; a download that hits the
time cap is stopped and its rate projected ("full in s"). Every row should come once: "distinct
URLs" counts the keys received.

{table(["items", "URL", "complete", "rows", "distinct URLs", "s", "rows/s", "full in s",
        "RSS before MB",
        "RSS 1st quarter MB", "RSS last quarter MB"], csv)}"""


def _csv_row(items: int, download: dict) -> list:
    rate = download["rows"] / download["seconds"]
    return [items, download["path"], "yes" if download["complete"] else "no (capped)",
            download["rows"], download.get("distinct", "–"), download["seconds"], rate,
            items / rate, download["rss_before_mb"], download["rss_first_quarter_mb"],
            download["rss_last_quarter_mb"]]


def reclassify_section(machine: dict, results: dict) -> str:
    rows = [[r["size"], r["articles"] / r["wall_s"], r["cpu_s"] / r["articles"] * 1000,
             r["added"], r["rss_start_mb"], r["rss_first_quarter_mb"], r["rss_last_quarter_mb"],
             r["maxrss_mb"]] for r in results["reclassify"] if "articles" in r]
    if not rows:
        note = results["reclassify"][0]["classifier"]
        return f"## 7. Reclassify\n\nNot run: classifier {note}.\n"
    scale = "" if rows[-1][0] >= 100_000 else (
        f"This mode stops at {rows[-1][0]:,} articles; `--full` reclassifies 100,000.\n")
    return f"""## 7. Reclassify

`jobs.pipeline.reclassify(db, default_classifier())` over an archive written directly
(`bench/reclass.py`: a pool of 2,003 distinct articles of 1–6 KB, one in ten about media
cooperation, under distinct URLs; no items yet), in a child process.
{scale}
{table(["articles", "articles/s", "CPU ms / article", "items added", "RSS start MB",
        "RSS 1st quarter MB", "RSS last quarter MB", "peak RSS MB"], rows)}"""
