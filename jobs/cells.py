"""How a cell of coopwatch's tables reads in HTML (Datasette's ``render_cell`` hook).

JSON arrays (countries, organisations, kinds, topics) become chips, each a link to the list
filtered on that value; a country chip reads "Viet Nam (VN)". A title links to the article it
is the headline of. Evidence reads as "field: sentence". ISO date-times read as
"2025-04-15 08:00 UTC". Everything else is left to Datasette. JSON and CSV are not touched:
this is HTML only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from datasette.utils import tilde_encode
from markupsafe import Markup

from jobs.countries import country_label, language_name

DATABASE = "coopwatch"
ARRAY_COLUMNS = ("countries", "organisations", "kinds", "topics")
JSON_COLUMNS = (*ARRAY_COLUMNS, "evidence")
FILTERABLE = frozenset({"items", "events"})  # tables whose array columns have array facets
DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]00:?00)$")
LANGUAGE_COLUMNS = frozenset({"language"})


def chip_label(column: str, value: str) -> str:
    """What a chip, a facet or a menu shows for ``value`` of ``column``."""
    if column == "countries":
        return country_label(value)
    if column in ("kinds", "topics"):
        return value.replace("_", " ")
    return value


def filter_url(table: str, column: str, value: str) -> str:
    """The list of ``table`` rows whose array ``column`` contains ``value``."""
    return f"/{DATABASE}/{table}?{column}__arraycontains={quote(value, safe='')}"


def organisation_url(name: str) -> str:
    return f"/-/organisation/{quote(name, safe='')}"


def chips(column: str, values: list, table: str | None) -> Markup:
    """``values`` as a row of links: organisations to their page, others to the filtered list."""
    target = table if table in FILTERABLE else "items"
    links = []
    for value in values:
        value = str(value)
        href = (organisation_url(value) if column == "organisations"
                else filter_url(target, column, value))
        links.append(Markup('<a class="chip chip-{}" href="{}">{}</a>').format(
            column, href, chip_label(column, value)))
    return Markup('<span class="chips">{}</span>').format(Markup("").join(links))


def evidence_list(evidence: Mapping[str, Any]) -> Markup:
    rows = Markup("").join(
        Markup("<dt>{}</dt><dd>{}</dd>").format(field.replace("_", " "), sentence)
        for field, sentence in evidence.items() if sentence)
    return Markup('<dl class="evidence">{}</dl>').format(rows)


def readable_datetime(value: str) -> Markup | None:
    """``2025-04-15T08:00:00+00:00`` → "2025-04-15 08:00 UTC" (kept as ``<time datetime>``)."""
    match = DATETIME.match(value)
    if not match:
        return None
    day, minute, _ = match.groups()
    return Markup('<time datetime="{}">{} {} UTC</time>').format(value, day, minute)


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return None


def render_cell(row: Any, value: Any, column: str, table: str | None, database: str) -> Any:
    """The HTML for one cell, or None to leave it to Datasette (see the module docstring)."""
    if database != DATABASE or not isinstance(value, str) or not value:
        return None
    if column in ARRAY_COLUMNS and value.startswith("["):
        values = _json(value)
        return chips(column, values, table) if isinstance(values, list) else None
    if column == "popup" and value.startswith("{"):  # a map marker's popup (events_map)
        popup = _json(value)
        if isinstance(popup, dict) and popup.get("link"):
            return Markup('<a href="{}">{}</a>').format(popup["link"], popup.get("title") or "")
    if column == "evidence" and value.startswith("{"):
        evidence = _json(value)
        return evidence_list(evidence) if isinstance(evidence, dict) else None
    if column in ("title", "atom_title"):
        return _title_link(row, value)
    if column == "event_id" or (column == "id" and table is None and _has(row, "outlets")):
        return Markup('<a href="/{}/events/{}">{}</a>').format(DATABASE, tilde_encode(value),
                                                               value)
    if column == "url" and table == "rejected_articles":
        return Markup('<a href="/{}/articles/{}">the whole text</a>').format(
            DATABASE, tilde_encode(value))
    if column in LANGUAGE_COLUMNS:
        return f"{language_name(value)} ({value})"
    return readable_datetime(value)


def _has(row: Any, column: str) -> bool:
    return hasattr(row, "keys") and column in row.keys()  # noqa: SIM118 (sqlite3.Row: in = values)


def web_url(url: Any) -> str:
    """``url`` if it is an http(s) address, else "#": an href never runs a ``javascript:``."""
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else "#"


def _title_link(row: Any, title: str) -> Markup | None:
    keys = row.keys() if hasattr(row, "keys") else ()
    url = row["url"] if "url" in keys else None
    if isinstance(url, dict):  # a foreign key Datasette expanded: {"value": ..., "label": ...}
        url = url.get("value")
    if not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        return None
    return Markup('<a class="article-link" href="{}">{}</a>').format(url, title)
