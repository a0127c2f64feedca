"""Evaluate the cooperation classifier on the labelled pages under tests/fixtures/.

Every ``NAME.html`` of ``tests/fixtures/eval/`` and ``tests/fixtures/seeds/`` is extracted with
``jobs.extract.extract_article`` and classified; its ``NAME.expected.json`` says whether it is an
item and, if it is, its countries, organisations, event date, place and kinds. Printed, for English
and Vietnamese separately: detection precision and recall, and each field's exact-match accuracy
over the expected items (an item the classifier missed counts as wrong for every field); then the
mean time to classify an article against the mean time to extract it. Figures are printed, never
asserted (see tests/test_classify.py for the assertions).

    .venv/bin/python bench/evaluate.py            # the figures
    .venv/bin/python bench/evaluate.py -v         # and every disagreement
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobs.classify import classify  # noqa: E402
from jobs.extract import extract_article  # noqa: E402
from jobs.models import Article, Item  # noqa: E402

FIXTURES = (ROOT / "tests" / "fixtures" / "eval", ROOT / "tests" / "fixtures" / "seeds")
FIELDS = ("countries", "organisations", "event_date", "place", "kinds")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def line(self, language: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        items = self.tp + self.fn
        accuracy = (
            "  ".join(f"{name} {self.right[name] / items:.2f}" for name in FIELDS) if items else ""
        )
        pages = self.tp + self.fp + self.fn + self.tn
        return (
            f"{language}: {pages} pages ({items} items)  "
            f"precision {precision:.2f}  recall {recall:.2f}\n    exact: {accuracy}"
        )


def pages() -> list[Path]:
    return sorted(p for folder in FIXTURES for p in folder.glob("*.html"))


def load(page: Path) -> tuple[Article, dict, float]:
    expected = json.loads(
        page.with_suffix("").with_suffix(".expected.json").read_text(encoding="utf-8")
    )
    started = time.perf_counter()
    article = extract_article(page.read_bytes(), expected["url"], source=expected["source"])
    return article, expected, time.perf_counter() - started


def compare(result: object, expected: dict) -> dict[str, tuple[object, object]]:
    """The fields (of FIELDS) where ``result`` differs from ``expected``: name -> (got, wanted)."""
    wrong = {}
    for name in FIELDS:
        got = getattr(result, name, None)
        got = list(got) if isinstance(got, tuple) else got
        wanted = expected.get(name)
        if got != wanted:
            wrong[name] = (got, wanted)
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every disagreement")
    verbose = parser.parse_args().verbose
    loaded = [(page, *load(page)) for page in pages()]
    started = time.perf_counter()
    classify(loaded[0][1])  # loads the gazetteers: a one-off cost, reported apart
    warm_up = time.perf_counter() - started
    tallies: dict[str, Tally] = defaultdict(Tally)
    classify_time = 0.0
    for page, article, expected, _ in loaded:
        started = time.perf_counter()
        result = classify(article)
        classify_time += time.perf_counter() - started
        tally = tallies[expected.get("language") or article.language or "?"]
        found = isinstance(result, Item)
        if expected["is_item"]:
            wrong = compare(result, expected) if found else dict.fromkeys(FIELDS, ("missed", ""))
            tally.tp += found
            tally.fn += not found
            for name in FIELDS:
                tally.right[name] += name not in wrong
        else:
            wrong = {"is_item": (True, False)} if found else {}
            tally.fp += found
            tally.tn += not found
        if verbose and (wrong or found != expected["is_item"]):
            reason = "" if found else f" [{result.reason}]"
            print(f"{page.name}{reason}")
            for name, (got, wanted) in wrong.items():
                print(f"    {name}: got {got!r}, expected {wanted!r}")
    for language in sorted(tallies):
        print(tallies[language].line(language))
    count = len(loaded)
    extract_time = sum(seconds for *_, seconds in loaded)
    print(
        f"time per article: classify {1000 * classify_time / count:.2f} ms, "
        f"extract {1000 * extract_time / count:.2f} ms "
        f"(gazetteer load, once per process: {1000 * warm_up:.0f} ms)"
    )


if __name__ == "__main__":
    main()
