"""The command line: documented commands, clean errors, summaries."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from jobs.cli import main
from tests.conftest import write_config


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help_with_an_example(runner):
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, f"{name} --help shows no example"
        assert command.help


def test_check_lists_sources(runner, tmp_path):
    config = write_config(tmp_path, "  - name: one\n    url: https://example.com/feed\n"
                                    "    language: vi\n    country: VN\n    interval: 30m\n")
    result = runner.invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 0
    assert "one" in result.output and "every   30m" in result.output
    assert result.output.splitlines()[-1].endswith("1 sources, 1 enabled")


def test_check_reports_a_bad_file_and_exits_2(runner, tmp_path):
    config = tmp_path / "sources.yaml"
    config.write_text("sources:\n  - name: one\n    ur: https://example.com\n")
    result = runner.invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}:3: sources[0].ur: unknown key (did you mean 'url'?)" in result.output
    assert "Traceback" not in result.output


def test_config_and_db_from_the_environment(runner, tmp_path, site):
    config = write_config(tmp_path, f"  - name: rss\n    url: {site.base}/rss.xml\n")
    db_path = tmp_path / "env.db"
    result = runner.invoke(main, ["sync"],
                           env={"COOPWATCH_CONFIG": str(config), "COOPWATCH_DB": str(db_path)})
    assert result.exit_code == 0, result.output
    assert db_path.exists()


def test_sync_prints_a_line_per_source_and_a_total(runner, tmp_path, site):
    config = write_config(tmp_path, f"""\
  - name: rss
    url: {site.base}/rss.xml
  - name: missing
    url: {site.base}/missing.xml
  - name: paused
    url: {site.base}/atom.xml
    enabled: false
""")
    db = tmp_path / "c.db"
    result = runner.invoke(main, ["sync", "--config", str(config), "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["rss", "ok", "3"]
    assert lines[1].split()[:2] == ["missing", "error"] and "HTTP 404" in lines[1]
    assert lines[-1].startswith("total: 2 sources (1 error, 1 ok), 3 new articles")

    only = runner.invoke(main, ["sync", "--config", str(config), "--db", str(db),
                                "--source", "paused"])
    assert only.output.splitlines()[0].split()[:2] == ["paused", "ok"]
    unknown = runner.invoke(main, ["sync", "--config", str(config), "--db", str(db),
                                   "--source", "nope"])
    assert unknown.exit_code == 2 and "no source named nope" in unknown.output


def test_unusable_database_exits_1(runner, tmp_path):
    config = write_config(tmp_path, "  - name: one\n    url: https://example.com/feed\n")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 100)
    result = runner.invoke(main, ["sync", "--config", str(config), "--db", str(bad)])
    assert result.exit_code == 1
    assert "cannot use this database" in result.output
