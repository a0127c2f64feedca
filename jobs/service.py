"""``coopwatch run``: the scheduler and the web server in one process, and their shutdown.

The main thread owns the signals: SIGINT and SIGTERM only set an event. The web server runs in a
thread of its own, the syncs in the scheduler's pool. On the event the scheduler is told to stop
(the sync in progress commits what it has, between two pages), the web server is asked to exit,
and both are joined; the process exits 0.

Every check comes before the first side effect: the CLI has validated the config; here the port
is bound first (a busy port stops the service before the database is even opened), then the
writer's lock is taken, the database opened (created or migrated), the web server started on the
bound socket, and only once it serves does the scheduler start its first sync.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path

from jobs import health
from jobs import serve as serving
from jobs.config import Config
from jobs.corrections import CorrectionsWatch
from jobs.errors import CoopwatchError
from jobs.lock import DatabaseLock
from jobs.pipeline import Sync, default_classifier
from jobs.scheduler import Service
from jobs.schema import connect

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
JOIN_TIMEOUT = 8  # seconds: SIGTERM to exit stays under 10


class _ServerThread(threading.Thread):
    def __init__(self, server, sockets: list[socket.socket]):
        super().__init__(name="datasette", daemon=True)
        self.server = server
        self.sockets = sockets
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            serving.run_server(self.server, self.sockets)
        except BaseException as error:  # reported by the main thread
            self.error = error

    def wait_started(self) -> None:
        """Return once the server answers requests; raise if it stopped before that."""
        while not self.server.started:
            if not self.is_alive():
                raise _web_error(self.error)
            time.sleep(0.02)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or CoopwatchError saying why not (before any write)."""
    try:
        family, _, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        return socket.create_server(address, family=family)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise CoopwatchError(f"cannot serve on {host}:{port}: {reason} (is another server using "
                             "that port? choose another with --port)") from None


def run_service(config: Config, db_path: str | Path, host: str, port: int,
                stop: threading.Event | None = None,
                corrections: CorrectionsWatch | None = None) -> None:
    """Sync on schedule and serve until ``stop`` is set or a stop signal arrives.

    ``corrections`` is reread when the file changes; every source's pass applies it."""
    sock = listen(host, port)
    try:
        lock = DatabaseLock(db_path, "run").acquire()
    except BaseException:
        sock.close()
        raise
    try:
        _serve_and_sync(config, db_path, sock, stop or threading.Event(), corrections)
    finally:
        sock.close()
        lock.release()


def _serve_and_sync(config: Config, db_path: str | Path, sock: socket.socket,
                    stop: threading.Event, corrections: CorrectionsWatch | None = None) -> None:
    db = connect(db_path)
    health.configure(db_path, config.enabled(), syncing=True)
    host, port = sock.getsockname()[:2]
    try:
        web = _ServerThread(serving.make_server(serving.make_datasette(db_path), host, port),
                            [sock])
    except BaseException:
        db.close()
        raise
    service = Service(config, Sync(db, classifier=default_classifier(config.scope),
                                   corrections=corrections,
                                   countries={s.name: s.country for s in config.sources}))
    previous = _trap_signals(stop)
    try:
        web.start()
        web.wait_started()
        service.start()
        log.info("serving http://%s:%s/coopwatch", host, port)
        while not stop.wait(0.2) and web.is_alive():
            pass
    finally:
        service.stop()
        web.server.should_exit = True
        web.join(JOIN_TIMEOUT)
        db.close()
        _restore(previous)
    if web.error is not None:
        raise _web_error(web.error)


def _web_error(error: BaseException | None) -> CoopwatchError:
    if isinstance(error, CoopwatchError):
        return error
    return CoopwatchError(f"the web server stopped: {error or 'it did not start'}")


def _trap_signals(stop: threading.Event) -> dict:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def ask_to_stop(signum, frame) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()

    return {sig: signal.signal(sig, ask_to_stop) for sig in STOP_SIGNALS}


def _restore(previous: dict) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
