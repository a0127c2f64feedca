"""The README, Makefile, Dockerfile and CI script tell one story."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def make_recipe(target: str) -> list[str]:
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", read("Makefile"), re.MULTILINE)
    assert match, f"no make target {target}"
    return [line.strip() for line in match.group(1).splitlines()]


def test_readme_gives_the_two_commands():
    readme = read("README.md")
    assert "make run" in readme and "make test" in readme


def test_ci_runs_the_readme_test_command():
    assert read(".ci/run").strip().splitlines()[-1] == "make test"


def test_make_run_and_the_docker_image_run_the_same_command():
    assert make_recipe("run") == ["$(BIN)/coopwatch run"]
    cmd = re.search(r"^CMD (\[.*\])$", read("Dockerfile"), re.MULTILINE)
    assert cmd, "the Dockerfile needs an exec-form CMD (so SIGTERM reaches Python)"
    argv = json.loads(cmd.group(1))
    assert argv[0].endswith("/coopwatch") and argv[1] == "run"
    assert argv[2:] == ["--host", "0.0.0.0", "--port", "8001"]
    dockerfile = read("Dockerfile")
    assert "EXPOSE 8001" in dockerfile and "HEALTHCHECK" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    assert 'VOLUME ["/app/db"]' in dockerfile
    assert "pip install" in dockerfile and "python -m venv" in dockerfile


def test_make_test_installs_then_runs_ruff_and_pytest():
    assert make_recipe("test") == ["$(BIN)/ruff check .", "$(BIN)/pytest"]
    assert "-e '.[test]'" in read("Makefile")


def test_readme_commands_exist():
    from click.testing import CliRunner

    from jobs.cli import main

    readme = read("README.md")
    for command in set(re.findall(r"coopwatch (\w+)", readme)) - {"run", "coopwatch"}:
        if command in {"sync", "check", "reclassify", "serve"}:
            assert CliRunner().invoke(main, [command, "--help"]).exit_code == 0, command
    assert {"sync", "check", "reclassify", "serve", "run"} <= set(main.commands)
