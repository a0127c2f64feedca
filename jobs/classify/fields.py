"""Choosing an item's fields from the sentences of an article (see ``jobs.classify.sentences``).

The rules, in the order a reader applies them:

* a *core* sentence names a field in scope and an act of cooperation; not when media is one of
  three or more fields listed together (``education, health, culture and media``), when the
  cooperation is only demanded or reported on (``required platforms to cooperate``, ``the press
  covered the visit``), or when a body sentence dates it in an earlier year (``in 1973``);
* the *lead* is the title, the description and the first three body sentences;
* the **parties** are the countries (named, or through their organisations) of the lead's sentences
  about the cooperation; when the lead names fewer than two, those of the core sentences; then the
  country of the event's place; then the outlet's country when the text speaks of "the two sides".
  Language names are no countries (``bằng tiếng Anh``, ``Khmer-language``, ``in French``);
* the **organisations** are those of the parties' countries named in the sentences that *carry* the
  item: the title, the lead, and the core sentences that tell the signing, the agreement at a
  ceremony, the co-production, the exchange, or the meeting or forum itself. Those named only in
  the other core sentences (later context: ``AKP has worked with Nhân Dân for years``), guests
  at a ceremony (``Tham dự lễ ký có Bộ trưởng ...``, ``witnessed by``) and premises toured
  (``toured VNA's newsroom``, ``will visit newsrooms, including Yonhap and KBS``) count only for
  a party country none of the carrying sentences names. Never a news source quoted (``according
  to VNA``, ``according to a statement from the Ministry``, ``the ministry said in a statement``,
  ``(Xinhua)``, ``— VNS``) or a parent body (``Sputnik, which belongs to Rossiya Segodnya``), nor
  one met on a side event outside the lead (``On the occasion, the delegation also visited
  Granma``, ``đoàn cũng làm việc với TASS``); international bodies (ASEAN, ABU) only when the
  title names them;
* the **event date** is the first date of the description or of the first six body sentences that
  speaks of the cooperation (or opens the story), else the dateline's, else the first of a core
  sentence; dates more than 45 days before the reference day are background. A date a verb of
  saying gives (``the foundation said Wednesday``, ``Bộ ... ngày 15/8 cho biết``) dates the
  report: a later one of those sentences tied to a verb of the event (``which opened Monday``,
  ``khai giảng sáng 12/8``) wins over it. The span of a visit (``paid a visit from November 19 to
  21``, ``thăm ... từ ngày 19 đến 21/11``) is the setting of a signing, talks or a reception told
  in the lead, never their day; the span of a forum or a course, or of a visit that is the item
  itself, dates it by its first day. The reference day is ``Reading.ref``; with none, a year-less
  day takes the year the text fixes (an anniversary's arithmetic, a weekday among the years the
  text names, the same day written with its year elsewhere), or is kept year-less. How the day
  is known is its **basis**: ``stated``, ``inferred``, ``year-less`` or ``missing`` (``Event``);
* the **place** is where that dated sentence puts the event (``in Hà Nội``, ``tại Huế``; failing
  those, the end of a journey: ``a working visit ... to Hanoi``, not ``to return to Phnom Penh``),
  else the title's or the first sentence's, else the dateline's, else the lead's;
* the **kinds**: meeting, conference and training only from the *opening* (title, description, first
  two sentences, dated sentence; elsewhere they are mostly side events or background), training not
  where it is an area of an agreement or exchange (``cooperation in news exchange and training``),
  nor seminars and courses in the plural beside one (``phối hợp tổ chức các hội thảo``), nor the
  meeting a signing took place in (``signed ... during a working visit``); a course or a seminar
  opened on the event's day counts from any sentence (``Cùng ngày, VOV khai giảng lớp tập huấn``).
  Agreement (signing, or agreeing at a ceremony), joint_production and exchange from the opening
  and every core sentence, unless the sentence tells the past (``have exchanged news since 1960``,
  ``for many years``); an exchange of media itself (news, articles, programmes, reporters) from any
  sentence. An exchange is one done or agreed: not one only discussed, proposed or hoped for
  (``discussed expanding the exchange of news``, ``đề nghị ... chia sẻ kinh nghiệm``, ``là dịp
  để``), not talk (``exchanged views``, ``trao đổi ý kiến``), not the people taking part
  (``exchanges among journalists``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from jobs.classify import cues
from jobs.classify.dates import DateHit, find_dates
from jobs.classify.gazetteer import Gazetteer, canonical_place, load
from jobs.classify.orgs import UNKNOWN
from jobs.classify.orgwords import words as org_words
from jobs.classify.sentences import OrgMention, Reading, Sentence
from jobs.classify.years import YearHints, year_hints

LEAD_SENTENCES = 3
DATE_SENTENCES = 6
PAST_WINDOW = timedelta(days=45)
BOUND_PAST_WINDOW = timedelta(days=366)
FUTURE_WINDOW = timedelta(days=200)
NEAR = 10  # words between an organisation and the country that says which one it is


def is_lead(sentence: Sentence) -> bool:
    return sentence.role != "body" or sentence.position < LEAD_SENTENCES


def is_core(sentence: Sentence) -> bool:
    if sentence.history and sentence.role == "body":
        return False  # "reprinted photos of Castro's visit in 1973"
    return sentence.usable and bool(sentence.fields) and sentence.coop and not sentence.listed


def resolve_orgs(reading: Reading, gaz: Gazetteer) -> None:
    """Give each sentence its organisations, choosing among namesakes by the countries near them."""
    lead = {code for s in reading.sentences if is_lead(s) for _, code in s.countries}
    for sentence in reading.sentences:
        sentence.orgs, sentence.minor_orgs = [], []
        for mention in sentence.org_mentions:
            name = None if mention.attribution else _choose(mention, sentence, lead, gaz)
            if name:
                (sentence.minor_orgs if mention.minor else sentence.orgs).append((mention.at, name))


def _choose(mention: OrgMention, sentence: Sentence, lead: set[str], gaz: Gazetteer) -> str | None:
    if len(mention.candidates) == 1:
        return mention.candidates[0]
    country = {name: gaz.organisations[name].country for name in mention.candidates}
    near = sorted(
        (abs(at - mention.at), code)
        for at, code in sentence.countries
        if abs(at - mention.at) <= NEAR
    )
    for _, code in near:
        for name in mention.candidates:
            if country[name] == code:
                return name
    if near:
        return None  # "Pakistan's Ministry of Information": not one we know
    return next((n for n in mention.candidates if country[n] in lead), mention.candidates[0])


def countries_of(sentence: Sentence, gaz: Gazetteer, venues: bool = True) -> set[str]:
    """The countries a sentence names or names a body of; without the ones named only as the
    venue ("a meeting in Russia") when ``venues`` is false."""
    named = {code for at, code in sentence.countries if venues or at not in sentence.venues}
    through = {gaz.organisations[name].country for _, name in sentence.orgs}
    return named | {c for c in through if c}


def parties(
    reading: Reading, gaz: Gazetteer, place_country: str | None, hint: str | None
) -> set[str]:
    leads = [
        s for s in reading.sentences
        if s.usable and is_lead(s) and (s.role == "title" or s.coop or s.fields or s.orgs)
    ]
    lead = set().union(*(countries_of(s, gaz, venues=False) for s in leads))
    cores = [s for s in reading.sentences if is_core(s) and not s.side]
    if len(lead) >= 2:  # and the countries participants come from, named outside the lead
        joined = (s.participants for s in reading.sentences
                  if s.usable and not (s.background or s.side or s.history))
        return lead.union(*joined)
    found = lead.union(*(countries_of(s, gaz, venues=False) for s in cores))
    if len(found) == 1:  # the venue is a party when no other is named: "Lao journalists in Vietnam"
        found |= set().union(*(countries_of(s, gaz) for s in leads + cores))
    if len(found) == 1 and place_country and place_country not in found:
        found.add(place_country)
    two_sides = any(s.two_sides for s in reading.sentences if is_core(s) or is_lead(s))
    if len(found) == 1 and hint and hint not in found and two_sides:
        found.add(hint)
    return found


def international(reading: Reading, gaz: Gazetteer) -> list[str]:
    """International bodies (ASEAN, ABU) acting in the lead: "China-ASEAN media forum opens"."""
    return [
        name
        for s in reading.sentences
        if is_lead(s) and is_core(s)
        for _, name in s.orgs
        if gaz.organisations[name].country is None
    ]


def _carries_the_item(sentence: Sentence) -> bool:
    """The lead, or a sentence with the evidence of the cooperation itself: a signing, an
    agreement at a ceremony, a co-production, an exchange, a meeting or a forum held."""
    if is_lead(sentence):
        return True
    if sentence.background or sentence.side:
        return False
    events = sentence.kinds_weak & EVENT_KINDS - sentence.areas - sentence.framed
    return bool(
        sentence.kinds_strong & CONTENT_KINDS or (sentence.agree and sentence.ceremony) or events
    )


def _elsewhere(reading: Reading, gaz: Gazetteer, bare: set[str]) -> dict[str, str]:
    """For a party country no sentence about the item names a body of, its bodies named in
    the description and the body (the trainees' ministry, the visitors' agency): the first
    sentence that names any, never a source quoted, a guest or a side event."""
    found: dict[str, str] = {}
    for code in sorted(bare):
        for s in reading.sentences:
            if not s.usable or s.side or s.background or s.role == "title":
                continue
            here = [name for _, name in s.orgs if gaz.organisations[name].country == code]
            if here:
                found.update(dict.fromkeys(here, s.text))
                break
    return found


FRAME_REACH = 8  # words from "on the sidelines of" to the body it names


def _within(sentence: Sentence, at: int) -> bool:
    """The organisation at word ``at`` is the body an act took place within: "on the sidelines
    of the 51st OANA Executive Board meeting", "bên lề Hội nghị ... OANA"."""
    before = " ".join(sentence.tokens.lower[max(0, at - FRAME_REACH) : at])
    return any(frame in before for frame in org_words().frames)


def organisations(
    reading: Reading, gaz: Gazetteer, countries: set[str], multilateral: bool = False
) -> tuple[list[str], str]:
    """The parties' organisations: those of the sentences that carry the item (the lead, the
    signing, the co-production), then, for a party country none of those names, those of the
    other core sentences and the guests and places toured."""
    first: dict[str, str] = {}  # name -> sentence
    later: dict[str, str] = {}
    unplaced: dict[str, str] = {}  # recognised in a carrying sentence, no country named
    for s in reading.sentences:
        if not (is_core(s) or (is_lead(s) and (s.coop or s.role == "title"))):
            continue
        if s.side and not is_lead(s):
            continue  # "the delegation also visited Granma"
        carries = _carries_the_item(s)
        mentions = [(at, name, carries) for at, name in s.orgs]
        mentions += [(at, name, False) for at, name in s.minor_orgs]
        for at, name, main in mentions:
            home = gaz.organisations[name].country
            if home == UNKNOWN:
                if main:
                    unplaced.setdefault(name, s.text)
                continue
            # ASEAN, ABU: named in the title, in the lead of a multilateral item, or as the body
            # the act took place within ("on the sidelines of the OANA Executive Board meeting")
            wanted = (
                home in countries
                if home
                else s.role == "title" or (is_lead(s) and (multilateral or _within(s, at)))
            )
            if wanted:
                (first if main else later).setdefault(name, s.text)
    covered = {gaz.organisations[name].country for name in first}
    names = dict(first)
    for name, text in later.items():
        if gaz.organisations[name].country not in covered:
            names.setdefault(name, text)
    bare = countries - {gaz.organisations[name].country for name in names}
    if len(bare) == 1 and len(unplaced) == 1:  # the other side's body, its country unsaid
        names.update(unplaced)
        bare = set()
    for name, text in _elsewhere(reading, gaz, bare).items():  # "hai cán bộ của Bộ ... Lào"
        names.setdefault(name, text)
    evidence = next(iter(names.values()), "")
    return sorted(names), evidence


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


def _located(sentences: Iterable[Sentence | None]) -> tuple[str, Sentence] | None:
    """The first place put at the scene ("in Hà Nội", "tại Huế"), or else reached on the journey
    ("a working visit ... to Hanoi"), of the first sentence that has one."""
    for s in sentences:
        if s is not None:
            best = max((where for _, _, where in s.places), default=0)
            for _, name, where in s.places:
                if where and where == best:
                    return name, s
    return None


def event_place(reading: Reading, event: Event) -> tuple[str | None, str]:
    """The place of the event and its evidence, the sentence or dateline that names it (see the
    module docstring); failing a named place, the capital a venue implies (``_implied``)."""
    opening = [s for s in reading.sentences if s.role != "body" or s.position == 0]
    found = _located([event.sentence]) or _located(opening)
    if found:
        return found[0], found[1].text
    if reading.dateline_place:
        first = next((s.text for s in reading.sentences if s.role == "body" and s.usable), "")
        return reading.dateline_place, f"{reading.dateline} {first}".strip()
    lead = [s for s in reading.sentences if is_lead(s) or (is_core(s) and s.kinds_weak)]
    found = _located(lead)
    if found:
        return found[0], found[1].text
    return _implied(reading, [event.sentence, *opening, *lead]) or (None, "")


# The outlet's country when the source does not say: a page in Vietnamese is Vietnamese press.
LANGUAGE_HOME = {"vi": "VN"}


def _implied(reading: Reading, sentences: list[Sentence | None]) -> tuple[str, str] | None:
    """The place a venue implies when no city is named (see ``cues.capital_country``): "received
    at the Government headquarters" (the host's capital), "during his state visit to Laos"
    (Vientiane), "at the headquarters of the Lao News Agency" (the capital of the body's country,
    or the place its name holds: "tại trụ sở Báo Nghệ An")."""
    gaz = reading.gaz or load()
    home = reading.home or LANGUAGE_HOME.get(reading.language)
    usable = [s for s in sentences if s is not None and s.usable]
    for s in usable:
        venue = cues.capital_country(s.tokens, s.countries, home, reading.index)
        if venue and venue[0] in gaz.capitals:
            return gaz.capitals[venue[0]], s.text
    for s in usable:
        for start, end in cues.headquarters(s.tokens):
            place = _headquarters(s, start, end, gaz)
            if place:
                return place, s.text
    return None


NAME_WORDS = 3  # the longest place name looked for inside an organisation's name


def _place_within(sentence: Sentence, start: int, end: int) -> str | None:
    """A place named by capitalised words in ``start:end``, inside an organisation's name (its
    mention hides the place's): "Báo Nghệ An", "Shanghai Media Group"."""
    words = sentence.tokens.words
    named = {mention.at for mention in sentence.org_mentions}
    for first in range(start, min(end, len(words))):
        if first in named:
            continue  # "Granma" the newspaper, not the province
        for size in range(NAME_WORDS, 0, -1):
            chunk = words[first : first + size]
            if len(chunk) == size and all(w[0].isupper() for w in chunk):
                place = canonical_place(" ".join(chunk))
                if place:
                    return place
    return None


def _headquarters(sentence: Sentence, start: int, end: int, gaz: Gazetteer) -> str | None:
    """The place named in the words ``start:end`` around "headquarters", else the capital of the
    first national body named there."""
    named = {mention.at for mention in sentence.org_mentions}
    places = [name for at, name, _ in sentence.places if start <= at < end and at not in named]
    place = places[0] if places else _place_within(sentence, start, end)
    if place:
        return place
    for at, name in sorted(sentence.orgs):
        country = gaz.organisations[name].country if name in gaz.organisations else None
        if start <= at < end and country in gaz.capitals:
            return gaz.capitals[country]
    return None


EVENT_KINDS = frozenset({"meeting", "conference", "training"})
CONTENT_KINDS = frozenset({"agreement", "joint_production", "exchange"})


def _is_opening(sentence: Sentence, event: Event) -> bool:
    return sentence.role != "body" or sentence.position <= 1 or sentence is event.sentence


def _kinds_of(sentence: Sentence, opening: bool) -> set[str]:
    found = set(sentence.kinds_strong)
    if sentence.agree and sentence.ceremony:
        found.add("agreement")
    if sentence.background and sentence.role != "title":
        found -= CONTENT_KINDS
    if opening:
        events = (
            sentence.kinds_weak | (sentence.kinds_title if sentence.role == "title" else set())
        ) & EVENT_KINDS
        if found & CONTENT_KINDS:
            events.discard("training")  # an area of the agreement, not a course
            events -= sentence.areas  # "phối hợp tổ chức các hội thảo": areas too
        if "agreement" in found:
            events -= sentence.framed  # "signed during a working visit": the setting
        if "conference" in events:
            events.discard("meeting")  # "met for a forum"
        found |= events
    return found


def _same_day(sentence: Sentence, reading: Reading, event: Event) -> set[str]:
    """Kinds of a sentence outside the opening that opens a course or a seminar on the event's
    day: "Cùng ngày, VOV đã khai giảng lớp tập huấn ...", "The same day, a workshop opened ..."."""
    kinds = sentence.kinds_weak & set(load().rules["same_day_kinds"]) - sentence.areas
    if not (kinds and sentence.acts and event.day and sentence.usable) or sentence.background:
        return set()
    if _is_opening(sentence, event):
        return set()
    days = {h.value for h in find_dates(sentence.text, reading.ref, event.day)}
    return kinds if event.day in days else set()


def kinds(reading: Reading, event: Event) -> tuple[list[str], str]:
    found: set[str] = set()
    evidence = ""
    for s in reading.sentences:
        opening = _is_opening(s, event) and (s.coop or s.role == "title")
        if s.media_exchange and not s.background:
            new = {"exchange"}  # "they agreed to exchange articles", even with no field named
            if new - found:
                evidence = evidence or s.text
            found |= new
        if not (opening or is_core(s)):
            continue
        new = _kinds_of(s, opening)
        if new - found:
            evidence = evidence or s.text
        found |= new
    for s in reading.sentences:
        new = _same_day(s, reading, event) - found
        if new:
            evidence = evidence or s.text
            found |= new
    if not found:
        for s in reading.sentences:
            if is_core(s) and s.kinds_weak:
                found |= s.kinds_weak & EVENT_KINDS
                evidence = evidence or s.text
    return sorted(found), evidence


def topics(reading: Reading) -> list[str]:
    return sorted(set().union(*(s.topics for s in reading.sentences if s.usable)))


def summary(reading: Reading) -> str:
    body = [s for s in reading.sentences if s.role in ("description", "body") and s.usable]
    if not body:
        return next((s.text for s in reading.sentences), "")
    first = next((s for s in body if is_core(s) and is_lead(s)), body[0])
    text = first.text
    following = body.index(first) + 1
    if len(first.tokens.words) < 25 and following < len(body):
        text = f"{text} {body[following].text}"
    return text
