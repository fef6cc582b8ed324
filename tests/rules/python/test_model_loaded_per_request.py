"""model-loaded-per-request: handlers, dependencies and loading helpers; what stays quiet."""

from __future__ import annotations

import ast
from pathlib import Path

from optimus.registry import get_rule
from optimus.rules.python.model_loaded_per_request import find_loads
from optimus.testing.harness import assert_rule_matches

RULE = "model-loaded-per-request"
FIXTURES = Path(__file__).parent / "model_loaded_per_request"


def test_fixture_project() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]
    assert "tests/api_checks.py" not in {f.path for f in result.findings}


def test_messages() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    by_line = {(f.path, f.line): f.message for f in result.findings}
    pipe = by_line["app/main.py", 40]
    assert "`pipeline(...)` (`transformers.pipeline`)" in pipe
    assert "request handler `classify`" in pipe and "lifespan" in pipe
    dep = by_line["app/main.py", 69]
    assert "dependency `get_model`" in dep and "@functools.cache" in dep
    helper = by_line["app/main.py", 64]
    assert "`load_net()`" in helper and "`torch.jit.load(...)`" in helper
    keras = by_line["app/views.py", 13]
    assert "(`tensorflow.keras.models.load_model`)" in keras


def _lines(code: str) -> list[int]:
    return sorted(call.lineno for call, _ in find_loads(ast.parse(code)))


def test_litestar_and_registered_handlers() -> None:
    code = (
        "import torch\n"
        "from litestar import post\n"
        "@post('/p')\n"
        "async def p() -> list:\n"
        "    return torch.load('m.pt').tolist()\n"  # line 5
        "def view():\n"
        "    return torch.load('m.pt')\n"  # line 7: registered below
        "app.add_url_rule('/v', view_func=view)\n"
    )
    assert _lines(code) == [5, 7]


def test_unresolved_loaders_are_not_models() -> None:
    code = (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "def load(path): ...\n"
        "@app.get('/x')\n"
        "def x():\n"
        "    config = load('config.yaml')\n"  # a local `load`, memoised nowhere, not a model
        "    data = json.load(open('x.json'))\n"
        "    return config\n"
    )
    assert _lines(code) == []


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.code == "PY006" and not rule.preview
    assert "https://fastapi.tiangolo.com/advanced/events/" in {r.url for r in rule.references}
