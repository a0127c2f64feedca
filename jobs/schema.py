"""The only owner of coopwatch's tables, indexes, full-text indexes and views.

The schema is a list of ordered, named migrations. ``migrate(db)`` applies the ones a database
has not seen yet, each in its own transaction, and records it in ``_migrations``. A new column is a
new migration appended to ``MIGRATIONS``, never ``alter=True`` at write time.

Full-text search: ``articles_fts`` and ``items_fts`` are *contentless* FTS5 tables (the text is
stored once, in ``articles``) with three columns: ``title``, ``body`` and ``folded``. The first two
are tokenized with ``remove_diacritics 0``, so ``báo`` (newspaper) and ``bão`` (storm) stay two
words; ``folded`` holds the same text with every diacritic removed (see ``fold``), so a query typed
without diacritics (``Hue``, ``bao chi``) still finds ``Huế`` and ``báo chí``. ``jobs.store`` keeps
both tables in step with their rows, in the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from jobs.errors import DatabaseError

SCHEMA_VERSION_TABLE = "_migrations"
FTS_TOKENIZER = "unicode61 remove_diacritics 0"


def _create_core_tables(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "name": str,
            "url": str,
            "kind": str,
            "etag": str,
            "last_modified": str,
            "last_checked": str,
            "last_ok": str,
            "last_error": str,
            "consecutive_failures": int,
            "next_check": str,
        },
        pk="name",
        not_null={"url"},
        defaults={"consecutive_failures": 0},
    )
    db["articles"].create(
        {
            "url": str,
            "link": str,
            "source": str,
            "title": str,
            "published": str,
            "language": str,
            "description": str,
            "text": str,
            "first_seen": str,
            "fetched": str,
        },
        pk="url",
        foreign_keys=[("source", "sources", "name")],
    )
    db["articles"].create_index(["link"])
    db["articles"].create_index(["source"])
    db["articles"].create_index(["published"])
    db["runs"].create(
        {
            "id": int,
            "source": str,
            "started": str,
            "finished": str,
            "status": str,
            "http_status": int,
            "entries": int,
            "new_articles": int,
            "error": str,
        },
        pk="id",
        foreign_keys=[("source", "sources", "name")],
    )
    db["runs"].create_index(["source", "started"])


def _create_fts(db: sqlite_utils.Database) -> None:
    for name in ("articles_fts", "items_fts"):
        db.execute(
            f"CREATE VIRTUAL TABLE [{name}] USING fts5("
            f"title, body, folded, content='', tokenize='{FTS_TOKENIZER}')"
        )


def _create_items(db: sqlite_utils.Database) -> None:
    db["articles"].add_column("decision", str)
    db["articles"].add_column("reason", str)
    db["articles"].add_column("classifier", str)
    db["items"].create(
        {
            "url": str,
            "source": str,
            "title": str,
            "published": str,
            "event_date": str,
            "place": str,
            "countries": str,
            "organisations": str,
            "kinds": str,
            "topics": str,
            "summary": str,
            "evidence": str,
            "score": float,
            "classifier": str,
            "first_seen": str,
        },
        pk="url",
        foreign_keys=[("url", "articles", "url"), ("source", "sources", "name")],
    )
    db["items"].create_index(["published"])
    db["items"].create_index(["event_date"])
    db["items"].create_index(["source"])


def _add_item_year(db: sqlite_utils.Database) -> None:
    """A generated column, so Datasette can facet items by year without a view."""
    db.execute(
        "ALTER TABLE items ADD COLUMN year INTEGER GENERATED ALWAYS AS ("
        "CASE WHEN published GLOB '[0-9][0-9][0-9][0-9]*' "
        "THEN CAST(substr(published, 1, 4) AS INTEGER) END) VIRTUAL"
    )


def _create_events(db: sqlite_utils.Database) -> None:
    """Events: one row per real-world event, linking the items that report it (jobs/events/).

    ``year`` is generated, like ``items.year``, from the event date or else its first report.
    """
    db.execute(
        "CREATE TABLE events ("
        "id TEXT PRIMARY KEY, title TEXT, url TEXT, event_date TEXT, place TEXT, "
        "countries TEXT, organisations TEXT, kinds TEXT, topics TEXT, "
        "reports INTEGER, outlets INTEGER, first_reported TEXT, last_reported TEXT, "
        "first_seen TEXT, "
        "year INTEGER GENERATED ALWAYS AS ("
        "CASE WHEN coalesce(event_date, first_reported) GLOB '[0-9][0-9][0-9][0-9]*' "
        "THEN CAST(substr(coalesce(event_date, first_reported), 1, 4) AS INTEGER) END) VIRTUAL)"
    )
    db["events"].create_index(["event_date"])
    db["events"].create_index(["first_seen"])
    db.execute("ALTER TABLE items ADD COLUMN event_id TEXT REFERENCES events(id)")
    db["items"].create_index(["event_id"])


def _add_browse_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for Datasette's default sorts and facets.

    A table sorted by a column that is not its key pages with ``(column, key)``: without an
    index on exactly that pair every page of a streamed CSV sorts the whole table again (1.2 s a
    page at 250,000 items; 21 ms with it). ``items.year`` is a generated column: indexed, its
    facet reads the index instead of computing every row.
    """
    for table, columns in (("items", "published desc, url"), ("articles", "published desc, url"),
                           ("events", "event_date desc, id"), ("runs", "started desc, id")):
        name = f"{table}_by_{columns.split()[0]}_and_key"
        db.execute(f"create index if not exists [{name}] on [{table}]({columns})")
    db.execute("create index if not exists items_year on items(year)")


def _add_date_reference(db: sqlite_utils.Database) -> None:
    """How an event's day is known, and the reference day it was resolved against.

    ``articles.reference`` / ``reference_from``: the day relative and year-less dates count from
    when the page and its feed entry give no date (the feed's own date, or the day a fresh listing
    first showed the link), kept so ``reclassify`` resolves them the same way without network.
    ``items.event_day``: a day whose year the text does not fix, ``--MM-DD``;
    ``items.event_date_basis``: stated, inferred, year-less or missing (jobs/classify/fields.py).
    """
    db["articles"].add_column("reference", str)
    db["articles"].add_column("reference_from", str)
    db["items"].add_column("event_day", str)
    db["items"].add_column("event_date_basis", str)


EVENT_SEARCH_TEXT = """coalesce(new.place, '') || ' '
  || coalesce((select group_concat(value, ' ') from json_each(new.organisations)), '') || ' '
  || coalesce((select group_concat(value, ' ') from json_each(new.kinds)), '') || ' '
  || coalesce((select group_concat(c.code || ' ' || c.names, ' ')
               from json_each(new.countries) j join country_names c on c.code = j.value), '')
  || ' ' || coalesce((select group_concat(coalesce(i.title, '') || ' '
               || coalesce(i.summary, ''), ' ') from items i where i.event_id = new.id), '')"""


def _add_event_search(db: sqlite_utils.Database) -> None:
    """Search on events, and the rejected articles as a view that leads with the reason.

    ``events_fts`` (title, body) is kept in step with ``events`` by triggers: the body is the
    event's place, parties, kinds, its countries' codes and English names (``country_names``,
    from pycountry: "Laos" finds LA), and the titles and summaries of its reports as they are
    when the event row is written. It stores its text (events are few) and folds diacritics in
    the tokenizer, so ``Hue`` and ``Huế`` each find both.
    """
    import pycountry

    db["country_names"].create({"code": str, "name": str, "names": str}, pk="code")
    db["country_names"].insert_all(
        {"code": c.alpha_2, "name": c.name,
         "names": " ".join(dict.fromkeys(getattr(c, a, None) or "" for a in
                                         ("name", "common_name", "official_name"))).strip()}
        for c in pycountry.countries)
    db.execute("CREATE VIRTUAL TABLE events_fts USING fts5("
               "title, body, tokenize='unicode61 remove_diacritics 2')")
    row = EVENT_SEARCH_TEXT.replace("new.", "e.")
    db.execute(f"INSERT INTO events_fts (rowid, title, body) SELECT e.rowid, e.title, {row} "
               "FROM events e")
    insert = ("INSERT INTO events_fts (rowid, title, body) "
              f"VALUES (new.rowid, new.title, {EVENT_SEARCH_TEXT});")
    delete = "DELETE FROM events_fts WHERE rowid = old.rowid;"
    db.execute(f"CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN {insert} END")
    db.execute(f"CREATE TRIGGER events_fts_update AFTER UPDATE ON events BEGIN {delete} "
               f"{insert} END")
    db.execute(f"CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN {delete} END")
    db.execute("CREATE VIEW rejected_articles AS SELECT title, reason, source, published, "
               "language, substr(text, 1, 280) AS opening, url FROM articles "
               "WHERE decision = 'rejected'")


def _add_published_from(db: sqlite_utils.Database) -> None:
    """``articles.published_from``: which evidence gave the publication date (jobs/extract.py):
    url, metadata, json-ld, comment, text, html or free-text from the page, entry from the feed."""
    db["articles"].add_column("published_from", str)


def _add_event_linking(db: sqlite_utils.Database) -> None:
    """How an event's date is known, and the indexes linking selects candidates through.

    ``events.event_date_basis``: stated, inferred, year-less or missing (jobs/events/link.py,
    ``event_date``); ``events.event_day``: its month and day, ``--MM-DD``, also when the year is
    unknown. ``events_link_day`` indexes the day an event is filed under (``jobs.events.LINK_DAY``),
    ``events_seen_day`` the events dated only by when they were first seen, ``events_month_day``
    the month-and-day bucket a year-less day is matched in, ``events_year_less`` the year-less
    events a dated day is matched with: so linking one item reads a few days of events, not the
    whole table.
    """
    db["events"].add_column("event_date_basis", str)
    db["events"].add_column("event_day", str)
    db.execute("UPDATE events SET event_date_basis = CASE WHEN event_date IS NULL THEN "
               "'missing' ELSE 'stated' END, event_day = '--' || substr(event_date, 6, 5)")
    db.execute("CREATE INDEX events_link_day ON events("
               "coalesce(event_date, first_reported, substr(first_seen, 1, 10)))")
    db.execute("CREATE INDEX events_seen_day ON events(substr(first_seen, 1, 10)) "
               "WHERE event_date IS NULL AND first_reported IS NULL")
    db.execute("CREATE INDEX events_month_day ON events(event_day, "
               "coalesce(event_date, first_reported, substr(first_seen, 1, 10))) "
               "WHERE event_day IS NOT NULL")
    db.execute("CREATE INDEX events_year_less ON events(event_day, "
               "coalesce(event_date, first_reported, substr(first_seen, 1, 10))) "
               "WHERE event_date IS NULL AND event_day IS NOT NULL")


def _add_corrections(db: sqlite_utils.Database) -> None:
    """Reviewers' corrections (jobs/corrections.py) and what they did to the machine's output.

    ``corrections`` mirrors ``corrections.yaml`` as last applied (one row per article URL: the
    action, the fields set as JSON, note, by, at), so a pass can tell which entries changed.
    ``items.reviewed``: none, accepted or corrected; ``items.corrected``: JSON array of the fields
    a reviewer set; ``items.machine``: JSON object of the classifier's value of each.
    ``articles.machine_decision`` / ``machine_reason``: the classifier's verdict when a reviewer's
    replaced it (an item rejected by a reviewer, an article made an item).
    """
    db["corrections"].create({"url": str, "action": str, "fields": str, "note": str, "by": str,
                              "at": str}, pk="url")
    db["articles"].add_column("machine_decision", str)
    db["articles"].add_column("machine_reason", str)
    db.execute("ALTER TABLE items ADD COLUMN reviewed TEXT NOT NULL DEFAULT 'none'")
    db["items"].add_column("corrected", str)
    db["items"].add_column("machine", str)
    db["items"].create_index(["reviewed"])


# Array columns as rows: table -> (key, sort key, [(array column, side table, value column)]).
ARRAY_TABLES = {
    "items": ("url", "{r}.published", [("countries", "item_countries", "country"),
                                       ("organisations", "item_organisations", "organisation"),
                                       ("kinds", "item_kinds", "kind")]),
    "events": ("id", "coalesce({r}.event_date, {r}.first_reported)",
               [("countries", "event_countries", "country"),
                ("organisations", "event_organisations", "organisation"),
                ("kinds", "event_kinds", "kind")]),
}
# Whole-table facet counts kept in ``facet_counts``: these columns, these JSON arrays (counted,
# with no side table) and the array columns above.
COUNTED_COLUMNS = {"items": ("source", "year", "reviewed"), "events": ("year",)}
COUNTED_ARRAYS = {"items": ("corrected",), "events": ()}


def _each(row: str, column: str) -> str:
    """The values of a JSON array column (malformed JSON reads as no value)."""
    return f"json_each(case when json_valid({row}.{column}) then {row}.{column} else '[]' end)"


def _trigger_body(table: str, row: str, add: bool) -> str:
    """The statements adding (``add``, row ``new``) or removing (row ``old``) one row's side
    rows and facet counts."""
    key, sort, arrays = ARRAY_TABLES[table]
    sort, owner = sort.format(r=row), table[:-1]
    values = [(c, f"(select {row}.{c} as value where {row}.{c} is not null)")
              for c in COUNTED_COLUMNS[table]]
    values += [(c, f"(select distinct value from {_each(row, c)} where value is not null)")
               for c in (*COUNTED_ARRAYS[table], *(c for c, _, _ in arrays))]
    statements = []
    for column, found in values:
        statements.append(
            f"insert into facet_counts (tbl, facet, value, rows) select '{table}', '{column}', "
            f"value, 1 from {found} where true on conflict (tbl, facet, value) do update set "
            "rows = rows + 1" if add else
            f"update facet_counts set rows = rows - 1 where tbl = '{table}' and "
            f"facet = '{column}' and value in (select value from {found})")
    for column, side, name in arrays:
        statements.append(
            f"insert or ignore into {side} ({owner}, {name}, sort) select {row}.{key}, value, "
            f"{sort} from {_each(row, column)} where value is not null" if add else
            f"delete from {side} where {owner} = {row}.{key}")
    if table == "events":
        statements.append(
            "insert or ignore into event_pairs (a, b, day, event) select x.value, y.value, "
            f"{sort}, {row}.id from {_each(row, 'countries')} x join {_each(row, 'countries')} "
            "y on x.value < y.value" if add else
            f"delete from event_pairs where event = {row}.id")
    return "".join(f"{statement}; " for statement in statements)


def _add_array_rows(db: sqlite_utils.Database) -> None:
    """The array columns as rows, a table of country pairs and whole-table facet counts.

    ``item_countries(item, country, sort)``, ``item_organisations``, ``item_kinds`` and the same
    for events (``event``; ``sort`` is the event's day) hold one row per value of the JSON array
    columns, which stay as they are for downloads. ``sort`` is the owner's sort key
    (``published``, the event's day), so "the newest items naming VNA" is one range of the index
    on (value, sort), not a scan. ``event_pairs(a, b, day, event)``: each pair of an event's
    countries, ``a < b``. ``facet_counts(tbl, facet, value, rows)``: how many rows of ``items``
    and ``events`` hold each value of source, year and the array columns, so a facet over the
    whole table reads a few hundred rows instead of the table.

    Triggers keep them in step with ``items`` and ``events`` inside the writing statement's
    transaction, whatever writes the rows (``jobs.store``, a migration, ``bench/bigdb.py``);
    ``refill_array_rows`` (run here and by ``reclassify``) rebuilds them from the tables.
    """
    db.execute("create table facet_counts (tbl text not null, facet text not null, "
               "value not null, rows integer not null, primary key (tbl, facet, value))")
    for table, (_key, _sort, arrays) in ARRAY_TABLES.items():
        owner = table[:-1]
        for _column, side, name in arrays:
            db.execute(f"create table {side} ({owner} text not null, {name} text not null, "
                       f"sort text, primary key ({owner}, {name})) without rowid")
            db.execute(f"create index {side}_by_{name} on {side}({name}, sort, {owner})")
    db.execute("create table event_pairs (a text not null, b text not null, day text, "
               "event text not null, primary key (a, b, event))")
    db.execute("create index event_pairs_by_day on event_pairs(a, b, day, event)")
    db.execute("create index event_pairs_by_event on event_pairs(event)")
    db.execute("create index event_pairs_recent on event_pairs(day)")
    for table, (key, _sort, arrays) in ARRAY_TABLES.items():
        watched = [key, *COUNTED_COLUMNS[table], *COUNTED_ARRAYS[table],
                   *(c for c, _, _ in arrays),
                   *(["published"] if table == "items" else ["event_date", "first_reported"])]
        changed = " or ".join(f"old.{c} is not new.{c}" for c in dict.fromkeys(watched))
        add, remove = _trigger_body(table, "new", True), _trigger_body(table, "old", False)
        db.execute(f"create trigger {table}_rows_insert after insert on {table} begin {add}end")
        db.execute(f"create trigger {table}_rows_delete after delete on {table} begin {remove}end")
        db.execute(f"create trigger {table}_rows_update after update on {table} when {changed} "
                   f"begin {remove}{add}end")
    refill_array_rows(db)


def refill_array_rows(db: sqlite_utils.Database) -> None:
    """Rebuild the side tables, ``event_pairs`` and ``facet_counts`` from ``items`` and
    ``events`` (call inside a transaction): what the triggers keep in step, from scratch."""
    db.execute("delete from facet_counts")
    db.execute("delete from event_pairs")
    for table, (key, sort, arrays) in ARRAY_TABLES.items():
        owner, sort = table[:-1], sort.format(r="r")
        for column in COUNTED_COLUMNS[table]:
            db.execute(f"insert into facet_counts select '{table}', '{column}', {column}, "
                       f"count(*) from {table} where {column} is not null group by {column}")
        for column in COUNTED_ARRAYS[table]:
            db.execute(f"insert into facet_counts select '{table}', '{column}', value, "
                       f"count(*) from (select distinct r.rowid, j.value from {table} r, "
                       f"{_each('r', column)} j where j.value is not null) group by value")
        for column, side, name in arrays:
            db.execute(f"delete from {side}")
            db.execute(f"insert or ignore into {side} ({owner}, {name}, sort) select r.{key}, "
                       f"j.value, {sort} from {table} r, {_each('r', column)} j "
                       "where j.value is not null")
            db.execute(f"insert into facet_counts select '{table}', '{column}', {name}, "
                       f"count(*) from {side} group by {name}")
    db.execute("insert or ignore into event_pairs (a, b, day, event) select x.value, y.value, "
               f"{ARRAY_TABLES['events'][1].format(r='r')}, r.id from events r, "
               f"{_each('r', 'countries')} x, {_each('r', 'countries')} y where x.value < y.value")


def _add_filtered_sort_indexes(db: sqlite_utils.Database) -> None:
    """A page filtered on one value, newest first, read as one index range.

    ``items?source=s007`` is sorted by ``published``: with only the index on ``source``, SQLite
    read and sorted every row of that source (200 ms for 20,000 rows); with ``(source,
    published)`` it reads the newest 51. The same for the year facet's filter, and on events;
    ``events_by_day`` serves the map and the timelines, newest event first.
    """
    db.execute("create index items_by_source_and_published on items(source, published)")
    db.execute("create index items_by_year_and_published on items(year, published)")
    db.execute("create index events_by_year_and_day on events(year, event_date)")
    db.execute("create index events_by_day on events(coalesce(event_date, first_reported), id)")

Migration = tuple[str, Callable[[sqlite_utils.Database], None]]

MIGRATIONS: list[Migration] = [
    ("0001_core_tables", _create_core_tables),
    ("0002_full_text_search", _create_fts),
    ("0003_items", _create_items),
    ("0004_items_year", _add_item_year),
    ("0005_events", _create_events),
    ("0006_browse_indexes", _add_browse_indexes),
    ("0007_event_date_reference", _add_date_reference),
    ("0008_event_search_rejected_view", _add_event_search),
    ("0009_article_published_from", _add_published_from),
    ("0010_event_linking", _add_event_linking),
    ("0011_corrections", _add_corrections),
    ("0012_array_rows", _add_array_rows),
    ("0013_filtered_sort_indexes", _add_filtered_sort_indexes),
]


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open the database for writing (WAL mode), creating it and applying migrations.

    Raises DatabaseError with the path and what to do when the file cannot be used.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        _refuse_foreign(db, path)  # before any PRAGMA: those write the file's header
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA journal_size_limit=67108864")  # the WAL shrinks after checkpoints
        migrate(db)
    except (sqlite3.Error, OSError) as error:
        raise DatabaseError(f"{path}: cannot use this database: {error}") from None
    return db


def _refuse_foreign(db: sqlite_utils.Database, path: Path) -> None:
    """Never add coopwatch's tables to a database that holds something else."""
    if db[SCHEMA_VERSION_TABLE].exists():
        return
    tables = [name for name in db.table_names() if not name.startswith("sqlite_")]
    if tables:
        db.close()
        raise DatabaseError(
            f"{path}: not a coopwatch database (it has tables {', '.join(tables[:5])} and no "
            f"{SCHEMA_VERSION_TABLE}); point --db at a new file"
        )


def require_current(path: str | Path) -> None:
    """Raise DatabaseError unless ``path`` is a coopwatch database with every migration applied.

    Opened ``mode=ro``: it is what ``serve`` checks before serving, and it never creates,
    migrates or writes the file (only ``run``, ``sync`` and ``reclassify`` do).
    """
    path = Path(path)
    if not path.is_file():
        raise DatabaseError(f"{path}: no such database; `coopwatch sync` or `coopwatch run` "
                            "creates it")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("select name from sqlite_master")}
            done = set() if SCHEMA_VERSION_TABLE not in tables else {
                row[0] for row in conn.execute(f"select name from [{SCHEMA_VERSION_TABLE}]")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path}: cannot be read as a SQLite database: {error}") from None
    if SCHEMA_VERSION_TABLE not in tables:
        raise DatabaseError(f"{path}: not a coopwatch database (no {SCHEMA_VERSION_TABLE} "
                            "table); serve a database that `coopwatch sync` made")
    missing = [name for name, _ in MIGRATIONS if name not in done]
    if missing:
        raise DatabaseError(f"{path}: made by an older coopwatch (lacks {', '.join(missing)}); "
                            "`coopwatch sync` or `coopwatch run` migrates it, then serve it")


def applied_migrations(db: sqlite_utils.Database) -> list[str]:
    if not db[SCHEMA_VERSION_TABLE].exists():
        return []
    return [row["name"] for row in db[SCHEMA_VERSION_TABLE].rows_where(order_by="name")]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations this database lacks; return their names."""
    if not db[SCHEMA_VERSION_TABLE].exists():
        db[SCHEMA_VERSION_TABLE].create({"name": str, "applied": str}, pk="name")
    done = set(applied_migrations(db))
    applied = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        with db.conn:  # one transaction per migration
            db.execute("BEGIN IMMEDIATE")
            step(db)
            db[SCHEMA_VERSION_TABLE].insert(
                {"name": name, "applied": datetime.now(UTC).isoformat(timespec="seconds")}
            )
        applied.append(name)
    return applied
