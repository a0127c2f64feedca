"""Which sentences of an article speak for its item: the lead, and the core sentences."""

from __future__ import annotations

from jobs.classify.sentences import Sentence

LEAD_SENTENCES = 3
EVENT_KINDS = frozenset({"meeting", "conference", "training"})  # kinds of a gathering
CONTENT_KINDS = frozenset({"agreement", "joint_production", "exchange"})  # kinds of a content deal


def is_lead(sentence: Sentence) -> bool:
    """The title, the description and the first three body sentences."""
    return sentence.role != "body" or sentence.position < LEAD_SENTENCES


def is_core(sentence: Sentence) -> bool:
    """Names a field in scope and an act of cooperation (see ``jobs.classify.fields``)."""
    if sentence.history and sentence.role == "body":
        return False  # "reprinted photos of Castro's visit in 1973"
    return sentence.usable and bool(sentence.fields) and sentence.coop and not sentence.listed
