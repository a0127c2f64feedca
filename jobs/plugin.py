"""coopwatch's Datasette plugin: the hooks that make the pages readable and keep them read-only.

Registered by ``jobs.serve.make_datasette`` (never as a global entry point), so it only ever
runs on the coopwatch database. What metadata can say (titles, descriptions, facets, sort,
search, canned queries, hidden tables) is in ``metadata.yml``; this module does only what
metadata cannot:

* ``asgi_wrapper``: GET and HEAD only, CSV without formulas and complete streams, ``.json``
  with the array columns as arrays, empty Atom feeds (see ``jobs.middleware``, ``jobs.csvsafe``).
* ``prepare_connection``: ``PRAGMA query_only`` on every connection to the coopwatch file,
  Datasette's write connection included (reads are opened ``mode=ro`` anyway), and the SQL
  function ``country_label('VN')`` → "Viet Nam (VN)" for queries and dashboard menus, and
  ``place_latitude(place)``, ``place_longitude(place)`` from the place gazetteer, for the map.
* ``register_facet_classes``, ``filters_from_request`` and an ASGI layer (``jobs.facets``):
  array filters, facets, counts and search on items and events through indexes and summary
  tables, not every row.
* ``render_cell`` (``jobs.cells``), ``extra_template_vars`` and ``register_routes``
  (``jobs.pages``): chips, links, the home page, item and event cards, organisation and
  country-pair pages.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode

from jobs import cells, csvsafe, facets, middleware, pages
from jobs.classify.gazetteer import load as gazetteer
from jobs.countries import country_label, language_name
from jobs.highlight import why_event_matched, why_matched

STATIC_MOUNT = "coopwatch-static"


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        app = middleware.empty_feeds(
            app, lambda path, query: pages.count_rows(datasette, path, query),
            lambda path: pages.feed_title(datasette, path))
        app = middleware.json_arrays(middleware.dashboard_countries(app, country_label))
        app = csvsafe.complete_csv_streams(csvsafe.neutralize_csv_formulas(app), cells.DATABASE)
        return middleware.refuse_writes(facets.rewrite_query(app))

    return wrap


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    if database != cells.DATABASE:
        return
    conn.execute("PRAGMA query_only = 1")
    conn.create_function("country_label", 1, _sql_country_label, deterministic=True)
    conn.create_function("place_latitude", 1, lambda place: _coordinate(place, 0),
                         deterministic=True)
    conn.create_function("place_longitude", 1, lambda place: _coordinate(place, 1),
                         deterministic=True)


def _sql_country_label(code: Any) -> Any:
    return country_label(code) if isinstance(code, str) else code


def _coordinate(place: Any, index: int) -> float | None:
    """Latitude (0) or longitude (1) of a place the classifier's gazetteer knows, else None."""
    known = gazetteer().places.get(place) if isinstance(place, str) else None
    return (known.lat, known.lon)[index] if known else None


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str) -> Any:
    return cells.render_cell(row, value, column, table, database)


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["chip_label"] = lambda value, column: cells.chip_label(column, str(value))
    env.filters["country_label"] = country_label
    env.filters["language_name"] = language_name
    env.filters["facet_label"] = _facet_label
    env.filters["why_matched"] = why_matched
    env.filters["why_event_matched"] = why_event_matched
    env.filters["web_url"] = cells.web_url
    env.filters["tilde_encode"] = lambda value: tilde_encode(str(value))


def _facet_label(label: Any, column: str) -> str:
    if column == "language" and isinstance(label, str):
        return f"{language_name(label)} ({label})"
    if column in cells.ARRAY_COLUMNS and isinstance(label, str):
        return cells.chip_label(column, label)
    return label


@hookimpl
def extra_css_urls() -> list[str]:
    return [f"/{STATIC_MOUNT}/coopwatch.css"]


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None,
                        view_name: str, request: Any, datasette: Any) -> Any:
    async def template_vars() -> dict[str, Any]:
        return await pages.template_vars(datasette, template, database, table, request)

    return template_vars


@hookimpl
def register_facet_classes() -> list[type]:
    return [facets.IndexedFacet]


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    async def indexed() -> Any:
        return await facets.filters(request, database, table, datasette)

    return indexed


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/organisation/(?P<name>[^/]+)$", pages.organisation_page),
        (r"^/-/pair/(?P<a>[A-Za-z]{2})-(?P<b>[A-Za-z]{2})$", pages.pair_page),
    ]
