"""coopwatch: a live, queryable record of international cooperation in media and communication."""

__version__ = "0.1.0"
