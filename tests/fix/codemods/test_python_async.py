"""blocking-call-in-async fixes: asyncio.sleep (safe) and asyncio.to_thread (unsafe)."""

from __future__ import annotations

from pathlib import Path

from optimus.fix.codemods.python_async import is_sleep, is_threadable
from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

SERVICE = '''\
"""A service."""

from __future__ import annotations

import subprocess  # for git
import time
from time import sleep as nap

import requests


async def handler(url: str) -> int:
    time.sleep(0.5)  # back off
    nap(1)
    reply = requests.get(url, timeout=5)
    code = requests.post(url, json={"a": 1}, timeout=5).status_code
    subprocess.run(["git", "status"], check=True)
    return reply.status_code + code


def sync_helper() -> None:
    time.sleep(1)
'''


def test_sleep_becomes_asyncio_sleep_and_import_added(tree: Path) -> None:
    texts = check_fixed(
        tree, "blocking-call-in-async", {"svc.py": SERVICE}, accepts=is_sleep, expect_fixes=2
    )
    removed, added = changed_lines(SERVICE, texts["svc.py"])
    assert removed == ["    time.sleep(0.5)  # back off\n", "    nap(1)\n"]
    assert added == [
        "import asyncio\n",
        "    await asyncio.sleep(0.5)  # back off\n",
        "    await asyncio.sleep(1)\n",
    ]
    # the threadable findings are left for the unsafe fixer; the sync helper is untouched
    assert len([f for f in findings_of(tree, "blocking-call-in-async") if is_threadable(f)]) == 3
    assert texts["svc.py"].endswith("def sync_helper() -> None:\n    time.sleep(1)\n")


def test_requests_and_subprocess_go_to_a_thread(tree: Path) -> None:
    texts = check_fixed(
        tree,
        "blocking-call-in-async",
        {"svc.py": SERVICE.replace("\n", "\r\n").encode()},
        accepts=is_threadable,
        expect_fixes=3,
    )
    new = texts["svc.py"]
    assert "\n" not in new.replace("\r\n", "")
    assert "    reply = await asyncio.to_thread(requests.get, url, timeout=5)\r\n" in new
    assert (
        '    code = (await asyncio.to_thread(requests.post, url, json={"a": 1}, timeout=5))'
        ".status_code\r\n" in new
    )
    assert '    subprocess.run(["git", "status"], check=True)' not in new
    assert 'await asyncio.to_thread(subprocess.run, ["git", "status"], check=True)' in new


def test_existing_import_kept_once(tree: Path) -> None:
    text = "import asyncio\nimport time\n\n\nasync def f():\n    time.sleep(1)\n"
    texts = check_fixed(tree, "blocking-call-in-async", {"a.py": text}, accepts=is_sleep)
    assert texts["a.py"] == text.replace("time.sleep(1)", "await asyncio.sleep(1)")


def test_generator_expression_and_shadowed_asyncio_are_refused(tree: Path) -> None:
    write(
        tree,
        {
            "gen.py": "import time\n\n\nasync def f():\n"
            "    return list(time.sleep(x) for x in [1])\n",
            "shadow.py": "import time\nasyncio = None\n\n\nasync def f():\n    time.sleep(1)\n",
        },
    )
    found = findings_of(tree, "blocking-call-in-async")
    assert {f.path for f in found} == {"gen.py", "shadow.py"}
    assert all(propose(tree, f) is None for f in found)


def test_multiline_call_keeps_one_argument_per_line(tree: Path) -> None:
    text = (
        "import requests\n\n\nasync def pay(url):\n"
        "    return requests.post(\n        url,\n        timeout=10,\n    )\n"
    )
    texts = check_fixed(tree, "blocking-call-in-async", {"pay.py": text}, accepts=is_threadable)
    assert texts["pay.py"] == (
        "import requests\nimport asyncio\n\n\nasync def pay(url):\n"
        "    return await asyncio.to_thread(\n        requests.post,\n        url,\n"
        "        timeout=10,\n    )\n"
    )
