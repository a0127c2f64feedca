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

from jobs.classify.dates import find_dates
from jobs.classify.gazetteer import load
from jobs.classify.parties import (
    countries_of,
    international,
    organisations,
    parties,
    resolve_orgs,
)
from jobs.classify.roles import CONTENT_KINDS, EVENT_KINDS, is_core, is_lead
from jobs.classify.sentences import Reading, Sentence
from jobs.classify.when import Event, event_date
from jobs.classify.where import event_place

__all__ = [  # the fields, each read by its own module; kinds, topics and summary here
    "countries_of",
    "event_date",
    "event_place",
    "international",
    "is_core",
    "is_lead",
    "kinds",
    "organisations",
    "parties",
    "resolve_orgs",
    "summary",
    "topics",
]


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
