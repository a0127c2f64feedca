"""coopwatch's one exception tree.

    CoopwatchError                 anything coopwatch reports to the user
    ├── ConfigError                sources.yaml is unreadable or invalid (carries path:line: field)
    ├── DatabaseError              the database file cannot be opened, migrated or written
    ├── LockedError                another coopwatch writer (run, sync, reclassify) holds the db
    └── SourceError                one source failed this pass; recorded, the others go on
        ├── FetchError             the network said no: DNS, refused, timeout, HTTP error status
        │   ├── TooLargeError      the decoded body passed the source's max_bytes
        │   ├── RateLimitedError   429/503: carries retry_after (seconds), never slept on
        │   ├── BlockedError       robots.txt or the private-network guard refused the URL
        │   └── StoppedError       the service is shutting down: the request was cut short
        └── ParseError             the listing could not be read as a feed, sitemap or page
"""

from __future__ import annotations


class CoopwatchError(Exception):
    """Base of every error coopwatch reports to its user."""


class ConfigError(CoopwatchError):
    """A problem in sources.yaml. ``problems`` lists every ``path:line: field: message``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class DatabaseError(CoopwatchError):
    """The database cannot be used."""


class LockedError(CoopwatchError):
    """Another coopwatch command is writing this database (see jobs/lock.py)."""


class SourceError(CoopwatchError):
    """One source failed; ``url`` is the document that failed."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        self.url = url
        self.status = status
        super().__init__(message)


class FetchError(SourceError):
    """A request failed."""


class TooLargeError(FetchError):
    """The decoded body was larger than allowed."""


class RateLimitedError(FetchError):
    """The server asked us to come back later."""

    def __init__(self, message: str, *, url: str, status: int, retry_after: float | None):
        self.retry_after = retry_after
        super().__init__(message, url=url, status=status)


class BlockedError(FetchError):
    """The URL may not be fetched (robots.txt, private network, scheme)."""


class StoppedError(FetchError):
    """The fetcher was cancelled because the service is stopping; not the source's fault."""


class ParseError(SourceError):
    """A listing document could not be parsed."""
