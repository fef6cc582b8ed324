"""torch-inference-no-grad: a PyTorch model run for serving with autograd still recording.

In modules that import PyTorch (or torchvision, timm, transformers, Lightning), looks at
request handlers and predict-like functions
(``predict``, ``run_inference``, ``handle``, ``serve``...) for forward passes of a model
(``model(x)``, ``self.model(x)``, ``model.forward(x)``) that run outside ``with
torch.no_grad():``/``torch.inference_mode():`` in functions not decorated with either and not
called under one. ``generate()`` (transformers decorates it with ``@torch.no_grad()``),
pipelines and SentenceTransformer (which disable gradients themselves), functions that call
``.backward()``, Lightning ``*_step`` methods and modules that switch gradients off globally
are skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from optimus.model import Category, Confidence, Severity
from optimus.parse.pyast import walk
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.python._handlers import (
    Function,
    Imports,
    call_name,
    functions,
    in_test_code,
    own_nodes,
)
from optimus.rules.python._ml import (
    ModelCall,
    Models,
    is_no_grad,
    model_call,
    no_grad_nodes,
    serving_functions,
    uses_torch,
)

#: Model kinds whose call already runs without gradients.
_GRADLESS_KINDS = frozenset({"pipeline", "sentence"})


def _grad_off_globally(module: ast.Module, imports: Imports) -> bool:
    """``torch.set_grad_enabled(False)`` as a statement anywhere in the module."""
    for node in walk(module):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and call_name(node.value) == "set_grad_enabled"
            and is_no_grad(node.value, imports)
        ):
            arg = node.value.args[0] if node.value.args else None
            if isinstance(arg, ast.Constant) and arg.value is False:
                return True
    return False


def _called_without_grad(module: ast.Module, imports: Imports) -> set[str]:
    """Names of functions called inside a no-grad block somewhere in the module."""
    names: set[str] = set()
    bodies: list[list[ast.stmt]] = [module.body] + [i.node.body for i in functions(module)]
    for body in bodies:
        for node in own_nodes(body):
            if isinstance(node, ast.With | ast.AsyncWith) and any(
                is_no_grad(item.context_expr, imports) for item in node.items
            ):
                for stmt in node.body:
                    names |= {call_name(n) for n in walk(stmt) if isinstance(n, ast.Call)}
    return names


def _trains(func: Function) -> bool:
    return any(
        isinstance(n, ast.Call) and call_name(n) in ("backward", "step", "zero_grad")
        for n in own_nodes(func.body)
    )


def find_grad_forwards(module: ast.Module) -> Iterator[tuple[ModelCall, str, int, str]]:
    """(first forward call, where, number of such calls, function name) per serving function."""
    imports = Imports(module)
    if not uses_torch(imports) or _grad_off_globally(module, imports):
        return
    models = Models(module, imports)
    under_no_grad = _called_without_grad(module, imports)
    for info, where in serving_functions(module, imports):
        func = info.node
        if (
            any(is_no_grad(d, imports) for d in func.decorator_list)
            or func.name in under_no_grad
            or _trains(func)
        ):
            continue
        inside = no_grad_nodes(func, imports)
        found: list[ModelCall] = []
        for node in own_nodes(func.body):
            if isinstance(node, ast.Call) and id(node) not in inside:
                call = model_call(node, models)
                if call and call.method != "generate" and call.kind not in _GRADLESS_KINDS:
                    found.append(call)
        if found:
            found.sort(key=lambda c: (c.call.lineno, c.call.col_offset))
            yield found[0], where, len(found), func.name


@rule
class TorchInferenceNoGrad(Rule):
    name = "torch-inference-no-grad"
    fixable = True
    code = "PY007"
    category = Category.PERFORMANCE
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 5
    preview = True
    kinds = frozenset({"python"})
    prefilter = (b"torch", b"transformers", b"timm", b"lightning")
    summary = (
        "A PyTorch model runs for inference with autograd recording (no no_grad/inference_mode)."
    )
    doc = {
        "What it finds": (
            "In a module that imports PyTorch (torch, torchvision, timm, transformers, "
            "Lightning), a forward pass of a model (`model(x)`, "
            "`self.model(x)`, `model.forward(x)`) in a request handler or a predict-like "
            "function (`predict`, `predict_batch`, `run_inference`, `infer`, `handle`, "
            "`serve`), outside `with torch.no_grad():`/`with torch.inference_mode():`, in a "
            "function not decorated with `@torch.no_grad()`/`@torch.inference_mode()` and "
            "not called inside such a block in the same module. A model is a name or "
            "attribute assigned from `torch.load`, `from_pretrained`, an `nn.Module` "
            "subclass of the module, torchvision/timm constructors, a name the module calls "
            "`.load_state_dict(...)` or `.eval()` on, or an attribute named `model`, `net` "
            "or `encoder`. One finding per function, at its first such call."
        ),
        "Why": (
            "With gradients enabled, every operation on tensors that require grad records "
            "the autograd graph and keeps the intermediate activations a backward pass "
            "would need; at inference there is no backward pass, so that memory and "
            "bookkeeping are wasted. PyTorch's autograd notes describe no-grad mode for code "
            "that will not call backward and inference mode as the extreme version of it, "
            "with better performance because it also skips view tracking and version "
            "counter bumps. They also note that `model.eval()` is not a substitute: "
            "evaluation mode is not a mechanism to locally disable gradient computation. "
            "The size of the saving depends on the model and batch; not measured here."
        ),
        "Example": (
            "```python\n"
            "@app.post('/predict')\n"
            "def predict(req: Request):\n"
            "    x = preprocess(req)\n"
            "    return model(x).argmax(-1).tolist()\n"
            "```"
        ),
        "Instead": (
            "```python\n"
            "@app.post('/predict')\n"
            "@torch.inference_mode()\n"
            "def predict(req: Request):\n"
            "    x = preprocess(req)\n"
            "    return model(x).argmax(-1).tolist()\n"
            "```\n\n"
            "or wrap the forward pass in `with torch.inference_mode():` (`torch.no_grad()` "
            "where its outputs must later be used in autograd)."
        ),
        "When not to": (
            "Code that needs gradients at inference (saliency maps, adversarial examples, "
            "test-time training). Tensors created under inference mode cannot be used in "
            "autograd later; use `no_grad` there. Not reported: `generate()` (transformers "
            "already decorates it with `@torch.no_grad()`), transformers pipelines and "
            "SentenceTransformer, which switch gradients off themselves, PyTorch Lightning "
            "`predict_step` (run by the trainer in inference mode), and modules that call "
            "`torch.set_grad_enabled(False)`. A no-grad context set up by a caller in "
            "another module is not seen."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` wraps the serving "
            "function's statements that run the model in `with torch.inference_mode():` "
            "through LibCST (comments kept); tensors made there cannot join autograd later. "
            "Refused when the wrapped statements `await` or `yield`."
        ),
    }
    references = (
        Reference(
            "PyTorch: Autograd mechanics - Locally disabling gradient computation",
            "https://pytorch.org/docs/stable/notes/autograd.html#locally-disabling-gradient-computation",
        ),
        Reference(
            "PyTorch: torch.inference_mode",
            "https://pytorch.org/docs/stable/generated/torch.inference_mode.html",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if in_test_code(src):
            return
        for call, where, count, function in find_grad_forwards(src.python):
            more = f" (and {count - 1} more model call(s) there)" if count > 1 else ""
            yield Hit(
                f"`{call.shown}` in {where} runs the model with autograd on{more}: PyTorch "
                "records the graph and keeps activations for a backward pass that never "
                "comes, costing memory and time; run inference under `with "
                "torch.inference_mode():` (or `torch.no_grad()`), or decorate "
                f"`{function}` with `@torch.inference_mode()`",
                line=call.call.lineno,
                end_line=call.call.end_lineno,
            )
