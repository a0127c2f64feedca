"""One writer per database: an exclusive, advisory ``flock`` on ``<db>.lock``.

Every command that writes the database (``run``, ``sync``, ``reclassify``) takes it before it
opens the file. The holder writes ``<pid> <command>`` into the lock file, so a refused command
can say who holds it. The kernel releases the lock when the holder's process ends, however it
ends, so a crash never leaves a stale lock behind (the file itself stays, harmlessly).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from jobs.errors import LockedError


class DatabaseLock:
    """An exclusive, advisory lock on ``<db>.lock``, released when the process ends."""

    def __init__(self, db_path: str | Path, command: str = "run"):
        self.db_path = Path(db_path)
        self.path = Path(f"{db_path}.lock")
        self.command = command
        self._file = None

    def acquire(self, *, wait: bool = False,
                waiting: Callable[[str], None] | None = None) -> DatabaseLock:
        """Take the lock, or raise LockedError naming the holder.

        With ``wait`` the call blocks until the holder lets go; ``waiting`` is told the holder
        first (the CLI prints it, so a blocked command never looks hung).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the process's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder(handle)
            if not wait:
                handle.close()
                raise LockedError(
                    f"{self.db_path} is already being written by {holder}; stop it or wait for "
                    "it to finish (--wait waits), or use `coopwatch serve` to only read"
                ) from None
            if waiting is not None:
                service = " (a service: it lets go when it is stopped)" if " run " in \
                    f" {holder} " else ""
                waiting(f"waiting for {holder} to release {self.db_path}{service}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} coopwatch {self.command}")
        handle.flush()
        self._file = handle
        return self

    @staticmethod
    def _holder(handle) -> str:
        handle.seek(0)
        pid, _, command = handle.read().strip().partition(" ")
        if not pid:
            return "another process"
        return f"{command or 'coopwatch'} (pid {pid})"

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> DatabaseLock:
        return self if self._file is not None else self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
