"""The day of the event an item reports (rules in ``jobs.classify.fields``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from jobs.classify.dates import DateHit, find_dates
from jobs.classify.roles import is_core, is_lead
from jobs.classify.sentences import Reading, Sentence
from jobs.classify.years import YearHints, year_hints

DATE_SENTENCES = 6
PAST_WINDOW = timedelta(days=45)
BOUND_PAST_WINDOW = timedelta(days=366)
FUTURE_WINDOW = timedelta(days=200)


@dataclass(frozen=True)
class Event:
    """The event's day and how it is known: ``stated`` (the text gives day and year),
    ``inferred`` (a relative or year-less day resolved against the reference day, a weekday or
    the text's own year; or the dateline's day), ``year-less`` (``month_day`` only: nothing fixes
    the year), ``missing`` (no day)."""

    day: date | None
    sentence: Sentence | None
    basis: str = "missing"
    month_day: tuple[int, int] | None = None

    @classmethod
    def of(cls, hit: DateHit, sentence: Sentence) -> Event:
        return cls(hit.value, sentence, hit.basis, hit.month_day)

    @property
    def yearless(self) -> str | None:
        """A day whose year is unknown, ``--MM-DD`` (ISO 8601's form without a year)."""
        if self.day is not None or self.month_day is None:
            return None
        return f"--{self.month_day[0]:02d}-{self.month_day[1]:02d}"


def _in_window(day: date | None, ref: date | None, bound: bool = False) -> bool:
    """A day not too far from the reference day; a year-less day (None) cannot be tested. A
    reference that is only a bound (``_bound``) may be long after the page: a wider past."""
    past = BOUND_PAST_WINDOW if bound else PAST_WINDOW
    return day is None or ref is None or ref - past <= day <= ref + FUTURE_WINDOW


def _bound(reading: Reading) -> bool:
    """The reference day is the pipeline's (a feed's own date, the day a fresh listing first
    showed the page: ``Reading.reference``), a day by which the page existed, not its date."""
    return reading.ref is not None and not (reading.dateline_date or reading.published)


REPORT_GAP = 25  # characters between a verb of saying and the date it gives the report
SAID_AFTER = 8  # ... or between the date and the verb ("Bộ ... ngày 15/8 cho biết")
ACT_BEFORE = 40  # characters from an event verb to its date ("opened on Monday") ...
ACT_AFTER = 30  # ... or from a date to its verb ("on Monday opened", "sáng 5/6 đã ký kết")
FRONT = 20  # a date this close to the start of a sentence may belong to the verb of saying after it
SETTING_BEFORE = 80  # characters before a span in which a visit makes it the visit's dates
# A visit, a trip or a stay: its span is the setting of the acts it holds, not their day.
_VISIT = re.compile(
    r"\b(?:visit(?:s|ed|ing)?|trip|tour|stay|mission|chuyến thăm|chuyến công tác|thăm|công tác)\b",
    re.I,
)
# An event that spans days itself and whose first day is its day: a forum, a course, a festival.
_OPENING = re.compile(
    r"\b(?:forum|seminar|workshop|conference|course|training|festival|exhibition|fair|week|"
    r"summit|congress|assembly|diễn đàn|hội thảo|hội nghị|khóa|lớp|tập huấn|liên hoan|"
    r"triển lãm|hội chợ|tuần|đại hội)\b",
    re.I,
)


# Acts held within a visit that are not the visit itself: a signing, talks, a reception.
_DISTINCT_ACT = re.compile(
    r"\b(?:sign(?:s|ed|ing)?|inked|renewed|(?:held\s+)?talks|received|receives|hosted|"
    r"ký kết|hội đàm|hội kiến|tiếp xã giao|tiếp đoàn)\b|(?<!thư )\bký\b(?!\s+(?:giả|ức|sự|túc))",
    re.I,
)


def _acts_within(reading: Reading) -> bool:
    """The lead tells an act held within a visit (a signing, talks, a reception): the visit's
    span is then its setting. Without one, the visit is the item and begins on its first day."""
    return any(is_lead(s) and _DISTINCT_ACT.search(s.text) for s in reading.sentences)


def _setting(sentence: Sentence, hit: DateHit, within: bool = True) -> bool:
    """A span that dates a visit ("paid a working visit from November 19 to 21", "thăm và làm
    việc từ ngày 19 đến 21/11") holding another act (``within``, see ``_acts_within``): the
    setting of the act, not its day. A span whose nearest event before it is a forum or a
    course ("the forum took place from 19 to 21 November") dates that event, which begins on
    its first day."""
    if not hit.span or not within:
        return False
    before = sentence.text[max(0, hit.start - SETTING_BEFORE) : hit.start]
    visits = [m.end() for m in _VISIT.finditer(before)]
    openings = [m.end() for m in _OPENING.finditer(before)]
    return bool(visits) and (not openings or max(visits) > max(openings))


def _reports(sentence: Sentence, hit: DateHit) -> bool:
    """The date tells when the report was made, not the event: "the foundation said Wednesday",
    "announced in a statement on Monday", "Hội Nhà báo ngày 15/8 cho biết", "Ngày 20/11, Bộ ...
    cho biết"."""
    for start, end in sentence.says:
        if 0 <= hit.start - end <= REPORT_GAP or 0 <= start - hit.end <= SAID_AFTER:
            return True
    if hit.start <= FRONT:
        later = [start for start, _ in sentence.says if start > hit.end]
        acts = [start for start, _ in sentence.acts if start > hit.end]
        return bool(later) and (not acts or min(later) < min(acts))
    return False


def _acted(sentence: Sentence, hit: DateHit) -> bool:
    """The date belongs to a verb of the event: "which opened Monday", "signed on October 15"."""
    return any(
        0 <= hit.start - end <= ACT_BEFORE or 0 <= start - hit.end <= ACT_AFTER
        for start, end in sentence.acts
    )


def event_date(reading: Reading) -> Event:
    """The day of the event (see the module docstring). A date given by a verb of saying ("the
    foundation said Wednesday") dates the report: a later date of the opening attached to a verb
    of the event ("the programme, which opened Monday") wins over it. The span of a visit is
    its setting, never the day of an act in it. With no reference day, a year-less day is kept
    as such (``Event.month_day``, basis ``year-less``) unless the text fixes its year."""
    hints = year_hints([s.text for s in reading.sentences])
    found = _find_event(reading, hints)
    return _settle_year(reading, found, hints) if found.yearless else found


def _settle_year(reading: Reading, event: Event, hints: YearHints) -> Event:
    """A year-less day the text writes again with its year elsewhere ("5-12" in the lead,
    "5/12/2022" further on) takes that year."""
    for s in reading.sentences:
        for hit in find_dates(s.text, reading.ref, None, hints, _bound(reading)):
            if hit.value and hit.month_day == event.month_day:
                return Event(hit.value, event.sentence, "inferred", event.month_day)
    return event


def _find_event(reading: Reading, hints: YearHints) -> Event:
    ref, previous, bound = reading.ref, None, _bound(reading)
    within = _acts_within(reading)
    report: Event | None = None
    aside: Event | None = None  # the date of a sentence with no verb of the event
    early = [
        s for s in reading.sentences if s.role == "description" or 0 <= s.position < DATE_SENTENCES
    ]
    for s in early:
        if not s.usable:
            continue
        for hit in find_dates(s.text, ref, previous, hints, bound):
            if _in_window(hit.value, ref, bound) and not _setting(s, hit, within) and (
                s.coop or s.position == 0 or s.role == "description"
            ):
                if report is None and _reports(s, hit) and not _acted(s, hit):
                    report = Event.of(hit, s)
                elif report is None and not s.acts:
                    aside = aside or Event.of(hit, s)  # "On November 19, the delegation arrived"
                elif report is None or (_acted(s, hit) and not _reports(s, hit)):
                    return Event.of(hit, s)
            previous = hit.value or previous
    if aside or report:
        return aside or report  # an aside is only kept before any report date
    first = next((s for s in reading.sentences if s.role == "body"), None)
    if reading.dateline_date:
        return Event(reading.dateline_date, first, "inferred")
    dated = find_dates(reading.dateline, ref, None, hints, bound)  # "Seoul, March 3 (VNA)", no year
    if dated:
        return Event.of(dated[0], first)
    for s in reading.sentences:
        if is_core(s) and s.position >= DATE_SENTENCES:
            hits = [
                h
                for h in find_dates(s.text, ref, None, hints, bound)
                if _in_window(h.value, ref, bound) and not _setting(s, h, within)
            ]
            if hits:
                return Event.of(hits[0], s)
    return Event(None, None)
