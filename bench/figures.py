"""The figures of bench/RESULTS.md: the machine, Markdown tables, and values derived from the
raw results ``bench.run`` collects (medians, per-article costs, growth exponents)."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import statistics
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = ("trafilatura", "htmldate", "lxml", "feedparser", "requests", "urllib3",
            "sqlite-utils", "datasette", "uvicorn", "charset-normalizer")
TARGET_MS = 50


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    meminfo = Path("/proc/meminfo").read_text().split() if Path("/proc/meminfo").exists() else []
    ram = f"{int(meminfo[1]) / 1024**2:.1f} GB" if len(meminfo) > 1 else "unknown"
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return {"cpu": model, "cores": os.cpu_count(), "usable": len(os.sched_getaffinity(0)),
            "ram": ram, "python": platform.python_version(), "os": platform.platform(),
            "sqlite": sqlite3.sqlite_version, "packages": versions, "load_before": loadavg(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def med(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) < 10 \
            else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else "**met**" if ok else "**not met**"


# --- derived figures -----------------------------------------------------------------------


def per_article(run: dict) -> float:
    return run["cpu_s"] / max(1, run["articles"]) * 1000


def bare_per_page(run: dict) -> float:
    return run["baseline"]["bare_cpu_s"] / max(1, run["baseline"]["pages"]) * 1000


def with_metadata_per_page(run: dict) -> float:
    baseline = run["baseline"]
    return baseline.get("with_metadata_cpu_s", 0.0) / max(1, baseline["pages"]) * 1000


def size_row(size: dict) -> list:
    runs = size["runs"]
    ratios = [r["ratio"] for r in runs]
    return [f"{size['sources'] * size['per_source']:,} ({size['sources']} × {size['per_source']})",
            len(runs), med(r["articles"] / r["wall_s"] for r in runs), med(map(per_article, runs)),
            med(map(with_metadata_per_page, runs)), med(map(bare_per_page, runs)), med(ratios),
            f"{min(ratios):.2f}–{max(ratios):.2f}", med(r.get("ratio_bare", 0.0) for r in runs),
            med(r["maxrss_mb"] for r in runs)]


def served(passes: list[dict], key: str) -> list[int]:
    return [p["served"].get(key, 0) for p in passes]


def requests_of(one_pass: dict) -> int:
    return sum(v for k, v in one_pass["served"].items() if k != "bytes")


INCREMENTAL_COLUMNS = {
    "archive": "archive (articles)", "first_requests": "requests / source, 1st pass",
    "requests": "requests / source, next passes", "answered_304": "304 answers",
    "pages": "page fetches", "unchanged_ms": "CPU ms / source, unchanged",
    "touched_ms": "CPU ms / source, listing changed, nothing new", "new": "new articles / round",
    "round_ms": "CPU ms / round", "per_new_ms": "CPU ms / new article (beyond the listings)",
    "rss": "peak RSS MB",
}


def incremental_figures(variant: dict, sources: int) -> dict:
    first, steady = variant["unchanged"][0], variant["unchanged"][1:]
    rounds, touched = variant["rounds"], variant["touched"]
    new = med(r["new"] for r in rounds)
    round_ms = med(r["cpu_s"] for r in rounds) * 1000
    touched_ms = med(t["cpu_s"] for t in touched) * 1000
    return {
        "archive": variant["archive"], "first_requests": requests_of(first) / sources,
        "requests": med(requests_of(p) for p in steady) / sources,
        "answered_304": f"{med(served(steady, 'listing_304')):.0f}/{sources}",
        "pages": max(served(variant["unchanged"], "page")),
        "unchanged_ms": med(p["cpu_s"] for p in steady) * 1000 / sources,
        "touched_ms": touched_ms / sources, "new": new, "round_ms": round_ms,
        "per_new_ms": (round_ms - touched_ms) / max(new, 1), "rss": variant["maxrss_mb"],
    }


def exponent(sizes: list[float], values: list[float], per_unit: bool) -> float:
    """b in total cost ∝ size^b (per-unit figures are turned into totals first)."""
    (n1, v1), (n3, v3) = (sizes[0], values[0]), (sizes[-1], values[-1])
    if min(n1, n3, v1, v3) <= 0 or n1 == n3:
        return float("nan")
    return (1 if per_unit else 0) + math.log(v3 / v1) / math.log(n3 / n1)


def growth_row(label: str, sizes: list[float], values: list[float], per_unit: bool) -> list:
    b = exponent(sizes, values, per_unit)
    limit = 1.1 if per_unit else 0.15
    word = "–" if math.isnan(b) else ("linear or better" if b <= limit else "worse than linear") \
        if per_unit else ("flat" if b <= limit else "grows")
    cells = [f"{_cell(v)} @ {_cell(n)}" for n, v in zip(sizes, values, strict=True)]
    return [label, *cells, f"{b:.2f}" if not math.isnan(b) else "–", word]
