"""A real browser: headless Chromium opens the items page, searches, follows a facet, gets CSV;
and visits every page an analyst reads, saving a screenshot of each in build/screenshots/.

Skipped, with the reason, where Chromium or its driver is not installed (.ci/run installs the
Debian packages chromium and chromium-driver).
"""

from __future__ import annotations

import json
import sqlite3
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


# Every page an analyst meets, in a 1400 px wide window, with a screenshot of each saved to
# build/screenshots/ (git-ignored) to be looked at.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
LAOS_EN = "https://harbour-news.example/laos-press-1"


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory):
    from tests.sample_db import build

    path = build(tmp_path_factory.mktemp("sample") / "coopwatch.db")
    with datasette_server(path) as base:
        yield base, path


@pytest.fixture(scope="module")
def wide_browser(tmp_path_factory: pytest.TempPathFactory):
    with chromium(tmp_path_factory.mktemp("profile")) as driver:
        driver.set_window_size(1400, 1000)
        yield driver


def visit(browser, url: str, name: str, wait_for: str | None = None):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    if wait_for:
        WebDriverWait(browser, 15).until(
            seen.presence_of_element_located((By.CSS_SELECTOR, wait_for)))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    cells = [td.text for td in browser.find_elements(By.TAG_NAME, "td")]
    assert not [c for c in cells if '["' in c or "{\"" in c], (name, cells)
    assert '["' not in browser.find_element(By.TAG_NAME, "body").text, name  # nowhere on the page
    return browser


def hrefs(browser, selector: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, selector)]


def test_the_pages_an_analyst_reads(sample_site, wide_browser):
    from selenium.webdriver.common.by import By

    base, path = sample_site
    with sqlite3.connect(path) as conn:
        event = conn.execute("select event_id from items where url = ?", [LAOS_EN]).fetchone()[0]
    b = wide_browser

    visit(b, f"{base}/", "home")
    assert LAOS_EN in hrefs(b, "a.article-link")
    assert "Laos (LA) – Viet Nam (VN)" in b.find_element(By.TAG_NAME, "body").text

    visit(b, f"{base}/coopwatch/items", "items")
    first_row = b.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert first_row.location["y"] < 900  # visible without scrolling past a glossary
    assert LAOS_EN in hrefs(b, "td a.article-link")
    assert "Viet Nam (VN)" in [a.text for a in b.find_elements(By.CSS_SELECTOR, "a.chip")]
    assert not b.find_element(By.CSS_SELECTOR, "details.about-table").get_attribute("open")

    visit(b, f"{base}/coopwatch/items/{LAOS_EN.replace('/', '~2F')}", "item")
    assert b.find_element(By.CSS_SELECTOR, "h1 a").get_attribute("href") == LAOS_EN
    marked = [m.text for m in b.find_elements(By.CSS_SELECTOR, "dl.evidence mark")]
    assert {"Vietnam", "Laos", "Huế", "Monday"} <= set(marked)
    assert hrefs(b, "a.event-link") == [f"{base}/coopwatch/events/{event}"]

    visit(b, f"{base}/coopwatch/events/{event}", "event")
    reports = b.find_elements(By.CSS_SELECTOR, "ol.reports li")
    assert [r.text.split("\n")[1].split(" · ")[0] for r in reports] == ["harbour-news", "tin-viet"]

    visit(b, f"{base}/-/organisation/VNA", "organisation")
    assert "KPL" in [a.text for a in b.find_elements(By.CSS_SELECTOR, "ol.ranked a")]
    visit(b, f"{base}/-/pair/VN-LA", "pair")
    assert b.find_element(By.TAG_NAME, "h1").text == "Laos (LA) – Viet Nam (VN)"

    for name, query in (("search-without-diacritics", "Hue"), ("search-with-diacritics", "Huế")):
        visit(b, f"{base}/coopwatch/items?_search={query}", name)
        assert "Huế" in [m.text for m in b.find_elements(By.CSS_SELECTOR, "td .why mark")]
    visit(b, f"{base}/coopwatch/events?_search=Laos", "events-search")
    assert len(b.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")) == 1

    visit(b, f"{base}/coopwatch/rejected_articles", "rejected")
    headers = [th.get_attribute("data-column") for th in b.find_elements(By.TAG_NAME, "th")]
    assert headers[:3] == ["title", "reason", "source"]

    visit(b, f"{base}/coopwatch/events_map", "map", wait_for=".leaflet-marker-icon")
    assert len(b.find_elements(By.CSS_SELECTOR, ".leaflet-marker-icon")) >= 1

    visit(b, f"{base}/-/dashboards/events", "dashboard",
          wait_for=".vega-embed svg, .vega-embed canvas")
    visit(b, f"{base}/coopwatch", "database")
