"""Patterns that match what users mean, a listing that keeps nothing failing loudly, and
``coopwatch try``: a dry run that writes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from click.testing import CliRunner
from werkzeug import Response

from jobs.cli import main
from jobs.config import load_config
from jobs.pipeline import Sync, default_classifier
from tests.conftest import SEEDS, Site, write_config

SEED_TITLE = "Việt Nam, China national broadcasters to jointly produce programmes"
METADATA = Path(__file__).resolve().parent.parent / "jobs" / "metadata.yml"


def news_agency(site: Site) -> None:
    """A listing in the style of an ASP.NET news agency: lower-case links with an id."""
    listing = (
        "<html><body><header><a href='/en/'>Home</a></header><main>"
        "<h2><a href='/en/detail.aspx?id=101'>Broadcasters to produce programmes</a></h2>"
        "<a href='/en/news.aspx?cat=10&page=2'>More news</a>"
        "</main></body></html>"
    )
    site.extra["/en/news.aspx"] = Response(listing, content_type="text/html; charset=utf-8")
    page = (SEEDS / "vtv-cmg-2025-04-14.html").read_bytes()
    site.extra["/en/detail.aspx"] = Response(page, content_type="text/html; charset=utf-8")


def agency_config(tmp_path: Path, site: Site, include: str, extra: str = "") -> Path:
    return write_config(tmp_path, (
        f"  - name: agency\n    url: {site.url('/en/news.aspx?cat=10')}\n    kind: html\n"
        f"    include: ['{include}']\n    country: LA\n{extra}"))


def sync(config_path: Path, db) -> list:
    config = load_config(config_path)
    return Sync(db, classifier=default_classifier(config.scope)).run(config.enabled(), workers=1)


def test_an_include_pattern_in_another_case_still_matches(tmp_path, site, db):
    news_agency(site)
    # Written as the site once capitalised it; its links are lower-case now.
    [result] = sync(agency_config(tmp_path, site, r"Detail\.aspx\?id=\d+"), db)
    assert (result.status, result.entries, result.new_articles) == ("ok", 1, 1)
    [row] = db.execute("select link, title from articles").fetchall()
    assert row == (site.url("/en/detail.aspx?id=101"), SEED_TITLE)


def test_a_pattern_that_keeps_nothing_is_an_error_with_its_reason(tmp_path, site, db):
    news_agency(site)
    config = agency_config(tmp_path, site, r"Detail\.aspx\?id=\d+", "    case_sensitive: true\n")
    [result] = sync(config, db)
    assert result.status == "error" and result.new_articles == 0
    assert "the listing links to 3 pages of its site (1 look like articles" in result.error
    assert r"include pattern 'Detail\.aspx\?id=\d+' keeps none" in result.error
    assert site.url("/en/detail.aspx?id=101") in result.error  # an example to fit it to
    run = db.execute("select status, error from runs").fetchone()
    assert run == ("error", result.error)
    [last_error] = db.execute("select last_error from sources").fetchone()
    assert "keeps none" in last_error
    assert not site.requests_for("/en/detail.aspx")


def test_source_health_shows_the_sources_that_never_yielded_an_article(tmp_path, site, db):
    news_agency(site)
    write_config(tmp_path, (
        f"  - name: agency\n    url: {site.url('/en/news.aspx?cat=10')}\n    kind: html\n"
        "    include: ['/en/detail']\n"
        f"  - name: empty-feed\n    url: {site.url('/rss.xml')}\n    exclude: ['.']\n"
        f"  - name: typo\n    url: {site.url('/en/news.aspx?cat=10')}\n    kind: html\n"
        "    include: ['/en/detial']\n"))
    sync(tmp_path / "sources.yaml", db)
    query = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    sql = query["databases"]["coopwatch"]["queries"]["source_health"]["sql"]
    rows = [dict(zip(("source", "first_article"), (r["source"], r["first_article"]), strict=True))
            for r in db.query(sql)]
    assert [r["source"] for r in rows] == ["typo", "agency", "empty-feed"]
    assert rows[0]["first_article"] is None  # failing, and never yielded an article
    assert rows[1]["first_article"] is not None


def test_check_warns_about_an_html_listing_with_no_include(tmp_path):
    config = write_config(tmp_path, "  - name: portal\n    url: https://portal.example/\n"
                                    "    kind: html\n")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 0
    assert "portal: an html listing with no include pattern" in result.stderr
    assert "coopwatch try --source portal" in result.stderr


def test_check_refuses_a_global_case_flag_and_says_what_to_write(tmp_path):
    config = write_config(tmp_path, "  - name: agency\n    url: https://a.example/\n"
                                    "    include: ['(?-i)Detail']\n")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2 and "case_sensitive: true" in result.stderr


def files_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_try_shows_what_sync_would_fetch_and_writes_nothing(tmp_path, site, db, db_path):
    news_agency(site)
    config = agency_config(tmp_path, site, r"Detail\.aspx\?id=\d+")
    db.close()
    before = files_digest(db_path.parent)
    result = CliRunner().invoke(main, ["try", "--source", "agency", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert files_digest(db_path.parent) == before  # the database, byte for byte, and no lock
    out = result.output
    assert "listing   HTTP 200, html (as configured)" in out
    assert r"3 links to pages of this site; include 'Detail\.aspx\?id=\d+' keeps 1" in out
    assert f"kept:\n  {site.url('/en/detail.aspx?id=101')}\n" in out
    assert f"not kept:\n  {site.url('/en/')}\n  {site.url('/en/news.aspx?cat=10&page=2')}\n" in out
    assert f"  title      {SEED_TITLE}" in out
    assert "  published  2025-04-15 (from metadata)" in out and "  language   en" in out
    assert "  decision   item" in out and "  countries      CN, VN" in out
    assert "  organisations  CMG, VTV" in out


def test_try_a_url_not_in_the_file_with_a_pattern_that_keeps_none(tmp_path, site):
    news_agency(site)
    result = CliRunner().invoke(main, [
        "try", site.url("/en/news.aspx?cat=10"), "--include", r"/node/\d+$",
        "--allow-private-network", "--config", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "listing   HTTP 200, html (detected)" in result.output
    assert "problem   " in result.output and "keeps none of them" in result.output
    assert not site.requests_for("/en/detail.aspx")


def test_try_a_feed_shows_its_entries_and_one_article(tmp_path, site):
    result = CliRunner().invoke(main, [
        "try", site.url("/rss.xml"), "--allow-private-network", "--country", "VN",
        "--config", str(tmp_path / "none.yaml")])
    assert result.exit_code == 0, result.output
    assert "listing   HTTP 200, rss" in result.output
    assert "(include/exclude apply to html listings only)" in result.output
    assert f"articles:\n  {site.url('/society/vtv-cmg-jointly-produce-programmes.html')}" in \
        result.output
    assert "article   " in result.output and "  decision   " in result.output


def test_try_needs_a_url_or_a_source(tmp_path):
    result = CliRunner().invoke(main, ["try", "--config", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "give a URL or --source NAME" in result.output
    bad = CliRunner().invoke(main, ["try", "https://a.example/", "--include", "(unclosed",
                                    "--config", str(tmp_path / "none.yaml")])
    assert bad.exit_code == 2 and "include: bad regex" in bad.output


SHIPPED = Path(__file__).resolve().parent.parent / "sources.yaml"
DOUBTFUL = ("en.vietnamplus.vn/rss/politics.rss", "en.vietnamplus.vn/rss/world.rss",
            "vnanet.vn/en/rss/politics.rss", "english.news.cn/rss/worldrss.xml",
            "cgtn.com/subscribe/rss/section/world.xml", "en.people.cn/rss/China.xml",
            "en.nhandan.vn/rss/home\n")


def test_every_shipped_source_says_where_its_url_shape_was_seen():
    text = SHIPPED.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "- name:" in block:
            assert any(line.strip().startswith("#") for line in block.splitlines()), block
    assert not [url for url in DOUBTFUL if url in text]
    config = load_config(SHIPPED)
    assert all(s.include for s in config.sources if s.kind == "html")  # check has no warning
