"""A warm rescan of an unchanged tree loads no analysis code, no parser and no server stack.

Start-up is most of a warm rescan's time (see bench/README.md), so a command module that
imports something heavy at the top (a database layer, a web framework, Rich's widgets) makes
every rescan slower. Commands import those inside the function that needs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import write_tree

#: Module prefixes a replayed scan must not import.
HEAVY = (
    "optimus.rules.python",
    "optimus.rules.rust",
    "optimus.rules.docker",
    "optimus.rules.deploy",
    "optimus.rules.deps",
    "optimus.rules.quality",
    "optimus.parse.source",
    "optimus.analyze.full",
    "tree_sitter",
    "yaml",
    "ahocorasick_rs",
    "multiprocessing",
    "concurrent.futures.process",
    "rich",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "libcst",
    "httpx",
    "redis",
    "psycopg",
    "ruamel",
    "tomlkit",
    "zstandard",
    "prometheus_client",
    "pydantic",
)

PROBE = """
import json, sys
from optimus.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def test_a_warm_rescan_imports_nothing_heavy(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "work",
        {
            "svc/pyproject.toml": "[project]\nname='svc'\n",
            "svc/app.py": "import time\n\n\nasync def f():\n    time.sleep(1)\n",
            "svc/Dockerfile": "FROM python:3.12\nCOPY . .\nRUN pip install .\n",
        },
    )
    env = {**os.environ, "OPTIMUS_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    out = tmp_path / "out.json"
    args = ["scan", str(tree), "--no-engines", "--format", "json", "-o", str(out), "--exit-zero"]
    cold = subprocess.run(
        [sys.executable, "-m", "optimus", *args], env=env, capture_output=True, timeout=120
    )
    assert cold.returncode == 0, cold.stderr
    time.sleep(1.1)  # the next scan trusts only stamps older than a second
    cold = subprocess.run(  # records the now settled stamps
        [sys.executable, "-m", "optimus", *args], env=env, capture_output=True, timeout=120
    )
    warm = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert warm.returncode == 0, warm.stderr
    assert json.loads(out.read_text())["stats"]["files_analyzed"] == 0
    modules = json.loads(warm.stdout.strip().splitlines()[-1])
    loaded = [m for m in modules if m.startswith(HEAVY)]
    assert loaded == [], f"a warm rescan imported {loaded}"
