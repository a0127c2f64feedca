"""The cooperation classifier on recorded pages (tests/fixtures/eval, tests/fixtures/seeds).

Each ``NAME.html`` is a page as an outlet serves it; ``NAME.expected.json`` is what a person reading
it would record. bench/evaluate.py prints the figures over the same pages.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from jobs.classify import CLASSIFIER_VERSION, Scope, classify
from jobs.classify import fields as item_fields
from jobs.classify.dates import find_dates, first_date, parse_published
from jobs.classify.gazetteer import (
    aliases_of,
    canonical_organisation,
    load,
    organisation_names,
    phrase_index,
)
from jobs.classify.sentences import read_article
from jobs.extract import extract_article
from jobs.models import Article, Item, Rejection

FIXTURES = Path(__file__).parent / "fixtures"
EVAL_PAGES = sorted((FIXTURES / "eval").glob("*.html"))
SEED_PAGES = sorted((FIXTURES / "seeds").glob("*.html"))


def expected_of(page: Path) -> dict:
    return json.loads(page.with_suffix("").with_suffix(".expected.json").read_text("utf-8"))


@cache
def article_of(page: Path) -> Article:
    expected = expected_of(page)
    return extract_article(page.read_bytes(), expected["url"], source=expected["source"])


def read_title(text: str):
    return _read(Article(url="u", source="s", title=text, text=""), skim=False)


def countries_in(text: str) -> list[str]:
    """The countries the classifier sees in ``text`` (named, or in pairs like "Việt - Lào")."""
    return sorted({code for s in read_title(text).sentences for _, code in s.countries})


def item_of(title: str, text: str, published: str = "2025-04-15", **fields: object) -> Item:
    result = classify(Article(url="u", source="s", title=title, text=text, published=published))
    assert isinstance(result, Item), getattr(result, "reason", result)
    for name, value in fields.items():
        assert getattr(result, name) == value, (name, getattr(result, name))
    return result


# --- the seeds: whole expected items


def test_seed_vtv_cmg_gives_the_expected_item() -> None:
    page = FIXTURES / "seeds" / "vtv-cmg-2025-04-14.html"
    item = classify(article_of(page))
    assert isinstance(item, Item)
    assert (item.url, item.source, item.published) == (
        expected_of(page)["url"],
        "vietnamnews",
        "2025-04-15",
    )
    assert item.countries == ("CN", "VN")
    assert item.organisations == ("CMG", "VTV")
    assert item.event_date == "2025-04-14"
    assert item.place == "Hà Nội"
    assert item.kinds == ("agreement", "exchange", "joint_production")
    assert {"content exchange", "documentaries", "AI", "OTT/platforms", "youth exchange"} <= set(
        item.topics
    )
    assert item.classifier == CLASSIFIER_VERSION
    assert "April 14 in Hà Nội" in item.evidence["event_date"]
    assert item.summary.startswith("VTV and CMG will jointly produce")
    assert 0 < item.score <= 1


def test_seed_vietnam_laos_gives_the_expected_item() -> None:
    page = FIXTURES / "seeds" / "vietnam-laos-2023-11-11.html"
    item = classify(article_of(page))
    assert isinstance(item, Item)
    assert item.published == "2023-11-11"
    assert item.countries == ("LA", "VN")
    assert item.organisations == (
        "Foreign Information Service",
        "Mass Media Department",
        "Ministry of Information and Communications",
        "Ministry of Information, Culture and Tourism",
    )
    assert item.event_date == "2023-11-11"
    assert item.place == "Huế"
    assert item.kinds == ("agreement", "conference")
    assert {"digital transformation", "fake news", "foreign information"} <= set(item.topics)
    assert "journalism training" in item.topics


@pytest.mark.parametrize("page", SEED_PAGES, ids=lambda p: p.stem)
def test_seeds_match_their_expected_files(page: Path) -> None:
    expected = expected_of(page)
    item = classify(article_of(page))
    assert isinstance(item, Item)
    for name in ("countries", "organisations", "kinds"):
        assert list(getattr(item, name)) == expected[name]
    assert (item.event_date, item.place) == (expected["event_date"], expected["place"])


# --- the evaluation set


@pytest.mark.parametrize("page", EVAL_PAGES, ids=lambda p: p.stem)
def test_eval_page(page: Path) -> None:
    expected = expected_of(page)
    result = classify(article_of(page))
    if not expected["is_item"]:
        assert isinstance(result, Rejection), f"not an item, but got {result}"
        assert result.reason and result.classifier == CLASSIFIER_VERSION
        return
    assert isinstance(result, Item), f"an item, but rejected: {getattr(result, 'reason', '')}"
    assert list(result.countries) == expected["countries"]
    assert result.event_date == expected["event_date"]
    assert result.place == expected["place"]


def test_eval_set_is_big_and_varied_enough() -> None:
    labels = [expected_of(page) for page in EVAL_PAGES]
    assert len(labels) >= 60
    assert sum(label["language"] == "vi" for label in labels) >= 20
    assert sum(not label["is_item"] for label in labels) >= len(labels) / 2


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("national-press-awards-2024", "no cooperation in a media/communication field"),
        ("vtvgo-upgrade-domestic", "no cooperation in a media/communication field"),
        ("hoi-bao-toan-quoc-2024", "only one country: VN"),
        ("malaysia-anti-scam-campaign", "only one country: MY"),
        ("nha-bao-nga-tuan-anh-giai-thuong", "only one country: VN"),  # its Đài ... is VN's
        ("vietnam-laos-trade-target", "no media/communication field"),
        ("viet-han-hop-tac-quoc-phong", "no media/communication field"),
        ("vietnam-indonesia-partnership-passing", "cooperation mentioned in passing"),
        ("chu-tich-nuoc-hoi-dam-lao-passing", "cooperation mentioned in passing"),
    ],
)
def test_rejections_say_why(name: str, reason: str) -> None:
    result = classify(article_of(FIXTURES / "eval" / f"{name}.html"))
    assert isinstance(result, Rejection)
    assert result.reason == reason


# --- scope


def test_film_is_out_of_the_default_scope_and_in_when_widened() -> None:
    page = FIXTURES / "eval" / "vietnam-korea-film-coproduction.html"
    assert isinstance(classify(article_of(page)), Rejection)
    scope = Scope.from_config({"fields": [*Scope.default().fields, "film"]})
    item = classify(article_of(page), scope=scope)
    assert isinstance(item, Item)
    assert item.countries == ("KR", "VN")
    assert "joint_production" in item.kinds


def test_scope_keywords_add_a_new_field() -> None:
    page = FIXTURES / "eval" / "phim-viet-han-hop-tac-san-xuat.html"
    scope = Scope.from_config({"keywords": {"cinema": ["điện ảnh", "bộ phim"]}})
    assert "cinema" in scope.fields and "press" in scope.fields
    item = classify(article_of(page), scope=scope)
    assert isinstance(item, Item)
    assert item.countries == ("KR", "VN")


def test_scope_narrowed_to_film_only_drops_television() -> None:
    page = FIXTURES / "seeds" / "vtv-cmg-2025-04-14.html"
    result = classify(article_of(page), scope=Scope.from_config({"fields": ["film"]}))
    assert isinstance(result, Rejection)


def test_scope_default_and_none_config_agree() -> None:
    assert Scope.from_config(None) == Scope.default()
    assert "broadcasting" in Scope.default().fields and "film" not in Scope.default().fields


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (["press"], "expected a mapping"),
        ({"feilds": ["press"]}, "unknown key(s) feilds"),
        ({"fields": "press"}, "non-empty list"),
        ({"fields": []}, "non-empty list"),
        ({"fields": ["sports"]}, "unknown field 'sports'"),
        ({"fields": ["Press"]}, "is not a field name"),
        ({"keywords": {"film": "cinema"}}, "expected a non-empty list of words"),
        ({"keywords": {"film": ["cinema", 3]}}, "every word must be a non-empty string"),
        ({"keywords": ["film"]}, "keywords must map"),
        ({"fields": ["press"], "keywords": {"film": ["cinema"]}}, "which is not in fields"),
    ],
)
def test_scope_from_config_rejects_bad_input(config: object, message: str) -> None:
    with pytest.raises(ValueError, match="classifier scope") as error:
        Scope.from_config(config)  # type: ignore[arg-type]
    assert message in str(error.value)


# --- countries, with and without diacritics


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Viet Nam and Laos signed the plan.", ["LA", "VN"]),
        ("Việt Nam và Lào ký kế hoạch.", ["LA", "VN"]),
        ("VIỆT NAM - LÀO: HỢP TÁC BÁO CHÍ", ["LA", "VN"]),
        ("Vietnamese and Lao reporters met Cambodian editors.", ["KH", "LA", "VN"]),
        ("Đoàn Trung Quốc thăm Campuchia và Hàn Quốc.", ["CN", "KH", "KR"]),
        ("Hợp tác Việt - Trung và Việt - Lào.", ["CN", "LA", "VN"]),
        ("Báo chí Hoa Kỳ, Nhật Bản và Liên bang Nga.", ["JP", "RU", "US"]),
        ("Đại sứ Nga và Đại sứ Mỹ dự lễ.", ["RU", "US"]),
        ("Hội nghị có đại diện Ấn Độ, Cuba, Pháp.", ["CU", "FR", "IN"]),
        ("The DPRK and the Republic of Korea.", ["KP", "KR"]),
        ("Visitors from Latin America and the Indian Ocean islands.", []),
    ],
)
def test_countries_are_matched_in_english_and_vietnamese(text: str, codes: list[str]) -> None:
    assert countries_in(text) == codes


@pytest.mark.parametrize(
    "text",
    [
        "Nhà báo Nguyễn Thị Nga nhận giải.",  # a given name, not Russia
        "Anh cho biết sẽ tiếp tục.",  # "he", not Britain
        "Tỉnh Lào Cai phát triển du lịch.",  # a Vietnamese province, not Laos
        "Sân vận động Mỹ Đình đông khán giả.",  # a Hà Nội ward, not the US
        "Ông Đức phát biểu tại hội nghị.",  # a given name, not Germany
        "Người lao động được tăng lương.",  # "labour", not Lao
        "Cô ấy nói về ý tưởng mới.",  # "idea", not Italy
        "Hoa huệ nở ở Tuyên Quang.",  # a flower, not Huế / a country
    ],
)
def test_short_vietnamese_words_are_not_countries(text: str) -> None:
    assert countries_in(text) == []


# --- dates


REF = date(2025, 4, 15)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at a ceremony held on April 14 in Hà Nội", date(2025, 4, 14)),
        ("signed the deal on Monday", date(2025, 4, 14)),
        ("signed the deal on Tuesday", date(2025, 4, 15)),
        ("met last Tuesday", date(2025, 4, 8)),
        ("the forum will open on Friday", date(2025, 4, 18)),
        ("they met yesterday", date(2025, 4, 14)),
        ("the course opened today", date(2025, 4, 15)),
        ("on Monday (April 14)", date(2025, 4, 14)),
        ("Hue City, November 11 – the seminar", date(2024, 11, 11)),
        ("VIENTIANE, Nov. 11 (Xinhua) --", date(2024, 11, 11)),
        ("on 11th November 2023", date(2023, 11, 11)),
        ("from November 11-13", date(2024, 11, 11)),
        ("on 2025-04-10", date(2025, 4, 10)),
        ("the agreement will be signed on May 2", date(2025, 5, 2)),
    ],
)
def test_english_dates(text: str, expected: date) -> None:
    assert first_date(text, REF) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ngày 14/4, tại Hà Nội", date(2025, 4, 14)),
        ("Sáng 14/4, hai bên ký kết", date(2025, 4, 14)),
        ("Chiều 14-4, tại Viêng Chăn", date(2025, 4, 14)),
        ("Sáng nay (15/4), tại Huế", date(2025, 4, 15)),
        ("Sáng nay, Bộ trưởng tiếp đoàn", date(2025, 4, 15)),
        ("Hôm qua, hai bên hội đàm", date(2025, 4, 14)),
        ("Chiều qua, đoàn đến Hà Nội", date(2025, 4, 14)),
        ("Từ ngày 12-14/4, đoàn thăm Lào", date(2025, 4, 12)),
        ("ngày 14 tháng 4 năm 2025", date(2025, 4, 14)),
        ("ngày 14/4/2024", date(2024, 4, 14)),
        ("vào thứ Hai, hai bên ký kết", date(2025, 4, 14)),
        ("hội thảo sẽ diễn ra vào thứ Sáu", date(2025, 4, 18)),
        ("vào thứ Hai tới", date(2025, 4, 21)),
    ],
)
def test_vietnamese_dates(text: str, expected: date) -> None:
    assert first_date(text, REF) == expected


def test_the_same_day_refers_to_the_date_before() -> None:
    assert first_date("The same day, the delegation visited VTV.", REF, date(2025, 4, 10)) == date(
        2025, 4, 10
    )
    assert first_date("Cùng ngày, đoàn thăm VTV.", REF, date(2025, 4, 10)) == date(2025, 4, 10)
    assert first_date("Cùng ngày, đoàn thăm VTV.", REF) == REF


@pytest.mark.parametrize(
    "text",
    [
        "in the 2025-2026 period",
        "documentaries made in 2015",
        "lần thứ 2 tổ chức",
        "hoạt động 24/7",
    ],
)
def test_years_and_numbers_are_not_days(text: str) -> None:
    assert find_dates(text, REF) == []


def test_published_dates() -> None:
    assert parse_published("2025-04-15") == REF
    assert parse_published("2025-04-15T08:46:00+07:00") == REF
    assert parse_published(None) is None
    assert parse_published("yesterday") is None


# --- behaviour


def test_source_country_fills_in_the_home_party() -> None:
    article = Article(
        url="https://example.vn/a",
        source="example",
        title="Đài Truyền hình Quốc gia Lào và đối tác ký thỏa thuận hợp tác",
        text=(
            "Ngày 14/4, tại Viêng Chăn, Đài Truyền hình Quốc gia Lào và đài truyền hình của tỉnh "
            "bạn đã ký thỏa thuận hợp tác về trao đổi chương trình.\n"
            "Hai bên nhất trí tăng cường hợp tác sản xuất các chương trình truyền hình."
        ),
        published="2025-04-15",
        language="vi",
    )
    assert isinstance(classify(article), Rejection)
    item = classify(article, source_country="VN")
    assert isinstance(item, Item)
    assert item.countries == ("LA", "VN")


def test_empty_article_is_rejected() -> None:
    result = classify(Article(url="u", source="s", title="", text=""))
    assert result == Rejection("u", "no text", CLASSIFIER_VERSION)


def test_classify_is_deterministic() -> None:
    article = article_of(FIXTURES / "seeds" / "vtv-cmg-2025-04-14.html")
    assert classify(article) == classify(article)


# --- language names, exchanges done or only talked about, parties, places, dates, kinds


@pytest.mark.parametrize(
    "text",
    [
        "Hai bên trao đổi tin, ảnh bằng tiếng Anh.",
        "Bản tin tiếng Pháp, tiếng Nga và tiếng Trung Quốc của VOV.",
        "Lớp học tiếng Lào, tiếng Khmer và tiếng Nhật cho phóng viên.",
        "Các nước Pháp ngữ tham dự.",
        "The agency launched a Chinese-language website and a Khmer-language app.",
        "French-speaking reporters joined the course.",
        "The series was dubbed into Vietnamese.",
        "News is published in English, French and Chinese every day.",
        "The bulletin is read in Russian and Spanish.",
        "Our Korean service and the Thai version of the site.",
    ],
)
def test_language_names_are_not_countries(text: str) -> None:
    assert countries_in(text) == []


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Reporters visited Chinese and Lao newsrooms.", ["CN", "LA"]),
        ("Cooperation grew in Chinese cities and French towns.", ["CN", "FR"]),
        ("Khmer journalists met Russian editors.", ["KH", "RU"]),
        ("Đạo diễn nổi tiếng Nhật Bản sang Việt Nam.", ["JP", "VN"]),
        ("Đoàn nhà báo Anh và Pháp thăm Hà Nội.", ["FR", "GB"]),
    ],
)
def test_country_adjectives_still_count_outside_language_names(text: str, codes: list[str]) -> None:
    assert countries_in(text) == codes


def exchange_in(text: str) -> bool:
    return "exchange" in read_title(text).sentences[0].kinds_strong


@pytest.mark.parametrize(
    "text",
    [
        "The two agencies will exchange news and photos.",
        "The two sides discussed and agreed to exchange news and photos.",
        "Hai bên nhất trí trao đổi tin, ảnh và video.",
        "Theo biên bản, hai đài sẽ trao đổi chương trình phát thanh.",
        "Under the deal they will step up the exchange of reporters.",
    ],
)
def test_an_exchange_done_or_agreed_is_an_exchange(text: str) -> None:
    assert exchange_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "The two sides exchanged views on the media landscape.",
        "Hai bên trao đổi ý kiến về hợp tác tin tức.",
        "The two sides discussed expanding the exchange of news and photos.",
        "Hai bên đề nghị tăng cường trao đổi tin bài.",
        "Tọa đàm là dịp để nhà báo hai nước chia sẻ kinh nghiệm.",
        "They talked about the possibility of exchanging reporters.",
        "Exchanges among journalists help deepen mutual understanding.",
        "Hai bên trao đổi về việc tổ chức đoàn phóng viên.",
    ],
)
def test_exchanges_only_talked_about_are_not_exchanges(text: str) -> None:
    assert not exchange_in(text)


def test_an_exchange_told_as_background_is_not_the_items() -> None:
    item_of(
        "VTV and Arirang premiere a documentary they made together",
        "Việt Nam Television (VTV) and South Korea's Arirang TV on Monday premiered in Hà Nội a "
        "documentary that the two broadcasters made together.\n"
        "The two broadcasters, which have exchanged programmes for many years, plan more films.",
        kinds=("joint_production",),
    )


def test_statement_issuers_guests_and_newsrooms_toured_are_not_parties() -> None:
    item_of(
        "AKP and VNA renew news exchange agreement",
        "AKP and the Vietnam News Agency (VNA) renewed their news exchange agreement in Hanoi on "
        "Monday, according to a statement from the Ministry of Information.\n"
        "The signing was witnessed by officials of Cambodia's Ministry of Post and "
        "Telecommunications.\n"
        "The AKP delegation will visit several newsrooms, including Viet Nam News and VTV.\n"
        "AKP has also worked with Nhân Dân newspaper and VOV for years.",
        organisations=("AKP", "VNA"),
        countries=("KH", "VN"),
    )


def test_guests_and_later_side_stops_are_not_parties_in_vietnamese() -> None:
    item_of(
        "VOV và Đài Phát thanh Quốc gia Lào ký biên bản hợp tác",
        "Sáng 14/4, tại Viêng Chăn, VOV và Đài Phát thanh Quốc gia Lào đã ký biên bản hợp tác.\n"
        "Tham dự lễ ký có Bộ trưởng Bộ Thông tin, Văn hóa và Du lịch Lào.\n"
        "Theo biên bản, hai đài sẽ trao đổi chương trình phát thanh.\n"
        "Trong chuyến công tác, đoàn VOV cũng làm việc với Hãng Thông tấn Lào.",
        organisations=("Lao National Radio", "VOV"),
        place="Vientiane",
        kinds=("agreement", "exchange"),
    )


def test_the_parties_of_a_signing_witnessed_are_no_guests() -> None:
    item_of(
        "Hai Thủ tướng chứng kiến lễ ký kết hợp tác thông tấn",
        "Sáng 14/4, tại Hà Nội, hai Thủ tướng đã chứng kiến lễ ký kết thỏa thuận hợp tác giữa "
        "Thông tấn xã Việt Nam và Hãng Thông tấn Lào.\n"
        "Tham dự lễ ký có lãnh đạo Bộ Thông tin và Truyền thông.\n"
        "Theo thỏa thuận, hai hãng sẽ trao đổi tin, ảnh.",
        organisations=("KPL", "VNA"),
    )


def test_a_guest_fills_in_a_party_country_no_other_body_names() -> None:
    item = item_of(
        "Vietnamese and Cambodian media sign cooperation plan",
        "Sáng 14/4, tại Phnôm Pênh, Thông tấn xã Việt Nam và các cơ quan báo chí Campuchia ký kế "
        "hoạch hợp tác.\nTham dự lễ ký có Bộ trưởng Bộ Thông tin Campuchia.",
    )
    assert item.organisations == ("Ministry of Information (Cambodia)", "VNA")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Vietnam News Agency and the Hungarian news agency MTI signed a deal.", "MTI"),
        ("VNA and Poland's PAP signed a news exchange agreement.", "PAP"),
        ("TTXVN và Hãng thông tấn Ba Lan ký thỏa thuận.", "PAP"),
        ("VNA and the Czech news agency ČTK signed a memorandum.", "ČTK"),
        ("VOV và Đài Phát thanh Cộng hòa Indonesia (RRI) ký biên bản.", "RRI"),
        ("VTV and Mongolian National Broadcaster signed an MoU.", "MNB"),
        ("The Union of Journalists of Cuba (UPEC) and the VJA met.", "Union of Cuban Journalists"),
        (
            "Viện Phát thanh - Truyền hình Cuba ký thỏa thuận.",
            "Cuban Institute of Radio and Television",
        ),
        ("Liên minh Nhà báo Nga ký ghi nhớ.", "Union of Journalists of Russia"),
    ],
)
def test_agencies_and_unions_are_found_by_any_of_their_names(text: str, name: str) -> None:
    reading = read_title(text)
    item_fields.resolve_orgs(reading, load())
    assert name in {n for s in reading.sentences for _, n in s.orgs}


@pytest.mark.parametrize(
    ("alias", "name", "country"),
    [
        ("MTI", "MTI", "HU"),
        ("Polish Press Agency", "PAP", "PL"),
        ("CTK", "ČTK", "CZ"),
        ("Bulgarian News Agency", "BTA", "BG"),
        ("Agerpres", "Agerpres", "RO"),
        ("Tanjug", "Tanjug", "RS"),
        ("Kazinform", "Kazinform", "KZ"),
        ("Montsame", "Montsame", "MN"),
        ("Bakhtar News Agency", "Bakhtar", "AF"),
        ("KCNA", "KCNA", "KP"),
        ("Bernama", "Bernama", "MY"),
        ("Tunis Afrique Presse", "TAP", "TN"),
        ("Middle East News Agency", "MENA", "EG"),
        ("WAFA", "WAFA", "PS"),
        ("Qatar News Agency", "QNA", "QA"),
        ("Kuwait News Agency", "KUNA", "KW"),
        ("Emirates News Agency", "WAM", "AE"),
        ("Saudi Press Agency", "SPA", "SA"),
        ("IRNA", "IRNA", "IR"),
        ("Lusa", "Lusa", "PT"),
        ("Austria Presse Agentur", "APA", "AT"),
        ("Telam", "Télam", "AR"),
        ("Agencia Brasil", "Agência Brasil", "BR"),
        ("News Agency of Nigeria", "NAN", "NG"),
        ("Kenya News Agency", "KNA", "KE"),
        ("Associated Press of Pakistan", "Associated Press of Pakistan", "PK"),
        ("Bangladesh Sangbad Sangstha", "BSS", "BD"),
        ("Rastriya Samachar Samiti", "RSS (Nepal)", "NP"),
        ("Ethiopian News Agency", "ENA", "ET"),
        ("Hội Nhà báo Cuba", "Union of Cuban Journalists", "CU"),
        ("Cambodian Club of Journalists", "Club of Cambodian Journalists", "KH"),
        ("All India Radio", "Prasar Bharati", "IN"),
        ("RTR", "VGTRK", "RU"),
        ("TV BRICS", "TV BRICS", "RU"),
        ("NHK World-Japan", "NHK", "JP"),
        ("SBS Australia", "SBS (Australia)", "AU"),
    ],
)
def test_gazetteer_knows_news_bodies_worldwide(alias: str, name: str, country: str) -> None:
    assert canonical_organisation(alias) == name
    assert load().organisations[name].country == country


def test_aliases_resolve_to_one_canonical_name() -> None:
    cuban = (
        "UPEC",
        "Union of Cuban Journalists",
        "Hội Nhà báo Cuba",
        "union of journalists of cuba",
    )
    for alias in cuban:
        assert organisation_names(alias) == ("Union of Cuban Journalists",)
    assert "UPEC" in aliases_of("Union of Cuban Journalists")
    shared = organisation_names("Ministry of Information")
    assert "Ministry of Information (Cambodia)" in shared and len(shared) > 1
    assert canonical_organisation("Ministry of Information") is None
    cambodian = canonical_organisation("Ministry of Information", "KH")
    assert cambodian == "Ministry of Information (Cambodia)"
    assert organisation_names("no such body") == ()
    names = [entry.name for entry in load().organisations.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Ngày 4/7, tại Thủ đô Ulan Bato, hai hãng ký thỏa thuận.", "Ulaanbaatar"),
        ("Ngày 4/7, tại Thủ đô Viêng Chăn, hai đài ký biên bản.", "Vientiane"),
        ("Ngày 4/7, tại Mát-xcơ-va, hai bên ký kết.", "Moscow"),
        ("Ngày 4/7, tại Tô-ky-ô, hai đài ký kết.", "Tokyo"),
        ("Ngày 4/7, tại Cua-la Lăm-pơ, hai hãng ký kết.", "Kuala Lumpur"),
        ("Ngày 4/7, tại Xanh Pê-téc-bua, hai bên ký kết.", "Saint Petersburg"),
        ("Ngày 4/7, tại La Habana, hai bên ký kết.", "Havana"),
        ("Ngày 4/7, tại Vác-sa-va, hai hãng ký kết.", "Warsaw"),
        ("They signed the deal during a working visit by a KPL delegation to Hanoi.", "Hà Nội"),
        ("The delegation's trip to Vientiane ended with a signing.", "Vientiane"),
    ],
)
def test_places_by_their_vietnamese_names_and_journeys(text: str, place: str) -> None:
    sentence = read_title(text).sentences[0]
    assert [name for _, name, where in sentence.places if where] == [place]


def test_going_home_is_no_scene_and_in_beats_to() -> None:
    home = read_title("The delegation is scheduled to return to Phnom Penh on Thursday.")
    assert [where for *_, where in home.sentences[0].places] == [0]
    item_of(
        "VNA and AKP sign agreement",
        "The VNA and AKP signed an agreement on news exchange in Hanoi on Monday, before a visit "
        "by the delegation to Huế.",
        place="Hà Nội",
    )


def test_a_date_given_by_a_verb_of_saying_dates_the_report() -> None:
    item_of(
        "Vietnamese journalists attend training course in Seoul",
        "SEOUL, April 16 (Yonhap) -- Twenty Vietnamese journalists are attending a training course "
        "in Seoul organised by the Korea Press Foundation, the foundation said Wednesday.\n"
        "The course, which opened Monday, is run in cooperation with the Vietnam Journalists' "
        "Association.",
        published="2025-04-16",
        event_date="2025-04-14",
    )
    item_of(
        "Chuyên gia CGTN đào tạo biên tập viên VTV",
        "Đài Truyền hình Việt Nam (VTV) ngày 15/4 cho biết, khóa đào tạo cho biên tập viên VTV do "
        "chuyên gia CGTN giảng dạy đã khai giảng sáng 10/4 tại Hà Nội.",
        published="2025-04-15",
        event_date="2025-04-10",
    )


def test_a_report_date_stays_when_no_event_verb_dates_the_event() -> None:
    item_of(
        "VNA and Xinhua sign news exchange agreement",
        "The Vietnam News Agency and Xinhua signed a news exchange agreement, VNA said on Monday.\n"
        "The two agencies will exchange photos and video.",
        event_date="2025-04-14",
    )


def test_a_course_opened_the_same_day_adds_training() -> None:
    item_of(
        "VOV và Đài Phát thanh Quốc gia Lào ký biên bản hợp tác",
        "Sáng 14/4, tại Viêng Chăn, VOV và Đài Phát thanh Quốc gia Lào đã ký biên bản hợp tác.\n"
        "Theo biên bản, hai đài sẽ trao đổi chương trình phát thanh.\n"
        "Phó Tổng Giám đốc VOV cảm ơn sự đón tiếp của nước bạn.\n"
        "Cùng ngày, VOV đã khai giảng lớp tập huấn cho 30 phóng viên của Đài Phát thanh Quốc gia "
        "Lào.",
        kinds=("agreement", "exchange", "training"),
    )


def test_seminars_an_agreement_provides_for_are_no_conference() -> None:
    item_of(
        "Hội Nhà báo Việt Nam và Liên minh Nhà báo Nga ký ghi nhớ",
        "Ngày 14/4, tại Mát-xcơ-va, Hội Nhà báo Việt Nam và Liên minh Nhà báo Nga ký biên bản ghi "
        "nhớ hợp tác.\n"
        "Biên bản tạo khuôn khổ để hai bên trao đổi đoàn nhà báo và phối hợp tổ chức các hội thảo "
        "chuyên đề.",
        kinds=("agreement", "exchange"),
    )


def test_a_signing_during_a_working_visit_is_no_meeting_of_its_own() -> None:
    item_of(
        "AKP and VNA renew news exchange pact",
        "AKP and the Vietnam News Agency renewed their news exchange agreement on Monday during a "
        "working visit by an AKP delegation to Hanoi.",
        kinds=("agreement", "exchange"),
    )


# --- skimming: the articles no sentence of which can be an item's


def _read(article: Article, skim: bool):
    scope = Scope.default()
    index = phrase_index(scope.field_words())
    return read_article(article, index, load(), frozenset(scope.fields), skim=skim)


@pytest.mark.parametrize(
    ("title", "text", "reason"),
    [
        ("Heavy rain forecast for the north", "Hà Nội will see heavy rain this weekend. "
         "Officials met on Monday to discuss flood drills in three districts.",
         "no media/communication field"),
        ("Vietnam Television launches a new weather app", "VTV said the app would carry "
         "forecasts for every province. The broadcaster plans more digital services this year.",
         "no cooperation in a media/communication field"),
    ],
)
def test_news_with_no_act_beside_a_field_is_skimmed_to_its_reason(title, text, reason) -> None:
    article = Article(url="u", source="s", title=title, text=text)
    assert _read(article, skim=True).skimmed
    verdict = classify(article)
    assert isinstance(verdict, Rejection)
    assert verdict.reason == reason


@pytest.mark.parametrize("page", EVAL_PAGES + SEED_PAGES, ids=lambda p: p.stem)
def test_an_article_that_may_be_an_item_is_read_in_full(page: Path) -> None:
    reading = _read(article_of(page), skim=True)
    if expected_of(page)["is_item"]:
        assert not reading.skimmed
    if reading.skimmed:  # nothing a full reading would have found an item in, the same reason
        full = _read(article_of(page), skim=False)
        assert not any(item_fields.is_core(s) for s in full.sentences)
        named = [any(s.usable and s.fields for s in r.sentences) for r in (reading, full)]
        assert named[0] == named[1]
