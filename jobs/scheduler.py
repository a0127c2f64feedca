"""The long-lived service: one APScheduler job per source, the only module importing apscheduler.

The scheduler is a thin shell around ``pipeline.Sync.sync_source``: one job per enabled source,
its ``interval`` from sources.yaml with a little jitter, ``max_instances=1`` and ``coalesce=True``,
a first run right away. After a failed run the job's next run is moved by ``next_attempt``: an
exponential backoff from ``RETRY_BASE`` up to ``RETRY_CAP``, never earlier than the time a server
asked for with ``Retry-After``. A failing source is retried for ever, never dropped.

Only one process may write a database: ``jobs.lock.DatabaseLock`` (re-exported here) takes an
exclusive ``flock`` on ``<db>.lock``, and a second writer on the same file stops at once with a
clear message.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from jobs.config import Config
from jobs.lock import DatabaseLock
from jobs.models import RunResult, Source
from jobs.pipeline import Sync

log = logging.getLogger(__name__)
__all__ = ["DatabaseLock", "Service", "next_attempt"]

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)
MAX_JITTER = 120  # seconds
WORKERS = 2  # sources synced at once; the database still has a single writer


def next_attempt(failures: int, now: datetime, not_before: str | None = None) -> datetime:
    """When to retry a source that has failed ``failures`` times in a row."""
    delay = min(RETRY_BASE * (2 ** max(failures - 1, 0)), RETRY_CAP)
    when = now + delay
    if not_before:
        when = max(when, datetime.fromisoformat(not_before))
    return when


def jitter_for(source: Source) -> int:
    return min(MAX_JITTER, source.interval // 10)


class Service:
    """Scheduled syncs of every enabled source into one database."""

    def __init__(self, config: Config, sync: Sync, scheduler: BackgroundScheduler | None = None):
        self.config = config
        self.sync = sync
        self.scheduler = scheduler or BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(WORKERS)}, timezone="UTC")
        self.stopping = threading.Event()

    def schedule(self, now: datetime | None = None) -> None:
        """Add one job per enabled source, first run at ``now``."""
        now = now or self.sync.clock()
        for source in self.config.enabled():
            self.scheduler.add_job(
                self.run_source, IntervalTrigger(seconds=source.interval,
                                                 jitter=jitter_for(source)),
                args=[source], id=source.name, name=source.name, max_instances=1,
                coalesce=True, next_run_time=now, misfire_grace_time=None,
                replace_existing=True)

    def run_source(self, source: Source) -> RunResult | None:
        """One job run: sync, then move the next run if the source failed."""
        if self.stopping.is_set():
            return None
        result = self.sync.sync_source(source)
        if self.stopping.is_set():
            return result
        if result.status in ("error", "skipped"):
            self.back_off(source, result)
        self.checkpoint()
        return result

    def back_off(self, source: Source, result: RunResult) -> None:
        with self.sync.lock:
            state = self.sync.db["sources"].get(source.name)
        retry = next_attempt(state["consecutive_failures"] or 0, self.sync.clock(),
                             state["next_check"])
        interval_next = self.sync.clock() + timedelta(seconds=source.interval)
        when = max(retry, interval_next) if result.status == "skipped" else retry
        log.info("%s: next attempt at %s (%d failures in a row)", source.name,
                 when.isoformat(timespec="seconds"), state["consecutive_failures"] or 0)
        if self.scheduler.get_job(source.name) is not None:
            self.scheduler.modify_job(source.name, next_run_time=when)

    def checkpoint(self) -> None:
        """Keep the WAL from growing while readers are always present."""
        with self.sync.lock:
            self.sync.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def start(self) -> None:
        self.schedule()
        self.scheduler.start()
        log.info("scheduler started: %d sources", len(self.config.enabled()))

    def stop(self) -> None:
        """Let a running sync finish its transaction, then stop."""
        self.stopping.set()
        self.sync.stopping.set()
        self.sync.fetcher.cancel()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        log.info("scheduler stopped")


