"""coopwatch's extraction beside the peer libraries, on the peers' own evaluation pages.

Two suites that nobody here wrote (``../shared/peer-suites/``, unpacked into ``bench/_work/peers``):

- htmldate's 1,000 publication-date pages: the share of pages whose exact publication day is
  found, by ``extract_article`` (coopwatch), ``htmldate.find_date`` in its fast and its extensive
  mode, and ``trafilatura.bare_extraction(with_metadata=True)``; for coopwatch also which kind of
  evidence gave the date (``Article.published_from``) and how often each kind was right.
- trafilatura's 990 main-text pages: the share of pages whose text holds every "with" snippet and
  no "without" snippet (pass), and precision/recall/F1 over snippets, for coopwatch's text and
  ``trafilatura.extract`` with its defaults.

CPU per page is ``time.process_time`` around each call, every tool in the same process, on the
same pages, in the same run, so the ratios hold on a noisy machine. Nothing is asserted; the
figures are written to ``bench/PEERS.md`` (and ``bench/PEERS.json``).

    .venv/bin/python bench/peers.py              # both suites, every tool; a few minutes
    .venv/bin/python bench/peers.py --only coopwatch --suite dates -v   # coopwatch's misses
    .venv/bin/python bench/peers.py --sync       # also dates through a real loopback sync
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import htmldate  # noqa: E402
import trafilatura  # noqa: E402

from jobs.extract import extract_article  # noqa: E402

SUITES = ROOT.parent / "shared" / "peer-suites"
WORK = ROOT / "bench" / "_work" / "peers"
DATE_INDEXES = ("eval_mediacloud_2020.json", "eval_default.json")
DATE_FOLDERS = ("test_set", "cache", "eval")
TEXT_FOLDERS = ("cache", "eval")


def unpacked(suite: str) -> Path:
    """The suite's folder under bench/_work/peers, unpacked from its tarball on first use."""
    folder = WORK / suite
    if not (folder / ".unpacked").exists():
        if not (SUITES / suite / "eval-pages.tgz").exists():
            sys.exit(f"{SUITES / suite / 'eval-pages.tgz'}: missing; the peer suites live beside "
                     "the project in ../shared/peer-suites/")
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(SUITES / suite / "eval-pages.tgz") as archive:
            archive.extractall(folder, filter="data")
        (folder / ".unpacked").touch()
    return folder


def _find(folder: Path, subfolders: tuple[str, ...], name: str) -> Path | None:
    for sub in subfolders:
        if (path := folder / sub / name).exists():
            return path
    return None


@dataclass(frozen=True)
class Page:
    url: str
    path: Path
    expected: dict


def date_pages() -> list[Page]:
    folder = unpacked("htmldate")
    pages = []
    for index in DATE_INDEXES:
        for url, case in json.loads((folder / index).read_text(encoding="utf-8")).items():
            known = isinstance(case.get("date"), str)  # five pages have no known date (NaN)
            if known and (path := _find(folder, DATE_FOLDERS, case["file"])):
                pages.append(Page(url, path, case))
    return pages


def text_pages() -> list[Page]:
    folder = unpacked("trafilatura")
    pages = []
    for url, case in json.loads((folder / "evaldata.json").read_text(encoding="utf-8")).items():
        if path := _find(folder, TEXT_FOLDERS, case["file"]):
            pages.append(Page(url, path, case))
    return pages


# --- the tools: bytes and URL in, (date or text, evidence kind or None) out -----------------

def coopwatch_date(body: bytes, url: str) -> tuple[str | None, str | None]:
    article = extract_article(body, url, source="peer")
    return (article.published or "")[:10] or None, getattr(article, "published_from", None)


def coopwatch_text(body: bytes, url: str) -> tuple[str | None, str | None]:
    return extract_article(body, url, source="peer").text, None


def htmldate_fast(body: bytes, url: str) -> tuple[str | None, str | None]:
    return htmldate.find_date(body, url=url, original_date=True, extensive_search=False), None


def htmldate_extensive(body: bytes, url: str) -> tuple[str | None, str | None]:
    return htmldate.find_date(body, url=url, original_date=True, extensive_search=True), None


def trafilatura_date(body: bytes, url: str) -> tuple[str | None, str | None]:
    document = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    return (document.date if document is not None else None), None


def trafilatura_text(body: bytes, url: str) -> tuple[str | None, str | None]:
    return trafilatura.extract(body, url=url), None


DATE_TOOLS: dict[str, Callable] = {
    "coopwatch (extract_article)": coopwatch_date,
    "htmldate fast": htmldate_fast,
    "htmldate extensive": htmldate_extensive,
    "trafilatura bare_extraction(with_metadata=True)": trafilatura_date,
}
TEXT_TOOLS: dict[str, Callable] = {
    "coopwatch (extract_article)": coopwatch_text,
    "trafilatura.extract (defaults)": trafilatura_text,
}


# --- scoring -------------------------------------------------------------------------------

@dataclass
class Score:
    pages: int = 0
    right: int = 0
    cpu: float = 0.0
    errors: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    kinds: Counter = field(default_factory=Counter)
    kinds_right: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)

    def summary(self) -> dict:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out = {"pages": self.pages, "right": self.right,
               "share": round(self.right / self.pages, 4) if self.pages else 0.0,
               "cpu_ms_per_page": round(1000 * self.cpu / self.pages, 2) if self.pages else 0.0,
               "errors": self.errors}
        if self.tp + self.fn:
            out.update(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4))
        if self.kinds:
            out["evidence"] = {kind: [self.kinds_right[kind], count]
                               for kind, count in self.kinds.most_common()}
        return out


def _timed(tool: Callable, body: bytes, url: str) -> tuple[object, object, float, bool]:
    started = time.process_time()
    try:
        value, kind = tool(body, url)
        failed = False
    except Exception:  # a peer library's crash is a miss, not the end of the run
        value, kind, failed = None, None, True
    return value, kind, time.process_time() - started, failed


def warm_up(pages: list[Page]) -> None:
    """Run htmldate's extensive search over every page once, untimed: dateparser compiles a
    language's patterns the first time it meets the language (up to a second each), and the
    tool that happened to run first on a page would pay for all the others."""
    for page in pages:
        htmldate_extensive(page.path.read_bytes(), page.url)


def run_dates(tools: dict[str, Callable], pages: list[Page]) -> dict[str, Score]:
    warm_up(pages)
    scores = {name: Score() for name in tools}
    for page in pages:
        body = page.path.read_bytes()
        for name, tool in tools.items():
            value, kind, cpu, failed = _timed(tool, body, page.url)
            score = scores[name]
            score.pages += 1
            score.cpu += cpu
            score.errors += failed
            right = value == page.expected["date"]
            score.right += right
            if kind:
                score.kinds[kind] += 1
                score.kinds_right[kind] += right
            if not right:
                score.misses.append((page.path.name, page.url, page.expected["date"], value, kind))
    return scores


def snippets_found(text: str | None, case: dict) -> tuple[int, int, int, int]:
    """(tp, fn, fp, tn) of one page's "with"/"without" snippets against ``text``."""
    text = text or ""
    with_found = sum(snippet in text for snippet in case.get("with", []))
    without_found = sum(snippet in text for snippet in case.get("without", []))
    return (with_found, len(case.get("with", [])) - with_found,
            without_found, len(case.get("without", [])) - without_found)


def run_texts(tools: dict[str, Callable], pages: list[Page]) -> dict[str, Score]:
    warm_up(pages)
    scores = {name: Score() for name in tools}
    for page in pages:
        body = page.path.read_bytes()
        for name, tool in tools.items():
            value, _, cpu, failed = _timed(tool, body, page.url)
            tp, fn, fp, tn = snippets_found(value, page.expected)
            score = scores[name]
            score.pages += 1
            score.cpu += cpu
            score.errors += failed
            score.tp, score.fn, score.fp, score.tn = (
                score.tp + tp, score.fn + fn, score.fp + fp, score.tn + tn)
            passed = fn == 0 and fp == 0
            score.right += passed
            if not passed:
                score.misses.append((page.path.name, page.url, fn, fp))
    return scores


# --- through a real sync: the pages on loopback behind feeds with no dates ------------------

FEED_SIZE = 200  # entries per feed (a source's max_entries)


def loopback_path(index: int, url: str) -> str:
    """The page's path on the loopback site: its number, then its original host, path and query
    (percent-encoded), so a date in the original URL is still in the URL coopwatch sees. The
    server finds the page by its number alone, whatever canonicalisation does to the rest."""
    parts = urlsplit(url)
    path = quote(f"/{index}/{parts.netloc}{parts.path or '/'}", safe="/%")
    return path + (f"?{quote(parts.query, safe='=&%')}" if parts.query else "")


def _page_number(path: str) -> int | None:
    head = urlsplit(path).path.split("/")[1]
    return int(head) if head.isdigit() else None


class _Site(BaseHTTPRequestHandler):
    """Serves ``feeds`` (path → RSS) and ``pages`` (by number, as text/html with no charset)."""

    feeds: ClassVar[dict[str, bytes]] = {}
    pages: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        number = _page_number(self.path)
        if self.path in self.feeds:
            body, kind = self.feeds[self.path], "application/rss+xml"
        elif number is not None and number < len(self.pages):
            body, kind = self.pages[number], "text/html"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _feed(base: str, links: list[str]) -> bytes:
    items = "".join(f"<item><title>page</title><link>{escape(base + link)}</link></item>"
                    for link in links)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>peers</title><link>{base}/</link>{items}</channel></rss>").encode()


def sync_dates(pages: list[Page]) -> dict:
    """One ``coopwatch sync`` (a child process) over the pages; exact days and its CPU."""
    links = [loopback_path(index, page.url) for index, page in enumerate(pages)]
    bodies = [page.path.read_bytes() for page in pages]
    site = type("Site", (_Site,), {"feeds": {}, "pages": bodies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for start in range(0, len(links), FEED_SIZE):
        site.feeds[f"/feed-{start // FEED_SIZE}.xml"] = _feed(base, links[start:start + FEED_SIZE])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            return _run_sync(Path(folder), base, len(site.feeds), pages)
    finally:
        server.shutdown()


def _run_sync(folder: Path, base: str, feeds: int, pages: list[Page]) -> dict:
    config = folder / "sources.yaml"
    config.write_text(
        "defaults:\n  delay: 0\n  timeout: 30\n  allow_private_network: true\n"
        f"  max_entries: {FEED_SIZE}\nsources:\n"
        + "".join(f"  - name: peers-{index}\n    url: {base}/feed-{index}.xml\n"
                  for index in range(feeds)), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([str(ROOT / ".venv" / "bin" / "coopwatch"), "sync", "--config", str(config),
                    "--db", str(folder / "peers.db"), "--json"], check=False,
                   capture_output=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    connection = sqlite3.connect(folder / "peers.db")
    rows = connection.execute("select link, published, published_from from articles").fetchall()
    connection.close()
    score = Score(pages=len(pages), cpu=cpu)
    for link, published, kind in rows:
        number = _page_number(urlsplit(link).path)
        if number is None:
            continue
        right = (published or "")[:10] == pages[number].expected["date"]
        score.right += right
        score.kinds[kind or "none"] += 1
        score.kinds_right[kind or "none"] += right
    return {**score.summary(), "stored": len(rows)}


# --- the run -------------------------------------------------------------------------------

def _pick(tools: dict[str, Callable], only: str | None) -> dict[str, Callable]:
    return {name: tool for name, tool in tools.items() if not only or only in name}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=("dates", "texts", "both"), default="both")
    parser.add_argument("--only", help="run only the tools whose name holds this")
    parser.add_argument("--limit", type=int, help="the first N pages of each suite")
    parser.add_argument("--sync", action="store_true", help="also dates through a loopback sync")
    parser.add_argument("--no-write", action="store_true", help="print, do not write PEERS.md")
    parser.add_argument("--baseline", metavar="COMMIT",
                        help="also run jobs/extract.py as it was at this commit")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    results: dict = {}
    date_tools, text_tools = dict(DATE_TOOLS), dict(TEXT_TOOLS)
    if args.baseline:
        old_dates, old_texts = baseline_tools(args.baseline)
        date_tools = {f"coopwatch before ({args.baseline})": old_dates, **date_tools}
        text_tools = {f"coopwatch before ({args.baseline})": old_texts, **text_tools}
    if args.suite in ("dates", "both"):
        pages = date_pages()[: args.limit]
        results["dates"] = _report("dates", run_dates(_pick(date_tools, args.only), pages),
                                   args.verbose)
        if args.sync:
            results["dates_sync"] = sync_dates(pages)
            print("loopback sync:", results["dates_sync"])
    if args.suite in ("texts", "both"):
        pages = text_pages()[: args.limit]
        results["texts"] = _report("texts", run_texts(_pick(text_tools, args.only), pages),
                                   args.verbose)
    if not args.no_write and not args.only and not args.limit:
        write(results)


def baseline_tools(commit: str) -> tuple[Callable, Callable]:
    """Date and text tools running ``jobs/extract.py`` as it was at ``commit`` (before/after)."""
    source = subprocess.run(["git", "show", f"{commit}:jobs/extract.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = WORK / f"extract_{commit}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"extract_{commit}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def dates(body: bytes, url: str) -> tuple[str | None, str | None]:
        return (module.extract_article(body, url, source="peer").published or "")[:10] or None, None

    def texts(body: bytes, url: str) -> tuple[str | None, str | None]:
        return module.extract_article(body, url, source="peer").text, None

    return dates, texts


def write(results: dict, path: Path = ROOT / "bench" / "PEERS.md") -> None:
    """PEERS.json (every figure) and PEERS.md (the tables the README quotes)."""
    path.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    lines = [f"# coopwatch beside its peers, on the peers' own pages ({time.strftime('%Y-%m-%d')})",
             "", "Written by `bench/peers.py` (`make bench-peers`); every tool ran on the same "
             "pages in the same process, one after the other, page by page. CPU is "
             "`time.process_time` per call, after one untimed pass of htmldate's extensive search "
             "over the suite (dateparser compiles each language's patterns on first use, up to a "
             "second each: a long-running service pays that once). The figures compare, they do "
             f"not promise. Packages: {_versions()}.", ""]
    if dates := results.get("dates"):
        pages = next(iter(dates.values()))["pages"]
        lines += [f"## Publication date, exact day: htmldate's {pages} pages with a known date", "",
                  "| tool | exact day | CPU ms/page |", "|---|---|---|"]
        lines += [f"| {name} | {row['share']:.3f} ({row['right']}) | {row['cpu_ms_per_page']} |"
                  for name, row in dates.items()]
        if sync := results.get("dates_sync"):
            lines.append(f"| coopwatch through `coopwatch sync` on loopback (feed without dates; "
                         f"CPU of the whole sync) | {sync['share']:.3f} ({sync['right']}) | "
                         f"{sync['cpu_ms_per_page']} |")
        lines += ["", "coopwatch's CPU is the whole `extract_article` (decoding, text, title, "
                  "date); the peers' is the date alone (trafilatura's also its text). The sync "
                  "row is one `coopwatch sync` in a fresh process (pages served on 127.0.0.1 "
                  "under their original path, RSS feeds without dates): its CPU also holds "
                  "fetching, classifying, storing, and dateparser's first use of each language.",
                  ""]
        lines += _evidence_table(dates)
    if texts := results.get("texts"):
        pages = next(iter(texts.values()))["pages"]
        lines += [f"## Main text: trafilatura's {pages} evaluation pages", "",
                  "Pass: every \"with\" snippet in the text and no \"without\" snippet. F1 over "
                  "snippets (a \"with\" found is a true positive, a \"without\" found a false "
                  "positive).", "", "| tool | pass | precision | recall | F1 | CPU ms/page |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {name} | {row['share']:.3f} ({row['right']}) | {row['precision']:.3f} | "
                  f"{row['recall']:.3f} | {row['f1']:.3f} | {row['cpu_ms_per_page']} |"
                  for name, row in texts.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in
                     ("trafilatura", "htmldate", "dateparser", "lxml", "charset-normalizer"))


def _evidence_table(dates: dict) -> list[str]:
    row = next((row for name, row in dates.items() if name.startswith("coopwatch (")), None)
    if not row or "evidence" not in row:
        return []
    lines = ["Which evidence gave coopwatch's date (`articles.published_from`), strongest first, "
             "and how often that day was right:", "", "| evidence | pages | right |",
             "|---|---|---|"]
    for kind in ("url", "metadata", "json-ld", "comment", "text", "html", "free-text"):
        if kind in row["evidence"]:
            right, count = row["evidence"][kind]
            lines.append(f"| {kind} | {count} | {right / count:.2f} |")
    return [*lines, ""]


def _report(suite: str, scores: dict[str, Score], verbose: bool) -> dict:
    out = {}
    for name, score in scores.items():
        out[name] = score.summary()
        print(f"{suite}: {name}: {json.dumps(out[name], ensure_ascii=False)}")
        if verbose:
            for miss in score.misses:
                print("   ", *miss)
    return out


if __name__ == "__main__":
    main()
