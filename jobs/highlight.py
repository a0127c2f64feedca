"""The words of an evidence sentence that gave a field its value, marked for the item page.

An item's ``evidence`` maps a field to the sentence it was read from. Here each field's values
(and their other spellings from the classifier's gazetteer: "Lào" and "Laos" for LA, "Hanoi"
for Hà Nội, an organisation's aliases; for the kinds and the cooperation itself, the words of
the classifier's rules: "signed", "ký kết") are found in that sentence without regard to case or
diacritics, and wrapped in ``<mark>``. A date field marks the date expressions it contains.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from jobs.classify.gazetteer import aliases_of, read_data
from jobs.countries import country_label, country_names
from jobs.text import fold

MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
          "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|thu (?:hai|ba|tu|nam|sau|bay)"
DATE_WORDS = re.compile(
    rf"\b(?:(?:ngay|hom)\s+)?\d{{1,2}}\s*[/.-]\s*\d{{1,2}}(?:\s*[/.-]\s*\d{{2,4}})?\b"
    rf"|\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b(?:\s+\d{{4}})?"
    rf"|\b(?:{DAYS})\b|\bchu nhat\b|\b(?:today|yesterday|tomorrow|hom nay|hom qua)\b"
    rf"|\bthang\s+\d{{1,2}}(?:\s*/\s*\d{{4}})?\b")


@lru_cache(maxsize=256)
def _country_terms(code: str) -> tuple[str, ...]:
    entry = read_data("countries.yaml").get(code) or {}
    spelled = [name for key in ("en", "vi", "strict", "guarded", "short")
               for name in entry.get(key, [])]
    return tuple(dict.fromkeys([*spelled, *country_names(code)]))


@lru_cache(maxsize=1024)
def _organisation_terms(name: str) -> tuple[str, ...]:
    try:
        return (name, *aliases_of(name))
    except KeyError:  # a name the gazetteer no longer knows: the name alone
        return (name,)


@lru_cache(maxsize=256)
def _place_terms(name: str) -> tuple[str, ...]:
    for entry in read_data("places.yaml"):
        if entry.get("name") == name:
            return (name, *entry.get("aliases", []))
    return (name,)


def terms_for(field: str, item: Mapping[str, Any]) -> list[str]:
    """The words that stand for ``field``'s value(s) of ``item`` in a sentence."""
    if field == "countries":
        return [t for code in item.get("countries") or [] for t in _country_terms(code)]
    if field == "organisations":
        return [t for name in item.get("organisations") or [] for t in _organisation_terms(name)]
    if field == "place" and item.get("place"):
        return list(_place_terms(item["place"]))
    if field == "kinds":
        return [t for kind in item.get("kinds") or [] for t in _kind_terms(kind)]
    if field == "cooperation":
        return [t for kind in item.get("kinds") or [] for t in _kind_terms(kind)] + list(
            _strings(read_data("rules.yaml").get("cooperation")))
    return []


@lru_cache(maxsize=64)
def _kind_terms(kind: str) -> tuple[str, ...]:
    """The words of the classifier's rules that show a kind of cooperation ("signed" for an
    agreement, "ký kết" too), and the kind's own name."""
    rules = read_data("rules.yaml").get("kinds", {}).get(kind)
    return (kind.replace("_", " "), *_strings(rules))


def _strings(data: Any) -> Iterable[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def spans(sentence: str, terms: Iterable[str], pattern: re.Pattern[str] | None = None) -> list:
    """Where ``terms`` (or ``pattern``) occur in ``sentence``, as merged (start, end) pairs."""
    folded = fold(sentence)
    if len(folded) != len(sentence):  # folding changed lengths: offsets would not line up
        folded = sentence.lower()
    found = []
    for term in sorted({fold(t) for t in terms if t and len(t) > 1}, key=len, reverse=True):
        found += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", folded)]
    if pattern is not None:
        found += [m.span() for m in pattern.finditer(folded)]
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def mark(sentence: str, field: str, item: Mapping[str, Any]) -> Markup:
    """``sentence`` as HTML with the words of ``field`` in ``<mark>``."""
    pattern = DATE_WORDS if field == "event_date" else None
    return _marked(sentence, spans(sentence, terms_for(field, item), pattern))


def why_matched(title: str | None, summary: str | None, query: str,
                elsewhere: str = "the words are in the article’s text") -> Markup:
    """Why a search result matched ``query``: its title or summary sentence with the words
    marked, or the ``elsewhere`` note (the words are in text the list does not show)."""
    words = [w for w in re.findall(r"\w+", query) if w.upper() not in ("AND", "OR", "NOT")]
    for text in (summary, title):
        for sentence in re.split(r"(?<=[.!?])\s+", text or ""):
            found = spans(sentence, words)
            if found:
                return _marked(sentence, found)
    return Markup('<span class="note">{}</span>').format(elsewhere)


def _marked(sentence: str, found: list) -> Markup:
    out, last = [], 0
    for start, end in found:
        out += [escape(sentence[last:start]), Markup("<mark>"), escape(sentence[start:end]),
                Markup("</mark>")]
        last = end
    out.append(escape(sentence[last:]))
    return Markup("").join(out)


def why_event_matched(title: str | None, countries: Any, query: str) -> Markup:
    """Why an event matched ``query``: its title with the words marked, else the country among
    its parties that the words name ("Laos" → "Laos (LA) is a party"), else a note."""
    words = {fold(w) for w in re.findall(r"\w+", query)}
    if spans(title or "", words):
        return why_matched(title, None, query)
    codes = json.loads(countries) if isinstance(countries, str) else countries or []
    for code in codes:
        terms = (code, *_country_terms(code))
        names = {fold(w) for term in terms for w in re.findall(r"\w+", term)}
        if words & names:
            return Markup('<span class="note">{} is among its parties</span>').format(
                country_label(code))
    return Markup('<span class="note">the words are in its parties, place or reports</span>')
