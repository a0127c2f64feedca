"""Decide whether an article reports an international cooperation item, and fill the item.

An item is two or more countries' organisations or governments acting together, or agreeing,
planning or reviewing acting together, in a field in scope (by default: press, broadcasting, news
agencies, information and communications, publishing, digital media). ``classify`` is pure: an
``Article`` in, an ``Item`` or a ``Rejection`` (with its reason) out, no I/O, no clock. The data it
reads (countries, organisations, places, keywords) lives in ``gazetteer/*.yaml`` beside this
module and is loaded once per process; how fields are chosen is told in ``jobs/classify/fields.py``.

An article is rejected, with one of these reasons, when
  * ``no text``;
  * ``no media/communication field``: no sentence names a field in scope (trade, defence ... only).
    When no sentence names an act of cooperation beside anything that could be a field, names
    are not recognised from the text (``sentences.read_article``): a field named only inside such
    a name ("The Times of India") then counts as none (21 of the 1,371 peer pages, none of ours);
  * ``no cooperation in a media/communication field``: media is named, but never acted on together;
  * ``only one country: VN`` / ``no country named``: media news with no partner abroad (a
    country acting with an international body named in the lead, ASEAN or the ABU, is an item);
  * ``cooperation mentioned in passing``: no sentence of the lead (title, description, first three
    sentences) is about the cooperation, and fewer than a quarter of the sentences are; or media is
    only named in a list of other fields (``education, health, culture and media``); or the title
    is about another field (trade, defence) and the cooperation only comes up after the opening;
  * ``an anniversary with foreign congratulations``: an outlet's anniversary that partners abroad
    congratulate, with nothing signed, produced or taught on the occasion.

Scope configuration (``Scope.from_config``, from ``sources.yaml``)::

    scope:                       # the mapping passed to Scope.from_config
      fields: [press, broadcasting, news_agency, information, publishing, digital_media, film]
      keywords:                  # optional: more words for a field, or the words of a new field
        film: [film, cinema, điện ảnh]
        press: [op-ed]

``fields`` is the complete list of fields that count (default: ``scope.yaml``'s ``default``); each
must be known to ``scope.yaml`` (``film`` and ``advertising`` are, beyond the default) or be given
words under ``keywords``. Without ``fields``, the default fields count plus every field named under
``keywords``. Unknown keys, empty lists and non-string words are errors (``ValueError``).

Item values: ``countries`` are ISO 3166-1 alpha-2 codes of the parties (not a country named only
as the venue); ``organisations`` the canonical names of ``organisations.yaml`` (``VTV``, ``CMG``,
``VNA``, ``KPL``, ``Ministry of Information and Communications`` ...) and the names of bodies
recognised from the text itself (``jobs.classify.orgs``: ``Belarusian Association of Journalists
(BAJ)``, ``Ministry of Foreign Affairs (Laos)``, ``Embassy of Vietnam in Russia``, ``Government
of Laos``); ``place`` a canonical name of ``places.yaml`` or ``places_generated.tsv``
(Vietnamese places with their diacritics: ``Hà Nội``, ``Huế``, ``Thành phố Hồ Chí Minh``; places
abroad in English: ``Vientiane``);
``kinds`` from agreement, joint_production, exchange, training, conference, meeting; ``topics`` from
``rules.yaml``'s ``topics`` (content exchange, co-production, documentaries, digital
transformation, AI, OTT/platforms, journalism training, foreign information, press management, fake
news, telecommunications, publishing, youth exchange, news agencies, broadcasting technology);
``event_date`` is YYYY-MM-DD or None; ``event_date_basis`` says how it is known: ``stated`` (the
text gives the day and its year), ``inferred`` (a relative or year-less day resolved against the
reference day, a weekday or the year the text gives; or the dateline's day), ``year-less`` (the
year is unknown: ``event_day`` holds ``--MM-DD``) or ``missing``; see ``fields.event_date``.
``evidence`` maps each field to the sentence it came from; ``score`` is a rough confidence in
[0, 1] for sorting, not a probability.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobs.classify import fields as fields_of
from jobs.classify.gazetteer import canonical_organisation, canonical_place, load, phrase_index
from jobs.classify.sentences import Reading, read_article
from jobs.models import Article, Item, Rejection

CLASSIFIER_VERSION = "rules-1"
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CONFIG_KEYS = frozenset({"fields", "keywords"})
PASSING_SHARE = 0.25
PASSING = "cooperation mentioned in passing"
ANNIVERSARY = "an anniversary with foreign congratulations"


@dataclass(frozen=True)
class Scope:
    """Which fields of cooperation count, and any words added to them."""

    fields: tuple[str, ...]
    keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def default(cls) -> Scope:
        return cls(load().default_fields)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> Scope:
        """A scope from the ``scope`` mapping of sources.yaml (see the module docstring)."""
        if config is None:
            return cls.default()
        if not isinstance(config, Mapping):
            raise ValueError(f"classifier scope: expected a mapping, got {type(config).__name__}")
        unknown = sorted(set(config) - _CONFIG_KEYS)
        if unknown:
            listed = ", ".join(map(str, unknown))
            raise ValueError(f"classifier scope: unknown key(s) {listed}; known: fields, keywords")
        keywords = _keywords(config.get("keywords", {}))
        known = set(load().field_words) | set(keywords)
        if "fields" in config:
            fields = _names(config["fields"], "fields")
        else:
            fields = tuple(dict.fromkeys(load().default_fields + tuple(keywords)))
        for name in fields:
            if name not in known:
                raise ValueError(
                    f"classifier scope: unknown field {name!r}; known fields are "
                    f"{', '.join(sorted(known))}, or give its words under keywords"
                )
        for name in keywords:
            if name not in fields:
                raise ValueError(
                    f"classifier scope: keywords given for {name!r}, which is not in fields"
                )
        return cls(fields, tuple(sorted(keywords.items())))

    def field_words(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        extra = dict(self.keywords)
        words = load().field_words
        return tuple((name, words.get(name, ()) + extra.get(name, ())) for name in self.fields)


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise ValueError(f"classifier scope: {where} must be a non-empty list of names")
    for name in value:
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            raise ValueError(
                f"classifier scope: {where}: {name!r} is not a field name (lower_case_words)"
            )
    return tuple(dict.fromkeys(value))


def _keywords(value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise ValueError("classifier scope: keywords must map a field name to a list of words")
    result = {}
    for name, words in value.items():
        _names([name], "keywords")
        if isinstance(words, str) or not isinstance(words, list | tuple) or not words:
            raise ValueError(
                f"classifier scope: keywords: {name}: expected a non-empty list of words"
            )
        if not all(isinstance(w, str) and w.strip() for w in words):
            raise ValueError(
                f"classifier scope: keywords: {name}: every word must be a non-empty string"
            )
        result[name] = tuple(w.strip() for w in words)
    return result


def classify(
    article: Article, *, scope: Scope | None = None, source_country: str | None = None
) -> Item | Rejection:
    """The cooperation item ``article`` reports, or why it reports none."""
    if not (article.text or "").strip() and not (article.title or "").strip():
        return Rejection(article.url, "no text", CLASSIFIER_VERSION)
    scope = scope or Scope.default()
    reading = read_article(
        article,
        phrase_index(scope.field_words()),
        load(),
        frozenset(scope.fields),
        source_country,
        skim=True,
    )
    gaz = reading.gaz
    fields_of.resolve_orgs(reading, gaz)
    cores = [s for s in reading.sentences if fields_of.is_core(s)]
    if not cores:
        return Rejection(article.url, _why_no_core(reading), CLASSIFIER_VERSION)
    event = fields_of.event_date(reading)
    place, place_evidence = fields_of.event_place(reading, event)
    place_country = gaz.places[place].country if place else None
    countries = fields_of.parties(reading, gaz, place_country, source_country)
    multilateral = len(countries) == 1 and bool(fields_of.international(reading, gaz))
    if len(countries) < 2 and not multilateral:
        reason = f"only one country: {next(iter(countries))}" if countries else "no country named"
        return Rejection(article.url, reason, CLASSIFIER_VERSION)
    if not _prominent(reading, cores) or _about_another_field(reading, cores):
        return Rejection(article.url, PASSING, CLASSIFIER_VERSION)
    if _congratulated(reading):
        return Rejection(article.url, ANNIVERSARY, CLASSIFIER_VERSION)
    return _item(article, reading, cores, countries, event, place, place_evidence, multilateral)


def warm_up(scope: Scope | None = None) -> None:
    """Load the gazetteer, the recogniser's vocabulary and ``scope``'s phrase index now.

    Each is read once per process, on first use; a long-lived service pays that before its first
    sync rather than during it (``bench/RESULTS.md`` counts it apart, as the process's start).
    The tables event linking reads names through are built too."""
    classify(_WARM_UP, scope=scope)
    canonical_place("Hà Nội")
    canonical_organisation("VNA")


_WARM_UP = Article(
    url="about:warm-up", source="", title="Việt Nam and Laos sign a press agreement",
    text="HÀ NỘI (VNA) — The Vietnam News Agency and its Lao counterpart signed an agreement on "
    "news exchange on Monday. Hai bên ký thỏa thuận hợp tác trao đổi tin tại Hà Nội.",
)


def _why_no_core(reading: Reading) -> str:
    named = [s for s in reading.sentences if s.usable and s.fields]
    if any(s.coop and s.listed for s in named):
        return PASSING
    return (
        "no cooperation in a media/communication field" if named else "no media/communication field"
    )


def _prominent(reading: Reading, cores: list) -> bool:
    if any(fields_of.is_lead(s) for s in cores):
        return True
    body = [s for s in reading.sentences if s.role == "body" and s.usable]
    return len(cores) >= 2 and len(cores) >= PASSING_SHARE * len(body)


def _about_another_field(reading: Reading, cores: list) -> bool:
    """The title is about trade, defence ... and names no media, and the item only comes up
    after the opening: "Vietnam, Korea aim to lift trade ... the two sides also exchanged a
    memorandum on media, among ten documents"."""
    title = reading.sentences[0]
    if not title.other_field or title.fields or title.orgs:
        return False
    return not any(s.role != "body" or s.position == 0 for s in cores)


def _congratulated(reading: Reading) -> bool:
    """An anniversary (in the title or the first sentence) that foreign partners congratulate,
    with nothing signed, produced or taught on the occasion."""
    opening = [s for s in reading.sentences if s.role != "body" or s.position == 0]
    if not any(s.anniversary for s in opening):
        return False
    if not any(s.congratulations for s in reading.sentences):
        return False
    acts = {"agreement", "joint_production", "training"}
    return not any(acts & s.kinds_strong or (s.agree and s.ceremony) for s in reading.sentences
                   if fields_of.is_core(s) and not s.background)


def _item(article, reading, cores, countries, event, place, place_evidence, multilateral) -> Item:
    gaz = reading.gaz
    organisations, org_evidence = fields_of.organisations(reading, gaz, countries, multilateral)
    kinds, kind_evidence = fields_of.kinds(reading, event)
    party_evidence = next(
        (s.text for s in reading.sentences if len(fields_of.countries_of(s, gaz) & countries) >= 2),
        cores[0].text,
    )
    evidence = {
        "cooperation": cores[0].text,
        "countries": party_evidence,
        "organisations": org_evidence,
        "event_date": event.sentence.text if event.sentence and event.basis != "missing" else "",
        "place": place_evidence,
        "kinds": kind_evidence,
    }
    lead_cores = sum(fields_of.is_lead(s) for s in cores)
    score = min(
        1.0, 0.4 + 0.15 * min(lead_cores, 2) + 0.05 * min(len(cores), 6) + 0.1 * bool(organisations)
    )
    return Item(
        url=article.url,
        source=article.source,
        title=article.title,
        published=reading.published.isoformat() if reading.published else None,
        event_date=event.day.isoformat() if event.day else None,
        event_date_basis=event.basis,
        event_day=event.yearless,
        place=place,
        countries=tuple(sorted(countries)),
        organisations=tuple(organisations),
        kinds=tuple(kinds),
        topics=tuple(fields_of.topics(reading)),
        summary=fields_of.summary(reading),
        evidence={k: v for k, v in evidence.items() if v},
        score=round(score, 2),
        classifier=CLASSIFIER_VERSION,
    )
