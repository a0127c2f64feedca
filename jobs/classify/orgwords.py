"""The words that make a run of capitalised words an organisation's name: ``orgwords.yaml``
(see ``jobs.classify.orgs``), read once per process and looked up by first word."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from jobs.classify.gazetteer import read_data
from jobs.classify.textmatch import Tokens, fold_token

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
    field_words: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # the same, folded, by first
    leaders_en: Phrases
    leaders_vi: Phrases
    receives_en: Phrases
    receives_vi: Phrases
    not_receives_vi: Phrases  # "tiếp tục" (continue), "trực tiếp" (direct)
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


def _by_first(
    pairs: Iterable[tuple[tuple[str, ...], str]],
) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words_, value in pairs:
        table.setdefault(words_[0], []).append((words_, value))
    return {first: tuple(entries) for first, entries in table.items()}


def names_field(tokens: Tokens, fields: frozenset[str]) -> bool:
    """Whether a name recognised in ``tokens`` could be evidence of one of ``fields``: one of
    ``fields``' name words is there, in any case and with any diacritics (a superset of what
    ``Recogniser`` matches, so a sentence where this is False gets no field from a name)."""
    table = words().field_words
    folded = tokens.folded
    for i, token in enumerate(folded):
        for words_, value in table.get(token, ()):
            if value in fields and folded[i : i + len(words_)] == words_:
                return True
    return False


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
        receives_en=_phrases(data["receives_en"]),
        receives_vi=_phrases(data["receives_vi"]),
        not_receives_vi=_phrases(data["not_receives_vi"]),
        fields=tuple(
            (re.compile(rf"(?<!\w){re.escape(w.lower())}(?!\w)"), f)
            for f, ws in data["fields"].items()
            for w in ws
        ),
        field_words=_by_first(
            (tuple(fold_token(t) for t in re.findall(r"\w+", w)), f)
            for f, ws in data["fields"].items()
            for w in ws
        ),
    )


def phrase_at(tokens: Tokens, i: int, phrases: Phrases) -> int:
    """The length of the longest of ``phrases`` (lower case, diacritics kept) at word ``i``."""
    for phrase in phrases.get(tokens.lower[i], ()):
        size = len(phrase)
        if tokens.lower[i : i + size] == phrase and all(
            tokens.adjacent(k, k + 1) for k in range(i, i + size - 1)
        ):
            return size
    return 0


def is_cap(word: str) -> bool:
    return word[:1].isupper()
