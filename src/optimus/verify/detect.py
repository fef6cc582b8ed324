"""Which command runs a project's tests: configured, or detected from its files.

Order: ``[tool.optimus] test-command`` (or ``test-command`` in optimus.toml) wins; then
``cargo test`` for a Cargo.toml, ``go test ./...`` for a go.mod, ``npm test`` for a
package.json with a real ``test`` script, and pytest when the project has a tests/ folder, a
conftest.py or pytest configuration. Pytest runs with the project's own virtual environment
when it has one (.venv or venv), else with ``python3`` from PATH.
"""

from __future__ import annotations

import configparser
import json
import os
import shlex
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

#: What ``npm init`` writes: a test script that only fails.
_NPM_PLACEHOLDER = "no test specified"


@dataclass(frozen=True)
class TestCommand:
    """A test command: argv, or a shell line (a configured command may use && and pipes)."""

    __test__ = False  # not a pytest test class, despite the name

    argv: tuple[str, ...]
    shell: bool = False
    source: str = "detected"

    @property
    def display(self) -> str:
        """The command as one line, for reports."""
        return self.argv[0] if self.shell else shlex.join(self.argv)


def detect(
    project_dir: Path, configured: str | None = None, venv_dir: Path | None = None
) -> TestCommand | None:
    """The test command of the project in ``project_dir``, or None when it has none.

    ``venv_dir`` is where to look for the project's virtual environment (the user's own
    checkout: a worktree or copy made for fixing holds no untracked .venv).
    """
    if configured:
        return TestCommand((configured,), shell=True, source="configured")
    if (project_dir / "Cargo.toml").is_file():
        return TestCommand(("cargo", "test"))
    if (project_dir / "go.mod").is_file():
        return TestCommand(("go", "test", "./..."))
    if _npm_test_script(project_dir / "package.json"):
        return TestCommand(("npm", "test", "--silent"))
    if _uses_pytest(project_dir):
        python = _python(venv_dir or project_dir)
        return TestCommand((python, "-m", "pytest", "-q", "-p", "no:cacheprovider"))
    return None


def _npm_test_script(path: Path) -> bool:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    scripts = doc.get("scripts") if isinstance(doc, dict) else None
    script = scripts.get("test") if isinstance(scripts, dict) else None
    return isinstance(script, str) and bool(script.strip()) and _NPM_PLACEHOLDER not in script


def _uses_pytest(folder: Path) -> bool:
    if (folder / "tests").is_dir() or (folder / "conftest.py").is_file():
        return True
    if (folder / "pytest.ini").is_file():
        return True
    try:
        with open(folder / "pyproject.toml", "rb") as fh:
            tool = tomllib.load(fh).get("tool", {})
        if isinstance(tool, dict) and "pytest" in tool:
            return True
    except (OSError, tomllib.TOMLDecodeError):
        pass
    for name, section in (("setup.cfg", "tool:pytest"), ("tox.ini", "pytest")):
        parser = configparser.ConfigParser()
        try:
            parser.read(folder / name, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        if parser.has_section(section):
            return True
    return False


def _python(folder: Path) -> str:
    for venv in (".venv", "venv"):
        for candidate in (
            folder / venv / "bin" / "python",
            folder / venv / "Scripts" / "python.exe",
        ):
            if candidate.is_file():
                return str(candidate)
    return shutil.which("python3") or shutil.which("python") or "python3"


def clean_env() -> dict[str, str]:
    """The environment tests run in: PATH, HOME and the locale only; never Optimus secrets."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL") if key in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    # Bytecode caches would be untracked files in the fixed tree, and found by the rescan.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env
