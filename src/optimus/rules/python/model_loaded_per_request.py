"""model-loaded-per-request: an ML model loaded inside a request handler or dependency.

Finds model loaders (``torch.load``, ``torch.jit.load``, ``X.from_pretrained(...)``,
``transformers.pipeline``, ``SentenceTransformer``, ``joblib.load``, ``pickle.load`` of a
model file, ``onnxruntime.InferenceSession``, ``keras`` ``load_model``, ``spacy.load``)
called in a route handler or in a function used as a FastAPI ``Depends(...)`` that is not
memoised (``functools.lru_cache``/``cache``), and calls from those to a helper of the same
module that loads a model without memoising it. Loads whose result is stored (``global``,
``app.state``, a cache dict) and loads of uploaded bytes are skipped, and so are test files.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.python._handlers import (
    Function,
    Imports,
    depends_targets,
    functions,
    in_test_code,
    is_cached,
    own_nodes,
    parents,
    route_handlers,
)
from optimus.rules.python._ml import loader_name, pickle_of_model, reads_request_data


def _stored(call: ast.Call, func: Function, parent_of: dict[int, ast.AST]) -> bool:
    """The loaded model is kept: assigned to an attribute, a subscript or a global name."""
    parent = parent_of.get(id(call))
    if isinstance(parent, ast.Await):
        parent = parent_of.get(id(parent))
    if not isinstance(parent, ast.Assign | ast.AnnAssign):
        return False
    targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
    globals_ = {n for s in own_nodes(func.body) if isinstance(s, ast.Global) for n in s.names}
    return any(
        isinstance(t, ast.Attribute | ast.Subscript)
        or (isinstance(t, ast.Name) and t.id in globals_)
        for t in targets
    )


def _target_text(call: ast.Call, parent_of: dict[int, ast.AST]) -> str:
    """What a call's result is assigned to, with its annotation (``model: Classifier``)."""
    parent = parent_of.get(id(call))
    if isinstance(parent, ast.Assign):
        return " ".join(ast.unparse(t) for t in parent.targets)
    if isinstance(parent, ast.AnnAssign):
        return f"{ast.unparse(parent.target)}: {ast.unparse(parent.annotation)}"
    return ""


def _loads(func: Function, imports: Imports) -> Iterator[tuple[ast.Call, str]]:
    """Model loads made directly in a function's body whose result is not kept."""
    parent_of = parents(func.body)
    for node in own_nodes(func.body):
        if not isinstance(node, ast.Call):
            continue
        shown = loader_name(node, imports)
        if (
            shown is None
            or reads_request_data(node)
            or not pickle_of_model(node, imports, func.body, _target_text(node, parent_of))
            or _stored(node, func, parent_of)
        ):
            continue
        yield node, shown


def _memoising(func: Function) -> bool:
    """A helper that keeps what it loads (a global, an attribute, a cache dict)."""
    if is_cached(func):
        return True
    for node in own_nodes(func.body):
        if isinstance(node, ast.Global | ast.Nonlocal):
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute | ast.Subscript) for t in node.targets
        ):
            return True
    return False


def find_loads(module: ast.Module) -> Iterator[tuple[ast.Call, str]]:
    """(call, message) for each model loaded per request in a module."""
    imports = Imports(module)
    handlers = route_handlers(module, imports)
    depends = depends_targets(module)
    infos = functions(module)
    # Module-level helpers that load a model each time they run, by name.
    loading_helpers: dict[str, str] = {}
    for info in infos:
        func = info.node
        if info.cls is None and id(func) not in handlers and not _memoising(func):
            first = next(_loads(func, imports), None)
            if first is not None:
                loading_helpers[func.name] = first[1]
    for info in infos:
        func = info.node
        if id(func) in handlers:
            where = f"request handler `{func.name}`"
            instead = (
                "load it once at startup (module level, or the app's lifespan and `app.state`)"
            )
        elif info.cls is None and func.name in depends and not is_cached(func):
            where = f"dependency `{func.name}` (run by `Depends` on every request)"
            instead = f"decorate `{func.name}` with `@functools.cache`, or load it in the lifespan"
        else:
            continue
        for call, shown in _loads(func, imports):
            yield (
                call,
                (
                    f"{shown} in {where} loads a model on every request: reading and "
                    "deserialising its files (and moving weights to the GPU) adds that time to "
                    "each request, and each concurrent request holds its own copy in memory; "
                    f"{instead}, and reuse it"
                ),
            )
        for node in own_nodes(func.body):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in loading_helpers
                and node.func.id != func.name
            ):
                helper = node.func.id
                yield (
                    node,
                    (
                        f"`{helper}()` in {where} loads a model ({loading_helpers[helper]}) on "
                        "every call, so every request pays for reading and deserialising the "
                        f"weights: load it once at startup, or decorate `{helper}` with "
                        "`@functools.cache`"
                    ),
                )


@rule
class ModelLoadedPerRequest(Rule):
    name = "model-loaded-per-request"
    code = "PY006"
    category = Category.PERFORMANCE
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    effort = 20
    kinds = frozenset({"python"})
    prefilter = (
        b"load",
        b"from_pretrained",
        b"pipeline",
        b"SentenceTransformer",
        b"CrossEncoder",
        b"InferenceSession",
    )
    # Only modules that declare request handlers or dependencies can load per request.
    prefilter_pattern = re.compile(
        rb"@\w+\.(?:get|post|put|delete|patch|route|api_route|websocket)\(|Depends\(|"
        rb"add_api_route|add_url_rule|Route\("
    )
    summary = "An ML model is loaded inside a request handler or a per-request dependency."
    doc = {
        "What it finds": (
            "Model loaders called while handling a request: `torch.load`, `torch.jit.load`, "
            "`X.from_pretrained(...)` (transformers, diffusers, peft...), "
            "`transformers.pipeline(...)`, `SentenceTransformer(...)`, `CrossEncoder(...)`, "
            "`joblib.load`, `pickle.load` of a model file, `onnxruntime.InferenceSession`, "
            "Keras `load_model`, `spacy.load` and `whisper.load_model`, inside a function "
            "decorated as a route (`@app.post(...)`, `@router.get(...)`, `@bp.route(...)`) or "
            "used as a FastAPI dependency (`Depends(get_model)`) without `@lru_cache`/"
            "`@cache`. A handler that calls a helper of the same module that loads a model "
            "(and does not memoise it) is reported at the call. Skipped: loads stored in a "
            "`global`, on `app.state` or in a cache dict (a reload endpoint), loads of "
            "uploaded bytes (`joblib.load(file.file)`), module-level and startup/lifespan "
            "code, and test files."
        ),
        "Why": (
            "Loading a model reads and deserialises its weights, often hundreds of megabytes, "
            "and may move them to the GPU; done per request, every request pays that latency "
            "and each concurrent request holds its own copy in memory. FastAPI's lifespan "
            "documentation uses exactly this case: load the ML model once before the app "
            "starts taking requests, share it, and release it on shutdown. How long a load "
            "takes depends on the model and the disk; not measured here."
        ),
        "Example": (
            "```python\n"
            "@app.post('/predict')\n"
            "def predict(item: Item):\n"
            "    model = joblib.load('model.joblib')   # every request\n"
            "    return {'y': model.predict([item.x]).tolist()}\n"
            "```"
        ),
        "Instead": (
            "```python\n"
            "ml = {}\n\n"
            "@asynccontextmanager\n"
            "async def lifespan(app: FastAPI):\n"
            "    ml['model'] = joblib.load('model.joblib')\n"
            "    yield\n"
            "    ml.clear()\n\n"
            "app = FastAPI(lifespan=lifespan)\n"
            "```\n\n"
            "Or load it at module level, or decorate the dependency that returns it with "
            "`@functools.cache` so it runs once per process."
        ),
        "When not to": (
            "Endpoints that deliberately load a different model per request (a model chosen "
            "by a parameter among many that do not fit in memory together) are better served "
            "by an LRU cache than by a fresh load, but may be intentional; rarely called "
            "admin endpoints. Helpers in other modules are not followed, and class-based "
            "views and Django views are not recognised."
        ),
    }
    references = (
        Reference(
            "FastAPI: Lifespan Events (loading an ML model once)",
            "https://fastapi.tiangolo.com/advanced/events/",
        ),
        Reference(
            "FastAPI: Settings - creating them only once with lru_cache",
            "https://fastapi.tiangolo.com/advanced/settings/#creating-the-settings-only-once-with-lru_cache",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if in_test_code(src):
            return
        found = sorted(find_loads(src.python), key=lambda h: (h[0].lineno, h[0].col_offset))
        for call, message in found:
            yield Hit(message, line=call.lineno, end_line=call.end_lineno)
