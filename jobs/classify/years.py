"""The year a news text gives itself, for a day whose year no reference day fixes.

An archive page with no date of its own (no publication date, no dated feed entry, no feed date)
still says which year it is written in, sometimes: an anniversary's arithmetic ("ties set up in
1992; this year the two countries mark the 30th anniversary" is 2022), or a weekday written with
a day ("on Wednesday, November 20") that falls on it in only one of the years the text names.
Nothing here reads a clock: a year no text gives stays unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR_WORD = re.compile(r"(?<![\d/.])((?:19|20)\d{2})(?![\d/])")
_ANNIVERSARY = re.compile(
    r"\b(?P<n>\d{1,3})(?:st|nd|rd|th)\s+anniversary\b"
    r"|\b(?:kỷ niệm|tròn)\s+(?:tròn\s+)?(?P<vn>\d{1,3})\s+năm\b",
    re.I,
)


@dataclass(frozen=True)
class YearHints:
    """What the whole article says about the year it is written in, for days no ``ref`` fixes.

    ``anchor``: the year the text says it is, by an anniversary's arithmetic ("ties set up in
    1992; this year the two countries mark the 30th anniversary" → 2022, see ``anchor_year``).
    ``mentioned``: every year written in the article; a weekday picks among them (and the year
    after each) the only one in which the day falls on it.
    """

    anchor: int | None = None
    mentioned: frozenset[int] = frozenset()


def year_hints(texts: list[str]) -> YearHints:
    """The years an article's texts (title, description, sentences) give (see ``YearHints``)."""
    mentioned = {int(y) for text in texts for y in _YEAR_WORD.findall(text)}
    anchors = [year for text in texts if (year := anchor_year(text)) is not None]
    return YearHints(max(anchors) if anchors else None, frozenset(mentioned))


def anchor_year(sentence: str) -> int | None:
    """The year an anniversary sentence is written in: the N of its "N-th anniversary" ("kỷ niệm
    tròn 30 năm") after the founding year: a year the sentence names with its N-th year too
    ("(1992-2022)"), else the year written nearest the anniversary ("lập quan hệ ngoại giao năm
    1992; năm nay ... kỷ niệm tròn 30 năm"). None without an anniversary or a year."""
    match = _ANNIVERSARY.search(sentence)
    if not match:
        return None
    count = int(match.group("n") or match.group("vn"))
    found = [(int(m.group(1)), m.start()) for m in _YEAR_WORD.finditer(sentence)]
    years = {year for year, _ in found}
    if count < 1 or not found:
        return None
    paired = sorted(year + count for year in years if year + count in years)
    if paired:
        return paired[-1]  # "the 30th anniversary (1992-2022)"
    nearest = min(found, key=lambda f: abs(f[1] - match.start()))[0]
    return nearest + count


def calendar_day(year: int, month: int, day: int) -> date | None:
    """The day, or None when there is no such day (29 February of a common year)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def unreferenced(month: int, day: int, weekday: int | None, hints: YearHints) -> date | None:
    """A year-less day with no reference day: in the year the text says it is written in; else,
    when a weekday is given, the one year among those the text names (or the year after one) in
    which the day falls on that weekday; two or more fit: none. Never a year from nowhere."""
    if hints.anchor is not None:
        around = [hints.anchor] + ([] if weekday is None else [hints.anchor - 1, hints.anchor + 1])
        days = [d for y in around if (d := calendar_day(y, month, day))]
        fitting = [d for d in days if weekday is None or d.weekday() == weekday]
        return (fitting or days or [None])[0]
    if weekday is None:
        return None
    years = hints.mentioned | {y + 1 for y in hints.mentioned}
    fitting = [d for y in years if (d := calendar_day(y, month, day)) and d.weekday() == weekday]
    return fitting[0] if len(fitting) == 1 else None
