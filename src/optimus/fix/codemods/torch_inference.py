"""torch-inference-no-grad: run the serving function's forward passes under inference mode.

The statements of the reported function that run the model (from the first to the last
one, at the function's top level) are wrapped in ``with torch.inference_mode():`` through
LibCST, which re-indents them and keeps their comments. ``import torch`` is added when the
module reaches torch another way. Unsafe: tensors made under inference mode cannot take part
in autograd later (a caller that trains on them would fail), which a serving path does not
do but the fix cannot prove. Refused when the wrapped statements ``await`` or ``yield`` (the
thread's grad mode would stay off while other tasks run), when ``torch`` names something
else, or when the reported line holds no such call any more.
"""

from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _python as py
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding
from optimus.rules.python._handlers import Imports, functions, own_nodes
from optimus.rules.python._ml import Models, model_call, no_grad_nodes
from optimus.rules.python.torch_inference_no_grad import find_grad_forwards

#: Model kinds whose call already runs without gradients (as the rule says).
_GRADLESS = frozenset({"pipeline", "sentence"})


def _forward_span(tree: ast.Module, line: int | None) -> tuple[ast.AST, int, int] | None:
    """(function, first, last index of its top-level statements running the model)."""
    first = next((c for c, _, _, _ in find_grad_forwards(tree) if c.call.lineno == line), None)
    if first is None:
        return None
    imports = Imports(tree)
    models = Models(tree, imports)
    for info in functions(tree):
        func = info.node
        if not (func.lineno <= first.call.lineno <= (func.end_lineno or 0)):
            continue
        inside = no_grad_nodes(func, imports)
        calls = [
            node
            for node in own_nodes(func.body)
            if isinstance(node, ast.Call) and id(node) not in inside
        ]
        if first.call not in calls:
            continue
        forwards = []
        for node in calls:
            found = model_call(node, models)
            if found and found.method != "generate" and found.kind not in _GRADLESS:
                forwards.append(node)
        rows = [i for i, stmt in enumerate(func.body) if any(n in forwards for n in ast.walk(stmt))]
        return func, min(rows), max(rows)
    return None


class _Wrap(cst.CSTTransformer):
    """Wraps body[first:last+1] of the function whose body starts at a position."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, start: tuple[int, int], first: int, last: int) -> None:
        super().__init__()
        self.start, self.first, self.last = start, first, last
        self.done = False

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if self.done or not original.body:
            return updated
        pos = self.get_metadata(PositionProvider, original.body[0]).start
        if (pos.line, pos.column) != self.start:
            return updated
        body = list(updated.body)
        wrapped = body[self.first : self.last + 1]
        leading = wrapped[0].leading_lines
        wrapped[0] = wrapped[0].with_changes(leading_lines=())
        block = cst.With(
            items=[cst.WithItem(cst.Call(func=py.dotted("torch.inference_mode")))],
            body=cst.IndentedBlock(body=wrapped),
            leading_lines=leading,
        )
        self.done = True
        return updated.with_changes(body=[*body[: self.first], block, *body[self.last + 1 :]])


@fixer("torch-inference-no-grad", Applicability.UNSAFE)
def fix_inference_mode(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Wrap the model-running statements in ``with torch.inference_mode():``."""
    text = ctx.read_text(finding.path)
    parsed = py.parse_both(text) if text is not None else None
    if text is None or parsed is None:
        return None
    tree, module = parsed
    span = _forward_span(tree, finding.line)
    if span is None or not py.name_is_free(tree, "torch", "torch"):
        return None
    func, first, last = span
    assert isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
    for stmt in func.body[first : last + 1]:
        if any(isinstance(n, ast.Await | ast.Yield | ast.YieldFrom) for n in ast.walk(stmt)):
            return None
    head = func.body[0]
    start = (head.lineno, py.char_column(text, head.lineno, head.col_offset))
    wrapper = _Wrap(start, first, last)
    new = MetadataWrapper(module).visit(wrapper)
    if not wrapper.done:
        return None
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"run the model in `{func.name}` under `with torch.inference_mode():` (lines "
        f"{func.body[first].lineno}-{func.body[last].end_lineno}), so autograd records nothing",
        text,
        py.add_import(new, "torch").code,
    )
