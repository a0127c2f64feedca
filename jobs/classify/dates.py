"""Dates written in news text, resolved to calendar days against a reference day.

``find_dates(sentence, ref, previous)`` returns every day-level date expression of a sentence in
reading order, each resolved against ``ref`` (the publication or dateline day):

* explicit days: ``April 14``, ``14 April 2025``, ``Nov. 11``, ``2025-04-14``, ``ngày 14/4``,
  ``sáng 14-4``, ``(14/4)``, ``ngày 14 tháng 4 năm 2025``, ranges (``12-14/4``, ``November 11-12``)
  give their first day; a missing year is the one that puts the day closest to ``ref``;
* relative days: ``today``, ``yesterday``, ``this morning``, ``on Monday`` (the latest Monday on or
  before ``ref``, or the next one in a sentence about the future), ``hôm nay``, ``sáng nay``,
  ``hôm qua``, ``chiều qua``, ``thứ Hai``;
* ``the same day``, ``cùng ngày``: the date met before (``previous``) or ``ref``.

A bare year or month (``in 2015``, ``2025-2026``) is not a day and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
_RANGE = r"(?:\s*(?:-|–|and|to|&)\s*\d{1,2}" + _ORD + r")?"
_YEAR = r"(?:,?\s+(?P<y>(?:19|20)\d{2}))?"
_VI_TIME = r"(?:ngày|sáng|chiều|tối|trưa|đêm|hôm|khuya|rạng sáng)"

_EXPLICIT = [
    re.compile(rf"\b{_MONTH}\.?\s+(?P<d>\d{{1,2}}){_ORD}(?!\d){_RANGE}{_YEAR}", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}{_RANGE}\s+(?:of\s+)?{_MONTH}\b\.?{_YEAR}", re.I),
    re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(
        rf"(?:{_VI_TIME}\s+(?:nay\s+|qua\s+)?\(?\s*|\(\s*|(?:từ|đến|và)\s+(?:ngày\s+)?)"
        r"(?P<d>\d{1,2})(?:\s*(?:-|–|và|đến)\s*\d{1,2})?\s*/\s*(?P<m>\d{1,2})(?:\s*/\s*(?P<y>\d{4}))?(?![\d/])",
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


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    value: date
    explicit: bool


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


def _closest_year(month: int, day: int, ref: date, future: bool) -> date | None:
    candidates = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    if future:
        ahead = [c for c in candidates if timedelta(0) <= c - ref <= timedelta(days=200)]
        if ahead:
            return ahead[0]
    return min(candidates, key=lambda c: (abs((c - ref).days), c > ref))


def _explicit(match: re.Match[str], ref: date | None, future: bool) -> date | None:
    day, month = int(match.group("d")), _month_number(match)
    year = match.groupdict().get("y")
    if year:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    return _closest_year(month, day, ref, future) if ref else None


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


def find_dates(sentence: str, ref: date | None, previous: date | None = None) -> list[DateHit]:
    """Every day-level date in ``sentence``, in reading order (see the module docstring)."""
    hits: list[DateHit] = []
    for pattern in _EXPLICIT:
        for m in pattern.finditer(sentence):
            value = _explicit(m, ref, _future(sentence, m.start()))
            if value:
                hits.append(DateHit(m.start(), m.end(), value, True))
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
    return _dedupe(sorted(hits, key=lambda h: (h.start, -h.end)))


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


def first_date(sentence: str, ref: date | None, previous: date | None = None) -> date | None:
    hits = find_dates(sentence, ref, previous)
    return hits[0].value if hits else None
