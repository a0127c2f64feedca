"""`make bench`: run every benchmark and write bench/RESULTS.md.

Figures are CPU times (user + system, of the process doing the work) and wall times, medians of
several runs, and ratios taken in the same run, because the machines are shared and noisy. Each
measured piece of work runs in a child process of its own (the loopback site, the sync, the web
server, reclassify), so no process's CPU or memory is counted as another's. Nothing here is a
test: nothing is asserted, the figures are written down.

    .venv/bin/python bench/run.py            # default sizes: under 10 minutes on 2 cores
    .venv/bin/python bench/run.py --quick    # a smoke run, about a minute
    .venv/bin/python bench/run.py --full     # the issue's nominal sizes (1M items, 10k-article
                                             # sync, 100k reclassify); half an hour or more
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figures, report  # noqa: E402
from bench.bigdb import check_fold, make_items_db, rare_term  # noqa: E402
from bench.pages import SiteSpec  # noqa: E402
from bench.reclass import add_articles  # noqa: E402
from bench.serving import CSV_BY_KEY, CSV_DOCUMENTED, Server, time_queries, time_sql  # noqa: E402
from bench.serving import download_csv as csv_download  # noqa: E402
from bench.site import Site  # noqa: E402

CHILD_TIMEOUT = 1800  # seconds; a child that hangs is killed, the run goes on


@dataclass(frozen=True)
class Plan:
    """The sizes of one mode. Sync sizes are (sources, articles per source, runs)."""

    name: str
    sync: tuple[tuple[int, int, int], ...]
    headline: tuple[int, int]  # the throughput figure, with incremental runs on its archive
    workers: tuple[int, ...]  # other worker counts, tried at the smallest sync size
    memory: tuple[int, int] | None  # an extra big first sync, for peak RSS
    archive_padding: tuple[int, ...]  # incremental: extra archive rows beyond the headline's
    profile_articles: int
    decompose_pages: int
    serving: tuple[int, ...]
    query_runs: int
    csv_cap_s: float
    reclassify: tuple[int, ...]


PLANS = {
    "quick": Plan("quick", ((4, 25, 3), (4, 50, 1), (4, 100, 1)), (4, 100), (1,), None,
                  (0, 9_600, 99_600), 100, 30, (2_000, 10_000, 30_000), 3, 5, (300, 1_000, 3_000)),
    "default": Plan("default", ((20, 15, 3), (20, 40, 1), (20, 200, 1)), (20, 200), (1,), None,
                    (0, 36_000, 396_000), 300, 150, (10_000, 50_000, 250_000), 3, 5,
                    (1_000, 3_000, 10_000)),
    "full": Plan("full", ((20, 50, 3), (20, 100, 1), (20, 200, 1)), (20, 200), (1, 2), (50, 200),
                 (0, 36_000, 996_000), 1_000, 400, (10_000, 100_000, 1_000_000), 3, 60,
                 (1_000, 10_000, 100_000)),
}


class Runner:
    """Runs children, keeps a work folder and a log, and says how long things take."""

    def __init__(self, work: Path):
        self.work, self.started = work, time.perf_counter()
        self.log = (work / "children.log").open("a")

    def say(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.0f} s] {message}", file=sys.stderr,
              flush=True)

    def child(self, module: str, job: dict) -> dict:
        command = [sys.executable, "-m", f"bench.{module}", json.dumps(job)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              timeout=CHILD_TIMEOUT)
        self.log.write(done.stderr)
        lines = done.stdout.strip().splitlines()
        if done.returncode or not lines:
            raise RuntimeError(f"bench.{module} failed ({done.returncode}): {done.stderr[-2000:]}")
        return json.loads(lines[-1])

    def site(self, spec: SiteSpec) -> Site:
        return Site(spec, lifetime=CHILD_TIMEOUT, stderr=self.log)


# --- sync ----------------------------------------------------------------------------------


def first_sync(runner: Runner, site: Site, db: Path, sources: int, **extra) -> dict:
    """A first sync into an empty database, then trafilatura over the same pages: the ratio is
    to ``trafilatura.extract(..., with_metadata=True)`` (issue 14), ``ratio_bare`` to it bare."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    job = {"spec": asdict(site.spec), "bases": site.bases, "db": str(db), "sources": sources,
           "baseline": True, **extra}
    result = runner.child("syncjob", job)
    if "baseline" in result:
        result["ratio"] = result["cpu_s"] / result["baseline"]["with_metadata_cpu_s"]
        result["ratio_bare"] = result["cpu_s"] / result["baseline"]["bare_cpu_s"]
    return result


def bench_sync(runner: Runner, plan: Plan) -> dict:
    out: dict = {"sizes": [], "workers": [], "incremental": [], "memory": None}
    for index, (sources, per_source, runs) in enumerate(plan.sync):
        spec = SiteSpec(sources=sources, articles=per_source)
        with runner.site(spec) as site:
            results = []
            for number in range(runs):
                runner.say(f"first sync {sources}×{per_source}, run {number + 1}/{runs}")
                results.append(first_sync(runner, site, runner.work / "sync.db", sources))
            out["sizes"].append({"sources": sources, "per_source": per_source, "runs": results})
            if index == 0:
                _smallest_extras(runner, plan, site, out)
            if (sources, per_source) == plan.headline:
                out["incremental"] = bench_incremental(runner, plan, site)
                runner.say(f"decomposition of {plan.decompose_pages} pages")
                out["decompose"] = runner.child("decompose", {
                    "spec": asdict(spec), "bases": site.bases, "pages": plan.decompose_pages})
    if plan.memory:
        sources, per_source = plan.memory
        with runner.site(SiteSpec(sources=sources, articles=per_source)) as site:
            runner.say(f"memory: first sync {sources}×{per_source}")
            out["memory"] = first_sync(runner, site, runner.work / "memory.db", sources)
    return out


def _smallest_extras(runner: Runner, plan: Plan, site: Site, out: dict) -> None:
    """Other worker counts and the profile, at the smallest size."""
    sources = site.spec.sources
    for workers in plan.workers:
        runner.say(f"first sync {sources}×{site.spec.articles} with workers={workers}")
        result = first_sync(runner, site, runner.work / "workers.db", sources, workers=workers)
        out["workers"].append({"workers": workers, **result})
    per_source = max(1, plan.profile_articles // sources)
    runner.say(f"cProfile of a sync of {per_source * sources} articles (workers=1)")
    if per_source == site.spec.articles:
        out["profile"] = first_sync(runner, site, runner.work / "profile.db", sources,
                                    profile=str(runner.work / "sync.prof"), baseline=False)
        return
    with runner.site(SiteSpec(sources=sources, articles=per_source)) as small:
        out["profile"] = first_sync(runner, small, runner.work / "profile.db", sources,
                                    profile=str(runner.work / "sync.prof"), baseline=False)


def bench_incremental(runner: Runner, plan: Plan, site: Site) -> list[dict]:
    """Re-syncs of the headline archive, then of copies padded with older articles."""
    base = runner.work / "sync.db"
    variants = []
    for extra in plan.archive_padding:
        db = runner.work / f"archive-{extra}.db"
        for suffix in ("", "-wal"):
            if Path(f"{base}{suffix}").exists():
                shutil.copy(f"{base}{suffix}", f"{db}{suffix}")
        archive = add_articles(db, extra, chars=400)["articles"] if extra else \
            site.spec.sources * site.spec.articles
        runner.say(f"incremental re-syncs over an archive of {archive:,} articles")
        job = {"kind": "incremental", "spec": asdict(site.spec), "bases": site.bases,
               "db": str(db), "sources": site.spec.sources, "passes": 3, "rounds": 3,
               "per_round": max(1, site.spec.articles // 100)}
        variants.append({"archive": archive, **runner.child("syncjob", job)})
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    return variants


# --- serving and reclassify ----------------------------------------------------------------


def serving_settings() -> dict:
    """The Datasette settings coopwatch serves with (they bound how long a page may take)."""
    from jobs.serve import SETTINGS

    return {k: v for k, v in SETTINGS.items() if k.endswith("_ms") or "rows" in k}


def bench_serving(runner: Runner, plan: Plan) -> list[dict]:
    term, share = rare_term()
    results = []
    for size in plan.serving:
        db = runner.work / f"items-{size}.db"
        runner.say(f"generating {size:,} items")
        made = make_items_db(db, size)
        runner.say(f"serving {size:,} items")
        with Server(db, lifetime=CHILD_TIMEOUT, stderr=runner.log) as server:
            queries = time_queries(server, plan.query_runs, term)
            downloads = [csv_download(server, CSV_DOCUMENTED, plan.csv_cap_s),
                         csv_download(server, CSV_BY_KEY, plan.csv_cap_s * 10)]
        results.append({"items": size, "made": made, "queries": queries, "csv": downloads,
                        "sql": time_sql(db, plan.query_runs),
                        "rare": {"term": term, "rows": round(share * size)}})
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    return results


def bench_reclassify(runner: Runner, plan: Plan) -> list[dict]:
    results = []
    for size in plan.reclassify:
        db = runner.work / f"articles-{size}.db"
        db.unlink(missing_ok=True)
        made = add_articles(db, size)
        runner.say(f"reclassify {size:,} articles")
        results.append({"size": size, "made": made, **runner.child("reclass", {"db": str(db)})})
        db.unlink()
    return results


def serving_only(runner: Runner, plan: Plan, out: Path) -> None:
    """Section 6 alone (pages, facets, search, CSV at the plan's sizes), as its own file."""
    from bench.report_serving import serving_section

    machine = figures.machine()
    results = {"plan": asdict(plan), "serving": bench_serving(runner, plan),
               "serving_settings": serving_settings()}
    results["elapsed_s"] = time.perf_counter() - runner.started
    head = (f"# coopwatch benchmarks: serving only\n\nWritten by `bench/run.py --serving` "
            f"(mode **{plan.name}**) in {results['elapsed_s'] / 60:.1f} minutes on "
            f"{machine.get('cpu', 'this machine')}. Raw figures: `{out.with_suffix('.json').name}`."
            "\n\n")
    out.write_text(head + serving_section(machine, results) + "\n", encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps({"machine": machine, **results}, indent=1,
                                                   ensure_ascii=False))
    runner.say(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    mode.add_argument("--full", action="store_true", help="the issue's nominal sizes (slow)")
    parser.add_argument("--out", type=Path, help="where to write the results "
                        "(default bench/RESULTS.md; bench/RESULTS-<mode>.md for other modes)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--serving", action="store_true",
                        help="only section 6, serving at scale, at the mode's sizes: "
                             "bench/RESULTS-serving.md (a few minutes with --full)")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="only rewrite the Markdown from a RESULTS*.json of an earlier run")
    args = parser.parse_args()
    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        machine = saved.pop("machine")
        args.render.with_suffix(".md").write_text(report.render(machine, saved), encoding="utf-8")
        return
    plan = PLANS["quick" if args.quick else "full" if args.full else "default"]
    name = "RESULTS.md" if plan.name == "default" else f"RESULTS-{plan.name}.md"
    out = args.out or ROOT / "bench" / name
    work = Path(tempfile.mkdtemp(prefix="coopwatch-bench-"))
    runner = Runner(work)
    if args.serving:
        try:
            serving_only(runner, plan, args.out or ROOT / "bench" / "RESULTS-serving.md")
        finally:
            runner.log.close()
            shutil.rmtree(work, ignore_errors=True)
        return
    try:
        machine = figures.machine()
        results = {"plan": asdict(plan), "fold_check": check_fold()}
        results["sync"] = bench_sync(runner, plan)
        results["serving"] = bench_serving(runner, plan)
        results["serving_settings"] = serving_settings()
        results["reclassify"] = bench_reclassify(runner, plan)
        results["elapsed_s"] = time.perf_counter() - runner.started
        machine["load_after"] = figures.loadavg()
        out.write_text(report.render(machine, results), encoding="utf-8")
        out.with_suffix(".json").write_text(json.dumps({"machine": machine, **results}, indent=1,
                                                       ensure_ascii=False))
        runner.say(f"wrote {out} in {results['elapsed_s']:.0f} s")
    finally:
        runner.log.close()
        if args.keep:
            runner.say(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
