"""torch-missing-eval: a PyTorch model loaded for serving and never put in evaluation mode.

In modules that import PyTorch and serve (route handlers or predict-like functions), finds
models built or loaded at module level, in a lifespan/startup hook, or as ``self.X`` in a
class with a predict-like method: instances of the module's ``nn.Module`` subclasses (or of
any class when the instance gets ``load_state_dict``), torchvision/timm constructors, and
``torch.load`` results that are called as models. Reports
the ones never switched to evaluation mode: no ``.eval()``/``.train(False)`` on them anywhere
in the module (chained or later, by the same name or attribute). ``from_pretrained`` models
(already in eval mode) and ``torch.jit.load`` archives (they keep their saved mode) are skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from optimus.model import Category, Confidence, Severity
from optimus.parse.pyast import walk
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.python._handlers import (
    Imports,
    functions,
    in_test_code,
    is_predict_like,
    own_nodes,
    startup_functions,
)
from optimus.rules.python._ml import Models, model_call, serving_functions, unwrap, uses_torch

_SETUP_METHODS = ("__init__", "setup", "initialize", "load", "load_model", "start", "startup")


@dataclass(frozen=True)
class Binding:
    """A model assigned for serving: its target and the assignment."""

    target: ast.expr
    node: ast.Assign | ast.AnnAssign
    kind: str
    cls: ast.ClassDef | None = None  # set for `self.x = ...` in a predictor's setup method

    @property
    def key(self) -> str:
        return ast.unparse(self.target)

    @property
    def last(self) -> str:
        """The last name of the target: ``model`` for ``app.state.model``."""
        target = self.target
        if isinstance(target, ast.Subscript):
            return ast.unparse(target)
        return target.attr if isinstance(target, ast.Attribute) else ast.unparse(target)


def _evaluating(call: ast.Call) -> bool:
    """``.eval()``, ``.train(False)`` or ``.train(mode=False)``."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "eval" and not call.args and not call.keywords:
        return True
    if func.attr == "train":
        values = [*call.args, *(k.value for k in call.keywords if k.arg == "mode")]
        return any(isinstance(v, ast.Constant) and v.value is False for v in values)
    return False


def _chain_evaluates(value: ast.expr) -> bool:
    """``Net().to(dev).eval()``: the value itself is put in eval mode."""
    while isinstance(value, ast.Call | ast.Await):
        if isinstance(value, ast.Await):
            value = value.value
            continue
        if _evaluating(value):
            return True
        func = value.func
        if not isinstance(func, ast.Attribute):
            return False
        value = func.value
    return False


def _assignments(body: list[ast.stmt]) -> Iterator[ast.Assign | ast.AnnAssign]:
    for node in own_nodes(body):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            yield node


def _serving_bindings(module: ast.Module, models: Models) -> list[Binding]:
    """Models assigned at module level, in startup hooks, or in a predictor's setup method."""
    bodies: list[tuple[list[ast.stmt], ast.ClassDef | None]] = [(module.body, None)]
    startup = startup_functions(module)
    for info in functions(module):
        func, cls = info.node, info.cls
        if id(func) in startup:
            bodies.append((func.body, None))
        elif (
            cls is not None
            and func.name in _SETUP_METHODS
            and any(
                isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and is_predict_like(n.name)
                for n in cls.body
            )
        ):
            bodies.append((func.body, cls))
    # receivers of `.load_state_dict(...)`: nn.Module instances even if their class is imported
    restored = {
        ast.unparse(n.func.value)
        for n in walk(module)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "load_state_dict"
    }
    found: list[Binding] = []
    for body, cls in bodies:
        for node in _assignments(body):
            value = node.value
            if value is None:
                continue
            kind = models.kind_of(value)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            restores = any(ast.unparse(t) in restored for t in targets)
            if kind is None and restores and isinstance(unwrap(value), ast.Call):
                kind = "module"
            if kind not in ("module", "load") or _chain_evaluates(value):
                continue
            for target in targets:
                owner = cls if ast.unparse(target).startswith("self.") else None
                found.append(Binding(target, node, kind, owner))
    return found


@dataclass
class _Usage:
    """What a scope does with its models: put them in eval mode, call them, pass them on."""

    evaluated: set[str]
    called: set[str]
    passed: set[str]


def _usage(scope: ast.AST, models: Models) -> _Usage:
    usage = _Usage(set(), set(), set())
    for node in walk(scope):
        if not isinstance(node, ast.Call):
            continue
        if _evaluating(node) and isinstance(node.func, ast.Attribute):
            usage.evaluated |= _names(node.func.value)
        run = model_call(node, models)
        if run is not None:
            usage.called |= _names(run.receiver)
        for arg in node.args:
            usage.passed |= _names(arg)
    return usage


def _names(expr: ast.expr) -> set[str]:
    """The text of an expression and, for attributes, its last name and dotted suffixes."""
    text = ast.unparse(expr)
    out = {text}
    if isinstance(expr, ast.Attribute):
        parts = text.split(".")
        out |= {".".join(parts[i:]) for i in range(1, len(parts))}
    return out


def find_missing_eval(module: ast.Module) -> Iterator[Binding]:
    """Serving models of a module that are never put in evaluation mode."""
    imports = Imports(module)
    if not uses_torch(imports):
        return
    if next(serving_functions(module, imports), None) is None:
        return
    models = Models(module, imports)
    bindings = _serving_bindings(module, models)
    if not bindings:
        return
    usages: dict[int, _Usage] = {}
    # classes whose own code calls `self.eval()` (a model that sets its mode itself)
    self_evaluating = {
        cls.name
        for cls in walk(module)
        if isinstance(cls, ast.ClassDef) and any(_is_self_eval(n) for n in walk(cls))
    }
    for binding in bindings:
        scope: ast.AST = binding.cls if binding.cls is not None else module
        if id(scope) not in usages:
            usages[id(scope)] = _usage(scope, models)
        usage = usages[id(scope)]
        names = {binding.key, binding.last}
        if names & usage.evaluated:
            continue
        if binding.kind == "load" and not names & usage.called:
            continue  # torch.load often returns a state dict, not a model
        if usage.evaluated and names & usage.passed:
            continue  # handed to a helper; the module puts something in eval mode
        value = binding.node.value
        built = value.func if isinstance(value, ast.Call) else None
        if isinstance(built, ast.Name) and built.id in self_evaluating:
            continue
        yield binding


def _is_self_eval(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and _evaluating(node)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
    )


@rule
class TorchMissingEval(Rule):
    name = "torch-missing-eval"
    code = "PY008"
    category = Category.RELIABILITY
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    effort = 5
    preview = True
    kinds = frozenset({"python"})
    prefilter = (b"torch", b"transformers", b"timm", b"lightning")
    summary = "A PyTorch model served for inference is never switched to evaluation mode."
    doc = {
        "What it finds": (
            "In a module that imports PyTorch (torch, torchvision, timm, transformers, "
            "Lightning) and serves requests (route handlers or "
            "predict-like functions), a model created at module level, in a lifespan or "
            "startup hook, or as `self.X` in the setup method of a class with a predict "
            "method, that is never put in evaluation mode: no `.eval()`, `.train(False)` "
            "or `.train(mode=False)` on it anywhere in the module, chained "
            "(`Net().to(dev).eval()`) or later (`model.eval()`, `self.model.eval()`). "
            "Models are instances of the module's `nn.Module` subclasses, instances of "
            "imported classes that get `load_state_dict(...)`, "
            "`torchvision.models`/`timm.create_model` constructors, and `torch.load` "
            "results that the module calls as models."
        ),
        "Why": (
            "Modules start in training mode. In training mode, dropout layers zero random "
            "activations and batch-norm layers normalise with the current batch's statistics "
            "and update their running averages, so predictions are random and depend on what "
            "else is in the batch: a correctness bug, not only a slowdown. "
            "`Module.eval()` switches those layers to inference behaviour. PyTorch's "
            "autograd notes stress that evaluation mode and no-grad mode are separate: "
            "`torch.no_grad()` does not switch to evaluation mode and `eval()` does not "
            "disable gradients."
        ),
        "Example": (
            "```python\n"
            "model = Net()\n"
            "model.load_state_dict(torch.load('weights.pt'))\n\n"
            "@app.post('/predict')\n"
            "def predict(x: list[float]):\n"
            "    with torch.inference_mode():\n"
            "        return model(torch.tensor([x])).tolist()\n"
            "```"
        ),
        "Instead": (
            "```python\n"
            "model = Net()\n"
            "model.load_state_dict(torch.load('weights.pt'))\n"
            "model.eval()\n"
            "```"
        ),
        "When not to": (
            "Models with no dropout, batch-norm or other mode-dependent layers behave the "
            "same in both modes (the call is still cheap insurance). Not reported: "
            "`from_pretrained` models (transformers returns them in evaluation mode), "
            "`torch.jit.load` archives (they keep the mode they were saved in), models "
            "passed to a helper when the module calls `.eval()` somewhere, and classes "
            "that call `self.eval()` themselves. Models put in eval mode by code in another "
            "module are not seen."
        ),
    }
    references = (
        Reference(
            "PyTorch: torch.nn.Module.eval",
            "https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.eval",
        ),
        Reference(
            "PyTorch: Autograd mechanics - Evaluation Mode (nn.Module.eval())",
            "https://pytorch.org/docs/stable/notes/autograd.html#evaluation-mode-nn-module-eval",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if in_test_code(src):
            return
        for binding in find_missing_eval(src.python):
            made = unwrap(binding.node.value) if binding.node.value is not None else None
            source = f" (`{ast.unparse(made.func)}(...)`)" if isinstance(made, ast.Call) else ""
            yield Hit(
                f"`{binding.key}`{source} is served but never put in evaluation mode: in "
                "training mode dropout stays active and batch-norm uses per-batch statistics, "
                "so predictions are random and depend on the batch; call "
                f"`{binding.key}.eval()` once after loading",
                line=binding.node.lineno,
                end_line=binding.node.end_lineno,
            )
