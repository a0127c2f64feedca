"""Sync every feed of feedparser's own test suite, served from loopback, and count the crashes.

    .venv/bin/python bench/robustness.py [--suite PATH] [--batch 100] [--workers 4]

Serves each file of ``../shared/peer-suites/feedparser/`` (read only when present) from a
loopback server, with the HTTP headers its opening comment names (``Header: Name: value``), syncs
the files as sources, in batches, into one temporary database with ``jobs.pipeline.Sync``, and
prints: feeds tried, crashes (an exception escaping the pipeline, or an ``internal error``
recorded: must be 0), sources recorded as errors, articles stored, and the time taken. Figures
are printed, never asserted on.

The feeds link to public hosts. The script never sends a packet beyond loopback: it re-executes
itself inside a fresh network namespace that has only loopback (``unshare --net``, then
``ip link set lo up``) and refuses to run anywhere else. There, links to public hosts fail at
once (no route, no DNS); small timeouts and ``max_entries`` keep the run short.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobs.fetch import Fetcher  # noqa: E402
from jobs.models import Source  # noqa: E402
from jobs.pipeline import Sync  # noqa: E402
from jobs.schema import connect  # noqa: E402

SUITE = ROOT.parent / "shared" / "peer-suites" / "feedparser"
HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
TIME_LIMIT = 600  # seconds: past this the run stops by itself, dumping where it was stuck
IN_NAMESPACE = "--in-namespace"


def isolated() -> bool:
    """True when loopback is the only network interface (nothing else can be reached)."""
    return {name for _, name in socket.if_nameindex()} <= {"lo"}


def reexec_isolated(argv: list[str]) -> int:
    """Run this script again inside a fresh network namespace with only loopback, up."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        sys.exit("robustness: needs `unshare` and `ip` (util-linux, iproute2) to run in a network "
                 "namespace with only loopback; refusing to run with the real network reachable")
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    command = ["unshare", "--net", *user, "sh", "-c", 'ip link set lo up && exec "$0" "$@"',
               sys.executable, str(Path(__file__).resolve()), *argv, IN_NAMESPACE]
    code = subprocess.run(command, check=False).returncode
    if code not in (0, 1):
        print(f"robustness: the run inside `unshare --net` failed (exit {code}); it needs root "
              "or unprivileged user namespaces", file=sys.stderr)
    return code


def suite_files(suite: Path) -> list[tuple[Path, list[tuple[str, str]]]]:
    """Every feed file with the headers its opening comment asks for."""
    files = []
    for path in sorted(suite.rglob("*.xml")):
        head = path.read_bytes()[:4096].split(b"-->", 1)[0]
        headers = [(name.decode("latin-1"), value.decode("latin-1"))
                   for name, value in HEADER.findall(head)]
        files.append((path, headers))
    return files


def serve(files: list[tuple[Path, list[tuple[str, str]]]]) -> ThreadingHTTPServer:
    """A loopback server: /f/<n> is the n-th file with its headers; anything else is a 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = re.fullmatch(r"/f/(\d+)", self.path)
            if not match or int(match.group(1)) >= len(files):
                self.send_error(404)
                return
            path, headers = files[int(match.group(1))]
            body = path.read_bytes()
            self.send_response(200)
            if not any(name.lower() == "content-type" for name, _ in headers):
                self.send_header("Content-Type", "application/xml")
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sources_for(files: list, base: str) -> list[Source]:
    return [Source(name=f"f{n:04d}", url=f"{base}/f/{n}", delay=0, timeout=2,
                   max_bytes=2_000_000, max_entries=3, allow_private_network=True,
                   user_agent="coopwatch-robustness/1") for n in range(len(files))]


def sync_all(db, sources: list[Source], batch: int, workers: int) -> list[str]:
    """Sync in batches; return the sources whose sync let an exception escape."""
    escaped = []
    for start in range(0, len(sources), batch):
        chunk = sources[start:start + batch]
        try:
            Sync(db, Fetcher()).run(chunk, workers=workers)
        except Exception:  # find which one, alone
            for source in chunk:
                try:
                    Sync(db, Fetcher()).run([source], workers=1)
                except Exception as error:
                    escaped.append(f"{source.name}: {type(error).__name__}: {error}")
        print(f"  {min(start + batch, len(sources))}/{len(sources)} synced", file=sys.stderr)
    return escaped


def error_kind(message: str) -> str:
    text = re.sub(r"\S+://\S+?(?=[:\s]|$)", "<url>", message or "")
    return re.sub(r"\d+", "N", text)[:90]


def report(db, files: list, escaped: list[str], seconds: float) -> int:
    internal = [dict(row) for row in db.query(
        "select source, error from runs where error like '%internal error%'")]
    errors = [row["error"] for row in db.query(
        "select error from runs where status = 'error'")]
    print(f"feeds tried:        {len(files)}")
    print(f"crashes:            {len(escaped) + len(internal)} "
          f"({len(escaped)} escaped the pipeline, {len(internal)} internal errors recorded)")
    print(f"sources as errors:  {len(errors)}")
    print(f"entries read:       {db.execute('select sum(entries) from runs').fetchone()[0]}")
    print(f"articles stored:    {db['articles'].count}")
    print(f"time taken:         {seconds:.1f} s")
    print("most common errors:")
    for kind, count in Counter(error_kind(e) for e in errors).most_common(8):
        print(f"  {count:5d}  {kind}")
    for line in escaped + [f"{r['source']}: {r['error']}" for r in internal]:
        number = int(line[1:5])
        print(f"CRASH {files[number][0]}: {line}")
    return 1 if escaped or internal else 0


def run(suite: Path, batch: int, workers: int) -> int:
    faulthandler.dump_traceback_later(TIME_LIMIT, exit=True)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    files = suite_files(suite)
    server = serve(files)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "robustness.db")
        base = f"http://127.0.0.1:{server.server_address[1]}"
        escaped = sync_all(db, sources_for(files, base), batch, workers)
        code = report(db, files, escaped, time.monotonic() - started)
        db.close()
    server.shutdown()
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", type=Path, default=SUITE, help="the feedparser suite folder")
    parser.add_argument("--batch", type=int, default=100, help="sources per Sync.run")
    parser.add_argument("--workers", type=int, default=4, help="threads per Sync.run")
    parser.add_argument(IN_NAMESPACE, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.suite.is_dir():
        sys.exit(f"robustness: {args.suite} not found; it holds feedparser's test feeds (see "
                 "../shared/peer-suites/README.md). Nothing to do.")
    if not isolated():
        if args.in_namespace:
            sys.exit("robustness: still more than loopback inside the namespace; refusing to run")
        return reexec_isolated(argv)
    return run(args.suite, args.batch, args.workers)


if __name__ == "__main__":
    sys.exit(main())
