"""`coopwatch snapshot`: a consistent copy while a writer is busy; restore is a file copy."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time

from click.testing import CliRunner

from jobs.cli import main
from jobs.lock import DatabaseLock
from jobs.schema import connect, require_current


def fill(db, stop: threading.Event, written: list[int]) -> None:
    """A writer committing a source and its run row at a time, as a sync does."""
    n = 0
    while not stop.is_set():
        with db.conn:  # one transaction (the connection is in autocommit mode otherwise)
            db.execute("BEGIN IMMEDIATE")
            db["sources"].insert({"name": f"s{n}", "url": f"https://s{n}.example/",
                                  "kind": "rss", "consecutive_failures": 0})
            db["runs"].insert({"source": f"s{n}", "status": "ok", "started": "x"})
        n += 1
        written.append(n)


def test_a_snapshot_while_the_database_is_written(tmp_path, db_path):
    db = connect(db_path)
    lock = DatabaseLock(db_path, "run").acquire()  # the service holds the lock: no matter
    stop, written = threading.Event(), []
    writer = threading.Thread(target=fill, args=(db, stop, written))
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while len(written) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        result = CliRunner().invoke(main, ["snapshot", "--db", str(db_path),
                                           str(tmp_path / "copy.db")])
    finally:
        stop.set()
        writer.join()
        lock.release()
        db.close()
    assert result.exit_code == 0, result.output
    copy = tmp_path / "copy.db"
    assert result.output.startswith(f"{copy}: ")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        sources = conn.execute("select count(*) from sources").fetchone()[0]
        runs = conn.execute("select count(*) from runs").fetchone()[0]
    assert 50 <= sources <= len(written) and runs == sources  # one commit's state, whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db"]
    require_current(copy)


def test_restore_is_a_copy_over_the_stopped_database(tmp_path, db_path, db):
    db["sources"].insert({"name": "kept", "url": "https://k.example/", "kind": "rss"})
    runner = CliRunner()
    assert runner.invoke(main, ["snapshot", "--db", str(db_path), str(tmp_path)]).exit_code == 0
    [copy] = tmp_path.glob("coopwatch-*.db")
    db["sources"].delete("kept")
    db.close()
    for suffix in ("", "-wal", "-shm"):  # the README's restore steps
        (db_path.parent / f"{db_path.name}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, db_path)
    assert [r["name"] for r in connect(db_path)["sources"].rows] == ["kept"]


def test_an_existing_target_is_kept_unless_forced(tmp_path, db_path, db):
    target = tmp_path / "old.db"
    target.write_bytes(b"precious")
    runner = CliRunner()
    result = runner.invoke(main, ["snapshot", "--db", str(db_path), str(target)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert target.read_bytes() == b"precious"
    assert runner.invoke(main, ["snapshot", "--db", str(db_path), str(target),
                                "--force"]).exit_code == 0
    require_current(target)


def test_a_missing_database_is_an_error(tmp_path):
    result = CliRunner().invoke(main, ["snapshot", "--db", str(tmp_path / "none.db"),
                                       str(tmp_path / "copy.db")])
    assert result.exit_code == 1 and "no such database" in result.output
    assert not (tmp_path / "copy.db").exists()


def test_datasette_offers_the_newest_snapshot_as_the_database_download(tmp_path, db_path, db):
    import asyncio

    from jobs import health, serve

    health.configure(db_path, [], syncing=False)
    ds = serve.make_datasette(db_path)
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(ds.client.get("/coopwatch.db")).status_code == 404
        runner = CliRunner()
        result = runner.invoke(main, ["snapshot", "--db", str(db_path)])
        assert result.exit_code == 0, result.output
        [first] = (db_path.parent / "snapshots").glob("coopwatch-*.db")
        newer = first.with_name("coopwatch-99990101T000000Z.db")
        db["sources"].insert({"name": "late", "url": "https://l.example/", "kind": "rss"})
        assert runner.invoke(main, ["snapshot", "--db", str(db_path), str(newer)]).exit_code == 0
        response = loop.run_until_complete(ds.client.get("/coopwatch.db"))
    finally:
        loop.close()
    assert response.status_code == 200
    assert response.content == newer.read_bytes() != first.read_bytes()
    assert newer.name in response.headers["content-disposition"]
