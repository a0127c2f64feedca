"""coopwatch's command line: thin click commands over the library.

Each command parses its options, calls one function and prints a summary. coopwatch's own errors
become a clean message and a non-zero exit; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import sys
import threading
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click

from jobs import __version__
from jobs.config import KINDS, Config, config_warnings, load_config, trial_source
from jobs.errors import ConfigError, CoopwatchError
from jobs.lock import DatabaseLock
from jobs.models import RunResult

DEFAULT_CONFIG = "sources.yaml"
DEFAULT_DB = "db/coopwatch.db"

config_option = click.option(
    "--config", "config_path", envvar="COOPWATCH_CONFIG", default=DEFAULT_CONFIG,
    show_default=True, type=click.Path(dir_okay=False),
    help="The sources file (or $COOPWATCH_CONFIG).")
db_option = click.option(
    "--db", "db_path", envvar="COOPWATCH_DB", default=DEFAULT_DB, show_default=True,
    type=click.Path(dir_okay=False), help="The SQLite database (or $COOPWATCH_DB).")
CORRECTIONS_FILE = "corrections.yaml"
corrections_option = click.option(
    "--corrections", "corrections_path", envvar="COOPWATCH_CORRECTIONS", default=None,
    type=click.Path(dir_okay=False),
    help="Reviewers' corrections (or $COOPWATCH_CORRECTIONS) [default: corrections.yaml beside "
         "the sources file].")


def _corrections_file(config_path: str, corrections_path: str | None) -> Path:
    return Path(corrections_path) if corrections_path else \
        Path(config_path).parent / CORRECTIONS_FILE


def _watch(config_path: str, corrections_path: str | None):
    """The corrections, read now (a malformed file stops the command, exit 2), then reread
    whenever the file changes."""
    from jobs.corrections import CorrectionsWatch

    return CorrectionsWatch(_corrections_file(config_path, corrections_path))


def clean_errors(command: Callable) -> Callable:
    """Turn coopwatch's errors into a message on stderr and exit status 1 (2 for config)."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConfigError as error:
            click.echo(f"error: invalid config\n{error}", err=True)
            sys.exit(2)
        except CoopwatchError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)

    return wrapper


@click.group()
@click.version_option(__version__, prog_name="coopwatch")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Watch news sources for international media cooperation; keep it in SQLite.

    Example: coopwatch sync && coopwatch serve
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@config_option
@corrections_option
@clean_errors
def check(config_path: str, corrections_path: str | None) -> None:
    """Validate the sources file and the corrections file, and list the sources.

    Example: coopwatch check --config sources.yaml
    """
    config = load_config(config_path)
    corrections = _watch(config_path, corrections_path).good
    for s in config.sources:
        state = "enabled" if s.enabled else "disabled"
        click.echo(f"{s.name:32} {s.kind:7} every {_duration(s.interval):>5}  "
                   f"{s.language or '-':3} {s.country or '-':3} {state:8} {s.url}")
    enabled = len(config.enabled())
    click.echo(f"{config.path}: {len(config.sources)} sources, {enabled} enabled")
    if corrections.entries:
        actions = Counter(c.action or "fields" for c in corrections.entries.values())
        click.echo(f"{corrections.path}: {len(corrections.entries)} corrections ("
                   + ", ".join(f"{n} {a}" for a, n in sorted(actions.items())) + ")")
    for warning in config_warnings(config):
        click.echo(f"warning: {warning}", err=True)


@main.command("try")
@click.argument("url", required=False)
@click.option("--source", "name", metavar="NAME", help="Try this source of the sources file.")
@click.option("--kind", type=click.Choice(KINDS), default="auto", show_default=True,
              help="With URL: what the listing is.")
@click.option("--include", multiple=True, metavar="REGEX",
              help="With URL: follow only links matching this (repeatable; any case).")
@click.option("--exclude", multiple=True, metavar="REGEX",
              help="With URL: drop links matching this (repeatable; any case).")
@click.option("--case-sensitive", is_flag=True, help="With URL: match patterns' case exactly.")
@click.option("--country", metavar="CC", help="With URL: the outlet's country (ISO code).")
@click.option("--language", metavar="LANG", help="With URL: the outlet's language.")
@click.option("--allow-private-network", is_flag=True,
              help="With URL: allow a loopback or private address (a test site).")
@config_option
@clean_errors
def try_source(url: str | None, name: str | None, kind: str, include: tuple[str, ...],
               exclude: tuple[str, ...], case_sensitive: bool, country: str | None,
               language: str | None, allow_private_network: bool, config_path: str) -> None:
    """Dry-run one source: fetch its listing and one article, write nothing.

    Shows the listing's kind, how many entries it gives and which the include pattern keeps,
    the first article URLs, and for one article its title, date, language and the
    classifier's decision with its reason. No database is opened and no lock taken, so it
    can run beside `coopwatch run`. Exit status 1 when sync would record an error.

    \b
    Example: coopwatch try https://oananews.org/ --include '/node/\\d+$'
             coopwatch try --source vov-en
    """
    from jobs.pipeline import default_classifier
    from jobs.trial import report, run_trial

    if bool(url) == bool(name):
        raise click.UsageError("give a URL or --source NAME (one of them)")
    config = load_config(config_path) if name or Path(config_path).is_file() else None
    if name:
        source = _selected(config, (name,))[0]
    else:
        try:
            source = trial_source(url, kind=kind, include=include, exclude=exclude,
                                  case_sensitive=case_sensitive, country=country,
                                  language=language, allow_private_network=allow_private_network)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
    trial = run_trial(source, default_classifier(config.scope if config else None))
    report(trial, click.echo)
    if trial.problem:
        sys.exit(1)


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _selected(config: Config, names: tuple[str, ...]):
    known = [s.name for s in config.sources]
    for name in names:
        if name not in known:
            raise click.BadParameter(f"no source named {name!r} in {config.path}; "
                                     f"{_suggestions(name, known)}", param_hint="'--source'")
    return config.enabled(names)


def _suggestions(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    close += [k for k in known if name in k and k not in close][: 5 - len(close)]
    if close:
        return "did you mean " + ", ".join(close) + "?"
    return "`coopwatch check` lists the sources" if known else "the file lists no sources"


wait_option = click.option(
    "--wait", is_flag=True,
    help="If another coopwatch command is writing the database, wait for it instead of failing.")


def _take_lock(db_path: str, command: str, wait: bool) -> DatabaseLock:
    return DatabaseLock(db_path, command).acquire(
        wait=wait, waiting=lambda message: click.echo(message, err=True))


@main.command()
@config_option
@db_option
@click.option("--source", "names", multiple=True, metavar="NAME",
              help="Sync only this source (repeatable); disabled sources may be named.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON summary instead of the lines.")
@wait_option
@corrections_option
@clean_errors
def sync(config_path: str, db_path: str, names: tuple[str, ...], as_json: bool,
         wait: bool, corrections_path: str | None) -> None:
    """Run one sync pass over the enabled sources, printing each source as it finishes.

    \b
    Exit status:
      0  the pass ran (sources that failed are recorded in the database)
      1  the database cannot be used, or another command is writing it
      2  the sources file or an option is invalid
      3  every source failed (so cron can alert)

    Example: coopwatch sync --source vietnam-news-politics
    """
    from jobs.pipeline import Sync, default_classifier
    from jobs.schema import connect

    config = load_config(config_path)
    sources = _selected(config, names)
    corrections = _watch(config_path, corrections_path)
    with _take_lock(db_path, "sync", wait):
        db = connect(db_path)
        try:
            if not _verbose():  # the summary line says it; the log would say it twice
                logging.getLogger("jobs.pipeline").setLevel(logging.ERROR)
            progress = _Progress(len(sources), quiet=as_json)
            results = Sync(db, classifier=default_classifier(config.scope),
                           corrections=corrections,
                           countries={s.name: s.country for s in config.sources}).run(
                sources, done=progress)
            progress.end()
        finally:
            db.close()
    status = EXIT_ALL_FAILED if results and all(r.status == "error" for r in results) else 0
    if as_json:
        click.echo(json.dumps(json_summary(results, status), ensure_ascii=False, indent=2))
    else:
        click.echo(total_line(results))
    sys.exit(status)


EXIT_ALL_FAILED = 3


def _verbose() -> bool:
    return logging.getLogger().level < logging.WARNING


class _Progress:
    """Prints each source's line as it finishes; on a terminal, a counter on stderr meanwhile."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.done = total, quiet, 0
        self.lock = threading.Lock()
        self.tty = sys.stderr.isatty()
        self._counter()

    def __call__(self, result: RunResult) -> None:
        with self.lock:
            self.done += 1
            self._clear()
            if not self.quiet:
                click.echo(summary_line(result))
            self._counter()

    def end(self) -> None:
        with self.lock:
            self._clear()

    def _counter(self) -> None:
        if self.tty and self.done < self.total:
            click.echo(f"\r{self.done}/{self.total} sources synced…", nl=False, err=True)

    def _clear(self) -> None:
        if self.tty:
            click.echo("\r\033[K", nl=False, err=True)


def json_summary(results: list[RunResult], status: int) -> dict:
    """``sync --json``: every source's outcome, the totals and the exit status."""
    return {
        "sources": [dataclasses.asdict(result) for result in results],
        "total": {
            "sources": len(results),
            "by_status": dict(sorted(Counter(r.status for r in results).items())),
            "new_articles": sum(r.new_articles for r in results),
            "new_items": sum(r.new_items for r in results),
        },
        "exit_status": status,
    }


@main.command()
@config_option
@db_option
@wait_option
@corrections_option
@clean_errors
def reclassify(config_path: str, db_path: str, wait: bool, corrections_path: str | None) -> None:
    """Classify every stored article again (after a classifier or scope change); no network.

    New items are added, items that no longer qualify removed, changed ones updated in place
    (their first_seen kept). The sources file gives the scope and each outlet's country; the
    reviewers' corrections are laid over the classifier's verdicts, never overwritten.

    Example: coopwatch reclassify --db db/coopwatch.db
    """
    from jobs.pipeline import default_classifier
    from jobs.pipeline import reclassify as run_reclassify
    from jobs.schema import connect

    config = load_config(config_path)
    corrections = _watch(config_path, corrections_path).good
    with _take_lock(db_path, "reclassify", wait):
        db = connect(db_path)
        try:
            counts = run_reclassify(db, default_classifier(config.scope),
                                    {s.name: s.country for s in config.sources}, corrections)
        finally:
            db.close()
    click.echo(f"{counts.articles} articles: {counts.added} items added, {counts.updated} "
               f"updated, {counts.removed} removed, {counts.unchanged} unchanged")
    if counts.events is not None:
        click.echo(f"{counts.events.events} events from {counts.events.reports} reports "
                   f"({counts.events.moved} reports moved to another event)")


@main.command()
@click.argument("url")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="Replace a field (repeatable): title, summary, event_date, place, countries, "
                   "organisations, kinds, topics; lists comma-separated (countries=VN,LA).")
@click.option("--reject", "action", flag_value="reject",
              help="Not an item: it leaves items, the article stays.")
@click.option("--accept", "action", flag_value="accept",
              help="Reviewed as right; makes an article the classifier rejected an item.")
@click.option("--note", metavar="TEXT", help="Why (kept with the entry).")
@click.option("--by", "by", metavar="NAME", envvar="COOPWATCH_REVIEWER", required=True,
              help="Who decides (or $COOPWATCH_REVIEWER).")
@config_option
@corrections_option
@db_option
@clean_errors
def correct(url: str, assignments: tuple[str, ...], action: str | None, note: str | None,
            by: str, config_path: str, corrections_path: str | None, db_path: str) -> None:
    """Record a reviewer's correction of one article's item in the corrections file.

    Appends or updates the article's entry (its URL canonicalised as the store does), keeping
    the file's comments and order, and prints what changed. Values are checked: ISO country
    codes, the kinds and topics vocabularies, dates as YYYY-MM-DD (an empty value clears place
    or event_date). The next sync, reclassify or pass of the running service applies it; the
    classifier never overwrites it. The database is only read, to say what it holds now.

    \b
    Example: coopwatch correct https://example.org/news/1 --set place=Huế --by lan
             coopwatch correct https://example.org/news/2 --reject --note "no partner" --by lan
             coopwatch correct https://example.org/news/3 --accept --set countries=VN,LA --by lan
    """
    from datetime import UTC, datetime

    from jobs.corrections import edit_corrections, parse_assignment, stored_state

    path = _corrections_file(config_path, corrections_path)
    try:
        fields = dict(parse_assignment(text) for text in assignments)
        changes = edit_corrections(path, url, fields=fields, action=action, note=note, by=by,
                                   now=datetime.now(UTC))
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if not changes:
        click.echo(f"{path}: nothing to change for {url}")
        return
    for change in changes:
        click.echo(change)
    click.echo(f"{path}: saved; applied by the next sync, reclassify or pass of the service")
    state = stored_state(db_path, url)
    if state:
        click.echo(state)


host_option = click.option("--host", default="127.0.0.1", show_default=True,
                           help="Address to serve on (0.0.0.0 for every interface).")
port_option = click.option("--port", default=8001, show_default=True, type=int,
                           help="Port to serve on.")


@main.command()
@config_option
@db_option
@host_option
@port_option
@corrections_option
@clean_errors
def run(config_path: str, db_path: str, host: str, port: int,
        corrections_path: str | None) -> None:
    """Run the service: scheduled syncs of every source, and Datasette, read-only.

    Each enabled source is synced at once, then every `interval`. The corrections file is
    reread when it changes (a malformed edit is logged; the last good one stays in force).
    SIGTERM or Ctrl-C lets the sync in progress commit what it has, stops the web server and
    exits 0.

    Example: coopwatch run --host 0.0.0.0 --port 8001
    """
    from jobs.service import run_service

    logging.getLogger("jobs").setLevel(min(logging.INFO, logging.getLogger().level))
    config = load_config(config_path)
    run_service(config, db_path, host, port,
                corrections=_watch(config_path, corrections_path))


@main.command()
@config_option
@db_option
@host_option
@port_option
@clean_errors
def serve(config_path: str, db_path: str, host: str, port: int) -> None:
    """Serve the database read-only with Datasette, without syncing.

    It never creates, migrates or writes the database: a missing file, or one that is not
    coopwatch's or needs migrating, is refused (`coopwatch sync` creates and migrates). The
    sources file, when there is one, gives /-/health the sources and intervals to judge by.

    Example: coopwatch serve --db db/coopwatch.db --port 8001
    """
    from jobs import health
    from jobs import serve as serving
    from jobs.schema import require_current

    require_current(db_path)
    health.configure(db_path, load_config(config_path).enabled()
                     if Path(config_path).is_file() else [], syncing=False)
    click.echo(f"serving http://{host}:{port}/coopwatch (Ctrl-C to stop)", err=True)
    serving.serve(db_path, host, port)


@main.command()
@db_option
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@clean_errors
def snapshot(db_path: str, path: Path | None, force: bool) -> None:
    """Write a consistent copy of the database to PATH (a file, or a folder), even while
    `coopwatch run` is syncing it. Without PATH: a time-stamped file in snapshots/ beside the
    database, the newest of which Datasette offers as /coopwatch.db. To restore, stop the
    service and copy the snapshot over the database (see the README).

    Example: coopwatch snapshot backups/
    """
    from jobs.snapshot import take_snapshot

    written = take_snapshot(db_path, path, overwrite=force)
    click.echo(f"{written}: {written.stat().st_size:,} bytes")


def summary_line(result: RunResult) -> str:
    line = (f"{result.source:32} {result.status:12} {result.entries:5} entries "
            f"{result.new_articles:5} new articles {result.new_items:4} new items")
    return f"{line}  {result.error}" if result.error else line


def total_line(results: list[RunResult]) -> str:
    by_status: dict[str, int] = {}
    for result in results:
        by_status[result.status] = by_status.get(result.status, 0) + 1
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    articles = sum(r.new_articles for r in results)
    items = sum(r.new_items for r in results)
    return (f"total: {len(results)} sources ({statuses or 'none'}), "
            f"{articles} new articles, {items} new items")


if __name__ == "__main__":  # pragma: no cover
    main()


