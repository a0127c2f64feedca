"""Where the event an item reports took place (rules in ``jobs.classify.fields``)."""

from __future__ import annotations

from collections.abc import Iterable

from jobs.classify import cues
from jobs.classify.gazetteer import Gazetteer, canonical_place, load
from jobs.classify.roles import is_core, is_lead
from jobs.classify.sentences import Reading, Sentence
from jobs.classify.when import Event


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
