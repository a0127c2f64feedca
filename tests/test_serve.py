"""Serving the database read-only with Datasette, through its test client (no port), plus the
real uvicorn server on loopback for starting and stopping.

Rows are written the way ``jobs.store`` writes them: an ``articles`` row, an ``items`` row and
the FTS rows (rowid = the row's rowid; ``body`` = the article text, or for an item its summary,
a newline and the article text; ``folded`` = ``fold(title + "\n" + body)``).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlite_utils

from jobs import serve
from jobs.errors import CoopwatchError, DatabaseError
from jobs.text import fold

ATOM = "{http://www.w3.org/2005/Atom}"

# Until jobs/schema.py has the migration adding items.year (same SQL), the tests add it here.
YEAR_COLUMN_SQL = (
    "ALTER TABLE items ADD COLUMN year INTEGER GENERATED ALWAYS AS ("
    "CASE WHEN published GLOB '[0-9][0-9][0-9][0-9]*' "
    "THEN CAST(substr(published, 1, 4) AS INTEGER) END) VIRTUAL"
)


class Client:
    """Synchronous wrapper over ``ds.client``, one event loop per test."""

    def __init__(self, ds: Any):
        self.ds = ds
        self.loop = asyncio.new_event_loop()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.ds.client.get(path, **kwargs))

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.ds.client.request(method, path, **kwargs))

    def rows(self, path: str) -> list[dict[str, Any]]:
        response = self.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.ds.get_database(serve.DATABASE_NAME).close()
        self.ds.executor.shutdown(wait=False)
        self.loop.close()


@pytest.fixture
def db(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """conftest's fresh database (the writer's connection, kept open: the file stays in WAL
    mode with a live -wal), with ``items.year`` added if the schema does not have it yet."""
    if not any(row[1] == "year" for row in db.execute("PRAGMA table_xinfo(items)")):
        db.execute(YEAR_COLUMN_SQL)
    return db


@pytest.fixture
def make_client(db: sqlite_utils.Database, db_path: Path) -> Iterator[Any]:
    clients: list[Client] = []

    def make(**settings: Any) -> Client:
        clients.append(Client(serve.make_datasette(db_path, settings=settings)))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Any) -> Client:
    return make_client()


def add_source(db: sqlite_utils.Database, name: str, **state: Any) -> None:
    db["sources"].upsert({"name": name, "url": f"https://{name}.example/rss", **state}, pk="name")


def add_item(
    db: sqlite_utils.Database,
    url: str,
    title: str,
    published: str,
    *,
    source: str = "vnn",
    countries: tuple[str, ...] = ("VN",),
    kinds: tuple[str, ...] = ("meeting",),
    summary: str = "",
    text: str = "",
    first_seen: str | None = None,
    language: str = "vi",
) -> None:
    """Store an article and its item with their FTS rows, as ``jobs.store`` does."""
    add_source(db, source)
    first_seen = first_seen or f"{published}T08:00:00+00:00"
    article = {"url": url, "source": source, "title": title, "published": published}
    article |= {"language": language, "text": text, "first_seen": first_seen}
    db["articles"].insert({**article, "decision": "item", "reason": None, "classifier": "t1"})
    item = {"url": url, "source": source, "title": title, "published": published}
    item |= {"event_date": published, "place": "Huế", "summary": summary, "first_seen": first_seen}
    item |= {
        "countries": json.dumps(sorted(countries), ensure_ascii=False),
        "kinds": json.dumps(list(kinds), ensure_ascii=False),
    }
    item |= {"organisations": "[]", "topics": "[]", "evidence": "{}", "score": 0.9}
    db["items"].insert({**item, "classifier": "t1"})
    for table, body in (("articles", text), ("items", f"{summary}\n{text}")):
        rowid = db.execute(f"SELECT rowid FROM {table} WHERE url = ?", [url]).fetchone()[0]
        db.execute(
            f"INSERT INTO {table}_fts (rowid, title, body, folded) VALUES (?, ?, ?, ?)",
            [rowid, title, body, fold(f"{title}\n{body}")],
        )


def add_run(db: sqlite_utils.Database, source: str, started: str, status: str) -> None:
    run = {"source": source, "started": started, "finished": started, "status": status}
    db["runs"].insert({**run, "entries": 3, "new_articles": 1})


def urls(rows: list[dict[str, Any]]) -> list[str]:
    return [row["url"] for row in rows]


# Browsing


def test_items_newest_first(db: sqlite_utils.Database, client: Client) -> None:
    add_item(db, "https://a.example/2", "Middle", "2024-02-01")
    add_item(db, "https://a.example/3", "Newest", "2024-03-01")
    add_item(db, "https://a.example/1", "Oldest", "2023-12-31")
    rows = client.rows("/coopwatch/items.json?_shape=array")
    assert urls(rows) == ["https://a.example/3", "https://a.example/2", "https://a.example/1"]
    assert client.get("/coopwatch/items").status_code == 200


def test_every_page_renders(db: sqlite_utils.Database, client: Client) -> None:
    add_item(db, "https://a.example/1", "Hội thảo", "2024-02-01")
    queries = serve.load_metadata()["databases"]["coopwatch"]["queries"]
    tables = ["items", "articles", "runs", "sources", "_migrations"]
    paths = ["/", "/coopwatch", *(f"/coopwatch/{name}" for name in [*tables, *queries])]
    assert {path: client.get(path).status_code for path in paths} == dict.fromkeys(paths, 200)


def test_items_facets(db: sqlite_utils.Database, client: Client) -> None:
    add_item(db, "https://a.example/1", "A", "2023-11-11", countries=("LA", "VN"))
    add_item(db, "https://b.example/2", "B", "2025-04-14", source="vns", countries=("CN", "VN"))
    add_item(
        db, "https://b.example/3", "C", "2025-05-01", source="vns", kinds=("training", "exchange")
    )
    facets = client.get("/coopwatch/items.json").json()["facet_results"]

    def counts(name: str) -> dict[Any, int]:
        return {result["value"]: result["count"] for result in facets[name]["results"]}

    assert counts("source") == {"vns": 2, "vnn": 1}
    assert counts("countries") == {"VN": 3, "LA": 1, "CN": 1}
    assert counts("kinds") == {"meeting": 2, "training": 1, "exchange": 1}
    assert counts("year") == {2025: 2, 2023: 1}
    assert client.rows("/coopwatch/items.json?_shape=array&year=2023")[0]["title"] == "A"


def test_articles_facets(db: sqlite_utils.Database, client: Client) -> None:
    add_item(db, "https://a.example/1", "A", "2023-11-11", language="vi")
    add_item(db, "https://b.example/2", "B", "2025-04-14", source="vns", language="en")
    facets = client.get("/coopwatch/articles.json").json()["facet_results"]
    assert set(facets) == {"source", "language", "decision"}
    assert {r["value"]: r["count"] for r in facets["language"]["results"]} == {"vi": 1, "en": 1}


# Search


@pytest.fixture
def vietnamese(db: sqlite_utils.Database) -> sqlite_utils.Database:
    add_item(
        db,
        "https://vnn.example/hue",
        "Hội thảo hợp tác báo chí Việt Nam - Lào tại Huế",
        "2023-11-12",
        countries=("LA", "VN"),
        summary="Hai bộ ký biên bản ghi nhớ về thông tin đối ngoại.",
        text="Các cơ quan báo chí hai nước trao đổi kinh nghiệm.",
    )
    add_item(
        db,
        "https://vnn.example/storm",
        "Cơn bão số 3 đổ bộ",
        "2024-09-07",
        summary="Bão gây mưa lớn.",
        text="Người dân chuẩn bị ứng phó với bão.",
    )
    return db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Huế", ["https://vnn.example/hue"]),
        ("Hue", ["https://vnn.example/hue"]),
        ("hop tac", ["https://vnn.example/hue"]),
        ("hợp tác", ["https://vnn.example/hue"]),
        ("thông tin đối ngoại", ["https://vnn.example/hue"]),  # in the summary only
        ("kinh nghiệm", ["https://vnn.example/hue"]),  # in the article text only
        ("báo", ["https://vnn.example/hue"]),  # newspaper, not storm
        ("bão", ["https://vnn.example/storm"]),  # storm, not newspaper
        ("bao", ["https://vnn.example/storm", "https://vnn.example/hue"]),  # typed bare: both
        ("Vientiane", []),
    ],
)
def test_search_items(vietnamese: Any, client: Client, query: str, expected: list[str]) -> None:
    rows = client.rows(f"/coopwatch/items.json?_shape=array&_search={query}")
    assert urls(rows) == expected


def test_search_articles_without_diacritics(vietnamese: Any, client: Client) -> None:
    rows = client.rows("/coopwatch/articles.json?_shape=array&_search=trao doi")
    assert urls(rows) == ["https://vnn.example/hue"]


def test_search_page_has_a_search_box(vietnamese: Any, client: Client) -> None:
    page = client.get("/coopwatch/items?_search=Hue").text
    assert 'name="_search"' in page
    assert "Hội thảo hợp tác báo chí" in page


# Canned queries


@pytest.fixture
def three_pairs(db: sqlite_utils.Database) -> sqlite_utils.Database:
    add_item(db, "https://a.example/vn-la", "VN LA", "2023-11-11", countries=("LA", "VN"))
    add_item(db, "https://a.example/vn-cn", "VN CN", "2025-04-14", countries=("CN", "VN"))
    add_item(db, "https://a.example/la-vn", "LA VN", "2024-01-05", countries=("LA", "TH", "VN"))
    add_item(db, "https://a.example/la", "LA", "2024-01-20", source="kpl", countries=("LA",))
    return db


def test_items_between_countries(three_pairs: Any, client: Client) -> None:
    path = "/coopwatch/items_between_countries.json?_shape=array"
    expected = ["https://a.example/la-vn", "https://a.example/vn-la"]
    assert urls(client.rows(f"{path}&a=VN&b=LA")) == expected
    assert urls(client.rows(f"{path}&a=la&b=vn")) == expected
    assert urls(client.rows(f"{path}&a=LA&b=CN")) == []


def test_between_countries_by_table_filters(three_pairs: Any, client: Client) -> None:
    """The URL the metadata gives for a full download of the same rows."""
    path = "/coopwatch/items.json?_shape=array&countries__arraycontains="
    both = client.rows(f"{path}VN&countries__arraycontains=LA")
    assert urls(both) == ["https://a.example/la-vn", "https://a.example/vn-la"]
    assert client.rows(f"{path}CN&countries__arraycontains=LA") == []


def test_latest_items(three_pairs: Any, client: Client) -> None:
    rows = client.rows("/coopwatch/latest_items.json?_shape=array")
    assert urls(rows) == [
        "https://a.example/vn-cn",
        "https://a.example/la",
        "https://a.example/la-vn",
        "https://a.example/vn-la",
    ]
    assert rows[0]["countries"] == ["CN", "VN"]  # JSON keeps the array's shape


def test_items_per_month(three_pairs: Any, client: Client) -> None:
    assert client.rows("/coopwatch/items_per_month.json?_shape=array") == [
        {"month": "2025-04", "items": 1, "sources": 1},
        {"month": "2024-01", "items": 2, "sources": 2},
        {"month": "2023-11", "items": 1, "sources": 1},
    ]


def test_source_health(three_pairs: Any, client: Client) -> None:
    db = three_pairs
    add_source(db, "kpl", last_ok="2024-01-20T08:00:00+00:00", consecutive_failures=2)
    db["sources"].update(
        "kpl", {"last_error": "timed out", "next_check": "2024-01-21T10:00:00+00:00"}
    )
    add_run(db, "kpl", "2024-01-20T08:00:00+00:00", "ok")
    add_run(db, "kpl", "2024-01-21T08:00:00+00:00", "error")
    add_run(db, "kpl", "2024-01-21T09:00:00+00:00", "error")
    add_run(db, "vnn", "2024-01-21T09:00:00+00:00", "not_modified")
    rows = client.rows("/coopwatch/source_health.json?_shape=array")
    assert rows == [
        {
            "source": "kpl",
            "url": "https://kpl.example/rss",
            "kind": None,
            "last_checked": None,
            "last_ok": "2024-01-20T08:00:00+00:00",
            "last_error": "timed out",
            "last_error_run": "2024-01-21T09:00:00+00:00",
            "consecutive_failures": 2,
            "next_check": "2024-01-21T10:00:00+00:00",
            "runs": 3,
            "last_run_status": "error",
            "articles": 1,
            "items": 1,
            "first_article": "2024-01-20T08:00:00+00:00",
        },
        {
            "source": "vnn",
            "url": "https://vnn.example/rss",
            "kind": None,
            "last_checked": None,
            "last_ok": None,
            "last_error": None,
            "last_error_run": None,
            "consecutive_failures": 0,
            "next_check": None,
            "runs": 1,
            "last_run_status": "not_modified",
            "articles": 3,
            "items": 3,
            "first_article": "2023-11-11T08:00:00+00:00",
        },
    ]


# Atom


def atom_entries(client: Client) -> tuple[ET.Element, list[ET.Element]]:
    response = client.get("/coopwatch/new_items.atom")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed, feed.findall(f"{ATOM}entry")


def test_atom_feed_of_new_items(db: sqlite_utils.Database, client: Client) -> None:
    add_item(db, "https://a.example/old", "VTV và CMG", "2025-04-15", summary="Ký thỏa thuận.")
    add_item(
        db,
        "https://a.example/new",
        "<script>alert(1)</script> Huế & Vientiane",
        "2023-11-12",
        first_seen="2025-05-01T10:00:00.123456Z",
        summary="<b>Bold</b> claim",
        countries=("LA", "VN"),
    )
    feed, entries = atom_entries(client)
    assert feed.findtext(f"{ATOM}title") == "coopwatch: new cooperation items"
    got = [
        (
            entry.findtext(f"{ATOM}id"),
            entry.findtext(f"{ATOM}title"),
            entry.findtext(f"{ATOM}updated"),
            entry.find(f"{ATOM}link").get("href"),
        )
        for entry in entries
    ]
    assert got == [
        (
            "https://a.example/new",
            "<script>alert(1)</script> Huế & Vientiane",
            "2025-05-01T10:00:00+00:00",
            "https://a.example/new",
        ),
        (
            "https://a.example/old",
            "VTV và CMG",
            "2025-04-15T08:00:00+00:00",
            "https://a.example/old",
        ),
    ]
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "text"
    assert content.text.startswith("<b>Bold</b> claim\n\nCountries: LA, VN\n")


def test_atom_feed_escapes_html(db: sqlite_utils.Database, client: Client) -> None:
    add_item(db, "https://a.example/x", "<script>alert(1)</script>", "2025-01-01", summary="<img>")
    body = client.get("/coopwatch/new_items.atom").text
    assert "<script>" not in body
    assert "<img>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_atom_feed_with_no_items_is_valid_and_empty(client: Client) -> None:
    feed, entries = atom_entries(client)
    assert entries == []
    assert feed.findtext(f"{ATOM}title") == "coopwatch: new cooperation items"


# Full downloads


@pytest.fixture
def twelve(db: sqlite_utils.Database) -> list[str]:
    for day in range(1, 13):
        add_item(db, f"https://a.example/{day:02}", f"Tin số {day} — Việt Nam", f"2024-03-{day:02}")
        add_run(db, "vnn", f"2024-03-{day:02}T00:00:00+00:00", "ok")
    return [f"https://a.example/{day:02}" for day in range(12, 0, -1)]


@pytest.fixture
def small(make_client: Any) -> Client:
    return make_client(max_returned_rows=5, default_page_size=5)


def follow_json(client: Client, path: str) -> list[dict[str, Any]]:
    """Every row of a JSON download, following each page's ``Link: <...>; rel="next"``."""
    rows: list[dict[str, Any]] = []
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.text
        rows += response.json()
        next_url = urlsplit(response.links.get("next", {}).get("url", ""))
        path = f"{next_url.path}?{next_url.query}" if next_url.path else ""
    return rows


def test_json_download_in_full(twelve: list[str], small: Client) -> None:
    first_page = small.get("/coopwatch/items.json?_shape=array&_size=max")
    assert len(first_page.json()) == 5
    assert urls(follow_json(small, "/coopwatch/items.json?_shape=array&_size=max")) == twelve


@pytest.mark.parametrize("table", ["items", "articles", "runs"])
def test_csv_stream_in_full(twelve: list[str], small: Client, table: str) -> None:
    response = small.get(f"/coopwatch/{table}.csv?_stream=on")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 12
    if table == "items":  # every row once, in key order (see jobs/csvsafe.complete_csv_streams)
        assert [row["url"] for row in rows] == sorted(twelve)


def test_csv_stream_of_filtered_table(twelve: list[str], small: Client) -> None:
    response = small.get("/coopwatch/items.csv?_stream=on&countries__arraycontains=VN")
    assert [row["url"] for row in csv.DictReader(io.StringIO(response.text))] == sorted(twelve)


def test_canned_query_csv(twelve: list[str], small: Client) -> None:
    response = small.get("/coopwatch/items_per_month.csv")
    assert response.status_code == 200
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["month", "items", "sources"],
        ["2024-03", "12", "1"],
    ]


# Read-only


@pytest.mark.parametrize(
    "sql",
    [
        "insert into sources (name, url) values ('evil', 'x')",
        "update items set title = 'x'",
        "delete from items",
        "drop table items",
        "with x as (select 1) insert into sources (name, url) select 'evil', 'x' from x",
        "attach database ':memory:' as other",
        "pragma journal_mode = delete",
    ],
)
def test_sql_writes_are_refused(db: sqlite_utils.Database, client: Client, sql: str) -> None:
    add_item(db, "https://a.example/1", "A", "2024-01-01")
    response = client.get("/coopwatch.json", params={"sql": sql})
    assert response.status_code == 400
    assert db.execute("select count(*) from items").fetchone()[0] == 1
    assert db.execute("select name from sources").fetchall() == [("vnn",)]


def test_read_only_sql_is_allowed(db: sqlite_utils.Database, client: Client) -> None:
    add_item(db, "https://a.example/1", "A", "2024-01-01")
    rows = client.rows("/coopwatch.json?_shape=array&sql=select+count(*)+as+n+from+items")
    assert rows == [{"n": 1}]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/coopwatch", "/coopwatch/items", "/coopwatch/latest_items"])
def test_other_methods_are_refused(client: Client, method: str, path: str) -> None:
    sql = "insert into sources (name, url) values ('evil', 'x')"
    response = client.request(method, path, data={"sql": sql})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_head_is_served(client: Client) -> None:
    assert client.request("HEAD", "/coopwatch/items").status_code == 200


def test_even_the_write_connection_is_read_only(client: Client) -> None:
    database = client.ds.get_database("coopwatch")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        client.loop.run_until_complete(
            database.execute_write("insert into sources (name, url) values ('evil', 'x')")
        )


# Read-only plugins only: the Atom feeds, the events charts (datasette-dashboards, which
# brings datasette-leaflet and datasette-render-markdown along), the map of events
# (datasette-cluster-map), robots.txt, and coopwatch's own hooks (jobs.plugin).
PLUGINS = [
    "datasette-atom",
    "datasette-block-robots",
    "datasette-cluster-map",
    "datasette-dashboards",
    "datasette-leaflet",
    "datasette-render-markdown",
    "jobs.plugin",
]


def test_only_the_allowed_plugins(client: Client) -> None:
    names = [plugin["name"] for plugin in client.rows("/-/plugins.json")]
    # jobs.health (/-/health) is registered once the CLI or a test has configured it
    assert sorted(name for name in names if name != "jobs.health") == PLUGINS


def test_no_write_canned_query_and_no_unsafe_html() -> None:
    metadata = serve.load_metadata()
    queries = metadata["databases"]["coopwatch"]["queries"]
    assert [name for name, query in queries.items() if query.get("write")] == []
    assert set(metadata.get("plugins", {})) == {
        "datasette-block-robots", "datasette-dashboards", "datasette-render-markdown"}
    assert metadata["plugins"]["datasette-render-markdown"] == {"patterns": []}  # no HTML cells


def test_database_is_live_not_immutable(client: Client) -> None:
    database = client.ds.get_database("coopwatch")
    assert database.is_mutable
    assert client.ds.databases.keys() == {"_internal", "coopwatch"}
    settings = client.rows("/-/settings.json")
    assert settings["suggest_facets"] is False
    assert settings["sql_time_limit_ms"] == serve.SETTINGS["sql_time_limit_ms"]


def test_rows_written_later_are_visible(
    db: sqlite_utils.Database, db_path: Path, client: Client
) -> None:
    assert client.rows("/coopwatch/items.json?_shape=array") == []
    add_item(db, "https://a.example/late", "Late", "2024-01-01", summary="Muộn")
    assert Path(f"{db_path}-wal").stat().st_size > 0  # the row is in the WAL, not yet checkpointed
    assert urls(client.rows("/coopwatch/items.json?_shape=array")) == ["https://a.example/late"]
    assert urls(client.rows("/coopwatch/items.json?_shape=array&_search=muon")) == [
        "https://a.example/late"
    ]


def test_serves_a_database_its_writer_has_closed(db: sqlite_utils.Database, db_path: Path) -> None:
    add_item(db, "https://a.example/1", "A", "2024-01-01")
    db.close()
    client = Client(serve.make_datasette(db_path))
    try:
        assert urls(client.rows("/coopwatch/items.json?_shape=array")) == ["https://a.example/1"]
    finally:
        client.close()


# Metadata can't rot


def schema_columns(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Every table of the schema and its columns, generated ones included (table_xinfo).

    SQLite's own parts are left out: FTS shadow tables (``items_fts_data`` …) and the hidden
    columns of a virtual table (``items_fts.rank``), whose ``hidden`` flag is 1.
    """
    names = [row[0] for row in db.execute(
        "select name from sqlite_master where type in ('table', 'view')")]
    shadow_prefixes = tuple(f"{name}_" for name in names if name.endswith("_fts"))
    tables = [n for n in names if not n.startswith(("sqlite_", *shadow_prefixes))]
    return {
        table: [row[1] for row in db.execute(f"PRAGMA table_xinfo([{table}])") if row[6] != 1]
        for table in tables
    }


def test_every_table_and_column_is_described(db: sqlite_utils.Database) -> None:
    described = serve.load_metadata()["databases"]["coopwatch"]["tables"]
    missing = []
    for table, columns in schema_columns(db).items():
        meta = described.get(table, {})
        if not meta.get("description"):
            missing.append(table)
        missing += [f"{table}.{c}" for c in columns if not meta.get("columns", {}).get(c)]
    assert missing == []


def test_every_description_is_of_something_real(db: sqlite_utils.Database) -> None:
    schema = schema_columns(db)
    described = serve.load_metadata()["databases"]["coopwatch"]["tables"]
    extra = [
        f"{table}.{column}"
        for table, meta in described.items()
        for column in meta.get("columns", {})
        if column not in schema.get(table, [])
    ]
    assert extra == []


def test_top_level_metadata(client: Client) -> None:
    metadata = serve.load_metadata()
    assert {"title", "description", "source", "license", "about"} <= metadata.keys()
    page = client.get("/").text
    assert "Articles © their publishers" in page


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no such database"):
        serve.make_datasette(str(tmp_path / "nope.db"))


def test_unmigrated_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).execute("create table sources (name text primary key)").connection.close()
    with pytest.raises(DatabaseError, match=r"lacks .*items\.\*"):
        serve.make_datasette(str(path))


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="cannot be read"):
        serve.make_datasette(str(path))


# The real server


def listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_server_stops_when_asked(db: sqlite_utils.Database, db_path: Path) -> None:
    add_item(db, "https://a.example/1", "A", "2024-01-01")
    sock = listening_socket()
    port = sock.getsockname()[1]
    server = serve.make_server(serve.make_datasette(db_path), "127.0.0.1", port)
    stopped_by: list[Any] = []
    thread = threading.Thread(target=lambda: stopped_by.append(serve.run_server(server, [sock])))
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/coopwatch/items.json?_shape=array"
        with urllib.request.urlopen(url, timeout=10) as response:  # queued until it accepts
            assert urls(json.load(response)) == ["https://a.example/1"]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive()
    assert stopped_by == [None]


def test_port_in_use_is_a_clear_error(db: sqlite_utils.Database, db_path: Path) -> None:
    with listening_socket() as taken:
        server = serve.make_server(
            serve.make_datasette(db_path), "127.0.0.1", taken.getsockname()[1]
        )
        with pytest.raises(CoopwatchError, match="could not start"):
            serve.run_server(server)


CHILD = """
import logging, sys
from jobs.serve import serve
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
stopped_by = serve(sys.argv[1], "127.0.0.1", 0)
print(stopped_by.name if stopped_by else None)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_serve_cleanly(
    db: sqlite_utils.Database, db_path: Path, sig: signal.Signals
) -> None:
    """serve() returns the signal, instead of dying by it or raising KeyboardInterrupt."""
    add_item(db, "https://a.example/1", "A", "2024-01-01")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(30, child.kill)
    watchdog.start()
    try:
        port = None
        for line in child.stderr:
            if match := re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", line):
                port = int(match.group(1))
                break
        assert port, "the server did not start"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/coopwatch/items.json", timeout=10):
            pass
        child.send_signal(sig)
        out, err = child.communicate(timeout=10)
    finally:
        watchdog.cancel()
        child.kill()
    assert (child.returncode, out.strip()) == (0, sig.name), err
