"""`make demo` twice leaves the same items: the demo site's URLs do not change between runs."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

from jobs.config import load_config
from jobs.pipeline import Sync
from jobs.schema import connect

DEMO = Path(__file__).resolve().parent.parent / "demo" / "run.py"


def load_demo():
    spec = importlib.util.spec_from_file_location("demo_run", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def counts(db) -> tuple[int, int]:
    return db["articles"].count, db["items"].count


def test_two_demo_runs_store_the_same_articles(tmp_path):
    demo = load_demo()
    assert demo.SITE_PORT != 0  # a fixed port by default: a random one would renew every URL
    port = free_port()  # as `--site-port` gives
    pages = {path: page for path, page in demo.load_pages().items() if page["lang"] == "vi"}
    db = connect(tmp_path / "demo.db")
    seen = []
    for _run in range(2):  # each run starts its own site, as `make demo` does
        server = demo.start_site(pages, port)
        try:
            demo.write_sources(demo.base_url(server), tmp_path / "demo-sources.yaml")
            sources = load_config(tmp_path / "demo-sources.yaml").enabled(("demo-tieng-viet",))
            [result] = Sync(db, classifier=None).run(sources)
            assert result.status == "ok", result.error
        finally:
            server.shutdown()
            server.server_close()
        seen.append(counts(db))
    assert seen[0][0] == len(pages) and seen[1] == seen[0]
