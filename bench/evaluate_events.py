"""Pairwise precision and recall of event linking on tests/fixtures/events/reports.json.

A pair of reports is *linked* when both land in one event. Precision: of the linked pairs, how
many report the same real event; recall: of the pairs that report the same event, how many are
linked. Figures are given for every pair, for English–Vietnamese pairs, and for both ways of
linking: ``relink_all`` (the whole set at once) and ``assign_event`` one report at a time in
arrival order (first_seen), as ``coopwatch sync`` does; then the worst figures of
``assign_event`` over ``ORDERS`` random arrival orders, since linking one at a time depends on it.

    .venv/bin/python bench/evaluate_events.py [FIXTURE]
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections.abc import Callable, Iterable
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jobs import events
from jobs.events import link as eventlink
from jobs.models import Item
from jobs.schema import connect

FIXTURE = Path(__file__).resolve().parent.parent / "tests/fixtures/events/reports.json"
ORDERS = 20
ITEM_FIELDS = ("url", "source", "title", "published", "event_date", "place", "summary", "score")


def load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["reports"]


def to_item(report: dict) -> Item:
    arrays = {key: tuple(report[key]) for key in eventlink.ARRAYS}
    return Item(**{key: report[key] for key in ITEM_FIELDS}, **arrays, evidence={},
                classifier="fixture")


def by_relink(reports: list[dict]) -> dict[str, str]:
    stored = [eventlink.Report(to_item(r), r["first_seen"]) for r in reports]
    return {m.item.url: str(n) for n, ms in enumerate(eventlink.cluster(stored)) for m in ms}


def by_assign(reports: list[dict]) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "bench.db")
        for report in sorted(reports, key=lambda r: (r["first_seen"], r["url"])):
            store_item(db, report)
            events.assign_event(db, to_item(report))
        linked = {row[0]: row[1] for row in db.execute("select url, event_id from items")}
        db.close()
    return linked


def store_item(db, report: dict) -> None:
    """The rows jobs.store would write (articles, sources, items), without the FTS rows."""
    db["sources"].upsert({"name": report["source"], "url": "https://example.org/"}, pk="name")
    db["articles"].insert({"url": report["url"], "source": report["source"],
                           "title": report["title"], "language": report["language"]})
    row = {key: report[key] for key in (*ITEM_FIELDS, "first_seen")}
    row |= {key: json.dumps(report[key], ensure_ascii=False) for key in eventlink.ARRAYS}
    db["items"].insert({**row, "evidence": "{}", "classifier": "fixture"})


def pairwise(reports: list[dict], linked: dict[str, str],
             keep: Callable[[dict, dict], bool]) -> tuple[float, float, int, int]:
    true_positive = predicted = actual = 0
    for a, b in combinations(reports, 2):
        if not keep(a, b):
            continue
        same = a["event"] == b["event"]
        together = linked[a["url"]] == linked[b["url"]]
        true_positive += same and together
        predicted += together
        actual += same
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    return precision, recall, predicted, actual


def bilingual(a: dict, b: dict) -> bool:
    return {a["language"], b["language"]} == {"en", "vi"}


def report(name: str, reports: list[dict], linked: dict[str, str]) -> Iterable[str]:
    for label, keep in (("all pairs", lambda a, b: True), ("EN-VI pairs", bilingual)):
        precision, recall, predicted, actual = pairwise(reports, linked, keep)
        yield (f"{name:<22} {label:<12} precision {precision:.3f}  recall {recall:.3f}  "
               f"(linked {predicted}, true {actual})")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else FIXTURE
    reports = load(path)
    gold = len({r["event"] for r in reports})
    print(f"{path.name}: {len(reports)} reports of {gold} events")
    for name, method in (("relink_all", by_relink), ("assign_event (sync)", by_assign)):
        linked = method(reports)
        print(f"{name:<22} {len(set(linked.values()))} events")
        for line in report(name, reports, linked):
            print(line)
    print(worst_order(reports))
    return 0


def worst_order(reports: list[dict]) -> str:
    precisions, recalls = [], []
    for seed in range(ORDERS):
        order = [dict(r) for r in reports]
        random.Random(seed).shuffle(order)
        for n, r in enumerate(order):
            r["first_seen"] = f"2025-01-01T00:00:{n:02d}+00:00"
        precision, recall, *_ = pairwise(reports, by_assign(order), lambda a, b: True)
        precisions.append(precision)
        recalls.append(recall)
    return (f"{'assign_event, random':<22} {'all pairs':<12} precision {min(precisions):.3f}  "
            f"recall {min(recalls):.3f}  (worst of {ORDERS} arrival orders)")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
