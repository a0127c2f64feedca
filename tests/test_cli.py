"""The command line: documented commands, clean errors, summaries."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner
from werkzeug import Response

from jobs.cli import main
from jobs.lock import DatabaseLock
from tests.conftest import write_config


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help_with_an_example(runner):
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, f"{name} --help shows no example"
        assert command.help


def test_check_lists_sources(runner, tmp_path):
    config = write_config(tmp_path, "  - name: one\n    url: https://example.com/feed\n"
                                    "    language: vi\n    country: VN\n    interval: 30m\n")
    result = runner.invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 0
    assert "one" in result.output and "every   30m" in result.output
    assert result.output.splitlines()[-1].endswith("1 sources, 1 enabled")


def test_check_reports_a_bad_file_and_exits_2(runner, tmp_path):
    config = tmp_path / "sources.yaml"
    config.write_text("sources:\n  - name: one\n    ur: https://example.com\n")
    result = runner.invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}:3: sources[0].ur: unknown key (did you mean 'url'?)" in result.output
    assert "Traceback" not in result.output


def test_config_and_db_from_the_environment(runner, tmp_path, site):
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    db_path = tmp_path / "env.db"
    result = runner.invoke(main, ["sync"],
                           env={"COOPWATCH_CONFIG": str(config), "COOPWATCH_DB": str(db_path)})
    assert result.exit_code == 0, result.output
    assert db_path.exists()


def test_sync_prints_a_line_per_source_and_a_total(runner, tmp_path, site):
    config = write_config(tmp_path, f"""\
  - name: rss
    url: {site.base}/rss.xml
  - name: missing
    url: {site.base}/missing.xml
  - name: paused
    url: {site.base}/atom.xml
    enabled: false
""")
    db = tmp_path / "c.db"
    result = runner.invoke(main, ["sync", "--config", str(config), "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert lines["rss"].split()[:3] == ["rss", "ok", "3"]
    assert lines["missing"].split()[:2] == ["missing", "error"] and "HTTP 404" in lines["missing"]
    assert result.output.splitlines()[-1].startswith(
        "total: 2 sources (1 error, 1 ok), 3 new articles")

    only = runner.invoke(main, ["sync", "--config", str(config), "--db", str(db),
                                "--source", "paused"])
    assert only.output.splitlines()[0].split()[:2] == ["paused", "ok"]


def test_sync_prints_each_source_as_it_finishes(runner, tmp_path, site):
    site.extra["/empty.xml"] = Response("<rss version='2.0'><channel><title>Quiet</title>"
                                        "</channel></rss>", content_type="application/rss+xml")
    config = write_config(tmp_path, f"""\
  - name: slow
    url: {site.base}/slow.xml
  - name: quick
    url: {site.base.replace("127.0.0.1", "localhost")}/empty.xml
""")  # another host name: requests to one host wait their turn
    result = runner.invoke(main, ["sync", "--config", str(config), "--db",
                                  str(tmp_path / "c.db")])
    assert [line.split()[0] for line in result.output.splitlines()] == ["quick", "slow", "total:"]


def test_an_unknown_source_lists_the_close_names(runner, tmp_path):
    config = write_config(tmp_path, "  - name: vietnam-news-politics\n    url: https://a.example/\n"
                                    "  - name: vietnam-news-society\n    url: https://b.example/\n"
                                    "  - name: kpl-en\n    url: https://c.example/\n")
    result = runner.invoke(main, ["sync", "--config", str(config), "--db",
                                  str(tmp_path / "c.db"), "--source", "vietnam-news"])
    assert result.exit_code == 2
    assert "no source named 'vietnam-news'" in result.output
    suggestion = result.output.split("did you mean ")[1]
    assert sorted(suggestion.rstrip("?\n").split(", ")) == ["vietnam-news-politics",
                                                            "vietnam-news-society"]
    assert "invalid config" not in result.output
    assert not (tmp_path / "c.db").exists()


def test_sync_exits_3_when_every_source_failed(runner, tmp_path, site):
    config = write_config(tmp_path, f"  - name: gone\n    url: {site.base}/gone.xml\n"
                                    f"  - name: lost\n    url: {site.base}/lost.xml\n")
    db = str(tmp_path / "c.db")
    result = runner.invoke(main, ["sync", "--config", str(config), "--db", db])
    assert result.exit_code == 3, result.output
    assert "total: 2 sources (2 error)" in result.output
    one_ok = runner.invoke(main, ["sync", "--config", str(config), "--db", db,
                                  "--source", "gone"])
    assert one_ok.exit_code == 3
    assert "exit" in runner.invoke(main, ["sync", "--help"]).output.lower()
    assert "3  every source failed" in runner.invoke(main, ["sync", "--help"]).output


def test_sync_json_summary(runner, tmp_path, site):
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n"
                                    f"  - name: gone\n    url: {site.base}/gone.xml\n")
    result = runner.invoke(main, ["sync", "--config", str(config), "--db",
                                  str(tmp_path / "c.db"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    by_name = {row["source"]: row for row in summary["sources"]}
    assert by_name["rss"] == {"source": "rss", "status": "ok", "http_status": 200,
                              "entries": 3, "new_articles": 3, "new_items": 2, "error": None}
    assert by_name["gone"]["status"] == "error" and "HTTP 404" in by_name["gone"]["error"]
    assert summary["total"] == {"sources": 2, "by_status": {"error": 1, "ok": 1},
                                "new_articles": 3, "new_items": 2}
    assert summary["exit_status"] == 0


def test_a_failure_is_printed_once(tmp_path, site):
    config = write_config(tmp_path, f"  - name: gone\n    url: {site.base}/gone.xml\n"
                                    f"  - name: rss\n    url: {site.base}/rss.xml\n")
    done = subprocess.run([sys.executable, "-m", "jobs.cli", "sync", "--config", str(config),
                           "--db", str(tmp_path / "c.db")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert (done.stdout + done.stderr).count("/gone.xml: HTTP 404") == 1


@pytest.mark.parametrize("command", ["sync", "reclassify"])
def test_writers_are_refused_while_another_holds_the_lock(runner, tmp_path, site, command):
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    db = tmp_path / "c.db"
    holder = DatabaseLock(db, "run").acquire()
    try:
        result = runner.invoke(main, [command, "--config", str(config), "--db", str(db)])
    finally:
        holder.release()
    assert result.exit_code == 1
    assert (f"{db} is already being written by coopwatch run (pid {os.getpid()})"
            in result.output)
    assert not db.exists()


def test_wait_waits_for_the_lock(runner, tmp_path, site):
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    db = tmp_path / "c.db"
    holder = DatabaseLock(db, "reclassify").acquire()
    timer = threading.Timer(0.5, holder.release)
    timer.start()
    started = time.monotonic()
    result = runner.invoke(main, ["sync", "--config", str(config), "--db", str(db), "--wait"])
    timer.join()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 0.5
    assert "waiting for coopwatch reclassify (pid" in result.output
    assert "total: 1 sources (1 ok)" in result.output


def test_serve_refuses_a_missing_database_and_creates_nothing(runner, tmp_path):
    missing = tmp_path / "nope" / "missing.db"
    result = runner.invoke(main, ["serve", "--db", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: no such database" in result.output
    assert not (tmp_path / "nope").exists()


def test_serve_refuses_a_database_that_is_not_coopwatchs(runner, tmp_path):
    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table notes (body text)")
    before = other.read_bytes()
    result = runner.invoke(main, ["serve", "--db", str(other)])
    assert result.exit_code == 1 and "not a coopwatch database" in result.output
    config = write_config(tmp_path, "  - name: one\n    url: https://example.com/feed\n")
    sync = runner.invoke(main, ["sync", "--config", str(config), "--db", str(other)])
    assert sync.exit_code == 1 and "not a coopwatch database" in sync.output
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes.db")) == [
        "notes.db", "notes.db.lock"]


def test_serve_refuses_a_database_that_needs_migrating(runner, db_path, db):
    db.execute("delete from _migrations where name = (select max(name) from _migrations)")
    db.close()
    result = runner.invoke(main, ["serve", "--db", str(db_path)])
    assert result.exit_code == 1 and "made by an older coopwatch" in result.output


def test_unusable_database_exits_1(runner, tmp_path):
    config = write_config(tmp_path, "  - name: one\n    url: https://example.com/feed\n")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 100)
    result = runner.invoke(main, ["sync", "--config", str(config), "--db", str(bad)])
    assert result.exit_code == 1
    assert "cannot use this database" in result.output
