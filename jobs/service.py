"""``coopwatch run``: the scheduler and the web server in one process, and their shutdown.

The main thread owns the signals: SIGINT and SIGTERM only set an event. The web server runs in a
thread of its own, the syncs in the scheduler's pool. On the event the scheduler is told to stop
(the sync in progress commits what it has, between two pages), the web server is asked to exit,
and both are joined; the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

from jobs import serve as serving
from jobs.config import Config
from jobs.errors import CoopwatchError
from jobs.pipeline import Sync, default_classifier
from jobs.scheduler import DatabaseLock, Service
from jobs.schema import connect

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
JOIN_TIMEOUT = 8  # seconds: SIGTERM to exit stays under 10


class _ServerThread(threading.Thread):
    def __init__(self, server):
        super().__init__(name="datasette", daemon=True)
        self.server = server
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            serving.run_server(self.server)
        except BaseException as error:  # reported by the main thread
            self.error = error


def run_service(config: Config, db_path: str | Path, host: str, port: int,
                stop: threading.Event | None = None) -> None:
    """Sync on schedule and serve until ``stop`` is set or a stop signal arrives."""
    lock = DatabaseLock(db_path).acquire()
    db = connect(db_path)
    stop = stop or threading.Event()
    previous = _trap_signals(stop)
    service = Service(config, Sync(db, classifier=default_classifier(config.scope)))
    web = _ServerThread(serving.make_server(serving.make_datasette(db_path), host, port))
    try:
        web.start()
        service.start()
        log.info("serving http://%s:%s/coopwatch", host, port)
        while not stop.wait(0.2) and web.is_alive():
            pass
    finally:
        service.stop()
        web.server.should_exit = True
        web.join(JOIN_TIMEOUT)
        db.close()
        lock.release()
        _restore(previous)
    if web.error is not None:
        raise web.error if isinstance(web.error, CoopwatchError) else \
            CoopwatchError(f"the web server stopped: {web.error}")


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
