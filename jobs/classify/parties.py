"""The parties of an item: its countries and organisations (rules: ``jobs.classify.fields``)."""

from __future__ import annotations

from jobs.classify.gazetteer import Gazetteer
from jobs.classify.orgs import UNKNOWN
from jobs.classify.orgwords import words as org_words
from jobs.classify.roles import CONTENT_KINDS, EVENT_KINDS, is_core, is_lead
from jobs.classify.sentences import OrgMention, Reading, Sentence

NEAR = 10  # words between an organisation and the country that says which one it is


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
