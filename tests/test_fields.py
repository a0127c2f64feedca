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
