"""Array columns as rows, whole-table facet counts, and the filters, facets, counts and search
that read them (jobs/schema.py ``0012_array_rows``, jobs/facets.py), on the sample database."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobs import facets, store
from jobs.models import Item
from jobs.schema import connect, refill_array_rows
from tests.sample_db import build, served

SIDE_TABLES = ("item_countries", "item_organisations", "item_kinds", "event_countries",
               "event_organisations", "event_kinds", "event_pairs")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("facets") / "coopwatch.db")


@pytest.fixture(scope="module")
def get(sample: Path) -> Iterator[Any]:
    with served(sample, answers=(200, 302)) as fetch:
        yield fetch


def snapshot(conn: sqlite3.Connection) -> dict[str, list]:
    tables = {t: sorted(conn.execute(f"select * from {t}").fetchall(), key=repr)
              for t in SIDE_TABLES}
    tables["facet_counts"] = sorted(conn.execute(
        "select * from facet_counts where rows > 0").fetchall(), key=repr)
    return tables


def expected_counts(conn: sqlite3.Connection, table: str, column: str) -> Counter:
    counts: Counter = Counter()
    for (value,) in conn.execute(f"select {column} from {table}"):
        counts.update(set(json.loads(value or "[]")))
    return counts


def test_side_rows_and_counts_follow_the_json(sample: Path) -> None:
    conn = sqlite3.connect(sample)
    rows = conn.execute("select item, country from item_countries order by 1, 2").fetchall()
    assert rows == sorted((url, code) for url, countries in conn.execute(
        "select url, countries from items") for code in json.loads(countries))
    for table, column in (("items", "countries"), ("items", "kinds"),
                          ("events", "organisations")):
        stored = dict(conn.execute("select value, rows from facet_counts where tbl = ? and "
                                   "facet = ? and rows > 0", [table, column]).fetchall())
        assert stored == dict(expected_counts(conn, table, column))
    assert ("LA", "VN") in {(a, b) for a, b in conn.execute("select a, b from event_pairs")}


def test_store_writes_keep_them_in_step_and_refill_agrees(tmp_path: Path) -> None:
    db = connect(build(tmp_path / "c.db"))
    url = db.execute("select url from items where countries like '%KH%'").fetchone()[0]
    item = Item(url=url, source="harbour-news", title="Cambodian and Lao reporters trained",
                published="2025-02-04", event_date=None, place="Phnom Penh",
                countries=("KH", "LA"), organisations=("VOV",), kinds=("training",),
                topics=(), summary="A course.", evidence={}, score=0.9, classifier="t")
    with store.transaction(db):
        store.save_item(db, item, article_text="A course.", now="2025-02-04T00:00:00+00:00")
    assert db.execute("select country, sort from item_countries where item = ? order by 1",
                      [url]).fetchall() == [("KH", "2025-02-04"), ("LA", "2025-02-04")]
    with store.transaction(db):
        store.delete_item(db, url, article_text="A course.")
    assert db.execute("select count(*) from item_kinds where item = ?", [url]).fetchone() == (0,)
    triggered = snapshot(db.conn)
    with store.transaction(db):
        refill_array_rows(db)
    assert snapshot(db.conn) == triggered
    db.close()


def test_array_filter_reads_the_side_table(get: Any) -> None:
    page = get("/coopwatch/items?countries__arraycontains=LA").text
    assert "countries contains &#34;LA&#34;" in page and "2 rows." in page
    rows = get("/coopwatch/items.json?countries__arraycontains=LA&countries__arraycontains=VN"
               "&_shape=array").json()
    assert {r["url"] for r in rows} == {"https://harbour-news.example/laos-press-1",
                                        "https://tin-viet.example/laos-press-2"}
    assert get("/coopwatch/items.json?kinds__arraycontains=training&_shape=array").json()


def test_facets_on_a_whole_and_a_filtered_table(get: Any) -> None:
    whole = get("/coopwatch/items.json?_size=1").json()["facet_results"]
    assert {v["value"]: v["count"] for v in whole["countries"]["results"]}["VN"] == 5
    assert {v["value"] for v in whole["source"]["results"]} == {"harbour-news", "tin-viet"}
    filtered = get("/coopwatch/items.json?countries__arraycontains=KH&_size=1").json()
    counts = {v["value"]: v for v in filtered["facet_results"]["countries"]["results"]}
    assert counts["KH"]["count"] == 1 and counts["KH"]["selected"]
    assert "countries__arraycontains=VN" in counts["VN"]["toggle_url"]
    assert "_countries=KH" not in counts["KH"]["toggle_url"]


FOUND = {"Hue": {"https://harbour-news.example/laos-press-1",
                 "https://tin-viet.example/laos-press-2"},
         "h%E1%BB%A3p+t%C3%A1c": {"https://tin-viet.example/laos-press-2",
                                  "https://tin-viet.example/china-coproduction"},
         "VNA": {"https://harbour-news.example/laos-press-1",
                 "https://tin-viet.example/laos-press-2",
                 "https://harbour-news.example/korea-journalism"}}


@pytest.mark.parametrize("few, share", [(10_000, 2.0), (0, 2.0), (0, 0.0)])
def test_every_way_of_reading_a_search_finds_the_same_rows(
        get: Any, monkeypatch: pytest.MonkeyPatch, few: int, share: float) -> None:
    monkeypatch.setattr(facets, "FEW_MATCHES", few)
    monkeypatch.setattr(facets, "MANY_SHARE", share)
    for query in ("Hue", "h%E1%BB%A3p+t%C3%A1c", "VNA"):
        rows = get(f"/coopwatch/items.json?_search={query}&_shape=array").json()
        days = [r["published"] for r in rows]
        assert rows and days == sorted(days, reverse=True), query
        assert {r["url"] for r in rows} == FOUND[query]


def test_a_search_counts_only_up_to_a_cap(get: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "2 rows." in get("/coopwatch/items?_search=Hue").text
    monkeypatch.setattr(facets, "COUNT_CAP", 1)
    assert "More than 1 rows." in get("/coopwatch/items?_search=Hue").text
    monkeypatch.setattr(facets, "FACET_SAMPLE", 1)
    assert 'class="facet-sample"' in get("/coopwatch/items?_search=Hue").text


def test_redirects_keep_the_public_names() -> None:
    location = (b"/coopwatch/items?_text=Hue&_countries=LA&_nocount=1&_sort_desc=published")
    assert facets.public_location(location) == (
        b"/coopwatch/items?_search=Hue&countries__arraycontains=LA&_sort_desc=published")
    assert facets.public_location(b"/coopwatch/articles?_text=x") == \
        b"/coopwatch/articles?_text=x"


def test_the_migration_fills_the_rows_of_an_older_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jobs import schema

    older = [m for m in schema.MIGRATIONS if m[0] < "0012"]
    monkeypatch.setattr(schema, "MIGRATIONS", older)
    path = build(tmp_path / "old.db")
    monkeypatch.undo()
    conn = sqlite3.connect(path)
    assert "item_countries" not in {r[0] for r in conn.execute("select name from sqlite_master")}
    conn.close()
    db = connect(path)
    filled = snapshot(db.conn)
    assert len(filled["item_countries"]) == 10 and filled["event_pairs"]
    with store.transaction(db):
        refill_array_rows(db)
    assert snapshot(db.conn) == filled
    db.close()


def test_events_filter_and_facet_through_their_side_tables(get: Any) -> None:
    rows = get("/coopwatch/events.json?countries__arraycontains=LA&countries__arraycontains=VN"
               "&_shape=array").json()
    assert [sorted(r["countries"]) for r in rows] == [["LA", "VN"]]
    facets_ = get("/coopwatch/events.json?kinds__arraycontains=training&_size=1").json()
    kinds = {v["value"]: v["count"] for v in facets_["facet_results"]["kinds"]["results"]}
    assert kinds["training"] == len(get("/coopwatch/events.json?kinds__arraycontains=training"
                                        "&_shape=array").json())
