"""The sync pipeline end to end, against the loopback site."""

from __future__ import annotations

import json

import pytest

from jobs.config import load_config
from jobs.fetch import Fetcher
from jobs.pipeline import Sync
from jobs.schema import connect
from tests.conftest import write_config

ALL_SOURCES = """\
  - name: rss
    url: {base}/rss.xml
  - name: atom
    url: {base}/atom.xml
    language: vi
  - name: sitemap
    url: {base}/sitemap.xml
  - name: listing
    url: {base}/politics
  - name: broken
    url: {base}/malformed.xml
  - name: missing
    url: {base}/missing.xml
"""


def sync_once(db, config_path, names=()):
    config = load_config(config_path)
    return {r.source: r for r in Sync(db, Fetcher()).run(config.enabled(names))}


def table(db, name, order="rowid"):
    return [dict(row) for row in db[name].rows_where(order_by=order)]


def test_first_sync_stores_every_article_once(site, db, tmp_path):
    config = write_config(tmp_path, ALL_SOURCES.format(base=site.base))
    results = sync_once(db, config)

    assert {name: r.status for name, r in results.items()} == {
        "rss": "ok", "atom": "ok", "sitemap": "ok", "listing": "ok",
        "broken": "error", "missing": "error",
    }
    assert results["rss"].entries == 3
    assert sum(r.new_articles for r in results.values()) == 5
    assert results["listing"].entries == 1  # one article link among menus, pager and footer
    assert results["missing"].http_status == 404
    assert "not a readable feed" in results["broken"].error
    urls = sorted(row["url"] for row in table(db, "articles"))
    assert urls == sorted(site.url(p) for p in (
        "/society/vtv-cmg-jointly-produce-programmes.html",
        "/news/vietnam-laos-media-cooperation-prospects.html",
        "/society/city-opens-new-flower-market.html",
        "/tin-tuc/bao-chi-viet-nam-lao-tang-cuong-hop-tac.html",
        "/tin-tuc/trang-khong-co-charset.html",
    ))
    # each page was fetched once, though three listings link to some of them
    assert len(site.requests_for("/society/vtv-cmg-jointly-produce-programmes.html")) == 1


def test_article_row_from_seed_page(site, db, tmp_path):
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    sync_once(db, config)
    row = db["articles"].get(site.url("/society/vtv-cmg-jointly-produce-programmes.html"))
    assert row["source"] == "rss"
    assert row["title"] == "Việt Nam, China national broadcasters to jointly produce programmes"
    assert row["published"] == "2025-04-15"
    assert row["language"] == "en"
    assert "Việt Nam National Television (VTV) and China Media Group (CMG) will" in row["text"]
    assert "Log in" not in row["text"] and "Subscribe" not in row["text"]
    assert row["link"] == row["url"]  # utm_ parameters dropped before anything else
    assert row["first_seen"] == row["fetched"]


def test_encodings_come_out_right(site, db, tmp_path):
    config = write_config(tmp_path, f"  - name: atom\n    url: {site.base}/atom.xml\n")
    sync_once(db, config)
    legacy = db["articles"].get(site.url("/tin-tuc/bao-chi-viet-nam-lao-tang-cuong-hop-tac.html"))
    plain = db["articles"].get(site.url("/tin-tuc/trang-khong-co-charset.html"))
    for row in (legacy, plain):
        assert "Việt Nam" in row["text"]
        assert row["text"] == __import__("unicodedata").normalize("NFC", row["text"])
    assert legacy["title"] == "Báo chí Việt Nam – Lào tăng cường hợp tác"
    assert "Thông tấn xã Việt Nam" in legacy["text"]


def test_second_sync_is_one_conditional_request_per_source(site, db, tmp_path):
    config = write_config(tmp_path, ALL_SOURCES.format(base=site.base))
    sync_once(db, config)
    before = {name: table(db, name) for name in ("sources", "articles", "items")}
    site.server.log.clear()

    results = sync_once(db, config)

    ok_sources = ("rss", "atom", "sitemap", "listing")
    assert all(results[name].status == "not_modified" for name in ok_sources)
    listing_paths = ["/rss.xml", "/atom.xml", "/sitemap.xml", "/politics"]
    fetched = [p for p in site.paths() if p != "/robots.txt"]
    assert sorted(fetched) == sorted([*listing_paths, "/malformed.xml", "/missing.xml"])
    for path in listing_paths:
        assert site.requests_for(path)[0].headers.get("If-None-Match")
    after = {name: table(db, name) for name in ("sources", "articles", "items")}
    assert after["articles"] == before["articles"] and after["items"] == before["items"]
    strip = ("last_checked", "last_ok", "last_error", "consecutive_failures")
    assert [{k: v for k, v in r.items() if k not in strip} for r in after["sources"]] == \
        [{k: v for k, v in r.items() if k not in strip} for r in before["sources"]]
    assert db["runs"].count == 12


def test_failures_are_recorded_and_counted(site, db, tmp_path):
    config = write_config(tmp_path, ALL_SOURCES.format(base=site.base))
    sync_once(db, config)
    sync_once(db, config)
    missing = db["sources"].get("missing")
    assert missing["consecutive_failures"] == 2
    assert "HTTP 404" in missing["last_error"]
    assert db["sources"].get("rss")["consecutive_failures"] == 0
    runs = table(db, "runs")
    assert {r["status"] for r in runs if r["source"] == "missing"} == {"error"}
    assert all(r["finished"] >= r["started"] for r in runs)


def test_slow_source_times_out_and_others_go_on(site, db, tmp_path):
    sources = f"""\
  - name: slow
    url: {site.base}/slow.xml
    timeout: 0.5
  - name: rss
    url: {site.base}/rss.xml
"""
    results = sync_once(db, write_config(tmp_path, sources))
    assert results["slow"].status == "error"
    assert "0.5 s" in results["slow"].error or "timed out" in results["slow"].error
    assert results["rss"].status == "ok" and results["rss"].new_articles == 3


def test_oversized_body_is_capped(site, db, tmp_path):
    from werkzeug import Response

    site.extra["/huge.xml"] = Response(b"<rss>" + b" " * 200_000 + b"</rss>",
                                       content_type="application/rss+xml")
    sources = f"  - name: huge\n    url: {site.base}/huge.xml\n    max_bytes: 100KB\n"
    result = sync_once(db, write_config(tmp_path, sources))["huge"]
    assert result.status == "error" and "max_bytes" in result.error


def test_robots_txt_is_honoured(site, db, tmp_path):
    from werkzeug import Response

    site.extra["/private/feed.xml"] = Response("<rss/>", content_type="application/rss+xml")
    sources = f"  - name: private\n    url: {site.base}/private/feed.xml\n"
    result = sync_once(db, write_config(tmp_path, sources))["private"]
    assert result.status == "error" and "robots.txt" in result.error
    assert not site.requests_for("/private/feed.xml")


def test_rate_limit_is_recorded_not_slept_on(site, db, tmp_path):
    from werkzeug import Response

    site.extra["/busy.xml"] = Response("busy", status=429, headers={"Retry-After": "3600"})
    config = write_config(tmp_path, f"  - name: busy\n    url: {site.base}/busy.xml\n")
    result = sync_once(db, config)["busy"]
    assert result.status == "error" and result.http_status == 429
    next_check = db["sources"].get("busy")["next_check"]
    assert next_check is not None
    # the next pass respects it: no request at all
    site.server.log.clear()
    assert sync_once(db, config)["busy"].status == "skipped"
    assert not site.requests_for("/busy.xml")


def test_include_and_exclude_narrow_a_listing(site, db, tmp_path):
    sources = f"""\
  - name: listing
    url: {site.base}/politics
    include: ['/(society|opinion)/']
    exclude: ['opinion']
"""
    result = sync_once(db, write_config(tmp_path, sources))["listing"]
    assert result.entries == 1


def test_cap_on_entries_leaves_the_rest_for_next_pass(site, db, tmp_path):
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n"
                                    "    max_entries: 2\n")
    first = sync_once(db, config)["rss"]
    assert first.new_articles == 2 and "max_entries" in first.error
    assert db["sources"].get("rss")["etag"] is None  # not saved: the listing is not done
    second = sync_once(db, config)["rss"]
    assert second.status == "ok" and second.new_articles == 1
    assert db["sources"].get("rss")["etag"]
    assert sync_once(db, config)["rss"].status == "not_modified"


def test_sync_is_idempotent_when_validators_are_lost(site, db, tmp_path):
    config = write_config(tmp_path, ALL_SOURCES.format(base=site.base))
    sync_once(db, config)
    articles = table(db, "articles")
    db.execute("update sources set etag = null, last_modified = null")
    site.server.log.clear()
    sync_once(db, config)
    assert table(db, "articles") == articles
    assert not [p for p in site.paths() if p.endswith(".html")]  # stored URLs are not refetched


def test_full_text_search_keeps_diacritics_meaningful(site, db, tmp_path):
    config = write_config(tmp_path, f"  - name: atom\n    url: {site.base}/atom.xml\n")
    sync_once(db, config)

    def search(query):
        return db.execute("select count(*) from articles_fts where articles_fts match ?",
                          [json.dumps(query, ensure_ascii=False)]).fetchone()[0]

    assert search("hợp tác") == 1
    assert search("hop tac") == 1  # typed without diacritics: the folded column
    assert search("hợp tặc") == 0  # a different word stays different


@pytest.mark.parametrize("broken", ["", "   \n", "<html><body>nothing here</body></html>"])
def test_empty_or_linkless_listing(site, db, tmp_path, broken):
    from werkzeug import Response

    site.extra["/odd"] = Response(broken, content_type="text/html")
    result = sync_once(db, write_config(tmp_path, f"  - name: odd\n    url: {site.base}/odd\n"))
    if broken.strip():
        assert result["odd"].status == "ok" and result["odd"].entries == 0
    else:
        assert result["odd"].status == "error" and "empty" in result["odd"].error


def test_unusable_database_is_a_clear_error(tmp_path):
    from jobs.errors import DatabaseError

    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match=r"not-a-db\.db"):
        connect(bad)


def test_a_long_lived_sync_retries_a_page_that_failed(site, db, tmp_path):
    from werkzeug import Response

    page = "/society/city-opens-new-flower-market.html"
    site.extra[page] = Response("down", status=500)
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    sync = Sync(db, Fetcher())  # one Sync for several passes, as the service keeps it
    source = load_config(config).sources[0]
    assert sync.sync_source(source).new_articles == 2
    del site.extra[page]
    again = sync.sync_source(source)
    assert again.new_articles == 1 and again.error is None
    assert sync.claimed == set()


def test_a_classifier_bug_on_one_page_is_recorded_not_fatal(site, db, tmp_path):
    def flaky(article, country):
        if "flower" in article.url:
            raise RuntimeError("boom")
        return Rejection(article.url, "not an item", "test")

    from jobs.models import Rejection

    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    result = Sync(db, Fetcher(), classifier=flaky).sync_source(load_config(config).sources[0])
    assert result.status == "ok" and result.new_articles == 3
    flower = db["articles"].get(site.url("/society/city-opens-new-flower-market.html"))
    assert flower["decision"] == "rejected"
    assert flower["reason"] == "classifier error: RuntimeError: boom"


def test_a_new_url_for_a_source_forgets_its_validators(site, db, tmp_path):
    first = write_config(tmp_path, f"  - name: news\n    url: {site.base}/rss.xml\n")
    sync_once(db, first)
    assert db["sources"].get("news")["etag"]
    moved = write_config(tmp_path, f"  - name: news\n    url: {site.base}/atom.xml\n")
    site.server.log.clear()
    result = sync_once(db, moved)["news"]
    assert result.status == "ok" and result.entries == 2
    assert not site.requests_for("/atom.xml")[0].headers.get("If-None-Match")
