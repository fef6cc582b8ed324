"""torch-missing-eval: served models never put in eval mode; the ways a model is fine."""

from __future__ import annotations

import ast
from pathlib import Path

from optimus.registry import get_rule
from optimus.rules.python.torch_missing_eval import find_missing_eval
from optimus.testing.harness import assert_rule_matches

RULE = "torch-missing-eval"
FIXTURES = Path(__file__).parent / "torch_missing_eval"


def test_fixture_project() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]
    assert "app/models.py" not in {f.path for f in result.findings}  # training code only


def test_messages() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    by_line = {(f.path, f.line): f.message for f in result.findings}
    local = by_line["app/api.py", 17]
    assert "`model` (`Local(...)`)" in local and "`model.eval()`" in local
    assert "dropout" in local and "batch-norm" in local
    state = by_line["app/lifespan_app.py", 12]
    assert "`app.state.model` (`torchvision.models.resnet18(...)`)" in state
    assert "`self.model.eval()`" in by_line["app/predictor.py", 7]


def _keys(code: str) -> list[str]:
    return [b.key for b in find_missing_eval(ast.parse(code))]


def test_needs_serving_code() -> None:
    code = "import torch\nfrom torch import nn\nclass N(nn.Module): ...\nmodel = N()\n"
    assert _keys(code) == []
    assert _keys(code + "def predict(x):\n    return model(x)\n") == ["model"]


def test_eval_through_a_helper_or_the_class_itself() -> None:
    code = (
        "import torch\n"
        "from torch import nn\n"
        "class N(nn.Module): ...\n"
        "class E(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.eval()\n"
        "def prepare(m):\n"
        "    m.eval()\n"
        "    return m\n"
        "a = N()\n"
        "prepare(a)\n"  # handed to a helper that calls .eval()
        "b = E()\n"  # evaluates itself
        "c = N().train(mode=False)\n"
        "def predict(x):\n"
        "    return a(x) + b(x) + c(x)\n"
    )
    assert _keys(code) == []


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.code == "PY008" and rule.preview
    urls = {r.url for r in rule.references}
    assert any("torch.nn.Module.eval" in u for u in urls)
