"""Linking items into events: the pure linking on recorded reports, the events table kept
incrementally and rebuilt from scratch, and what Datasette shows of it (tables, canned queries,
the Atom feed, the dashboard of charts; the chart itself in headless Chromium where installed).

``fixtures/events/reports.json`` holds reports as the classifier stores them, each labelled with
the real-world event it reports: the same event told 2-4 times by different outlets in English
and Vietnamese, and near misses that must stay apart (see its ``about``).
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from jobs import events, serve
from jobs.events import link as eventlink
from jobs.models import Article, Item, Source
from jobs.schema import connect
from jobs.store import delete_item, ensure_source, save_article, save_item, transaction
from tests.live import chromium, datasette_server, needs_chromium
from tests.test_serve import ATOM, Client

FIXTURE = Path(__file__).parent / "fixtures" / "events" / "reports.json"
REPORTS: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["reports"]
BY_URL = {report["url"]: report for report in REPORTS}

VTV_CMG = [r["url"] for r in REPORTS if r["event"] == "vtv-cmg-2025-04-14"]
VN_LA_EVENTS = sorted({r["event"] for r in REPORTS if r["countries"] == ["LA", "VN"]})


def to_item(report: dict[str, Any], **changes: Any) -> Item:
    report = {**report, **changes}
    arrays = {key: tuple(report[key]) for key in eventlink.ARRAYS}
    fields = ("url", "source", "title", "published", "event_date", "place", "summary", "score")
    return Item(**{key: report[key] for key in fields}, **arrays, evidence={},
                classifier="test", event_date_basis=report.get("event_date_basis"),
                event_day=report.get("event_day"))


def save(db: sqlite_utils.Database, report: dict[str, Any]) -> Item:
    """Store the report's article and item as the pipeline does."""
    ensure_source(db, Source(report["source"], f"https://{report['source']}.example/rss"))
    item = to_item(report)
    article = Article(url=report["url"], source=report["source"], title=report["title"],
                      text=report["summary"], published=report["published"],
                      language=report["language"])
    save_article(db, article, link=report["url"], now=report["first_seen"], verdict=item)
    return item


def arrival(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(reports, key=lambda r: (r["first_seen"], r["url"]))


def link_all(db: sqlite_utils.Database, reports: list[dict[str, Any]] = REPORTS) -> None:
    """Save each report and link it, one at a time in arrival order, as ``sync`` does."""
    for report in arrival(reports):
        with transaction(db):
            events.assign_event(db, save(db, report))


def partition(assigned: dict[str, Any]) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = {}
    for url, key in assigned.items():
        groups.setdefault(key, set()).add(url)
    return {frozenset(group) for group in groups.values()}


GOLD = partition({r["url"]: r["event"] for r in REPORTS})


def stored_partition(db: sqlite_utils.Database) -> set[frozenset[str]]:
    return partition(dict(db.execute("select url, event_id from items").fetchall()))


def snapshot(db: sqlite_utils.Database) -> tuple[list[dict], list[tuple]]:
    rows = list(db["events"].rows_where(order_by="id"))
    return rows, db.execute("select url, event_id from items order by url").fetchall()


def event_of(db: sqlite_utils.Database, url: str) -> str:
    return db.execute("select event_id from items where url = ?", [url]).fetchone()[0]


# Pure: similarity of two reports


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://vietnamnews.vn/society/vtv-cmg-jointly-produce-programmes.html",
         "https://vtv.vn/xa-hoi/vtv-va-cmg-ky-thoa-thuan-hop-tac-2025-2026.htm"),
        ("https://news.cgtn.com/news/2025-04-14/cmg-vietnam-television-sign-cooperation-agreement.html",
         "https://www.vietnamplus.vn/dai-truyen-hinh-viet-nam-trung-quoc-hop-tac-phim-tai-lieu.vnp"),
        ("https://kpl.gov.la/En/detail.aspx?id=78123",
         "https://nhandan.vn/hoi-thao-hop-tac-bao-chi-truyen-thong-viet-nam-lao.html"),
        ("https://english.news.cn/20231212/xinhua-vna-agreement/c.html",
         "https://baotintuc.vn/thoi-su/ttxvn-va-tan-hoa-xa-ky-thoa-thuan-trao-doi-tin.htm"),
        ("https://en.yna.co.kr/view/AEN20241105000300315",
         "https://baotintuc.vn/thoi-su/ttxvn-yonhap-gia-han-hop-tac.htm"),  # dates a day apart
    ],
)
def test_english_and_vietnamese_reports_of_one_event_link(a: str, b: str) -> None:
    assert BY_URL[a]["language"] != BY_URL[b]["language"]
    assert eventlink.similarity(to_item(BY_URL[a]), to_item(BY_URL[b])) >= eventlink.LINK_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("https://vietnamnews.vn/society/vtv-cmg-jointly-produce-programmes.html",
         "https://news.cgtn.com/news/2025-04-21/young-vietnamese-reporters-begin-exchange-at-cmg.html",
         "same partners a week apart"),
        ("https://en.vnanet.vn/vna-xinhua-sign-news-exchange-agreement-2001.html",
         "https://www.akp.gov.kh/post/detail/290011",
         "same day, different partners"),
        ("https://en.vnanet.vn/vna-xinhua-sign-news-exchange-agreement-2001.html",
         "http://en.people.cn/n3/2023/1213/c90000-people-s-daily-nhan-dan-cooperation.html",
         "same day, partners and city; other organisations"),
        ("https://kpl.gov.la/En/detail.aspx?id=82001",
         "https://vietnamnet.vn/en/vietnam-laos-boost-telecom-digital-transformation-cooperation.html",
         "same day, partners and city; another field"),
        ("https://kpl.gov.la/En/detail.aspx?id=82001",
         "https://en.vnanet.vn/vna-kpl-photo-exhibition-hanoi-6001.html",
         "same organisations three days later in another city"),
    ],
)
def test_near_misses_stay_apart(a: str, b: str, why: str) -> None:
    assert BY_URL[a]["event"] != BY_URL[b]["event"]
    score = eventlink.similarity(to_item(BY_URL[a]), to_item(BY_URL[b]))
    assert score < eventlink.LINK_THRESHOLD, why


def test_dates_and_partners_are_hard_gates() -> None:
    vtv = to_item(BY_URL[VTV_CMG[0]])
    assert eventlink.similarity(vtv, to_item(BY_URL[VTV_CMG[0]], event_date="2025-04-21",
                                           url="https://x.example/1")) == 0.0
    assert eventlink.similarity(vtv, to_item(BY_URL[VTV_CMG[0]], countries=("KH", "VN"),
                                           url="https://x.example/2")) == 0.0


def test_language_independent_signals() -> None:
    assert eventlink.canonical_organisation("TTXVN") == "VNA"
    assert eventlink.canonical_organisation("Tân Hoa xã") == "Xinhua"
    assert eventlink.canonical_place("Thua Thien Hue") == "Huế"
    assert eventlink.canonical_place("Viêng Chăn") == "Vientiane"
    assert eventlink.canonical_place("  ") is None
    english = eventlink.text_signature("VTV and CMG sign agreement to co-produce documentaries")
    vietnamese = eventlink.text_signature("VTV và CMG ký thỏa thuận hợp tác sản xuất phim tài liệu")
    assert english & vietnamese == {"o:VTV", "o:CMG", "c:sign", "c:agreement", "c:coproduce",
                                    "c:documentary"}
    assert "c:news" not in eventlink.text_signature("Thông tin đối ngoại")  # thông tin is not tin
    assert "w:nguyen" in eventlink.text_signature("Bộ trưởng Nguyễn Mạnh Hùng hội đàm")


# Pure: link and cluster


def test_link_starts_joins_and_merges() -> None:
    first, second, third, fourth = (to_item(BY_URL[url]) for url in VTV_CMG)
    assert eventlink.link(first, []) == eventlink.Decision(None)
    other = eventlink.Candidate("e-other", (to_item(BY_URL[REPORTS[-1]["url"]]),))
    assert eventlink.link(first, [other]).event_id is None
    decision = eventlink.link(first, [eventlink.Candidate("e-b", (third,)),
                                   eventlink.Candidate("e-a", (second, fourth)), other])
    assert (decision.event_id, decision.merge) == ("e-b", ("e-a",))
    assert decision.score == pytest.approx(eventlink.similarity(first, third), abs=1e-4)


def test_link_does_not_merge_two_events_a_round_up_bridges() -> None:
    """A report naming both of a summit's signings links both, but they stay two events."""
    xinhua = [to_item(r) for r in REPORTS if r["event"] == "vna-xinhua-2023-12-12"]
    papers = [to_item(r) for r in REPORTS if r["event"] == "nhandan-peoplesdaily-2023-12-12"]
    roundup = to_item(BY_URL[xinhua[0].url], url="https://x.example/roundup",
                      organisations=("Nhân Dân", "People's Daily", "VNA", "Xinhua"))
    decision = eventlink.link(roundup, [eventlink.Candidate("a", tuple(xinhua)),
                                     eventlink.Candidate("b", tuple(papers))])
    assert decision.event_id == "a"
    assert decision.merge == ()


def pairwise(assigned: dict[str, Any], bilingual: bool) -> tuple[float, float]:
    hits = linked = same = 0
    for a, b in combinations(REPORTS, 2):
        if bilingual and {a["language"], b["language"]} != {"en", "vi"}:
            continue
        together = assigned[a["url"]] == assigned[b["url"]]
        truth = a["event"] == b["event"]
        hits, linked, same = hits + (together and truth), linked + together, same + truth
    return hits / linked, hits / same


def test_cluster_finds_every_event_of_the_fixtures() -> None:
    reports = [eventlink.Report(to_item(r), r["first_seen"]) for r in REPORTS]
    clusters = eventlink.cluster(reports)
    assigned = {report.item.url: n for n, members in enumerate(clusters) for report in members}
    assert partition(assigned) == GOLD
    for bilingual in (False, True):
        precision, recall = pairwise(assigned, bilingual)
        assert precision >= 0.9 and recall >= 0.9
    assert eventlink.cluster(list(reversed(reports))) == clusters  # the order given does not matter


def test_event_row_summarises_its_reports() -> None:
    reports = [eventlink.Report(to_item(BY_URL[url]), BY_URL[url]["first_seen"]) for url in VTV_CMG]
    assert eventlink.event_row("e1", reports) == {
        "id": "e1",
        "title": "Viet Nam, China national broadcasters to jointly produce programmes",
        "url": "https://vietnamnews.vn/society/vtv-cmg-jointly-produce-programmes.html",
        "event_date": "2025-04-14",
        "place": "Hà Nội",
        "countries": '["CN", "VN"]',
        "organisations": '["CMG", "Ministry of Information and Communications", "VTV"]',
        "kinds": '["agreement", "exchange", "joint_production"]',
        "topics": '["AI", "OTT/platforms", "co-production", "content exchange", '
                  '"documentaries", "youth exchange"]',
        "reports": 4,
        "outlets": 4,
        "first_reported": "2025-04-14",
        "last_reported": "2025-04-15",
        "first_seen": "2025-04-14T09:00:00+00:00",
        "event_date_basis": "stated",
        "event_day": "--04-14",
    }


# The database


def test_migration_adds_events_and_items_event_id(db: sqlite_utils.Database) -> None:
    columns = [row[1] for row in db.execute("PRAGMA table_xinfo(events)")]
    assert columns == ["id", "title", "url", "event_date", "place", "countries",
                       "organisations", "kinds", "topics", "reports", "outlets",
                       "first_reported", "last_reported", "first_seen", "year",
                       "event_date_basis", "event_day"]
    keys = db.execute("PRAGMA foreign_key_list(items)").fetchall()
    assert ("events", "event_id", "id") in {(row[2], row[3], row[4]) for row in keys}
    assert "idx_items_event_id" in {row[1] for row in db.execute("PRAGMA index_list(items)")}


def test_incremental_linking_builds_the_events(db: sqlite_utils.Database) -> None:
    link_all(db)
    assert stored_partition(db) == GOLD
    assert db["events"].count == len({r["event"] for r in REPORTS})
    event_id = event_of(db, VTV_CMG[0])
    row = db["events"].get(event_id)
    assert (row["title"], row["event_date"], row["place"], row["reports"], row["outlets"],
            row["year"]) == ("Viet Nam, China national broadcasters to jointly produce "
                             "programmes", "2025-04-14", "Hà Nội", 4, 4, 2025)
    # the id comes from the report that started the event
    assert event_id == eventlink.new_event_id(arrival([BY_URL[u] for u in VTV_CMG])[0]["url"])


def test_assigning_again_changes_nothing(db: sqlite_utils.Database) -> None:
    link_all(db)
    before = snapshot(db)
    with transaction(db):
        ids = [events.assign_event(db, to_item(r)) for r in REPORTS]
    assert ids == [event_of(db, r["url"]) for r in REPORTS]
    assert snapshot(db) == before


def test_relink_all_after_incremental_linking_moves_nothing(db: sqlite_utils.Database) -> None:
    link_all(db)
    before = snapshot(db)
    with transaction(db):
        counts = events.relink_all(db)
    assert (counts.reports, counts.events, counts.moved, counts.created, counts.updated,
            counts.removed) == (len(REPORTS), len(GOLD), 0, 0, 0, 0)
    assert snapshot(db) == before


def test_relink_all_from_scratch_is_deterministic(tmp_path: Path) -> None:
    snapshots = []
    for name, order in (("a", REPORTS), ("b", list(reversed(REPORTS)))):
        db = connect(tmp_path / f"{name}.db")
        with transaction(db):
            for report in order:
                save(db, report)
            first = events.relink_all(db)
        with transaction(db):
            again = events.relink_all(db)
        assert (first.created, first.moved) == (len(GOLD), len(REPORTS))
        assert (again.created, again.moved, again.updated, again.removed) == (0, 0, 0, 0)
        assert stored_partition(db) == GOLD
        snapshots.append(snapshot(db))
        db.close()
    assert snapshots[0] == snapshots[1]


def test_a_changed_report_moves_and_comes_back(db: sqlite_utils.Database) -> None:
    link_all(db)
    url = VTV_CMG[1]
    original = event_of(db, url)
    moved = to_item(BY_URL[url], event_date="2025-05-20", published="2025-05-20")
    with transaction(db):
        save_item(db, moved, article_text="", now="2025-05-21T00:00:00+00:00")
        new = events.assign_event(db, moved)
    assert new != original
    assert (db["events"].get(original)["reports"], db["events"].get(new)["reports"]) == (3, 1)
    with transaction(db):
        save_item(db, to_item(BY_URL[url]), article_text="", now="2025-05-22T00:00:00+00:00")
        assert events.assign_event(db, to_item(BY_URL[url])) == original
    assert db["events"].get(original)["reports"] == 4
    assert not db["events"].count_where("id = ?", [new])  # an event with no report is removed


def test_relink_all_removes_the_event_of_a_removed_item(db: sqlite_utils.Database) -> None:
    link_all(db)
    lonely = next(r for r in REPORTS if r["event"] == "vov-rfi-2024-10-02")
    event_id = event_of(db, lonely["url"])
    with transaction(db):
        delete_item(db, lonely["url"], article_text=lonely["summary"])
        counts = events.relink_all(db)
    assert (counts.removed, counts.moved, counts.events) == (1, 0, len(GOLD) - 1)
    assert not db["events"].count_where("id = ?", [event_id])


def test_linking_an_unsaved_item_is_an_error(db: sqlite_utils.Database) -> None:
    with pytest.raises(ValueError, match="save it before linking"):
        events.assign_event(db, to_item(REPORTS[0]))


# Incomplete fields, counterparts, acts (issue #11): items built here, and incomplete.json

INCOMPLETE: list[dict[str, Any]] = json.loads(
    (FIXTURE.parent / "incomplete.json").read_text(encoding="utf-8"))["reports"]


def make(url: str = "https://a.example/1", **changes: Any) -> Item:
    """A VTV-LNTV signing reported on 2025-03-10, with ``changes``."""
    fields: dict[str, Any] = dict(
        url=url, source=url.split("/")[2], title="VTV and Lao National Television sign agreement",
        published="2025-03-10", event_date="2025-03-10", place="Vientiane",
        countries=("LA", "VN"), organisations=("Lao National Television", "VTV"),
        kinds=("agreement",), topics=("co-production",),
        summary="VTV and Lao National Television signed a co-production agreement.",
        evidence={}, score=0.8, classifier="test", event_date_basis="stated")
    return Item(**{**fields, **changes})


def report(item: Item, first_seen: str | None = None) -> eventlink.Report:
    return eventlink.Report(item, first_seen)


def test_a_missing_event_date_is_unknown_not_different() -> None:
    dated = make()
    published = make("https://b.example/2", event_date=None, event_date_basis="missing",
                     published="2025-03-11")
    seen = make("https://c.example/3", event_date=None, event_date_basis="missing",
                published=None)
    assert eventlink.when(published) == eventlink.When(
        None, "published", None, date(2025, 3, 10), date(2025, 3, 11))
    first_seen = report(seen, "2025-03-12T08:00:00+00:00")
    assert eventlink.when(first_seen).basis == "first-seen"
    assert eventlink.similarity(dated, published) >= eventlink.LINK_THRESHOLD
    assert eventlink.similarity(dated, first_seen) >= eventlink.LINK_THRESHOLD
    assert eventlink.similarity(dated, seen) >= eventlink.LINK_THRESHOLD  # nothing known at all
    # a window that cannot hold the other's day is still a mismatch
    assert eventlink.similarity(dated, report(seen, "2025-05-12T08:00:00+00:00")) == 0.0
    assert eventlink.similarity(dated, replace(published, published="2025-03-20")) == 0.0


def test_a_year_less_day_matches_month_and_day_where_no_year_contradicts() -> None:
    dated = make()
    yearless = make("https://b.example/tin.html", event_date=None, published=None,
                    event_date_basis="year-less", event_day="--03-10")
    # first seen only bounds it: any 10 March before, back to an archive's age
    assert eventlink.when(report(yearless, "2025-03-14T00:00:00+00:00")) == eventlink.When(
        None, "year-less", (3, 10), date(2015, 3, 7), date(2025, 3, 14))
    assert eventlink.similarity(dated, report(yearless, "2025-03-14T00:00:00+00:00")) >= 0.6
    # first seen long after (a backfill of older pages): still a match
    assert eventlink.similarity(dated, report(yearless, "2027-11-02T00:00:00+00:00")) >= 0.6
    # published: the page's own date places it, in the one year its past window holds
    assert eventlink.when(replace(yearless, published="2025-03-12")) == eventlink.When(
        date(2025, 3, 10), "year-less")
    assert eventlink.similarity(dated, report(yearless)) >= 0.6  # no window: any year
    other_day = replace(yearless, event_day="--03-17")
    assert eventlink.similarity(dated, report(other_day, "2025-03-20T00:00:00+00:00")) == 0.0
    # the URL's date says another year: a signing of the year before
    dated_url = replace(yearless, url="https://b.example/2024/03/tin.html")
    assert eventlink.when(report(dated_url, "2025-03-14T00:00:00+00:00")).day == \
        date(2024, 3, 10)
    assert eventlink.similarity(dated, report(dated_url, "2025-03-14T00:00:00+00:00")) == 0.0
    assert eventlink.url_years("https://x.example/2023/12/13/a.html") == {2023}
    assert eventlink.url_years("https://x.example/ky-ket-2025-2026.htm") == frozenset()
    assert eventlink.url_years("https://x.example/t/20231024085430133.htm") == frozenset()


def test_counterparts_must_agree() -> None:
    turkey = make(countries=("TR", "VN"), organisations=("Anadolu", "VNA"), place="Baku")
    russia = make("https://b.example/2", countries=("RU", "VN"), organisations=("TASS", "VNA"),
                  place="Baku")
    assert eventlink.conflict(turkey, russia) == "counterparts"
    # the venue counted as a party on both sides is no evidence of shared parties
    venue_tr = replace(turkey, countries=("AZ", "TR", "VN"))
    venue_ru = replace(russia, countries=("AZ", "RU", "VN"))
    assert eventlink.similarity(venue_tr, venue_ru) == 0.0
    # one side naming a third party is no conflict (a round-up, a trilateral)
    assert eventlink.conflict(turkey, venue_tr) is None
    assert eventlink.conflict(make(), make("https://b.example/2", countries=("KH", "LA", "VN")))\
        is None


def test_acts_of_one_visit_stay_separate_events() -> None:
    talks = make(title="Vietnamese, Lao ministers hold talks", event_date="2024-10-07",
                 published="2024-10-07", kinds=("meeting",))
    reception = make("https://b.example/2", title="Prime Minister receives Lao minister",
                     event_date="2024-10-08", published="2024-10-08", kinds=("meeting",),
                     organisations=("Government of Vietnam", "Lao National Television"))
    assert eventlink.title_acts(talks.title) == {"talks"}
    assert eventlink.title_acts("Thủ tướng tiếp Bộ trưởng Lào") == {"receive"}
    assert eventlink.conflict(talks, reception) == "acts"  # different acts, different days
    undated = replace(reception, event_date=None, event_date_basis="missing")
    assert eventlink.hosts(undated) == {"Government of Vietnam"}
    assert eventlink.conflict(talks, undated) == "acts"  # a government hosts the reception
    # a signing at a seminar, the same day and hosts: one event told two ways
    seminar = make(title="Vietnam-Laos media cooperation seminar opens")
    signing = make("https://b.example/3", title="Ký biên bản ghi nhớ hợp tác Việt Nam - Lào")
    assert eventlink.conflict(seminar, signing) is None
    assert eventlink.similarity(seminar, signing) >= eventlink.LINK_THRESHOLD
    # a cannot-link: a round-up that matches the talks does not pull the reception in
    roundup = replace(talks, url="https://c.example/4", title="Lao minister visits Vietnam")
    decision = eventlink.link(roundup, [eventlink.Candidate("visit", (talks, reception))])
    assert decision.event_id == "visit"
    assert eventlink.link(replace(reception, url="https://d.example/5"),
                          [eventlink.Candidate("talks", (talks, roundup))]).event_id is None


def test_no_report_joins_an_event_holding_another_day() -> None:
    """Complete linkage on known days: a report without a date does not chain two days."""
    dated = make()
    bridge = make("https://b.example/2", event_date=None, event_date_basis="missing",
                  published="2025-03-14")
    later = make("https://c.example/3", event_date="2025-03-16", published="2025-03-16")
    assert eventlink.similarity(later, bridge) >= eventlink.LINK_THRESHOLD
    assert eventlink.link(later, [eventlink.Candidate("e", (dated, bridge))]).event_id is None


def test_incomplete_reports_cluster_into_their_events(db: sqlite_utils.Database) -> None:
    gold = partition({r["url"]: r["event"] for r in INCOMPLETE})
    reports = [eventlink.Report(to_item(r), r["first_seen"]) for r in INCOMPLETE]
    clusters = eventlink.cluster(reports)
    assert partition({m.item.url: n for n, ms in enumerate(clusters) for m in ms}) == gold
    link_all(db, INCOMPLETE)
    assert stored_partition(db) == gold
    before = snapshot(db)
    with transaction(db):
        counts = events.relink_all(db)  # what coopwatch reclassify runs: the same events
    assert (counts.moved, counts.created, counts.updated, counts.removed) == (0, 0, 0, 0)
    assert snapshot(db) == before
    bases = dict(db.execute("select i.url, e.event_date_basis from items i "
                            "join events e on e.id = i.event_id").fetchall())
    signing = [r["url"] for r in INCOMPLETE if r["event"] == "vtv-lntv-2025-03-10"]
    assert {bases[url] for url in signing} == {"stated"}
    year_before = next(r["url"] for r in INCOMPLETE if r["event"] == "vtv-lntv-2024-03-10")
    assert (bases[year_before], db["events"].get(event_of(db, year_before))["event_date"]) == \
        ("year-less", "2024-03-10")


def test_the_event_row_says_how_its_date_was_known() -> None:
    inferred = make(event_date_basis="inferred")
    yearless = make("https://b.example/2", event_date=None, published=None,
                    event_date_basis="year-less", event_day="--03-10")
    missing = make("https://c.example/3", event_date=None, event_date_basis="missing")

    def row(*reports: eventlink.Report) -> tuple:
        built = eventlink.event_row("e", reports)
        return built["event_date"], built["event_date_basis"], built["event_day"]

    assert row(report(inferred), report(make("https://d.example/4"))) == \
        ("2025-03-10", "stated", "--03-10")
    assert row(report(inferred)) == ("2025-03-10", "inferred", "--03-10")
    assert row(report(replace(yearless, published="2025-03-12"))) == \
        ("2025-03-10", "year-less", "--03-10")
    assert row(report(yearless, "2025-03-12T00:00:00+00:00")) == (None, "year-less", "--03-10")
    assert row(report(yearless)) == (None, "year-less", "--03-10")
    assert row(report(missing)) == (None, "missing", None)


def test_candidates_are_selected_through_indexes(db: sqlite_utils.Database) -> None:
    day = date(2025, 3, 10)
    moments = [eventlink.When(day, "stated"),
               eventlink.When(None, "published", None, day, day),
               eventlink.When(None, "first-seen", None, day, day),
               eventlink.When(None, "year-less", (3, 10), day, day),
               eventlink.When(None, "year-less", (3, 10), None, None, frozenset({2025}))]
    for moment in moments:
        for tail, params in events._candidate_queries(moment):
            plan = " ".join(row[3] for row in db.execute(
                f"explain query plan select id, countries from events {tail}", params))
            assert "USING INDEX events_" in plan and "SCAN" not in plan, (moment, plan)


# Datasette


@pytest.fixture
def linked(db: sqlite_utils.Database) -> sqlite_utils.Database:
    link_all(db)
    return db


@pytest.fixture
def client(db: sqlite_utils.Database, db_path: Path) -> Iterator[Client]:
    client = Client(serve.make_datasette(db_path))
    yield client
    client.close()


def titles(rows: list[dict[str, Any]]) -> list[str]:
    return [row["title"] for row in rows]


def test_events_table_newest_first_with_facets(linked: Any, client: Client) -> None:
    data = client.get("/coopwatch/events.json?_shape=objects&_size=max").json()
    dates = [row["event_date"] or row["first_reported"] for row in data["rows"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == len(GOLD)
    facets = data["facet_results"]

    def counts(name: str) -> dict[Any, int]:
        return {result["value"]: result["count"] for result in facets[name]["results"]}

    assert counts("countries") == {"VN": 16, "LA": 6, "CN": 4, "KH": 2, "CU": 1, "JP": 1,
                                   "KR": 1, "FR": 1}
    assert counts("year") == {2023: 5, 2024: 9, 2025: 2}
    assert counts("kinds")["agreement"] == 9
    assert client.get("/coopwatch/events").status_code == 200


def test_viet_nam_laos_events_each_once(linked: Any, client: Client) -> None:
    path = "/coopwatch/events.json?_shape=array&countries__arraycontains=VN"
    rows = client.rows(f"{path}&countries__arraycontains=LA")
    expected = {r["event"]: event_of(linked, r["url"]) for r in REPORTS if r["event"] in
                VN_LA_EVENTS}
    assert sorted(row["id"] for row in rows) == sorted(expected.values())
    assert sum(row["reports"] for row in rows) == sum(r["countries"] == ["LA", "VN"]
                                                      for r in REPORTS)


def test_an_event_links_to_its_reports(linked: Any, client: Client) -> None:
    event_id = event_of(linked, VTV_CMG[0])
    page = client.get(f"/coopwatch/events/{event_id}").text
    assert f'href="/coopwatch/items?event_id={event_id}"' in page
    rows = client.rows(f"/coopwatch/items.json?_shape=array&event_id={event_id}")
    assert sorted(row["url"] for row in rows) == sorted(VTV_CMG)
    reports = client.rows(f"/coopwatch/event_reports.json?_shape=array&id={event_id}")
    assert [(row["url"], row["language"]) for row in reports] == [
        (url, BY_URL[url]["language"])
        for url in sorted(VTV_CMG, key=lambda u: (BY_URL[u]["published"], u))
    ]
    items_page = client.get(f"/coopwatch/items?event_id={event_id}").text
    assert f'href="/coopwatch/events/{event_id}"' in items_page  # and back, by its title


def test_events_between_countries(linked: Any, client: Client) -> None:
    path = "/coopwatch/events_between_countries.json?_shape=array"
    rows = client.rows(f"{path}&a=vn&b=LA")
    assert titles(rows) == [
        "VNA, KPL open photo exhibition on Vietnam-Laos friendship in Hanoi",
        "VOV opens training course for Lao National Radio staff",
        "KPL, VNA sign agreement on news exchange for 2024-2028",
        "Vietnam, Laos boost cooperation in telecommunications and digital transformation",
        "VNA receives Lao information ministry delegation",
        "Vietnam-Laos media and communication cooperation prospects",
    ]
    assert [row["reports"] for row in rows] == [2, 2, 3, 2, 2, 4]
    assert client.rows(f"{path}&a=LA&b=CN") == []


def test_new_events_atom_feed(linked: Any, client: Client) -> None:
    response = client.get("/coopwatch/new_events.atom")
    assert response.status_code == 200, response.text
    feed = ET.fromstring(response.content)
    assert feed.findtext(f"{ATOM}title") == "coopwatch: new cooperation events"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(GOLD)
    first = entries[0]
    newest = max(linked["events"].rows, key=lambda row: (row["first_seen"], row["id"]))
    assert first.findtext(f"{ATOM}id") == f"urn:coopwatch:event:{newest['id']}"
    assert first.findtext(f"{ATOM}title") == newest["title"]
    assert first.find(f"{ATOM}link").get("href") == newest["url"]
    vtv = next(e for e in entries if e.findtext(f"{ATOM}id").endswith(event_of(linked,
                                                                              VTV_CMG[0])))
    assert "Reports: 4 from 4 outlet(s)" in vtv.findtext(f"{ATOM}content")


def test_new_events_feed_of_an_empty_database(db: sqlite_utils.Database, client: Client) -> None:
    response = client.get("/coopwatch/new_events.atom")
    assert response.status_code == 200
    assert ET.fromstring(response.content).findall(f"{ATOM}entry") == []


def test_events_per_month_queries(linked: Any, client: Client) -> None:
    pairs = client.rows("/coopwatch/events_per_month_by_pair.json?_shape=array")
    assert pairs[0] == {"month": "2025-04", "pair": "CN-VN", "events": 2}
    assert {"month": "2024-06", "pair": "LA-VN", "events": 4} in pairs
    assert sum(row["events"] for row in pairs) == len(GOLD)  # every event is bilateral here
    kinds = client.rows("/coopwatch/events_per_month_by_kind.json?_shape=array")
    assert {"month": "2023-12", "kind": "agreement", "events": 2} in kinds


# The chart: datasette-dashboards at /-/dashboards/events

DASHBOARD = serve.load_metadata()["plugins"]["datasette-dashboards"]["events"]


def chart_sql(query: str, filters: dict[str, str]) -> str:
    """The query with the ``[[ ... :name ... ]]`` parts kept for the filters given (as the
    plugin does it)."""
    def keep(match: re.Match[str]) -> str:
        name = re.search(r":(\w+)", match.group(1)).group(1)
        return match.group(1) if filters.get(name) else ""

    return re.sub(r"\[\[(.*?)\]\]", keep, query)


def run_chart(client: Client, chart: str, **filters: str) -> list[dict[str, Any]]:
    sql = chart_sql(DASHBOARD["charts"][chart]["query"], filters)
    query = urllib.parse.urlencode({"sql": sql, "_shape": "array", **filters})
    return client.rows(f"/coopwatch.json?{query}")


def test_dashboard_pages(linked: Any, client: Client) -> None:
    page = client.get("/-/dashboards/events?a=VN&b=LA")
    assert page.status_code == 200
    for chart in DASHBOARD["charts"]:
        assert f'id="chart-{chart}"' in page.text
        assert client.get(f"/-/dashboards/events/{chart}").status_code == 200
    assert '<option value="Laos (LA)" selected>' in page.text  # menus show names; ?b=LA picks it
    for script in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "dashboards.js"):
        assert client.get(f"/-/static-plugins/datasette_dashboards/{script}").status_code == 200
    assert "/-/dashboards" in client.get("/coopwatch").text  # linked from the description


def test_chart_queries(linked: Any, client: Client) -> None:
    assert run_chart(client, "by-pair", a="VN", b="LA") == [
        {"month": "2023-11", "pair": "Laos (LA) – Viet Nam (VN)", "events": 2},
        {"month": "2024-06", "pair": "Laos (LA) – Viet Nam (VN)", "events": 4},
    ]
    assert len({row["pair"] for row in run_chart(client, "by-pair")}) == 7
    assert run_chart(client, "by-kind", a="KH") == [
        {"month": "2023-12", "kind": "exchange", "events": 1},
        {"month": "2023-12", "kind": "meeting", "events": 1},
        {"month": "2024-03", "kind": "meeting", "events": 1},
    ]
    assert run_chart(client, "total", a="VN", b="LA") == [{"events": 6}]
    assert run_chart(client, "total") == [{"events": len(GOLD)}]


@needs_chromium
def test_the_chart_is_drawn_in_a_browser(linked: Any, db_path: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with datasette_server(db_path) as base, chromium(tmp_path / "profile") as driver:
        driver.get(f"{base}/-/dashboards/events?a=VN&b=LA")
        drawn = "#chart-by-pair canvas, #chart-by-pair svg"
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, drawn))
        WebDriverWait(driver, 20).until(
            lambda d: "6 events" in d.find_element(By.ID, "chart-total").text)
