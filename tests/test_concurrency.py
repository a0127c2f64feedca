"""Datasette keeps answering while a sync writes; the WAL does not grow without bound."""

from __future__ import annotations

import asyncio
import os
import threading

from werkzeug import Response

from jobs.config import load_config
from jobs.fetch import Fetcher
from jobs.pipeline import Sync
from jobs.scheduler import Service
from jobs.schema import connect
from jobs.serve import make_datasette
from tests.conftest import write_config

PAGES = 150


def serve_many_articles(site) -> None:
    items = "".join(f"<item><title>Story {n}</title><link>{site.base}/s/story-{n}-text.html</link>"
                    "</item>" for n in range(PAGES))
    site.extra["/many.xml"] = Response(f"<rss version='2.0'><channel><title>t</title>{items}"
                                       "</channel></rss>", content_type="application/rss+xml")
    for n in range(PAGES):
        body = (f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
                f"<p>{'Words of a story about the weather and the markets. ' * 60}</p>"
                "</article></body></html>")
        site.extra[f"/s/story-{n}-text.html"] = Response(body, content_type="text/html")


def test_reads_never_fail_while_a_sync_writes(site, tmp_path):
    serve_many_articles(site)
    config = load_config(write_config(tmp_path, f"  - name: many\n    url: {site.base}/many.xml\n"))
    db_path = tmp_path / "coopwatch.db"
    writer = connect(db_path)
    ds = make_datasette(db_path)
    done = threading.Event()
    sync = Sync(writer, Fetcher())

    def run_sync() -> None:
        try:
            sync.run(config.enabled())
        finally:
            done.set()

    async def read_until_done() -> list[int]:
        statuses = []
        paths = ["/coopwatch/articles.json?_shape=array&_size=5", "/coopwatch/items",
                 "/coopwatch/source_health.json", "/coopwatch/articles?_search=weather"]
        while not done.is_set() or len(statuses) < 8:
            for path in paths:
                response = await ds.client.get(path)
                statuses.append(response.status_code)
                assert "database is locked" not in response.text
        return statuses

    thread = threading.Thread(target=run_sync)
    thread.start()
    statuses = asyncio.run(read_until_done())
    thread.join(60)
    assert set(statuses) == {200}, statuses
    assert writer["articles"].count == PAGES

    Service(config, sync).checkpoint()
    wal = f"{db_path}-wal"
    assert not os.path.exists(wal) or os.path.getsize(wal) <= 64 * 1024 * 1024
    frames = writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert frames[0] == 0 and frames[1] == frames[2]  # not busy, every frame checkpointed


def test_one_thread_extracts_and_classifies_at_a_time(site, tmp_path):
    """Threads fetch side by side, but only one reads a page at a time (``Sync.working``): CPU
    work on several threads at once only takes turns on the interpreter, at a cost."""
    sources = ""
    for feed in range(4):
        items = "".join(f"<item><title>S{n}</title><link>{site.base}/f{feed}/{n}.html</link>"
                        "</item>" for n in range(5))
        site.extra[f"/f{feed}.xml"] = Response(
            f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
            content_type="application/rss+xml")
        for n in range(5):
            site.extra[f"/f{feed}/{n}.html"] = Response(
                f"<html><body><p>{'Weather and markets. ' * 40}</p></body></html>",
                content_type="text/html")
        sources += f"  - name: f{feed}\n    url: {site.base}/f{feed}.xml\n"
    inside, most = [0], [0]
    lock = threading.Lock()

    def classifier(article, country):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        threading.Event().wait(0.005)  # long enough for another thread to try
        with lock:
            inside[0] -= 1
        return None

    config = load_config(write_config(tmp_path, sources))
    sync = Sync(connect(tmp_path / "c.db"), Fetcher(), classifier=classifier)
    results = sync.run(config.enabled(), workers=4)
    assert sum(r.new_articles for r in results) == 20
    assert most[0] == 1
