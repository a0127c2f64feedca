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

The vocabulary (organisation nouns, title words, ministry remits) is data: ``orgwords.yaml`` in
``gazetteer/``. A name the gazetteer knows is left to the gazetteer, which has its canonical form.
Canonical names of recognised bodies keep their acronym (``Belarusian Association of Journalists
(BAJ)``), so a user who types the acronym finds them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from jobs.classify.gazetteer import (
    Gazetteer,
    Organisation,
    country_name,
    organisation_names,
    read_data,
)
from jobs.classify.textmatch import Hit, Tokens, fold_token

UNKNOWN = ""
# letters only Vietnamese spelling has: a name written with them is a Vietnamese body's
_VIETNAMESE = re.compile(
    r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE
)  # the country of a recognised body that names none: not an international body
_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z&.\-]{1,11})\s*\)")


Phrases = dict[str, tuple[tuple[str, ...], ...]]  # first word -> phrases, longest first


@dataclass(frozen=True)
class Words:
    """The vocabulary of ``orgwords.yaml``, folded for lookup."""

    heads_en: frozenset[str]
    heads_vi: Phrases  # longest first
    heads_vi_lower: Phrases  # "hãng thông tấn", "báo" before a name
    government_vi: frozenset[str]  # Bộ, Cục, Vụ: unqualified, they are the home country's
    connectors_en: frozenset[str]
    titles: frozenset[str]
    leading: frozenset[str]
    remits_vi: tuple[tuple[tuple[str, ...], str], ...]  # folded words -> English remit
    missions_en: frozenset[str]
    envoys_en: frozenset[str]
    not_countries_vi: frozenset[str]  # "lao động": labour, not Laos
    surnames_vi: frozenset[str]  # a person's name begins with one: "Phạm Tuấn Anh"
    stops_vi: frozenset[str]  # function words a name does not run across: và, của, tại
    envoys_vi: Phrases  # and missions: Đại sứ quán, Đại sứ
    fields: tuple[tuple[re.Pattern[str], str], ...]  # words of a name -> scope field
    leaders_en: Phrases
    leaders_vi: Phrases
    receives_en: tuple[str, ...]
    receives_vi: tuple[str, ...]
    frames: tuple[str, ...]  # "on the sidelines of": what follows is the body an act was within


def _phrases(values: list[str]) -> Phrases:
    """Phrases in lower case, looked up by their first word. Vietnamese phrases keep their
    diacritics (``Đài`` is not ``đại``, ``Ban`` not ``Bản``)."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for value in values:
        words = tuple(value.lower().split())
        if words not in by_first.setdefault(words[0], []):
            by_first[words[0]].append(words)
    return {first: tuple(sorted(ps, key=len, reverse=True)) for first, ps in by_first.items()}


@lru_cache(maxsize=1)
def words() -> Words:
    data = read_data("orgwords.yaml")
    folded = lambda values: frozenset(fold_token(v) for v in values)  # noqa: E731
    return Words(
        heads_en=folded(data["heads_en"]),
        heads_vi=_phrases(data["heads_vi"]),
        heads_vi_lower=_phrases(data["heads_vi_lower"]),
        government_vi=frozenset(v.lower() for v in data["government_vi"]),
        connectors_en=folded(data["connectors_en"]),
        titles=folded(data["titles"]),
        leading=folded(data["leading"]),
        remits_vi=tuple(
            sorted(
                ((tuple(re.findall(r"\w+", vi.lower())), en)
                 for vi, en in data["remits_vi"].items()),
                key=lambda pair: len(pair[0]),
                reverse=True,
            )
        ),
        missions_en=folded(data["missions_en"]),
        envoys_en=folded(data["envoys_en"]),
        not_countries_vi=frozenset(v.lower() for v in data["not_countries_vi"]),
        surnames_vi=frozenset(v.lower() for v in data["surnames_vi"]),
        stops_vi=frozenset(v.lower() for v in data["stops_vi"]),
        envoys_vi=_phrases(data["missions_vi"] + data["envoys_vi"]),  # missions too
        frames=tuple(v.lower() for v in data["frames"]),
        leaders_en=_phrases(data["leaders_en"]),
        leaders_vi=_phrases(data["leaders_vi"]),
        receives_en=tuple(v.lower() for v in data["receives_en"]),
        receives_vi=tuple(v.lower() for v in data["receives_vi"]),
        fields=tuple(
            (re.compile(rf"(?<!\w){re.escape(w.lower())}(?!\w)"), f)
            for f, ws in data["fields"].items()
            for w in ws
        ),
    )


def _initials_fit(acronym: str, names: list[str]) -> bool:
    """``BAJ`` fits Belarusian Association of Journalists, ``PCOO`` Presidential Communications
    Operations Office: the acronym's letters are the words' initials, in order, connectors
    optional."""
    letters = [c for c in acronym.upper() if c.isalpha()]
    connectors = words().connectors_en

    def fits(i: int, j: int) -> bool:
        if i == len(letters):
            return all(fold_token(w) in connectors for w in names[j:])
        if j == len(names):
            return False
        word = names[j]
        if word[0].upper() == letters[i] and fits(i + 1, j + 1):
            return True
        return fold_token(word) in connectors and fits(i, j + 1)

    return len(letters) >= 2 and fits(0, 0)


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
        for match in _ACRONYM.finditer(tokens.text):
            acronym = match.group(1).rstrip(".")
            if sum(c.isupper() for c in acronym) < 2:
                continue
            end = tokens.index_at(match.start())  # the first word of the acronym
            start = _run_start(tokens, end, words())
            if start is None or start >= end:
                continue
            start = _definition_start(tokens, start, end, acronym)
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
        spans = _vi_spans(tokens, hits) if self.language == "vi" else _en_spans(tokens, hits)
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
        if country is None and (lower[0] in words().government_vi or _VIETNAMESE.search(text)):
            country = self.home or "VN"  # "Bộ Ngoại giao", "báo Dân trí": the outlet's own
        if lower[0] == "bộ":
            remit = _remit(lower[1:])
            if remit and country:
                return f"Ministry of {remit} ({country_name(country)})", country
        return text, country

    def _envoys(self, tokens: Tokens, hits: list[Hit], taken: list[Hit]) -> list[Hit]:
        """Embassies, named or through their ambassador."""
        w = words()
        new = []
        countries = sorted((h.start, h.end, v) for h in hits for c, v in h.payloads
                           if c == "country")
        places = sorted((h.start, h.end, v) for h in hits for c, v in h.payloads if c == "place")
        for i, word in enumerate(tokens.folded):
            vi = self.language == "vi"
            size = _phrase_at(tokens, i, w.envoys_vi) if vi else (
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
        text = tokens.text.lower()
        if not any(verb in text for verb in (w.receives_vi if vi else w.receives_en)):
            return []
        countries = sorted((h.start, h.end, v) for h in hits for c, v in h.payloads
                           if c == "country")
        for i in range(len(tokens.words)):
            size = _phrase_at(tokens, i, w.leaders_vi if vi else w.leaders_en)
            if not size or not _is_cap(tokens.words[i]):
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


def _covered(start: int, end: int, hits: list[Hit]) -> bool:
    return any(h.start < end and start < h.end for h in hits)


def _phrase_at(tokens: Tokens, i: int, phrases: Phrases) -> int:
    """The length of the longest of ``phrases`` (lower case, diacritics kept) at word ``i``."""
    for phrase in phrases.get(tokens.lower[i], ()):
        size = len(phrase)
        if tokens.lower[i : i + size] == phrase and all(
            tokens.adjacent(k, k + 1) for k in range(i, i + size - 1)
        ):
            return size
    return 0


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


_RUN_GAPS = ("", "-", "&", "'", "’")


def _run_start(tokens: Tokens, end: int, w: Words) -> int | None:
    """The first word of the capitalised run that ends just before word ``end`` (an acronym in
    brackets), without a leading "The"."""
    start = None
    for i in range(end - 1, -1, -1):
        gap = tokens.text[tokens.spans[i][1] : tokens.spans[i + 1][0]].strip()
        if gap not in _RUN_GAPS and not (i == end - 1 and gap == "("):
            break
        if _is_cap(tokens.words[i]):
            start = i
        elif tokens.folded[i] not in w.connectors_en:
            break
    while start is not None and start < end and tokens.folded[start] in w.leading:
        start += 1
    return start


def _definition_start(tokens: Tokens, start: int, end: int, acronym: str) -> int | None:
    """Where the name an acronym defines begins: the longest run end whose initials are the
    acronym's ("Officials of the [Ghana News Agency] (GNA)"), else, when the run holds an
    organisation noun, what follows its last "the" or "of" ("Hungary's [Media Support and Asset
    Management Fund] (MTVA)")."""
    w = words()
    for i in range(start, end):
        if _is_cap(tokens.words[i]) and _initials_fit(acronym, list(tokens.words[i:end])):
            return i
    if not _has_head(list(tokens.words[start:end]), w):
        return None
    cuts = [i + 1 for i in range(start, end) if tokens.folded[i] in ("the", "of")]
    cut = max(cuts, default=start)
    return cut if cut < end and _is_cap(tokens.words[cut]) else None


def _has_head(names: list[str], w: Words) -> bool:
    return any(fold_token(n) in w.heads_en for n in names)


def _fields(names: list[str], w: Words) -> tuple[str, ...]:
    text = " ".join(names).lower()
    return tuple(sorted({f for pattern, f in w.fields if pattern.search(text)}))


def _country_of(tokens: Tokens, hits: list[Hit], start: int, end: int) -> str | None:
    """A country named inside the name, else just before it ("Hungary's", "Turkish"), else in
    brackets just after it."""
    inside = [(h.start, v) for h in hits for c, v in h.payloads
              if c == "country" and start <= h.start and h.end <= end
              and " ".join(tokens.lower[h.start : h.start + 2]) not in words().not_countries_vi]
    if inside:
        return min(inside)[1]
    before = [(h.end, v) for h in hits for c, v in h.payloads
              if c == "country" and h.end <= start and start - h.end <= 1]
    if before:
        between = tokens.text[tokens.spans[before[-1][0] - 1][1] : tokens.spans[start][0]]
        if between.strip() in ("'s", "’s", "s", "", "của"):
            return max(before)[1]
    return _bracketed_country(tokens, hits, end)


def _bracketed_country(tokens: Tokens, hits: list[Hit], end: int) -> str | None:
    """A country in brackets right after a name: "Báo Xiêng Khoảng (Lào)", "KBS (South Korea)"."""
    if end >= len(tokens.words) or tokens.text[tokens.spans[end - 1][1] : tokens.spans[end][0]] \
            .strip() != "(":
        return None
    for h in hits:
        for category, value in h.payloads:
            after = tokens.text[tokens.spans[h.end - 1][1] :].lstrip()
            if category == "country" and h.start == end and after.startswith(")"):
                return value
    return None


def _extend_complement(tokens: Tokens, hits: list[Hit], head: int, w: Words) -> int:
    """The end of "of Journalists", "of the Republic of Korea in Mongolia" after a head noun."""
    end = head + 1
    n = len(tokens.words)
    while end + 1 < n and tokens.folded[end] in ("of", "for", "and", "in") and tokens.adjacent(
        end - 1, end
    ):
        j = end + 1
        if j < n and tokens.folded[j] == "the":
            j += 1
        if j >= n or not _is_cap(tokens.words[j]) or tokens.folded[j] in w.titles:
            break
        if tokens.folded[end] == "in" and tokens.folded[head] not in w.missions_en:
            break
        k = j
        while k < n and _is_cap(tokens.words[k]) and tokens.folded[k] not in w.titles and (
            k == j or tokens.adjacent(k - 1, k)
        ):
            k += 1
        end = k
    return end


def _en_spans(tokens: Tokens, hits: list[Hit]) -> list[tuple[int, int]]:
    """Capitalised runs with an organisation noun: "Belarusian Association of Journalists"."""
    w = words()
    spans = []
    i, n = 0, len(tokens.words)
    while i < n:
        if tokens.folded[i] not in w.heads_en or not _is_cap(tokens.words[i]):
            i += 1
            continue
        start = i
        while start > 0 and _is_cap(tokens.words[start - 1]) and tokens.adjacent(start - 1, start) \
                and tokens.folded[start - 1] not in w.titles:
            start -= 1
        while start < i and tokens.folded[start] in w.leading:
            start += 1
        end = _extend_complement(tokens, hits, i, w)
        # a following head in the same run: "Vietnam Television Corporation"
        while end < n and tokens.folded[end] in w.heads_en and _is_cap(tokens.words[end]) \
                and tokens.adjacent(end - 1, end):
            end = _extend_complement(tokens, hits, end, w)
        if end - start >= 2 and not (start == 0 and end - start == 2 and tokens.folded[0] == "the"):
            spans.append((start, end))
        i = end
    return spans


def _vi_spans(tokens: Tokens, hits: list[Hit]) -> list[tuple[int, int]]:
    """Vietnamese names: a head (Đài, Báo, Bộ, Hội Nhà báo ...) and the capitalised words after
    it, each word's first syllable capitalised ("Bộ Ngoại giao Lào", "Báo Dân trí")."""
    w = words()
    names = {"country", "place"}
    countries = {h.start: h.end for h in hits if not names.isdisjoint(h.categories)}
    spans = []
    i, n = 0, len(tokens.words)
    while i < n:
        if i in countries:  # "Hội An" is a place, not a Hội
            i = countries[i]
            continue
        size = _phrase_at(tokens, i, w.heads_vi)
        lower = False
        if not size or not _is_cap(tokens.words[i]):
            size = _phrase_at(tokens, i, w.heads_vi_lower)
            lower = True
            if not size:
                i += 1
                continue
        j = i + size
        journalist = lower and i > 0 and tokens.lower[i - 1] == "nhà"  # "nhà báo": a journalist
        person = j < n and (tokens.lower[j] in w.surnames_vi or journalist)
        if j >= n or not _is_cap(tokens.words[j]) or tokens.folded[j] in w.titles \
                or not tokens.adjacent(j - 1, j) or person:  # "nhà báo Trần Trọng Dũng"
            i += 1
            continue
        end = _vi_name_end(tokens, j, countries, w)
        start = j if lower else i
        if end > start and not (lower and countries.get(start) == end):
            spans.append((start, end))
        i = max(end, i + 1)
    return spans


def _joined(tokens: Tokens, left: int, right: int) -> bool:
    """Words of one name: only blanks between them, or a dash before a capitalised word
    ("Phát thanh - Truyền hình", "Lao động - Thương binh và Xã hội")."""
    gap = tokens.text[tokens.spans[left][1] : tokens.spans[right][0]]
    return not gap.strip() or (gap.strip() in ("-", "–") and _is_cap(tokens.words[right]))


_SANDWICH = 3  # lowercase syllables inside a name before its next capitalised word


def _vi_name_end(tokens: Tokens, j: int, countries: dict[int, int], w: Words) -> int:
    """Where a Vietnamese name that starts at word ``j`` ends: each word's first syllable is
    capitalised ("Ngoại giao", "Phúc lợi xã hội"); a country ends it ("... Lào"), and so does a
    person's name ("báo Dân trí Phạm Tuấn Anh"): a common surname before a capitalised word."""
    end, n = j, len(tokens.words)
    while end < n and (end == j or _joined(tokens, end - 1, end)):
        if end in countries and " ".join(tokens.lower[end : end + 2]) not in w.not_countries_vi:
            return countries[end]
        word = tokens.words[end]
        if end > j and tokens.lower[end] in w.surnames_vi and end + 1 < n \
                and _is_cap(tokens.words[end + 1]):
            return end
        joins = tokens.lower[end] == "và" and end + 1 < n and _is_cap(tokens.words[end + 1])
        if (_is_cap(word) and tokens.folded[end] not in w.titles) or joins:
            end += 1
            continue
        if end == j or not word.isalpha() or tokens.lower[end] in w.stops_vi:
            return end
        if _is_cap(tokens.words[end - 1]):
            end += 1  # the second syllable of a word: "Ngoại giao", "Dân trí"
            continue
        run = end  # more lowercase syllables only with a capitalised word after them
        while run < n and run - end < _SANDWICH and _joined(tokens, run - 1, run) \
                and tokens.words[run].isalpha() and not _is_cap(tokens.words[run]) \
                and tokens.lower[run] not in w.stops_vi:
            run += 1
        if run < n and run > end and _is_cap(tokens.words[run]) and _joined(tokens, run - 1, run):
            end = run
            continue
        return end
    return end


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
