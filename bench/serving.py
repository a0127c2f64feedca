"""Serving at scale: Datasette pages, facets, search and a full CSV download over a big database.

The server is coopwatch's own (``jobs.serve.make_datasette`` + ``make_server``), run in a child
process on a loopback port so its RSS can be sampled from ``/proc`` while a download streams. The
child stops by itself after ``--lifetime`` seconds, or as soon as its stdin closes.

    .venv/bin/python -m bench.serving --serve db.db --lifetime 60   # prints {"port": N}
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import requests
from datasette.utils import tilde_encode

from bench import procmem

ROOT = Path(__file__).resolve().parent.parent
QUERIES = {  # label → path under /coopwatch; what a reader clicks, then what it is made of
    "items page": "/items",
    "items page, no facets": "/items?_nofacet=1",
    "items page, no facets, no count": "/items?_nofacet=1&_nocount=1",
    "facet: source = s007": "/items?source=s007",
    "facet: countries contains LA": "/items?countries__arraycontains=LA",
    "search: hợp tác": "/items?_search=h%E1%BB%A3p+t%C3%A1c",
    "search: hop tac (no diacritics)": "/items?_search=hop+tac",
    "search: hợp tác, no facets, no count": "/items?_search=h%E1%BB%A3p+t%C3%A1c&_nofacet=1"
                                            "&_nocount=1",
    "an item": "/items/" + tilde_encode("https://s001.example/news/1.html"),
    "events page": "/events",
    "an event": "/events/ev1",
    "country pair LA-VN": "/-/pair/LA-VN",
    "organisation VNA": "/-/organisation/VNA",
    "map of events": "/events_map",
    "home page": "/",
}
TIMED_OUT = re.compile(r'class="facets-timed-out">These facets timed out: ([^<]*)<')
CSV_DOCUMENTED = "/items.csv?_stream=on"
CSV_BY_KEY = "/items.csv?_stream=on&_size=max&_sort=url"


def rss_mb(pid: int) -> float:
    return procmem.status_mb(pid).get("VmRSS", 0.0)


def _serve(db_path: str, lifetime: float) -> None:
    from jobs.serve import make_datasette, make_server, run_server

    server = make_server(make_datasette(db_path), "127.0.0.1", 0)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(json.dumps({"port": listener.getsockname()[1]}), flush=True)

    def stop_on_eof() -> None:
        sys.stdin.read()
        server.should_exit = True

    threading.Thread(target=stop_on_eof, daemon=True).start()
    timer = threading.Timer(lifetime, lambda: setattr(server, "should_exit", True))
    timer.daemon = True
    timer.start()
    run_server(server, sockets=[listener])


class Server:
    """A serving child process over ``db_path`` (a context manager)."""

    def __init__(self, db_path: Path, lifetime: float = 600.0, stderr: IO | None = None):
        command = [sys.executable, "-m", "bench.serving", "--serve", str(db_path),
                   "--lifetime", str(lifetime)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=stderr, text=True)
        port = json.loads(self.process.stdout.readline())["port"]
        self.root = f"http://127.0.0.1:{port}"
        self.base = f"{self.root}/coopwatch"
        self.session = requests.Session()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def get_ms(self, path: str) -> tuple[float, int, str]:
        """Milliseconds, status, and the facets the page says timed out."""
        started = time.perf_counter()
        url = self.root + path if path == "/" or path.startswith("/-/") else self.base + path
        response = self.session.get(url, timeout=60)
        elapsed = (time.perf_counter() - started) * 1000
        timed_out = TIMED_OUT.search(response.text)
        return elapsed, response.status_code, timed_out.group(1) if timed_out else ""

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)


def time_queries(server: Server, runs: int, rare: str) -> dict[str, dict]:
    """Each query ``runs`` times in a row: the median and the first (coldest) time, in ms."""
    results = {}
    queries = {**QUERIES, f"search: rare term ({rare})": f"/items?_search={rare}"}
    for label, path in queries.items():
        first, status, timed_out = server.get_ms(path)
        times = [first] + [server.get_ms(path)[0] for _ in range(runs - 1)]
        results[label] = {"path": path, "status": status, "cold_ms": first,
                          "median_ms": statistics.median(times), "max_ms": max(times),
                          "facets_timed_out": timed_out}
    return results


class _Keys:
    """Counts the lines of a CSV stream and the distinct values of its first column (the key).

    Items' first column is the URL, which holds no comma, quote or newline, so a line's key is
    what comes before its first comma; a line cut between two chunks is carried over.
    """

    def __init__(self) -> None:
        self.lines = 0
        self.seen: set[bytes] = set()
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        *complete, self.carry = (self.carry + chunk).split(b"\n")
        self.lines += len(complete)
        self.seen.update(line.split(b",", 1)[0] for line in complete)


def download_csv(server: Server, path: str, cap_s: float) -> dict:
    """Stream the CSV, sampling the server's RSS every 0.2 s; stop after ``cap_s`` seconds."""
    samples: list[tuple[float, float]] = []
    done = threading.Event()
    started = time.perf_counter()

    def sample() -> None:
        while not done.wait(0.2):
            samples.append((time.perf_counter() - started, server.rss_mb()))

    rss_before = server.rss_mb()
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    size = 0
    keys = _Keys()
    complete = True
    with server.session.get(server.base + path, stream=True, timeout=600) as response:
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            keys.feed(chunk)
            if time.perf_counter() - started > cap_s:
                complete = False  # abandoned at the cap: the rate is what counts
                break
    seconds = time.perf_counter() - started
    done.set()
    thread.join()
    rss = [mb for _, mb in samples] or [rss_before]
    quarter = max(1, len(rss) // 4)
    return {"path": path, "complete": complete, "seconds": seconds, "mb": size / 1e6,
            "rows": max(0, keys.lines - 1), "distinct": len(keys.seen) - 1,
            "rss_before_mb": rss_before,
            "rss_first_quarter_mb": max(rss[:quarter]), "rss_last_quarter_mb": max(rss[-quarter:]),
            "rss_peak_mb": max(rss), "samples": len(rss)}


SQL = {  # what the pages above run, timed alone in SQLite (as Datasette builds it, simplified)
    "count(*)": "select count(*) from items",
    "facet source": "select source, count(*) from items group by source order by 2 desc "
                    "limit 31",
    "facet year": "select year, count(*) from items group by year order by 2 desc limit 31",
    "facet countries (json_each)": "select j.value, count(*) from items, json_each("
                                   "items.countries) j group by j.value order by 2 desc limit 31",
    "facet countries (facet_counts)": "select value, rows from facet_counts where tbl = 'items' "
                                      "and facet = 'countries' order by rows desc limit 31",
    "filter countries = LA (json_each), first page": "select url from items where 'LA' in "
                                                     "(select value from json_each(countries)) "
                                                     "order by published desc limit 51",
    "filter countries = LA (item_countries), first page": "select url from items where exists "
                                                          "(select 1 from item_countries c where "
                                                          "c.item = items.url and c.country = "
                                                          "'LA') order by published desc limit 51",
    "facet kinds (json_each)": "select j.value, count(*) from items, json_each(items.kinds) j "
                               "group by j.value order by 2 desc limit 31",
    "search: count the matches": "select count(*) from items_fts where items_fts match "
                                 "'\"hợp\" \"tác\"'",
    "search: first page, newest first": "select rowid from items where rowid in (select rowid "
                                        "from items_fts where items_fts match '\"hợp\" \"tác\"')"
                                        " order by published desc limit 51",
    "search: count the matches up to 10,001": "select count(*) from (select rowid from items_fts "
                                              "where items_fts match '\"hợp\" \"tác\"' "
                                              "limit 10001)",
    "search: first page, each row asked (jobs.facets)": "select rowid from items where exists ("
                                                        "select 1 from items_fts where items_fts "
                                                        "match '\"hợp\" \"tác\"' and "
                                                        "items_fts.rowid = items.rowid) order by "
                                                        "published desc limit 51",
}


def time_sql(db_path: Path, runs: int) -> dict[str, float]:
    """Median ms of each statement of ``SQL`` on a read-only connection."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    results = {}
    for label, sql in SQL.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            conn.execute(sql).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        results[label] = statistics.median(times)
    conn.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", required=True, help="database to serve")
    parser.add_argument("--lifetime", type=float, default=300.0)
    args = parser.parse_args()
    _serve(args.serve, args.lifetime)


if __name__ == "__main__":
    main()
