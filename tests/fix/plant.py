"""Test-only fixers, planted in the fixer registry for one test and removed after it.

The shipped codemods are written separately; these small ones let the engine's tests choose
exactly what a fix does (fix, break a test, break the syntax, never converge).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from optimus.fix import base
from optimus.fix.base import FileChange, FixContext, Fixer, ProposedFix
from optimus.fix.fixers import load_fixers
from optimus.model import Applicability, Finding

SLEEP = "blocking-call-in-async"
PIP = "docker-pip-cache"


@contextmanager
def planted(*fixers: Fixer) -> Iterator[None]:
    """Only ``fixers`` are registered inside the block; the registry is restored after."""
    load_fixers()  # import the real codemods first, so nothing registers during the block
    saved = list(base._FIXERS)
    base._FIXERS[:] = list(fixers)
    try:
        yield
    finally:
        base._FIXERS[:] = saved


def _line_edit(
    rule: str,
    applicability: Applicability,
    edit: Callable[[str], str],
    message: str,
    extra: Callable[[str], str] | None = None,
    confirm: tuple[str, ...] = (),
) -> Callable[[Finding, FixContext], ProposedFix | None]:
    def func(finding: Finding, ctx: FixContext) -> ProposedFix | None:
        text = ctx.read_text(finding.path)
        if text is None or finding.line is None:
            return None
        lines = text.splitlines(keepends=True)
        lines[finding.line - 1] = edit(lines[finding.line - 1])
        new = "".join(lines)
        if extra is not None:
            new = extra(new)
        return ProposedFix(
            rule, applicability, message, (FileChange(finding.path, new),), confirm=confirm
        )

    return func


def _import_asyncio(text: str) -> str:
    return text if "import asyncio" in text else "import asyncio\n" + text


def sleep_fixer(applicability: Applicability = Applicability.SAFE) -> Fixer:
    """time.sleep(...) -> await asyncio.sleep(...): fixes blocking-call-in-async."""
    func = _line_edit(
        SLEEP,
        applicability,
        lambda line: line.replace("time.sleep(", "await asyncio.sleep("),
        "await asyncio.sleep() instead of blocking the event loop with time.sleep()",
        _import_asyncio,
        confirm=("the sleep length",),
    )
    return Fixer(SLEEP, applicability, func, lambda f: "time.sleep" in f.message)


def breaking_sleep_fixer(only_line: int | None = None) -> Fixer:
    """Fixes the finding and also changes a return value: the project's test then fails.

    With ``only_line``, only the fix of the finding on that line plants the bug.
    """

    def func(finding: Finding, ctx: FixContext) -> ProposedFix | None:
        breaks = only_line is None or finding.line == only_line
        edit = _line_edit(
            SLEEP,
            Applicability.SAFE,
            lambda line: line.replace("time.sleep(", "await asyncio.sleep("),
            "await asyncio.sleep() (and a planted bug)" if breaks else "await asyncio.sleep()",
            lambda text: (
                _import_asyncio(text).replace("return 42", "return 41")
                if breaks
                else _import_asyncio(text)
            ),
        )
        return edit(finding, ctx)

    return Fixer(SLEEP, Applicability.SAFE, func)


def syntax_breaking_fixer() -> Fixer:
    """A buggy codemod: its output is not Python."""
    func = _line_edit(SLEEP, Applicability.SAFE, lambda line: line + "    def (:\n", "broken")
    return Fixer(SLEEP, Applicability.SAFE, func)


def pip_fixer() -> Fixer:
    """pip install -> pip install --no-cache-dir: fixes docker-pip-cache."""
    func = _line_edit(
        PIP,
        Applicability.SAFE,
        lambda line: line.replace("pip install ", "pip install --no-cache-dir "),
        "pip install --no-cache-dir keeps pip's cache out of the image",
    )
    return Fixer(PIP, Applicability.SAFE, func)


APP = """import time


async def wait():
    time.sleep(0)
    return 42
"""

TEST = """import asyncio

from tiny_app import wait


def test_wait():
    assert asyncio.run(wait()) == 42
"""


def tiny_project(root: Path, test_command: str | None = None) -> Path:
    """A one-file Python project with a blocking call, a passing test and a Dockerfile."""
    root.mkdir(parents=True, exist_ok=True)
    pyproject = '[project]\nname = "tiny"\nversion = "0.1.0"\ndependencies = []\n\n'
    pyproject += '[tool.pytest.ini_options]\npythonpath = ["."]\n'
    if test_command:
        pyproject += f"\n[tool.optimus]\ntest-command = {test_command!r}\n"
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "tiny_app.py").write_text(APP, encoding="utf-8")
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_app.py").write_text(TEST, encoding="utf-8")
    (root / "Dockerfile").write_text(
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install flask\nUSER app\n"
        'CMD ["python", "tiny_app.py"]\n',
        encoding="utf-8",
    )
    (root / ".dockerignore").write_text(".git\n", encoding="utf-8")
    return root


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with a fixed identity; its stdout."""
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def git_repo(root: Path) -> Path:
    """Make ``root`` a git repository with everything committed on branch main."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with .git's index, HEAD and refs of main."""
    kept = (".git/index", ".git/HEAD", ".git/refs/heads/main")
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(".git/") and rel not in kept:
            continue
        if path.is_file():
            files[rel] = path.read_bytes()
    return files
