"""Shared reading of ML serving code: model loaders, model objects, forward calls, no-grad.

Used by model-loaded-per-request, torch-inference-no-grad, torch-missing-eval and
inference-per-item-loop. A "model" is a value made by a loader (``torch.load``,
``X.from_pretrained(...)`` except tokenizers and processors, ``pipeline(...)``,
``SentenceTransformer(...)``), an instance of an ``nn.Module`` subclass of the module, a
``torchvision.models``/``timm`` constructor, or an attribute named ``model``/``net``/
``encoder``. This module registers no rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from optimus.parse.pyast import walk
from optimus.rules.python._handlers import (
    Function,
    FunctionInfo,
    Imports,
    call_name,
    functions,
    is_predict_like,
    own_nodes,
    route_handlers,
)

#: Functions that load a model from disk or a hub, by qualified name.
LOADERS = frozenset(
    {
        "torch.load",
        "torch.jit.load",
        "joblib.load",
        "pickle.load",
        "cloudpickle.load",
        "dill.load",
        "onnxruntime.InferenceSession",
        "tensorflow.keras.models.load_model",
        "tf_keras.models.load_model",
        "keras.models.load_model",
        "keras.saving.load_model",
        "transformers.pipeline",
        "sentence_transformers.SentenceTransformer",
        "sentence_transformers.CrossEncoder",
        "spacy.load",
        "whisper.load_model",
    }
)
_PICKLES = frozenset({"pickle.load", "cloudpickle.load", "dill.load"})
#: Words in a pickle's file name or path that say it holds a model (not settings or data).
_MODEL_FILE = re.compile(
    r"model|clf|classif|estimator|regress|vectori[sz]er|encoder|scaler|xgb|lgbm|forest|svm",
    re.IGNORECASE,
)
#: Loader arguments that read request data (an upload), not a model file.
_REQUEST_DATA = re.compile(
    r"\bawait\b|\.read\(|BytesIO|\brequest\b|\.file\b|\bfiles\[|upload", re.I
)
#: from_pretrained classes that are not models (their __call__ is not a forward pass).
_NOT_MODELS = re.compile(r"Tokenizer|Processor|FeatureExtractor|Config|Scheduler")
_MODULE_BASES = ("torch.nn.Module", "torch.nn.modules.module.Module")
_LIGHTNING = ("lightning.LightningModule", "pytorch_lightning.LightningModule")
#: Methods that return the model itself, looked through when following a binding.
_SAME_MODEL = frozenset(
    {"to", "cuda", "cpu", "eval", "half", "float", "bfloat16", "double", "requires_grad_", "train"}
)
_WRAPPERS = frozenset({"compile", "DataParallel", "DistributedDataParallel", "script", "trace"})
#: Attribute names that hold a model by convention (``self.model``, ``app.state.model``).
MODEL_ATTRIBUTES = frozenset({"model", "net", "encoder"})
_NO_GRAD = frozenset({"no_grad", "inference_mode", "set_grad_enabled"})
#: Packages whose import means the module runs PyTorch models.
TORCH_PACKAGES = (
    "torch",
    "torchvision",
    "torchaudio",
    "timm",
    "transformers",
    "lightning",
    "pytorch_lightning",
)


def uses_torch(imports: Imports) -> bool:
    """Whether the module imports PyTorch or a library of PyTorch models."""
    return any(imports.imports(p) for p in TORCH_PACKAGES)


def loader_name(call: ast.Call, imports: Imports) -> str | None:
    """How a model-loading call is shown: ```ort.InferenceSession(...)` (`onnxruntime...`)``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
        return f"`{ast.unparse(func)}(...)`"
    qual = imports.qualname(func)
    if qual is None and isinstance(func, ast.Attribute):
        # ``tf.keras.models.load_model`` after ``import tensorflow as tf``
        qual = ast.unparse(func).replace("tf.", "tensorflow.", 1)
    if qual not in LOADERS:
        return None
    written = ast.unparse(func)
    return f"`{written}(...)`" + ("" if written == qual else f" (`{qual}`)")


def reads_request_data(call: ast.Call) -> bool:
    """A loader applied to uploaded or request bytes (deserialising data, not a model)."""
    return any(_REQUEST_DATA.search(ast.unparse(a)) for a in [*call.args, *call.keywords])


def pickle_of_model(
    call: ast.Call, imports: Imports, scope: list[ast.stmt], target: str = ""
) -> bool:
    """For pickle-like loaders: whether the file (its name or path, or the variable and
    annotation it is assigned to, given as ``target``) looks like a model."""
    if imports.qualname(call.func) not in _PICKLES:
        return True
    texts = [ast.unparse(a) for a in call.args] + [target]
    names = {a.id for a in call.args if isinstance(a, ast.Name)}
    for node in own_nodes(scope):
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            if node.optional_vars.id in names:
                texts.append(ast.unparse(node.context_expr))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in names for t in node.targets
        ):
            texts.append(ast.unparse(node.value))
    return any(_MODEL_FILE.search(t) for t in texts)


def module_classes(module: ast.Module, imports: Imports) -> set[str]:
    """Names of the module's ``nn.Module`` (and LightningModule) subclasses, transitively."""
    found: set[str] = set()
    classes = [n for n in walk(module) if isinstance(n, ast.ClassDef)]
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls.name in found:
                continue
            for base in cls.bases:
                qual = imports.qualname(base) or ""
                local = isinstance(base, ast.Name) and base.id in found
                if local or qual in _MODULE_BASES or qual in _LIGHTNING:
                    found.add(cls.name)
                    changed = True
                    break
    return found


def lightning_classes(module: ast.Module, imports: Imports) -> set[str]:
    """Names of LightningModule subclasses (Lightning runs their steps without grad)."""
    return {
        n.name
        for n in walk(module)
        if isinstance(n, ast.ClassDef) and any(imports.qualname(b) in _LIGHTNING for b in n.bases)
    }


def unwrap(expr: ast.expr) -> ast.expr:
    """The model expression under ``.to(dev).eval()``, ``torch.compile(...)`` and the like."""
    while isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in _SAME_MODEL:
            expr = func.value
        elif call_name(expr) in _WRAPPERS and expr.args:
            expr = expr.args[0]
        else:
            break
    return expr


class Models:
    """The model bindings of a module and a way to tell model objects and forward calls."""

    def __init__(self, module: ast.Module, imports: Imports) -> None:
        self.imports = imports
        self.classes = module_classes(module, imports)
        #: unparsed target (``model``, ``self.net``, ``app.state.model``) -> kind
        self.bindings: dict[str, str] = {}
        for node in walk(module):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                kind = self.kind_of(node.value)
                if kind is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    self.bindings[ast.unparse(target)] = kind
        # `model.load_state_dict(...)` and `model.eval()` only exist on nn.Module: such a name
        # is a model even when it is imported (`from model import model`).
        for node in walk(module):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("load_state_dict", "eval")
                and not node.args[1:]
                and isinstance(node.func.value, ast.Name | ast.Attribute)
            ):
                self.bindings.setdefault(ast.unparse(node.func.value), "module")

    def kind_of(self, value: ast.expr) -> str | None:
        """ "load", "pretrained", "pipeline", "sentence", "module" or None for a value."""
        expr = unwrap(value)
        if isinstance(expr, ast.Await):
            expr = expr.value
        if not isinstance(expr, ast.Call):
            return None
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
            owner = ast.unparse(func.value)
            if _NOT_MODELS.search(owner) or owner.startswith(("TF", "Flax")):
                return None  # tokenizers, configs; TensorFlow and Flax models
            # diffusers pipelines run under no_grad themselves, like transformers pipelines
            return "pipeline" if "Pipeline" in owner else "pretrained"
        qual = self.imports.qualname(func) or ""
        if qual in ("torch.load", "torch.jit.load"):
            return "load" if qual == "torch.load" else "jit"
        if qual == "transformers.pipeline":
            return "pipeline"
        if qual.startswith("sentence_transformers."):
            return "sentence"
        if qual.startswith("torchvision.models.") or qual == "timm.create_model":
            return "module"
        if isinstance(func, ast.Name) and func.id in self.classes:
            return "module"
        return None

    def model_kind(self, expr: ast.expr) -> str | None:
        """The kind of model an expression holds, or None when it is not known as one."""
        key = ast.unparse(expr)
        if key in self.bindings:
            return self.bindings[key]
        if isinstance(expr, ast.Attribute):
            # `request.app.state.model` for a model bound as `app.state.model`
            parts = key.split(".")
            for i in range(1, len(parts) - 1):
                if ".".join(parts[i:]) in self.bindings:
                    return self.bindings[".".join(parts[i:])]
            # `self.model` bound as `model` elsewhere, or a conventional attribute name
            if expr.attr in MODEL_ATTRIBUTES:
                return self.bindings.get(expr.attr, "attribute")
            if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
                return self.bindings.get(f"self.{expr.attr}")
        return None


@dataclass(frozen=True)
class ModelCall:
    """A call that runs a model: ``model(x)``, ``self.net.forward(x)``, ``model.generate()``."""

    call: ast.Call
    receiver: ast.expr
    method: str  # "" for model(x), else "forward", "generate" or "encode"
    kind: str

    @property
    def shown(self) -> str:
        text = ast.unparse(self.receiver)
        text = text if len(text) <= 40 else "..." + text[-37:]
        return f"{text}.{self.method}(...)" if self.method else f"{text}(...)"


def model_call(call: ast.Call, models: Models) -> ModelCall | None:
    """The model run by a call, if it is one."""
    func = call.func
    kind = models.model_kind(func)
    if kind is not None:
        return ModelCall(call, func, "", kind)
    if isinstance(func, ast.Attribute) and func.attr in ("forward", "generate", "encode"):
        kind = models.model_kind(func.value)
        if kind is not None and (func.attr != "encode" or kind == "sentence"):
            return ModelCall(call, func.value, func.attr, kind)
    return None


def serving_functions(module: ast.Module, imports: Imports) -> Iterator[tuple[FunctionInfo, str]]:
    """Request handlers and predict-like functions, each with how it is described."""
    handlers = route_handlers(module, imports)
    lightning = lightning_classes(module, imports)
    for info in functions(module):
        func = info.node
        if id(func) in handlers:
            yield info, f"request handler `{func.name}`"
        elif (
            is_predict_like(func.name)
            and not func.name.endswith("_step")
            and (info.cls is None or info.cls.name not in lightning)
        ):
            yield info, f"`{func.name}`"


def is_no_grad(expr: ast.expr, imports: Imports) -> bool:
    """``torch.no_grad()``, ``torch.inference_mode()``, ``no_grad`` (decorator or context)."""
    target = expr.func if isinstance(expr, ast.Call) else expr
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    if name not in _NO_GRAD:
        return False
    qual = imports.qualname(target) or ""
    return qual.startswith("torch") or isinstance(target, ast.Attribute)


def no_grad_nodes(func: Function, imports: Imports) -> set[int]:
    """ids of the nodes of a function that run inside a ``with torch.no_grad():`` block."""
    inside: set[int] = set()
    for node in own_nodes(func.body):
        if isinstance(node, ast.With | ast.AsyncWith) and any(
            is_no_grad(item.context_expr, imports) for item in node.items
        ):
            for stmt in node.body:
                inside |= {id(n) for n in walk(stmt)}
    return inside
