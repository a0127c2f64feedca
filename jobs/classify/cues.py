"""What a sentence's phrase hits say beyond their words: lists, exchanges, attributions.

Each function reads the hits ``PhraseIndex.scan`` found in one sentence (see
``jobs.classify.sentences``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from jobs.classify.gazetteer import Gazetteer, Languages, load
from jobs.classify.textmatch import Hit, PhraseIndex, Tokens, tokenise

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


_SKIPPED_AFTER_VERB = frozenset(
    {"of", "the", "their", "its", "more", "các", "những", "nhiều", "hơn"}
)


def exchanges(tokens: Tokens, hits: list[Hit]) -> list[tuple[int, bool]]:
    """The exchanges of a sentence told by an exchange verb with an object just after it (or right
    before it: "news exchange"): each as (word index, whether the object is media itself: news,
    programmes, reporters). A verb followed by talk or by the people taking part is none:
    "exchanged views", "trao đổi ý kiến", "trao đổi về", "exchanges among journalists"."""
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

    media, generic = objects("media_objects"), objects("exchange_objects")
    found = []
    for verb in verbs:
        talk = _talk_after(tokens, hits, verb)
        for group, is_media in ((media, True), (generic, False)):
            if any(
                (not talk and verb.end <= o.start <= verb.end + 4) or o.end == verb.start
                for o in group
            ):
                found.append((verb.start, is_media))
                break
    return found


def _talk_after(tokens: Tokens, hits: list[Hit], verb: Hit) -> bool:
    at = verb.end
    while at < len(tokens.lower) and tokens.lower[at] in _SKIPPED_AFTER_VERB:
        at += 1
    return any(h.start == at and has(h, "not_exchanged") for h in hits)


def exchange_phrases(hits: list[Hit]) -> list[int]:
    """Where the exchange phrases of rules.yaml (``news exchange``, ``trao đổi tin``) start."""
    return [h.start for h in hits if ("kind_strong", "exchange") in h.payloads]


TENTATIVE_REACH = 8  # words before an exchange in which "discussed" makes it only discussed


def tentative(hits: list[Hit], at: int) -> bool:
    """The act at word ``at`` is only discussed, proposed, hoped for or needed ("discussed expanding
    the exchange of news", "đề nghị hai hãng chia sẻ kinh nghiệm"): a tentative word shortly before
    it, and no word of agreement in between ("discussed and agreed to exchange news")."""
    for hit in hits:
        if not (has(hit, "tentative") and at - TENTATIVE_REACH <= hit.end <= at):
            continue
        if not any(has(c, "commitments") and hit.end <= c.start and c.end <= at for c in hits):
            return True
    return False


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


_BRACKETED = re.compile(r"^\([^()]{1,40}\)\s*")  # "Vietnam News Agency (VNA) reported"


def is_attribution(tokens: Tokens, hit: Hit, gaz: Gazetteer) -> bool:
    """``according to VNA``, ``VNA reported``, ``(VNA)``, ``Xinhua/VNA``, ``Ảnh: TTXVN``,
    ``— VNS``."""
    start, end = tokens.spans[hit.start][0], tokens.spans[hit.end - 1][1]
    left, right = tokens.text[:start].rstrip(), tokens.text[end:].lstrip()
    if gaz.attribution_before.search(tokens.text[max(0, start - 40) : start].lower()):
        return True
    if gaz.attribution_after.match(_BRACKETED.sub("", right, count=1).lower()):
        return True
    if left.endswith("(") and right.startswith(")"):
        return True
    if left.endswith(("—", "–", "-")) and not right.strip(" .)"):
        return True  # a signature closing a paragraph: "... between the two peoples. — VNS"
    return left.endswith("/") or right.startswith("/")


def is_language(tokens: Tokens, hit: Hit, languages: Languages) -> bool:
    """A country word that names a language: "tiếng Anh", "bằng tiếng Pháp", "Anh ngữ",
    "Khmer-language", "French-speaking", "dubbed into Vietnamese", "in English, French and
    Chinese" (but not "in Chinese cities")."""
    words, lower = tokens.words, tokens.lower
    if hit.start > 0 and lower[hit.start - 1] in languages.before_vi:
        return not (hit.start > 1 and lower[hit.start - 2] == "nổi")  # "nổi tiếng": famous
    if hit.end < len(words) and lower[hit.end] in languages.after_vi:
        return True
    if words[hit.end - 1] not in languages.names:
        return False
    if hit.end < len(words) and lower[hit.end] in languages.after:
        return True  # "Khmer-language content", "the Chinese version"
    start, end = _language_run(tokens, hit.start, hit.end, languages)
    if start == 0 or lower[start - 1] not in languages.prepositions:
        return False
    if end == len(words):
        return True
    between = tokens.text[tokens.spans[end - 1][1] : tokens.spans[end][0]]
    return bool(between.strip()) or lower[end] in languages.followers


_AND = frozenset({"and", "or"})


def _language_run(tokens: Tokens, start: int, end: int, languages: Languages) -> tuple[int, int]:
    """Widen [start, end) to the list of language names around it: "English, French and Chinese"."""
    words, lower = tokens.words, tokens.lower

    def joined(left: int, right: int) -> bool:  # words left and right are joined as in a list
        gap = tokens.text[tokens.spans[left][1] : tokens.spans[right][0]].strip()
        return gap in (",", "&", "/") or not gap

    while True:
        if start >= 2 and lower[start - 1] in _AND and words[start - 2] in languages.names:
            start -= 2
        elif start >= 1 and words[start - 1] in languages.names and joined(start - 1, start):
            start -= 1
        else:
            break
    while True:
        if end + 1 < len(words) and lower[end] in _AND and words[end + 1] in languages.names:
            end += 2
        elif end < len(words) and words[end] in languages.names and joined(end - 1, end):
            end += 1
        else:
            break
    return start, end


GUEST_REACH = 12  # words after "attended by" in which organisations are guests
_BETWEEN = frozenset({"between", "giữa"})
TOUR_REACH = 6  # words after "toured" in which organisations are places toured
EXAMPLES_REACH = 8  # words after "including" in which organisations are listed
VISIT_REACH = 10  # words between "visit" and "including"


def is_guest(tokens: Tokens, hits: list[Hit], hit: Hit) -> bool:
    """An organisation attending a ceremony, not acting in it ("Tham dự lễ ký có Bộ trưởng Bộ Thông
    tin Campuchia", "the signing was witnessed by ..."); not the parties of the signing witnessed
    ("chứng kiến lễ ký kết giữa TTXVN và KPL")."""
    ceremony = any(
        has(h, "ceremony_words") or ("kind_strong", "agreement") in h.payloads for h in hits
    )
    if not ceremony:
        return False
    ceremonies = [h for h in hits if has(h, "ceremony_words")]
    signings = [
        h
        for h in hits
        if ("kind_strong", "agreement") in h.payloads
        and not any(c.end == h.start or h.end == c.start for c in ceremonies)
    ]  # "lễ ký", "signing ceremony" name the ceremony, not a signing by the guest
    return any(
        has(a, "attendance")
        and hit.start - GUEST_REACH <= a.end <= hit.start
        and not any(a.end <= h.start and h.end <= hit.start for h in signings)
        and _BETWEEN.isdisjoint(tokens.lower[a.end : hit.start])
        for a in hits
    )


def is_toured(hits: list[Hit], hit: Hit) -> bool:
    """An organisation whose premises are toured ("toured VNA's newsroom", "visit major newsrooms,
    including Yonhap and KBS", "tham quan Đài ...")."""
    if any(has(h, "tours") and hit.start - TOUR_REACH <= h.end <= hit.start for h in hits):
        return True
    visits = [v.end for v in hits if has(v, "visit_words")]
    return any(
        has(example, "examples")
        and hit.start - EXAMPLES_REACH <= example.end <= hit.start
        and any(example.start - VISIT_REACH <= end <= example.start for end in visits)
        for example in hits
    )


JOURNEY_REACH = 8  # words between "visit" and the "to" before a place


def destination(hits: list[Hit], place: Hit) -> bool:
    """A place reached on the journey the sentence tells: "a working visit by an AKP delegation to
    Hanoi", "the delegation's trip to Vientiane", "visited Vientiane", "đến thăm Viêng Chăn"."""
    if any(has(h, "visit_words") and h.end == place.start for h in hits):
        return True
    tos = [h for h in hits if has(h, "destinations") and place.start - 3 <= h.end <= place.start]
    if not tos:
        return False
    to = max(tos, key=lambda h: h.end)  # the "to" nearest the place
    if any(has(h, "homeward") and h.end == to.start for h in hits):
        return False  # "scheduled to return to Phnom Penh"
    return any(has(j, "journeys") and to.start - JOURNEY_REACH <= j.end <= to.start for j in hits)


_NOT_PLURAL = frozenset({"trainees", "news", "series", "class"})


def is_plural(tokens: Tokens, hits: list[Hit], hit: Hit) -> bool:
    """A kind word in the plural or after "các", "những", "a series of": "seminars", "các hội
    thảo"."""
    last = tokens.lower[hit.end - 1]
    if last.isascii() and last.endswith("s") and last not in _NOT_PLURAL:
        return True
    return any(has(h, "plural_markers") and hit.start - 1 <= h.end <= hit.start for h in hits)


def is_framed(hits: list[Hit], hit: Hit) -> bool:
    """A meeting word that frames another act: "signed ... during a working visit", "nhân chuyến
    thăm"."""
    return any(has(h, "settings") and hit.start - 1 <= h.end <= hit.start for h in hits)


# Capitalised words that may touch a place name without making it part of another name.
_PLACE_NEIGHBOURS = frozenset(
    re.findall(
        r"\w+",
        "in at to from of and the on for city province capital metropolitan greater region "
        "thủ đô thành phố tp tỉnh tại ở đến sang về",
    )
)


def inside_name(tokens: Tokens, hit: Hit) -> bool:
    """The phrase ``hit`` touches another capitalised word, so it is part of a name: "Santiago
    Pérez", "Victoria Beckham", "Seoul National University", "Nguyễn Hòa Bình" (the first word of
    a sentence and words such as "City", "In", "Thủ đô" excepted)."""
    if all(w.isupper() for w in tokens.words[hit.start : hit.end]):
        return False  # a headline in capitals: its neighbours' case says nothing
    before, after = hit.start - 1, hit.end
    if before > 0 and tokens.adjacent(before, hit.start) and _names(tokens.words[before]):
        return True
    return after < len(tokens.words) and tokens.adjacent(after - 1, after) and _names(
        tokens.words[after]
    )


# Words that make a name that of a district, ward or commune: an event there is in the city or
# province named next ("tại quận Hoàng Mai, Hà Nội", "Cau Giay district, Hanoi").
_BELOW_CITY_BEFORE = frozenset({"quận", "huyện", "phường", "xã", "trấn"})
_BELOW_CITY_AFTER = frozenset({"district", "districts", "ward", "commune", "township"})


def district_name(tokens: Tokens, hit: Hit) -> bool:
    """The place of ``hit`` is named as a district, ward or commune (a town of the same name
    elsewhere is another place)."""
    before = tokens.lower[hit.start - 1] if hit.start else ""
    after = tokens.lower[hit.end] if hit.end < len(tokens.lower) else ""
    return before in _BELOW_CITY_BEFORE or after in _BELOW_CITY_AFTER


def _names(word: str) -> bool:
    return word[0].isupper() and word.lower() not in _PLACE_NEIGHBOURS



def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class _Venues:
    seats: re.Pattern[str]  # "the Government headquarters", "trụ sở Chính phủ"
    visits: re.Pattern[str]  # "state visit to ", "chuyến thăm cấp nhà nước tới "
    embassies: re.Pattern[str]  # "at the Vietnamese Embassy in ", "tại Đại sứ quán ... tại "
    headquarters: re.Pattern[str]  # "headquarters", "trụ sở"


@lru_cache(maxsize=1)
def _venues() -> _Venues:
    rules = load().rules
    to = _alternation(rules["visit_to"])
    at = _alternation(rules["locatives"])
    embassy = _alternation(rules["embassies"])
    return _Venues(
        seats=re.compile(rf"(?<!\w)(?:{_alternation(rules['seats_of_government'])})(?!\w)", re.I),
        visits=re.compile(
            rf"(?<!\w)(?:{_alternation(rules['state_visits'])})(?!\w)"
            rf"[^.;]{{0,60}}?(?<!\w)(?:{to})\s+(?:the\s+)?(?=\w)",
            re.I,
        ),
        embassies=re.compile(
            rf"(?<!\w)(?:{at})\s+(?:the\s+)?(?:\w+\s+)?(?:{embassy})(?!\w)"
            rf"[^.,;]{{0,40}}?(?<!\w)(?:{at})\s+(?:the\s+)?(?=\w)",
            re.I,
        ),
        headquarters=re.compile(rf"(?<!\w)(?:{_alternation(rules['headquarters'])})(?!\w)", re.I),
    )


def _country_at(
    tokens: Tokens, countries: list[tuple[int, str]], char: int, index: PhraseIndex | None
) -> str | None:
    """The country named from character ``char`` on: one the sentence recorded there, else one
    ``index`` finds there (inside a longer name: "Embassy of Vietnam in Laos")."""
    at = tokens.index_at(char)
    code = next((code for i, code in countries if i == at), None)
    if code or index is None:
        return code
    following = tokenise(tokens.text[char : char + 60])
    for hit in index.scan(following):
        if hit.start == 0:
            return next((v for c, v in hit.payloads if c == "country"), None)
    return None


SEAT_COUNTRY_REACH = 3  # words before a seat of government in which its country is named


def capital_country(
    tokens: Tokens,
    countries: list[tuple[int, str]],
    home: str | None,
    index: PhraseIndex | None = None,
) -> tuple[str, str] | None:
    """The country whose capital a sentence puts the event in, and the phrase that says so: a
    state or official visit to a country ("during his state visit to Laos", "chuyến thăm cấp nhà
    nước tới Việt Nam"); an embassy in a country ("at the Vietnamese Embassy in Laos", "tại Đại sứ
    quán Việt Nam tại Nga"); the seat of a government ("received at the Government headquarters",
    "tại trụ sở Chính phủ"), whose country is one named just before it ("the Lao Presidential
    Palace"), else ``home``, the outlet's country (a government receives at home, and the press of
    its country reports it)."""
    venues = _venues()
    for pattern in (venues.visits, venues.embassies):
        for match in pattern.finditer(tokens.text):
            code = _country_at(tokens, countries, match.end(), index)
            if code:
                return code, match.group()
    match = venues.seats.search(tokens.text)
    if match:
        at = tokens.index_at(match.start())
        named = [code for index, code in countries if at - SEAT_COUNTRY_REACH <= index < at]
        country = named[-1] if named else home
        if country:
            return country, match.group()
    return None


HQ_REACH = 8  # words after "headquarters of", "trụ sở" in which the body is named ...
HQ_BEFORE = 3  # ... or before "headquarters": "at the VNA headquarters"


def headquarters(tokens: Tokens) -> list[tuple[int, int]]:
    """The word ranges in which a body whose headquarters a sentence names may be named: "at the
    headquarters of the Lao News Agency", "at the VNA headquarters", "tại trụ sở TTXVN"."""
    spans = []
    for match in _venues().headquarters.finditer(tokens.text):
        start, end = tokens.index_at(match.start()), tokens.index_at(match.end())
        spans.append((max(0, start - HQ_BEFORE), end + HQ_REACH))
    return spans


_CAPITAL_AFTER = (("capital",), ("s", "capital"))  # "the Lao capital", "Vietnam's capital"
_CAPITAL_BEFORE = (("capital", "of"), ("thủ", "đô"), ("thủ", "đô", "của"), ("thủ", "đô", "nước"))


def capital_word(tokens: Tokens, hit: Hit) -> int | None:
    """The word that opens a mention of the capital of the country ``hit`` names ("the Lao
    capital", "the capital of Laos", "thủ đô Lào"), or None when it names the country itself."""
    words = tokens.lower
    for after in _CAPITAL_AFTER:
        end = hit.end + len(after)
        if words[hit.end : end] == after and words[end : end + 1] != ["market"]:
            return hit.start  # not "Vietnam's capital market"
    for before in _CAPITAL_BEFORE:
        start = hit.start - len(before)
        if start >= 0 and words[start : hit.start] == before:
            return start
    return None

