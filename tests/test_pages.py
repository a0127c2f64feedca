"""The pages an analyst reads, through Datasette's test client on the sample database
(tests/sample_db.py): the home page, readable cells and facets, item and event cards, profiles,
events search, the rejected articles, the dashboard's numbers, JSON and CSV shapes."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from jobs import serve
from tests.sample_db import build, served

LAOS_EN = "https://harbour-news.example/laos-press-1"
LAOS_VI = "https://tin-viet.example/laos-press-2"
ITEM_PAGE = "/coopwatch/items/https:~2F~2Fharbour-news.example~2Flaos-press-1"
HTML_PAGES = ["/", "/coopwatch", "/coopwatch/items", "/coopwatch/items?_search=Hue",
              "/coopwatch/events", "/coopwatch/events?_search=Laos", ITEM_PAGE,
              "/coopwatch/rejected_articles", "/coopwatch/latest_items",
              "/coopwatch/events_map", "/-/organisation/VNA", "/-/pair/LA-VN",
              "/coopwatch/articles", "/coopwatch/event_reports?id=x", "/-/dashboards/events"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("sample") / "coopwatch.db")


@pytest.fixture(scope="module")
def get(sample: Path) -> Iterator[Any]:
    with served(sample) as fetch:
        yield fetch


def event_id(sample: Path, url: str) -> str:
    with sqlite3.connect(sample) as conn:
        return conn.execute("select event_id from items where url = ?", [url]).fetchone()[0]


def cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html, re.DOTALL)


def without_scripts(html: str) -> str:
    return re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL)


def test_home_page_says_what_is_recorded_and_what_is_new(get: Any) -> None:
    page = get("/").text
    assert "What is recorded" in page and "<dt><a href=\"/coopwatch/events\">Event</a>" in page
    assert f'href="{LAOS_EN}"' in page  # the latest items link to their articles
    assert 'href="/-/pair/LA-VN">Laos (LA) – Viet Nam (VN)</a>' in page
    assert 'href="/-/organisation/VNA">VNA</a> <span class="n">2 events' in page
    assert "_search=b%C3%A1o+ch%C3%AD" in page and "_search=bao+chi" in page
    for link in ("/coopwatch/items.csv?_stream=on", "/coopwatch/new_items.atom",
                 "/coopwatch/new_events.atom", "/-/dashboards/events"):
        assert f'href="{link}"' in page
    assert re.search(r"1 of 3 failing \(coast-daily\)\s*· last successful sync 2025-06-20 09:30",
                     page)
    assert "Articles © their publishers" in page


@pytest.mark.parametrize("path", HTML_PAGES)
def test_no_html_page_shows_a_raw_json_array(get: Any, path: str) -> None:
    html = without_scripts(get(path).text)
    assert "[&#34;" not in html and '["' not in html and "[&quot;" not in html, path


def test_items_read_as_titles_chips_and_links(get: Any, sample: Path) -> None:
    page = get("/coopwatch/items").text
    assert f'<a class="article-link" href="{LAOS_EN}">' in page
    assert '<a class="chip chip-countries" href="/coopwatch/items?countries__arraycontains=LA">' \
           "Laos (LA)</a>" in page
    assert 'href="/-/organisation/KPL">KPL</a>' in page
    assert 'href="/coopwatch/items?kinds__arraycontains=joint_production">joint production' in page
    assert f'href="/coopwatch/events/{event_id(sample, LAOS_EN)}">event</a>' in page
    facet = page[page.index('data-column="countries"'):]
    assert ">Viet Nam (VN)</a> 5" in facet[:2000]


def test_the_column_glossary_is_folded_away(get: Any) -> None:
    page = get("/coopwatch/items").text
    details = page.index('<details class="about-table">')
    assert details < page.index('<dl class="glossary">') < page.index("</details>", details)
    assert page.index("</details>", details) < page.index('<table class="rows-and-columns')


def test_plain_table_on_request(get: Any) -> None:
    page = get("/coopwatch/items?_col=title&_col=countries").text
    assert "Laos (LA)" in page and 'data-column="countries"' in page


def test_item_page_is_a_card(get: Any, sample: Path) -> None:
    page = get(ITEM_PAGE).text
    assert re.search(rf'<h1><a class="article-link" href="{re.escape(LAOS_EN)}">Vietnam and Laos',
                     page)
    assert "harbour-news · English" in page
    assert "The deal deepens press ties between <mark>Vietnam</mark> and <mark>Laos</mark>." in page
    assert "in <mark>Huế</mark> on" in page
    assert f'<a class="event-link" href="/coopwatch/events/{event_id(sample, LAOS_EN)}">' in page
    assert f'<a href="{LAOS_VI}">TTXVN và KPL' in page  # the other report of the same event


def test_event_page_lists_its_reports_in_time_order(get: Any, sample: Path) -> None:
    page = get(f"/coopwatch/events/{event_id(sample, LAOS_EN)}").text
    assert "2 reports from 2 outlets" in page
    assert page.index(LAOS_EN) < page.index(LAOS_VI)
    assert "tin-viet · Vietnamese · 2025-04-15" in page
    assert 'href="/coopwatch/pair_events.atom?a=LA&amp;b=VN"' in page
    assert f'href="/coopwatch/items?event_id={event_id(sample, LAOS_EN)}"' in page
    feed = get("/coopwatch/pair_events.atom?a=LA&b=VN").text
    assert "<entry>" in feed and "TTXVN và KPL" in feed


def test_profiles(get: Any) -> None:
    organisation = get("/-/organisation/VNA").text
    assert "3 items, newest first" in organisation
    assert 'href="/-/organisation/KPL">KPL</a> <span class="n">2 items together' in organisation
    pair = get("/-/pair/VN-LA").text
    assert "<h1>Laos (LA) – Viet Nam (VN)</h1>" in pair
    assert "<th scope=\"row\">2025</th><td>1</td>" in pair  # kinds per year: one agreement


@pytest.mark.parametrize(("query", "expected"), [
    ("Laos", 1), ("Lào", 1), ("Cambodia", 1), ("Hue", 1), ("Huế", 1), ("VOV", 1), ("Peru", 0)])
def test_events_search(get: Any, query: str, expected: int) -> None:
    rows = get(f"/coopwatch/events.json?_search={query}&_shape=array").json()
    assert len(rows) == expected, query


def test_search_shows_why_a_row_matched(get: Any) -> None:
    for query in ("Hue", "Hu%E1%BA%BF"):
        page = get(f"/coopwatch/items?_search={query}").text
        assert "in <mark>Huế</mark> on Monday" in page, query
    events = get("/coopwatch/events?_search=Laos").text
    assert "Laos (LA) is among its parties" in events
    assert "<mark>VTV</mark>" in get("/coopwatch/events?_search=vtv").text


def test_events_search_follows_the_events_table(sample: Path) -> None:
    conn = sqlite3.connect(sample)
    try:
        with conn:
            conn.execute("update events set place = 'Vientiane' where place = 'Huế'")
        find = "select count(*) from events_fts where events_fts match ?"
        assert conn.execute(find, ["Vientiane"]).fetchone() == (1,)
        with conn:
            conn.execute("update events set place = 'Huế' where place = 'Vientiane'")
        assert conn.execute(find, ["Vientiane"]).fetchone() == (0,)
    finally:
        conn.close()


def test_rejected_articles_lead_with_title_reason_source(get: Any) -> None:
    data = get("/coopwatch/rejected_articles.json?_facet=reason").json()
    assert data["columns"][:3] == ["title", "reason", "source"]
    reasons = {v["value"]: v["count"] for v in data["facet_results"]["reason"]["results"]}
    assert reasons == {"only one country: VN": 1, "no media/communication field": 1,
                       "no cooperation in a media/communication field": 1}
    page = get("/coopwatch/rejected_articles").text
    assert 'href="/coopwatch/articles/https~3A~2F~2Fharbour-news~2Eexample~2Fpress-day-speech"' \
           ">the whole text</a>" in page


def test_json_keeps_arrays_and_csv_keeps_cells(get: Any) -> None:
    row = get("/coopwatch/items.json?_shape=array&url=" + LAOS_EN).json()[0]
    assert row["countries"] == ["LA", "VN"] and row["organisations"] == ["KPL", "VNA"]
    assert row["evidence"]["place"].startswith("VNA and KPL signed")
    assert get("/coopwatch/latest_items.json?_shape=array").json()[0]["kinds"] == [
        "training", "exchange"]
    stored = get("/coopwatch/items.json?_shape=array&_json=none&url=" + LAOS_EN).json()[0]
    assert stored["countries"] == '["LA", "VN"]'
    table = list(csv.DictReader(io.StringIO(get("/coopwatch/items.csv?url=" + LAOS_EN).text)))
    assert table[0]["countries"] == '["LA", "VN"]'


def test_database_page_hides_internal_tables(get: Any) -> None:
    page = get("/coopwatch").text
    assert "select * from articles" in page and "select * from _migrations" not in page
    assert 'href="/coopwatch/_migrations"' not in page.split("hidden")[0]


def test_dashboard_counts_events_every_month(get: Any) -> None:
    chart = serve.load_metadata()["plugins"]["datasette-dashboards"]["events"]["charts"]
    sql = re.sub(r"\[\[.*?\]\]", "", chart["per-month"]["query"])
    rows = get("/coopwatch.json?" + urlencode({"_shape": "array", "sql": sql})).json()
    assert rows == [{"month": "2025-02", "events": 1}, {"month": "2025-03", "events": 0},
                    {"month": "2025-04", "events": 1}, {"month": "2025-05", "events": 0},
                    {"month": "2025-06", "events": 2}]
    page = get("/-/dashboards/events?a=VN&b=la").text  # codes choose the menus' countries
    assert '<option value="Viet Nam (VN)" selected>' in page
    assert '<option value="Laos (LA)" selected>' in page


def test_map_has_coordinates_from_the_gazetteer(get: Any) -> None:
    rows = get("/coopwatch/events_map.json?_shape=array").json()
    places = {row["place"]: (round(row["latitude"]), round(row["longitude"])) for row in rows}
    assert places["Hà Nội"] == (21, 106) and places["Seoul"] == (38, 127)
    assert all(row["latitude"] is not None and row["longitude"] is not None for row in rows)


def test_robots_txt(get: Any) -> None:
    assert get("/robots.txt").text.splitlines() == [
        "User-agent: *", "Disallow: /-/", "Disallow: /coopwatch"]


def test_only_web_addresses_become_links() -> None:
    from jobs.cells import render_cell, web_url

    assert web_url("javascript:alert(1)") == "#" and web_url(LAOS_EN) == LAOS_EN
    row = {"url": "javascript:alert(1)", "title": "t"}
    assert render_cell(row, "t", "title", "items", "coopwatch") is None
    assert str(render_cell({"url": LAOS_EN}, "<b>", "title", "items", "coopwatch")) == (
        f'<a class="article-link" href="{LAOS_EN}">&lt;b&gt;</a>')


def test_home_page_opens_when_a_ranking_is_too_slow(get: Any, monkeypatch) -> None:
    from jobs import pages

    async def too_slow(datasette: Any, sql: str) -> None:
        return None

    monkeypatch.setattr(pages, "ranking", too_slow)
    page = get("/").text
    assert "Not counted: it took too long" in page and "Latest items" in page
