"""torch-inference-no-grad: forward passes in serving code without no_grad/inference_mode."""

from __future__ import annotations

import ast
from pathlib import Path

from optimus.registry import get_rule
from optimus.rules.python.torch_inference_no_grad import find_grad_forwards
from optimus.testing.harness import assert_rule_matches

RULE = "torch-inference-no-grad"
FIXTURES = Path(__file__).parent / "torch_inference_no_grad"


def test_fixture_project() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_messages() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    by_line = {(f.path, f.line): f.message for f in result.findings}
    first = by_line["app/api.py", 27]
    assert "`net(...)` in request handler `run_net`" in first
    assert "torch.inference_mode()" in first and "decorate `run_net`" in first
    assert "1 more model call" in by_line["app/api.py", 32]
    assert "`self.model(...)` in `inference`" in by_line["app/handler.py", 14]


def _lines(code: str) -> list[int]:
    return [call.call.lineno for call, *_ in find_grad_forwards(ast.parse(code))]


def test_needs_torch_import_and_a_known_model() -> None:
    assert _lines("model = load()\ndef predict(x):\n    return model(x)\n") == []
    code = "import torch\nfunc = make()\ndef predict(x):\n    return func(x)\n"
    assert _lines(code) == []  # `func` is not known as a model


def test_predict_like_names() -> None:
    code = (
        "import torch\n"
        "model = torch.load('m.pt')\n"
        "def run_inference(x):\n"
        "    return model(x)\n"  # line 4
        "def reserve(x):\n"
        "    return model(x)\n"  # `serve` inside a word is not a predict-like name
        "def predict_step(x):\n"
        "    return model(x)\n"  # Lightning step name
    )
    assert _lines(code) == [4]


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.code == "PY007" and rule.preview
    urls = {r.url for r in rule.references}
    assert (
        "https://pytorch.org/docs/stable/notes/autograd.html"
        "#locally-disabling-gradient-computation" in urls
    )
