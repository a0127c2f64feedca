"""Choosing an item's fields from the sentences of an article (see ``jobs.sentences``).

The rules, in the order a reader applies them:

* a *core* sentence names a field in scope and an act of cooperation; not when media is one of
  three or more fields listed together (``education, health, culture and media``), when the
  cooperation is only demanded or reported on (``required platforms to cooperate``, ``the press
  covered the visit``), or when a body sentence dates it in an earlier year (``in 1973``);
* the *lead* is the title, the description and the first three body sentences;
* the **parties** are the countries (named, or through their organisations) of the lead's sentences
  about the cooperation; when the lead names fewer than two, those of the core sentences; then the
  country of the event's place; then the outlet's country when the text speaks of "the two sides";
* the **organisations** are those of the title, the lead and the core sentences, from the parties'
  countries, never a news source quoted (``according to VNA``, ``(Xinhua)``, ``— VNS``) or a
  parent body (``Sputnik, which belongs to Rossiya Segodnya``), nor one met on a side event outside
  the lead (``On the occasion, the delegation also visited Granma``); international bodies (ASEAN,
  ABU) only when the title names them;
* the **event date** is the first date of the description or of the first six body sentences that
  speaks of the cooperation (or opens the story), else the dateline's, else the first of a core
  sentence; dates more than 45 days before the reference day are background;
* the **place** is where that dated sentence puts the event (``in Hà Nội``, ``tại Huế``), else
  the title's or the first sentence's, else the dateline's, else the lead's;
* the **kinds**: meeting, conference and training only from the *opening* (title, description, first
  two sentences, dated sentence; elsewhere they are mostly side events or background), training not
  where it is an area of an agreement or exchange (``cooperation in news exchange and training``);
  agreement (signing, or agreeing at a ceremony), joint_production and exchange from the opening and
  every core sentence, unless the sentence tells the past (``have exchanged news since 1960``); an
  exchange of media itself (news, articles, programmes, reporters) from any sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from jobs.dates import find_dates
from jobs.gazetteer import Gazetteer
from jobs.sentences import OrgMention, Reading, Sentence

LEAD_SENTENCES = 3
DATE_SENTENCES = 6
PAST_WINDOW = timedelta(days=45)
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
        sentence.orgs = []
        for mention in sentence.org_mentions:
            name = None if mention.attribution else _choose(mention, sentence, lead, gaz)
            if name:
                sentence.orgs.append((mention.at, name))


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


def countries_of(sentence: Sentence, gaz: Gazetteer) -> set[str]:
    named = {code for _, code in sentence.countries}
    through = {gaz.organisations[name].country for _, name in sentence.orgs}
    return named | {c for c in through if c}


def parties(
    reading: Reading, gaz: Gazetteer, place_country: str | None, hint: str | None
) -> set[str]:
    lead = set()
    for s in reading.sentences:
        if s.usable and is_lead(s) and (s.role == "title" or s.coop or s.fields or s.orgs):
            lead |= countries_of(s, gaz)
    if len(lead) >= 2:
        return lead
    cores = [s for s in reading.sentences if is_core(s) and not s.side]
    found = lead.union(*(countries_of(s, gaz) for s in cores))
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


def organisations(
    reading: Reading, gaz: Gazetteer, countries: set[str], multilateral: bool = False
) -> tuple[list[str], str]:
    names: list[str] = []
    evidence = ""
    for s in reading.sentences:
        if not (is_core(s) or (is_lead(s) and (s.coop or s.role == "title"))):
            continue
        if s.side and not is_lead(s):
            continue  # "the delegation also visited Granma"
        for _, name in s.orgs:
            home = gaz.organisations[name].country
            # ASEAN, ABU: named in the title, or in the lead of a multilateral item
            wanted = (
                home in countries if home else s.role == "title" or (multilateral and is_lead(s))
            )
            if name not in names and wanted:
                names.append(name)
                evidence = evidence or s.text
    return sorted(names), evidence


@dataclass(frozen=True)
class Event:
    day: date | None
    sentence: Sentence | None


def _in_window(day: date, ref: date | None) -> bool:
    return ref is None or ref - PAST_WINDOW <= day <= ref + FUTURE_WINDOW


def event_date(reading: Reading) -> Event:
    ref, previous = reading.ref, None
    early = [
        s for s in reading.sentences if s.role == "description" or 0 <= s.position < DATE_SENTENCES
    ]
    for s in early:
        if not s.usable:
            continue
        for hit in find_dates(s.text, ref, previous):
            if _in_window(hit.value, ref) and (
                s.coop or s.position == 0 or s.role == "description"
            ):
                return Event(hit.value, s)
            previous = hit.value
    first = next((s for s in reading.sentences if s.role == "body"), None)
    if reading.dateline_date:
        return Event(reading.dateline_date, first)
    for s in reading.sentences:
        if is_core(s) and s.position >= DATE_SENTENCES:
            days = [h.value for h in find_dates(s.text, ref) if _in_window(h.value, ref)]
            if days:
                return Event(days[0], s)
    return Event(None, None)


def _located(sentences: Iterable[Sentence | None]) -> tuple[str, Sentence] | None:
    for s in sentences:
        if s is not None:
            for _, name, located in s.places:
                if located:
                    return name, s
    return None


def event_place(reading: Reading, event: Event) -> tuple[str | None, str]:
    opening = [s for s in reading.sentences if s.role != "body" or s.position == 0]
    found = _located([event.sentence]) or _located(opening)
    if found:
        return found[0], found[1].text
    if reading.dateline_place:
        first = next((s.text for s in reading.sentences if s.role == "body"), "")
        return reading.dateline_place, first
    lead = [s for s in reading.sentences if is_lead(s) or (is_core(s) and s.kinds_weak)]
    found = _located(lead)
    return (found[0], found[1].text) if found else (None, "")


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
        if "conference" in events:
            events.discard("meeting")  # "met for a forum"
        found |= events
    return found


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
