"""Organisations recognised from the text itself (jobs.classify.orgs), on sentences written here."""

from __future__ import annotations

import pytest

from jobs.classify import Scope, classify, load, phrase_index
from jobs.classify.orgs import Recogniser
from jobs.classify.textmatch import normalise, tokenise
from jobs.models import Article, Item


def recognised(language: str, *sentences: str, home: str | None = None) -> list[tuple[str, str]]:
    """(name, country) of every organisation the recogniser finds in ``sentences``, in order."""
    index = phrase_index(Scope.default().field_words())
    recogniser = Recogniser(load(), language, home)
    found = []
    for text in sentences:
        tokens = tokenise(normalise(text))
        for hit in recogniser.hits(tokens, index.scan(tokens)):
            name = hit.payloads[0][1]
            found.append((name, recogniser.organisations[name].country))
    return found


def item_of(title: str, text: str, language: str = "en", description: str | None = None) -> Item:
    article = Article(
        url="https://example.org/a", source="example", title=title, text=text,
        description=description, published="2025-03-04", language=language,
    )
    item = classify(article)
    assert isinstance(item, Item), item
    return item


@pytest.mark.parametrize(
    ("sentence", "name", "country"),
    [
        ("The Kenya Broadcasting Corporation (KBC) signed a deal on Monday.",
         "Kenya Broadcasting Corporation (KBC)", "KE"),
        ("Officials of the Ghana News Agency (GNA) arrived in Accra.",
         "Ghana News Agency (GNA)", "GH"),
        ("It was signed with Peru's Andean Press Fund (APF) yesterday.",
         "Andean Press Fund (APF)", "PE"),
    ],
)
def test_an_acronym_defined_in_the_text_names_an_organisation(
    sentence: str, name: str, country: str
) -> None:
    assert (name, country) in recognised("en", sentence)


def test_a_source_in_brackets_after_a_place_is_no_definition() -> None:
    assert recognised("en", "NAIROBI (KNA) – Ministers met on Friday.") == []


def test_a_defined_acronym_is_the_same_organisation_later() -> None:
    found = recognised(
        "en",
        "The Zambia National Broadcasting Corporation (ZNBC) hosted the talks.",
        "ZNBC will air the programmes.",
    )
    assert [name for name, _ in found] == ["Zambia National Broadcasting Corporation (ZNBC)"] * 2


def test_head_noun_names_with_their_country() -> None:
    found = recognised("en", "The Serbian Association of Journalists met the Ecuador Press Club.")
    assert ("Serbian Association of Journalists", "RS") in found


def test_a_name_stops_before_a_title() -> None:
    found = recognised("en", "Kenya Television Network Director General Jane Doe spoke.")
    assert found == [("Kenya Television Network", "KE")]


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Peru's ambassador in Hanoi attended.", "Embassy of Peru in Vietnam"),
        ("The Chilean Ambassador to Vietnam spoke first.", "Embassy of Chile in Vietnam"),
        ("It was signed with the Embassy of the Republic of Korea in Laos.",
         "Embassy of South Korea in Laos"),
        ("The Cuban Embassy hosted the reception.", "Embassy of Cuba"),
    ],
)
def test_an_envoy_or_a_mission_is_the_embassy(sentence: str, name: str) -> None:
    assert name in [n for n, _ in recognised("en", sentence)]


@pytest.mark.parametrize(
    ("sentence", "name", "country"),
    [
        ("Chiều 3/4, Bộ Ngoại giao Campuchia đã tiếp đoàn.",
         "Ministry of Foreign Affairs (Cambodia)", "KH"),
        ("Đoàn của Bộ Lao động - Thương binh và Xã hội đến thăm.",
         "Ministry of Labour, Invalids and Social Affairs (Vietnam)", "VN"),
        ("Hội Nhà báo Peru cử đoàn sang.", "Hội Nhà báo Peru", "PE"),
        ("Phóng viên báo Tuổi trẻ đã phỏng vấn.", "Tuổi trẻ", "VN"),
        ("Đại sứ Việt Nam tại Peru dự lễ.", "Embassy of Vietnam in Peru", "VN"),
        ("Báo Nghệ An và Báo Xiêng Khoảng (Lào) ký kết.", "Báo Xiêng Khoảng", "LA"),
    ],
)
def test_vietnamese_names(sentence: str, name: str, country: str) -> None:
    assert (name, country) in recognised("vi", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Nhà báo Trần Văn Nam nhận giải.",  # a journalist, not a newspaper
        "nhà báo Belarus sang học tập",  # journalists of a country
        "Hai nước giữ gìn quan hệ vĩ đại, đoàn kết đặc biệt.",  # đại is not Đài
    ],
)
def test_vietnamese_words_that_are_no_organisation(sentence: str) -> None:
    assert recognised("vi", sentence) == []


def test_an_item_names_a_body_no_gazetteer_holds() -> None:
    item = item_of(
        "Kenyan and Vietnamese broadcasters sign co-production deal",
        "NAIROBI — The Kenya Broadcasting Corporation (KBC) and Vietnam Television (VTV) on "
        "Monday signed a memorandum of understanding to co-produce documentaries.\n"
        "KBC will also exchange news programmes with VTV.",
    )
    assert item.countries == ("KE", "VN")
    assert item.organisations == ("Kenya Broadcasting Corporation (KBC)", "VTV")


def test_the_multilateral_body_an_act_took_place_within_is_a_party() -> None:
    item = item_of(
        "Vietnamese and Kenyan news agencies renew cooperation agreement",
        "On the sidelines of the OANA General Assembly in Seoul on March 3, the Vietnam News "
        "Agency and the Kenya News Agency (KNA) signed an agreement on news exchange.\n"
        "The two agencies will exchange news and photos every day.",
    )
    assert item.organisations == ("KNA", "OANA", "VNA")


@pytest.mark.parametrize(
    ("language", "sentence", "name"),
    [
        ("en", "Cambodian Prime Minister Hun Manet received the VNA delegation on Monday.",
         "Government of Cambodia"),
        ("vi", "Chiều 5/6, Thủ tướng Lào tiếp đoàn Thông tấn xã Việt Nam.", "Government of Laos"),
        ("vi", "Phó Thủ tướng tiếp đoàn Hãng thông tấn Kyodo.", "Government of Vietnam"),
    ],
)
def test_a_government_that_receives_is_a_party(language: str, sentence: str, name: str) -> None:
    assert name in [n for n, _ in recognised(language, sentence)]


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Cambodian Prime Minister Hun Manet has praised the press."),
        ("vi", "Thủ tướng Campuchia tiếp tục khẳng định vai trò của báo chí."),  # continues
        ("vi", "Thủ tướng Lào phát biểu trực tiếp tại diễn đàn."),  # in person
    ],
)
def test_a_leader_named_without_receiving_is_no_party(language: str, sentence: str) -> None:
    found = recognised(language, sentence)
    assert not any(name.startswith("Government") for name, _ in found)


def test_a_party_country_takes_its_bodies_from_any_sentence() -> None:
    """Nothing about the course names the trainees' ministry: the description does."""
    item = item_of(
        "Báo Tuổi trẻ tổng kết khóa đào tạo báo chí cho cán bộ Campuchia",
        "Chiều 4/3, tại Hà Nội, báo Tuổi trẻ tổng kết khóa đào tạo nghiệp vụ báo chí dành "
        "cho ba cán bộ Campuchia.\nCác học viên được hướng dẫn viết tin và chụp ảnh báo chí.",
        language="vi",
        description="Sau một tháng, ba cán bộ của Bộ Y tế Campuchia đã học xong nghiệp vụ.",
    )
    assert item.countries == ("KH", "VN")
    assert item.organisations == ("Ministry of Health (Cambodia)", "Tuổi trẻ")
