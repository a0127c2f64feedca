"""Score the current classifier against every reviewed article: corrections become labels.

``python bench/evaluate.py --corrections corrections.yaml --db db/coopwatch.db`` runs this. Each
entry of the corrections file whose article is stored is a label on a real production page:

* ``reject``: not an item;
* ``accept``: an item, every field as stored (the reviewer's fields laid over the machine's);
* fields only, on a stored item: an item, labelled in the fields the reviewer set.

The stored article is classified again by the classifier as it is now (scope and outlet countries
from ``--config``), with no correction applied, and compared: the decision, then each labelled
field with ``bench/evaluate.py``'s definitions (countries equal as sets, the same day, place equal
or contained after folding, organisations' recall, kinds included and at most 3; topics, title and
summary equal). Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

from jobs.config import load_config
from jobs.corrections import LIST_FIELDS, Correction, load_corrections
from jobs.models import Article, Item
from jobs.pipeline import ARTICLE_COLUMNS, default_classifier

SCORED = ("countries", "event_date", "place", "organisations", "kinds", "topics", "title",
          "summary")


def labels(db: sqlite3.Connection, correction: Correction) -> dict | None:
    """The reviewer's label of one stored article, or None when it labels nothing."""
    if correction.action == "reject":
        return {"is_item": False}
    row = db.execute("select * from items where url = ?", [correction.url]).fetchone()
    if row is None:
        return None
    stored = {name: json.loads(row[name] or "[]") if name in LIST_FIELDS else row[name]
              for name in SCORED}
    names = SCORED if correction.action == "accept" else tuple(correction.fields)
    return {"is_item": True, **{name: stored[name] for name in names}}


def field_score(name: str, got: dict, wanted: dict) -> tuple[int, int]:
    from bench.evaluate import FIELDS, score_field

    if name in FIELDS:
        return score_field(name, got, wanted)
    value = got.get(name)
    if isinstance(wanted[name], list):
        return int(sorted(value or []) == sorted(wanted[name])), 1
    return int(value == wanted[name]), 1


def evaluate_reviewed(corrections_path: Path, db_path: Path,
                      config_path: Path | None = None) -> list[str]:
    """The report's lines."""
    corrections = load_corrections(corrections_path)
    config = load_config(config_path) if config_path and config_path.is_file() else None
    classify = default_classifier(config.scope if config else None)
    countries = {s.name: s.country for s in config.sources} if config else {}
    db = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    actions: Counter = Counter()
    decision: Counter = Counter()
    fields: dict[str, list[int]] = {name: [0, 0] for name in SCORED}
    for correction in corrections.entries.values():
        row = db.execute(f"select {ARTICLE_COLUMNS} from articles where url = ?",
                         [correction.url]).fetchone()
        wanted = labels(db, correction) if row is not None else None
        if wanted is None:
            actions["unlabelled"] += 1
            continue
        actions[correction.action or "fields"] += 1
        verdict = classify(Article(*row), countries.get(row["source"]))
        found = isinstance(verdict, Item)
        decision[(wanted["is_item"], found)] += 1
        if not (found and wanted["is_item"]):
            continue
        got = {name: list(getattr(verdict, name)) if name in LIST_FIELDS
               else getattr(verdict, name) for name in SCORED}
        for name in SCORED:
            if name in wanted:
                hits, trials = field_score(name, got, wanted)
                fields[name][0] += hits
                fields[name][1] += trials
    db.close()
    return _report(corrections_path, actions, decision, fields)


def _ratio(hits: int, trials: int) -> str:
    return f"{hits / trials:.2f} {hits}/{trials}" if trials else "-"


def _report(path: Path, actions: Counter, decision: Counter,
            fields: dict[str, list[int]]) -> list[str]:
    labelled = sum(n for key, n in actions.items() if key != "unlabelled")
    kinds = ", ".join(f"{n} {key}" for key, n in sorted(actions.items()))
    tp, fp = decision[(True, True)], decision[(False, True)]
    fn, tn = decision[(True, False)], decision[(False, False)]
    lines = [f"reviewed articles in {path}: {labelled} labelled ({kinds or 'none'})",
             f"{'decision right':16} {_ratio(tp + tn, labelled)}",
             f"{'items kept':16} {_ratio(tp, tp + fn)}   (recall on reviewed items)",
             f"{'rejections kept':16} {_ratio(tn, tn + fp)}   (reviewer-rejected pages still "
             "rejected)"]
    lines += [f"{name:16} {_ratio(*fields[name])}" for name in SCORED if fields[name][1]]
    return lines
