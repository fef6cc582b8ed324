"""inference-per-item-loop: one model call per item in serving code; batches stay quiet."""

from __future__ import annotations

import ast
from pathlib import Path

from optimus.registry import get_rule
from optimus.rules.python.inference_per_item_loop import find_item_loops
from optimus.testing.harness import assert_rule_matches

RULE = "inference-per-item-loop"
FIXTURES = Path(__file__).parent / "inference_per_item_loop"


def test_fixture_project() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_messages_are_advisory() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    by_line = {(f.path, f.line): f for f in result.findings}
    first = by_line["app/api.py", 18]
    assert "`classifier(...)` in request handler `classify`" in first.message
    assert "once per item of `texts`" in first.message
    assert "not always faster" in first.message and "measure" in first.message
    assert first.severity.value == "low" and first.code == "PY009"
    assert "`self.model(...)` in `predict`" in by_line["app/worker.py", 18].message


def _lines(code: str) -> list[int]:
    return [call.call.lineno for call, *_ in find_item_loops(ast.parse(code))]


def test_derived_names_and_while_loops() -> None:
    code = (
        "import torch\n"
        "model = torch.load('m.pt')\n"
        "def predict(xs):\n"
        "    for x in xs:\n"
        "        t = torch.tensor(x)\n"
        "        y = model(t)\n"  # line 6: t is computed from the loop variable
        "    i = 0\n"
        "    while i < len(xs):\n"
        "        model(xs[i])\n"  # while loops are not judged
        "        i += 1\n"
    )
    assert _lines(code) == [6]


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.code == "PY009" and rule.preview
    assert rule.confidence.value == "low"
    urls = {r.url for r in rule.references}
    assert (
        "https://huggingface.co/docs/transformers/main_classes/pipelines#pipeline-batching" in urls
    )
