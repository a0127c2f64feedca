"""sources.yaml: every problem reported with file:line: field."""

from __future__ import annotations

import pytest

from jobs.config import load_config, parse_duration, parse_size
from jobs.errors import ConfigError

BAD = """\
defaults:
  delay: 1
  timeuot: 5
sources:
  - name: one
    url: https://example.com/feed
    intervall: 30m
  - name: two
  - name: one
    url: https://example.com/other
  - name: three
    url: https://example.com/three
    interval: 5 minutes
  - name: Four Words
    url: ftp://example.com/x
    kind: podcast
    country: XX
    include: ['(unclosed']
"""


def problems(tmp_path, text: str) -> list[str]:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [line.replace(str(path), "sources.yaml") for line in caught.value.problems]


def test_every_problem_is_reported_with_file_and_line(tmp_path):
    assert problems(tmp_path, BAD) == [
        "sources.yaml:3: defaults.timeuot: unknown key (did you mean 'timeout'?)",
        "sources.yaml:7: sources[0].intervall: unknown key (did you mean 'interval'?)",
        "sources.yaml:8: sources[1].url: missing (required)",
        "sources.yaml:9: sources[2].name: duplicate name 'one' (first used on line 5)",
        "sources.yaml:13: sources[3].interval: '5 minutes' is not a duration like 30m, 6h or 1d",
        "sources.yaml:14: sources[4].name: 'Four Words' is not a slug"
        " (lower-case letters, digits, - and _)",
        "sources.yaml:15: sources[4].url: 'ftp://example.com/x'"
        " is not an http(s):// or file:// URL",
        "sources.yaml:16: sources[4].kind: 'podcast' is not one of auto, rss, atom, sitemap, html",
        "sources.yaml:17: sources[4].country: 'XX' is not an ISO 3166-1 alpha-2 country code",
        "sources.yaml:18: sources[4].include: bad regex '(unclosed':"
        " missing ), unterminated subpattern at position 0",
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "sources.yaml:1: sources: the file is empty; expected a 'sources:' list"),
    ("sources: [\n  {name: a\n", "sources.yaml:3: invalid YAML:"),
    ("sources:\n  name: a\n", "sources.yaml:2: sources: expected a list of sources"),
    ("- a\n- b\n", "sources.yaml:1: (top level): expected a mapping of key: value"),
])
def test_broken_files(tmp_path, text, expected):
    assert problems(tmp_path, text)[0].startswith(expected)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nowhere\.yaml: file not found"):
        load_config(tmp_path / "nowhere.yaml")


def test_defaults_apply_and_sources_override(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("""\
defaults:
  delay: 0
  timeout: 5
  max_bytes: 2MB
  interval: 6h
sources:
  - name: a
    url: https://example.com/a.rss
  - name: b
    url: https://example.com/b
    kind: html
    delay: 3
    interval: 30m
    enabled: false
    country: vn
    language: VI
    include: 'post\\d+'
""", encoding="utf-8")
    config = load_config(path)
    a, b = config.sources
    assert (a.delay, a.timeout, a.max_bytes, a.interval, a.kind) == (0, 5, 2_000_000, 21600, "auto")
    assert (b.delay, b.interval, b.enabled, b.country, b.language) == (3, 1800, False, "VN", "vi")
    assert b.include == ("(?i)post\\d+",) and b.line == 9  # case-insensitive by default
    assert [s.name for s in config.enabled()] == ["a"]
    assert [s.name for s in config.enabled(("b",))] == ["b"]
    assert a.user_agent.startswith("coopwatch/")


def test_durations_and_sizes():
    assert parse_duration("1h30m") == 5400 and parse_duration("1d") == 86400
    assert parse_duration("90s") == 90
    assert parse_size("500KB") == 500_000 and parse_size(1024) == 1024
    for bad in ("", "0m", "soon", True, 90, "90"):  # a unit is required
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_the_shipped_sources_file_is_valid():
    config = load_config("sources.yaml")
    assert len(config.sources) >= 15
    assert {s.language for s in config.sources} >= {"en", "vi"}
    assert all(not s.allow_private_network for s in config.sources)


def test_scope_is_checked_with_its_line(tmp_path):
    found = problems(tmp_path, "scope:\n  fields: [press, cooking]\nsources: []\n")
    assert found[0].startswith("sources.yaml:2: scope.fields: ")
    assert "cooking" in found[0]


def test_a_scope_error_points_at_the_line_of_the_culprit(tmp_path):
    found = problems(tmp_path, "scope:\n  keywords:\n    film: [film]\n"
                               "  fields:\n    - press\n    - cooking\nsources: []\n")
    assert found[0].startswith("sources.yaml:6: scope.fields: unknown field 'cooking'")
    found = problems(tmp_path, "scope:\n  fields: [press]\n  keywords:\n    film: [film]\n"
                               "sources: []\n")
    assert found[0].startswith("sources.yaml:4: scope.keywords: keywords given for 'film'")


@pytest.mark.parametrize(("url", "problem"), [
    ("http://[::1", "not a valid URL"),
    ("https://example.org:99999/", "Port out of range"),
    ("http://example.org:http/", "not a valid URL"),
    ("http:///feed", "has no host"),
    ("https://:8080/feed", "has no host"),
    ("http://exa mple.org/", "white space"),
    ("http://-example-.org/", "not a valid domain name"),
    ("http://" + "a" * 64 + ".org/", "not a valid domain name"),
    ("http://news..example.org/", "not a valid domain name"),
    ("http://[::zz]/", "not a valid URL"),
    ("file://remote-host/feed.xml", "needs a local path"),
    ("gopher://example.org/", "not an http(s):// or file:// URL"),
])
def test_every_url_sync_cannot_request_is_refused_with_its_line(tmp_path, url, problem):
    found = problems(tmp_path, f"sources:\n  - name: one\n    url: '{url}'\n")
    assert found[0].startswith("sources.yaml:3: sources[0].url: "), found
    assert problem in found[0]


@pytest.mark.parametrize("url", ["https://example.org:8443/feed", "http://[::1]:8080/feed",
                                 "http://127.0.0.1/feed", "https://báo.example.vn/rss",
                                 "file:///srv/feeds/a.xml", "https://host_name.example.org/"])
def test_good_urls_pass(tmp_path, url):
    path = tmp_path / "sources.yaml"
    path.write_text(f"sources:\n  - name: one\n    url: '{url}'\n", encoding="utf-8")
    assert load_config(path).sources[0].url == url


@pytest.mark.parametrize(("interval", "problem"), [
    ("90", "has no unit: write 90m"),
    ("'90'", "has no unit"),
    ("1s", "shorter than the minimum interval, 1m"),
    ("59s", "shorter than the minimum interval"),
])
def test_interval_needs_a_unit_and_at_least_a_minute(tmp_path, interval, problem):
    found = problems(tmp_path, "sources:\n  - name: one\n    url: https://example.org/\n"
                               f"    interval: {interval}\n")
    assert found[0].startswith("sources.yaml:4: sources[0].interval: ") and problem in found[0]


def test_the_minimum_interval_itself_is_accepted(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - name: one\n    url: https://example.org/\n"
                    "    interval: 60s\n", encoding="utf-8")
    assert load_config(path).sources[0].interval == 60


def test_scope_widens_with_keywords(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("scope:\n  keywords:\n    film: [film, cinema, điện ảnh]\nsources: []\n",
                    encoding="utf-8")
    assert load_config(path).scope == {"keywords": {"film": ["film", "cinema", "điện ảnh"]}}
