"""Big coopwatch databases made directly, for the serving and reclassify benchmarks.

A million items cannot be synced within the benchmark's budget, so they are written straight
into a database whose schema comes from ``jobs.schema.connect``. To stay fast, Python builds only
small pools of distinct titles, summaries and texts (with their folded forms); SQLite makes the
rows from them in one transaction (a recursive CTE numbers them, ``rowid % pool size`` picks the
pieces), so the text of a row is one of about 8 billion combinations rather than a copy.

The full-text rows follow ``jobs.store``'s contract: ``items_fts.rowid = items.rowid``,
``title`` = the item's title, ``body`` = ``summary + "\\n" + article text``, ``folded`` =
``jobs.text.fold(title + "\\n" + body)``. ``fold`` works character by character (lower case,
decompose, drop combining marks) so ``fold(a + "\\n" + b)`` is ``fold(a) + "\\n" + fold(b)``;
``check_fold`` proves it on sample rows.

Every second item has an event of its own (``ev<n>``: two reports, its fields copied from the
item), written after the items so ``events_fts`` is filled by its triggers as ``jobs.events``'s
writes fill it. The array columns' rows and ``facet_counts`` (jobs/schema.py) are written by
the schema's triggers, as on every write path, so ``reclassify``'s rebuild leaves them unchanged.

    .venv/bin/python -m bench.bigdb --items 1000000 --out /tmp/big.db
    .venv/bin/coopwatch serve --db /tmp/big.db
"""

from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path

from bench import texts
from jobs.schema import connect
from jobs.text import fold

POOLS = {"titles": 1009, "summaries": 2003, "texts": 4001}  # primes: combinations don't repeat
COUNTRIES = [["LA", "VN"], ["CN", "VN"], ["KH", "VN"], ["CU", "VN"], ["JP", "VN"], ["KR", "VN"],
             ["KH", "LA", "VN"], ["LA", "TH"], ["RU", "VN"], ["FR", "VN"]]
ORGANISATIONS = [["KPL", "VNA"], ["CMG", "VTV"], ["AKP", "VNA"], ["Prensa Latina", "VNA"],
                 ["Kyodo", "VOV"], ["Nhân Dân", "Pasaxon"], ["Ministry of Information and "
                                                             "Communications", "MICT Laos"]]
KINDS = [["agreement"], ["agreement", "exchange"], ["joint_production"], ["training"],
         ["meeting"], ["conference", "exchange"], ["exchange", "training"]]
TOPICS = [["content exchange"], ["co-production", "documentaries"], ["journalism training"],
          ["AI", "digital transformation"], ["news agencies"], ["press management"]]
PLACES = ["Hà Nội", "Huế", "Vientiane", "Phnom Penh", "Thành phố Hồ Chí Minh", None, "Đà Nẵng"]


def _pool_rows(seed: int) -> dict[str, list[tuple[int, str, str]]]:
    """(id, text, folded) for each pool; one item in three is Vietnamese."""
    rng = random.Random(seed)
    pools: dict[str, list[tuple[int, str, str]]] = {name: [] for name in POOLS}
    for name, size in POOLS.items():
        for number in range(size):
            lang = "vi" if number % 3 == 0 else "en"
            parties = texts.cooperation_parties(rng, lang)
            if name == "titles":
                text = texts.headline(rng, lang, parties)
            elif name == "summaries":
                text = texts.paragraphs(rng, lang, parties, 1)[0]
            else:
                text = "\n".join(texts.paragraphs(rng, lang, parties, rng.randint(2, 4))[1:])
            pools[name].append((number, text, fold(text)))
    return pools


def _write_pools(db, pools: dict) -> None:
    for name, rows in pools.items():
        db.execute(f"create temp table pool_{name} (id integer primary key, text, folded)")
        db.conn.executemany(f"insert into pool_{name} values (?, ?, ?)", rows)
    for name, values in (("countries", COUNTRIES), ("organisations", ORGANISATIONS),
                         ("kinds", KINDS), ("topics", TOPICS)):
        db.execute(f"create temp table pool_{name} (id integer primary key, value)")
        db.conn.executemany(f"insert into pool_{name} values (?, ?)",
                            [(i, json.dumps(v, ensure_ascii=False)) for i, v in enumerate(values)])
    db.execute("create temp table pool_places (id integer primary key, value)")
    db.conn.executemany("insert into pool_places values (?, ?)", list(enumerate(PLACES)))


ITEMS_SQL = """
insert into items (rowid, url, source, title, published, event_date, place, countries,
                   organisations, kinds, topics, summary, evidence, score, classifier, first_seen,
                   event_id)
with recursive n(i) as (select 1 union all select i + 1 from n where i < :count),
  d(i, day) as (select i, date('2015-01-01', '+' || (i * 4000 / :count) || ' days') from n)
select i, 'https://s' || printf('%03d', i % 50) || '.example/news/' || i || '.html',
  's' || printf('%03d', i % 50), t.text, d.day,
  case when i % 3 = 0 then null else date(d.day, '-' || (i % 4) || ' days') end,
  (select value from pool_places where id = i % 7),
  (select value from pool_countries where id = i % 10),
  (select value from pool_organisations where id = i % 7),
  (select value from pool_kinds where id = i % 7),
  (select value from pool_topics where id = i % 6),
  s.text, json_object('countries', s.text), (i % 97) / 97.0, 'bench',
  d.day || 'T08:00:00+00:00', 'ev' || (i / 2)
from d
join pool_titles t on t.id = i % 1009
join pool_summaries s on s.id = i % 2003
"""
EVENTS_SQL = """
insert into events (id, title, url, event_date, place, countries, organisations, kinds, topics,
                    reports, outlets, first_reported, last_reported, first_seen,
                    event_date_basis, event_day)
select 'ev' || (rowid / 2), title, url, event_date, place, countries, organisations, kinds,
  topics, 2, 2, published, published, first_seen,
  case when event_date is null then 'missing' else 'stated' end, '--' || substr(event_date, 6, 5)
from items where rowid % 2 = 0
"""
FTS_SQL = """
insert into items_fts (rowid, title, body, folded)
select items.rowid, t.text, s.text || char(10) || b.text,
       t.folded || char(10) || s.folded || char(10) || b.folded
from items
join pool_titles t on t.id = items.rowid % 1009
join pool_summaries s on s.id = items.rowid % 2003
join pool_texts b on b.id = items.rowid % 4001
"""


def make_items_db(path: Path, count: int, seed: int = 7) -> dict:
    """A database of ``count`` items (no articles rows); returns timings and the file size."""
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    db = connect(path)
    _write_pools(db, _pool_rows(seed))
    db.execute("begin")
    db.conn.executemany("insert into sources (name, url, kind) values (?, ?, 'rss')",
                        [(f"s{i:03d}", f"https://s{i:03d}.example/rss") for i in range(50)])
    db.execute(ITEMS_SQL, {"count": count})
    rows_s = time.perf_counter() - started
    db.execute(FTS_SQL)
    db.execute(EVENTS_SQL)
    db.execute("commit")
    fts_s = time.perf_counter() - started - rows_s
    db.execute("pragma wal_checkpoint(truncate)")
    db.execute("analyze")
    db.close()
    return {"items": count, "rows_s": rows_s, "fts_s": fts_s,
            "total_s": time.perf_counter() - started, "mb": path.stat().st_size / 1e6}


def check_fold(samples: int = 200, seed: int = 7) -> bool:
    """True when the folded FTS column built from pieces equals ``fold`` of the whole row."""
    pools = _pool_rows(seed)
    for rowid in random.Random(seed).sample(range(1, 10_000_000), samples):
        pieces = [pools[name][rowid % size] for name, size in POOLS.items()]
        whole = fold("\n".join(piece[1] for piece in pieces))
        if whole != "\n".join(piece[2] for piece in pieces):
            return False
    return True


def rare_term(seed: int = 7) -> tuple[str, float]:
    """The rarest token of the texts pool (absent from titles and summaries; often a figure
    such as ``184``) and the share of rows holding it: a search for something specific."""
    pools = _pool_rows(seed)
    counts: dict[str, int] = {}
    for name in POOLS:
        for _, text, _folded in pools[name]:
            for word in set(re.findall(r"\w{3,}", text.lower())):
                counts[word] = counts.get(word, 0) + (1 if name == "texts" else 1_000_000)
    word = min(counts, key=lambda w: (counts[w], w))
    return word, counts[word] / POOLS["texts"]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Build one benchmark database of N items.")
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(make_items_db(args.out, args.items)))


if __name__ == "__main__":
    main()
