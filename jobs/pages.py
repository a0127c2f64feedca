"""The data behind coopwatch's own pages: the home page, item and event cards, organisation and
country-pair profiles (Datasette's ``extra_template_vars`` and ``register_routes`` hooks).

Every query here is a SELECT through Datasette's own read-only connections, within its time
limit. The templates are in ``jobs/templates/``.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import Counter
from typing import Any
from urllib.parse import unquote

from datasette.database import QueryInterrupted
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response

from jobs import facets
from jobs.cells import DATABASE, JSON_COLUMNS
from jobs.classify.gazetteer import load as gazetteer
from jobs.countries import country_label
from jobs.highlight import mark

logger = logging.getLogger(__name__)

RANKING_MS = 1000
# The home page ranks the events of the last twelve months of records (up to today: a date in
# the future is a misreading), an undated one by its first report: the day event_pairs and
# event_organisations keep beside each event (jobs/schema.py), so no event's JSON is read.
SINCE = "select date(min(max(event_date), date('now')), '-1 year') from events"
EVIDENCE_ORDER = ("cooperation", "countries", "organisations", "event_date", "place", "kinds")
REPORTS_SQL = """
select i.url, i.title, i.source, a.language, i.published, i.event_date, i.summary
from items i left join articles a on a.url = i.url
where i.event_id = :id order by i.published, i.url
"""


async def rows(datasette: Any, sql: str, params: dict | None = None) -> list[dict[str, Any]]:
    """The rows of a SELECT, as dicts with the JSON columns parsed."""
    result = await datasette.get_database(DATABASE).execute(sql, params or {})
    return [_parsed(dict(row)) for row in result.rows]


async def ranking(datasette: Any, sql: str) -> list[dict[str, Any]] | None:
    """The rows of a ranking on the home page, or None when it takes longer than
    ``RANKING_MS``: on a very large database the page still opens, without that list."""
    try:
        result = await datasette.get_database(DATABASE).execute(
            sql, custom_time_limit=RANKING_MS)
    except QueryInterrupted:
        logger.warning("home page: a ranking took over %d ms and was left out", RANKING_MS)
        return None
    return [_parsed(dict(row)) for row in result.rows]


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    for column in JSON_COLUMNS:
        if isinstance(row.get(column), str):
            with contextlib.suppress(ValueError):
                row[column] = json.loads(row[column])
    return row


async def count_rows(datasette: Any, path: str, query: str) -> int | None:
    """How many rows the query or table behind ``path`` (an ``.atom`` URL) returns."""
    response = await datasette.client.get(f"{path[:-len('.atom')]}.json?{query}&_shape=array")
    return len(response.json()) if response.status_code == 200 else None


def feed_title(datasette: Any, path: str) -> str:
    name = path.rsplit("/", 1)[-1][:-len(".atom")]
    query = datasette.metadata(database=DATABASE).get("queries", {}).get(name, {})
    return query.get("title") or name


async def template_vars(datasette: Any, template: str, database: str | None,
                        table: str | None, request: Any) -> dict[str, Any]:
    if request is None:
        return {}
    if template == "index.html":
        return {"home": await home(datasette)}
    pks = request.url_vars.get("pks") if database == DATABASE else None
    if pks and table == "items" and not request.url_vars.get("format"):
        return {"card": await item_card(datasette, tilde_decode(pks))}
    if pks and table == "events" and not request.url_vars.get("format"):
        return {"card": await event_card(datasette, tilde_decode(pks))}
    if database == DATABASE and facets.COUNT_KEY in request.scope:
        return {"capped_count": request.scope[facets.COUNT_KEY], "count_cap": facets.COUNT_CAP}
    return {}


async def home(datasette: Any) -> dict[str, Any]:
    counts = (await rows(datasette, """select (select count(*) from items) as items,
        (select count(*) from events) as events, (select count(*) from articles) as articles,
        (select count(*) from sources) as sources"""))[0]
    latest = await rows(datasette, """select url, title, source, published, place, countries,
        organisations, event_id from items order by published desc, first_seen desc, url
        limit 8""")
    pairs = await ranking(datasette, f"""select a, b, count(*) as events from event_pairs
        where day > ({SINCE}) group by 1, 2 order by events desc, a, b limit 8""")
    organisations = await ranking(datasette, f"""select organisation as name,
        count(*) as events from event_organisations where sort > ({SINCE})
        group by 1 order by events desc, name limit 8""")
    health = (await rows(datasette, """select count(*) as sources,
        sum(consecutive_failures > 0) as failing, max(last_ok) as last_ok,
        group_concat(case when consecutive_failures > 0 then name end, ', ') as failing_names
        from sources"""))[0]
    for pair in pairs or []:
        pair["label"] = f"{country_label(pair['a'])} – {country_label(pair['b'])}"
    return {"counts": counts, "latest": latest, "pairs": pairs,
            "organisations": organisations, "health": health}


async def item_card(datasette: Any, url: str) -> dict[str, Any] | None:
    found = await rows(datasette, """select i.*, a.language, e.title as event_title,
        e.reports as event_reports from items i left join articles a on a.url = i.url
        left join events e on e.id = i.event_id where i.url = :url""", {"url": url})
    if not found:
        return None
    item = found[0]
    evidence = item.get("evidence") if isinstance(item.get("evidence"), dict) else {}
    fields = sorted(evidence, key=lambda f: ((*EVIDENCE_ORDER, f)).index(f))
    item["marked"] = [(f.replace("_", " "), mark(evidence[f], f, item)) for f in fields
                      if isinstance(evidence[f], str) and evidence[f]]
    item["others"] = [r for r in await rows(datasette, REPORTS_SQL, {"id": item["event_id"]})
                      if r["url"] != url] if item.get("event_id") else []
    item["review"] = await review(datasette, item)
    return item


async def review(datasette: Any, item: dict[str, Any]) -> dict[str, Any] | None:
    """A reviewed item's correction for its card: who, when, the note, and each corrected field
    as ``(name, the classifier's value, the reviewer's)``, values as text."""
    if (item.get("reviewed") or "none") == "none":
        return None
    found = await rows(datasette, "select note, by, at from corrections where url = :url",
                       {"url": item["url"]})
    machine, corrected = _json(item.get("machine")) or {}, _json(item.get("corrected")) or []
    fields = [(name.replace("_", " "), _text(machine.get(name)), _text(item.get(name)))
              for name in corrected]
    return {"reviewed": item["reviewed"], **(found[0] if found else {}), "fields": fields}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return "(none)" if value in (None, "") else str(value)


async def event_card(datasette: Any, event_id: str) -> dict[str, Any] | None:
    found = await rows(datasette, "select * from events where id = :id", {"id": event_id})
    if not found:
        return None
    event = found[0]
    event["reports_list"] = await rows(datasette, REPORTS_SQL, {"id": event_id})
    countries = sorted(event.get("countries") or [])
    event["pair"] = countries[:2] if len(countries) == 2 else None
    return event


async def organisation_page(datasette: Any, request: Any) -> Response:
    name = unquote(request.url_vars["name"])
    items = await rows(datasette, """select i.url, i.title, i.source, i.published, i.countries,
        i.organisations, i.kinds, i.event_id from item_organisations o
        join items i on i.url = o.item where o.organisation = :name
        order by o.sort desc, o.item desc limit 200""", {"name": name})
    if not items:
        raise NotFound(f"No item names the organisation {name!r}")
    partners = Counter(o for i in items for o in i.get("organisations") or [] if o != name)
    countries = Counter(c for i in items for c in i.get("countries") or [])
    per_year = Counter((i.get("published") or "")[:4] or "unknown" for i in items)
    known = gazetteer().organisations.get(name)
    context = {"name": name, "home": known.country if known else None,
               "items": items, "partners": partners.most_common(20),
               "countries": countries.most_common(), "per_year": sorted(per_year.items()),
               "most": max(per_year.values())}
    return Response.html(await datasette.render_template(
        "organisation.html", context, request=request))


async def pair_page(datasette: Any, request: Any) -> Response:
    a, b = sorted(code.upper() for code in (request.url_vars["a"], request.url_vars["b"]))
    events = await rows(datasette, """select e.id, e.event_date, e.first_reported, e.title, e.url,
        e.place, e.organisations, e.kinds, e.reports, e.outlets from event_pairs p
        join events e on e.id = p.event where p.a = :a and p.b = :b
        order by p.day desc, p.event desc limit 500""", {"a": a, "b": b})
    kinds_per_year: dict[str, Counter] = {}
    for event in events:
        year = (event.get("event_date") or event.get("first_reported") or "")[:4] or "unknown"
        kinds_per_year.setdefault(year, Counter()).update(event.get("kinds") or [])
    kinds = sorted({k for c in kinds_per_year.values() for k in c})
    context = {"a": a, "b": b, "label": f"{country_label(a)} – {country_label(b)}",
               "events": events, "kinds": kinds,
               "kinds_per_year": sorted(kinds_per_year.items(), reverse=True)}
    return Response.html(await datasette.render_template("pair.html", context, request=request))
