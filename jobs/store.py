"""The only module that writes rows.

Every write is an idempotent upsert keyed on a stable ID (an article's canonical URL, a
source's name). Nothing set once (``first_seen``) is overwritten. The contentless full-text tables
are kept in step with their rows inside the same transaction (see jobs/schema.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING

import sqlite_utils

from jobs.models import Article, Item, Rejection, RunResult, Source
from jobs.schema import refill_array_rows
from jobs.text import fold

if TYPE_CHECKING:
    from jobs.corrections import Corrections, Review

QUERY_BATCH = 500


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction; rolled back whole if anything inside raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def ensure_source(db: sqlite_utils.Database, source: Source) -> None:
    """Create the source's row, or update its URL and kind; its sync state is kept.

    A new URL drops the stored ETag / Last-Modified: they describe the old document, and sent
    to the new one they could earn a 304 for a feed never read.
    """
    table = db["sources"]
    old = source_state(db, source.name)
    if old and (old["url"], old["kind"]) != (source.url, source.kind):
        changed = {"url": source.url, "kind": source.kind}
        if old["url"] != source.url:
            changed.update(etag=None, last_modified=None)
        table.update(source.name, changed)
    elif not old:
        table.insert(
            {"name": source.name, "url": source.url, "kind": source.kind, "consecutive_failures": 0}
        )


def source_state(db: sqlite_utils.Database, name: str) -> dict:
    rows = list(db["sources"].rows_where("name = ?", [name]))
    return rows[0] if rows else {}


def last_run(db: sqlite_utils.Database, name: str) -> dict:
    """The source's latest run row (status, finished, error), or {} before its first pass."""
    rows = db["runs"].rows_where("source = ?", [name], order_by="started desc, id desc", limit=1)
    return next(iter(rows), {})


def known_urls(db: sqlite_utils.Database, urls: Iterable[str]) -> set[str]:
    """Which of ``urls`` are already stored, as an article's URL or as the link that led to it."""
    urls = list(dict.fromkeys(urls))
    known: set[str] = set()
    for start in range(0, len(urls), QUERY_BATCH):
        batch = urls[start : start + QUERY_BATCH]
        marks = ",".join("?" * len(batch))
        sql = (
            f"select url from articles where url in ({marks}) "
            f"union select link from articles where link in ({marks})"
        )
        known.update(row[0] for row in db.execute(sql, batch + batch).fetchall())
    return known


def save_article(
    db: sqlite_utils.Database,
    article: Article,
    *,
    link: str,
    now: str,
    verdict: Item | Rejection | None = None,
    review: Review | None = None,
) -> bool:
    """Insert a new article (and its item); return False when the URL was already stored.

    ``review``: what a reviewer's correction did to the classifier's verdict (the verdict given
    is the corrected one; see jobs/corrections.py)."""
    if db["articles"].count_where("url = ?", [article.url]):
        return False
    row = {**asdict(article), "link": link, "first_seen": now, "fetched": now}
    row.update(_decision(verdict, review))
    db["articles"].insert(row)
    rowid = _rowid(db, "articles", article.url)
    _index(db, "articles_fts", rowid, article.title, article.text)
    if isinstance(verdict, Item):
        save_item(db, verdict, article_text=article.text, now=now, review=review)
    return True


def _decision(verdict: Item | Rejection | None, review: Review | None = None) -> dict:
    machine = {"machine_decision": review.machine_decision if review else None,
               "machine_reason": review.machine_reason if review else None}
    if verdict is None:
        return {"decision": None, "reason": None, "classifier": None, **machine}
    if isinstance(verdict, Item):
        return {"decision": "item", "reason": None, "classifier": verdict.classifier, **machine}
    return {"decision": "rejected", "reason": verdict.reason, "classifier": verdict.classifier,
            **machine}


def item_row(item: Item, review: Review | None = None) -> dict:
    row = asdict(item)
    for key in ("countries", "organisations", "kinds", "topics"):
        row[key] = json.dumps(list(row[key]), ensure_ascii=False)
    row["evidence"] = json.dumps(row["evidence"], ensure_ascii=False, sort_keys=True)
    row["reviewed"] = review.reviewed if review else "none"
    row["corrected"] = json.dumps(list(review.corrected)) if review and review.corrected else None
    row["machine"] = (json.dumps(dict(review.machine), ensure_ascii=False, sort_keys=True)
                      if review and review.machine else None)
    return row


def save_item(db: sqlite_utils.Database, item: Item, *, article_text: str, now: str,
              review: Review | None = None) -> str:
    """Insert or update an item; return ``added``, ``updated`` or ``unchanged``."""
    row = item_row(item, review)
    old = next(iter(db["items"].rows_where("url = ?", [item.url])), None)
    if old is not None:
        if all(old.get(k) == v for k, v in row.items()):
            return "unchanged"
        _unindex_item(db, old, article_text)
        db["items"].update(item.url, row)
        result = "updated"
    else:
        db["items"].insert({**row, "first_seen": now})
        result = "added"
    rowid = _rowid(db, "items", item.url)
    _index(db, "items_fts", rowid, item.title, _item_body(row, article_text))
    return result


def delete_item(db: sqlite_utils.Database, url: str, *, article_text: str) -> bool:
    old = next(iter(db["items"].rows_where("url = ?", [url])), None)
    if old is None:
        return False
    _unindex_item(db, old, article_text)
    db["items"].delete(url)
    return True


def set_decision(db: sqlite_utils.Database, url: str, verdict: Item | Rejection,
                 review: Review | None = None) -> None:
    db["articles"].update(url, _decision(verdict, review))


def save_corrections(db: sqlite_utils.Database, corrections: Corrections) -> set[str]:
    """Make the ``corrections`` table mirror the file; return the URLs whose entry was added,
    changed or removed (their articles need the corrections applied again)."""
    old = {row["url"]: row for row in db["corrections"].rows}
    new = {url: correction.row() for url, correction in corrections.entries.items()}
    changed = {url for url in old.keys() | new.keys() if old.get(url) != new.get(url)}
    for url in changed:
        if url in new:
            db["corrections"].upsert(new[url], pk="url")
        else:
            db["corrections"].delete(url)
    return changed


def _rowid(db: sqlite_utils.Database, table: str, url: str) -> int:
    return db.execute(f"select rowid from [{table}] where url = ?", [url]).fetchone()[0]


def _fts_values(title: str | None, body: str | None) -> tuple[str, str, str]:
    title, body = title or "", body or ""
    return title, body, fold(f"{title}\n{body}")


def _index(db: sqlite_utils.Database, table: str, rowid: int, title, body) -> None:
    db.execute(
        f"insert into [{table}](rowid, title, body, folded) values (?, ?, ?, ?)",
        [rowid, *_fts_values(title, body)],
    )


def _item_body(row: dict, article_text: str) -> str:
    """What an item's search matches besides its title: the place and organisations in their
    canonical spelling (so ``Huế`` finds a report that wrote ``Hue``), the summary, the text."""
    organisations = " ".join(json.loads(row["organisations"] or "[]"))
    return f"{row['place'] or ''}\n{organisations}\n{row['summary']}\n{article_text}"


def _unindex_item(db: sqlite_utils.Database, old: dict, article_text: str) -> None:
    """Contentless FTS5 deletes need the exact values that were indexed."""
    rowid = _rowid(db, "items", old["url"])
    body = _item_body(old, article_text)
    db.execute(
        "insert into items_fts(items_fts, rowid, title, body, folded) "
        "values ('delete', ?, ?, ?, ?)",
        [rowid, *_fts_values(old["title"], body)],
    )


def record_run(
    db: sqlite_utils.Database,
    result: RunResult,
    *,
    started: str,
    finished: str,
    validators: dict | None,
    next_check: str | None,
) -> None:
    """Save the source's new state and its run row (call inside the pass's last transaction).

    ``validators`` (ETag / Last-Modified) are only passed when every entry the listing made
    possible is stored; otherwise the old ones stay so the next pass sees the full listing again.
    """
    failed = result.status == "error"
    state = source_state(db, result.source)
    update = {
        "last_checked": finished,
        "next_check": next_check,
        "consecutive_failures": (state.get("consecutive_failures") or 0) + 1 if failed else 0,
    }
    if failed:
        update["last_error"] = f"{finished} {result.error}"
    else:
        update["last_ok"] = finished
    if validators is not None:
        update.update(validators)
    db["sources"].update(result.source, update)
    db["runs"].insert(
        {
            "source": result.source,
            "started": started,
            "finished": finished,
            "status": result.status,
            "http_status": result.http_status,
            "entries": result.entries,
            "new_articles": result.new_articles,
            "error": result.error,
        }
    )


def rebuild_array_rows(db: sqlite_utils.Database) -> None:
    """Rebuild ``item_countries`` … ``event_pairs`` and ``facet_counts`` from ``items`` and
    ``events`` (inside a transaction). Triggers keep them in step with every write
    (jobs/schema.py); ``reclassify`` runs this too, so a database written around them (a manual
    fix in the sqlite3 shell with triggers off) is made whole again."""
    refill_array_rows(db)


def set_event(db: sqlite_utils.Database, url: str, event_id: str) -> None:
    db.execute("update items set event_id = ? where url = ?", [event_id, url])


def merge_events(db: sqlite_utils.Database, event_id: str, *, into: str) -> None:
    db.execute("update items set event_id = ? where event_id = ?", [into, event_id])


def write_event(db: sqlite_utils.Database, event_id: str, row: dict | None) -> str:
    """Create, update or delete an event's row; ``created``, ``updated``, ``removed`` or
    ``unchanged``. A row equal to the stored one is not written."""
    old = next(iter(db["events"].rows_where("id = ?", [event_id])), None)
    if row is None:
        if old is None:
            return "unchanged"
        db["events"].delete(event_id)
        return "removed"
    if old is None:
        db["events"].insert(row)
        return "created"
    if all(old.get(key) == value for key, value in row.items()):
        return "unchanged"
    db["events"].update(event_id, row)
    return "updated"
