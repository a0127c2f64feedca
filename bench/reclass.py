"""``reclassify`` over a big archive: an articles table made directly, then timed in a child.

The archive is written straight into a ``jobs.schema`` database: a pool of distinct articles
(English and Vietnamese, one in ten about media cooperation, 1–6 KB of text) repeated under
distinct URLs, with no items yet. ``reclassify`` then runs in a process of its own, so its CPU
time and peak RSS are its alone; a thread samples its RSS to show whether memory stays flat.

    .venv/bin/python -m bench.reclass '{"db": "/tmp/a.db", "articles": 1000}'
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from pathlib import Path

from bench import texts
from bench.syncjob import classifier, current_rss_mb, maxrss_mb
from jobs.schema import connect

POOL = 2003

ARTICLES_SQL = """
insert into articles (rowid, url, link, source, title, published, language, description, text,
                      first_seen, fetched)
with recursive n(i) as (select :first union all select i + 1 from n where i < :last)
select i, 'https://s' || printf('%03d', i % 20) || '.example/a/' || i || '.html',
  'https://s' || printf('%03d', i % 20) || '.example/a/' || i || '.html',
  's' || printf('%03d', i % 20), p.title, date('2015-01-01', '+' || (i % 4000) || ' days'),
  p.language, p.description, substr(p.text, 1, :chars), '2025-01-01T00:00:00+00:00',
  '2025-01-01T00:00:00+00:00'
from n join pool p on p.id = i % :pool
"""


def _pool(seed: int) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for number in range(POOL):
        lang = "vi" if number % 3 == 0 else "en"
        parties = texts.cooperation_parties(rng, lang) if rng.random() < 0.1 else None
        body = texts.paragraphs(rng, lang, parties, rng.randint(3, 16))
        rows.append((number, texts.headline(rng, lang, parties), lang, body[0][:200],
                     "\n\n".join(body)))
    return rows


def add_articles(path: Path, count: int, *, chars: int = 1_000_000, seed: int = 11) -> dict:
    """Append ``count`` unclassified articles (text cut at ``chars``) to a coopwatch database.

    Only ``articles`` rows are written, no full-text rows: enough for ``reclassify`` (which
    reads articles and writes items) and for the archive a sync checks new URLs against.
    """
    started = time.perf_counter()
    db = connect(path)
    db.execute("create temp table pool (id integer primary key, title, language, description, "
               "text)")
    db.conn.executemany("insert into pool values (?, ?, ?, ?, ?)", _pool(seed))
    first = (db.execute("select max(rowid) from articles").fetchone()[0] or 0) + 1
    db.execute("begin")
    db.conn.executemany("insert or ignore into sources (name, url, kind) values (?, ?, 'rss')",
                        [(f"s{i:03d}", f"https://s{i:03d}.example/rss") for i in range(20)])
    db.execute(ARTICLES_SQL, {"first": first, "last": first + count - 1, "pool": POOL,
                              "chars": chars})
    db.execute("commit")
    total = db.execute("select count(*) from articles").fetchone()[0]
    db.close()
    return {"added": count, "articles": total, "seconds": time.perf_counter() - started,
            "mb": path.stat().st_size / 1e6}


def _sampler(samples: list[float], done: threading.Event) -> None:
    while not done.wait(0.25):
        samples.append(current_rss_mb())


def main() -> None:
    from jobs.pipeline import reclassify

    job = json.loads(sys.argv[1])
    chosen, note = classifier()
    if chosen is None:
        print(json.dumps({"classifier": note}), flush=True)
        return
    db = connect(job["db"])
    samples: list[float] = [current_rss_mb()]
    done = threading.Event()
    thread = threading.Thread(target=_sampler, args=(samples, done), daemon=True)
    thread.start()
    wall, cpu = time.perf_counter(), time.process_time()
    counts = reclassify(db, chosen)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    done.set()
    thread.join()
    quarter = max(1, len(samples) // 4)
    print(json.dumps({
        "classifier": note, "articles": counts.articles, "added": counts.added,
        "removed": counts.removed, "updated": counts.updated, "wall_s": wall, "cpu_s": cpu,
        "maxrss_mb": maxrss_mb(), "rss_start_mb": samples[0],
        "rss_first_quarter_mb": max(samples[:quarter]),
        "rss_last_quarter_mb": max(samples[-quarter:])}), flush=True)


if __name__ == "__main__":
    main()
