"""Events in the database: file each stored item under an event, or redo them all.

``assign_event(db, item)`` files one stored item incrementally (the pipeline calls it right after
saving the item, in the same transaction); ``relink_all(db)`` redoes every event from scratch in a
fixed order, keeping an event's id when most of its reports already carried it (``coopwatch
reclassify`` runs it last). The linking itself is pure and lives in ``jobs.eventlink``; the rows
are written by ``jobs.store``. The caller owns the transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from jobs import store
from jobs.eventlink import (
    ARRAYS,
    WINDOW_DAYS,
    Candidate,
    Decision,
    Report,
    cluster,
    event_row,
    item_day,
    link,
    new_event_id,
)
from jobs.models import Item


@dataclass
class RelinkCounts:
    reports: int = 0
    events: int = 0
    moved: int = 0  # reports whose event changed
    created: int = 0
    updated: int = 0
    removed: int = 0


def report_from_row(row: dict) -> Report:
    arrays = {key: tuple(json.loads(row.get(key) or "[]")) for key in ARRAYS}
    item = Item(
        url=row["url"],
        source=row["source"],
        title=row.get("title") or "",
        published=row.get("published"),
        event_date=row.get("event_date"),
        place=row.get("place"),
        summary=row.get("summary") or "",
        evidence={},
        score=row.get("score") or 0.0,
        classifier=row.get("classifier") or "",
        **arrays,
    )
    return Report(item, row.get("first_seen"), row.get("event_id"))


REPORT_COLUMNS = (
    "url, source, title, published, event_date, place, countries, organisations, kinds, "
    "topics, summary, score, classifier, first_seen, event_id"
)


def _reports(db: sqlite_utils.Database, where: str, params: Sequence) -> list[Report]:
    rows = db["items"].rows_where(where, list(params), select=REPORT_COLUMNS)
    return [report_from_row(row) for row in rows]


def _candidates(db: sqlite_utils.Database, item: Item, day: tuple[date, bool]) -> list[Candidate]:
    span = WINDOW_DAYS + 1
    lo, hi = (date.fromordinal(day[0].toordinal() + d).isoformat() for d in (-span, span))
    marks = ",".join("?" * len(item.countries)) or "null"
    ids = [
        row[0]
        for row in db.execute(
            "select id from events where coalesce(event_date, first_reported) between ? and ? "
            f"and exists (select 1 from json_each(events.countries) where value in ({marks})) "
            "order by id",
            [lo, hi, *item.countries],
        )
    ]
    if not ids:
        return []
    members = _reports(
        db, f"event_id in ({','.join('?' * len(ids))}) and url != ?", [*ids, item.url]
    )
    grouped: dict[str, list[Item]] = {}
    for report in members:
        grouped.setdefault(report.event_id or "", []).append(report.item)
    return [Candidate(key, tuple(items)) for key, items in sorted(grouped.items())]


def assign_event(db: sqlite_utils.Database, item: Item) -> str:
    """File the stored ``item`` under an event (an existing one or a new one); return its id.

    Call it after the item's row is saved, inside the same transaction. Running it again with
    the same data changes nothing.
    """
    row = next(iter(db["items"].rows_where("url = ?", [item.url])), None)
    if row is None:
        raise ValueError(f"{item.url}: no such item; save it before linking it")
    current = row.get("event_id")
    day = item_day(item)
    decision = link(item, _candidates(db, item, day)) if day else Decision(None)
    target = decision.event_id
    if target is None:
        alone = current and not db["items"].count_where(
            "event_id = ? and url != ?", [current, item.url]
        )
        target = current if alone else _free_id(db, item.url)
    store.set_event(db, item.url, target)
    for other in decision.merge:
        store.merge_events(db, other, into=target)
    for event_id in dict.fromkeys([target, *decision.merge, current]):
        if event_id:
            refresh_event(db, event_id)
    return target


def _free_id(db: sqlite_utils.Database, url: str) -> str:
    base = new_event_id(url)
    taken = {row[0] for row in db.execute(
        "select id from events where id = ? or id like ?", [base, f"{base}-%"])}
    return new_event_id(url, taken)


def refresh_event(db: sqlite_utils.Database, event_id: str) -> str:
    """Rewrite an event's row from its reports: ``created``, ``updated``, ``removed`` or
    ``unchanged``."""
    reports = _reports(db, "event_id = ?", [event_id])
    return store.write_event(db, event_id, event_row(event_id, reports) if reports else None)


def relink_all(db: sqlite_utils.Database) -> RelinkCounts:
    """Recompute every event from scratch (what ``coopwatch reclassify`` runs last).

    Deterministic: the same items give the same events. An event keeps the id most of its
    reports already had, so re-running it, or running it after ``assign_event``, moves nothing.
    Call it inside a transaction.
    """
    reports = _reports(db, "1 = 1", [])
    old_ids = {r[0] for r in db.execute("select id from events")}
    counts = RelinkCounts(reports=len(reports))
    chosen: set[str] = set()
    for members in cluster(reports):
        event_id = _keep_id(members, chosen) or new_event_id(members[0].item.url, chosen | old_ids)
        chosen.add(event_id)
        for report in members:
            if report.event_id != event_id:
                store.set_event(db, report.item.url, event_id)
                counts.moved += 1
        outcome = store.write_event(db, event_id, event_row(event_id, members))
        counts.created += outcome == "created"
        counts.updated += outcome == "updated"
    for event_id in sorted(old_ids - chosen):
        counts.removed += store.write_event(db, event_id, None) == "removed"
    counts.events = len(chosen)
    return counts


def _keep_id(members: Sequence[Report], chosen: set[str]) -> str | None:
    held = Counter(r.event_id for r in members if r.event_id and r.event_id not in chosen)
    return min(held, key=lambda k: (-held[k], k)) if held else None
