"""/-/health: healthy while some source synced within twice the largest interval."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from jobs import health, serve
from jobs.models import Source

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def row(name: str, last_ok: datetime | None, failures: int = 0, error: str | None = None) -> dict:
    return {"name": name, "last_ok": last_ok.isoformat(timespec="seconds") if last_ok else None,
            "last_checked": NOW.isoformat(timespec="seconds"), "consecutive_failures": failures,
            "last_error": error}


def watch(**intervals: int) -> health.Watch:
    return health.Watch(intervals, started=NOW - timedelta(days=3))


def test_a_recent_success_is_healthy():
    report = health.report([row("a", NOW - timedelta(hours=1)), row("b", None, 4, "HTTP 500")],
                           watch(a=3600, b=1800), NOW)
    assert report["healthy"] is True
    assert report["failing"] == ["b"] and report["window_seconds"] == 7200
    assert report["last_success"] == "2026-03-02T11:00:00+00:00"
    assert report["sources"]["b"] == {"last_success": None,
                                      "last_checked": "2026-03-02T12:00:00+00:00",
                                      "consecutive_failures": 4, "last_error": "HTTP 500"}


def test_every_sync_failing_for_a_day_is_unhealthy():
    rows = [row("a", NOW - timedelta(days=1), 24, "timeout"), row("b", None, 48, "HTTP 503")]
    report = health.report(rows, watch(a=3600, b=1800), NOW)
    assert report["healthy"] is False and report["failing"] == ["a", "b"]


def test_twice_the_largest_interval_is_the_limit():
    rows = [row("daily", NOW - timedelta(hours=47))]
    assert health.report(rows, watch(daily=86400, hourly=3600), NOW)["healthy"] is True
    rows = [row("daily", NOW - timedelta(hours=49))]
    assert health.report(rows, watch(daily=86400, hourly=3600), NOW)["healthy"] is False


def test_a_fresh_start_is_healthy_while_its_first_syncs_run():
    fresh = health.Watch({"a": 3600}, started=NOW - timedelta(minutes=5))
    assert health.report([row("a", None)], fresh, NOW)["healthy"] is True


def test_sources_no_longer_configured_are_left_out():
    rows = [row("gone", NOW - timedelta(minutes=5)), row("a", None, 3, "refused")]
    report = health.report(rows, watch(a=3600), NOW)
    assert report["healthy"] is False and list(report["sources"]) == ["a"]


def test_the_route_answers_json_with_200_or_503(db, db_path):
    db["sources"].insert_all([
        {"name": "a", "url": "https://a.example/", "kind": "rss", "consecutive_failures": 0,
         "last_ok": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(timespec="seconds")},
        {"name": "b", "url": "https://b.example/", "kind": "rss", "consecutive_failures": 2,
         "last_error": "x HTTP 500"},
    ])
    long_ago = datetime.now(UTC) - timedelta(days=2)
    health.configure(db_path, [Source("a", "https://a.example/"),
                               Source("b", "https://b.example/")], syncing=True, now=long_ago)
    ds = serve.make_datasette(db_path)
    loop = asyncio.new_event_loop()
    try:
        response = loop.run_until_complete(ds.client.get("/-/health"))
        assert response.status_code == 200
        assert response.json()["failing"] == ["b"] and response.json()["healthy"] is True
        db["sources"].update("a", {"last_ok": long_ago.isoformat(timespec="seconds")})
        response = loop.run_until_complete(ds.client.get("/-/health"))
        assert response.status_code == 503 and response.json()["healthy"] is False
    finally:
        loop.close()


def test_the_docker_healthcheck_asks_health():
    from pathlib import Path

    dockerfile = (Path(__file__).resolve().parent.parent / "Dockerfile").read_text()
    check = dockerfile.split("HEALTHCHECK", 1)[1].split("\n\n", 1)[0]
    assert "/-/health" in check and "versions.json" not in check


def test_serve_alone_gets_no_start_up_grace():
    serving = health.Watch({"a": 3600}, started=None)
    assert health.report([row("a", None, 2, "refused")], serving, NOW)["healthy"] is False
