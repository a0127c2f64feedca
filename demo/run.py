"""`make demo`: a news site on loopback, synced and served by coopwatch, with no internet.

The site serves the recorded pages under tests/fixtures/ (the seeds and the evaluation set:
English and Vietnamese, items and non-items) behind an RSS feed of the English pages, an Atom
feed of the Vietnamese ones and an HTML listing page, all generated here. A sources.yaml for it
is written to db/demo-sources.yaml, and `coopwatch run` starts on db/demo.db.

The site listens on a fixed port (``SITE_PORT``, or ``--site-port``): its URLs are the items'
keys, so a second run finds the same URLs and stores nothing twice.

    .venv/bin/python demo/run.py [--port 8001] [--site-port 8011]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobs.config import load_config  # noqa: E402
from jobs.service import run_service  # noqa: E402

PAGE_DIRS = [ROOT / "tests" / "fixtures" / "seeds", ROOT / "tests" / "fixtures" / "eval"]
LANG = re.compile(rb"<html[^>]*\blang=[\"']?([a-z]{2})", re.IGNORECASE)
TITLE = re.compile(rb"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
PUBLISHED = re.compile(rb"article:published_time\"\s+content=\"([^\"]+)\"")
SITE_PORT = 8011


def load_pages() -> dict[str, dict]:
    pages = {}
    for folder in PAGE_DIRS:
        for file in sorted(folder.glob("*.html")):
            body = file.read_bytes()
            lang = (LANG.search(body) or [None, b"en"])[1].decode()
            title = TITLE.search(body)
            published = PUBLISHED.search(body)
            pages[f"/{lang}/{file.stem}.html"] = {
                "body": body, "lang": lang,
                "title": html.unescape(title.group(1).decode("utf-8", "replace")).strip()
                if title else file.stem,
                "published": published.group(1).decode() if published else None,
            }
    return pages


def rss(pages: dict[str, dict], base: str, lang: str) -> bytes:
    items = []
    for path, page in pages.items():
        if page["lang"] != lang:
            continue
        date = ""
        if page["published"]:
            when = datetime.fromisoformat(page["published"]).astimezone(UTC)
            date = f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>"
        items.append(f"<item><title>{html.escape(page['title'])}</title>"
                     f"<link>{base}{path}</link>{date}</item>")
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Demo news ({lang})</title><link>{base}/</link>{''.join(items)}"
            "</channel></rss>").encode()


def listing(pages: dict[str, dict]) -> bytes:
    links = "".join(f"<li><a href='{path}'>{html.escape(p['title'])}</a></li>"
                    for path, p in pages.items())
    return (f"<html><body><nav><a href='/'>Home</a></nav><main><ul>{links}</ul></main>"
            "<footer><a href='/about'>About</a></footer></body></html>").encode()


def start_site(pages: dict[str, dict], port: int = SITE_PORT) -> ThreadingHTTPServer:
    """Serve the pages on 127.0.0.1:``port`` in a thread; the server's base URL is ``base(it)``."""
    documents: dict[str, tuple[bytes, str]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, kind = documents.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in documents else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    except OSError as error:
        raise SystemExit(f"demo site: cannot listen on 127.0.0.1:{port}: "
                         f"{error.strerror}; choose another port with --site-port") from None
    base = base_url(server)
    documents.update({path: (p["body"], "text/html; charset=utf-8") for path, p in pages.items()})
    documents["/feed-en.xml"] = (rss(pages, base, "en"), "application/rss+xml")
    documents["/feed-vi.xml"] = (rss(pages, base, "vi"), "application/rss+xml")
    documents["/latest"] = (listing(pages), "text/html; charset=utf-8")
    documents["/robots.txt"] = (b"User-agent: *\nAllow: /\n", "text/plain")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def base_url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_port}"


def write_sources(base: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"""\
# written by demo/run.py for a loopback demo site
defaults:
  delay: 0
  interval: 10m
  allow_private_network: true
sources:
  - name: demo-english
    url: {base}/feed-en.xml
    language: en
  - name: demo-tieng-viet
    url: {base}/feed-vi.xml
    language: vi
  - name: demo-listing
    url: {base}/latest
    kind: html
    include: ['/(en|vi)/']
""", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--site-port", type=int, default=SITE_PORT,
                        help="the demo news site's port (its URLs key the stored items)")
    parser.add_argument("--db", default=str(ROOT / "db" / "demo.db"))
    args = parser.parse_args()
    pages = load_pages()
    base = base_url(start_site(pages, args.site_port))
    config_path = ROOT / "db" / "demo-sources.yaml"
    write_sources(base, config_path)
    print(f"demo site: {base} ({len(pages)} pages)")
    print(f"open http://127.0.0.1:{args.port}/coopwatch/items  (Ctrl-C to stop)")
    print(f"     curl 'http://127.0.0.1:{args.port}/coopwatch/items.json?_shape=array'")
    print(f"     curl 'http://127.0.0.1:{args.port}/coopwatch/items.csv?_stream=on'")
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_service(load_config(config_path), args.db, "127.0.0.1", args.port)


if __name__ == "__main__":
    main()
