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
from jobs.dates import find_dates, first_date, parse_published
from jobs.extract import extract_article
from jobs.gazetteer import load, phrase_index
from jobs.models import Article, Item, Rejection
from jobs.sentences import read_article

FIXTURES = Path(__file__).parent / "fixtures"
EVAL_PAGES = sorted((FIXTURES / "eval").glob("*.html"))
SEED_PAGES = sorted((FIXTURES / "seeds").glob("*.html"))


def expected_of(page: Path) -> dict:
    return json.loads(page.with_suffix("").with_suffix(".expected.json").read_text("utf-8"))


@cache
def article_of(page: Path) -> Article:
    expected = expected_of(page)
    return extract_article(page.read_bytes(), expected["url"], source=expected["source"])


def countries_in(text: str) -> list[str]:
    """The countries the classifier sees in ``text`` (named, or in pairs like "Việt - Lào")."""
    scope = Scope.default()
    article = Article(url="u", source="s", title=text, text="")
    index = phrase_index(scope.field_words())
    reading = read_article(article, index, load(), frozenset(scope.fields))
    return sorted({code for s in reading.sentences for _, code in s.countries})


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
        ("nha-bao-nga-tuan-anh-giai-thuong", "no country named"),
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
