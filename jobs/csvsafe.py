"""CSV downloads that spreadsheet programs cannot turn into formulas.

Feed titles and summaries are written by strangers. A cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is read as a formula by Excel, LibreOffice and Google Sheets
("CSV injection"). Datasette writes CSV as it is, so this ASGI middleware rewrites every CSV
response on its way out (``text/csv``, or ``text/plain`` for a ``.csv`` path): such a cell gets
a leading apostrophe (the OWASP advice), which spreadsheets hide and treat as "this is text".
Numbers (``-3.5``) are left alone. The database and the JSON downloads keep the text as written.

The rewrite streams: the body is cut into complete CSV records (a newline outside quotes; quotes
are escaped by doubling, so an even count of ``"`` means "outside"), so memory holds one record.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def neutralize(cell: str) -> str:
    """``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``; numbers and ordinary text unchanged."""
    if cell.startswith(TRIGGERS) and not NUMBER.match(cell):
        return "'" + cell
    return cell


class _Records:
    """Accumulates CSV text and hands out complete records, rewritten."""

    def __init__(self) -> None:
        self.buffer = ""
        self.quotes = 0

    def feed(self, text: str) -> str:
        out = []
        start = 0
        for index, char in enumerate(text):
            if char == '"':
                self.quotes += 1
            elif char == "\n" and self.quotes % 2 == 0:
                out.append(self._rewrite(self.buffer + text[start:index + 1]))
                self.buffer, self.quotes, start = "", 0, index + 1
        self.buffer += text[start:]
        return "".join(out)

    def close(self) -> str:
        rest, self.buffer = self.buffer, ""
        return self._rewrite(rest) if rest else ""

    @staticmethod
    def _rewrite(record: str) -> str:
        rows = list(csv.reader(io.StringIO(record)))
        if not rows or not any(cell.startswith(TRIGGERS) for row in rows for cell in row):
            return record  # nothing to do: keep Datasette's bytes exactly
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\r\n" if record.endswith("\r\n") else "\n")
        for row in rows:
            writer.writerow([neutralize(cell) for cell in row])
        text = output.getvalue()
        return text if record.endswith("\n") else text.rstrip("\r\n")


def neutralize_csv_formulas(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app so every text/csv response body is rewritten as described above."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        records: _Records | None = None

        async def send_safely(message: dict) -> None:
            nonlocal records
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                content_type = headers.get(b"content-type", b"")
                # Datasette sends .csv as text/plain unless ?_dl=1 asks for text/csv
                if content_type.startswith(b"text/csv") or (
                        scope.get("path", "").endswith(".csv")
                        and content_type.startswith(b"text/plain")):
                    records = _Records()
                    message = {**message, "headers": [
                        (k, v) for k, v in message.get("headers", []) if k != b"content-length"]}
            elif message["type"] == "http.response.body" and records is not None:
                text = records.feed(message.get("body", b"").decode("utf-8", "replace"))
                if not message.get("more_body", False):
                    text += records.close()
                message = {**message, "body": text.encode("utf-8")}
            await send(message)

        await app(scope, receive, send_safely)

    return wrapped


# Datasette 0.65 adds the key as a tie-breaker to ORDER BY only from a stream's second page on,
# so a streamed CSV sorted by a column with repeated values (the tables' default sorts by date)
# sends some rows twice and drops others. A stream with no sort of its own is therefore sorted by
# the table's key, which is unique: every row comes exactly once.
STREAM_KEYS = {"items": "url", "articles": "url", "events": "id", "runs": "id", "sources": "name"}


def complete_csv_streams(app: ASGIApp, database: str = "coopwatch") -> ASGIApp:
    """Wrap an ASGI app so ``/<database>/<table>.csv?_stream=on`` without ``_sort`` sorts by key."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            scope = _sorted_by_key(scope, database)
        await app(scope, receive, send)

    return wrapped


def _sorted_by_key(scope: dict, database: str) -> dict:
    path = scope.get("path", "")
    prefix = f"/{database}/"
    if not (path.startswith(prefix) and path.endswith(".csv")):
        return scope
    key = STREAM_KEYS.get(path[len(prefix):-len(".csv")])
    query = scope.get("query_string", b"").decode("latin-1")
    names = {pair.split("=", 1)[0] for pair in query.split("&") if pair}
    if key is None or "_stream" not in names or names & {"_sort", "_sort_desc"}:
        return scope
    return {**scope, "query_string": f"{query}&_sort={key}&_size=max".encode("latin-1")}
