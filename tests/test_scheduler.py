"""The scheduler's wiring, with an injected clock: no sleeping, no real schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from jobs.config import load_config
from jobs.errors import LockedError
from jobs.fetch import Fetcher
from jobs.pipeline import Sync
from jobs.scheduler import RETRY_CAP, DatabaseLock, Service, next_attempt
from tests.conftest import write_config

NOW = datetime(2025, 4, 16, 3, 0, tzinfo=UTC)


def make_service(db, config_path) -> Service:
    scheduler = BackgroundScheduler(timezone="UTC")
    sync = Sync(db, Fetcher(), clock=lambda: NOW)
    return Service(load_config(config_path), sync, scheduler)


def test_one_job_per_enabled_source_first_run_now(db, tmp_path):
    config = write_config(tmp_path, """\
  - name: often
    url: https://example.com/a
    interval: 30m
  - name: daily
    url: https://example.com/b
    interval: 1d
  - name: disabled
    url: https://example.com/c
    enabled: false
""")
    service = make_service(db, config)
    service.schedule(NOW)
    jobs = {job.id: job for job in service.scheduler.get_jobs()}
    assert set(jobs) == {"often", "daily"}
    often = jobs["often"]
    assert often.max_instances == 1 and often.coalesce is True
    assert often.trigger.interval == timedelta(minutes=30)
    assert 0 < often.trigger.jitter <= 180
    assert jobs["daily"].trigger.interval == timedelta(days=1)
    assert often.next_run_time == NOW


@pytest.mark.parametrize(("failures", "minutes"), [(1, 1), (2, 2), (5, 16), (30, 360)])
def test_backoff_is_exponential_and_capped(failures, minutes):
    assert next_attempt(failures, NOW) == NOW + timedelta(minutes=minutes)
    assert next_attempt(30, NOW) - NOW == RETRY_CAP


def test_backoff_honours_retry_after():
    later = (NOW + timedelta(hours=2)).isoformat()
    assert next_attempt(1, NOW, later) == NOW + timedelta(hours=2)


def test_a_failed_run_moves_the_next_run(site, db, tmp_path):
    config = write_config(tmp_path, f"  - name: missing\n    url: {site.base}/missing.xml\n")
    service = make_service(db, config)
    service.scheduler.start(paused=True)
    try:
        service.schedule(NOW)
        source = service.config.sources[0]
        service.sync.run([source], workers=1)  # ensure the row exists, first failure
        result = service.run_source(source)  # second failure
        assert result.status == "error"
        job = service.scheduler.get_job("missing")
        assert job.next_run_time == NOW + timedelta(minutes=2)
    finally:
        service.scheduler.shutdown(wait=False)


def test_stopping_service_runs_nothing(db, tmp_path):
    config = write_config(tmp_path, "  - name: a\n    url: https://example.com/a\n")
    service = make_service(db, config)
    service.stop()
    assert service.run_source(service.config.sources[0]) is None


def test_only_one_scheduler_per_database(tmp_path):
    first = DatabaseLock(tmp_path / "c.db").acquire()
    try:
        with pytest.raises(LockedError, match="already being written"):
            DatabaseLock(tmp_path / "c.db").acquire()
    finally:
        first.release()
    DatabaseLock(tmp_path / "c.db").acquire().release()  # free again


def test_stop_cuts_a_request_in_flight_and_records_no_failure(site, db, tmp_path):
    import threading
    import time

    config = write_config(tmp_path, f"  - name: slow\n    url: {site.base}/slow.xml\n"
                                    "    timeout: 30\n")
    service = Service(load_config(config), Sync(db, Fetcher()), BackgroundScheduler())
    results = []
    worker = threading.Thread(target=lambda: results.append(
        service.run_source(service.config.sources[0])))
    worker.start()
    time.sleep(0.3)
    started = time.monotonic()
    service.stop()
    worker.join(5)
    assert time.monotonic() - started < 2
    assert results[0].status == "skipped" and "stopping" in results[0].error
    assert db["runs"].count == 0
    assert db["sources"].get("slow")["consecutive_failures"] == 0
