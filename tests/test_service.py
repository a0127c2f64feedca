"""`coopwatch run` end to end, as a subprocess: sync a loopback site, serve it, stop cleanly."""

from __future__ import annotations

import hashlib
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from tests.conftest import write_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def wait_for(predicate, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


@pytest.fixture
def service(site, tmp_path):
    sources = f"""\
  - name: rss
    url: {site.base}/rss.xml
  - name: atom
    url: {site.base}/atom.xml
    language: vi
    country: VN
"""
    config = write_config(tmp_path, sources)
    db_path = tmp_path / "db" / "coopwatch.db"
    port = free_port()
    command = [sys.executable, "-m", "jobs.cli", "run", "--config", str(config),
               "--db", str(db_path), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/coopwatch"
    try:
        yield process, base, command, db_path
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_run_syncs_serves_and_stops_cleanly(service):
    process, base, command, db_path = service

    def items():
        return json.loads(get(f"{base}/items.json?_shape=array"))

    rows = wait_for(lambda: len(items()) >= 3 and items())
    titles = {row["title"] for row in rows}
    assert "Việt Nam, China national broadcasters to jointly produce programmes" in titles

    csv = get(f"{base}/items.csv?_stream=on").decode()
    assert csv.splitlines()[0].startswith("url,") and len(csv.splitlines()) >= 4
    assert b"<feed" in get(f"{base}/new_items.atom")
    health = json.loads(get(base.replace("/coopwatch", "/-/health")))
    assert health["healthy"] is True and health["failing"] == []
    assert set(health["sources"]) == {"rss", "atom"} and health["syncing_since"]
    for query in ("Huế", "Hue"):
        found = json.loads(get(f"{base}/items.json?_shape=array&_search="
                               + urllib.parse.quote(query)))
        assert any("laos" in row["url"] for row in found), query

    other_port = [*command[:-1], str(free_port())]  # the same port would be refused first
    second = subprocess.run(other_port, capture_output=True, timeout=20)
    assert second.returncode != 0
    assert b"already being written by coopwatch run (pid" in second.stdout + second.stderr

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    assert time.monotonic() - started < 10
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        urls = [row[0] for row in conn.execute("select url from articles")]
    assert len(urls) == len(set(urls)) == 5


def test_run_on_a_busy_port_stops_before_any_write(site, tmp_path):
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    db_path = tmp_path / "db" / "coopwatch.db"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "jobs.cli", "run", "--config", str(config),
                               "--db", str(db_path), "--port", str(port)],
                              capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert f"error: cannot serve on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "db").exists()  # no database, no lock file, no folder
    assert site.paths() == []  # and no request sent


def test_serve_leaves_the_database_file_unchanged(site, tmp_path):
    from click.testing import CliRunner

    from jobs.cli import main

    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    db_path = tmp_path / "c.db"
    assert CliRunner().invoke(main, ["sync", "--config", str(config), "--db",
                                     str(db_path)]).exit_code == 0
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "jobs.cli", "serve", "--db", str(db_path),
                                "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/coopwatch"
        rows = wait_for(lambda: json.loads(get(f"{base}/items.json?_shape=array")))
        assert len(rows) == 2
        for path in ("", "/items", "/articles.csv?_stream=on", "/new_items.atom",
                     "/items?_search=Hue", "/-/versions.json"):
            get(f"{base}{path}" if not path.startswith("/-/") else f"http://127.0.0.1:{port}{path}")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
