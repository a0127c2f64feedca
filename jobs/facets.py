"""Filters, facets, counts and search on items and events that read indexes, not every row.

Stock Datasette reads every row for four things on a big table: an array facet or filter
(``json_each`` on each row), a facet (``group by`` over the filtered rows), the row count of a
filtered page and a search (``rowid in (every match)``, sorted). At a million items each of these
takes seconds. coopwatch keeps the array columns as rows too, and whole-table counts in
``facet_counts`` (jobs/schema.py), and this module reads them:

* ``rewrite_query`` (an ASGI layer): on the items and events table pages,
  ``countries__arraycontains=LA`` (the public filter, as the chips and facets link it) becomes
  ``_countries=LA``, and ``_search=`` becomes ``_text=``, which ``filters`` below answers in
  place of Datasette's own clauses. Such a page is asked ``_nocount=1``: its count is capped.
* ``filters`` (``filters_from_request``): an array filter is an ``exists`` on the side table's
  key, so the newest rows are read through the ``published`` index and the filter tested on each
  until a page is full. A search first estimates from the full-text index alone how many rows
  it matches, and reads them in the way that suits that number (``search_clause``): no search
  sorts or builds a set of every match of a common word.
* ``IndexedFacet`` (facet type ``indexed``, set in metadata.yml): on a whole table it reads
  ``facet_counts``; on a filtered or searched one it counts the values of the first
  ``FACET_SAMPLE`` matching rows (the newest stored, for a search), and says so. It also counts
  the page's rows up to ``COUNT_CAP`` ("more than 10,000") for the page's heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import escape_fts, path_with_added_args, path_with_removed_args

from jobs.cells import DATABASE
from jobs.schema import ARRAY_TABLES, COUNTED_ARRAYS, COUNTED_COLUMNS

FEW_MATCHES = 2_000  # a search with up to this many matches reads them and sorts them
RECENT_ROWS = 10_000  # the share of matches among this many newest rows says how common a word is
MANY_SHARE = 0.1  # from this share on, rows are tested one by one against the full-text index
COUNT_CAP = 10_000  # a filtered page counts its rows up to this, then says "more than"
FACET_SAMPLE = 2_000  # a facet on a filtered page counts the values of this many rows
COUNT_KEY = "coopwatch.count"  # where the facet leaves the capped count, in the request's scope
TABLE_PAGE = re.compile(rf"^/{DATABASE}/(?P<table>items|events)(?:\.(?:json|csv|atom))?$")
ARRAYS = {table: {column: (side, name) for column, side, name in arrays}
          for table, (_key, _sort, arrays) in ARRAY_TABLES.items()}
FTS = {"items": "items_fts", "events": "events_fts"}
ASGIApp = Callable[..., Any]


def rewrite_query(app: ASGIApp) -> ASGIApp:
    """The ASGI layer that hands array filters and searches on items and events to ``filters``."""

    async def rewritten(scope: dict, receive: Callable, send: Callable) -> None:
        match = TABLE_PAGE.match(scope.get("path", "")) if scope["type"] == "http" else None
        if not match:
            await app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        pairs = internal_pairs(match["table"], parse_qsl(query, keep_blank_values=True))
        scope = {**scope, "query_string": urlencode(pairs).encode("latin-1")}

        async def send_public(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [
                    (name, public_location(value) if name.lower() == b"location" else value)
                    for name, value in message.get("headers", [])]}
            await send(message)

        await app(scope, receive, send_public)

    return rewritten


def public_location(location: bytes) -> bytes:
    """A redirect (Datasette's after a filter form) in the public names: ``_search``,
    ``countries__arraycontains``, without the ``_nocount`` this layer adds."""
    path, _, query = location.decode("latin-1").partition("?")
    match = TABLE_PAGE.match(urlsplit(path).path)
    if not match or not query:
        return location
    public = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        column = name[1:]
        if name == "_text":
            public.append(("_search", value))
        elif column in ARRAYS[match["table"]] and name.startswith("_"):
            public.append((f"{column}__arraycontains", value))
        elif name != "_nocount":
            public.append((name, value))
    return f"{path}?{urlencode(public)}".encode("latin-1")


def internal_pairs(table: str, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``countries__arraycontains`` → ``_countries``, ``_search`` → ``_text`` (a new search
    replaces the one a form carried along), and ``_nocount`` when either is there."""
    searched = any(name == "_search" for name, _ in pairs)
    out = []
    for name, value in pairs:
        column = name.removesuffix("__arraycontains")
        if column != name and column in ARRAYS[table]:
            out.append((f"_{column}", value))
        elif name == "_search":
            out.append(("_text", value))
        elif not (name == "_text" and searched):
            out.append((name, value))
    indexed = {f"_{column}" for column in ARRAYS[table]} | {"_text"}
    if any(name in indexed for name, _ in out) and not any(n == "_nocount" for n, _ in out):
        out.append(("_nocount", "1"))
    return out


async def filters(request: Any, database: str, table: str, datasette: Any) -> Any:
    """The where clauses of ``_countries``/``_organisations``/``_kinds`` and ``_text``."""
    if database != DATABASE or table not in ARRAYS:
        return None
    key = ARRAY_TABLES[table][0]
    clauses, params, described, context = [], {}, [], {}
    for column, (side, name) in ARRAYS[table].items():
        for value in request.args.getlist(f"_{column}"):
            param = f"indexed_{len(params)}"
            clauses.append(f"exists (select 1 from {side} where {side}.{table[:-1]} = "
                           f"[{table}].{key} and {side}.{name} = :{param})")
            params[param] = value
            described.append(f'{column} contains "{value}"')
    text = request.args.get("_text")
    if text:
        raw = request.args.get("_searchmode") == "raw"
        match = text if raw else escape_fts(text)
        clauses.append(await search_clause(datasette, table, match))
        params["search"] = match
        described.append(f'search matches "{text}"')
        context.update(search=text, supports_search=True)
    return FilterArguments(clauses, params, described, context)


def search_clauses(table: str) -> tuple[str, str, str]:
    """A search's where clause for few, some and many matches (see ``search_clause``)."""
    fts = FTS[table]
    matches = f"(select rowid from {fts} where {fts} match :search)"
    return (f"[{table}].rowid in {matches}", f"+[{table}].rowid in {matches}",
            f"exists (select 1 from {fts} where {fts} match :search "
            f"and {fts}.rowid = [{table}].rowid)")


async def search_clause(datasette: Any, table: str, match: str) -> str:
    """How a search is best read, from how many rows it matches.

    Few (up to ``FEW_MATCHES``, counted no further): read the matches, sort them. Otherwise the
    share of matches among the ``RECENT_ROWS`` newest rows (a range of the full-text index, so a
    few milliseconds however big the table) estimates how common the words are. Below
    ``MANY_SHARE``: read the table newest first, testing each row against the set of matches
    (the unary ``+`` keeps SQLite from driving the query by the set and sorting it all). From it
    on: read the table newest first and ask the full-text index about each row, so no set of
    every match is built: a word in half the rows fills a page after about a hundred rows.
    Every way returns the same rows in the same order; only the time differs.
    """
    few, some, many = search_clauses(table)
    fts, params = FTS[table], {"search": match}
    found = await _count(datasette, f"select rowid from {fts} where {fts} match :search",
                         params, FEW_MATCHES)
    if found is not None and found <= FEW_MATCHES:
        return few
    db = datasette.get_database(DATABASE)
    newest = (await db.execute(f"select max(rowid) from {table}")).rows[0][0] or 0
    floor = max(0, newest - RECENT_ROWS)
    recent = await _count(datasette, f"select rowid from {fts} where {fts} match :search "
                          "and rowid > :floor", {**params, "floor": floor}, RECENT_ROWS)
    share = recent / max(1, newest - floor) if recent is not None else 1.0
    return many if share >= MANY_SHARE else some


async def _count(datasette: Any, sql: str, params: dict, cap: int) -> int | None:
    """How many rows ``sql`` returns, counting no further than ``cap + 1``; None on timeout."""
    try:
        result = await datasette.get_database(DATABASE).execute(
            f"select count(*) from ({sql} limit {cap + 1})", params,
            custom_time_limit=datasette.setting("facet_time_limit_ms"))
    except QueryInterrupted:
        return None
    return result.rows[0][0]


class IndexedFacet(Facet):
    """Facets on items and events from ``facet_counts`` or a sample of the filtered rows."""

    type = "indexed"

    async def facet_results(self) -> tuple[list[dict], list[str]]:
        configs = self.get_configs()
        if self.database != DATABASE or self.table not in ARRAYS:
            return [], []
        filtered = " where " in self.sql
        count = self.row_count
        if filtered and count is None:
            count = self.request.scope[COUNT_KEY] = await self._capped_count()
        sample = FACET_SAMPLE if filtered and (count is None or count > FACET_SAMPLE) else None
        results, timed_out = [], []
        size = self.get_facet_size()
        keys: str | None = None  # the sample's keys, read once for every facet of the page
        for config in configs:
            column = config["config"].get("column") or config["config"]["simple"]
            whole = not filtered and column in counted_columns(self.table)
            try:
                if whole:
                    rows = await self._whole(column, size)
                else:
                    keys = keys if keys is not None else await self._sample_keys()
                    rows = await self._sampled(column, size, keys)
            except QueryInterrupted:
                timed_out.append(column)
                continue
            results.append(self._result(column, config["source"], rows, size, sample))
        return results, timed_out

    async def _capped_count(self) -> int | None:
        if self._search_only():
            fts = FTS[self.table]
            return await _count(self.ds, f"select rowid from {fts} where {fts} match :search",
                                {"search": self.params["search"]}, COUNT_CAP)
        return await _count(self.ds, f"select 1 from ({self.sql})", self.params, COUNT_CAP)

    def _search_only(self) -> bool:
        """A search with no other filter: its rows are the full-text index's matches."""
        return self.sql.rstrip().endswith(tuple(f"where {clause}" for clause in
                                                search_clauses(self.table)))

    async def _whole(self, column: str, size: int) -> list:
        result = await self.ds.execute(
            self.database, "select value, rows as count from facet_counts where tbl = :t and "
            "facet = :f and rows > 0 order by rows desc, value limit :n",
            {"t": self.table, "f": column, "n": size + 1},
            custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        return result.rows

    async def _sample_keys(self) -> str:
        """The keys of the first ``FACET_SAMPLE`` rows the filters keep (for a search alone,
        its newest stored matches, read from the full-text index), as a JSON array."""
        key, table = ARRAY_TABLES[self.table][0], self.table
        if self._search_only():
            fts = FTS[table]
            sample = (f"select {key} from {table} where rowid in (select rowid from {fts} "
                      f"where {fts} match :search order by rowid desc limit {FACET_SAMPLE})")
        else:
            sample = f"select {key} from ({self.sql}) limit {FACET_SAMPLE}"
        result = await self.ds.execute(self.database, f"select json_group_array({key}) from "
                                       f"({sample})", self.params,
                                       custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        return result.rows[0][0]

    async def _sampled(self, column: str, size: int, keys: str) -> list:
        """Counts over the sample's rows (``_sample_keys``), each looked up by its key."""
        key, table = ARRAY_TABLES[self.table][0], self.table
        sample = f"select value as {key} from json_each(:facet_keys)"
        rows = f"({sample}) r join {table} t on t.{key} = r.{key}"
        if column in ARRAYS[table]:
            side, name = ARRAYS[table][column]
            sql = (f"select s.{name} as value, count(*) as count from ({sample}) r "
                   f"join {side} s on s.{table[:-1]} = r.{key} group by 1")
        elif column in COUNTED_ARRAYS[table]:
            sql = (f"select j.value as value, count(distinct t.{key}) as count from {rows}, "
                   f"json_each(case when json_valid(t.[{column}]) then t.[{column}] else '[]' "
                   "end) j group by 1")
        else:
            sql = f"select t.[{column}] as value, count(*) as count from {rows} group by 1"
        result = await self.ds.execute(
            self.database, f"{sql} order by 2 desc, 1 limit :facet_n",
            {"facet_keys": keys, "facet_n": size + 1},
            custom_time_limit=self.ds.setting("facet_time_limit_ms"))
        return result.rows

    def _result(self, column: str, source: str, rows: list, size: int,
                sample: int | None) -> dict:
        pairs = self.get_querystring_pairs()
        array = column in ARRAYS[self.table]
        json_array = column in COUNTED_ARRAYS[self.table]
        values = []
        for row in rows[:size]:
            value = row["value"]
            arg = f"_{column}" if array else f"{column}__arraycontains" if json_array else column
            selected = (arg, str(value)) in pairs
            if array and not selected:
                path = path_with_added_args(self.request, {f"{column}__arraycontains": value})
            elif selected:
                path = path_with_removed_args(self.request, {arg: str(value)})
            else:
                path = path_with_added_args(self.request, {column: value})
            values.append({"value": value, "label": value, "count": row["count"],
                           "toggle_url": self.ds.absolute_url(self.request, path),
                           "selected": selected})
        return {"name": column, "type": self.type, "results": values,
                "hideable": source != "metadata", "truncated": len(rows) > size,
                "sample": sample,
                "toggle_url": self.ds.urls.path(path_with_removed_args(
                    self.request, {"_facet_indexed": column}))}


def counted_columns(table: str) -> tuple[str, ...]:
    """The columns ``facet_counts`` holds for ``table``."""
    return (*COUNTED_COLUMNS[table], *COUNTED_ARRAYS[table], *ARRAYS[table])
