"""An article read into sentences, each with what the gazetteer found in it.

``read_article`` cuts the title, the description and the body into sentences, takes the dateline off
the first paragraph (``HÀ NỘI —``, ``Hue City, November 11 –``, ``VIENTIANE, Nov. 11 (Xinhua) --``,
``(TTXVN) -``) and scans each sentence once with the scope's ``PhraseIndex``. What a sentence holds
(countries, organisations, places, fields, cooperation and kind words, topics) is recorded on a
``Sentence``; deciding what the article is about is left to ``jobs.classify.fields`` and
``jobs.classify``.
"""

from __future__ import annotations

import re
from collections import ChainMap
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from jobs.classify import cues
from jobs.classify.dates import find_dates, first_date, parse_published
from jobs.classify.gazetteer import Gazetteer, Place, canonical_place
from jobs.classify.orgs import Recogniser, defined_acronyms
from jobs.classify.orgwords import names_field
from jobs.classify.textmatch import (
    Hit,
    PhraseIndex,
    Tokens,
    normalise,
    prune,
    split_sentences,
    tokenise,
)
from jobs.models import Article
from jobs.text import VIETNAMESE_LETTERS, fold

# "HÀ NỘI — ", "VIENTIANE—", "Hanoi (VNA) – ", "HANOI, Dec. 12 (Xinhua) -- ", "Havana, Oct 29
# (Prensa Latina) ", "Minsk, May 7. /BelTA/. ", "NEW DELHI: "
_DATELINE = re.compile(
    r"^\s*(?P<head>[^\n]{2,80}?)"
    r"(?:\s*(?:—|–|--)\s*(?=\S)|\s+-\s+(?=\S)|(?<=\))\s+(?=[A-ZÀ-ỸĐ])"
    r"|\s*/[^/\n]{2,40}/\.?\s+(?=\S)|(?<=[A-ZÀ-ỸĐ]):\s+(?=[A-ZÀ-ỸĐ]))"
)
_PARENS = re.compile(r"\(([^)]*)\)")
_DATE_ONLY_WORDS = 8  # a date and at most this many words make a date line ("Thursday, ... GMT+7")
PARTICIPANTS_REACH = 10  # words from "journalists from" to the last country of its list
MIN_WORDS = 4  # shorter body lines are bylines, captions, "VNA"
DESCRIPTOR = 3  # words before a source quoted that describe it ("the state news agency MTI")


@dataclass
class OrgMention:
    at: int  # word index
    candidates: tuple[str, ...]
    attribution: bool  # a source quoted, not a party
    minor: bool = False  # a guest at a ceremony or a place toured: a party only if none else is


@dataclass
class Sentence:
    role: str  # title | description | body
    position: int  # body sentence number, -1 for the title and description
    text: str
    tokens: Tokens
    countries: list[tuple[int, str]] = field(default_factory=list)
    venues: set[int] = field(default_factory=set)  # word indexes of countries named as a venue
    participants: set[str] = field(default_factory=set)  # countries participants come from
    other_field: bool = False  # names a field outside media: trade, defence, education
    anniversary: bool = False  # "marks its 80th anniversary", "kỷ niệm 80 năm thành lập"
    congratulations: bool = False  # "sent letters of congratulations", "điện mừng"
    org_mentions: list[OrgMention] = field(default_factory=list)
    orgs: list[tuple[int, str]] = field(default_factory=list)  # resolved by jobs.classify.fields
    minor_orgs: list[tuple[int, str]] = field(default_factory=list)  # guests, places toured
    # (word, place, where): 2 after "in", "at", "tại"; 1 after "to" on a journey ("a visit to
    # Hanoi"); 0 elsewhere
    places: list[tuple[int, str, int]] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    coop: bool = False
    kinds_strong: set[str] = field(default_factory=set)
    kinds_weak: set[str] = field(default_factory=set)
    kinds_title: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    listed: bool = False  # media named in a list of other fields
    agree: bool = False
    ceremony: bool = False
    two_sides: bool = False
    background: bool = False  # told as the past of the item ("since 2019", "previously")
    side: bool = False  # a side event of a visit ("the delegation also visited Granma")
    history: bool = False  # dated in an earlier year ("Castro's visit in 1973")
    media_exchange: bool = False  # news, programmes, reporters exchanged
    areas: set[str] = field(default_factory=set)  # event kinds named only as areas: "các hội thảo"
    framed: set[str] = field(default_factory=set)  # "signed during a working visit": a setting
    says: list[tuple[int, int]] = field(default_factory=list)  # spans of verbs of saying
    acts: list[tuple[int, int]] = field(default_factory=list)  # spans of the event's verbs

    @cached_property
    def usable(self) -> bool:
        """Not a byline, a date line or a caption: the title, or four words or more."""
        words = self.tokens.words
        return self.role == "title" or len(words) - sum(map(str.isdigit, words)) >= MIN_WORDS


@dataclass
class Reading:
    sentences: list[Sentence]
    published: date | None
    language: str
    dateline_place: str | None = None
    dateline_date: date | None = None
    dateline: str = ""  # the dateline as written: "HANOI, June 3 (Xinhua) --"
    home: str | None = None  # the outlet's country, when the source gives it
    index: PhraseIndex | None = None  # the phrase index the article was read with
    reference: date | None = None  # the pipeline's stand-in for a missing publication day
    gaz: Gazetteer | None = None  # the gazetteer plus the organisations recognised in the text
    skimmed: bool = False  # no sentence may be an item's: only fields recorded (see read_article)

    @property
    def ref(self) -> date | None:
        """The day relative dates count from: the dateline's, else the publication day (the
        page's, else its feed entry's), else the pipeline's reference (the feed's own date, or
        the day a fresh listing first showed the page: ``Article.reference``)."""
        return self.dateline_date or self.published or self.reference


def detect_language(text: str) -> str:
    letters = sum(ch.isalpha() for ch in text[:3000]) or 1
    return "vi" if len(VIETNAMESE_LETTERS.findall(text[:3000])) / letters > 0.03 else "en"


def _same(a: str, b: str) -> bool:
    return fold(a).strip(" .") == fold(b).strip(" .")


def _body_lines(title: str, description: str, text: str) -> tuple[str, list[str]]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and _same(lines[0], title):
        lines = lines[1:]
    if description:
        head = fold(description)[:80]
        if any(fold(line).startswith(head) for line in lines[:3]):
            description = ""
    return description, lines


def _dateline(
    line: str, index: PhraseIndex, gaz: Gazetteer, published: date | None
) -> tuple[str | None, date | None, int]:
    """The dateline's place, day and length, or (None, None, 0) when ``line`` has none: "VIENTIANE
    —", "Seoul, March 3 (VNA) –", "HANOI, June 3 (Xinhua) --", "Minsk, May 7. /BelTA/.", "Hanoi
    (VNA) –", "HÀ NỘI -", "(TTXVN) -" (an agency alone: no place)."""
    match = _DATELINE.match(line)
    if not match:
        return None, None, 0
    head = match.group("head")
    bare = _PARENS.sub(" ", head).strip()
    parts = [p.strip(" .") for p in bare.split(",") if p.strip(" .")]
    place = _whole_place(parts[0], index) if parts else None
    day = first_date(" ".join(parts[1:]), published) if len(parts) > 1 else None
    agency_only = not bare or (
        len(bare.split()) <= 3
        and (bare.isupper() or "." in bare)
        and any(c.isalpha() for c in bare)  # "VOV.VN", not a timestamp "15.12.2025"
    )
    if place or (agency_only and len(head) <= 30):
        return place, day, match.end()
    return None, None, 0


def _whole_place(text: str, index: PhraseIndex) -> str | None:
    """The place ``text`` is all about ("VIENTIANE", "Thủ đô Bắc Kinh", "Hue City"), or None."""
    tokens = tokenise(text)
    for hit in index.scan(tokens):
        places = [v for c, v in hit.payloads if c == "place"]
        if places and hit.start == 0 and hit.end >= len(tokens.words) - 1:
            return places[0]
    return canonical_place(text) if len(tokens.words) <= 5 else None


def _date_line(line: str, ref: date | None) -> date | None:
    """The day of a line that is only a date ("Thursday, June 5, 2025 10:15"), else None."""
    hits = find_dates(line, ref)
    if not hits:
        return None
    rest = line[: hits[0].start] + line[hits[0].end :]
    words = [w for w in re.findall(r"\w+", rest) if not w.isdigit()]
    return hits[0].value if len(words) <= _DATE_ONLY_WORDS else None


def take_dateline(
    lines: list[str], index: PhraseIndex, gaz: Gazetteer, ref: date | None
) -> tuple[str | None, date | None, str]:
    """Cut the dateline off the first or second line of ``lines`` (in place) and give its place,
    day and text; a dateline without a day, after a line that is only a date, takes that date."""
    above = None
    for number, line in enumerate(lines[:2]):
        place, day, length = _dateline(line, index, gaz, ref)
        if length:
            lines[number] = line[length:]
            return place, day or above, line[:length].strip()
        above = _date_line(line, ref)
    return None, None, ""


def read_article(
    article: Article,
    index: PhraseIndex,
    gaz: Gazetteer,
    fields: frozenset[str],
    home: str | None = None,
    *,
    skim: bool = False,
) -> Reading:
    """Read ``article`` with the index of a scope whose fields are ``fields``. Organisations the
    gazetteer lacks are recognised from the text (``jobs.classify.orgs``); ``home`` is the
    outlet's country, whose unqualified ministries they are. ``Reading.gaz`` is the gazetteer
    with the article's own organisations added.

    ``skim``: when no sentence may name a field and an act of cooperation together
    (``_may_be_core``), stop after the gazetteer's hits; the sentences then hold only the fields
    they name (``Reading.skimmed``)."""
    title = normalise(article.title or "")
    description, lines = _body_lines(
        title, normalise(article.description or ""), normalise(article.text or "")
    )
    published = parse_published(article.published)
    language = article.language or detect_language(" ".join([title, *lines[:5]]))
    reading = Reading([], published, language.split("-")[0].lower())
    reading.reference = parse_published(article.reference)
    reading.dateline_place, reading.dateline_date, reading.dateline = take_dateline(
        lines, index, gaz, published or reading.reference
    )
    reading.home, reading.index = home, index
    pieces = [("title", title)] + (
        [("description", s) for s in split_sentences(description)] if description else []
    )
    pieces += [("body", s) for line in lines for s in split_sentences(line)]
    position = 0
    scanned = []
    for role, text in pieces:
        sentence = Sentence(role, position if role == "body" else -1, text, tokenise(text))
        position += role == "body" and sentence.usable
        scanned.append((sentence, index.scan(sentence.tokens)))
    reading.sentences = [sentence for sentence, _ in scanned]
    acronyms = defined_acronyms(sentence.text for sentence, _ in scanned) if skim else None
    if skim and not any(
        _may_be_core(sentence, hits, gaz, fields, acronyms) for sentence, hits in scanned
    ):
        reading.gaz, reading.skimmed = gaz, True
        for sentence, hits in scanned:  # for the reason given: is a field named at all?
            _record_fields(sentence, hits, _sources(sentence, hits, gaz), gaz, fields)
        return reading
    recogniser = Recogniser(gaz, reading.language, home)
    reading.gaz = gaz = replace(
        gaz, organisations=ChainMap(recogniser.found.organisations, gaz.organisations)
    )
    for number, (sentence, hits) in enumerate(scanned[1:], start=1):
        scanned[number] = (sentence, _joined(hits, recogniser.hits(sentence.tokens, hits)))
    title, hits = scanned[0]  # names defined in the body, used in the title: "PNA, MTVA ink ..."
    scanned[0] = (title, _joined(hits, recogniser.hits(title.tokens, hits, title=True)))
    for sentence, hits in scanned:
        _record(sentence, hits, gaz, published, fields)
    return reading


# What can make a sentence an act of cooperation (``_record_payload``, ``_apply_cues``)
_ACT_CATEGORIES = frozenset(
    {"coop", "kind_strong", "kind_weak", "kind_title", "exchange_verbs", "joint_adverbs"}
)


def _may_be_core(
    sentence: Sentence,
    hits: list[Hit],
    gaz: Gazetteer,
    fields: frozenset[str],
    acronyms: frozenset[str],
) -> bool:
    """Whether a full reading could find ``sentence`` to name a field in scope and an act of
    cooperation, from the gazetteer's hits alone: an act word, and a field word, an organisation
    in a field, a word that makes a recognised name evidence of a field, or one of the article's
    bracketed ``acronyms`` (a name defined elsewhere). Most news names neither together: the
    article is then no item, and the organisations need not be recognised, which costs more
    than the rest of the reading."""
    if not sentence.usable or not any(
        not hit.categories.isdisjoint(_ACT_CATEGORIES) for hit in hits
    ):
        return False
    for hit in hits:
        if "field" in hit.categories or any(
            category == "org" and fields.intersection(gaz.organisations[value].fields)
            for category, value in hit.payloads
        ):
            return True
    return names_field(sentence.tokens, fields) or not acronyms.isdisjoint(sentence.tokens.words)


def _joined(hits: list[Hit], recognised: list[Hit]) -> list[Hit]:
    """The gazetteer's hits (already pruned by ``scan``) with the recogniser's, pruned again and
    in reading order; unchanged when the recogniser found nothing."""
    if not recognised:
        return hits
    return sorted(prune(hits + recognised), key=lambda hit: (hit.start, -hit.end))


_SIMPLE_FLAGS = {
    "agree_words": "agree",
    "ceremony_words": "ceremony",
    "two_sides": "two_sides",
    "background": "background",
    "side_events": "side",
    "other_fields": "other_field",
    "anniversary": "anniversary",
    "congratulations": "congratulations",
}


def _record(
    sentence: Sentence,
    hits: list[Hit],
    gaz: Gazetteer,
    published: date | None,
    fields: frozenset[str],
) -> None:
    """Fill ``sentence`` from the phrases found in it; organisations show ``fields`` in scope."""
    tokens = sentence.tokens
    locatives = [h.end for h in hits if cues.has(h, "locatives")]
    participants = [h.end for h in hits if cues.has(h, "participants")]
    sources = _sources(sentence, hits, gaz)
    _record_fields(sentence, hits, sources, gaz, fields)
    for hit in hits:
        orgs = tuple(v for c, v in hit.payloads if c == "org")
        if orgs:
            minor = cues.is_guest(tokens, hits, hit) or cues.is_toured(hits, hit)
            sentence.org_mentions.append(OrgMention(hit.start, orgs, hit in sources, minor))
        language = "country" in hit.categories and cues.is_language(tokens, hit, gaz.languages)
        for category, value in hit.payloads:
            if category == "country" and language:
                continue  # "tin, ảnh bằng tiếng Anh": English, not Britain
            if category == "field":
                continue  # recorded by _record_fields
            if category == "place":
                _record_place(sentence, hits, hit, gaz.places[value], locatives)
                continue
            if category == "country" and _after_locative(tokens, hit, locatives):
                sentence.venues.add(hit.start)  # "a meeting in Russia": the venue, not a party
            if category == "country" and any(
                0 <= hit.start - end <= PARTICIPANTS_REACH for end in participants
            ):
                sentence.participants.add(value)  # "journalists from Laos, Cambodia and ..."
            _record_payload(sentence, hit, category, value)
        if "saying" in hit.categories:
            sentence.says.append((tokens.spans[hit.start][0], tokens.spans[hit.end - 1][1]))
        if "event_verbs" in hit.categories:
            sentence.acts.append((tokens.spans[hit.start][0], tokens.spans[hit.end - 1][1]))
    _record_kind_words(sentence, hits)
    _apply_cues(sentence, hits, published)
    _record_pairs(sentence, gaz)
    _record_capitals(sentence, hits, gaz, locatives)


def _sources(sentence: Sentence, hits: list[Hit], gaz: Gazetteer) -> list[Hit]:
    """The organisations quoted as the news's source ("according to VNA", "(TTXVN)")."""
    return [
        h
        for h in hits
        if "org" in h.categories
        and (not sentence.usable or cues.is_attribution(sentence.tokens, h, gaz))
    ]


def _record_fields(
    sentence: Sentence, hits: list[Hit], sources: list[Hit], gaz: Gazetteer, fields: frozenset[str]
) -> None:
    """The fields in scope the sentence names: by a field word, unless it describes a source ("the
    state news agency MTI reported"), or by an organisation in a field that is no source."""
    for hit in hits:
        if hit not in sources:
            for category, value in hit.payloads:
                if category == "org":
                    sentence.fields.update(fields.intersection(gaz.organisations[value].fields))
        if "field" in hit.categories and not any(
            s.start - DESCRIPTOR <= hit.end <= s.start for s in sources
        ):
            sentence.fields.update(v for c, v in hit.payloads if c == "field")


def _after_locative(tokens: Tokens, hit: Hit, locatives: list[int]) -> bool:
    """``in Russia``, ``in the Philippines``, ``tại Lào``."""
    return any(
        end == hit.start or (end == hit.start - 1 and tokens.lower[end] == "the")
        for end in locatives
    )


_AREA_KINDS = frozenset({"conference", "training"})  # "các hội thảo", "training courses"


def _record_kind_words(sentence: Sentence, hits: list[Hit]) -> None:
    """Event kinds named only as areas ("các hội thảo", "seminars") or settings ("during a working
    visit")."""
    plural: dict[str, bool] = {}
    framed: dict[str, bool] = {}
    for hit in hits:
        for category, kind in hit.payloads:
            if category == "kind_weak":
                one = kind in _AREA_KINDS and cues.is_plural(sentence.tokens, hits, hit)
                plural[kind] = plural.get(kind, True) and one
                framed[kind] = framed.get(kind, True) and cues.is_framed(hits, hit)
    sentence.areas = {kind for kind, every in plural.items() if every}
    sentence.framed = {kind for kind, every in framed.items() if every}


def _apply_cues(sentence: Sentence, hits: list[Hit], published: date | None) -> None:
    """What the hits say together: exchanges, co-productions, orders, history, lists."""
    found = cues.exchanges(sentence.tokens, hits)
    found += [(at, False) for at in cues.exchange_phrases(hits)]
    done = [(at, media) for at, media in found if not cues.tentative(hits, at)]
    if done:
        sentence.coop = True
        sentence.kinds_strong.add("exchange")
        sentence.media_exchange = any(media for _, media in done)
    elif found:
        sentence.kinds_strong.discard("exchange")  # "discussed expanding the exchange of news"
    if cues.joint_production(hits):
        sentence.coop = True
        sentence.kinds_strong.add("joint_production")
    if cues.only_obeying(hits):
        sentence.coop = False
        sentence.kinds_strong.clear()
        sentence.kinds_weak.clear()
    years = [int(y) for y in cues.PAST_YEAR.findall(sentence.text)]
    sentence.history = bool(published) and any(y < published.year for y in years)
    if "agreement" in sentence.kinds_strong and cues.signed_before(
        sentence.tokens, hits, published
    ):
        sentence.kinds_strong.discard("agreement")
    sentence.listed = cues.lists_fields(hits)


def _record_pairs(sentence: Sentence, gaz: Gazetteer) -> None:
    """Pairs such as "Việt - Lào" and "Lào - Việt": Việt Nam and the other country."""
    for match in gaz.pair_pattern.finditer(sentence.text):
        sentence.countries.append((sentence.tokens.index_at(match.start()), "VN"))
        form = match.group("after") or match.group("before")
        at = sentence.tokens.index_at(
            match.start("after") if match.group("after") else match.start()
        )
        sentence.countries.append((at, gaz.pair_codes[form]))


_KIND_SETS = {"kind_strong": "kinds_strong", "kind_weak": "kinds_weak", "kind_title": "kinds_title"}


def _record_place(
    sentence: Sentence, hits: list[Hit], hit: Hit, place: Place, locatives: list[int]
) -> None:
    """Record a place with how surely it is the scene (see ``Sentence.places``); a generated
    place touching another capitalised word is part of a name ("Santiago Pérez", "Seoul National
    University"), one that is also an organisation's name is the organisation ("Granma"), and one
    named as a district is not the town of that name ("quận Hoàng Mai, Hà Nội")."""
    tokens = sentence.tokens
    if place.generated and (
        cues.inside_name(tokens, hit) or _also_org(hits, hit) or cues.district_name(tokens, hit)
    ):
        return
    if any(hit.start - 4 <= end <= hit.start for end in locatives):
        where = 2
    else:
        where = 1 if cues.destination(hits, hit) else 0
    sentence.places.append((hit.start, place.name, where))


def _also_org(hits: list[Hit], hit: Hit) -> bool:
    """The words of ``hit`` also name an organisation ("Granma", the newspaper)."""
    return any("org" in h.categories and h.start <= hit.start and hit.end <= h.end for h in hits)


def _record_capitals(
    sentence: Sentence, hits: list[Hit], gaz: Gazetteer, locatives: list[int]
) -> None:
    """A capital named through its country: "in the Lao capital", "Vietnam's capital", "the
    capital of Cambodia", "tại thủ đô Lào", "thủ đô của Campuchia"."""
    found = False
    for hit in hits:
        code = next((v for c, v in hit.payloads if c == "country"), None)
        at = cues.capital_word(sentence.tokens, hit) if code in gaz.capitals else None
        if at is not None:
            where = 2 if any(at - 4 <= end <= at for end in locatives) else 0
            sentence.places.append((at, gaz.capitals[code], where))
            found = True
    if found:
        sentence.places.sort(key=lambda place: place[0])


def _record_payload(sentence: Sentence, hit: Hit, category: str, value: str) -> None:
    if category == "country":
        sentence.countries.append((hit.start, value))
    elif category == "coop":
        sentence.coop = True
    elif category in _KIND_SETS:
        sentence.coop = True
        getattr(sentence, _KIND_SETS[category]).add(value)
    elif category == "topic":
        sentence.topics.add(value)
    elif category in _SIMPLE_FLAGS:
        setattr(sentence, _SIMPLE_FLAGS[category], True)
