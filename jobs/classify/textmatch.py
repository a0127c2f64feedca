"""Word-level phrase matching for English and Vietnamese news text.

Text is cut into word tokens once; every phrase (a country name, an organisation alias, a keyword)
is looked up by its *folded* tokens (``jobs.text.fold``: lower case, no diacritics) in one dict,
so scanning a sentence costs a few dict lookups per word whatever the number of phrases. A candidate
found that way is then checked in one of three modes:

``fold``
    any accents and case: ``Viet Nam`` finds ``Việt Nam``, ``VIỆT NAM`` and ``Vietnam``'s kin. Used
    for long proper names only, where folding cannot make two words meet.
``exact``
    any case but the same diacritics: ``báo`` (newspaper) is not ``bão`` (storm), ``Hue`` is not
    ``Huệ``. The default for keywords and for short names.
``case``
    same case and diacritics: acronyms (``VTV``, ``US``, ``AI``) and short forms (``Lao``, ``Nga``).

Proper names (countries, organisations, places) also require their capitalised words to be
capitalised in the text (``Nhân Dân`` the newspaper, not ``nhân dân`` the people); *guarded* ones
are rejected next to another capitalised word or after a pronoun (``Nguyễn Thị Nga``, ``Lào Cai``,
``ông Đức``). At each position the longest phrase wins, so a blocking phrase (``press conference``)
hides the keyword inside it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from jobs.text import fold

Payload = tuple[str, str]  # (category, value), e.g. ("country", "VN"), ("field", "press")

_WORD = re.compile(r"\w+")
# Old and new Vietnamese tone placement (hoà/hòa, thoả/thỏa, uỷ/ủy) are made one before matching.
_TONE_PAIR = re.compile(r"(?<![qQ])([oOuU])([àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ])(?!\w)")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GUARD_PRONOUNS = _words("ông bà anh chị em cô chú bác cụ thầy cháu con")
_GUARD_BAD_NEXT = _words("ấy ta luật lý chế nhân quyền y sư dài khoác kiến nghĩa tưởng")
_GUARD_OK_PREV = _words("việt phía nước bạn đoàn tại với và của sang ở")
_GUARD_NOT_FIRST = frozenset({"Anh", "Ý", "Áo"})


def _move_tone(match: re.Match[str]) -> str:
    first, second = match.group(1), match.group(2)
    base, *marks = unicodedata.normalize("NFD", second)
    return unicodedata.normalize("NFC", first + "".join(marks)) + base


def normalise(text: str) -> str:
    """NFC, with Vietnamese tone marks placed one way; keeps the length of the NFC text."""
    return _TONE_PAIR.sub(_move_tone, unicodedata.normalize("NFC", text))


@lru_cache(maxsize=65536)
def fold_token(token: str) -> str:
    return fold(token)


@dataclass(frozen=True)
class Tokens:
    """One sentence cut into words, with each word's span in ``text``."""

    text: str
    spans: tuple[tuple[int, int], ...]
    words: tuple[str, ...]
    lower: tuple[str, ...]
    folded: tuple[str, ...]

    def adjacent(self, left: int, right: int) -> bool:
        """True when only blanks separate word ``left`` from word ``right``."""
        return not self.text[self.spans[left][1] : self.spans[right][0]].strip()

    def index_at(self, char: int) -> int:
        """The index of the first word that ends after ``char``."""
        for i, (_, end) in enumerate(self.spans):
            if end > char:
                return i
        return len(self.spans)


def tokenise(text: str) -> Tokens:
    matches = list(_WORD.finditer(text))
    words = tuple(map(re.Match.group, matches))
    return Tokens(
        text=text,
        spans=tuple(map(re.Match.span, matches)),
        words=words,
        lower=tuple(map(str.lower, words)),
        folded=tuple(map(fold_token, words)),
    )


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    mode: str  # fold | exact | case
    proper: bool
    guarded: bool
    payload: Payload

    @cached_property
    def lower(self) -> tuple[str, ...]:
        return tuple(w.lower() for w in self.words)

    @cached_property
    def upper(self) -> tuple[str, ...]:
        return tuple(w.upper() for w in self.words)

    @cached_property
    def capitals(self) -> tuple[int, ...]:
        """The offsets of the words that must be capitalised in the text too."""
        size = len(self.words)
        return tuple(i for i, w in enumerate(self.words) if w[0].isupper() and (i or size == 1))


@dataclass(frozen=True)
class Hit:
    start: int  # word indexes, end exclusive
    end: int
    payloads: tuple[Payload, ...]
    categories: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", frozenset(c for c, _ in self.payloads))


def _is_acronym(words: tuple[str, ...]) -> bool:
    letters = "".join(words)
    return any(c.isalpha() for c in letters) and letters.isupper() and len(letters) <= 8


def auto_mode(words: tuple[str, ...], proper: bool) -> str:
    if _is_acronym(words):
        return "case"
    if proper and sum(len(fold_token(w)) for w in words) >= 7:
        return "fold"
    return "exact"


@dataclass
class PhraseIndex:
    """Phrases keyed by their folded words; ``scan`` finds them in a sentence, longest first."""

    _phrases: dict[tuple[str, ...], list[Phrase]] = field(default_factory=dict)
    _lengths: dict[str, tuple[int, ...]] = field(
        default_factory=dict
    )  # by first word, longest first

    def add(
        self,
        text: str,
        payload: Payload,
        *,
        proper: bool = False,
        mode: str | None = None,
        guarded: bool = False,
    ) -> None:
        words = tokenise(normalise(text)).words
        if not words:
            return
        key = tuple(fold_token(w) for w in words)
        phrase = Phrase(words, mode or auto_mode(words, proper), proper, guarded, payload)
        bucket = self._phrases.setdefault(key, [])
        if phrase not in bucket:
            bucket.append(phrase)
        lengths = set(self._lengths.get(key[0], ())) | {len(key)}
        self._lengths[key[0]] = tuple(sorted(lengths, reverse=True))

    def add_all(self, texts: Iterable[str], payload: Payload, **options: object) -> None:
        for text in texts:
            self.add(text, payload, **options)  # type: ignore[arg-type]

    def scan(self, tokens: Tokens) -> list[Hit]:
        """Every phrase found in ``tokens``, minus those hidden by a longer one (see ``_prune``)."""
        hits: list[Hit] = []
        folded, n, lengths = tokens.folded, len(tokens.folded), self._lengths
        for i, word in enumerate(folded):
            if word not in lengths:
                continue
            for length in lengths[word]:
                if i + length > n:
                    continue
                phrases = self._phrases.get(folded[i : i + length])
                if not phrases:
                    continue
                if len(phrases) == 1:  # most phrases have one reading
                    found = (phrases[0].payload,) if _accepts(phrases[0], tokens, i) else ()
                else:
                    found = tuple(
                        dict.fromkeys(p.payload for p in phrases if _accepts(p, tokens, i))
                    )
                if found:
                    hits.append(Hit(i, i + length, found))
        return prune(hits)


ENTITY_CATEGORIES = frozenset({"country", "org", "place"})


def _is_entity(hit: Hit) -> bool:
    return not hit.categories.isdisjoint(ENTITY_CATEGORIES)


def _inside(inner: Hit, outer: Hit) -> bool:
    return inner is not outer and outer.start <= inner.start and inner.end <= outer.end


def _overlaps(one: Hit, other: Hit) -> bool:
    return one is not other and one.start < other.end and other.start < one.end


def prune(hits: list[Hit]) -> list[Hit]:
    """Drop what a blocking phrase covers, entities overlapping longer entities (``Bộ trưởng Bộ
    Thông tin`` in ``Bộ trưởng Bộ Thông tin, Văn hóa và Du lịch``), and keywords inside entities
    (``culture`` in ``Ministry of Information, Culture and Tourism``). Keywords may overlap each
    other: ``joint documentary`` is a kind, ``documentary`` a field."""
    if len(hits) < 2:
        return [h for h in hits if "block" not in h.categories]
    blocks = [h for h in hits if "block" in h.categories]
    entities = [h for h in hits if _is_entity(h)]
    kept = []
    for hit in hits:
        if "block" in hit.categories or any(_inside(hit, b) for b in blocks):
            continue
        size = hit.end - hit.start
        if _is_entity(hit):
            if any(
                _overlaps(hit, e) and (e.end - e.start, -e.start) > (size, -hit.start)
                for e in entities
            ):
                continue
        elif any(_inside(hit, e) and (e.end - e.start) > size for e in entities):
            continue
        kept.append(hit)
    return kept


def _accepts(phrase: Phrase, tokens: Tokens, start: int) -> bool:
    size = len(phrase.words)
    if phrase.mode == "case":
        found = tokens.words[start : start + size]
        if found != phrase.words and found != phrase.upper:
            return False  # "LÀO" in a headline in capitals is still Lào
    elif phrase.mode == "exact" and tokens.lower[start : start + size] != phrase.lower:
        return False
    if phrase.proper:
        for offset in phrase.capitals:
            if not tokens.words[start + offset][0].isupper():
                return False
    return not phrase.guarded or _guard_ok(tokens, start)


def _guard_ok(tokens: Tokens, at: int) -> bool:
    """Reject a short country word inside a name (``Thị Nga``, ``Lào Cai``, ``ông Đức``)."""
    word = tokens.words[at]
    if at == 0 and word in _GUARD_NOT_FIRST:
        return False
    if word.isupper() and len(word) > 1:
        return True  # a headline in capitals: its neighbours' case says nothing
    if at > 0 and tokens.adjacent(at - 1, at):
        before = tokens.words[at - 1]
        if before.lower() in _GUARD_PRONOUNS:
            return False
        if before[0].isupper() and at - 1 > 0 and before.lower() not in _GUARD_OK_PREV:
            return False
    if at + 1 < len(tokens.words) and tokens.adjacent(at, at + 1):
        after = tokens.words[at + 1]
        if after.lower() in _GUARD_BAD_NEXT:
            return False
        if after[0].isupper() and not after.isupper():
            return False
    return True


_ABBREVIATIONS = _words(
    "mr mrs ms dr prof gen lt col st no nos vs jan feb mar apr jun jul aug sep sept oct nov dec "
    "co corp inc ltd jr sr u.s u.k tp ths ts pgs gs"
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-ZÀ-Ỹ0-9Đ])")


def split_sentences(text: str) -> list[str]:
    """Cut a paragraph into sentences, keeping abbreviations (``Mr.``, ``Nov.``) whole."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        head = text[start : match.start()]
        last_word = head.rsplit(None, 1)[-1].rstrip(".").lower() if head.strip() else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        sentences.append(head.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]
