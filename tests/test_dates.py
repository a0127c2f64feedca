"""Event dates: the reference day chain, year-less days kept, weekdays, spans of visits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug import Response

from jobs.classify import classify
from jobs.classify.dates import find_dates
from jobs.classify.years import YearHints, anchor_year
from jobs.fetch import Fetcher
from jobs.models import Article, Fetched, Item, Listing, Source
from jobs.parse import parse_large_feed, parse_listing
from jobs.pipeline import Sync, default_classifier, reclassify, reference_day

# --- dates in a sentence


def test_a_yearless_day_is_kept_when_nothing_fixes_its_year() -> None:
    [hit] = find_dates("Chiều 5-12, hai bên ký kết", None, hints=YearHints())
    assert (hit.value, hit.basis, hit.month_day) == (None, "year-less", (12, 5))
    assert find_dates("Chiều 5-12, hai bên ký kết", None) == []  # without hints: dropped


def test_how_a_day_is_known() -> None:
    ref = date(2025, 4, 15)
    [stated] = find_dates("signed on 14 April 2025", ref)
    [inferred] = find_dates("signed on April 14", ref)
    [relative] = find_dates("they met yesterday", ref)
    assert (stated.value, stated.basis) == (date(2025, 4, 14), "stated")
    assert (inferred.value, inferred.basis) == (date(2025, 4, 14), "inferred")
    assert (relative.value, relative.basis) == (date(2025, 4, 14), "inferred")


@pytest.mark.parametrize(
    ("sentence", "year"),
    [
        ("Lập quan hệ ngoại giao năm 1992; năm nay hai nước kỷ niệm tròn 30 năm.", 2022),
        ("The agencies mark the 50th anniversary of their ties (1975-2025) this year.", 2025),
        ("The 20th anniversary of the agreement signed in 2004 was marked in Hanoi.", 2024),
        ("Kỷ niệm 30 năm quan hệ (1992-2022) và 70 năm hợp tác (1952-2022).", 2022),
        ("The 30th anniversary of ties set up in 1992, after the war ended in 1975.", 2022),
        ("The agency was founded in 1945.", None),
        ("They celebrated the 10th anniversary of the programme.", None),
    ],
)
def test_an_anniversary_says_which_year_it_is(sentence: str, year: int | None) -> None:
    assert anchor_year(sentence) == year


@pytest.mark.parametrize(
    ("sentence", "mentioned", "expected"),
    [
        # November 20 is a Wednesday in 2024 (and 2019), a Thursday in 2025
        ("The memorandum was signed on Wednesday, November 20.", {2024, 2026}, date(2024, 11, 20)),
        ("Hai bên ký kết vào thứ Tư (20/11).", {2023}, date(2024, 11, 20)),
        ("Hai bên ký kết ngày 20/11 (thứ Tư).", {2024}, date(2024, 11, 20)),
        ("The memorandum was signed on Wednesday, November 20.", {2025}, None),
        ("The memorandum was signed on Wednesday, November 20.", {2019, 2024}, None),  # both fit
        ("The memorandum was signed on November 20.", {2024}, None),
        ("Diễn đàn lần thứ 5 (20/11) khai mạc tại Hà Nội.", {2025}, None),  # "the 5th", no weekday
    ],
)
def test_a_weekday_decides_the_year(sentence: str, mentioned: set[int], expected) -> None:
    [hit] = find_dates(sentence, None, hints=YearHints(mentioned=frozenset(mentioned)))
    assert hit.value == expected
    assert hit.basis == ("inferred" if expected else "year-less")


def test_a_weekday_moves_the_day_to_the_year_it_agrees_with() -> None:
    ref = date(2025, 5, 20)  # November 20 closest to it is 2024's (a Wednesday): no change
    assert find_dates("on Wednesday, November 20", ref)[0].value == date(2024, 11, 20)
    ref = date(2025, 5, 25)  # the nearest November 20 is a Thursday in 2025; 2024's is Wednesday
    assert find_dates("on November 20", ref)[0].value == date(2025, 11, 20)
    assert find_dates("on Wednesday, November 20", ref)[0].value == date(2024, 11, 20)
    with_anchor = find_dates("vào thứ Tư, ngày 20/11", None, hints=YearHints(anchor=2025))
    assert with_anchor[0].value == date(2024, 11, 20)  # the anchor year's neighbour that agrees


@pytest.mark.parametrize(
    "sentence",
    [
        "paid a working visit from November 19 to 21",
        "paid a working visit from November 19 to November 21",
        "paid a working visit on 19-21 November",
        "thăm và làm việc từ ngày 19 đến 21/11",
        "thăm và làm việc từ ngày 19/11 đến ngày 21/11",
    ],
)
def test_a_range_is_one_span_hit(sentence: str) -> None:
    [hit] = find_dates(sentence, date(2024, 11, 25))
    assert (hit.value, hit.span) == (date(2024, 11, 19), True)


# --- the event date of an item

VI_TITLE = "TTXVN và KPL ký thỏa thuận hợp tác trao đổi tin"
VI_TEXT = (
    "Chiều 5-12, tại Hà Nội, Thông tấn xã Việt Nam (TTXVN) và Hãng thông tấn Lào (KPL) đã ký kết "
    "thỏa thuận hợp tác về trao đổi tin, ảnh trong giai đoạn mới.\n"
    "Theo thỏa thuận, hai hãng sẽ tăng cường trao đổi tin tức và phối hợp đào tạo phóng viên.\n"
)
VI_ANNIVERSARY = (
    "Hai nước thiết lập quan hệ ngoại giao năm 1962; năm nay, hai bên kỷ niệm tròn 60 năm sự kiện "
    "này.\n"
)
EN_TITLE = "VNA and KPL sign memorandum on news exchange"
EN_VISIT = (
    "A delegation of the Vietnam News Agency (VNA) paid a working visit to Laos from November 19 "
    "to 21.\nDuring the visit, VNA and the Lao News Agency (KPL) signed a memorandum of "
    "understanding on news exchange.\nThe two agencies agreed to share news, photos and videos "
    "and to train reporters together.\n"
)


def item_of(title: str, text: str, **dates: str) -> Item:
    result = classify(Article(url="u", source="s", title=title, text=text, **dates))
    assert isinstance(result, Item), result
    return result


def event(item: Item) -> tuple[str | None, str | None, str | None]:
    return item.event_date, item.event_date_basis, item.event_day


def test_a_yearless_day_with_no_reference_is_kept_with_its_basis() -> None:
    item = item_of(VI_TITLE, VI_TEXT)
    assert event(item) == (None, "year-less", "--12-05")
    assert item.evidence["event_date"].startswith("Chiều 5-12")


def test_the_reference_day_chain_fixes_the_year() -> None:
    assert event(item_of(VI_TITLE, VI_TEXT, published="2022-12-06")) == (
        "2022-12-05", "inferred", None)
    assert event(item_of(VI_TITLE, VI_TEXT, reference="2023-01-03", reference_from="feed")) == (
        "2022-12-05", "inferred", None)
    # the page's own date comes before the pipeline's reference
    both = item_of(VI_TITLE, VI_TEXT, published="2021-12-06", reference="2023-01-03")
    assert both.event_date == "2021-12-05"


def test_the_pipelines_reference_is_a_bound_not_the_pages_day() -> None:
    ref = date(2025, 6, 20)
    assert find_dates("Chiều 5-12, hai bên ký kết", ref)[0].value == date(2025, 12, 5)  # nearest
    assert find_dates("Chiều 5-12, hai bên ký kết", ref, bound=True)[0].value == date(2024, 12, 5)
    # a feed dated six months after the page: the day is the latest before it, and not background
    item = item_of(VI_TITLE, VI_TEXT, reference="2025-06-20", reference_from="feed")
    assert event(item) == ("2024-12-05", "inferred", None)
    # the page's own date: the nearest 5 December
    assert event(item_of(VI_TITLE, VI_TEXT, published="2025-06-20"))[0] == "2025-12-05"


def test_the_text_can_fix_the_year_itself() -> None:
    item = item_of(VI_TITLE, VI_TEXT + VI_ANNIVERSARY)
    assert event(item) == ("2022-12-05", "inferred", None)


def test_a_yearless_day_written_again_with_its_year_takes_it() -> None:
    text = VI_TEXT + "Thỏa thuận ký ngày 5/12/2022 có hiệu lực trong ba năm.\n"
    assert event(item_of(VI_TITLE, text)) == ("2022-12-05", "inferred", None)


def test_an_agency_dateline_gives_its_day_even_without_a_year() -> None:
    text = (
        "SEOUL, March 3 (VNA) - The Vietnam News Agency (VNA) and Yonhap News Agency signed an "
        "agreement on news exchange, the two agencies said.\nUnder the deal, the two agencies "
        "will exchange news, photos and videos.\n"
    )
    title = "VNA and Yonhap sign news exchange agreement"
    assert event(item_of(title, text)) == (None, "year-less", "--03-03")
    assert event(item_of(title, text, reference="2024-03-05")) == ("2024-03-03", "inferred", None)


def test_a_stated_day_and_a_missing_one() -> None:
    stated = item_of(EN_TITLE, EN_VISIT.replace("signed a", "on 20 November 2024 signed a"))
    assert event(stated) == ("2024-11-20", "stated", None)
    text = "VNA and the Lao News Agency (KPL) signed a memorandum of understanding on news sharing."
    assert event(item_of(EN_TITLE, text)) == (None, "missing", None)
    assert "event_date" not in item_of(EN_TITLE, text).evidence


def test_the_span_of_a_visit_is_the_setting_not_the_day_of_the_signing() -> None:
    assert event(item_of(EN_TITLE, EN_VISIT, published="2024-11-22")) == (None, "missing", None)
    dated = EN_VISIT.replace("signed a", "on November 20 signed a")
    assert event(item_of(EN_TITLE, dated, published="2024-11-22")) == (
        "2024-11-20", "inferred", None)


def test_the_day_of_the_act_wins_over_the_day_of_an_arrival() -> None:
    text = (
        "On November 19, a delegation of the Lao News Agency (KPL) arrived in Hanoi.\n"
        "On November 20, KPL and the Vietnam News Agency (VNA) signed a memorandum of "
        "understanding on news exchange.\n"
    )
    item = item_of(EN_TITLE, text, published="2024-11-21")
    assert event(item) == ("2024-11-20", "inferred", None)
    assert item.evidence["event_date"].startswith("On November 20")


def test_a_visit_that_is_the_item_begins_on_its_first_day() -> None:
    text = (
        "A delegation of Lao journalists from the Lao News Agency (KPL) is on a study trip to "
        "Vietnam.\nThe trip, from November 19 to 23, is organised by the Vietnam News Agency (VNA) "
        "to help Lao media report on Vietnam.\nThe journalists visited VNA's newsroom and "
        "exchanged experience in digital journalism.\n"
    )
    item = item_of("Lao journalists on a study trip to VNA", text, published="2024-11-25")
    assert event(item) == ("2024-11-19", "inferred", None)


def test_a_forum_over_several_days_is_dated_by_its_opening() -> None:
    text = (
        "The ASEAN-China media forum, co-organised by the Vietnam News Agency (VNA) and China "
        "Media Group (CMG), took place in Hanoi from November 19 to 21.\nJournalists of the two "
        "countries exchanged experience in digital journalism and agreed to exchange news.\n"
    )
    item = item_of("VNA and CMG co-host media forum", text, published="2024-11-22")
    assert event(item)[:2] == ("2024-11-19", "inferred")


# --- the reference day of the pipeline

NOW = datetime(2025, 4, 16, 8, 0, tzinfo=UTC)
OK_RUN = {"status": "ok", "finished": "2025-04-16T07:00:00+00:00", "error": None}


def test_the_feeds_own_date_comes_first() -> None:
    listing = Listing("rss", (), updated="2025-04-10T22:00:00+07:00")
    assert reference_day(listing, None, {}, NOW) == ("2025-04-10", "feed")


@pytest.mark.parametrize(
    ("previous", "last_modified", "expected"),
    [
        ({}, None, None),  # a source's first pass can be an archive backfill
        (OK_RUN, None, ("2025-04-16", "first_seen")),
        (OK_RUN, "Wed, 16 Apr 2025 03:00:00 GMT", ("2025-04-16", "first_seen")),
        (OK_RUN, "Mon, 03 Feb 2025 03:00:00 GMT", None),  # the listing itself is stale
        ({**OK_RUN, "status": "not_modified"}, None, ("2025-04-16", "first_seen")),
        ({**OK_RUN, "error": "900 new entries, 500 fetched this pass"}, None, None),  # backlog
        ({**OK_RUN, "status": "error"}, None, None),
        ({**OK_RUN, "finished": "2025-03-01T07:00:00+00:00"}, None, None),  # a long pause
    ],
)
def test_first_seen_counts_only_while_the_listing_is_fresh(previous, last_modified, expected):
    assert reference_day(Listing("html", ()), last_modified, previous, NOW) == expected


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tin</title><link>https://example.org/</link>
<lastBuildDate>Tue, 06 Dec 2022 06:30:00 +0700</lastBuildDate>
<item><title>A</title><link>https://example.org/a.html</link></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title><id>urn:x</id>
<updated>2024-11-22T09:00:00Z</updated>
<entry><title>A</title><id>urn:a</id><link href="https://example.org/a.html"/>
<updated>2024-11-21T09:00:00Z</updated></entry>
</feed>"""


@pytest.mark.parametrize("parse", [parse_listing, parse_large_feed])
def test_a_feed_carries_its_own_date_in_its_writers_offset(parse) -> None:
    rss = parse(Fetched("https://example.org/rss.xml", 200, RSS))
    assert rss.updated == "2022-12-06T06:30:00+07:00"  # the 6th where it was written
    assert rss.entries[0].published is None
    atom = parse(Fetched("https://example.org/atom.xml", 200, ATOM))
    assert atom.updated == "2024-11-22T09:00:00+00:00"


# --- end to end: sync, store, reclassify

PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"""
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tin</title>
<link>{base}/</link>{items}</channel></rss>"""


def page(title: str, text: str) -> Response:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line)
    return Response(PAGE.format(title=title, paragraphs=paragraphs),
                    content_type="text/html; charset=utf-8")


def test_the_reference_is_stored_and_survives_reclassify(site, db) -> None:
    paths = ["/tin/a.html"]

    def feed(_request) -> Response:
        items = "".join(f"<item><title>t</title><link>{site.url(p)}</link></item>" for p in paths)
        return Response(FEED.format(base=site.base, items=items), content_type="application/xml")

    site.extra.update({"/tin/rss.xml": feed, "/tin/a.html": page(VI_TITLE, VI_TEXT),
                       "/tin/b.html": page(VI_TITLE, VI_TEXT.replace("Chiều 5-12", "Chiều 14-4"))})
    source = Source("tin", site.url("/tin/rss.xml"), delay=0, allow_private_network=True)
    now = [NOW - timedelta(hours=1)]
    sync = Sync(db, Fetcher(), classifier=default_classifier(), clock=lambda: now[0])

    sync.sync_source(source)  # first pass: could be an archive, so no reference
    paths.append("/tin/b.html")
    now[0] = NOW
    sync.sync_source(source)  # a link new in a fresh listing: first seen counts

    def rows() -> dict[str, tuple]:
        sql = (
            "select a.url, a.reference, a.reference_from, i.event_date, i.event_date_basis, "
            "i.event_day from articles a join items i on i.url = a.url"
        )
        return {row[0].rsplit("/", 1)[1]: row[1:] for row in db.execute(sql).fetchall()}

    expected = {
        "a.html": (None, None, None, "year-less", "--12-05"),
        "b.html": ("2025-04-16", "first_seen", "2025-04-14", "inferred", None),
    }
    assert rows() == expected
    counts = reclassify(db, default_classifier())
    assert (counts.articles, counts.unchanged) == (2, 2)
    assert rows() == expected
