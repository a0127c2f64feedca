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
