"""The scoring helpers of bench/evaluate.py, on handmade values (no corpus needed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "evaluate.py"
_SPEC = importlib.util.spec_from_file_location("bench_evaluate", _PATH)
evaluate = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = evaluate  # dataclasses look their module up
_SPEC.loader.exec_module(evaluate)


@pytest.mark.parametrize(("wanted", "got"), [
    ("MCST", "Ministry of Culture, Sports and Tourism"),  # acronym of the stored name
    ("Korean Broadcasting System", "KBS"),  # the stored acronym of the labelled name
    ("TTXVN", "Thông tấn xã Việt Nam"),  # Vietnamese initials, diacritics folded
    ("Xinhua", "Xinhua News Agency"),  # a fragment of the stored name
    ("Ministry of Information (Laos)", "Ministry of Information"),  # the stored name inside
    ("Hội Nhà báo Việt Nam", "hoi nha bao viet nam"),  # case and diacritics folded
])
def test_organisations_that_match(wanted: str, got: str) -> None:
    assert evaluate.org_matches(wanted, got)


@pytest.mark.parametrize(("wanted", "got"), [
    ("KBS", "NHK"),
    ("AB", "ABU"),  # a fragment needs three letters
    ("Vietnam News Agency", "Voice of Vietnam"),
    ("VNA", ""),
])
def test_organisations_that_do_not_match(wanted: str, got: str) -> None:
    assert not evaluate.org_matches(wanted, got)


def test_place_words_and_diacritics_are_dropped() -> None:
    assert evaluate.place_key("Thành phố Hồ Chí Minh") == "hochiminh"
    assert evaluate.place_key("Ho Chi Minh City") == "hochiminh"
    assert evaluate.place_key("Tỉnh Quảng Ninh") == evaluate.place_key("Quang Ninh Province")
    assert evaluate.place_matches("Hà Nội", "Hanoi")
    assert evaluate.place_matches("Vientiane Capital", "Vientiane")  # containment either way
    assert not evaluate.place_matches("Vientiane", "Hanoi")
    assert not evaluate.place_matches(None, "Hanoi")
    assert not evaluate.place_matches("City", "Province")  # nothing left of either


def test_label_kinds_in_coopwatch_vocabulary() -> None:
    assert evaluate.label_kinds("agreement/MoU signed") == {"agreement"}
    assert evaluate.label_kinds("seminar/forum") == {"conference"}
    assert evaluate.label_kinds("visit") == {"meeting"}
    assert evaluate.label_kinds("joint production") == {"joint_production"}
    assert evaluate.label_kinds(["exchange", "meeting"]) == {"exchange", "meeting"}
    assert evaluate.label_kinds(None) == frozenset()


def test_fields_scored_the_same_way_for_every_set() -> None:
    score = evaluate.score_field
    wanted = {"countries": ["LA", "VN"], "organisations": ["KPL", "VNA"], "event_date": None,
              "place": "Vientiane", "kinds": frozenset({"agreement"})}
    got = {"countries": ["VN", "LA"], "organisations": ["Vietnam News Agency"],
           "event_date": "2024-03-05", "place": "Vientiane",
           "kinds": ["agreement", "exchange"]}
    assert score("countries", got, wanted) == (1, 1)  # the same set, in any order
    assert score("organisations", got, wanted) == (1, 2)  # recall of the labelled parties
    assert score("event_date", got, wanted) == (0, 0)  # not labelled: not scored
    assert score("place", got, wanted) == (1, 1)
    assert score("kinds", got, wanted) == (1, 1)
    crowded = {**got, "organisations": ["KPL", "VNA", *(f"Body {i}" for i in range(9))],
               "kinds": ["agreement", "exchange", "meeting", "training"]}
    assert score("organisations", crowded, wanted) == (0, 2)  # more than ten earn nothing
    assert score("kinds", crowded, wanted) == (0, 1)  # more than three earn nothing


def test_organisation_precision_counts_stored_names_no_label_matches() -> None:
    got = ["Vietnam News Agency", "KPL", "Central Committee"]
    assert evaluate.org_precision(got, ["VNA", "KPL"]) == (2, 3)
    assert evaluate.org_precision(got, []) == (0, 0)  # nothing labelled: not scored
