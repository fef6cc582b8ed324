"""Shared reading of Python web services: imports, request handlers, dependencies, loops.

Used by the service and ML rules (client-per-request, model-loaded-per-request, the torch
rules). Everything is the stdlib ``ast`` of one module, never imported or run:

- :class:`Imports` resolves names to what they were imported as (``np`` -> ``numpy``);
- :func:`route_handlers` finds functions that serve requests: decorated with a route
  decorator (``@app.get("/x")``, ``@router.post(...)``, ``@bp.route(...)``, Litestar's
  ``@get(...)``) or registered with ``add_api_route``/``add_url_rule``/``Route(...)``;
- :func:`depends_targets` names the functions used as FastAPI ``Depends(...)``;
- :func:`startup_functions` finds lifespan and startup hooks;
- :func:`walk_with_loops` walks a scope and tells, for each node, the loop it runs in.

This module registers no rule.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from optimus.parse.pyast import walk
from optimus.parse.source import SourceFile

#: Methods of an app/router/blueprint object that register a route when used as decorators.
ROUTE_METHODS = frozenset(
    {
        "get",
        "post",
        "put",
        "delete",
        "patch",
        "head",
        "options",
        "trace",
        "route",
        "api_route",
        "websocket",
        "websocket_route",
    }
)
#: Calls that register an existing function as a route handler.
_REGISTRARS = frozenset(
    {"add_api_route", "add_url_rule", "add_route", "add_websocket_route", "Route", "WebSocketRoute"}
)
#: Keywords of those calls that name the handler.
_HANDLER_KEYWORDS = frozenset({"endpoint", "view_func", "handler"})
#: Modules whose ``get``/``patch`` are not routes (``@mock.patch("a.b")``).
_NOT_APPS = ("mock", "unittest", "pytest", "responses", "respx", "requests_mock", "aioresponses")
#: Decorators that memoise a function, so its body runs once per argument set.
_CACHING = frozenset({"lru_cache", "cache", "cached", "alru_cache", "memoize", "cached_property"})
_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_PREDICT_TOKEN = re.compile(r"^(predict\w*|infer|inference|inferences|serve|serving|handle)$")

Function = ast.FunctionDef | ast.AsyncFunctionDef
_TEST_FOLDERS = frozenset({"tests", "test", "testing", "__tests__", "benches", "examples"})


def in_test_code(src: SourceFile) -> bool:
    """Test, benchmark or example code: ``src.is_test``, or a test folder anywhere in the
    root-relative path (a project nested inside ``tests/`` has no such folder in its own
    project-relative path)."""
    return src.is_test or any(p in _TEST_FOLDERS for p in src.path.split("/")[:-1])


class Imports:
    """What each imported name of a module stands for (every import, at any depth).

    A name imported as two different things is ambiguous and resolves to nothing.
    """

    def __init__(self, module: ast.Module) -> None:
        self.names: dict[str, str | None] = {}
        for node in walk(module):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self._bind(alias.asname, alias.name)
                    else:
                        top = alias.name.split(".", 1)[0]
                        self._bind(top, top)
            elif isinstance(node, ast.ImportFrom):
                base = "." * node.level + (node.module or "")
                for alias in node.names:
                    if alias.name != "*":
                        self._bind(alias.asname or alias.name, f"{base}.{alias.name}")

    def _bind(self, name: str, qual: str) -> None:
        if name in self.names and self.names[name] != qual:
            self.names[name] = None
        else:
            self.names[name] = qual

    def qualname(self, expr: ast.expr) -> str | None:
        """``torch.jit.load`` for ``jit.load`` after ``from torch import jit``; else None."""
        if isinstance(expr, ast.Name):
            return self.names.get(expr.id)
        if isinstance(expr, ast.Attribute):
            base = self.qualname(expr.value)
            return f"{base}.{expr.attr}" if base else None
        return None

    def imports(self, package: str) -> bool:
        """Whether the module imports ``package`` or something from it."""
        return any(q == package or (q or "").startswith(package + ".") for q in self.names.values())


def call_name(call: ast.Call) -> str:
    """The last name of a call's function: ``load`` for ``torch.jit.load(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def display(expr: ast.expr, limit: int = 60) -> str:
    """Source text of an expression for a message, shortened."""
    text = ast.unparse(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a body that runs in its scope (nested def/lambda/class bodies excluded)."""
    for node, _loop in walk_with_loops(body):
        yield node


def walk_with_loops(
    body: list[ast.stmt], loop: ast.AST | None = None
) -> Iterator[tuple[ast.AST, ast.AST | None]]:
    """Each node of a scope with the innermost loop whose every iteration runs it (or None).

    A ``for``'s iterable runs once (not in the loop); its body, a ``while``'s test and body,
    and a comprehension's element, conditions and inner iterables run per iteration. Nested
    function, lambda and class bodies are other scopes and are not entered.
    """
    stack: list[tuple[ast.AST, ast.AST | None]] = [
        (s, loop) for s in reversed(body) if not isinstance(s, _NEW_SCOPES)
    ]
    while stack:
        node, current = stack.pop()
        yield node, current
        children: list[tuple[ast.AST, ast.AST | None]]
        if isinstance(node, ast.For | ast.AsyncFor):
            children = [(node.target, node), (node.iter, current)]
            children += [(s, node) for s in node.body] + [(s, current) for s in node.orelse]
        elif isinstance(node, ast.While):
            children = [(node.test, node), *((s, node) for s in node.body)]
            children += [(s, current) for s in node.orelse]
        elif isinstance(node, _COMPREHENSIONS):
            first = node.generators[0]
            children = [(first.iter, current)]
            children += [(c, node) for c in ast.iter_child_nodes(node) if c is not first]
            children += [(first.target, node), *((c, node) for c in first.ifs)]
        else:
            children = [(c, current) for c in ast.iter_child_nodes(node)]
        stack.extend(
            (child, where)
            for child, where in reversed(children)
            if not isinstance(child, _NEW_SCOPES)
        )


def parents(body: list[ast.stmt]) -> dict[int, ast.AST]:
    """Parent of every node of a scope (by id), nested scopes excluded."""
    out: dict[int, ast.AST] = {}
    for node in own_nodes(body):
        for child in ast.iter_child_nodes(node):
            out[id(child)] = node
    return out


def loop_targets(loop: ast.AST) -> set[str]:
    """Names bound by a loop's target (``for a, b in ...``, a comprehension's targets)."""
    targets: list[ast.expr] = []
    if isinstance(loop, ast.For | ast.AsyncFor):
        targets = [loop.target]
    elif isinstance(loop, _COMPREHENSIONS):
        targets = [g.target for g in loop.generators]
    return {n.id for t in targets for n in walk(t) if isinstance(n, ast.Name)}


def names_in(node: ast.AST) -> set[str]:
    """Every plain name read in an expression."""
    return {n.id for n in walk(node) if isinstance(n, ast.Name)}


@dataclass(frozen=True)
class FunctionInfo:
    """A function of a module and the class it is a method of, if any."""

    node: Function
    cls: ast.ClassDef | None


def functions(module: ast.Module) -> list[FunctionInfo]:
    """Every function of a module, nested ones included, with its class."""
    out: list[FunctionInfo] = []

    def visit(body: list[ast.stmt], cls: ast.ClassDef | None) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                out.append(FunctionInfo(node, cls))
                visit(node.body, None)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, node)
            else:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        visit([child], cls)
                    elif isinstance(child, ast.excepthandler | ast.match_case):
                        visit(child.body, cls)

    visit(module.body, None)
    return out


def _decorator_call(deco: ast.expr) -> ast.expr:
    return deco.func if isinstance(deco, ast.Call) else deco


def is_cached(func: Function) -> bool:
    """Decorated with ``functools.lru_cache``/``cache`` (or a similar memoiser)."""
    for deco in func.decorator_list:
        target = _decorator_call(deco)
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in _CACHING:
            return True
    return False


def is_generator(func: Function) -> bool:
    """Whether the function's own body yields (a generator or an async generator)."""
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in own_nodes(func.body))


def is_predict_like(name: str) -> bool:
    """``predict``, ``run_inference``, ``handle``, ``serve``... (whole ``_`` words only)."""
    return any(_PREDICT_TOKEN.match(token) for token in name.lower().split("_") if token)


def _path_like(arg: ast.expr) -> bool:
    """A route path: "" or "/...", an f-string, or a name/attribute holding one."""
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, str) and (arg.value == "" or arg.value.startswith("/"))
    return isinstance(arg, ast.JoinedStr | ast.Name | ast.Attribute)


def _is_route_decorator(deco: ast.expr, imports: Imports) -> bool:
    if not isinstance(deco, ast.Call):
        return False
    func = deco.func
    if isinstance(func, ast.Attribute):
        if func.attr not in ROUTE_METHODS:
            return False
        qual = imports.qualname(func.value) or ""
        if qual.split(".", 1)[0] in _NOT_APPS:
            return False
    elif isinstance(func, ast.Name):
        qual = imports.qualname(func) or ""
        # Litestar (and its predecessor Starlite) use bare ``@get("/path")`` decorators.
        if qual.split(".", 1)[0] not in ("litestar", "starlite") or func.id not in ROUTE_METHODS:
            return False
    else:
        return False
    if deco.args:
        return _path_like(deco.args[0])
    return any(k.arg in ("path", "rule") for k in deco.keywords)


def route_handlers(module: ast.Module, imports: Imports) -> set[int]:
    """ids of the functions of a module that handle requests."""
    registered: set[str] = set()
    for node in walk(module):
        if isinstance(node, ast.Call) and call_name(node) in _REGISTRARS:
            values = [*node.args, *(k.value for k in node.keywords if k.arg in _HANDLER_KEYWORDS)]
            registered |= {v.id for v in values if isinstance(v, ast.Name)}
    found: set[int] = set()
    for info in functions(module):
        func = info.node
        if any(_is_route_decorator(d, imports) for d in func.decorator_list) or (
            info.cls is None and func.name in registered
        ):
            found.add(id(func))
    return found


def depends_targets(module: ast.Module) -> set[str]:
    """Names of the functions used as ``Depends(f)``/``Security(f)`` in a module."""
    out: set[str] = set()
    for node in walk(module):
        if isinstance(node, ast.Call) and call_name(node) in ("Depends", "Security"):
            values = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "dependency")]
            out |= {v.id for v in values if isinstance(v, ast.Name)}
    return out


def startup_functions(module: ast.Module) -> set[int]:
    """ids of lifespan and startup hooks: ``@app.on_event("startup")``, ``lifespan=f``..."""
    named: set[str] = set()
    for node in walk(module):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "lifespan" and isinstance(keyword.value, ast.Name):
                named.add(keyword.value.id)
            elif keyword.arg == "on_startup" and isinstance(keyword.value, ast.List | ast.Tuple):
                named |= {e.id for e in keyword.value.elts if isinstance(e, ast.Name)}
        if call_name(node) == "add_event_handler" and len(node.args) == 2:
            event, handler = node.args
            startup = isinstance(event, ast.Constant) and event.value == "startup"
            if startup and isinstance(handler, ast.Name):
                named.add(handler.id)
    found: set[int] = set()
    for info in functions(module):
        func = info.node
        if func.name in named or func.name == "lifespan":
            found.add(id(func))
            continue
        for deco in func.decorator_list:
            target = _decorator_call(deco)
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            args = deco.args if isinstance(deco, ast.Call) else []
            first = args[0].value if args and isinstance(args[0], ast.Constant) else None
            if (
                (name == "on_event" and first == "startup")
                or name
                in (
                    "before_first_request",
                    "before_serving",
                    "on_startup",
                )
                or (name == "listener" and first in ("before_server_start", "main_process_start"))
            ):
                found.add(id(func))
    return found
