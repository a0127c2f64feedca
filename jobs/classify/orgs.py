"""Organisations recognised from the text itself, beyond the gazetteer's list.

News about media cooperation names many bodies no hand-written list holds: a journalists'
association, a provincial radio station, a foreign ministry's press department. Three general
readings find them, in English and Vietnamese:

* **acronym definitions**: ``the Philippine Information Agency (PIA)``. A bracketed acronym right
  after a capitalised name is a definition when its letters are the name's initials, or when the
  name ends in an organisation noun (``Media Support and Asset Management Fund (MTVA)``); a
  bracketed source after a place (``HANOI (VNA)``) is not. Later bare uses of the acronym are the
  same organisation;
* **head-noun names**: a run of capitalised words with an organisation noun (``Belarusian
  Association of Journalists``, ``Mongolian National Broadcaster``; ``Đài Phát thanh Quốc gia
  Lào``, ``Báo Dân trí``, ``Bộ Ngoại giao Lào``). A country named inside it (``Belarusian``,
  ``Lào``) or just before it (``Hungary's ...``) gives its country; a Vietnamese ministry's remit
  is put in English (``Bộ Ngoại giao Lào`` is ``Ministry of Foreign Affairs (Laos)``), so the
  English and the Vietnamese report of one event name the same body;
* **missions through their envoy**: ``the Chinese ambassador``, ``Việt Nam's ambassador in
  Moscow``, ``Đại sứ Việt Nam tại Nga`` are the embassy (``Embassy of Vietnam in Russia``).

Beyond names: a government whose head or minister receives or hosts (``Government of Laos``),
and, in ``fields``, the multilateral body an act took place within. The vocabulary (organisation
nouns, title words, ministry remits, leaders) is data: ``orgwords.yaml`` in ``gazetteer/``, read
by ``jobs.classify.orgwords``; ``jobs.classify.orgspans`` finds where names begin and end.

A name the gazetteer knows is left to the gazetteer, which has its canonical form. Canonical
names of recognised bodies keep their acronym (``Belarusian Association of Journalists (BAJ)``),
so a user who types the acronym finds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jobs.classify.gazetteer import Gazetteer, Organisation, country_name, organisation_names
from jobs.classify.orgspans import definition_start, en_spans, run_start, vi_spans
from jobs.classify.orgwords import Phrases, Words, is_cap, phrase_at, words
from jobs.classify.textmatch import Hit, Tokens, fold_token
from jobs.text import VIETNAMESE_LETTERS

UNKNOWN = ""  # the country of a recognised body that names none: not an international body
_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z&.\-]{1,11})\s*\)")


@dataclass
class Found:
    """The organisations recognised in one article so far."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    acronyms: dict[str, str] = field(default_factory=dict)  # "BAJ" -> canonical name
    names: dict[tuple[str, ...], str] = field(default_factory=dict)  # folded words -> name


class Recogniser:
    """Finds organisations in the sentences of one article (see the module docstring)."""

    def __init__(self, gaz: Gazetteer, language: str, home: str | None) -> None:
        self.gaz = gaz
        self.language = language
        self.home = home  # whose unqualified ministries these are (the outlet's country)
        self.found = Found()

    @property
    def organisations(self) -> Mapping[str, Organisation]:
        return self.found.organisations

    def hits(self, tokens: Tokens, hits: list[Hit], title: bool = False) -> list[Hit]:
        """New organisation hits in one sentence, given the gazetteer's ``hits`` in it. A title
        (often in Title Case) only gives names already defined or recognised elsewhere."""
        taken = [h for h in hits if "org" in h.categories]
        new: list[Hit] = []
        if not title:
            new += self._definitions(tokens, hits, taken)
            new += self._envoys(tokens, hits, taken + new)
            new += self._leaders(tokens, hits, taken + new)
            new += self._heads(tokens, hits, taken + new)
        new += self._known(tokens, taken + new)
        return new

    # -- reading names -------------------------------------------------------------------------

    def _register(self, name: str, country: str | None, fields: tuple[str, ...]) -> str:
        if name not in self.found.organisations:
            self.found.organisations[name] = Organisation(name, country or UNKNOWN, fields)
            self.found.names[tuple(fold_token(w) for w in re.findall(r"\w+", name))] = name
        return name

    def _definitions(self, tokens: Tokens, hits: list[Hit], taken: list[Hit]) -> list[Hit]:
        new = []
        for match, acronym in _acronyms(tokens.text):
            end = tokens.index_at(match.start())  # the first word of the acronym
            start = run_start(tokens, end, words())
            if start is None or start >= end:
                continue
            start = definition_start(tokens, start, end, acronym)
            if start is None or _covered(start, end, taken) or organisation_names(acronym):
                continue
            names = list(tokens.words[start:end])
            country = _country_of(tokens, hits, start, end)
            name = self._register(
                f"{' '.join(names)} ({acronym})", country, _fields(names, words())
            )
            self.found.acronyms[acronym] = name
            new.append(Hit(start, tokens.index_at(match.end() - 1), (("org", name),)))
        return new

    def _known(self, tokens: Tokens, taken: list[Hit]) -> list[Hit]:
        """Later uses of a defined acronym or of a name recognised before."""
        new = []
        for i, word in enumerate(tokens.words):
            name = self.found.acronyms.get(word)
            if name and not _covered(i, i + 1, taken + new):
                new.append(Hit(i, i + 1, (("org", name),)))
        for key, name in self.found.names.items():
            size = len(key)
            for i in range(len(tokens.folded) - size + 1):
                if tokens.folded[i : i + size] == key and not _covered(i, i + size, taken + new):
                    new.append(Hit(i, i + size, (("org", name),)))
        return new

    def _heads(self, tokens: Tokens, hits: list[Hit], taken: list[Hit]) -> list[Hit]:
        spans = vi_spans(tokens, hits) if self.language == "vi" else en_spans(tokens, hits)
        new = []
        for start, end in spans:
            if _covered(start, end, taken + new):
                continue
            name, country = self._name(tokens, hits, start, end)
            if name:
                names = list(tokens.words[start:end])
                new.append(Hit(start, end, (("org", self._register(
                    name, country, _fields(names, words())
                )),)))
        return new

    def _name(self, tokens: Tokens, hits: list[Hit], start: int, end: int
              ) -> tuple[str | None, str | None]:
        text = tokens.text[tokens.spans[start][0] : tokens.spans[end - 1][1]]
        country = _country_of(tokens, hits, start, end)
        if self.language != "vi":
            return text, country
        lower = tokens.lower[start:end]
        vietnamese = lower[0] in words().government_vi or VIETNAMESE_LETTERS.search(text)
        if country is None and vietnamese:
            country = self.home or "VN"  # "Bộ Ngoại giao", "báo Dân trí": the outlet's own
        if lower[0] == "bộ":
            remit = _remit(lower[1:])
            if remit and country:
                return f"Ministry of {remit} ({country_name(country)})", country
        return text, country

    def _envoys(self, tokens: Tokens, hits: list[Hit], taken: list[Hit]) -> list[Hit]:
        """Embassies, named or through their ambassador."""
        w, vi = words(), self.language == "vi"
        new = []
        countries, places = _named(hits, "country"), _named(hits, "place")
        for i, word in enumerate(tokens.folded):
            size = phrase_at(tokens, i, w.envoys_vi) if vi else (
                1 if word in w.missions_en or word in w.envoys_en else 0)
            if not size or (vi and not tokens.words[i][0].isupper() and i):
                continue
            sender = _sender(tokens, countries, i, i + size, vi)
            if sender is None:
                continue
            at, host = _host(tokens, countries, places, sender[1], vi, self.gaz)
            name = f"Embassy of {country_name(sender[0])}"
            if host and host != sender[0]:
                name += f" in {country_name(host)}"
            start, end = min(i, sender[2]), max(i + size, at)
            if _covered(start, end, taken + new):
                continue
            self._register(name, sender[0], ())
            new.append(Hit(start, end, (("org", name),)))
        return new

    def _leaders(self, tokens: Tokens, hits: list[Hit], taken: list[Hit]) -> list[Hit]:
        """A government, when its head or a minister receives or hosts: "Lao Prime Minister
        Sonexay Siphandone received the delegation", "Thủ tướng Campuchia tiếp đoàn"."""
        w, vi = words(), self.language == "vi"
        if not _receives(tokens, w.receives_vi if vi else w.receives_en, w.not_receives_vi):
            return []
        countries = _named(hits, "country")
        for i in range(len(tokens.words)):
            size = phrase_at(tokens, i, w.leaders_vi if vi else w.leaders_en)
            if not size or not is_cap(tokens.words[i]):
                continue
            code = next((c for start, stop, c in countries
                         if (vi and start == i + size) or (not vi and stop == i)), None)
            if code is None and vi:
                code = self.home or "VN"
            if code is None or _covered(i, i + size, taken):
                continue
            name = self._register(f"Government of {country_name(code)}", code, ())
            return [Hit(i, i + size, (("org", name),))]
        return []


def _receives(tokens: Tokens, verbs: Phrases, not_verbs: Phrases) -> bool:
    """A verb of receiving or hosting, as words: "tiếp đoàn", not "tiếp tục" or "trực tiếp"."""
    for i in range(len(tokens.words)):
        if phrase_at(tokens, i, verbs) and not phrase_at(tokens, i, not_verbs) and not (
            i and phrase_at(tokens, i - 1, not_verbs) == 2
        ):
            return True
    return False


def _named(hits: list[Hit], category: str) -> list[tuple[int, int, str]]:
    """(start, end, value) of the ``category`` hits ("country", "place"), in reading order."""
    return sorted((h.start, h.end, v) for h in hits for c, v in h.payloads if c == category)


def _covered(start: int, end: int, hits: list[Hit]) -> bool:
    return any(h.start < end and start < h.end for h in hits)


def _acronyms(text: str) -> list[tuple[re.Match[str], str]]:
    """The bracketed acronyms of ``text`` that may define a name: "(MTVA)", "(BelTA)"."""
    found = []
    for match in _ACRONYM.finditer(text):
        acronym = match.group(1).rstrip(".")
        if sum(c.isupper() for c in acronym) >= 2:
            found.append((match, acronym))
    return found


def defined_acronyms(texts: Iterable[str]) -> frozenset[str]:
    """Every acronym a ``Recogniser`` reading ``texts`` could learn: a later use of any other
    word is never one of its names."""
    return frozenset(acronym for text in texts for _, acronym in _acronyms(text))


def _fields(names: list[str], w: Words) -> tuple[str, ...]:
    text = " ".join(names).lower()
    return tuple(sorted({f for pattern, f in w.fields if pattern.search(text)}))


def _country_of(tokens: Tokens, hits: list[Hit], start: int, end: int) -> str | None:
    """A country named inside the name, else just before it ("Hungary's", "Turkish"), else in
    brackets just after it."""
    countries = _named(hits, "country")
    inside = [code for first, stop, code in countries if start <= first and stop <= end
              and " ".join(tokens.lower[first : first + 2]) not in words().not_countries_vi]
    if inside:
        return inside[0]
    before = [(stop, code) for _, stop, code in countries if stop <= start and start - stop <= 1]
    if before:
        between = tokens.text[tokens.spans[before[-1][0] - 1][1] : tokens.spans[start][0]]
        if between.strip() in ("'s", "’s", "s", "", "của"):
            return max(before)[1]
    return _bracketed_country(tokens, countries, end)


def _bracketed_country(tokens: Tokens, countries: list[tuple[int, int, str]], end: int
                       ) -> str | None:
    """A country in brackets right after a name: "Báo Xiêng Khoảng (Lào)", "KBS (South Korea)"."""
    if end >= len(tokens.words) or tokens.text[tokens.spans[end - 1][1] : tokens.spans[end][0]] \
            .strip() != "(":
        return None
    for first, stop, code in countries:
        if first == end and tokens.text[tokens.spans[stop - 1][1] :].lstrip().startswith(")"):
            return code
    return None


def _remit(lower: tuple[str, ...]) -> str | None:
    for words_vi, english in words().remits_vi:
        if lower[: len(words_vi)] == words_vi:
            return english
    return None


def _sender(tokens: Tokens, countries: list[tuple[int, int, str]], at: int, end: int, vi: bool
            ) -> tuple[str, int, int] | None:
    """The country whose mission or envoy this is: "Korean Ambassador", "Việt Nam's ambassador",
    "Embassy of the Republic of Korea", "Đại sứ quán Hàn Quốc"; (code, end, start)."""
    for start, stop, code in countries:
        if vi and start == end:
            return code, stop, start
        if not vi:
            between = tokens.text[tokens.spans[stop - 1][1] : tokens.spans[at][0]]
            if stop <= at and at - stop <= 1 and between.strip() in ("", "'s", "’s", "s"):
                return code, end, start
            gap = tokens.folded[end:start]
            if start >= end and gap in ((), ("of",), ("of", "the")):
                return code, stop, at
    return None


def _host(tokens: Tokens, countries: list[tuple[int, int, str]], places: list[tuple[int, int, str]],
          after: int, vi: bool, gaz: Gazetteer) -> tuple[int, str | None]:
    """The country an envoy is posted to: "to Mongolia", "in Moscow", "tại Nga"."""
    preps = ("tai", "o") if vi else ("to", "in")
    if after < len(tokens.folded) and tokens.folded[after] in preps:
        j = after + 1 + (after + 1 < len(tokens.folded) and tokens.folded[after + 1] == "the")
        for start, stop, code in countries:
            if start == j:
                return stop, code
        for start, stop, name in places:
            if start == j:
                return stop, gaz.places[name].country
    return after, None
