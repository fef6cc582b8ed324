"""inference-per-item-loop: a model called once per item in a loop of a serving function.

In request handlers and predict-like functions, finds model calls (``model(x)``,
``model.forward(x)``, ``model.generate(...)``, a transformers ``pipeline`` object, a
SentenceTransformer's ``encode``) inside a ``for`` loop or comprehension whose arguments use
the loop variable (or a name computed from it in the loop), i.e. one item per call. Loops
over batches, chunks or data loaders are skipped, and so are loops whose calls do not use the
loop variable (autoregressive decoding steps). Advisory: batching may help; measure it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from optimus.model import Category, Confidence, Severity
from optimus.parse.pyast import walk
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.python._handlers import (
    Imports,
    display,
    in_test_code,
    loop_targets,
    names_in,
    walk_with_loops,
)
from optimus.rules.python._ml import ModelCall, Models, model_call, serving_functions

_BATCHED = re.compile(r"batch|chunk|loader|shard", re.IGNORECASE)


def _derived(loop: ast.AST) -> set[str]:
    """The loop's variables and names assigned in its body from them (in order, once)."""
    names = loop_targets(loop)
    body = loop.body if isinstance(loop, ast.For | ast.AsyncFor) else []
    for stmt in body:
        for node in walk(stmt):
            if isinstance(node, ast.Assign) and names_in(node.value) & names:
                for target in node.targets:
                    names |= names_in(target)
    return names


def _batched(loop: ast.AST) -> bool:
    if isinstance(loop, ast.For | ast.AsyncFor):
        text = ast.unparse(loop.target) + " " + ast.unparse(loop.iter)
    else:
        text = " ".join(
            ast.unparse(g.target) + " " + ast.unparse(g.iter)
            for g in getattr(loop, "generators", [])
        )
    return bool(_BATCHED.search(text))


def _iterable(loop: ast.AST) -> str:
    if isinstance(loop, ast.For | ast.AsyncFor):
        return display(loop.iter, 40)
    generators = getattr(loop, "generators", [])
    return display(generators[0].iter, 40) if generators else "a collection"


def find_item_loops(module: ast.Module) -> Iterator[tuple[ModelCall, str, str]]:
    """(model call, where, iterable) for each model call made once per item of a loop."""
    imports = Imports(module)
    models = Models(module, imports)
    if not models.bindings and not any(
        isinstance(n, ast.Attribute) and n.attr in ("model", "net", "encoder") for n in walk(module)
    ):
        return
    for info, where in serving_functions(module, imports):
        derived: dict[int, set[str]] = {}
        for node, loop in walk_with_loops(info.node.body):
            if loop is None or not isinstance(node, ast.Call):
                continue
            if not isinstance(
                loop, ast.For | ast.AsyncFor | ast.ListComp | ast.SetComp | ast.GeneratorExp
            ):
                continue  # while loops: usually decoding steps, not items
            call = model_call(node, models)
            if call is None or _batched(loop):
                continue
            if id(loop) not in derived:
                derived[id(loop)] = _derived(loop)
            used: set[str] = set()
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                used |= names_in(arg)
            if used & derived[id(loop)]:
                yield call, where, _iterable(loop)


@rule
class InferencePerItemLoop(Rule):
    name = "inference-per-item-loop"
    code = "PY009"
    category = Category.PERFORMANCE
    severity = Severity.LOW
    confidence = Confidence.LOW
    effort = 30
    preview = True
    kinds = frozenset({"python"})
    # ML libraries only: "model" alone matches most Django and ORM modules.
    prefilter = (
        b"torch",
        b"transformers",
        b"onnxruntime",
        b"tensorflow",
        b"keras",
        b"joblib",
        b"sklearn",
        b"sentence_transformers",
        b"diffusers",
    )
    summary = "A model is called once per item in a loop of a serving function; batching may help."
    doc = {
        "What it finds": (
            "In a request handler or a predict-like function (`predict`, `run_inference`, "
            "`handle`...), a model call (`model(x)`, `model.forward(x)`, "
            "`model.generate(...)`, a transformers `pipeline` object, "
            "`SentenceTransformer.encode`) inside a `for` loop or a list/generator "
            "comprehension, whose arguments use the loop variable or a name computed from it "
            "in the loop body: one item per call. Loops whose variable or iterable mentions "
            "a batch, chunk, shard or data loader are skipped, and so are `while` loops and "
            "calls that do not use the loop variable (decoding steps)."
        ),
        "Why": (
            "Each model call has fixed overhead (Python dispatch, kernel launches, host-device "
            "transfers), and accelerators are most efficient on batches, so sending items one "
            "by one can leave most of the hardware idle. But batching is not always faster: "
            "Hugging Face's pipeline documentation warns that batching is not necessarily "
            "faster and can be quite a bit slower, depending on hardware, data and model "
            "(padding to the longest item, for one). This is advice to try and measure, not "
            "a measured speed-up."
        ),
        "Example": (
            "```python\n"
            "@app.post('/classify')\n"
            "def classify(texts: list[str]):\n"
            "    return [classifier(t) for t in texts]\n"
            "```"
        ),
        "Instead": (
            "```python\n"
            "@app.post('/classify')\n"
            "def classify(texts: list[str]):\n"
            "    return classifier(texts, batch_size=16)\n"
            "```\n\n"
            "Stack the items into one tensor (`torch.stack`) or pass the list to the "
            "pipeline/encoder with a `batch_size`, then measure latency and throughput with "
            "realistic inputs before keeping the change."
        ),
        "When not to": (
            "Items of very different lengths (padding wastes the gain), memory limits, "
            "latency-sensitive single-item requests, CPU-only inference with small models, "
            "or results that must stream one by one. Always measure: the rule cannot know "
            "whether batching is faster on your hardware."
        ),
    }
    references = (
        Reference(
            "Hugging Face Transformers: Pipeline batching",
            "https://huggingface.co/docs/transformers/main_classes/pipelines#pipeline-batching",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if in_test_code(src):
            return
        found = sorted(find_item_loops(src.python), key=lambda h: h[0].call.lineno)
        for call, where, iterable in found:
            yield Hit(
                f"`{call.shown}` in {where} runs the model once per item of `{iterable}`: "
                "each call pays the fixed per-call overhead and may leave an accelerator "
                "underused; batching the items (one stacked tensor, or `batch_size=` for "
                "pipelines) may help, but is not always faster: measure it",
                line=call.call.lineno,
                end_line=call.call.end_lineno,
            )
