r"""The only reader of ``sources.yaml``.

The file is validated eagerly and completely: every problem is collected and reported as
``path:line: field: message`` so a typo is caught before any request is sent. Unknown keys are
errors. The shape::

    defaults:            # optional; applies to every source unless the source overrides it
      delay: 1           # seconds between two requests to one host (0 allowed)
      timeout: 30        # seconds for one request, connect + read + body
      max_bytes: 10MB    # cap on a decoded body
      max_entries: 500   # article pages fetched per source per pass; the rest wait for the next
      user_agent: ...
      interval: 1h       # with a unit (s, m, h, d); at least 1m
      allow_private_network: false
    scope: {...}         # optional; widens what the classifier counts (see jobs.classify.Scope)
    sources:
      - name: vietnam-news-politics   # unique slug
        url: https://vietnamnews.vn/rss/politics-laws.rss
        kind: auto       # auto | rss | atom | sitemap | html
        interval: 30m
        language: en
        country: VN
        enabled: true
        include: [...]   # URL regexes: on an html listing, only links matching one are followed
        exclude: [...]   # URL regexes: links matching one are dropped
        case_sensitive: false

``include`` and ``exclude`` are Python regexes searched anywhere in the absolute article URL,
and match case-insensitively: ``detail\.aspx\?id=\d+`` matches ``/En/Detail.aspx?id=9`` and
``/En/detail.aspx?id=9`` alike, as a user who copied one link means. ``case_sensitive: true`` on
a source makes both lists match case exactly; inside a pattern, ``(?-i:...)`` asks for case on
one part only. They apply to html listings (a feed or a sitemap lists articles already). A pass
whose listing has links while ``include`` keeps none fails with that reason, never a quiet zero;
``coopwatch check`` warns about an html listing with no ``include`` (menus, tags and author pages
that look like articles are followed too), and ``coopwatch try`` shows what a pattern keeps.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry
import yaml

from jobs import __version__
from jobs.errors import ConfigError
from jobs.models import Source

KINDS = ("auto", "rss", "atom", "sitemap", "html")
DEFAULT_USER_AGENT = f"coopwatch/{__version__} (+https://github.com/coopwatch/coopwatch)"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
SIZE = re.compile(r"^(\d+)\s*(B|KB|MB|GB)?$", re.IGNORECASE)
SIZE_UNITS = {"": 1, "B": 1, "KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000}


@dataclass(frozen=True)
class Config:
    path: str
    sources: tuple[Source, ...]
    scope: dict[str, Any] = field(default_factory=dict)

    def enabled(self, names: tuple[str, ...] = ()) -> list[Source]:
        """Enabled sources, or the named ones (enabled or not) when names are given."""
        if names:
            return [s for s in self.sources if s.name in names]
        return [s for s in self.sources if s.enabled]


def parse_duration(value: Any) -> int:
    """``"30m"`` / ``"1h30m"`` / ``"1d"`` / ``"90s"`` → seconds (> 0). A unit is required."""
    if isinstance(value, bool) or value is None:
        raise ValueError("expected a duration like 30m, 6h or 1d")
    text = str(value).strip()
    if text.isdigit():
        raise ValueError(f"{value!r} has no unit: write {text}m, {text}h or {text}d "
                         f"({text}s for seconds)")
    match = DURATION.match(text)
    if not match or not any(match.groups()):
        raise ValueError(f"{value!r} is not a duration like 30m, 6h or 1d")
    d, h, m, s = (int(g or 0) for g in match.groups())
    seconds = ((d * 24 + h) * 60 + m) * 60 + s
    if seconds <= 0:
        raise ValueError("must be longer than 0 seconds")
    return seconds


MIN_INTERVAL = 60  # seconds: a source is never synced more often than once a minute


def _interval(value: Any) -> int:
    seconds = parse_duration(value)
    if seconds < MIN_INTERVAL:
        raise ValueError(f"{value!r} is shorter than the minimum interval, 1m")
    return seconds


def parse_size(value: Any) -> int:
    """``1000000`` / ``"10MB"`` → bytes (> 0)."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        match = SIZE.match(str(value).strip())
        if not match:
            raise ValueError(f"{value!r} is not a size like 5MB or 500KB")
        size = int(match.group(1)) * SIZE_UNITS[(match.group(2) or "").upper()]
    if size <= 0:
        raise ValueError("must be more than 0 bytes")
    return size


def _number(minimum: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        return float(value)

    return check


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a whole number ≥ 1, got {value!r}")
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):  # YAML 1.1 reads yes/no/on/off as booleans
        raise ValueError(f"expected text, got {value!r} (put the value in quotes)")
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected non-empty text, got {value!r}")
    return value.strip()


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _url(value: Any) -> str:
    """An URL ``sync`` can request: http(s) with a valid host and port, or file:// with a path."""
    text = _text(value)
    if re.search(r"\s", text):
        raise ValueError(f"{text!r} contains white space")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises on a port out of range or not a number
    except ValueError as error:
        raise ValueError(f"{text!r} is not a valid URL: {error}") from None
    if parts.scheme == "file":
        if not parts.path or parts.netloc not in ("", "localhost"):
            raise ValueError(f"{text!r}: a file:// URL needs a local path, like file:///srv/feed")
        return text
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{text!r} is not an http(s):// or file:// URL")
    if not parts.hostname:
        raise ValueError(f"{text!r} has no host")
    if port == 0:
        raise ValueError(f"{text!r}: port 0 cannot be requested")
    problem = _host_problem(parts.hostname)
    if problem:
        raise ValueError(f"{text!r}: {problem}")
    return text


HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def _host_problem(host: str) -> str | None:
    """Why ``host`` cannot be resolved or connected to, or None (an IP address is fine)."""
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if ":" in host:
        return f"{host!r} is not a valid IPv6 address"
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as error:
        return f"host {host!r} is not a valid domain name ({error})"
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(HOST_LABEL.match(label) for label in labels):
        return (f"host {host!r} is not a valid domain name (letters, digits and hyphens, "
                "dot-separated parts of 1 to 63 characters)")
    return None


def _slug(value: Any) -> str:
    text = _text(value)
    if not SLUG.match(text):
        raise ValueError(f"{text!r} is not a slug (lower-case letters, digits, - and _)")
    return text


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise ValueError(f"{value!r} is not one of {', '.join(KINDS)}")
    return value


def _country(value: Any) -> str:
    code = _text(value).upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _language(value: Any) -> str:
    code = _text(value).lower()
    if not re.match(r"^[a-z]{2,3}(-[a-z0-9]+)?$", code):
        raise ValueError(f"{value!r} is not a language code like en or vi")
    return code


def _patterns(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("expected a regex or a list of regexes")
    for pattern in items:
        if pattern.startswith("(?-i)"):
            raise ValueError(f"bad regex {pattern!r}: for case-sensitive matching write "
                             "case_sensitive: true on the source, or (?-i:...) around a part")
        try:
            re.compile(pattern)
            re.compile(IGNORE_CASE + pattern)  # a global flag after the start is refused here
        except re.error as error:
            raise ValueError(f"bad regex {pattern!r}: {error}") from None
    return tuple(items)


# Keys allowed in `defaults:` or on a source, and their checks.
SHARED_FIELDS: dict[str, Callable[[Any], Any]] = {
    "delay": _number(0),
    "timeout": _number(0.1),
    "max_bytes": parse_size,
    "max_entries": _count,
    "user_agent": _text,
    "interval": _interval,
    "allow_private_network": _flag,
    "enabled": _flag,
    "language": _language,
    "country": _country,
}
SOURCE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": _slug,
    "url": _url,
    "kind": _kind,
    "include": _patterns,
    "exclude": _patterns,
    "case_sensitive": _flag,
    **SHARED_FIELDS,
}
IGNORE_CASE = "(?i)"  # put before each include/exclude pattern unless case_sensitive
TOP_LEVEL = ("defaults", "sources", "scope")


class _Problems:
    """Collects ``path:line: field: message`` lines."""

    def __init__(self, path: str):
        self.path = path
        self.lines: list[str] = []

    def add(self, node: yaml.Node | None, where: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.lines.append(f"{self.path}:{line}: {where}: {message}")


def load_config(path: str | Path) -> Config:
    """Read and validate ``path``; raise ConfigError listing every problem found."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot read: {error}"]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"{mark.line + 1}" if mark else "1"
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([f"{path}:{line}: invalid YAML: {problem}"]) from None
    problems = _Problems(path)
    config = _read_root(root, problems)
    if problems.lines:
        raise ConfigError(problems.lines)
    return config


def _mapping(node: yaml.Node, problems: _Problems, where: str) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, where, "expected a mapping of key: value")
        return {}
    result: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = str(key.value)
        if name in result:
            problems.add(key, f"{where}.{name}" if where else name, "duplicate key")
        result[name] = value
    return result


def _value(node: yaml.Node) -> Any:
    return yaml.safe_load(yaml.serialize(node)) if node is not None else None


def _keys(node: yaml.Node, problems: _Problems, where: str, allowed) -> dict[str, yaml.Node]:
    mapping = _mapping(node, problems, where)
    keys = [key for key, _ in node.value] if isinstance(node, yaml.MappingNode) else []
    for key_node in keys:
        if str(key_node.value) not in allowed:
            hint = _closest(str(key_node.value), allowed)
            name = f"{where}.{key_node.value}" if where else str(key_node.value)
            problems.add(key_node, name, f"unknown key{hint}")
    return {k: v for k, v in mapping.items() if k in allowed}


def _closest(name: str, allowed) -> str:
    match = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _checked(fields: dict[str, yaml.Node], problems: _Problems, where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, node in fields.items():
        try:
            values[key] = SOURCE_FIELDS[key](_value(node))
        except ValueError as error:
            problems.add(node, f"{where}.{key}", str(error))
    return values


def _read_root(root: yaml.Node | None, problems: _Problems) -> Config:
    if root is None:
        problems.add(None, "sources", "the file is empty; expected a 'sources:' list")
        return Config(problems.path, ())
    top = _keys(root, problems, "(top level)", TOP_LEVEL)
    defaults = _checked(_keys(top["defaults"], problems, "defaults", SHARED_FIELDS),
                        problems, "defaults") if "defaults" in top else {}
    scope = _read_scope(top.get("scope"), problems)
    if "sources" not in top:
        problems.add(root, "sources", "missing; expected a list of sources")
        return Config(problems.path, ())
    node = top["sources"]
    if not isinstance(node, yaml.SequenceNode):
        problems.add(node, "sources", "expected a list of sources")
        return Config(problems.path, ())
    sources = _read_sources(node, defaults, problems)
    return Config(problems.path, tuple(sources), scope or {})


def _read_scope(node: yaml.Node | None, problems: _Problems) -> dict[str, Any]:
    """Checked by the classifier's own reader, so the two can never disagree."""
    if node is None:
        return {}
    from jobs.classify import Scope

    scope = _value(node)
    try:
        Scope.from_config(scope)
    except ValueError as error:
        message = str(error).removeprefix("classifier scope: ")
        key, culprit = _culprit(node, message)
        problems.add(culprit, f"scope.{key}" if key else "scope", message)
        return {}
    return scope or {}


def _culprit(node: yaml.Node, message: str) -> tuple[str | None, yaml.Node]:
    """The scope key, and the node inside it, that an error message quotes (else the scope)."""
    if not isinstance(node, yaml.MappingNode):
        return None, node
    for key, value in node.value:
        for scalar in _scalars(key, value):
            if repr(scalar.value) in message:
                return str(key.value), scalar
    for key, _ in node.value:
        if str(key.value) in message:
            return str(key.value), key
    return None, node


def _scalars(*nodes: yaml.Node):
    for node in nodes:
        if isinstance(node, yaml.ScalarNode):
            yield node
        elif isinstance(node, yaml.SequenceNode):
            yield from _scalars(*node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                yield from _scalars(key, value)


def _read_sources(node: yaml.SequenceNode, defaults: dict, problems: _Problems) -> list[Source]:
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(node.value):
        where = f"sources[{index}]"
        fields = _keys(item, problems, where, SOURCE_FIELDS)
        values = _checked(fields, problems, where)
        for required in ("name", "url"):
            if required not in fields:
                problems.add(item, f"{where}.{required}", "missing (required)")
        if "name" not in values or "url" not in values:
            continue
        name = values["name"]
        if name in seen:
            problems.add(fields["name"], f"{where}.name",
                         f"duplicate name {name!r} (first used on line {seen[name]})")
            continue
        seen[name] = item.start_mark.line + 1
        sources.append(_make_source({**defaults, **values}, line=seen[name]))
    return sources


def _make_source(values: dict[str, Any], line: int) -> Source:
    case_sensitive = values.pop("case_sensitive", False)
    for key in ("include", "exclude"):
        if key in values:
            values[key] = url_patterns(values[key], case_sensitive=case_sensitive)
    source = Source(name=values.pop("name"), url=values.pop("url"), line=line,
                    user_agent=DEFAULT_USER_AGENT)
    return replace(source, **values)


def url_patterns(patterns, *, case_sensitive: bool = False) -> tuple[str, ...]:
    """The include/exclude regexes as the parser compiles them: case-insensitive by default.

    The flag is written into each pattern (``(?i)``), so every reader of ``Source.include``
    matches the way sources.yaml says, with no flag to carry beside it.
    """
    if case_sensitive:
        return tuple(patterns)
    return tuple(p if p.startswith(IGNORE_CASE) else IGNORE_CASE + p for p in patterns)


def shown_pattern(pattern: str) -> str:
    """A pattern as the user wrote it, for messages (without the default ``(?i)``)."""
    return pattern.removeprefix(IGNORE_CASE)


def config_warnings(config: Config) -> list[str]:
    """Sources that load but will likely disappoint: ``path:line: name: problem`` lines."""
    return [
        f"{config.path}:{s.line}: {s.name}: an html listing with no include pattern follows "
        "every link of its site that looks like an article (menus, tags, author pages too); "
        f"`coopwatch try --source {s.name}` shows the links, to fit one"
        for s in config.sources
        if s.kind == "html" and not s.include
    ]


def trial_source(url: str, *, kind: str = "auto", include=(), exclude=(),
                 case_sensitive: bool = False, country: str | None = None,
                 language: str | None = None, allow_private_network: bool = False) -> Source:
    """A source not in the file, for ``coopwatch try``, checked as a sources.yaml entry would be.

    Raises ValueError naming each bad value.
    """
    given = {"url": url, "kind": kind, "include": list(include), "exclude": list(exclude),
             "country": country, "language": language}
    values: dict[str, Any] = {"name": "try", "allow_private_network": allow_private_network,
                              "case_sensitive": case_sensitive}
    problems = []
    for key, value in given.items():
        if value is None or value == []:
            continue
        try:
            values[key] = SOURCE_FIELDS[key](value)
        except ValueError as error:
            problems.append(f"{key}: {error}")
    if problems:
        raise ValueError("; ".join(problems))
    return _make_source(values, line=0)
