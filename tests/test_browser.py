"""A real browser: headless Chromium opens the items page, searches, follows a facet, gets CSV.

Skipped, with the reason, where Chromium or its driver is not installed (.ci/run installs the
Debian packages chromium and chromium-driver).
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from jobs.models import Article, Item
from jobs.schema import connect
from jobs.store import save_article, transaction
from tests.live import chromium, datasette_server, needs_chromium

pytestmark = needs_chromium


def add_item(db, n: int, title: str, countries: list[str], summary: str, place: str) -> None:
    url = f"https://news.example/{n}"
    article = Article(url=url, source="demo", title=title, text=summary, published="2025-04-15")
    item = Item(url=url, source="demo", title=title, published="2025-04-15",
                event_date="2025-04-14", place=place, countries=tuple(countries),
                organisations=("VTV",), kinds=("agreement",), topics=(), summary=summary,
                evidence={}, score=1.0, classifier="test")
    save_article(db, article, link=url, now="2025-04-15T00:00:00+00:00", verdict=item)


@pytest.fixture
def served(tmp_path: Path):
    db_path = tmp_path / "coopwatch.db"
    db = connect(db_path)
    db["sources"].insert({"name": "demo", "url": "https://news.example/feed"})
    with transaction(db):
        add_item(db, 1, "Hội thảo báo chí Việt Nam – Lào tại Huế", ["LA", "VN"],
                 "Hai bộ ký biên bản ghi nhớ về thông tin đối ngoại.", "Huế")
        add_item(db, 2, "VTV and CMG to co-produce programmes", ["CN", "VN"],
                 "The broadcasters will exchange content.", "Hà Nội")
    db.close()
    with datasette_server(db_path) as base:
        yield base


@pytest.fixture
def browser(tmp_path: Path):
    with chromium(tmp_path / "profile") as driver:
        yield driver


def test_search_facet_and_csv_in_a_browser(served, browser):
    from selenium.webdriver.common.by import By

    base = served
    browser.get(f"{base}/coopwatch/items")
    assert "items" in browser.title.lower()
    assert "VTV and CMG to co-produce programmes" in browser.page_source

    box = browser.find_element(By.CSS_SELECTOR, "input[name=_search]")
    box.send_keys("Hue")  # no diacritics: still finds Huế
    box.submit()
    assert "_search=Hue" in browser.current_url
    assert "Hội thảo báo chí Việt Nam – Lào tại Huế" in browser.page_source
    assert "VTV and CMG" not in browser.page_source

    browser.get(f"{base}/coopwatch/items")
    facet = browser.find_element(By.CSS_SELECTOR, "a[href*='countries__arraycontains=LA']")
    facet.click()
    assert "countries__arraycontains=LA" in browser.current_url
    assert "VTV and CMG" not in browser.page_source

    csv_link = browser.find_element(By.PARTIAL_LINK_TEXT, "CSV")
    href = csv_link.get_attribute("href")
    with urllib.request.urlopen(href, timeout=5) as response:
        lines = response.read().decode().splitlines()
    assert lines[0].startswith("url,") and len(lines) == 2
    assert json.loads(urllib.request.urlopen(
        f"{base}/coopwatch/items.json?_shape=array", timeout=5).read())
