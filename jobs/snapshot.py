"""``coopwatch snapshot``: a consistent copy of the database, taken while the service runs.

SQLite's online backup API copies every page inside one read transaction, so the copy is the
database as of one commit, whatever the writer does meanwhile; the source is opened read-only
and no lock is taken, so neither ``coopwatch run`` nor a ``sync`` waits for it. The copy is
written beside its target as a hidden partial file, switched to a single self-contained file
(rollback journal, no ``-wal``), checked with ``PRAGMA quick_check`` and only then renamed into
place: a target path never holds half a snapshot.

Without a PATH the copy goes to ``snapshots/`` beside the database, time-stamped; the newest one
there is what Datasette offers as the whole-database download, ``/coopwatch.db`` (a live WAL
file cannot be offered whole, a snapshot can).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from jobs.errors import DatabaseError

SNAPSHOTS = "snapshots"  # the folder beside the database that the download is served from
PATTERN = "coopwatch-*.db"


def snapshots_folder(db_path: str | Path) -> Path:
    return Path(db_path).parent / SNAPSHOTS


def latest_snapshot(db_path: str | Path) -> Path | None:
    """The newest time-stamped snapshot in ``snapshots/`` beside the database, if any."""
    found = sorted(snapshots_folder(db_path).glob(PATTERN))  # the stamps sort by time
    return found[-1] if found else None


def snapshot_path(target: str | Path, now: datetime | None = None) -> Path:
    """``target`` itself, or a time-stamped file inside it when it is a folder."""
    target = Path(target)
    if target.is_dir():
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        return target / f"coopwatch-{stamp}.db"
    return target


def take_snapshot(db_path: str | Path, target: str | Path | None = None, *,
                  overwrite: bool = False) -> Path:
    """Copy ``db_path`` to ``target`` (a file, or a folder for a time-stamped file; by default
    ``snapshots/`` beside the database)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise DatabaseError(f"{db_path}: no such database")
    if target is None:
        target = snapshots_folder(db_path)
        target.mkdir(exist_ok=True)
    path = snapshot_path(target)
    if path.exists() and not overwrite:
        raise DatabaseError(f"{path} already exists; choose another path or pass --force")
    if not path.parent.is_dir():
        raise DatabaseError(f"{path.parent}: no such folder")
    partial = path.with_name(f".{path.name}.partial")
    try:
        _copy(db_path, partial)
        os.replace(partial, path)
    except sqlite3.Error as error:
        raise DatabaseError(f"{db_path}: snapshot failed: {error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return path


def _copy(db_path: Path, partial: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one read transaction, one commit
            copy.execute("PRAGMA journal_mode=DELETE")
            result = copy.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise sqlite3.DatabaseError(f"the copy fails its check: {result}")
        finally:
            copy.close()
    finally:
        source.close()
