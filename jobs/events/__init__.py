"""Events in the database: file each stored item under an event, or redo them all.

``assign_event(db, item)`` files one stored item incrementally (the pipeline calls it right after
saving the item, in the same transaction); ``relink_all(db)`` redoes every event from scratch in a
fixed order, keeping an event's id when most of its reports already carried it (``coopwatch
reclassify`` runs it last). The linking itself is pure and lives in ``jobs.events.link``; the rows
are written by ``jobs.store``. The caller owns the transaction.

Candidates come through indexes (``jobs.schema``, migration ``0010``), so the cost of linking one
item does not grow with the archive: events whose day (``LINK_DAY``: the event date, else the
first report's publication, else the day it was first seen) is within reach of the item's day or
window, those dated only by when they were first seen (a partial index), and, for a year-less
day, the events of the same month and day (``event_day``) in the years its window allows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from jobs import store
from jobs.events import link as pure
from jobs.events.link import (
    ARRAYS,
    FIRST_SEEN_PAST,
    WINDOW_DAYS,
    YEARLESS_PAST,
    Candidate,
    Report,
    When,
    cluster,
    event_row,
    new_event_id,
    parties_meet,
    when,
)
from jobs.models import Item

# The day an event is filed under; the expression ``events_link_day`` indexes (jobs/schema.py).
LINK_DAY = "coalesce(event_date, first_reported, substr(first_seen, 1, 10))"
SEEN_DAY = "substr(first_seen, 1, 10)"
REACH = 2 * WINDOW_DAYS + 1  # an event's day to a report of it, and on to the new report


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
        event_date_basis=row.get("event_date_basis"),
        event_day=row.get("event_day"),
        **arrays,
    )
    return Report(item, row.get("first_seen"), row.get("event_id"))


REPORT_COLUMNS = (
    "url, source, title, published, event_date, place, countries, organisations, kinds, "
    "topics, summary, score, classifier, first_seen, event_id, event_date_basis, event_day"
)


def _reports(db: sqlite_utils.Database, where: str, params: Sequence) -> list[Report]:
    rows = db["items"].rows_where(where, list(params), select=REPORT_COLUMNS)
    return [report_from_row(row) for row in rows]


def _iso(day: date, shift: int = 0) -> str:
    return (day + timedelta(shift)).isoformat()


def _month_days(month_day: tuple[int, int]) -> list[str]:
    """``--MM-DD`` of the day and the days either side (time zones)."""
    middle = date(2000, *month_day)
    return [f"--{d.month:02d}-{d.day:02d}" for d in (middle + timedelta(k) for k in (-1, 0, 1))]


def _candidate_queries(moment: When) -> list[tuple[str, list]]:
    """Queries for the events a report may belong to, each served by an index: what follows
    ``select id, countries from events`` and its parameters."""
    queries: list[tuple[str, list]] = []
    undated = "event_date is null and first_reported is null"
    if moment.day is not None or moment.hi is not None:
        lo = moment.day or (moment.lo if moment.month_day is None else None) or moment.hi
        hi = moment.day or moment.hi
        if moment.month_day is not None:  # a year-less day's recent past (it was first seen)
            lo = hi - timedelta(FIRST_SEEN_PAST)
        assert lo is not None and hi is not None
        queries.append((f"indexed by events_link_day where {LINK_DAY} between ? and ?",
                        [_iso(lo, -REACH), _iso(hi, REACH)]))
        queries.append((f"indexed by events_seen_day where {undated} and {SEEN_DAY} "
                        "between ? and ?",
                        [_iso(lo, -REACH), _iso(hi, FIRST_SEEN_PAST + REACH)]))
    if moment.day is not None:  # events known only by a year-less day of the same month and day
        queries.append((
            f"indexed by events_year_less where event_date is null and event_day is not null "
            f"and event_day in (?, ?, ?) "
            f"and {LINK_DAY} between ? and ?",
            [*_month_days((moment.day.month, moment.day.day)), _iso(moment.day, -REACH),
             _iso(moment.day, max(YEARLESS_PAST.values()) + REACH)]))
    elif moment.month_day is not None:  # a year-less day: its bucket, in the years allowed
        lo, hi = moment.lo or date(1900, 1, 1), moment.hi or date(2999, 12, 31)
        if moment.years:
            lo = max(lo, date(min(moment.years), 1, 1))
            hi = min(hi, date(max(moment.years), 12, 31))
        queries.append((f"indexed by events_month_day where event_day is not null "
                        f"and event_day in (?, ?, ?) and {LINK_DAY} "
                        "between ? and ?",
                        [*_month_days(moment.month_day), _iso(lo, -REACH), _iso(hi, REACH)]))
    return queries


def candidate_ids(db: sqlite_utils.Database, item: Item, moment: When) -> list[str]:
    """Ids of the events whose day may be the item's and whose parties share two of its
    countries (one when either side has one): the pure side decides among them."""
    countries = set(item.countries)
    ids: set[str] = set()
    for tail, params in _candidate_queries(moment):
        sql = f"select id, countries from events {tail}"
        for event_id, parties in db.execute(sql, params):
            if parties_meet(countries, set(json.loads(parties or "[]"))):
                ids.add(event_id)
    return sorted(ids)


def _candidates(db: sqlite_utils.Database, report: Report) -> list[Candidate]:
    ids = candidate_ids(db, report.item, when(report))
    if not ids:
        return []
    members = _reports(
        db, f"event_id in ({','.join('?' * len(ids))}) and url != ?", [*ids, report.item.url]
    )
    grouped: dict[str, list[Report]] = {}
    for member in members:
        grouped.setdefault(member.event_id or "", []).append(member)
    return [Candidate(key, tuple(reports)) for key, reports in sorted(grouped.items())]


def assign_event(db: sqlite_utils.Database, item: Item) -> str:
    """File the stored ``item`` under an event (an existing one or a new one); return its id.

    Call it after the item's row is saved, inside the same transaction. Running it again with
    the same data changes nothing.
    """
    row = next(iter(db["items"].rows_where("url = ?", [item.url],
                                           select="first_seen, event_id")), None)
    if row is None:
        raise ValueError(f"{item.url}: no such item; save it before linking it")
    current = row.get("event_id")
    report = Report(item, row.get("first_seen"), current)
    decision = pure.link(report, _candidates(db, report))
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
    taken = {row[0] for row in db.execute(  # a range, not LIKE: the primary key serves it
        "select id from events where id = ? or (id > ? and id < ?)",
        [base, f"{base}-", f"{base}."])}
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
