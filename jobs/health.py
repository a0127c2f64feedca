"""``/-/health``: is coopwatch still collecting? JSON, 200 when healthy and 503 when not.

Healthy means that some source synced successfully (``ok`` or ``not_modified``) within twice
the largest ``interval`` among the enabled sources, or, in ``coopwatch run``, that the service
started less than that long ago (its first syncs are still under way). ``coopwatch serve`` does
not sync: there only the last success counts. A web server that answers while every sync has
failed for a day is *unhealthy*: that is what the Docker HEALTHCHECK asks.

The report also lists each source's last success and the sources failing now (their latest
run failed). It is read from the ``sources`` table through Datasette's read-only connection;
the intervals come from sources.yaml, handed over by ``configure`` (``coopwatch run`` and
``coopwatch serve`` call it, before the web server starts), keyed by the database file.
``configure`` also registers this module as a Datasette plugin: its one hook adds the operator's
routes, this one and ``/coopwatch.db``, the newest snapshot (see ``jobs.snapshot``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import AsgiFileDownload, Response

from jobs import snapshot
from jobs.models import Source

DATABASE = "coopwatch"
PLUGIN_NAME = "coopwatch-health"
DEFAULT_INTERVAL = Source("-", "-").interval  # when no sources file was given


@dataclass(frozen=True)
class Watch:
    """What health is judged against: the enabled sources, their intervals, and when this
    process started syncing them (None: it does not sync)."""

    intervals: dict[str, int] = field(default_factory=dict)  # source name -> seconds
    started: datetime | None = None

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=2 * max(self.intervals.values(), default=DEFAULT_INTERVAL))


_watches: dict[str, Watch] = {}


def configure(db_path: str | Path, sources: Iterable[Source], *, syncing: bool,
              now: datetime | None = None) -> None:
    """Judge the health of ``db_path`` against these (enabled) sources.

    ``syncing``: this process syncs them from ``now`` on, so a fresh start is given time.
    """
    started = (now or datetime.now(UTC)) if syncing else None
    _watches[str(Path(db_path).resolve())] = Watch({s.name: s.interval for s in sources}, started)
    if not pm.has_plugin(PLUGIN_NAME):
        pm.register(sys.modules[__name__], name=PLUGIN_NAME)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/health$", health_page), (rf"^/{DATABASE}\.db$", download_page)]


def report(rows: list[dict[str, Any]], watch: Watch, now: datetime) -> dict[str, Any]:
    """The health report for the ``sources`` rows; pure, so tests pass their own clock."""
    if watch.intervals:
        rows = [row for row in rows if row["name"] in watch.intervals]
    sources = {
        row["name"]: {
            "last_success": row["last_ok"],
            "last_checked": row["last_checked"],
            "consecutive_failures": row["consecutive_failures"] or 0,
            "last_error": row["last_error"] if row["consecutive_failures"] else None,
        }
        for row in rows
    }
    successes = [_moment(row["last_ok"]) for row in rows if row["last_ok"]]
    last = max(successes, default=None)
    recent = last is not None and now - last <= watch.window
    starting = watch.started is not None and now - watch.started <= watch.window
    return {
        "healthy": recent or starting,
        "last_success": last.isoformat(timespec="seconds") if last else None,
        "window_seconds": int(watch.window.total_seconds()),
        "syncing_since": watch.started.isoformat(timespec="seconds") if watch.started else None,
        "failing": sorted(name for name, s in sources.items() if s["consecutive_failures"]),
        "sources": sources,
    }


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def health_page(datasette: Any) -> Response:
    """The ``/-/health`` route."""
    db = datasette.get_database(DATABASE)
    result = await db.execute(
        "select name, last_ok, last_checked, last_error, consecutive_failures from sources "
        "order by name")
    watch = _watches.setdefault(str(Path(db.path).resolve()), Watch())
    body = report([dict(row) for row in result.rows], watch, datetime.now(UTC))
    return Response.json(body, status=200 if body["healthy"] else 503)


async def download_page(datasette: Any) -> Response | AsgiFileDownload:
    """The whole database, as its newest snapshot: a consistent, self-contained file."""
    latest = snapshot.latest_snapshot(datasette.get_database(DATABASE).path)
    if latest is None:
        return Response.text("No snapshot yet: `coopwatch snapshot` writes one, and the newest "
                             "is offered here.\n", status=404)
    return AsgiFileDownload(latest, filename=latest.name, content_type="application/vnd.sqlite3")
