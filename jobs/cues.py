"""What a sentence's phrase hits say beyond their words: lists, exchanges, attributions.

Each function reads the hits ``PhraseIndex.scan`` found in one sentence (see ``jobs.sentences``).
"""

from __future__ import annotations

import re
from datetime import date

from jobs.gazetteer import Gazetteer
from jobs.textmatch import Hit, Tokens

_EARLIER_SIGNED = re.compile(r"\b(?:the|previously|already|earlier)\s*$")  # "the signed MoU"
_EARLIER_AFTER = re.compile(r"\s*(?:earlier|previously|last year|trước đây|trước đó|năm ngoái)")
_DONE_BEFORE = re.compile(r"\bđã\s*$")  # "bản ghi nhớ đã ký," ...
_DONE_AFTER = re.compile(r"\s*(?:[,.;)]|$)")  # ... at the end of its clause
PAST_YEAR = re.compile(r"\b(?:in|since|from|năm|từ năm|từ)\s+(?:the\s+)?((?:19|20)\d{2})s?\b", re.I)
_COOPERATION = frozenset({"coop", "kind_strong", "kind_weak", "kind_title"})
DIRECTIVE_REACH = 10  # words after "required" in which "cooperate" is obeying, not cooperating
LIST_REACH = 6  # words around a field word in which three other fields make it a list


def has(hit: Hit, category: str) -> bool:
    return category in hit.categories


def lists_fields(hits: list[Hit]) -> bool:
    """Media named among three or more other fields: "education, health, culture and media"."""
    others = [h.start for h in hits if has(h, "other_fields")]
    fields = [h.start for h in hits if has(h, "field")]
    return any(sum(abs(o - f) <= LIST_REACH for o in others) >= 3 for f in fields)


def signed_before(tokens: Tokens, hits: list[Hit], published: date | None) -> bool:
    """Every signing word of the sentence tells an earlier signing: "signed in 2019", "the signed
    agreement", "bản ghi nhớ đã ký," (the memorandum already signed)."""
    signings = [
        h for h in hits if any(c == "kind_strong" and v == "agreement" for c, v in h.payloads)
    ]
    for hit in signings:
        start, end = tokens.spans[hit.start][0], tokens.spans[hit.end - 1][1]
        before, after = tokens.text[:start].lower(), tokens.text[end:]
        years = [int(y) for y in PAST_YEAR.findall(after[:60])]
        if published and any(year < published.year for year in years):
            continue
        word = tokens.lower[hit.start]
        if (word == "signed" and _EARLIER_SIGNED.search(before)) or _EARLIER_AFTER.match(after):
            continue
        if _DONE_BEFORE.search(before) and _DONE_AFTER.match(after):
            continue
        return False
    return bool(signings)


def exchanges(hits: list[Hit]) -> tuple[bool, bool]:
    """Whether an exchange verb has an object just after it (or right before it: "news
    exchange"), and whether that object is media itself (news, programmes, reporters)."""
    verbs = [h for h in hits if has(h, "exchange_verbs")]

    def objects(category: str) -> list[Hit]:
        return [
            o
            for o in hits
            if has(o, category)
            and not any(
                "field" in h.categories
                and h.start <= o.start
                and o.end <= h.end
                and h.end - h.start > o.end - o.start
                for h in hits
            )
        ]  # "news" in "fake news" is no object, "journalists" in "young journalists" is one

    def near(found: list[Hit]) -> bool:
        return any(v.end <= o.start <= v.end + 4 or o.end == v.start for v in verbs for o in found)

    media = near(objects("media_objects"))
    return media or near(objects("exchange_objects")), media


def joint_production(hits: list[Hit]) -> bool:
    adverbs = [h.start for h in hits if has(h, "joint_adverbs")]
    verbs = [h.start for h in hits if has(h, "production_verbs")]
    return any(abs(a - v) <= 3 for a in adverbs for v in verbs)


def only_obeying(hits: list[Hit]) -> bool:
    """Every cooperation word comes just after a directive ("required platforms to cooperate") or
    a verb of reporting ("the press covered the visit")."""
    directives = [h.end for h in hits if has(h, "directives") or has(h, "reporting")]
    acts = [h.start for h in hits if not h.categories.isdisjoint(_COOPERATION)]
    return bool(directives and acts) and all(
        any(0 <= a - d <= DIRECTIVE_REACH for d in directives) for a in acts
    )


def is_attribution(tokens: Tokens, hit: Hit, gaz: Gazetteer) -> bool:
    """``according to VNA``, ``VNA reported``, ``(VNA)``, ``Xinhua/VNA``, ``Ảnh: TTXVN``,
    ``— VNS``."""
    start, end = tokens.spans[hit.start][0], tokens.spans[hit.end - 1][1]
    left, right = tokens.text[:start].rstrip(), tokens.text[end:].lstrip()
    if gaz.attribution_before.search(tokens.text[max(0, start - 40) : start].lower()):
        return True
    if gaz.attribution_after.match(right.lower()):
        return True
    if left.endswith("(") and right.startswith(")"):
        return True
    if left.endswith(("—", "–", "-")) and not right.strip(" .)"):
        return True  # a signature closing a paragraph: "... between the two peoples. — VNS"
    return left.endswith("/") or right.startswith("/")
