"""Serve the coopwatch database, read-only, with Datasette: the only module that imports it.

Everything a reader sees (titles, descriptions, facets, sort order, full-text search, canned
queries, the Atom feed) is configured in ``metadata.yml`` beside this module, not in code. It
ships in the package rather than in ``db/`` because ``db/`` is the runtime volume and a volume
mounted there would hide it.

Read-only, but live. The file is opened *mutable* (never ``immutable=1``: that makes SQLite skip
the WAL, so rows committed by the writer would stay invisible until a checkpoint), and every
connection, including the one Datasette keeps for writes, uses ``mode=ro``. Datasette itself
only accepts ``SELECT`` statements in ``?sql=``; there is no write canned query and no write
plugin; every method but GET and HEAD is answered 405 before Datasette sees it (stock Datasette
turns a POST to a table or a read-only canned query into a 500 and a traceback in the log). The
``mode=ro`` connections are the last line behind those.

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
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
import yaml
from datasette.app import Datasette
from datasette.database import Database
from datasette.utils.asgi import Request, Response
from feedgen.feed import FeedGenerator

from jobs.csvsafe import complete_csv_streams, neutralize_csv_formulas
from jobs.errors import CoopwatchError, DatabaseError

logger = logging.getLogger(__name__)

DATABASE_NAME = "coopwatch"
GRACEFUL_SHUTDOWN_S = 5  # open downloads get this long to finish once a stop is asked for
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
READ_METHODS = frozenset({"GET", "HEAD"})
REFUSAL = b"coopwatch is read-only: only GET and HEAD requests are served\n"
ATOM_COLUMNS = frozenset({"atom_id", "atom_title", "atom_updated"})

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]

# Settings for a public deployment. Suggested facets are off: they run a query per column on
# every table page, slow on big tables. ``max_csv_mb`` 0 lifts the size cap, so a streamed CSV
# (``?_stream=on``) is the whole table; it is produced page by page, so memory stays flat.
SETTINGS: dict[str, Any] = {
    "suggest_facets": False,
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 200,  # array facets read every row: on a huge table they give up
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "allow_csv_stream": True,
    "max_csv_mb": 0,
    "default_allow_sql": True,  # researchers run ad-hoc SELECTs, within sql_time_limit_ms
    "allow_download": False,  # only meaningful for immutable files; stated for clarity
    "trace_debug": False,
    "template_debug": False,
}


class ReadOnlyDatasette(Datasette):
    """Datasette whose ASGI app refuses every method but GET and HEAD (see the module docstring).

    Overriding ``app`` covers both the served app and the test client (``ds.client``).
    """

    def app(self) -> ASGIApp:
        return _refuse_writes(complete_csv_streams(neutralize_csv_formulas(super().app())))


def _refuse_writes(app: ASGIApp) -> ASGIApp:
    async def read_only_app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            await send(
                {
                    "type": "http.response.start",
                    "status": 405,
                    "headers": [
                        (b"allow", b"GET, HEAD"),
                        (b"content-type", b"text/plain; charset=utf-8"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": REFUSAL})
            return
        await app(scope, receive, send)

    return read_only_app


class ReadOnlyDatabase(Database):
    """A mutable (WAL-following) database whose every connection is opened ``mode=ro``.

    Datasette's stock ``Database`` opens its write connection read-write; here a plugin or a
    write query reaching ``execute_write`` fails with "attempt to write a readonly database".
    """

    def connect(self, write: bool = False) -> sqlite3.Connection:
        return super().connect(write=False)


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
    ds = ReadOnlyDatasette(metadata=metadata, settings={**SETTINGS, **(settings or {})})
    ds.remove_database("_memory")  # added when no files are given; nothing to serve there
    ds.add_database(ReadOnlyDatabase(ds, path=str(path), is_mutable=True), name=DATABASE_NAME)
    _allow_empty_feeds(ds)
    return ds


def _allow_empty_feeds(ds: Datasette) -> None:
    """Answer an empty, valid Atom feed for a query with no rows.

    datasette-atom 0.9 fails with a 500 there (it takes ``max()`` of the rows' dates), which is
    what a brand-new database, with no items yet, would give its subscribers.
    """
    render, can_render = ds.renderers["atom"]

    def render_atom(  # Datasette passes arguments by these names
        datasette: Datasette,
        request: Request,
        sql: str,
        columns: list[str],
        rows: list,
        database: str,
        table: str | None,
        query_name: str | None,
        view_name: str,
        data: dict,
    ) -> Response:
        if rows or not ATOM_COLUMNS.issubset(columns):
            return render(
                datasette, request, sql, columns, rows, database, table, query_name, view_name, data
            )
        query = datasette.metadata(database=database).get("queries", {}).get(query_name, {})
        return _empty_feed(request.url, query.get("title") or sql)

    ds.renderers["atom"] = (render_atom, can_render)


def _empty_feed(url: str, title: str) -> Response:
    feed = FeedGenerator()
    feed.id(url)
    feed.title(title)
    feed.link(href=url, rel="self")
    feed.updated(datetime(1970, 1, 1, tzinfo=UTC))
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8")


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
