"""Where organisation names begin and end in a sentence's words (see ``jobs.classify.orgs``).

Pure functions over ``Tokens`` and the gazetteer's hits: the name an acronym in brackets defines,
English runs of capitalised words around an organisation noun, Vietnamese names after a head word.
"""

from __future__ import annotations

from jobs.classify.orgwords import Words, is_cap, phrase_at, words
from jobs.classify.textmatch import Hit, Tokens, fold_token


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


_RUN_GAPS = ("", "-", "&", "'", "’")


def run_start(tokens: Tokens, end: int, w: Words) -> int | None:
    """The first word of the capitalised run that ends just before word ``end`` (an acronym in
    brackets), without a leading "The"."""
    start = None
    for i in range(end - 1, -1, -1):
        gap = tokens.text[tokens.spans[i][1] : tokens.spans[i + 1][0]].strip()
        if gap not in _RUN_GAPS and not (i == end - 1 and gap == "("):
            break
        if is_cap(tokens.words[i]):
            start = i
        elif tokens.folded[i] not in w.connectors_en:
            break
    while start is not None and start < end and tokens.folded[start] in w.leading:
        start += 1
    return start


def definition_start(tokens: Tokens, start: int, end: int, acronym: str) -> int | None:
    """Where the name an acronym defines begins: the longest run end whose initials are the
    acronym's ("Officials of the [Ghana News Agency] (GNA)"), else, when the run holds an
    organisation noun, what follows its last "the" or "of" ("Hungary's [Media Support and Asset
    Management Fund] (MTVA)")."""
    w = words()
    for i in range(start, end):
        if is_cap(tokens.words[i]) and _initials_fit(acronym, list(tokens.words[i:end])):
            return i
    if not _has_head(list(tokens.words[start:end]), w):
        return None
    cuts = [i + 1 for i in range(start, end) if tokens.folded[i] in ("the", "of")]
    cut = max(cuts, default=start)
    return cut if cut < end and is_cap(tokens.words[cut]) else None


def _has_head(names: list[str], w: Words) -> bool:
    return any(fold_token(n) in w.heads_en for n in names)


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
        if j >= n or not is_cap(tokens.words[j]) or tokens.folded[j] in w.titles:
            break
        if tokens.folded[end] == "in" and tokens.folded[head] not in w.missions_en:
            break
        k = j
        while k < n and is_cap(tokens.words[k]) and tokens.folded[k] not in w.titles and (
            k == j or tokens.adjacent(k - 1, k)
        ):
            k += 1
        end = k
    return end


def en_spans(tokens: Tokens, hits: list[Hit]) -> list[tuple[int, int]]:
    """Capitalised runs with an organisation noun: "Belarusian Association of Journalists"."""
    w = words()
    spans = []
    i, n = 0, len(tokens.words)
    while i < n:
        if tokens.folded[i] not in w.heads_en or not is_cap(tokens.words[i]):
            i += 1
            continue
        start = i
        while start > 0 and is_cap(tokens.words[start - 1]) and tokens.adjacent(start - 1, start) \
                and tokens.folded[start - 1] not in w.titles:
            start -= 1
        while start < i and tokens.folded[start] in w.leading:
            start += 1
        end = _extend_complement(tokens, hits, i, w)
        # a following head in the same run: "Vietnam Television Corporation"
        while end < n and tokens.folded[end] in w.heads_en and is_cap(tokens.words[end]) \
                and tokens.adjacent(end - 1, end):
            end = _extend_complement(tokens, hits, end, w)
        if end - start >= 2 and not (start == 0 and end - start == 2 and tokens.folded[0] == "the"):
            spans.append((start, end))
        i = end
    return spans


def vi_spans(tokens: Tokens, hits: list[Hit]) -> list[tuple[int, int]]:
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
        size = phrase_at(tokens, i, w.heads_vi)
        lower = False
        if not size or not is_cap(tokens.words[i]):
            size = phrase_at(tokens, i, w.heads_vi_lower)
            lower = True
            if not size:
                i += 1
                continue
        j = i + size
        journalist = lower and i > 0 and tokens.lower[i - 1] == "nhà"  # "nhà báo": a journalist
        person = j < n and (tokens.lower[j] in w.surnames_vi or journalist)
        if j >= n or not is_cap(tokens.words[j]) or tokens.folded[j] in w.titles \
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
    return not gap.strip() or (gap.strip() in ("-", "–") and is_cap(tokens.words[right]))


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
                and is_cap(tokens.words[end + 1]):
            return end
        joins = tokens.lower[end] == "và" and end + 1 < n and is_cap(tokens.words[end + 1])
        if (is_cap(word) and tokens.folded[end] not in w.titles) or joins:
            end += 1
            continue
        if end == j or not word.isalpha() or tokens.lower[end] in w.stops_vi:
            return end
        if is_cap(tokens.words[end - 1]):
            end += 1  # the second syllable of a word: "Ngoại giao", "Dân trí"
            continue
        run = end  # more lowercase syllables only with a capitalised word after them
        while run < n and run - end < _SANDWICH and _joined(tokens, run - 1, run) \
                and tokens.words[run].isalpha() and not is_cap(tokens.words[run]) \
                and tokens.lower[run] not in w.stops_vi:
            run += 1
        if run < n and run > end and is_cap(tokens.words[run]) and _joined(tokens, run - 1, run):
            end = run
            continue
        return end
    return end
