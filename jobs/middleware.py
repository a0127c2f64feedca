"""The ASGI layers coopwatch puts around Datasette (through its ``asgi_wrapper`` hook).

* Only GET and HEAD are served: every other method is answered 405 before Datasette sees it
  (stock Datasette turns a POST to a table or a read-only canned query into a 500 and a
  traceback in the log).
* ``.json`` keeps the JSON shape of the array columns: a request that names no ``_json`` column
  gets ``_json=countries&_json=organisations&...`` added, Datasette's own way of returning a
  text column holding JSON as JSON (``"countries": ["LA", "VN"]``, not ``"[\"LA\", \"VN\"]"``).
  Ask for ``_json=none`` to get the stored text instead. CSV is untouched: one cell per field.
* The dashboards' country menus accept a bare code (``?a=VN``) as well as their own values.
* An Atom feed of a query with no rows is an empty, valid feed: datasette-atom 0.9 fails with a
  500 there (it takes ``max()`` of the rows' dates), which is what a brand-new database, with no
  items yet, would give its subscribers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from feedgen.feed import FeedGenerator

from jobs.cells import DATABASE, JSON_COLUMNS

logger = logging.getLogger(__name__)

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]
READ_METHODS = frozenset({"GET", "HEAD"})
REFUSAL = b"coopwatch is read-only: only GET and HEAD requests are served\n"
CODE = re.compile(r"^[A-Za-z]{2}$")


def refuse_writes(app: ASGIApp) -> ASGIApp:
    async def read_only_app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            await send({"type": "http.response.start", "status": 405, "headers": [
                (b"allow", b"GET, HEAD"), (b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": REFUSAL})
            return
        await app(scope, receive, send)

    return read_only_app


def json_arrays(app: ASGIApp) -> ASGIApp:
    async def with_json_columns(scope: dict, receive: Callable, send: Callable) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(f"/{DATABASE}") and path.endswith(".json"):
            query = scope.get("query_string", b"").decode("latin-1")
            pairs = parse_qsl(query, keep_blank_values=True)
            if not any(name == "_json" for name, _ in pairs):
                pairs += [("_json", column) for column in JSON_COLUMNS]
                scope = {**scope, "query_string": urlencode(pairs).encode("latin-1")}
        await app(scope, receive, send)

    return with_json_columns


def dashboard_countries(app: ASGIApp, label: Callable[[str], str]) -> ASGIApp:
    """``/-/dashboards/events?a=VN`` asks for the menu's own value, ``a=Viet Nam (VN)``.

    The dashboards' country menus list names with their code (``label``), and the plugin marks
    as selected the option equal to the parameter; a link that gives the bare code (the pair
    pages, the README) then shows its country chosen in the menu too.
    """

    async def with_labels(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/-/dashboards/"):
            pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                              keep_blank_values=True)
            labelled = [(k, label(v.upper()) if k in ("a", "b") and CODE.match(v) else v)
                        for k, v in pairs]
            if labelled != pairs:
                scope = {**scope, "query_string": urlencode(labelled).encode("latin-1")}
        await app(scope, receive, send)

    return with_labels


def empty_feeds(app: ASGIApp, count_rows: Callable[[str, str], Awaitable[int | None]],
                feed_title: Callable[[str], str]) -> ASGIApp:
    """``count_rows(path, query)`` counts the rows behind a feed; ``feed_title(path)`` names it."""

    async def feeds(scope: dict, receive: Callable, send: Callable) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.endswith(".atom"):
            await app(scope, receive, send)
            return
        held: list[dict] = []

        async def hold(message: dict) -> None:
            held.append(message)

        await app(scope, receive, hold)
        query = scope.get("query_string", b"").decode("latin-1")
        if held and held[0].get("status") == 500 and await count_rows(path, query) == 0:
            url = f"{scope.get('scheme', 'http')}://{_host(scope)}{path}"
            held = _empty_feed(url, feed_title(path))
        for message in held:
            await send(message)

    return feeds


def _host(scope: dict) -> str:
    headers = dict(scope.get("headers", []))
    return headers.get(b"host", b"localhost").decode("latin-1")


def _empty_feed(url: str, title: str) -> list[dict]:
    feed = FeedGenerator()
    feed.id(url)
    feed.title(title)
    feed.link(href=url, rel="self")
    feed.updated(datetime(1970, 1, 1, tzinfo=UTC))
    body = feed.atom_str(pretty=True)
    return [{"type": "http.response.start", "status": 200,
             "headers": [(b"content-type", b"application/xml; charset=utf-8")]},
            {"type": "http.response.body", "body": body}]
