"""Serve the coopwatch database, read-only, with Datasette: the only module that starts it.

What a reader sees (titles, descriptions, facets, sort order, full-text search, canned queries,
the Atom feeds, hidden tables, the charts and the map) is configured in ``metadata.yml`` beside
this module; only what metadata cannot say is code, in the plugin module ``jobs.plugin`` and its
templates. The metadata ships in the package rather than in ``db/`` because ``db/`` is the
runtime volume and a volume mounted there would hide it.

Read-only, but live. The file is opened *mutable* (never ``immutable=1``: that makes SQLite skip
the WAL, so rows committed by the writer would stay invisible until a checkpoint); Datasette
opens its read connections ``mode=ro``. Datasette itself only accepts ``SELECT`` statements in
``?sql=``; there is no write canned query and no write plugin. What metadata cannot do is in
coopwatch's own plugin, ``jobs.plugin``, registered here through Datasette's plugin manager:
it answers every method but GET and HEAD with 405 before Datasette sees it (stock Datasette
turns a POST to a table or a read-only canned query into a 500 and a traceback in the log), and
sets ``PRAGMA query_only`` on every connection, the one Datasette keeps for writes included.
Its templates are in ``jobs/templates/``, its stylesheet in ``jobs/static/``.

Stopping. ``serve`` returns once the server has stopped, whatever stopped it:

* SIGINT (Ctrl-C) or SIGTERM, when run in the main thread. uvicorn traps both while it serves,
  drains open connections (at most ``GRACEFUL_SHUTDOWN_S``), then restores the previous handlers
  and re-raises the signal. With Python's default handlers that would turn Ctrl-C into a
  ``KeyboardInterrupt`` and SIGTERM into death by signal (exit 143) *after* the drain, so the
  caller's own shutdown (stopping a scheduler, exiting 0) would never run. ``run_server``
  therefore holds handlers of its own while serving that only ask the server to exit, and returns
  the signal number, so the caller can finish its own shutdown.
* ``server.should_exit = True`` from any thread (checked every 0.1 s). A caller that must react at
  the moment of the signal rather than after the drain runs ``run_server`` in a thread (where
  uvicorn installs no handlers at all), owns the signals in the main thread, and sets
  ``should_exit`` itself.
"""

from __future__ import annotations

import logging
import signal
import socket
import sqlite3
import threading
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
import yaml
from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from jobs import plugin
from jobs.errors import CoopwatchError, DatabaseError

logger = logging.getLogger(__name__)

DATABASE_NAME = "coopwatch"
GRACEFUL_SHUTDOWN_S = 5  # open downloads get this long to finish once a stop is asked for
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
PLUGIN_NAME = "coopwatch"

# Settings for a public deployment. Suggested facets are off: they run a query per column on
# every table page, slow on big tables. ``max_csv_mb`` 0 lifts the size cap, so a streamed CSV
# (``?_stream=on``) is the whole table; it is produced page by page, so memory stays flat.
SETTINGS: dict[str, Any] = {
    "suggest_facets": False,
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 200,  # a facet past it is left off; jobs/facets.py reads indexes
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "allow_csv_stream": True,
    "max_csv_mb": 0,
    "default_allow_sql": True,  # researchers run ad-hoc SELECTs, within sql_time_limit_ms
    "allow_download": False,  # only meaningful for immutable files; stated for clarity
    "trace_debug": False,
    "template_debug": False,
    "truncate_cells_html": 280,  # an article's text in a table cell: its start, not all of it
}


def load_metadata() -> dict[str, Any]:
    """The Datasette metadata shipped in the package as ``jobs/metadata.yml``."""
    text = resources.files("jobs").joinpath("metadata.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def make_datasette(db_path: str | Path, *, settings: Mapping[str, Any] | None = None) -> Datasette:
    """A Datasette serving ``db_path`` read-only as ``/coopwatch``.

    ``settings`` override ``SETTINGS`` (tests use a small ``max_returned_rows``). The schema is
    checked against the metadata first, so an unmigrated file fails here with a clear message
    instead of as a 500 on the items page.
    """
    path = Path(db_path).resolve()
    metadata = load_metadata()
    _check_schema(path, metadata)
    if not pm.has_plugin(PLUGIN_NAME):
        pm.register(plugin, name=PLUGIN_NAME)
    package = resources.files("jobs")
    ds = Datasette(
        metadata=metadata,
        settings={**SETTINGS, **(settings or {})},
        template_dir=str(package / "templates"),
        static_mounts=[(plugin.STATIC_MOUNT, str(package / "static"))],
    )
    ds.remove_database("_memory")  # added when no files are given; nothing to serve there
    ds.add_database(Database(ds, path=str(path), is_mutable=True), name=DATABASE_NAME)
    return ds


def _check_schema(path: Path, metadata: Mapping[str, Any]) -> None:
    """Raise DatabaseError unless every table and column the metadata describes exists."""
    if not path.is_file():
        raise DatabaseError(f"{path}: no such database; run `coopwatch sync` to create it")
    tables = metadata["databases"][DATABASE_NAME]["tables"]
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            missing = [
                f"{table}.{column}"
                for table, table_meta in tables.items()
                for column in _missing_columns(conn, table, table_meta.get("columns", {}))
            ]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"{path}: cannot be read as a SQLite database: {e}") from e
    if missing:
        raise DatabaseError(
            f"{path}: the schema lacks {', '.join(missing)}; "
            "open it once with a newer coopwatch (any command migrates it) and retry"
        )


def _missing_columns(conn: sqlite3.Connection, table: str, columns: Mapping[str, str]) -> list:
    # table_xinfo, not table_info: it also lists generated columns
    present = {row[1] for row in conn.execute("SELECT * FROM pragma_table_xinfo(?)", [table])}
    if not present:
        return ["*"]
    return [column for column in columns if column not in present]


def make_server(ds: Datasette, host: str = "127.0.0.1", port: int = 8001) -> uvicorn.Server:
    """A uvicorn server for ``ds``, as ``datasette serve`` builds it; start it with run_server.

    ``log_config=None`` leaves logging handlers to the CLI: uvicorn's loggers propagate to root.
    """
    config = uvicorn.Config(
        ds.app(),
        host=host,
        port=port,
        lifespan="on",
        log_config=None,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    return uvicorn.Server(config)


def run_server(
    server: uvicorn.Server, sockets: list[socket.socket] | None = None
) -> signal.Signals | None:
    """Serve until stopped; return the signal that stopped it, or None if ``should_exit`` did.

    ``sockets``: already-bound listening sockets to serve on instead of binding host:port.
    Raises CoopwatchError if the server cannot start (e.g. the port is taken).
    """
    if threading.current_thread() is not threading.main_thread():
        _run(server, sockets)  # uvicorn leaves signals alone outside the main thread
        return None
    received: list[signal.Signals] = []

    def ask_to_exit(signum: int, frame: FrameType | None) -> None:
        received.append(signal.Signals(signum))
        server.should_exit = True

    previous = {sig: signal.signal(sig, ask_to_exit) for sig in STOP_SIGNALS}
    try:
        _run(server, sockets)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return received[0] if received else None


def _run(server: uvicorn.Server, sockets: list[socket.socket] | None) -> None:
    try:
        server.run(sockets=sockets)
    except SystemExit as e:  # uvicorn exits when it cannot bind or its startup fails
        config = server.config
        raise CoopwatchError(
            f"the web server could not start on {config.host}:{config.port} "
            "(see the log above; is the port already in use?)"
        ) from e


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> signal.Signals | None:
    """Serve ``db_path`` read-only on host:port until SIGINT/SIGTERM; return that signal."""
    server = make_server(make_datasette(db_path), host, port)
    logger.info("serving %s read-only on http://%s:%s/%s", db_path, host, port, DATABASE_NAME)
    return run_server(server)
