"""Test command detection per stack, configured commands, and the clean environment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from optimus.verify.detect import clean_env, detect
from tests.helpers import write_tree


@pytest.mark.parametrize(
    ("files", "argv"),
    [
        ({"Cargo.toml": "[package]\nname='x'\n", "tests/t.rs": ""}, ("cargo", "test")),
        ({"go.mod": "module x\n"}, ("go", "test", "./...")),
        (
            {"package.json": json.dumps({"scripts": {"test": "vitest run"}})},
            ("npm", "test", "--silent"),
        ),
    ],
)
def test_stacks(tmp_path: Path, files: dict[str, str], argv: tuple[str, ...]) -> None:
    command = detect(write_tree(tmp_path / "p", files))
    assert command is not None and command.argv == argv and not command.shell


@pytest.mark.parametrize(
    "files",
    [
        {"tests/test_a.py": ""},
        {"conftest.py": ""},
        {"pytest.ini": "[pytest]\n"},
        {"pyproject.toml": "[tool.pytest.ini_options]\naddopts='-q'\n"},
        {"setup.cfg": "[tool:pytest]\ntestpaths = t\n"},
        {"tox.ini": "[pytest]\n"},
    ],
)
def test_pytest_markers(tmp_path: Path, files: dict[str, str]) -> None:
    command = detect(write_tree(tmp_path / "p", files))
    assert command is not None and command.argv[1:3] == ("-m", "pytest")


@pytest.mark.parametrize(
    "files",
    [
        {"package.json": json.dumps({"scripts": {"test": 'echo "Error: no test specified"'}})},
        {"package.json": "{broken"},
        {"pyproject.toml": "[project]\nname='x'\n"},
        {"README.md": "hello"},
    ],
)
def test_no_test_command(tmp_path: Path, files: dict[str, str]) -> None:
    assert detect(write_tree(tmp_path / "p", files)) is None


def test_configured_command_wins_and_runs_in_a_shell(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"Cargo.toml": ""})
    command = detect(root, configured="make deps && make test")
    assert command is not None and command.shell and command.display == "make deps && make test"


def test_pytest_uses_the_project_virtualenv(tmp_path: Path) -> None:
    user = write_tree(tmp_path / "user", {"tests/test_a.py": ""})
    python = user / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    copy = write_tree(tmp_path / "copy", {"tests/test_a.py": ""})
    command = detect(copy, venv_dir=user)
    assert command is not None and command.argv[0] == str(python)


def test_clean_env_keeps_path_home_locale_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTIMUS_DATABASE_URL", "postgresql://secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("HOME", "/home/someone")
    env = clean_env()
    assert set(env) <= {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONDONTWRITEBYTECODE"}
    assert env["HOME"] == "/home/someone" and env["PATH"] == os.environ["PATH"]
    assert "secret" not in "".join(env.values())
    assert sys.executable  # the suite's interpreter exists for the runner tests
