"""coopwatch's command line: thin click commands over the library.

Each command parses its options, calls one function and prints a summary. coopwatch's own errors
become a clean message and a non-zero exit; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps

import click

from jobs import __version__
from jobs.config import Config, load_config
from jobs.errors import ConfigError, CoopwatchError
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
@clean_errors
def check(config_path: str) -> None:
    """Validate the sources file and list its sources.

    Example: coopwatch check --config sources.yaml
    """
    config = load_config(config_path)
    for s in config.sources:
        state = "enabled" if s.enabled else "disabled"
        click.echo(f"{s.name:32} {s.kind:7} every {_duration(s.interval):>5}  "
                   f"{s.language or '-':3} {s.country or '-':3} {state:8} {s.url}")
    enabled = len(config.enabled())
    click.echo(f"{config.path}: {len(config.sources)} sources, {enabled} enabled")


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _selected(config: Config, names: tuple[str, ...]):
    unknown = sorted(set(names) - {s.name for s in config.sources})
    if unknown:
        raise ConfigError([f"{config.path}: no source named {', '.join(unknown)}"])
    return config.enabled(names)


@main.command()
@config_option
@db_option
@click.option("--source", "names", multiple=True, metavar="NAME",
              help="Sync only this source (repeatable); disabled sources may be named.")
@clean_errors
def sync(config_path: str, db_path: str, names: tuple[str, ...]) -> None:
    """Run one sync pass over the enabled sources, then print what each did.

    Exits 0 when the pass ran, even if some sources failed (they are recorded in the database).

    Example: coopwatch sync --source vietnam-news-politics
    """
    from jobs.pipeline import Sync, default_classifier
    from jobs.schema import connect

    config = load_config(config_path)
    sources = _selected(config, names)
    db = connect(db_path)
    results = Sync(db, classifier=default_classifier(config.scope)).run(sources)
    for result in results:
        click.echo(summary_line(result))
    click.echo(total_line(results))


@main.command()
@config_option
@db_option
@clean_errors
def reclassify(config_path: str, db_path: str) -> None:
    """Classify every stored article again (after a classifier or scope change); no network.

    New items are added, items that no longer qualify removed, changed ones updated in place
    (their first_seen kept). The sources file gives the scope and each outlet's country.

    Example: coopwatch reclassify --db db/coopwatch.db
    """
    from jobs.pipeline import default_classifier
    from jobs.pipeline import reclassify as run_reclassify
    from jobs.schema import connect

    config = load_config(config_path)
    db = connect(db_path)
    counts = run_reclassify(db, default_classifier(config.scope),
                            {s.name: s.country for s in config.sources})
    click.echo(f"{counts.articles} articles: {counts.added} items added, {counts.updated} "
               f"updated, {counts.removed} removed, {counts.unchanged} unchanged")
    if counts.events is not None:
        click.echo(f"{counts.events.events} events from {counts.events.reports} reports "
                   f"({counts.events.moved} reports moved to another event)")


host_option = click.option("--host", default="127.0.0.1", show_default=True,
                           help="Address to serve on (0.0.0.0 for every interface).")
port_option = click.option("--port", default=8001, show_default=True, type=int,
                           help="Port to serve on.")


@main.command()
@config_option
@db_option
@host_option
@port_option
@clean_errors
def run(config_path: str, db_path: str, host: str, port: int) -> None:
    """Run the service: scheduled syncs of every source, and Datasette, read-only.

    Each enabled source is synced at once, then every `interval`. SIGTERM or Ctrl-C lets the
    sync in progress commit what it has, stops the web server and exits 0.

    Example: coopwatch run --host 0.0.0.0 --port 8001
    """
    from jobs.service import run_service

    logging.getLogger("jobs").setLevel(min(logging.INFO, logging.getLogger().level))
    run_service(load_config(config_path), db_path, host, port)


@main.command()
@db_option
@host_option
@port_option
@clean_errors
def serve(db_path: str, host: str, port: int) -> None:
    """Serve the database read-only with Datasette, without syncing.

    Example: coopwatch serve --db db/coopwatch.db --port 8001
    """
    from jobs import serve as serving
    from jobs.schema import connect

    connect(db_path).close()  # create or migrate it first: the server never writes
    click.echo(f"serving http://{host}:{port}/coopwatch (Ctrl-C to stop)", err=True)
    serving.serve(db_path, host, port)


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


