"""client-per-request: handlers and loops in Python, loops and closures in Rust."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from optimus.registry import get_rule
from optimus.rules.python.client_per_request import find_python_hits
from optimus.testing.harness import assert_rule_matches

RULE = "client-per-request"
FIXTURES = Path(__file__).parent / "client_per_request"


@pytest.mark.parametrize("project", ["service", "crawler"])
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def _by_line(project: str, path: str) -> dict[int, str]:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    return {f.line: f.message for f in result.findings if f.path == path and f.line}


def test_handler_messages_name_the_constructor_and_the_fix() -> None:
    found = _by_line("service", "app/main.py")
    client = found[28]
    assert "`httpx.AsyncClient(...)`" in client and "request handler `user`" in client
    assert "lifespan" in client
    engine = found[35]
    assert "`make_engine(...)` (`sqlalchemy.create_engine`)" in engine
    assert "database engine" in engine
    assert "pool created once" in found[42]  # asyncpg.connect: use a pool
    helper = next(m for m in found.values() if m.startswith("`fetch_user()`"))
    assert "request handler `via_helper`" in helper and "(`httpx.AsyncClient`)" in helper


def test_loop_messages() -> None:
    found = _by_line("service", "app/jobs.py")
    assert "`requests.get()`" in found[12] and "module code" in found[12]
    assert "requests.Session()" in found[12]
    assert "`Session(...)` (`requests.Session`)" in found[18]
    assert "every iteration" in found[18] and "before the loop" in found[18]


def test_rust_messages() -> None:
    found = _by_line("crawler", "src/main.rs")
    assert "`Client::new()`" in found[8] and "loop body" in found[8]
    assert "`reqwest::get(..)`" in found[22] and "iterator closure" in found[22]


def _lines(code: str) -> list[int]:
    return sorted(call.lineno for call, _ in find_python_hits(ast.parse(code)))


def test_mock_patch_is_not_a_route() -> None:
    code = (
        "from unittest import mock\n"
        "import httpx\n"
        "@mock.patch('app.client')\n"
        "def helper(m):\n"
        "    return httpx.Client()\n"
    )
    assert _lines(code) == []


def test_registered_handlers_and_generator_dependencies() -> None:
    code = (
        "import httpx\n"
        "from starlette.routing import Route\n"
        "async def home(request):\n"
        "    async with httpx.AsyncClient() as c:\n"  # line 4: a Route endpoint
        "        return await c.get('/')\n"
        "async def dep():\n"
        "    async with httpx.AsyncClient() as c:\n"  # generator dependency: fine
        "        yield c\n"
        "routes = [Route('/', home)]\n"
    )
    assert _lines(code) == [4]


def test_loop_variable_in_constructor_means_one_client_per_target() -> None:
    code = (
        "import psycopg2\n"
        "def migrate(dsns):\n"
        "    for dsn in dsns:\n"
        "        conn = psycopg2.connect(dsn)\n"  # a different database each time
        "        conn.close()\n"
        "    for _ in dsns:\n"
        "        conn = psycopg2.connect('dbname=x')\n"  # line 7: the same one each time
        "        conn.close()\n"
    )
    assert _lines(code) == [7]


def test_without_imports_nothing_is_resolved() -> None:
    code = "def f(urls):\n    for u in urls:\n        get(u)\n        Session()\n"
    assert _lines(code) == []


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.code == "PY003" and not rule.preview
    assert {"python", "rust"} <= rule.kinds
    urls = {r.url for r in rule.references}
    assert "https://www.python-httpx.org/advanced/clients/" in urls
    assert "https://docs.rs/reqwest/latest/reqwest/struct.Client.html" in urls


def test_retry_polling_and_host_loops() -> None:
    code = (
        "import time\n"
        "import requests\n"
        "def f(entries, peers, n):\n"
        "    for entry in entries:\n"
        "        requests.get(f'https://api.example/x/{entry}')\n"  # line 5: `entry` is no retry
        "    for n_retry in range(n):\n"
        "        requests.get('https://api.example/y')\n"
        "    while True:\n"
        "        requests.get('https://api.example/z')\n"
        "        time.sleep(30)\n"
        "    for peer in peers:\n"
        "        requests.get(f'http://{peer}:8080/health')\n"
        "    for i in range(3):\n"
        "        requests.get(f'https://api.example/{i}')\n"
        "    for peer in peers:\n"
        "        url = f'https://api.example/peers/{peer}'\n"
        "        requests.get(url)\n"  # line 17: same host, through a variable
    )
    assert _lines(code) == [5, 17]
