"""Peak memory of ``coopwatch run`` serving a big database while its first sync runs (issue 14).

``coopwatch run`` keeps the scheduler (syncs) and Datasette in one process, so its peak RSS is
what a host must provision. This benchmark starts the real service as a child process over a big
items database (``bench.bigdb``), with a sources file pointing at the loopback news site
(``bench.site``: N sources × M new articles), and while the first sync runs:

* ``--clients`` threads request the pages the README links (``bench.serving.QUERIES`` plus a
  search for a rare word) in a loop, and time them;
* the service's ``/proc/PID/status`` is read every 0.2 s (VmRSS, RssAnon, RssFile);
* a read-only SQLite connection watches the ``runs`` table until every source has a new row.

Then VmHWM is read and the service gets SIGTERM. One JSON line per service run is printed,
then a markdown table. Everything is bounded: the site stops after its lifetime, the service is
killed when it outlives ``--timeout`` or ignores SIGTERM, a database build is capped too.

    .venv/bin/python -m bench.service_memory                      # 10,000 and 1,000,000 items
    .venv/bin/python -m bench.service_memory --items 10000 --articles 50
    .venv/bin/python -m bench.service_memory --db /tmp/big.db     # reuse a bigdb database
    .venv/bin/python -m bench.service_memory --db /tmp/big.db --breakdown

``--breakdown`` runs three more services over each database, to say where the memory goes: the
sync with no readers, the readers with every source disabled (``--serve-seconds``), and the
sync with readers under a probe that reads, in the service's own process, Python's allocations
(tracemalloc), SQLite's (``sqlite3_memory_used``) and glibc's heap (``mallinfo2``). The probe's
bookkeeping inflates that service's RSS, so its peak is not the figure to quote.

Databases are built once into ``bench/_work/service_memory/items-N.db`` (1,000,000 items take
3–4 minutes and 4.3 GB) and reused; each run adds the site's articles to them (the site's port
is new each run, so its article URLs are new too and the sync always has work).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO

import requests
import yaml

from bench import procmem
from bench.pages import SiteSpec
from bench.serving import QUERIES
from bench.site import Site
from bench.syncjob import bench_sources

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "service_memory"
COOPWATCH = ROOT / ".venv" / "bin" / "coopwatch"
SAMPLE_S = 0.2
BUILD_TIMEOUT_S = 900
STOP_TIMEOUT_S = 15
TARGET_MB = 250
PROBE_FLAG = "--as-probed-service"  # internal: this module runs the service, probed
def build_db(items: int, path: Path) -> float:
    """Build ``path`` with ``bench.bigdb`` unless it exists; return the seconds it took."""
    if path.is_file():
        return 0.0
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.bigdb", "--items", str(items), "--out",
                    str(path)], cwd=ROOT, check=True, timeout=BUILD_TIMEOUT_S,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def write_config(path: Path, spec: SiteSpec, bases: list[str], enabled: bool = True) -> list[str]:
    """A sources.yaml for the site's sources, as a user would write it; returns their names."""
    sources = bench_sources(spec, bases, spec.sources)
    config = {
        "defaults": {"delay": 0, "allow_private_network": True, "interval": "1d",
                     "user_agent": sources[0].user_agent, "enabled": enabled},
        "sources": [{"name": s.name, "url": s.url, "language": s.language, "country": s.country}
                    for s in sources],
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return [s.name for s in sources]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ro_connect(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def last_run_id(db_path: Path) -> int:
    conn = ro_connect(db_path)
    try:
        return conn.execute("select coalesce(max(id), 0) from runs").fetchone()[0]
    finally:
        conn.close()


def item_count(db_path: Path) -> int:
    conn = ro_connect(db_path)
    try:
        return conn.execute("select count(*) from items").fetchone()[0]
    finally:
        conn.close()


def sync_runs(conn: sqlite3.Connection, after: int, names: list[str]) -> list[dict]:
    """The run rows written since run ``after`` for these sources (one per source per pass)."""
    marks = ", ".join("?" * len(names))
    rows = conn.execute(
        f"select source, started, finished, status, new_articles, error from runs "
        f"where id > ? and source in ({marks}) order by id", [after, *names]).fetchall()
    keys = ("source", "started", "finished", "status", "new_articles", "error")
    return [dict(zip(keys, row, strict=True)) for row in rows]


@dataclass
class Sampler:
    """Reads the service's memory every ``SAMPLE_S`` seconds in a thread of its own."""

    pid: int
    samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Sampler:
        self.started = time.perf_counter()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        while True:
            status = procmem.status_mb(self.pid)
            if status:
                self.samples.append((time.perf_counter() - self.started, status))
            if self.stop.wait(SAMPLE_S):
                return

    def peak(self, key: str = "VmRSS", since: float = 0.0) -> float:
        return max((s[key] for t, s in self.samples if t >= since), default=0.0)

    def at_peak(self, since: float = 0.0) -> dict[str, float]:
        chosen = [(t, s) for t, s in self.samples if t >= since] or [(0.0, {})]
        return max(chosen, key=lambda ts: ts[1].get("VmRSS", 0.0))[1]


@dataclass
class Readers:
    """``clients`` threads requesting ``pages`` in turn until stopped; each request's ms."""

    root: str
    pages: list[str]
    clients: int
    times: list[tuple[str, float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        if path == "/" or path.startswith("/-/"):
            return self.root + path
        return f"{self.root}/coopwatch{path}"

    def start(self) -> Readers:
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True)
                        for n in range(self.clients)]
        for thread in self.threads:
            thread.start()
        return self

    def _run(self, offset: int) -> None:
        session = requests.Session()
        number = offset * len(self.pages) // max(self.clients, 1)  # clients start apart
        while not self.stop.is_set():
            path = self.pages[number % len(self.pages)]
            number += 1
            started = time.perf_counter()
            try:
                status = session.get(self.url(path), timeout=60).status_code
            except requests.RequestException:
                status = 0
            self.times.append((path, (time.perf_counter() - started) * 1000, status))

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(65)


class Service:
    """``coopwatch run`` as a child process (a context manager that always ends it)."""

    def __init__(self, config: Path, db_path: Path, log: IO, probe: Path | None = None,
                 env: dict[str, str] | None = None):
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        arguments = ["run", "--config", str(config), "--db", str(db_path), "--port",
                     str(self.port)]
        command = [sys.executable, "-m", "bench.service_memory", PROBE_FLAG, str(probe),
                   *arguments] if probe else [str(COOPWATCH), *arguments]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log,
                                        env={**os.environ, **(env or {})})

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_ready(self, timeout: float) -> float:
        """Seconds until the service answers HTTP; raise if it exits or takes too long."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"coopwatch run exited with status {self.process.returncode}")
            try:
                requests.get(f"{self.root}/-/versions.json", timeout=2)
                return time.perf_counter() - started
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"coopwatch run did not answer within {timeout:.0f} s")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after ``STOP_TIMEOUT_S``; the exit status (None if killed)."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


def _seconds_between(first: str, last: str) -> float:
    return (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()


@dataclass(frozen=True)
class Variant:
    """How one service is run: ``sync`` off serves for ``serve_s`` seconds with every source
    disabled (what serving alone costs); ``probe`` runs it under ``_probe_service``; ``env``
    is added to its environment (``MALLOC_ARENA_MAX=2``, say)."""

    clients: int = 2
    sync: bool = True
    serve_s: float = 60.0
    probe: bool = False
    timeout: float = 900.0
    env: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        what = "sync + pages" if self.sync and self.clients else "sync only" if self.sync \
            else "pages only"
        return what + (", probed" if self.probe else "") + "".join(
            f", {key}={value}" for key, value in self.env)


def measure(db_path: Path, spec: SiteSpec, variant: Variant, pages: list[str]) -> dict:
    """One service over ``db_path`` during its first sync of the site; see the module doc."""
    work = db_path.parent
    items = item_count(db_path)
    after = last_run_id(db_path)
    stem = db_path.stem + "." + re.sub(r"[^\w=.-]+", "-", variant.label)
    log_path, config = work / f"{stem}.service.log", work / f"{stem}.sources.yaml"
    probe = work / f"{stem}.probe.jsonl" if variant.probe else None
    with Site(spec, lifetime=variant.timeout + 60) as site, open(log_path, "w") as log:
        names = write_config(config, spec, site.bases, enabled=variant.sync)
        deadline = time.perf_counter() + variant.timeout
        with Service(config, db_path, log, probe, dict(variant.env)) as service:
            sampler = Sampler(service.process.pid).start()
            ready_s = service.wait_ready(min(120.0, variant.timeout))
            ready_at = time.perf_counter() - sampler.started
            rss_start = procmem.status_mb(service.process.pid).get("VmRSS", 0.0)
            readers = Readers(service.root, pages, variant.clients).start()
            if variant.sync:
                runs = _wait_for_sync(db_path, after, names, service, deadline)
            else:
                runs = []
                time.sleep(min(variant.serve_s, variant.timeout))
            sync_s = time.perf_counter() - sampler.started - ready_at
            readers.join()
            final = procmem.status_mb(service.process.pid)
            sampler.stop.set()
            sampler.thread.join()
            status = service.stop()
    served = [(path, ms, code) for path, ms, code in readers.times]
    ok = [ms for _, ms, code in served if code == 200]
    return {
        "variant": variant.label, "items": items, "db": str(db_path),
        "db_mb": round(db_path.stat().st_size / 1e6), "tree": tree_state(),
        "sources": spec.sources, "articles_per_source": spec.articles,
        "clients": variant.clients, "ready_s": round(ready_s, 2),
        "rss_start_mb": round(rss_start, 1),
        "rss_peak_mb": round(sampler.peak("VmRSS", ready_at), 1),
        "at_peak": {k: round(v, 1) for k, v in sampler.at_peak(ready_at).items()},
        "rss_end_mb": round(final.get("VmRSS", 0.0), 1),
        "vm_hwm_mb": round(final.get("VmHWM", 0.0), 1),
        "samples": len(sampler.samples),
        "requests": len(served), "requests_ok": len(ok),
        "statuses": sorted({code for _, _, code in served}),
        "median_ms": round(statistics.median(ok), 1) if ok else None,
        "max_ms": round(max(ok), 1) if ok else None,
        "slowest": _slowest(served), "page_median_ms": _medians(served),
        "sync_done": len({r["source"] for r in runs}) == len(names) if variant.sync else None,
        "articles": sum(r["new_articles"] or 0 for r in runs),
        "run_statuses": sorted({r["status"] for r in runs}),
        "errors": [r["error"] for r in runs if r["error"]][:3],
        "sync_wall_s": round(sync_s, 1),
        "sync_runs_s": round(_seconds_between(min(r["started"] for r in runs),
                                              max(r["finished"] for r in runs)), 1)
        if runs else None,
        "exit_status": status, "log": str(log_path),
        **({"probe": probe_summary(probe)} if probe else {}),
    }


def tree_state() -> str:
    """The commit measured, and the jobs/ files changed in the working tree since."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=30).stdout.strip()

    changed = git("diff", "--name-only", "HEAD", "--", "jobs").split()
    return git("rev-parse", "--short", "HEAD") + (f" + {', '.join(changed)}" if changed else "")


def _wait_for_sync(db_path: Path, after: int, names: list[str], service: Service,
                   deadline: float) -> list[dict]:
    """Poll ``runs`` once a second until every source has a new row, or the deadline."""
    conn = ro_connect(db_path)
    try:
        while True:
            runs = sync_runs(conn, after, names)
            if len({r["source"] for r in runs}) == len(names):
                return runs
            if time.perf_counter() > deadline or service.process.poll() is not None:
                return runs
            time.sleep(1.0)
    finally:
        conn.close()


def _medians(served: list[tuple[str, float, int]]) -> dict[str, float]:
    """Each page's median time over the answered requests."""
    times: dict[str, list[float]] = {}
    for path, ms, code in served:
        if code == 200:
            times.setdefault(path, []).append(ms)
    return {path: round(statistics.median(ms), 1) for path, ms in times.items()}


def _slowest(served: list[tuple[str, float, int]]) -> dict[str, float]:
    """The three pages with the highest single time, and that time."""
    worst: dict[str, float] = {}
    for path, ms, _ in served:
        worst[path] = max(worst.get(path, 0.0), ms)
    return {path: round(ms) for path, ms in sorted(worst.items(), key=lambda kv: -kv[1])[:3]}


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (all size_t)."""

    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _probe_service(out: Path, argv: list[str]) -> None:
    """Run ``coopwatch <argv>`` in this process, writing what its memory is made of to ``out``.

    Every ``SAMPLE_S``: VmRSS; Python's own allocations (tracemalloc, one frame; its own
    bookkeeping, which inflates RSS, is reported beside them); SQLite's
    (``sqlite3_memory_used``: every connection's page cache, statements and FTS doclists,
    through the library ``_sqlite3`` is linked to); and glibc's heap (``mallinfo2``: bytes in
    use, bytes free but kept). Whenever RSS reaches a new high (at most every 3 s) the 20
    source lines holding most Python memory are written too.
    """
    import _sqlite3
    import tracemalloc

    from jobs.cli import main as coopwatch

    tracemalloc.start(1)
    sqlite = ctypes.CDLL(_sqlite3.__file__)
    for name in ("sqlite3_memory_used", "sqlite3_memory_highwater"):
        getattr(sqlite, name).restype = ctypes.c_int64
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    handle = open(out, "w")  # noqa: SIM115 - closed by the process's end
    mb = 1 / 1_048_576

    def sample() -> None:
        high, last_top = 0.0, 0.0
        started = time.perf_counter()
        while True:
            now = time.perf_counter() - started
            rss = procmem.status_mb(os.getpid()).get("VmRSS", 0.0)
            traced, traced_peak = tracemalloc.get_traced_memory()
            heap = libc.mallinfo2()
            row = {"t": round(now, 2), "rss": rss,
                   "python": traced * mb, "python_peak": traced_peak * mb,
                   "tracemalloc_overhead": tracemalloc.get_tracemalloc_memory() * mb,
                   "sqlite": sqlite.sqlite3_memory_used() * mb,
                   "sqlite_high": sqlite.sqlite3_memory_highwater(0) * mb,
                   "heap_in_use": (heap.uordblks + heap.hblkhd) * mb,
                   "heap_free": heap.fordblks * mb, "threads": threading.active_count()}
            if rss > high + 2 and now - last_top > 3:
                high, last_top = rss, now
                stats = tracemalloc.take_snapshot().statistics("lineno")[:20]
                row["top"] = {f"{_short_path(s.traceback[0].filename)}:{s.traceback[0].lineno}":
                              round(s.size * mb, 2) for s in stats}
            handle.write(json.dumps(row) + "\n")
            handle.flush()
            time.sleep(SAMPLE_S)

    threading.Thread(target=sample, daemon=True, name="probe").start()
    coopwatch(argv, prog_name="coopwatch")


def _short_path(path: str) -> str:
    for marker in ("site-packages/", sysconfig.get_paths()["stdlib"] + "/", f"{ROOT}/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def probe_summary(path: Path) -> dict:
    """The probe's sample at the highest RSS, and the line list taken nearest before it."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not rows:
        return {}
    peak = max(rows, key=lambda row: row["rss"])
    tops = [row for row in rows if "top" in row and row["t"] <= peak["t"]]
    summary = {k: round(v, 1) for k, v in peak.items() if isinstance(v, float | int)}
    summary["sqlite_high"] = round(max(row["sqlite_high"] for row in rows), 1)
    summary["python_peak"] = round(max(row["python_peak"] for row in rows), 1)
    summary["top_python_lines_mb"] = tops[-1]["top"] if tops else {}
    return summary


def table(results: list[dict]) -> str:
    """The markdown table: one column per database size."""
    rows = [
        ("items in the database", lambda r: f"{r['items']:,}"),
        ("RSS when the service first answers (MB)", lambda r: f"{r['rss_start_mb']:.0f}"),
        ("peak RSS during the sync (MB)", lambda r: f"**{r['rss_peak_mb']:.0f}**"),
        ("  of which anonymous / file-backed (MB)",
         lambda r: f"{r['at_peak'].get('RssAnon', 0):.0f} / {r['at_peak'].get('RssFile', 0):.0f}"),
        ("VmHWM, the process's high-water mark (MB)", lambda r: f"{r['vm_hwm_mb']:.0f}"),
        ("RSS when the sync is done (MB)", lambda r: f"{r['rss_end_mb']:.0f}"),
        ("page requests served during the sync", lambda r: f"{r['requests_ok']:,}"
         + (f" (+{r['requests'] - r['requests_ok']} failed)" if r['requests'] > r['requests_ok']
            else "")),
        ("their median / max (ms)", lambda r: f"{r['median_ms']} / {r['max_ms']:,.0f}"
         if r["median_ms"] is not None else "-"),
        ("articles synced", lambda r: f"{r['articles']:,}"),
        ("sync wall time (s)", lambda r: f"{r['sync_wall_s']:.0f}"),
        (f"peak ≤ {TARGET_MB} MB", lambda r: "– (probe inflates it)" if "probe" in r
         else "yes" if r["rss_peak_mb"] <= TARGET_MB else "no"),
    ]
    head = "| | " + " | ".join(f"{r['items']:,} items" + (
        f", {r['variant']}" if r["variant"] != results[0]["variant"] else "")
        for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    lines += [f"| {label} | " + " | ".join(cell(r) for r in results) + " |"
              for label, cell in rows]
    return "\n".join(lines)


def pages_to_request() -> list[str]:
    """The README's pages as ``bench.serving`` times them, and a search for a rare word."""
    from bench.bigdb import rare_term

    rare, _share = rare_term()
    return [*QUERIES.values(), f"/items?_search={rare}"]


def main() -> None:
    if sys.argv[1:2] == [PROBE_FLAG]:
        _probe_service(Path(sys.argv[2]), sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, action="append",
                        help="database size to build or reuse (repeatable; default 10000 and "
                             "1000000)")
    parser.add_argument("--db", type=Path, action="append",
                        help="an existing bigdb database to use instead (repeatable)")
    parser.add_argument("--work", type=Path, default=WORK, help="where databases are built")
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--articles", type=int, default=100, help="new articles per source")
    parser.add_argument("--clients", type=int, default=2, help="readers requesting pages")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds one service may run before it is stopped")
    parser.add_argument("--breakdown", action="store_true",
                        help="also run the sync without readers, the readers without a sync "
                             "(--serve-seconds), and the service probed (tracemalloc, SQLite's "
                             "and glibc's counters)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="add to the service's environment (repeatable), e.g. "
                             "MALLOC_ARENA_MAX=2")
    parser.add_argument("--serve-seconds", type=float, default=60.0,
                        help="how long the readers run when nothing syncs (--breakdown)")
    args = parser.parse_args()
    databases = list(args.db or [])
    if not databases:
        for items in args.items or [10_000, 1_000_000]:
            path = args.work / f"items-{items}.db"
            built = build_db(items, path)
            if built:
                print(f"built {path} in {built:.0f} s", file=sys.stderr)
            databases.append(path)
    spec = SiteSpec(sources=args.sources, articles=args.articles)
    env = tuple(tuple(pair.split("=", 1)) for pair in args.env)
    main_variant = Variant(clients=args.clients, timeout=args.timeout, env=env)
    variants = [main_variant]
    if args.breakdown:
        variants += [replace(main_variant, clients=0),
                     replace(main_variant, sync=False, serve_s=args.serve_seconds),
                     replace(main_variant, probe=True)]
    pages = pages_to_request()
    results = []
    for path in databases:
        for variant in variants:
            result = measure(path, spec, variant, pages)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
