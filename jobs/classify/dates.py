"""Dates written in news text, resolved to calendar days against a reference day.

``find_dates(sentence, ref, previous, hints)`` returns every day-level date expression of a
sentence in reading order, each resolved against ``ref`` (the dateline or publication day, else
the pipeline's reference: see ``jobs.classify.sentences.Reading.ref``):

* explicit days: ``April 14``, ``14 April 2025``, ``Nov. 11``, ``2025-04-14``, ``ngày 14/4``,
  ``sáng 14-4``, ``(14/4)``, ``ngày 14 tháng 4 năm 2025``; ranges (``12-14/4``, ``November 11-12``,
  ``from November 19 to 21``, ``từ ngày 19 đến 21/11``) give their first day and are marked
  ``span``; a missing year is the one that puts the day closest to ``ref`` (when ``ref`` is only
  a ``bound``, a day by which the page existed, the latest on or before it); with no ``ref``, the
  year the text itself gives by an anniversary's arithmetic (``YearHints.anchor``);
* a weekday written with an explicit day (``on Wednesday, November 20``, ``thứ Tư (20/11)``,
  ``20/11 (thứ Tư)``) decides its year: among the years around ``ref`` (with no ``ref``, the
  years the text names, see ``YearHints``), the one in which that day is that weekday;
* relative days: ``today``, ``yesterday``, ``this morning``, ``on Monday`` (the latest Monday on or
  before ``ref``, or the next one in a sentence about the future), ``hôm nay``, ``sáng nay``,
  ``hôm qua``, ``chiều qua``, ``thứ Hai``;
* ``the same day``, ``cùng ngày``: the date met before (``previous``) or ``ref``.

Each hit says how its day is known (``basis``): ``stated`` (the text gives the year), ``inferred``
(the year or the day comes from ``ref``, a weekday or the text's own year), or, only when
``hints`` are given, ``year-less``: a month and day (``month_day``) whose year nothing fixes,
kept with ``value`` None instead of dropped. A year is never taken from the clock.

A bare year or month (``in 2015``, ``2025-2026``) is not a day and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from jobs.classify.years import YearHints, calendar_day, unreferenced

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
_RANGE = r"(?P<to>\s*(?:-|–|and|to|until|till|through|&)\s*\d{1,2}" + _ORD + r")?"
_YEAR = r"(?:,?\s+(?P<y>(?:19|20)\d{2}))?"
_VI_TIME = r"(?:ngày|sáng|chiều|tối|trưa|đêm|hôm|khuya|rạng sáng)"

_EXPLICIT = [
    re.compile(rf"\b{_MONTH}\.?\s+(?P<d>\d{{1,2}}){_ORD}(?!\d){_RANGE}{_YEAR}", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}{_RANGE}\s+(?:of\s+)?{_MONTH}\b\.?{_YEAR}", re.I),
    re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(
        rf"(?:{_VI_TIME}\s+(?:nay\s+|qua\s+)?\(?\s*|\(\s*|(?:từ|đến|và)\s+(?:ngày\s+)?)"
        r"(?P<d>\d{1,2})(?P<to>\s*(?:-|–|và|đến|tới)\s*\d{1,2})?\s*/\s*(?P<m>\d{1,2})(?:\s*/\s*(?P<y>\d{4}))?(?![\d/])",
        re.I,
    ),
    re.compile(
        r"(?<![\d/.])(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>(?:19|20)\d{2})(?!\d)",
    ),
    re.compile(
        rf"{_VI_TIME}\s+(?:nay\s+)?\(?\s*(?P<d>\d{{1,2}})[-.](?P<m>\d{{1,2}})(?:[-.](?P<y>\d{{4}}))?(?![\d/])",
        re.I,
    ),
    re.compile(
        r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s+năm\s+(?P<y>\d{4}))?(?!\d)",
        re.I,
    ),
]
_WEEKDAYS_EN = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_WEEKDAYS_VI = {
    "hai": 0, "2": 0, "ba": 1, "3": 1, "tư": 2, "4": 2, "năm": 3, "5": 3, "sáu": 4, "6": 4,
    "bảy": 5, "7": 5,
}  # fmt: skip
_RELATIVE = [
    (re.compile(r"\b(?:sáng|chiều|tối|trưa|đêm|hôm)\s+nay\b|\bhôm nay\b", re.I), 0),
    (re.compile(r"\b(?:sáng|chiều|tối|trưa|đêm|hôm)\s+qua\b|\bngày hôm qua\b", re.I), -1),
    (re.compile(r"\bhôm kia\b", re.I), -2),
    (re.compile(r"\bngày mai\b", re.I), 1),
    (re.compile(r"\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b"), 0),
    (re.compile(r"\byesterday\b", re.I), -1),
    (re.compile(r"\btomorrow\b", re.I), 1),
]
_SAME_DAY = re.compile(r"\b(?:the\s+)?same\s+day\b|\bcùng\s+ngày\b", re.I)
_WEEKDAY_EN = re.compile(
    r"\b(?:(?P<which>last|next|this|coming)\s+)?(?P<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_WEEKDAY_VI = re.compile(
    r"(?:(?P<pre>vào|sáng|chiều|tối|trưa|hôm|ngày)\s+)?[Tt]hứ\s+(?:(?P<day>Hai|Ba|Tư|Năm|Sáu|Bảy)|(?P<num>[2-7]))"
    r"(?P<next>\s+tới)?(?!\w)|(?P<sunday>Chủ\s+[Nn]hật)(?P<next2>\s+tới)?"
)
FUTURE_REACH = 40  # characters before a date in which "will" makes it a future date
_FUTURE = re.compile(
    r"\b(?:will|shall|to be held|is scheduled|are scheduled|upcoming|sẽ|sắp)\b", re.I
)


STATED, INFERRED, YEARLESS = "stated", "inferred", "year-less"
_DIGIT = re.compile(r"\d")
_WEEKDAY_NAME = (
    r"(?:(?P<en>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|[Tt]hứ\s+(?P<vi>Hai|Ba|Tư|Năm|Sáu|Bảy)|(?P<cn>Chủ\s+[Nn]hật)"
    r"|(?:vào|sáng|chiều|tối|trưa|hôm|ngày)\s+[Tt]hứ\s+(?P<vn>[2-7]))"  # not "lần thứ 5"
)
_WEEKDAY_BEFORE = re.compile(_WEEKDAY_NAME + r"[\s,]*(?:the\s+|on\s+|ngày\s+)?\(?\s*$")
_WEEKDAY_AFTER = re.compile(r"[\s,]*\(?\s*(?:on\s+(?:a\s+)?)?" + _WEEKDAY_NAME + r"(?!\w)")
_SPAN_FROM = re.compile(r"\b(?:from|between|từ)\s+(?:ngày\s+|the\s+)?\(?\s*$", re.I)
_SPAN_TO = re.compile(r"\s*(?:to|until|till|through|and|-|–|đến|tới)\s+(?:ngày\s+|the\s+)?", re.I)
_SPAN_OPENS = re.compile(r"(?:đến|tới)\b", re.I)  # the second match of "từ 19/11 đến ngày 21/11"
_SPAN_OPENS_FROM = re.compile(r"từ\b", re.I)
BOUND_SLACK = timedelta(days=1)  # a bound's day may be a time zone behind the event's
WEEKDAY_REACH = timedelta(days=200)  # how far from ref a weekday may move a day to another year


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    value: date | None  # None only for a year-less day (see month_day)
    explicit: bool
    basis: str = INFERRED  # stated | inferred | year-less
    month_day: tuple[int, int] | None = None
    span: bool = False  # the first day of a range: "from November 19 to 21", "19-21/11"


def parse_published(value: str | None) -> date | None:
    """The calendar day of an ISO 8601 date or datetime, as written (no timezone shift)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None


def _month_number(match: re.Match[str]) -> int:
    if match.groupdict().get("mon"):
        return _MONTHS[match.group("mon")[:3].lower()]
    return int(match.group("m"))


def _closest_year(
    month: int, day: int, ref: date, future: bool, weekday: int | None = None, bound: bool = False
) -> date | None:
    """The day nearest ``ref`` (the next one ahead in a sentence about the future; with
    ``bound``, the latest on or before ``ref``); a weekday given with it ("Wednesday, November
    20") keeps only the years in which it falls on it, within ``WEEKDAY_REACH`` of ``ref`` (a
    weekday that fits no year near ``ref`` is a slip: ignored)."""
    years = (ref.year - 1, ref.year, ref.year + 1)
    candidates = [d for y in years if (d := calendar_day(y, month, day))]
    agreeing = [
        c for c in candidates if c.weekday() == weekday and abs(c - ref) <= WEEKDAY_REACH
    ]
    candidates = agreeing or candidates
    if not candidates:
        return None
    if future:
        ahead = [c for c in candidates if timedelta(0) <= c - ref <= timedelta(days=200)]
        if ahead:
            return ahead[0]
    if bound and (before := [c for c in candidates if c <= ref + BOUND_SLACK]):
        return max(before)
    return min(candidates, key=lambda c: (abs((c - ref).days), c > ref))


def _weekday_number(match: re.Match[str]) -> int:
    if match.group("en"):
        return _WEEKDAYS_EN[match.group("en").lower()]
    if match.group("cn"):
        return 6
    return _WEEKDAYS_VI[(match.group("vi") or match.group("vn")).lower()]


def _named_weekday(sentence: str, match: re.Match[str]) -> int | None:
    """The weekday written right before or after an explicit day: "Wednesday, November 20",
    "thứ Tư (20/11)", "ngày 20/11 (thứ Tư)"."""
    before = _WEEKDAY_BEFORE.search(sentence, max(0, match.start() - 30), match.start())
    if before:
        return _weekday_number(before)
    after = _WEEKDAY_AFTER.match(sentence, match.end())
    return _weekday_number(after) if after and after.start() - match.end() <= 3 else None


def _explicit(
    sentence: str, match: re.Match[str], ref: date | None, hints: YearHints | None, bound: bool
) -> DateHit | None:
    day, month = int(match.group("d")), _month_number(match)
    span = bool(match.groupdict().get("to"))
    hit = DateHit(match.start(), match.end(), None, True, YEARLESS, (month, day), span)
    year = match.groupdict().get("y")
    if year:
        value = calendar_day(int(year), month, day)
        return replace(hit, value=value, basis=STATED) if value else None
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    weekday = _named_weekday(sentence, match)
    if ref:
        value = _closest_year(month, day, ref, _future(sentence, match.start()), weekday, bound)
    else:
        value = unreferenced(month, day, weekday, hints or YearHints())
    if value:
        return replace(hit, value=value, basis=INFERRED)
    return hit if hints is not None and calendar_day(2000, month, day) else None


def _weekday(target: int, ref: date, direction: str) -> date:
    """The ``target`` weekday nearest ``ref``: on or before it (``past``), on or after (``future``),
    strictly before (``last``) or strictly after (``next``)."""
    back = (ref.weekday() - target) % 7
    ahead = (target - ref.weekday()) % 7
    if direction == "last":
        return ref - timedelta(days=back or 7)
    if direction == "next":
        return ref + timedelta(days=ahead or 7)
    if direction == "future":
        return ref + timedelta(days=ahead)
    return ref - timedelta(days=back)


def _weekday_hits(sentence: str, ref: date) -> list[DateHit]:
    hits = []
    for m in _WEEKDAY_EN.finditer(sentence):
        which = (m.group("which") or "").lower()
        default = "future" if _future(sentence, m.start()) else "past"
        direction = {"last": "last", "next": "next", "coming": "future"}.get(which, default)
        hits.append(
            DateHit(
                m.start(),
                m.end(),
                _weekday(_WEEKDAYS_EN[m.group("day").lower()], ref, direction),
                False,
            )
        )
    for m in _WEEKDAY_VI.finditer(sentence):
        if m.group("num") and not m.group("pre"):
            continue  # "lần thứ 2" is "the second time"
        if m.group("sunday"):
            target, ahead = 6, bool(m.group("next2"))
        else:
            target = _WEEKDAYS_VI[(m.group("day") or m.group("num")).lower()]
            ahead = bool(m.group("next"))
        default = "future" if _future(sentence, m.start()) else "past"
        hits.append(
            DateHit(m.start(), m.end(), _weekday(target, ref, "next" if ahead else default), False)
        )
    return hits


def _future(sentence: str, at: int) -> bool:
    """A future word shortly before ``at``: "will meet on Friday", "sẽ diễn ra ngày 20/5"."""
    return bool(_FUTURE.search(sentence, max(0, at - FUTURE_REACH), at))


def find_dates(
    sentence: str,
    ref: date | None,
    previous: date | None = None,
    hints: YearHints | None = None,
    bound: bool = False,
) -> list[DateHit]:
    """Every day-level date in ``sentence``, in reading order (see the module docstring).

    With ``hints`` (the article's years), a day whose year neither ``ref`` nor the hints fix is
    kept as a year-less hit; without them it is dropped. ``bound``: ``ref`` is a day by which the
    page existed (a feed's date, the day it was first seen), not its own date, so a year-less
    day is the latest on or before it rather than the nearest."""
    hits: list[DateHit] = []
    for pattern in _EXPLICIT if _DIGIT.search(sentence) else ():  # every explicit day has one
        for m in pattern.finditer(sentence):
            hit = _explicit(sentence, m, ref, hints, bound)
            if hit:
                hits.append(hit)
    if ref:
        for pattern, shift in _RELATIVE:
            hits.extend(
                DateHit(m.start(), m.end(), ref + timedelta(days=shift), False)
                for m in pattern.finditer(sentence)
            )
        hits.extend(_weekday_hits(sentence, ref))
    same = previous or ref
    if same:
        hits.extend(DateHit(m.start(), m.end(), same, False) for m in _SAME_DAY.finditer(sentence))
    return _spans(sentence, _dedupe(sorted(hits, key=lambda h: (h.start, -h.end))))


def _dedupe(hits: list[DateHit]) -> list[DateHit]:
    """Drop hits overlapping an earlier one; an explicit day right after a relative one
    (``Monday (April 14)``, ``sáng nay (14/4)``) replaces it."""
    kept: list[DateHit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        if kept and hit.explicit and not kept[-1].explicit and hit.start - kept[-1].end <= 4:
            kept[-1] = hit
            continue
        kept.append(hit)
    return kept


def _spans(sentence: str, hits: list[DateHit]) -> list[DateHit]:
    """Two explicit days joined as a range ("from November 19 to November 21", "từ ngày 19/11
    đến ngày 21/11") become one span hit: its first day."""
    kept: list[DateHit] = []
    for hit in hits:
        last = kept[-1] if kept else None
        if (
            last is not None
            and last.explicit
            and hit.explicit
            and _joined(sentence, last, hit)
        ):
            kept[-1] = replace(last, end=hit.end, span=True)
            continue
        kept.append(hit)
    return kept


def _joined(sentence: str, first: DateHit, second: DateHit) -> bool:
    """"from <first> to <second>": the connector may open the second match ("đến ngày 21/11"),
    and "from" the first ("từ ngày 19/11")."""
    gap = sentence[first.end : second.start]
    joined = bool(_SPAN_TO.fullmatch(gap)) or (
        not gap.strip() and bool(_SPAN_OPENS.match(sentence, second.start))
    )
    opened = first.span or bool(
        _SPAN_FROM.search(sentence, max(0, first.start - 15), first.start)
        or _SPAN_OPENS_FROM.match(sentence, first.start)
    )
    return joined and opened


def first_date(sentence: str, ref: date | None, previous: date | None = None) -> date | None:
    hits = find_dates(sentence, ref, previous)
    return hits[0].value if hits else None
