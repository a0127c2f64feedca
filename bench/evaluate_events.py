"""Event linking: pairwise precision and recall, and linking CPU as the archive grows.

A pair of reports is *linked* when both land in one event. Precision: of the linked pairs, how
many report the same real event; recall: of the pairs that report the same event, how many are
linked. Figures for EN-EN, EN-VI and VI-VI pairs separately, on:

- the fixtures, ``tests/fixtures/events/reports.json`` (complete fields) and ``incomplete.json``
  (missing and year-less dates, meetings at one assembly, acts of one visit);
- ``../shared/dev-corpus`` (``--dev-corpus``): its pages classified by the real pipeline (served
  on loopback inside ``unshare --net``, as its check.sh does, then ``coopwatch sync``), the gold
  pairs from ``labels.json``'s ``same_event_as``; and again with the year withheld from the
  event date of every report that gives no publication date (a year-less day, first seen when
  synced: how #11's misses began);

each linked three ways: ``relink_all``'s clustering (the whole set at once), ``assign_event`` one
report at a time in arrival order (first_seen) as ``coopwatch sync`` does, and ``assign_event``
in ``ORDERS`` random arrival orders (the worst figures given).

Then linking CPU (``time.process_time``) per new item, ``assign_event`` alone, at 1,000 and
100,000 stored events (and 1,000,000 with ``--million``): synthetic events at a fixed rate per
day, written with executemany in one transaction; each new item is saved, linked and rolled
back, so every one meets the same archive.

    .venv/bin/python bench/evaluate_events.py [--dev-corpus] [--million] [--no-scale]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobs import events, store  # noqa: E402
from jobs.events import link as eventlink  # noqa: E402
from jobs.models import Item  # noqa: E402
from jobs.schema import connect  # noqa: E402

FIXTURES = [ROOT / "tests/fixtures/events/reports.json",
            ROOT / "tests/fixtures/events/incomplete.json"]
DEV_CORPUS = ROOT.parent / "shared" / "dev-corpus"
ORDERS = 20
ITEM_FIELDS = ("url", "source", "title", "published", "event_date", "place", "summary", "score")
PAIRS: dict[str, Callable[[str, str], bool]] = {
    "EN-EN": lambda a, b: a == b == "en",
    "EN-VI": lambda a, b: {a, b} == {"en", "vi"},
    "VI-VI": lambda a, b: a == b == "vi",
}


@dataclass(frozen=True)
class Labelled:
    report: eventlink.Report
    event: str  # the gold event
    language: str


# The sets


def to_item(report: dict) -> Item:
    arrays = {key: tuple(report[key]) for key in eventlink.ARRAYS}
    return Item(**{key: report[key] for key in ITEM_FIELDS}, **arrays, evidence={},
                classifier="fixture", event_date_basis=report.get("event_date_basis"),
                event_day=report.get("event_day"))


def fixture_set(path: Path) -> list[Labelled]:
    reports = json.loads(path.read_text(encoding="utf-8"))["reports"]
    return [Labelled(eventlink.Report(to_item(r), r["first_seen"]), r["event"], r["language"])
            for r in reports]


def dev_corpus_set(workdir: Path) -> list[Labelled]:
    """The dev corpus synced into a database by the real pipeline, its items labelled."""
    path = workdir / "dev.db"
    subprocess.run(["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
                    sys.executable, __file__, "--sync-into", str(path)], check=True)
    labels = {entry["path"]: entry for entry in
              json.loads((DEV_CORPUS / "labels.json").read_text(encoding="utf-8"))}
    gold = {p: p for p in labels}
    for p, entry in labels.items():  # same_event_as pairs: one event, named by either path
        if entry.get("same_event_as") in labels:
            gold[p] = gold[entry["same_event_as"]] = min(p, entry["same_event_as"])
    db = connect(path)
    rows = list(db.execute(f"select {events.REPORT_COLUMNS} from items").fetchall())
    columns = [c.strip() for c in events.REPORT_COLUMNS.split(",")]
    labelled = []
    for row in rows:
        report = events.report_from_row(dict(zip(columns, row, strict=True)))
        key = _path_of(report.item.url)
        label = labels.get(key, {})
        labelled.append(Labelled(report, gold.get(key, key), label.get("language", "?")))
    db.close()
    return labelled


def withhold_years(labelled: list[Labelled]) -> list[Labelled]:
    """The set as if a report with no publication date gave its event's day without a year (the
    failure #11 starts from): a year-less day, first seen when it was synced."""
    changed = []
    for entry in labelled:
        item = entry.report.item
        if item.published is None and item.event_date:
            item = replace(item, event_date=None, event_date_basis="year-less",
                           event_day="--" + item.event_date[5:10])
        changed.append(replace(entry, report=replace(entry.report, item=item)))
    return changed


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path.lstrip("/") + (("?" + parts.query) if parts.query else "")


def sync_into(path: str) -> None:
    """Inside the network namespace: serve the dev corpus on loopback and sync it into ``path``."""
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([sys.executable, "serve.py", "--port", "0", "--quiet"],
                                  cwd=DEV_CORPUS, stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline() if server.stdout else ""
            base = line.rsplit("BASE=", 1)[1].strip().rstrip(")")
            config = Path(tmp) / "sources.yaml"
            sources = json.loads((DEV_CORPUS / "sources.json").read_text(encoding="utf-8"))
            config.write_text("defaults:\n  delay: 0\n  allow_private_network: true\nsources:\n"
                              + "".join(f"  - name: {s['name']}\n    url: "
                                        f"{s['url'].replace('{BASE}', base)}\n" for s in sources),
                              encoding="utf-8")
            subprocess.run([str(ROOT / ".venv/bin/coopwatch"), "sync", "--config", str(config),
                            "--db", path], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        finally:
            server.terminate()
            server.wait()


# Linking a set three ways


def by_relink(labelled: Sequence[Labelled]) -> dict[str, str]:
    clusters = eventlink.cluster([entry.report for entry in labelled])
    return {m.item.url: str(n) for n, members in enumerate(clusters) for m in members}


def by_assign(labelled: Sequence[Labelled]) -> dict[str, str]:
    """``assign_event`` one report at a time, in the order given."""
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "bench.db")
        with store.transaction(db):
            for entry in labelled:
                store_report(db, entry.report)
                events.assign_event(db, entry.report.item)
        linked = {row[0]: row[1] for row in db.execute("select url, event_id from items")}
        db.close()
    return linked


def store_report(db, report: eventlink.Report) -> None:
    """The rows jobs.store writes for an item (source, article, item), without the FTS rows."""
    item = report.item
    db["sources"].upsert({"name": item.source, "url": "https://example.org/"}, pk="name")
    db["articles"].insert({"url": item.url, "source": item.source, "title": item.title},
                          replace=True)
    db["items"].insert({**store.item_row(item), "first_seen": report.first_seen}, replace=True)


def arrival(labelled: Sequence[Labelled]) -> list[Labelled]:
    return sorted(labelled, key=lambda e: (e.report.first_seen or "", e.report.item.url))


def pairwise(labelled: Sequence[Labelled], linked: dict[str, str],
             keep: Callable[[str, str], bool]) -> tuple[float, float, int, int]:
    true_positive = predicted = actual = 0
    for a, b in combinations(labelled, 2):
        if not keep(a.language, b.language):
            continue
        same = a.event == b.event
        together = linked[a.report.item.url] == linked[b.report.item.url]
        true_positive += same and together
        predicted += together
        actual += same
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    return precision, recall, predicted, actual


def evaluate(name: str, labelled: list[Labelled]) -> Iterable[str]:
    gold = len({e.event for e in labelled})
    yield f"\n{name}: {len(labelled)} reports of {gold} events"
    for method, linked in (("relink_all", by_relink(labelled)),
                           ("assign_event (arrival)", by_assign(arrival(labelled)))):
        for label, keep in PAIRS.items():
            precision, recall, predicted, actual = pairwise(labelled, linked, keep)
            if actual or predicted:
                yield (f"  {method:<24} {label}  precision {precision:.3f}  recall {recall:.3f}"
                       f"  (linked {predicted}, true {actual})")
    worst: dict[str, list[float]] = {label: [1.0, 1.0] for label in PAIRS}
    for seed in range(ORDERS):
        order = list(labelled)
        random.Random(seed).shuffle(order)
        linked = by_assign(order)
        for label, keep in PAIRS.items():
            precision, recall, *_ = pairwise(labelled, linked, keep)
            worst[label] = [min(worst[label][0], precision), min(worst[label][1], recall)]
    for label, (precision, recall) in worst.items():
        if any(keep(a.language, b.language) and a.event == b.event
               for a, b in combinations(labelled, 2) for keep in [PAIRS[label]]):
            yield (f"  {'assign_event, random':<24} {label}  precision {precision:.3f}  "
                   f"recall {recall:.3f}  (worst of {ORDERS} arrival orders)")


# Scale: linking CPU per new item


PER_DAY = 40  # events a day: the archive grows in time, not in density
PARTNERS = ["LA", "CN", "KH", "CU", "JP", "KR", "RU", "FR", "TH", "IN", "ID", "MY", "SG", "PH",
            "MN", "BY", "HU", "TR", "DE", "GB", "US", "AU", "KP", "MZ", "AO", "VE", "BR", "EG"]
ORGS = ["VNA", "VTV", "VOV", "Nhân Dân", "Ministry of Information and Communications"]
KINDS = [["agreement"], ["agreement", "exchange"], ["joint_production"], ["training"],
         ["meeting"], ["conference", "exchange"]]
TITLES = ["{a} and {b} sign cooperation agreement", "{a} receives delegation of {b}",
          "{a}, {b} hold talks on news exchange", "{a} opens training course for {b} staff",
          "{a} and {b} to co-produce documentaries", "{a} ký thỏa thuận hợp tác với {b}"]
START = date(1960, 1, 1)


def synthetic(n: int, rng: random.Random) -> dict:
    """The item row of the n-th synthetic event (one report each)."""
    day = START + timedelta(n // PER_DAY)
    partner = PARTNERS[rng.randrange(len(PARTNERS))]
    countries = sorted({"VN", partner, *([PARTNERS[rng.randrange(5)]] if n % 7 == 0 else [])})
    ours, theirs = ORGS[rng.randrange(len(ORGS))], f"{partner} News Agency"
    title = TITLES[rng.randrange(len(TITLES))].format(a=ours, b=theirs)
    basis = "year-less" if n % 50 == 0 else "stated"
    return {
        "url": f"https://synthetic.example/{n}", "source": f"outlet{n % 30}", "title": title,
        "published": (day + timedelta(n % 2)).isoformat(),
        "event_date": None if basis == "year-less" else day.isoformat(),
        "event_date_basis": basis, "event_day": f"--{day.month:02d}-{day.day:02d}",
        "place": None, "countries": json.dumps(countries),
        "organisations": json.dumps(sorted({ours, theirs})),
        "kinds": json.dumps(KINDS[rng.randrange(len(KINDS))]), "topics": "[]",
        "summary": f"{title} on {day.isoformat()}.", "score": 0.8, "classifier": "synthetic",
        "evidence": "{}", "first_seen": f"{(day + timedelta(1)).isoformat()}T08:00:00+00:00",
    }


def build_archive(path: Path, size: int) -> float:
    """A database of ``size`` synthetic events (an item each); the seconds it took."""
    started = time.perf_counter()
    db = connect(path)
    triggers = db.execute("select name, sql from sqlite_master where type = 'trigger' "
                          "and tbl_name = 'events'").fetchall()
    rng = random.Random(size)
    columns = ["url", "source", "title", "published", "event_date", "event_date_basis",
               "event_day", "place", "countries", "organisations", "kinds", "topics", "summary",
               "score", "classifier", "evidence", "first_seen", "event_id"]
    event_columns = ["id", "title", "url", "event_date", "countries", "organisations", "kinds",
                     "topics", "reports", "outlets", "first_reported", "last_reported",
                     "first_seen", "event_date_basis", "event_day"]
    with store.transaction(db):
        for name, _ in triggers:  # the search index of 10^6 synthetic titles is not measured
            db.execute(f"drop trigger [{name}]")
        db["sources"].insert_all([{"name": f"outlet{k}", "url": "https://example.org/"}
                                  for k in range(30)])
        for lo in range(0, size, 50_000):
            rows = [synthetic(n, rng) | {"event_id": f"e{n}"} for n in range(lo, min(size, lo
                                                                                      + 50_000))]
            db.conn.executemany(
                f"insert into items ({', '.join(columns)}) values "
                f"({', '.join('?' * len(columns))})", [[r[c] for c in columns] for r in rows])
            db.conn.executemany(
                f"insert into events ({', '.join(event_columns)}) values "
                f"({', '.join('?' * len(event_columns))})",
                [[r["event_id"], r["title"], r["url"], r["event_date"], r["countries"],
                  r["organisations"], r["kinds"], r["topics"], 1, 1, r["published"],
                  r["published"], r["first_seen"], r["event_date_basis"], r["event_day"]]
                 for r in rows])
        for _, sql in triggers:
            db.execute(sql)
    db.execute("analyze")
    db.close()
    return time.perf_counter() - started


def new_items(size: int, count: int) -> list[Item]:
    """Items arriving for an archive of ``size`` events: a third report events it holds."""
    rng = random.Random(-size)
    items = []
    for k in range(count):
        n = rng.randrange(size)
        row = synthetic(n, random.Random(n))
        if k % 3:  # an event the archive does not hold, on the same days
            row = synthetic(size + k, rng) | {"published": row["published"],
                                              "event_date": row["event_date"]}
        row = row | {"url": f"https://arriving.example/{size}/{k}", "source": "arriving"}
        arrays = {key: tuple(json.loads(row[key])) for key in eventlink.ARRAYS}
        items.append(Item(**{key: row[key] for key in ITEM_FIELDS}, **arrays, evidence={},
                          classifier="synthetic", event_date_basis=row["event_date_basis"],
                          event_day=row["event_day"]))
    return items


def linking_cpu(path: Path, size: int, count: int = 300) -> tuple[float, float, int]:
    """Median and mean CPU ms of ``assign_event`` per new item; how many joined an event."""
    db = connect(path)
    times, joined = [], 0
    for item in new_items(size, count):
        db.execute("savepoint arriving")
        store_report(db, eventlink.Report(item, f"{item.published}T12:00:00+00:00"))
        started = time.process_time()
        event_id = events.assign_event(db, item)
        times.append(time.process_time() - started)
        joined += event_id.startswith("e")
        db.execute("rollback to arriving")
        db.execute("release arriving")
    db.close()
    return statistics.median(times) * 1000, statistics.mean(times) * 1000, joined


def scale(sizes: Sequence[int]) -> Iterable[str]:
    yield f"\nlinking CPU per new item ({PER_DAY} events a day; assign_event only)"
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        for size in sizes:
            path = Path(tmp) / f"archive-{size}.db"
            built = build_archive(path, size)
            median, mean, joined = linking_cpu(path, size)
            yield (f"  {size:>9,} events: median {median:.2f} ms, mean {mean:.2f} ms per item "
                   f"({joined} of 300 joined an event; archive written in {built:.0f} s)")
            path.unlink()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev-corpus", action="store_true", help="also ../shared/dev-corpus")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 stored events")
    parser.add_argument("--no-scale", action="store_true", help="skip the CPU measurements")
    parser.add_argument("--sync-into", help=argparse.SUPPRESS)
    args = parser.parse_args(argv[1:])
    if args.sync_into:
        sync_into(args.sync_into)
        return 0
    for path in FIXTURES:
        for line in evaluate(path.name, fixture_set(path)):
            print(line, flush=True)
    if args.dev_corpus:
        with tempfile.TemporaryDirectory() as tmp:
            dev = dev_corpus_set(Path(tmp))
            for line in [*evaluate("dev-corpus", dev),
                         *evaluate("dev-corpus, years withheld where no publication date",
                                   withhold_years(dev))]:
                print(line, flush=True)
    if not args.no_scale:
        for line in scale([1_000, 100_000, *([1_000_000] if args.million else [])]):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
