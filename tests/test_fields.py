"""Item fields chosen by general rules (jobs.classify.fields), on short articles written here."""

from __future__ import annotations

from jobs.classify import classify
from jobs.models import Article, Item


def item_of(title: str, text: str, language: str = "en") -> Item:
    article = Article(
        url="https://example.org/x", source="example", title=title, text=text,
        published="2025-06-02", language=language,
    )
    item = classify(article)
    assert isinstance(item, Item), item
    return item


def test_the_meeting_of_a_multilateral_body_is_a_conference() -> None:
    item = item_of(
        "Television Malaysia hosts ABU executive board meeting",
        "KUALA LUMPUR — Radio Televisyen Malaysia (RTM) on Monday hosted the ABU executive board "
        "meeting, attended by broadcasters from Japan and Viet Nam.\n"
        "RTM and VTV also agreed to exchange news programmes.",
    )
    assert "conference" in item.kinds
    assert "meeting" not in item.kinds


def test_a_country_named_as_the_venue_is_no_party() -> None:
    item = item_of(
        "Vietnamese and Lao news agencies sign news exchange deal",
        "The Vietnam News Agency and Lao news agency KPL signed a news exchange agreement in "
        "Azerbaijan on Sunday, on the sidelines of an international media forum.",
    )
    assert item.countries == ("LA", "VN")


def test_the_venue_is_a_party_when_no_other_is_named() -> None:
    item = item_of(
        "Lao journalists study digital newsrooms",
        "A delegation of the Lao Journalists Association began a week-long training course on "
        "digital journalism in Vietnam on Monday.",
    )
    assert item.countries == ("LA", "VN")


def rejection_of(title: str, text: str) -> str:
    article = Article(
        url="https://example.org/y", source="example", title=title, text=text,
        published="2025-04-01", language="en",
    )
    result = classify(article)
    assert not isinstance(result, Item), result
    return result.reason


def test_an_anniversary_with_foreign_congratulations_is_a_near_miss() -> None:
    reason = rejection_of(
        "Myanmar News Agency marks 60th anniversary, receives congratulations from partners",
        "YANGON — The Myanmar News Agency celebrated its 60th founding anniversary on Sunday.\n"
        "News agencies from Laos, Vietnam and China sent letters of congratulations, praising "
        "years of fruitful cooperation and news exchange.",
    )
    assert reason == "an anniversary with foreign congratulations"


def test_an_anniversary_with_a_signing_stays_an_item() -> None:
    item = item_of(
        "Myanmar News Agency marks 60th anniversary, signs MoU with Vietnam News Agency",
        "YANGON — On the occasion of its 60th founding anniversary, the Myanmar News Agency "
        "signed a memorandum of understanding on news exchange with the Vietnam News Agency on "
        "Sunday.\nThe Lao news agency KPL sent letters of congratulations.",
    )
    assert "agreement" in item.kinds


def test_a_memorandum_in_passing_in_a_trade_story_is_a_near_miss() -> None:
    reason = rejection_of(
        "Vietnam, Korea aim to lift trade to 150 billion USD",
        "SEOUL — Vietnamese and South Korean trade ministers on Monday agreed to raise two-way "
        "trade to 150 billion USD by 2030.\nThe two sides discussed supply chains, energy and "
        "semiconductor investment.\nThe two sides also exchanged a memorandum of understanding "
        "on cooperation in media, among ten documents covering trade, energy and labour.",
    )
    assert reason == "cooperation mentioned in passing"


def test_foreign_media_covering_a_state_visit_is_a_near_miss() -> None:
    reason = rejection_of(
        "Foreign press flock to cover Chinese leader's state visit to Vietnam",
        "HANOI — More than 200 reporters from China, Japan and Europe have registered to cover "
        "the state visit of the Chinese President to Vietnam this week.\nThe international press "
        "centre will offer interpretation and internet to foreign correspondents.",
    )
    assert reason.startswith("no cooperation")


def test_every_country_of_the_gazetteer_is_an_iso_code() -> None:
    """YAML 1.1 reads a bare ``NO`` (Norway) as false: the key must stay quoted."""
    import pycountry

    from jobs.classify.gazetteer import read_data

    for code in read_data("countries.yaml"):
        assert isinstance(code, str) and pycountry.countries.get(alpha_2=code), code


def test_norway_is_a_country() -> None:
    item = item_of(
        "Norwegian and Vietnamese broadcasters sign deal",
        "OSLO — Norway's NRK and Vietnam Television (VTV) signed a memorandum of understanding on "
        "programme exchange on Monday, the Norwegian ambassador said.",
    )
    assert item.countries == ("NO", "VN")


def test_countries_participants_come_from_are_parties() -> None:
    item = item_of(
        "Vietnam News Agency opens regional photojournalism course",
        "HANOI — The Vietnam News Agency on Monday opened a two-week photojournalism course for "
        "the Lao news agency KPL.\nThe course is run with trainers from Japan's Kyodo News.\n"
        "It is also attended by journalists from Cambodia and Myanmar.",
    )
    assert {"KH", "MM", "LA", "VN"} <= set(item.countries)


def test_a_vietnamese_course_counts_its_trainees_countries() -> None:
    item = item_of(
        "TTXVN khai giảng lớp tập huấn ảnh báo chí cho phóng viên Lào",
        "Sáng 5/6, tại Hà Nội, Thông tấn xã Việt Nam khai giảng lớp tập huấn ảnh báo chí cho phóng "
        "viên Hãng thông tấn Lào KPL.\nLớp học còn có học viên đến từ Campuchia và Myanmar.",
        language="vi",
    )
    assert {"KH", "MM", "LA", "VN"} <= set(item.countries)
