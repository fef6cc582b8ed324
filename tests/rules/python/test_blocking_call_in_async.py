"""blocking-call-in-async: fixtures with positives and tricky negatives, plus message checks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from optimus.registry import get_rule
from optimus.rules.python.blocking_call_in_async import find_blocking_calls
from optimus.testing.harness import assert_rule_matches

RULE = "blocking-call-in-async"
FIXTURES = Path(__file__).parent / "blocking_call_in_async"


@pytest.mark.parametrize("project", ["service", "worker"])
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def _line_of(path: str, needle: str) -> tuple[str, int]:
    """(path, line) of the first line of a service fixture file that contains needle."""
    lines = (FIXTURES / "service" / path).read_text(encoding="utf-8").splitlines()
    return path, next(n for n, text in enumerate(lines, start=1) if needle in text)


def test_message_names_call_function_and_alternative() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    by_place = {(f.path, f.line): f for f in result.findings}
    sleep = by_place[_line_of("app/main.py", "time.sleep(0.5)")]
    assert "`time.sleep()`" in sleep.message
    assert "`async def slow`" in sleep.message
    assert "await asyncio.sleep" in sleep.message
    alias = by_place[_line_of("app/aliases.py", "fetch(")]
    assert "`fetch()` (`requests.get`)" in alias.message
    assert "httpx.AsyncClient" in alias.message
    db = by_place[_line_of("app/clients.py", "cur.execute(")]
    assert "asyncio.to_thread" in db.message and "database" in db.message
    path, line = _line_of("app/main.py", "requests.post(")
    assert by_place[path, line].end_line == line + 4
    assert sleep.severity.value == "high" and sleep.code == "PY001"


def test_two_calls_on_one_line_are_two_findings() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    place = _line_of("app/clients.py", ".fetchone()")
    chained = [f for f in result.findings if (f.path, f.line) == place]
    assert len(chained) == 2


def _found(code: str) -> list[tuple[int, str]]:
    return [(b.call.lineno, b.kind) for b in find_blocking_calls(ast.parse(code))]


def test_resolution_edge_cases() -> None:
    code = (
        "import time\n"
        "import httpx\n"
        "client = None\n"
        "async def startup():\n"
        "    global client\n"
        "    client = httpx.Client()\n"
        "async def use():\n"
        "    client.get('/x')\n"  # line 8: module global assigned in another function
        "async def rebound():\n"
        "    s = httpx.Client()\n"
        "    s = httpx.AsyncClient()\n"
        "    await s.get('/x')\n"
        "    s.get('/y')\n"  # ambiguous type: not reported
        "def open(path):\n"
        "    return path\n"
        "async def shadowed_builtin():\n"
        "    open('x')\n"  # the module's own open(), not the builtin
        "async def closure():\n"
        "    c = httpx.Client()\n"
        "    async def inner():\n"
        "        c.get('/z')\n"  # line 21: closure variable of the enclosing function
        "    await inner()\n"
    )
    assert _found(code) == [(8, "http"), (21, "http")]


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.scope == "file" and rule.fixable
    assert b"async def" in rule.prefilter
    assert {"What it finds", "Why", "Example", "Instead", "When not to"} <= set(rule.doc)
    urls = {r.url for r in rule.references}
    assert "https://fastapi.tiangolo.com/async/" in urls
