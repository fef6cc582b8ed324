"""fastapi-response-serialization: FastAPI endpoints that miss Pydantic's Rust JSON path.

FastAPI 0.130.0 serializes a response straight to JSON bytes with Pydantic (in Rust) when the
route has a response field (a return type or ``response_model``) and no custom response class;
0.131.0 deprecated ``ORJSONResponse`` and ``UJSONResponse``. Three shapes miss that path, in a
module that imports FastAPI:

- a ``response_class=``/``default_response_class=`` of ``JSONResponse``, ``ORJSONResponse`` or
  ``UJSONResponse`` (route decorators, ``add_api_route``, ``FastAPI()``, ``APIRouter()``,
  ``include_router``);
- an endpoint that returns ``JSONResponse(...)``/``ORJSONResponse(...)``/``UJSONResponse(...)``
  on its success path (error responses with a 3xx-5xx ``status_code`` and returns inside
  ``except`` are left alone);
- an endpoint with neither a return annotation nor ``response_model`` that returns data.

Websocket routes, generators (streaming), non-JSON response classes, 204/304 routes,
endpoints that return other ``Response`` objects (built with a call, or held in a variable
annotated as one) and untyped endpoints that only return small literals (``{"message": "OK"}``,
a two-field token dict: nothing to gain) are skipped. A file rule cannot see the project's
FastAPI version, so every message is conditional on FastAPI >= 0.130 and the confidence is
low.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from optimus.model import Category, Confidence, Severity
from optimus.parse.pyast import walk
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Impact, Reference, Rule
from optimus.rules.python._astutil import import_map, is_test_or_fixture, kwarg, last_name, qualname

_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route"}
)
_JSON_CLASSES = frozenset({"JSONResponse", "ORJSONResponse", "UJSONResponse"})
_DEPRECATED = frozenset({"ORJSONResponse", "UJSONResponse"})
_NO_BODY = frozenset({204, 304})
_STATUS = re.compile(r"(\d{3})")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

_RUST_PATH = (
    "FastAPI >= 0.130 serializes the data of routes with a return type or `response_model` "
    "(and no response class) straight to JSON bytes with Pydantic in Rust"
)
_OLDER = (
    "on FastAPI < 0.130 there is no fast path to gain (a `response_model` only adds "
    "validation): leave this until the project upgrades"
)
#: Most keys of a returned dict literal that is too small to be worth a response model.
_SMALL_DICT = 3


def _json_class(expr: ast.expr | None, imports: dict[str, str]) -> str | None:
    """``ORJSONResponse`` when the expression is FastAPI's/Starlette's JSON response class."""
    if expr is None:
        return None
    qual = qualname(expr, imports) or ""
    name = qual.rsplit(".", 1)[-1]
    if name in _JSON_CLASSES and qual.split(".", 1)[0] in ("fastapi", "starlette"):
        return name
    return None


def _status(expr: ast.expr | None) -> int | None:
    """A literal status code: 404, or 404 for `status.HTTP_404_NOT_FOUND`."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value
    if isinstance(expr, ast.Attribute) and (match := _STATUS.search(expr.attr)):
        return int(match.group(1))
    return None


def _own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """Nodes of a function body, nested functions and classes excluded."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [n for n in func.body if not isinstance(n, _SCOPES)]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _SCOPES))
    return out


def _in_except(func: ast.AST) -> set[int]:
    """ids of return statements inside ``except`` handlers of a function."""
    inside: set[int] = set()
    for node in walk(func):
        if isinstance(node, ast.ExceptHandler):
            inside.update(id(n) for n in walk(node) if isinstance(n, ast.Return))
    return inside


def _small_literal(expr: ast.expr) -> bool:
    """A constant, or a dict literal of at most three constant keys whose values are names,
    attributes or constants (``{"access_token": token, "token_type": "bearer"}``)."""
    if isinstance(expr, ast.Constant):
        return True
    if not isinstance(expr, ast.Dict) or len(expr.keys) > _SMALL_DICT:
        return False
    return all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in expr.keys) and all(
        isinstance(v, ast.Constant | ast.Name | ast.Attribute) for v in expr.values
    )


def _response_annotation(annotation: ast.expr) -> bool:
    """``RedirectResponse`` or ``responses.JSONResponse`` as a variable's annotation."""
    return (last_name(annotation) or "").endswith("Response")


def _is_response_call(expr: ast.expr) -> bool:
    if not isinstance(expr, ast.Call):
        return False
    name = last_name(expr.func) or ""
    return name.endswith("Response")


class _Endpoint:
    """What one route function returns."""

    def __init__(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        nodes = _own_nodes(func)
        self.generator = any(isinstance(n, ast.Yield | ast.YieldFrom) for n in nodes)
        responses: set[str] = set()
        for node in nodes:
            if isinstance(node, ast.Assign) and _is_response_call(node.value):
                responses.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and _response_annotation(node.annotation)
            ):
                responses.add(node.target.id)  # response: RedirectResponse = await ...
        self.returns = [
            n.value
            for n in nodes
            if isinstance(n, ast.Return)
            and n.value is not None
            and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        ]
        self.excepted = _in_except(func)
        self.return_nodes = sorted(
            (n for n in nodes if isinstance(n, ast.Return) and n.value is not None),
            key=lambda n: n.lineno,
        )
        self.data_returns = [
            v
            for v in self.returns
            if not _is_response_call(v) and not (isinstance(v, ast.Name) and v.id in responses)
        ]


def _route_decorator(func: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
    for deco in func.decorator_list:
        if (
            isinstance(deco, ast.Call)
            and isinstance(deco.func, ast.Attribute)
            and deco.func.attr in _ROUTE_METHODS
        ):
            return deco
    return None


def _class_message(name: str, keyword: str, where: str) -> str:
    deprecated = (
        f" (`{name}` is deprecated since FastAPI 0.131; on older versions it was the faster "
        "choice, so upgrade first)"
        if name in _DEPRECATED
        else f"; {_OLDER}"
    )
    return (
        f"`{keyword}={name}` on {where} opts out of FastAPI's fast path, if the project runs "
        f"FastAPI >= 0.130: {_RUST_PATH}, but a custom response class gets the data through "
        f"`jsonable_encoder` and then its own `render`; on those versions, leave `{keyword}` "
        f"unset and declare a return type or `response_model`{deprecated}"
    )


def find_issues(module: ast.Module) -> Iterator[tuple[int, int, str]]:
    """(line, end line, message) for each place that misses the Pydantic JSON path."""
    imports = import_map(module)
    if not any(q.split(".", 1)[0] == "fastapi" for q in imports.values()):
        return
    for node in walk(module):
        if isinstance(node, ast.Call):
            for keyword in ("response_class", "default_response_class"):
                name = _json_class(kwarg(node, keyword), imports)
                if name is not None:
                    where = f"`{ast.unparse(node.func)}(...)`"
                    yield (
                        node.lineno,
                        node.end_lineno or node.lineno,
                        _class_message(name, keyword, where),
                    )
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            deco = _route_decorator(node)
            if deco is not None:
                yield from _endpoint_issues(node, deco, imports)


def _endpoint_issues(
    func: ast.FunctionDef | ast.AsyncFunctionDef, deco: ast.Call, imports: dict[str, str]
) -> Iterator[tuple[int, int, str]]:
    endpoint = _Endpoint(func)
    if endpoint.generator:
        return
    response_class = kwarg(deco, "response_class")
    if response_class is not None and _json_class(response_class, imports) is None:
        return  # HTMLResponse, StreamingResponse, FileResponse...: not JSON
    if _status(kwarg(deco, "status_code")) in _NO_BODY:
        return
    for ret in endpoint.return_nodes:
        value = ret.value
        if id(ret) in endpoint.excepted or not isinstance(value, ast.Call):
            continue
        name = _json_class(value.func, imports)
        status = _status(kwarg(value, "status_code"))
        if name is None or (kwarg(value, "status_code") is not None and (status or 300) >= 300):
            continue
        note = (
            f"`{name}` is deprecated since FastAPI 0.131 (on older versions it was the faster "
            "choice, so upgrade first)"
            if name in _DEPRECATED
            else _OLDER
        )
        yield (
            ret.lineno,
            ret.end_lineno or ret.lineno,
            f"`{func.name}` returns `{name}(...)`, which skips FastAPI's fast path if the project "
            f"runs FastAPI >= 0.130: {_RUST_PATH}, while a response built by hand goes through "
            f"`jsonable_encoder` and `{name}.render`; on those versions, return the data and "
            f"declare a return type (`-> Model`) or `response_model` (take a `response: "
            f"Response` parameter to set headers or cookies); {note}",
        )
        return
    if func.returns is not None or kwarg(deco, "response_model") is not None:
        return
    if response_class is not None or not endpoint.data_returns:
        return
    if all(_small_literal(v) for v in endpoint.data_returns):
        return  # {"message": "OK"}: a few fields serialize fast either way
    yield (
        func.lineno,
        func.lineno,
        f"`{func.name}` has neither a return type nor `response_model`, so FastAPI serializes "
        "what it returns with `jsonable_encoder` and `json.dumps`. If the project runs FastAPI "
        "0.130 or later, declare a return type (`-> Item`, `-> list[Item]`) or "
        f"`response_model`: {_RUST_PATH} (and it validates and filters the output); {_OLDER}",
    )


@rule
class FastapiResponseSerialization(Rule):
    name = "fastapi-response-serialization"
    code = "PY012"
    category = Category.PERFORMANCE
    severity = Severity.LOW
    # The gain depends on the FastAPI version, which a file rule cannot see.
    confidence = Confidence.LOW
    # Preview until it reads the project's FastAPI version: on FastAPI < 0.130 the advice
    # does not apply, and a file rule cannot see the pinned version yet.
    preview = True
    effort = 10
    kinds = frozenset({"python"})
    prefilter = (b"fastapi",)
    summary = "A FastAPI endpoint or app that misses Pydantic's Rust JSON serialization."
    doc = {
        "What it finds": (
            "In modules that import FastAPI: `response_class=`/`default_response_class=` set "
            "to `JSONResponse`, `ORJSONResponse` or `UJSONResponse` (route decorators, "
            "`add_api_route`, `FastAPI()`, `APIRouter()`, `include_router`); endpoints that "
            "return `JSONResponse(...)`/`ORJSONResponse(...)`/`UJSONResponse(...)` on their "
            "success path; and endpoints with neither a return annotation nor "
            "`response_model` that return data. Skipped: websocket routes, generator "
            "(streaming) endpoints, non-JSON response classes (HTML, streaming, files, "
            "redirects, plain text), 204/304 routes, endpoints that return other `Response` "
            "objects (built there, or held in a variable annotated as one), error responses "
            "(a 3xx-5xx `status_code`), returns inside `except`, and endpoints without a "
            "return type that only return small literals (a constant, or a dict of at most "
            "three keys whose values are names or constants, such as a token response)."
        ),
        "Why": (
            'FastAPI 0.130.0 (release notes): "Serialize JSON response with Pydantic (in '
            "Rust), when there's a Pydantic return type or response model\", which the "
            'release notes say "results in 2x (or more) performance increase for JSON '
            "responses\" (FastAPI's figure; Optimus has not measured it). The fast path is "
            "taken only when the route has a response field and no custom response class; a "
            "returned `Response` is sent as is, and without a return type or "
            "`response_model` the data goes through `jsonable_encoder` and `json.dumps`. "
            "0.131.0 deprecated `ORJSONResponse` and `UJSONResponse`: the custom response "
            "docs now say to use a response model and not declare a `response_class` for the "
            "best performance. Before 0.130, `ORJSONResponse` was the faster choice, so on "
            "those versions the fix starts with upgrading FastAPI."
        ),
        "Example": (
            "```python\n"
            "app = FastAPI(default_response_class=ORJSONResponse)\n"
            "\n"
            "@app.get('/items')\n"
            "async def list_items():\n"
            "    return [item.model_dump() for item in await load_items()]\n"
            "```"
        ),
        "Instead": (
            "Return the data and declare its type: `async def list_items() -> list[Item]: "
            "return await load_items()` (or `response_model=list[Item]`), with no "
            "`response_class`/`default_response_class`. Keep a hand-built `JSONResponse` for "
            "the cases that need one (custom headers on an error, a pre-serialized body)."
        ),
        "When not to": (
            "Projects pinned below FastAPI 0.130 (where `ORJSONResponse` is still the faster "
            "choice) until they upgrade; endpoints whose payload is tiny or rarely called; "
            "endpoints that must return exactly a pre-built body. The rule cannot read the "
            "project's FastAPI version (a file rule sees one file), so it reports on every "
            "version, at low confidence, and each message says the advice holds only on "
            "FastAPI 0.130 or later."
        ),
    }
    references = (
        Reference(
            "FastAPI release notes (0.130.0: Pydantic JSON serialization; 0.131.0: ORJSONResponse "
            "and UJSONResponse deprecated)",
            "https://fastapi.tiangolo.com/release-notes/",
        ),
        Reference(
            "FastAPI: Custom Response - ORJSON or Response Model",
            "https://fastapi.tiangolo.com/advanced/custom-response/#orjson-or-response-model",
        ),
        Reference(
            "FastAPI: Response Model", "https://fastapi.tiangolo.com/tutorial/response-model/"
        ),
    )
    impact = Impact("2x (or more) faster JSON responses (FastAPI 0.130.0)", references[0])

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if is_test_or_fixture(src):
            return
        for line, end_line, message in sorted(find_issues(src.python)):
            yield Hit(message, line=line, end_line=end_line)
