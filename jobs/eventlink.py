"""Link items that report the same real-world event, across outlets and languages.

The same signing is reported by both partners' agencies, an English daily and a Vietnamese
broadcaster, in two or three languages, on different days. ``similarity(a, b)`` compares two
reports on language-independent signals only:

    date          event_date (else published) within ``WINDOW_DAYS``: a hard gate
    countries     the parties: at least two shared (one if a side has one): a hard gate
    organisations canonical names, aliases resolved through the gazetteer (overlap); two
                  reports naming their parties with none in common are penalised
    place         canonical city, aliases resolved; two known, different cities are penalised
    kinds, topics overlap of the classifier's labels
    text          of title + summary: concepts from a small English/Vietnamese keyword map
                  (ký ↔ sign, hội thảo ↔ seminar, truyền hình ↔ television, ...), acronyms,
                  proper names without diacritics (Nguyễn ↔ Nguyen), numbers

``link(item, candidates)`` joins the item to the event holding its most similar report, when that
reaches ``LINK_THRESHOLD`` (single linkage, bounded by the event's date); other events it links
are merged into that one when a report of each matches at ``MERGE_FLOOR``. Nothing here reads a
clock or the network.

The database side (``assign_event``, ``relink_all``) is in ``jobs.events``; this module is pure.
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
from datetime import date
from functools import lru_cache

from jobs.classify import gazetteer
from jobs.models import Item
from jobs.text import fold

log = logging.getLogger(__name__)

WINDOW_DAYS = 3
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


# Pure: features and similarity


@dataclass(frozen=True)
class Candidate:
    """An existing event and the reports it holds (never the item being linked)."""

    event_id: str
    members: tuple[Item, ...]

    @property
    def day(self) -> tuple[date, bool] | None:
        return event_day(self.members)


@dataclass(frozen=True)
class Decision:
    """Join ``event_id`` (None: start a new event), merging ``merge`` into it."""

    event_id: str | None
    score: float = 0.0
    merge: tuple[str, ...] = ()


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def item_day(item: Item) -> tuple[date, bool] | None:
    """The day it happened and whether that is known (False: fallen back to published)."""
    if (day := _day(item.event_date)) is not None:
        return day, True
    day = _day(item.published)
    return (day, False) if day is not None else None


def event_day(items: Iterable[Item]) -> tuple[date, bool] | None:
    """The most reported event date (ties: the earliest), else the earliest publication."""
    items = list(items)
    dates = Counter(d for d in (_day(i.event_date) for i in items) if d is not None)
    if dates:
        return min(dates, key=lambda d: (-dates[d], d)), True
    published = [d for d in (_day(i.published) for i in items) if d is not None]
    return (min(published), False) if published else None


def days_apart(a: tuple[date, bool], b: tuple[date, bool]) -> int:
    """Days between two event days; a publication date may trail its event by a day."""
    gap = abs((a[0] - b[0]).days)
    return max(0, gap - 1) if not (a[1] and b[1]) else gap


def _key(name: str) -> str:
    return " ".join(_WORD.findall(fold(unicodedata.normalize("NFC", name))))


def canonical_organisation(name: str) -> str:
    """The classifier's canonical name for ``name`` (``TTXVN`` is ``VNA``), else ``name``."""
    return gazetteer.canonical_organisation(name) or name


def canonical_place(name: str | None) -> str | None:
    """The classifier's canonical name for a place (``Hanoi City`` is ``Hà Nội``), else ``name``."""
    if not name or not name.strip():
        return None
    return gazetteer.canonical_place(name) or name.strip()


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


def _date_score(gap: int, both_resolved: bool) -> float:
    """Two resolved event dates of one event rarely differ by more than a day (time zones);
    a publication date standing in for one may trail it by a few."""
    return max(0.0, 1 - gap / 2) if both_resolved else 1 - gap / (WINDOW_DAYS + 1)


def similarity(a: Item, b: Item) -> float:
    """How likely two reports are of one event, 0 to 1 (0 when a hard gate fails)."""
    day_a, day_b = item_day(a), item_day(b)
    if day_a is None or day_b is None or (gap := days_apart(day_a, day_b)) > WINDOW_DAYS:
        return 0.0
    shared = set(a.countries) & set(b.countries)
    if len(shared) < min(2, len(a.countries), len(b.countries)) or not shared:
        return 0.0
    parties_a = {canonical_organisation(o) for o in a.organisations}
    parties_b = {canonical_organisation(o) for o in b.organisations}
    signals = {
        "date": _date_score(gap, day_a[1] and day_b[1]),
        "countries": len(shared) / len(set(a.countries) | set(b.countries)),
        "organisations": _overlap(parties_a, parties_b),
        "place": _place_score(a.place, b.place),
        "kinds": _overlap(set(a.kinds), set(b.kinds)),
        "topics": _overlap(set(a.topics), set(b.topics)),
        "text": _dice(
            text_signature(f"{a.title}\n{a.summary}"), text_signature(f"{b.title}\n{b.summary}")
        ),
    }
    score = sum(WEIGHTS[name] * value for name, value in signals.items())
    if parties_a and parties_b and not signals["organisations"]:
        score *= DISJOINT_PARTIES
    return score * PLACE_CONFLICT if signals["place"] == 0 else score


def link(item: Item, candidates: Sequence[Candidate]) -> Decision:
    """The event ``item`` belongs to among ``candidates``, or Decision(None) for a new one."""
    day = item_day(item)
    if day is None:
        return Decision(None)
    scored: list[tuple[float, Candidate, tuple[date, bool]]] = []
    for candidate in candidates:
        cday = candidate.day
        if cday is None or days_apart(day, cday) > WINDOW_DAYS:
            continue
        score = max((similarity(item, member) for member in candidate.members), default=0.0)
        if score >= LINK_THRESHOLD:
            scored.append((score, candidate, cday))
    if not scored:
        return Decision(None)
    scored.sort(key=lambda entry: (-entry[0], entry[1].event_id))
    score, best, best_day = scored[0]
    merge = sorted(
        c.event_id
        for _, c, d in scored[1:]
        if days_apart(d, best_day) <= WINDOW_DAYS and _compatible(best, c)
    )
    return Decision(best.event_id, round(score, 4), tuple(merge))


def _compatible(a: Candidate, b: Candidate) -> bool:
    """Whether two events a new report links are one: a report of each must match well.

    Without this, a round-up naming two signings of one summit would merge them.
    """
    return any(similarity(x, y) >= MERGE_FLOOR for x in a.members for y in b.members)


# Pure: the event row


@dataclass(frozen=True)
class Report:
    """An item as stored: when coopwatch first saw it and the event it is filed under."""

    item: Item
    first_seen: str | None = None
    event_id: str | None = None


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


def event_row(event_id: str, reports: Sequence[Report]) -> dict:
    """The ``events`` row summarising ``reports`` (see jobs/metadata.yml for each column)."""
    best = best_report(reports)
    items = [r.item for r in reports]
    day = event_day(items)
    published = sorted(i.published for i in items if i.published)
    seen = sorted(r.first_seen for r in reports if r.first_seen)
    return {
        "id": event_id,
        "title": best.item.title,
        "url": best.item.url,
        "event_date": day[0].isoformat() if day and day[1] else None,
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
    }


def new_event_id(url: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A stable id from the URL of the report that started the event."""
    base = hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def cluster(reports: Sequence[Report]) -> list[list[Report]]:
    """Group reports into events, in a fixed order (day, first seen, URL): deterministic."""
    dated = sorted((r for r in reports if item_day(r.item)), key=_order)
    events: dict[str, list[Report]] = {}
    latest: dict[str, date] = {}  # events still open: their latest report's day
    for serial, report in enumerate(dated):
        day = item_day(report.item)[0]  # type: ignore[index]
        for key in [k for k, last in latest.items() if (day - last).days > 2 * WINDOW_DAYS + 1]:
            del latest[key]
        candidates = [Candidate(key, tuple(m.item for m in events[key])) for key in latest]
        decision = link(report.item, candidates)
        key = decision.event_id or f"{serial:09d}"
        events.setdefault(key, []).append(report)
        for other in decision.merge:
            events[key].extend(events.pop(other))
            latest.pop(other)
        latest[key] = day
    undated = [[r] for r in sorted(reports, key=_order) if not item_day(r.item)]
    return [*events.values(), *undated]


def _order(report: Report) -> tuple[str, str, str]:
    day = item_day(report.item)
    return (day[0].isoformat() if day else "9999", report.first_seen or "", report.item.url)


# The database
