"""A sync killed with SIGKILL leaves a consistent database; the next one finishes the work."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from werkzeug import Request, Response

from jobs.schema import connect
from tests.conftest import write_config

ARTICLES = 60


def article_page(request: Request) -> Response:
    time.sleep(0.02)  # slow enough for the kill to land mid-run
    number = request.path.rsplit("-", 1)[-1].removesuffix(".html")
    html = (f"<html lang='en'><head><title>Story number {number}</title></head><body><article>"
            f"<h1>Story number {number}</h1><p>{'Some words of the story. ' * 40}</p>"
            "</article></body></html>")
    return Response(html, content_type="text/html; charset=utf-8")


def serve_big_site(site) -> None:
    items = "".join(
        f"<item><title>Story {n}</title><link>{site.base}/news/story-number-{n}.html</link></item>"
        for n in range(ARTICLES))
    site.extra["/big.xml"] = Response(f"<rss version='2.0'><channel><title>Big</title>{items}"
                                      "</channel></rss>", content_type="application/rss+xml")
    for n in range(ARTICLES):
        site.extra[f"/news/story-number-{n}.html"] = article_page


def sync_command(config, db_path) -> list[str]:
    return [sys.executable, "-m", "jobs.cli", "sync", "--config", str(config), "--db", str(db_path)]


def stored(db_path) -> list[str]:
    db = connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        urls = [row[0] for row in db.execute("select url from articles")]
        fts_rows = db.execute("select count(*) from articles_fts").fetchone()[0]
        assert fts_rows == len(urls)
        return urls
    finally:
        db.close()


def test_sigkill_mid_sync_then_next_sync_completes(site, tmp_path):
    serve_big_site(site)
    config = write_config(tmp_path, f"  - name: big\n    url: {site.base}/big.xml\n")
    db_path = tmp_path / "coopwatch.db"
    killed_at = []
    for round_number in range(3):
        pages_before = len(site.paths())
        process = subprocess.Popen(sync_command(config, db_path), stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None \
                and len(site.paths()) < pages_before + 5 + 4 * round_number:
            time.sleep(0.01)
        assert process.poll() is None, process.stderr.read().decode()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        urls = stored(db_path)
        assert len(urls) == len(set(urls)) < ARTICLES
        killed_at.append(len(urls))
    finished = subprocess.run(sync_command(config, db_path), timeout=60, capture_output=True)
    assert finished.returncode == 0, finished.stderr.decode()
    urls = stored(db_path)
    assert sorted(urls) == sorted(f"{site.base}/news/story-number-{n}.html"
                                  for n in range(ARTICLES))
    assert killed_at == sorted(killed_at)  # work done before each kill was kept
