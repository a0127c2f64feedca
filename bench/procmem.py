"""A process's memory as Linux tells it (``/proc/PID/status``), in MB, for the benchmarks."""

from __future__ import annotations

import contextlib
from pathlib import Path

FIELDS = ("VmRSS", "VmHWM", "RssAnon", "RssFile")


def status_mb(pid: int | str = "self") -> dict[str, float]:
    """The memory fields of ``/proc/PID/status`` in MB ({} once the process is gone, or off
    Linux)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    values = {}
    for line in lines:
        key, _, rest = line.partition(":")
        if key in FIELDS:
            values[key] = int(rest.split()[0]) / 1024  # kB
    return values


def reset_peak() -> bool:
    """Restart this process's VmHWM from its current RSS (Linux 4.0+); False where it can't."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
        return True
    return False
