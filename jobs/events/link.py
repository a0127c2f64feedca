"""Link items that report the same real-world event, across outlets and languages: pure.

The same signing is reported by both partners' agencies, an English daily and a Vietnamese
broadcaster, in two or three languages, on different days, some giving no date at all.
``similarity(a, b)`` compares two reports on language-independent signals only:

    date          ``when(report)``: the event's day (stated, inferred), else a year-less day
                  (month and day), else the publication window, else the first-seen window.
                  Unknown is not different: a window holding the other's day is no mismatch;
                  a year-less day matches the same month and day inside its window, in a year
                  no date in its URL contradicts. Days more than ``WINDOW_DAYS`` apart: a gate
    countries     the parties: at least two shared (one if a side has one), and never a party
                  country on each side that the other lacks (two meetings at one assembly): a gate
    acts          talks, a reception, a signing, a course ... read from the titles: two reports
                  of different acts on different days, or with a different leader receiving,
                  are two events of one visit: a gate
    organisations canonical names (the classifier's, ``jobs.classify.gazetteer``) overlap; two
                  reports naming their parties with none in common are penalised
    place         canonical city; two known, different cities are penalised
    kinds, topics overlap of the classifier's labels
    text          of title + summary: concepts from a small English/Vietnamese keyword map
                  (ký ↔ sign, hội thảo ↔ seminar, truyền hình ↔ television, ...), acronyms,
                  proper names without diacritics (Nguyễn ↔ Nguyen), numbers

``link(report, candidates)`` joins a report to the event holding its most similar report when that
reaches ``LINK_THRESHOLD`` (single linkage), unless a report of that event is another meeting or
another act (``conflict``: a cannot-link); other events it links are merged into that one when a
report of each matches at ``MERGE_FLOOR`` and none conflict. ``cluster`` does it for a whole set in
a fixed order; ``event_row`` summarises an event. Nothing here reads a clock, a file or the
network; the database side is ``jobs.events``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from jobs.classify import gazetteer
from jobs.models import Item
from jobs.text import fold

log = logging.getLogger(__name__)

WINDOW_DAYS = 3  # two reports' days of one event are at most this far apart
PUBLISHED_LAG = 1  # a report with no event date tells of an event of its day or the day before
FIRST_SEEN_PAST = 14  # ... with no publication date either, of one at most this long before
# How long before its window's end a year-less day may lie: a publication date is the page's
# own (the classifier's past window); the day a page was first seen only bounds it (an archive
# synced years later), so any of the years before, back to an archive's age.
YEARLESS_PAST = {"published": 45, "first-seen": 3660}
LINK_THRESHOLD = 0.6
WEIGHTS = {
    "organisations": 0.30,
    "date": 0.15,
    "text": 0.15,
    "countries": 0.10,
    "place": 0.10,
    "kinds": 0.10,
    "topics": 0.10,
}
UNKNOWN = 0.5  # the score of a signal one side lacks
DISJOINT_PARTIES = 0.75  # both name their parties and share none: another event, most likely
PLACE_CONFLICT = 0.85  # both name the city and they differ
MERGE_FLOOR = 0.5  # two events a report links are merged when they match this well
ARRAYS = ("countries", "organisations", "kinds", "topics")
KNOWN = ("stated", "inferred", "year-less")  # bases of a known day, strongest first
# The acts of a visit, as ``CONCEPTS`` names them: one act is one event.
ACTS = frozenset({"sign", "talks", "receive", "training", "seminar", "exhibition", "launch"})
# A leader or a government receiving: who hosts an act (a "Government of Laos" party).
_LEADER = re.compile(
    r"(?<!\w)(?:government|prime minister|premier|president|vice president|national assembly"
    r"|chinh phu|thu tuong|chu tich nuoc|pho chu tich nuoc|quoc hoi)(?!\w)"
)
# A date in a URL's path: 2023/12/13, 2025-04-14, 20231212; not a period (2025-2026) or an id.
_URL_DATE = re.compile(
    r"(?<![0-9])((?:19|20)[0-9]{2})[/_-]?(0[1-9]|1[0-2])(?:[/_-]?(?:0[1-9]|[12][0-9]|3[01]))?"
    r"(?![0-9])"
)
_MONTH_DAY = re.compile(r"^--(\d\d)-(\d\d)$")

# Concepts shared by English and Vietnamese reports of one event. A phrase mapped to "" only
# hides the shorter phrases inside it (thông tin is not tin, tiếp tục is not tiếp).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "sign": ("sign", "signs", "signed", "signing", "inked", "ký", "ký kết"),
    "agreement": (
        "agreement",
        "agreements",
        "memorandum",
        "mou",
        "deal",
        "accord",
        "thỏa thuận",
        "biên bản ghi nhớ",
        "ghi nhớ",
        "hiệp định",
        "văn kiện",
    ),
    "coproduce": (
        "co-produce",
        "co-production",
        "coproduction",
        "jointly produce",
        "joint production",
        "hợp tác sản xuất",
        "đồng sản xuất",
        "cùng sản xuất",
    ),
    "documentary": ("documentary", "documentaries", "phim tài liệu"),
    "seminar": (
        "seminar",
        "workshop",
        "conference",
        "forum",
        "symposium",
        "hội thảo",
        "tọa đàm",
        "diễn đàn",
        "hội nghị",
    ),
    "training": ("training", "course", "đào tạo", "tập huấn", "bồi dưỡng", "khóa học"),
    "exchange": ("exchange", "exchanges", "trao đổi", "giao lưu"),
    "visit": ("visit", "working visit", "delegation", "chuyến thăm", "thăm", "đoàn"),
    "receive": (
        "receive",
        "receives",
        "received",
        "reception",
        "hosted",
        "tiếp",
        "tiếp đón",
        "hội kiến",
        "đón",
    ),
    "talks": ("talks", "held talks", "hội đàm"),
    "telecom": ("telecommunications", "telecom", "viễn thông"),
    "postal": ("postal", "bưu chính"),
    "digital": ("digital transformation", "chuyển đổi số"),
    "ai": ("artificial intelligence", "trí tuệ nhân tạo"),
    "fake": ("fake news", "disinformation", "tin giả", "thông tin sai lệch"),
    "foreign_info": ("foreign information", "external information", "thông tin đối ngoại"),
    "young": ("young", "youth", "trẻ"),
    "reporter": ("reporter", "reporters", "journalist", "journalists", "phóng viên", "nhà báo"),
    "television": ("television", "broadcaster", "truyền hình"),
    "radio": ("radio", "phát thanh"),
    "agency": ("news agency", "thông tấn", "thông tấn xã"),
    "newspaper": ("newspaper", "báo", "nhật báo"),
    "press": ("press", "journalism", "báo chí"),
    "anniversary": ("anniversary", "kỷ niệm"),
    "exhibition": ("exhibition", "photo exhibition", "triển lãm", "triển lãm ảnh"),
    "launch": ("launch", "launched", "launches", "ra mắt", "khai trương"),
    "": ("thông tin", "tiếp tục", "trực tiếp", "báo cáo", "thông báo", "báo chí"),
}
_NAME_STOP = frozenset(
    {
        "the",
        "and",
        "for",
        "with",
        "from",
        "this",
        "that",
        "viet",
        "vietnam",
        "vietnamese",
        "nam",
        "laos",
        "lao",
        "china",
        "chinese",
        "trung",
        "quoc",
        "cambodia",
        "cambodian",
        "campuchia",
        "ministry",
        "department",
        "agency",
        "news",
        "daily",
        "national",
        "people",
        "peoples",
        "general",
        "director",
        "deputy",
        "minister",
        "chairman",
        "president",
        "vice",
        "head",
        "party",
        "state",
    }
)
_WORD = re.compile(r"\w+(?:-\w+)*")


# Pure: what is known of the day


@dataclass(frozen=True)
class When:
    """What a report tells of its event's day.

    ``day``: the day, known (``basis`` stated, inferred, or year-less when its month and day fall
    in one year of the window); else ``month_day``, a year-less day, in ``years`` (empty: any)
    and the window ``lo`` .. ``hi``; else only the window (``basis`` published or first-seen);
    nothing at all: ``basis`` missing.
    """

    day: date | None = None
    basis: str = "missing"
    month_day: tuple[int, int] | None = None
    lo: date | None = None
    hi: date | None = None
    years: frozenset[int] = frozenset()

    @property
    def anchor(self) -> date | None:
        """The day it is filed and ordered under: the day, else the window's end."""
        return self.day or self.hi


@dataclass(frozen=True)
class Report:
    """An item as stored: when coopwatch first saw it and the event it is filed under."""

    item: Item
    first_seen: str | None = None
    event_id: str | None = None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def url_years(url: str) -> frozenset[int]:
    """Years of the dates written in a URL's path (``/2023/12/13/``, ``2025-04-14``)."""
    path = url.split("://", 1)[-1].partition("/")[2]
    return frozenset(int(m.group(1)) for m in _URL_DATE.finditer(path))


def month_day(value: str | None) -> tuple[int, int] | None:
    """``--MM-DD`` (a day whose year is unknown) as (month, day)."""
    match = _MONTH_DAY.match(value or "")
    if not match or not _valid(2000, int(match[1]), int(match[2])):  # 2000: 29 February is valid
        return None
    return int(match[1]), int(match[2])


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def when(report: Report | Item) -> When:
    """What ``report`` tells of its event's day (see ``When``)."""
    report = as_report(report)
    item = report.item
    return _when(item.url, item.event_date, item.event_date_basis, item.event_day,
                 item.published, report.first_seen)


@lru_cache(maxsize=65536)
def _when(url: str, event_date: str | None, basis: str | None, event_day: str | None,
          published: str | None, first_seen: str | None) -> When:
    if (day := _day(event_date)) is not None:
        return When(day, basis if basis in KNOWN[:2] else "stated")
    lo = hi = None
    window = "missing"
    if (hi := _day(published)) is not None:
        lo, window = hi - timedelta(PUBLISHED_LAG), "published"
    elif (hi := _day(first_seen)) is not None:
        lo, window = hi - timedelta(FIRST_SEEN_PAST), "first-seen"
    years = url_years(url)
    if lo is not None and hi is not None and years and not years & {lo.year, hi.year}:
        lo = hi = None  # the URL's date says the window is not the event's (a late first sight)
    if (md := month_day(event_day)) is None:
        return When(None, window, None, lo, hi, years)
    if hi is not None:  # the year-less day lies before the window's end, in a year it allows
        start = hi - timedelta(YEARLESS_PAST[window])
        allowed = [y for y in range(start.year, hi.year + 1) if not years or y in years]
        days = [d for y in allowed if _valid(y, *md) and start <= (d := date(y, *md)) <= hi]
        if len(days) == 1:
            return When(days[0], "year-less")
        if not days:  # the window cannot hold that month and day: the window alone
            return When(None, window, None, lo, hi, years)
        lo = start
    if len(years) == 1 and _valid(min(years), *md):
        return When(date(min(years), *md), "year-less")
    return When(None, "year-less", md, lo, hi, years)


def _distance(day: date, lo: date, hi: date) -> int:
    return max((lo - day).days, (day - hi).days, 0)


def _fits(md: When, day: date) -> bool:
    """Whether a year-less day is ``day`` (or a day from it, time zones), in a year its URL and
    window allow."""
    assert md.month_day is not None
    if md.years and day.year not in md.years:
        return False
    if md.lo is not None and md.hi is not None and _distance(day, md.lo, md.hi) > WINDOW_DAYS:
        return False
    return any(
        _valid(y, *md.month_day) and abs((date(y, *md.month_day) - day).days) <= 1
        for y in (day.year - 1, day.year, day.year + 1)
    )


def date_signal(a: When, b: When) -> float | None:
    """How well two reports' days agree, 0 to 1; None when they cannot be one event's."""
    if a.day is not None and b.day is not None:
        gap = abs((a.day - b.day).days)
        return None if gap > WINDOW_DAYS else max(0.0, 1 - gap / 2)
    if a.day is None and b.day is not None:
        a, b = b, a
    if a.day is not None:  # b has no day
        if b.month_day is not None:
            if not _fits(b, a.day):
                return None
            recent = b.hi is not None and -WINDOW_DAYS <= (b.hi - a.day).days <= 366
            return 1.0 if recent else UNKNOWN  # the year before it was first seen: likeliest
        if b.years and not {a.day.year, a.day.year + 1} & b.years:
            return None  # the URL's date is another year's
        if b.lo is None or b.hi is None:
            return UNKNOWN
        gap = _distance(a.day, b.lo, b.hi)
        return None if gap > WINDOW_DAYS else _window_score(gap, b)
    if (a.month_day is not None and b.month_day is not None
            and not _same_month_day(a.month_day, b.month_day)):
        return None
    if a.years and b.years and not a.years & b.years:
        return None
    if a.lo is None or a.hi is None or b.lo is None or b.hi is None:
        return UNKNOWN
    gap = max((a.lo - b.hi).days, (b.lo - a.hi).days, 0)
    return None if gap > WINDOW_DAYS else min(_window_score(gap, a), _window_score(gap, b))


def _same_month_day(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return abs((date(2000, *a) - date(2000, *b)).days) <= 1


def _window_score(gap: int, window: When) -> float:
    """A publication date standing in for the event's trails it by a few days; a first-seen
    window, or a year-less day's, says little."""
    if window.basis != "published":
        return UNKNOWN
    return 1 - gap / (WINDOW_DAYS + 1)


# Pure: names, acts, text


def _key(name: str) -> str:
    return " ".join(_WORD.findall(fold(unicodedata.normalize("NFC", name))))


@lru_cache(maxsize=8192)
def canonical_organisation(name: str) -> str:
    """The classifier's canonical name for ``name`` (``TTXVN`` is ``VNA``), else ``name``."""
    return gazetteer.canonical_organisation(name) or name


@lru_cache(maxsize=4096)
def _canonical_place(name: str) -> str:
    return gazetteer.canonical_place(name) or name.strip()


def canonical_place(name: str | None) -> str | None:
    """The classifier's canonical name for a place (``Hanoi City`` is ``Hà Nội``), else ``name``."""
    if not name or not name.strip():
        return None
    return _canonical_place(name)


@lru_cache(maxsize=1)
def _concept_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    phrases = {p: c for c, ps in CONCEPTS.items() for p in ps}
    alternatives = "|".join(map(re.escape, sorted(phrases, key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), phrases


@lru_cache(maxsize=4096)
def text_signature(text: str) -> frozenset[str]:
    """Language-independent tokens of a title and summary: concepts, acronyms, names, numbers."""
    text = unicodedata.normalize("NFC", text)
    pattern, phrases = _concept_pattern()
    tokens = {"c:" + phrases[m.group()] for m in pattern.finditer(text.lower())}
    for position, word in enumerate(_WORD.findall(text)):
        if word.isdigit():
            if int(word) > 31 and not 1900 <= int(word) <= 2100:
                tokens.add("n:" + word)
        elif word.isupper() and len(word) >= 2:
            tokens.add("o:" + canonical_organisation(word))
        elif word[0].isupper() and position and len(word) >= 4 and fold(word) not in _NAME_STOP:
            tokens.add("w:" + fold(word))
    tokens.discard("c:")
    return frozenset(tokens)


@lru_cache(maxsize=4096)
def title_acts(title: str) -> frozenset[str]:
    """The acts a title reports: talks, receive, sign, training, seminar, exhibition, launch."""
    return frozenset(t[2:] for t in text_signature(title) if t[2:] in ACTS)


@lru_cache(maxsize=4096)
def _leader_in(text: str) -> bool:
    return bool(_LEADER.search(_key(text)))


def hosts(item: Item) -> frozenset[str]:
    """The leaders and governments among its parties, or named by its title (who receives)."""
    found = {canonical_organisation(o) for o in item.organisations if _leader_in(o)}
    if not found and _leader_in(item.title):
        found.add("(a leader)")
    return frozenset(found)


def conflict(a: Report | Item, b: Report | Item) -> str | None:
    """Why two reports cannot be of one event whatever else they share, or None.

    ``counterparts``: each names a party country the other's parties lack (one agency meeting
    two others at one assembly). ``acts``: they report different acts (talks, a reception, a
    signing ...) on different known days, or with a different leader or government hosting.
    """
    ra, rb = as_report(a), as_report(b)
    a, b = ra.item, rb.item
    if set(a.countries) - set(b.countries) and set(b.countries) - set(a.countries):
        return "counterparts"
    acts_a, acts_b = title_acts(a.title), title_acts(b.title)
    if not acts_a or not acts_b or acts_a & acts_b:
        return None
    day_a, day_b = when(ra).day, when(rb).day
    if day_a is not None and day_b is not None and day_a != day_b:
        return "acts"
    return "acts" if hosts(a) != hosts(b) else None


def _overlap(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    if not a or not b:
        return UNKNOWN
    return len(a & b) / min(len(a), len(b))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _place_score(a: str | None, b: str | None) -> float:
    a, b = canonical_place(a), canonical_place(b)
    if a is None or b is None:
        return UNKNOWN
    return 1.0 if _key(a) == _key(b) else 0.0


def as_report(value: Report | Item) -> Report:
    return value if isinstance(value, Report) else Report(value)


def similarity(a: Report | Item, b: Report | Item) -> float:
    """How likely two reports are of one event, 0 to 1 (0 when a gate fails)."""
    ra, rb = as_report(a), as_report(b)
    x, y = ra.item, rb.item
    dated = date_signal(when(ra), when(rb))
    if dated is None:
        return 0.0
    shared = set(x.countries) & set(y.countries)
    if not shared or len(shared) < min(2, len(x.countries), len(y.countries)):
        return 0.0
    if conflict(ra, rb):
        return 0.0
    parties_x = {canonical_organisation(o) for o in x.organisations}
    parties_y = {canonical_organisation(o) for o in y.organisations}
    signals = {
        "date": dated,
        "countries": len(shared) / len(set(x.countries) | set(y.countries)),
        "organisations": _overlap(parties_x, parties_y),
        "place": _place_score(x.place, y.place),
        "kinds": _overlap(set(x.kinds), set(y.kinds)),
        "topics": _overlap(set(x.topics), set(y.topics)),
        "text": _dice(
            text_signature(f"{x.title}\n{x.summary}"), text_signature(f"{y.title}\n{y.summary}")
        ),
    }
    score = sum(WEIGHTS[name] * value for name, value in signals.items())
    if parties_x and parties_y and not signals["organisations"]:
        score *= DISJOINT_PARTIES
    return score * PLACE_CONFLICT if signals["place"] == 0 else score


# Pure: link and cluster


@dataclass(frozen=True)
class Candidate:
    """An existing event and the reports it holds (never the report being linked)."""

    event_id: str
    members: tuple[Report | Item, ...]


@dataclass(frozen=True)
class Decision:
    """Join ``event_id`` (None: start a new event), merging ``merge`` into it."""

    event_id: str | None
    score: float = 0.0
    merge: tuple[str, ...] = ()


def link(report: Report | Item, candidates: Sequence[Candidate]) -> Decision:
    """The event ``report`` belongs to among ``candidates``, or Decision(None) for a new one."""
    report = as_report(report)
    scored: list[tuple[float, Candidate]] = []
    for candidate in candidates:
        if any(conflict(report, member) or _apart(report, member)
               for member in candidate.members):
            continue
        score = max((similarity(report, member) for member in candidate.members), default=0.0)
        if score >= LINK_THRESHOLD:
            scored.append((score, candidate))
    if not scored:
        return Decision(None)
    scored.sort(key=lambda entry: (-entry[0], entry[1].event_id))
    score, best = scored[0]
    merge = sorted(c.event_id for _, c in scored[1:] if _compatible(best, c))
    return Decision(best.event_id, round(score, 4), tuple(merge))


def _apart(a: Report | Item, b: Report | Item) -> bool:
    """Two known days too far apart for one event: no report joins an event holding a report of
    another day, whatever report bridges them (single linkage would chain a visit's days)."""
    day_a, day_b = when(a).day, when(b).day
    return day_a is not None and day_b is not None and abs((day_a - day_b).days) > WINDOW_DAYS


def _compatible(a: Candidate, b: Candidate) -> bool:
    """Whether two events a new report links are one: a report of each must match well, and
    none be another meeting or act. Without this, a round-up naming two signings of one summit
    would merge them."""
    if any(conflict(x, y) or _apart(x, y) for x in a.members for y in b.members):
        return False
    return any(similarity(x, y) >= MERGE_FLOOR for x in a.members for y in b.members)


def cluster(reports: Sequence[Report]) -> list[list[Report]]:
    """Group reports into events, in a fixed order (day, first seen, URL): deterministic.

    An event stays open to later reports while its latest report is within reach (days apart
    plus the widest window, the first-seen one). A year-less day that no window places, and a
    report with no day at all, are linked last: the first against every event holding a report
    of its month and day, the second against every event.
    """
    ordered = sorted(reports, key=_order)
    late = [r for r in ordered if when(r).month_day is not None or when(r).anchor is None]
    events: dict[str, list[Report]] = {}
    latest: dict[str, date] = {}  # events still open: their latest report's day
    by_month_day: dict[tuple[int, int], set[str]] = {}
    anchors: dict[str, date] = {}  # every event's latest report's day
    reach = 2 * WINDOW_DAYS + 1 + FIRST_SEEN_PAST
    serial = 0
    for report in ordered:
        day = when(report).anchor
        if day is None or when(report).month_day is not None:
            continue
        for key in [k for k, last in latest.items() if (day - last).days > reach]:
            del latest[key]
        parties = set(report.item.countries)
        open_ = [k for k in latest if parties_meet(parties, _parties(events[k]))]
        key = _file(report, [Candidate(k, tuple(events[k])) for k in open_], events, serial)
        serial += 1
        merged = [k for k in latest if k not in events]
        latest[key] = max([day, *(latest.pop(k) for k in merged), latest.get(key, day)])
        anchors[key] = latest[key]
        for reported in events[key]:  # a merge brings the merged event's reports
            if (known := when(reported).day) is not None:
                by_month_day.setdefault((known.month, known.day), set()).add(key)
    for report in late:
        moment = when(report)
        md = moment.month_day
        keys = sorted(events)
        if md is not None:
            recent = set()
            if moment.hi is not None:
                start = moment.hi - timedelta(FIRST_SEEN_PAST + reach)
                recent = {k for k, last in anchors.items()
                          if k in events and start <= last <= moment.hi + timedelta(reach)}
            keys = sorted(recent | {k for near in _near(md) for k in by_month_day.get(near, ())
                                    if k in events})
        key = _file(report, [Candidate(k, tuple(events[k])) for k in keys], events, serial)
        serial += 1
        if md is not None:
            by_month_day.setdefault(md, set()).add(key)
    return list(events.values())


def _file(report: Report, candidates: list[Candidate], events: dict[str, list[Report]],
          serial: int) -> str:
    """Link ``report`` among ``candidates`` and file it in ``events``; the key it went to."""
    decision = link(report, candidates)
    key = decision.event_id or f"{serial:09d}"
    events.setdefault(key, []).append(report)
    for other in decision.merge:
        events[key].extend(events.pop(other))
    return key


def parties_meet(a: set[str], b: set[str]) -> bool:
    """Whether a report's countries and an event's (all its reports') may be one event's: two
    shared, one when either side has one (``similarity``'s gate, on the event's union)."""
    return len(a & b) >= max(1, min(2, len(a), len(b)))


def _parties(reports: Sequence[Report]) -> set[str]:
    return {c for r in reports for c in r.item.countries}


def _near(month_day: tuple[int, int]) -> list[tuple[int, int]]:
    middle = date(2000, *month_day)
    return [((middle + timedelta(k)).month, (middle + timedelta(k)).day) for k in (-1, 0, 1)]


def _order(report: Report) -> tuple[str, str, str]:
    anchor = when(report).anchor
    return (anchor.isoformat() if anchor else "9999", report.first_seen or "", report.item.url)


# Pure: the event row


def best_report(reports: Sequence[Report]) -> Report:
    """Highest score, then longest summary, then earliest published, then URL."""
    return min(
        reports,
        key=lambda r: (
            -r.item.score,
            -len(r.item.summary or ""),
            r.item.published or "9999",
            r.item.url,
        ),
    )


def _place(reports: Sequence[Report], best: Report) -> str | None:
    places = Counter(p for p in (canonical_place(r.item.place) for r in reports) if p)
    if not places:
        return None
    top = max(places.values())
    tied = sorted(p for p, n in places.items() if n == top)
    preferred = canonical_place(best.item.place)
    return preferred if preferred in tied else tied[0]


def _union(values: Iterable[Iterable[str]]) -> str:
    return json.dumps(sorted({v for vs in values for v in vs}), ensure_ascii=False)


def event_date(reports: Sequence[Report]) -> tuple[str | None, str, str | None]:
    """The event's day, how it is known and its ``--MM-DD``.

    The day its reports give most often (ties: the earliest), known as the best of theirs
    (stated, inferred, year-less: a month and day placed in the one year its window allows);
    else the month and day its year-less reports give (basis year-less, no date); else none
    (missing: its first report's publication dates it).
    """
    whens = [when(r) for r in reports]
    days = Counter(w.day for w in whens if w.day is not None)
    if days:
        day = min(days, key=lambda d: (-days[d], d))
        basis = min((w.basis for w in whens if w.day == day), key=KNOWN.index)
        return day.isoformat(), basis, f"--{day.month:02d}-{day.day:02d}"
    yearless = Counter(w.month_day for w in whens if w.month_day is not None)
    if yearless:
        md = min(yearless, key=lambda m: (-yearless[m], m))
        return None, "year-less", f"--{md[0]:02d}-{md[1]:02d}"
    return None, "missing", None


def event_row(event_id: str, reports: Sequence[Report]) -> dict:
    """The ``events`` row summarising ``reports`` (see jobs/metadata.yml for each column)."""
    best = best_report(reports)
    items = [r.item for r in reports]
    day, basis, month_and_day = event_date(reports)
    published = sorted(i.published for i in items if i.published)
    seen = sorted(r.first_seen for r in reports if r.first_seen)
    return {
        "id": event_id,
        "title": best.item.title,
        "url": best.item.url,
        "event_date": day,
        "place": _place(reports, best),
        "countries": _union(i.countries for i in items),
        "organisations": _union(
            (canonical_organisation(o) for o in i.organisations) for i in items
        ),
        "kinds": _union(i.kinds for i in items),
        "topics": _union(i.topics for i in items),
        "reports": len(items),
        "outlets": len({i.source for i in items}),
        "first_reported": published[0] if published else None,
        "last_reported": published[-1] if published else None,
        "first_seen": seen[0] if seen else None,
        "event_date_basis": basis,
        "event_day": month_and_day,
    }


def new_event_id(url: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A stable id from the URL of the report that started the event."""
    base = hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
