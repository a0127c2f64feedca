"""A real browser: headless Chromium opens the items page, searches, follows a facet, gets CSV.

Skipped, with the reason, where Chromium or its driver is not installed (.ci/run installs the
Debian packages chromium and chromium-driver).
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from jobs.models import Article, Item
from jobs.schema import connect
from jobs.store import save_article, transaction

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="headless Chromium not installed (apt-get install chromium chromium-driver)")


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
    from jobs import serve

    db_path = tmp_path / "coopwatch.db"
    db = connect(db_path)
    db["sources"].insert({"name": "demo", "url": "https://news.example/feed"})
    with transaction(db):
        add_item(db, 1, "Hội thảo báo chí Việt Nam – Lào tại Huế", ["LA", "VN"],
                 "Hai bộ ký biên bản ghi nhớ về thông tin đối ngoại.", "Huế")
        add_item(db, 2, "VTV and CMG to co-produce programmes", ["CN", "VN"],
                 "The broadcasters will exchange content.", "Hà Nội")
    db.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = serve.make_server(serve.make_datasette(db_path), "127.0.0.1", port)
    thread = threading.Thread(target=serve.run_server, args=(server,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base, tmp_path
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path: Path):
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path)})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


def test_search_facet_and_csv_in_a_browser(served, browser):
    from selenium.webdriver.common.by import By

    base, _ = served
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
