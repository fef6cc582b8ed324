"""Whether a pytest ``conftest.py`` gives requests a default timeout, for http-no-timeout.

requests' module functions (``requests.get``, ``post``... ``request``) build a
``requests.sessions.Session()`` on every call (``requests/api.py``), and that session mounts
``requests.sessions.HTTPAdapter`` for ``http://`` and ``https://``. A conftest that, when
pytest loads it, replaces one of those names with a subclass that sets a default timeout, or
patches ``Session.request``/``Session.send``/``HTTPAdapter.send`` with such a function, bounds
every such call made by the tests below it (TGI's ``integration-tests/conftest.py``
assigns a ``SessionTimeoutFix`` whose ``request`` does ``kwargs.pop("timeout", 120)``).

The conftest's text is parsed with the stdlib ``ast``, never imported or run. What counts
as run when pytest loads it: its top-level statements (inside ``if``/``try``/``with`` too),
the ``pytest_configure``/``pytest_sessionstart`` hooks and ``autouse`` fixtures. A patch is
an assignment (``requests.sessions.Session = X``), ``setattr(obj, "name", X)`` or
``monkeypatch.setattr`` in either of its forms. Rebinding ``requests.Session`` alone does
not count: the module functions look the class up in ``requests.sessions``.

This module registers no rule.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable, Iterator

from optimus.rules.python._astutil import import_map, qualname

#: Dotted names of requests' session class (one object under several names).
SESSION_CLASSES = frozenset(
    {"requests.Session", "requests.sessions.Session", "requests.api.sessions.Session"}
)
#: Dotted names of the adapter class a new session mounts.
ADAPTER_CLASSES = frozenset({"requests.adapters.HTTPAdapter", "requests.sessions.HTTPAdapter"})
#: The names requests' module functions look up at call time: replacing them changes what
#: every ``requests.get(...)`` does.
_SESSION_SLOT = frozenset({"requests.sessions.Session", "requests.api.sessions.Session"})
_ADAPTER_SLOT = frozenset({"requests.sessions.HTTPAdapter"})
#: Hooks pytest calls before any test runs.
_START_HOOKS = frozenset({"pytest_configure", "pytest_sessionstart"})


def is_pytest_module(path: str) -> bool:
    """Whether a file is one pytest loads by default names: ``test_*.py``, ``*_test.py`` or
    a ``conftest.py``."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and (
        name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
    )


def conftest_timeout(
    read: Callable[[str], str | None], path: str, cache: dict[str, bool] | None = None
) -> str | None:
    """The ``conftest.py`` in a project file's folder or a folder above it, up to the project
    root, that installs a default timeout for requests (its project-relative path), or None.
    ``read`` gives a project-relative file's text (None when absent); ``cache`` keeps the
    verdict per conftest across calls."""
    cache = {} if cache is None else cache
    folder = posixpath.dirname(path)
    while True:
        conftest = f"{folder}/conftest.py" if folder else "conftest.py"
        if conftest not in cache:
            text = read(conftest)
            cache[conftest] = text is not None and installs_default_timeout(text)
        if cache[conftest]:
            return conftest
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def installs_default_timeout(text: str) -> bool:
    """Whether a conftest's text gives the session that ``requests.get(...)`` and the other
    module functions create a default timeout (see the module docstring). Text that does
    not parse gives False."""
    if "requests" not in text or "timeout" not in text:
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return False
    return _Conftest(tree).installs()


class _Conftest:
    def __init__(self, tree: ast.Module) -> None:
        self.imports = import_map(tree)
        self.classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        self.functions = {
            n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self.tree = tree

    def installs(self) -> bool:
        for target, value in self._patches():
            if target in _SESSION_SLOT and self._session_class(value):
                return True
            if target in _ADAPTER_SLOT and self._adapter_class(value):
                return True
            owner, _, attribute = target.rpartition(".")
            if (
                owner in SESSION_CLASSES
                and attribute in ("request", "send")
                and self._method(value, attribute)
            ):
                return True
            if owner in ADAPTER_CLASSES and attribute == "send" and self._method(value, "send"):
                return True
        return False

    # What runs when pytest loads the conftest, and what it patches

    def _run_on_load(self) -> Iterator[list[ast.stmt]]:
        """The statements of each scope that runs when pytest loads the conftest."""
        yield list(_flat(self.tree.body))
        for function in self.functions.values():
            if function.name in _START_HOOKS or _autouse_fixture(function):
                yield list(_flat(function.body))

    def _patches(self) -> Iterator[tuple[str, ast.expr]]:
        """(dotted name patched, the value given) for each patch that runs on load; a value
        held in a local name first (``bounded = partialmethod(...)``) is followed."""
        for scope in self._run_on_load():
            local: dict[str, ast.expr] = {}
            for statement in scope:
                patched: list[tuple[str, ast.expr]] = []
                if isinstance(statement, ast.Assign):
                    for target in statement.targets:
                        name = self._dotted(target)
                        if isinstance(target, ast.Name):
                            local[target.id] = statement.value
                        elif name is not None:
                            patched.append((name, statement.value))
                elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                    found = self._setattr(statement.value)
                    patched += [found] if found is not None else []
                for name, value in patched:
                    if isinstance(value, ast.Name) and value.id in local:
                        value = local[value.id]
                    yield name, value

    def _setattr(self, call: ast.Call) -> tuple[str, ast.expr] | None:
        """``setattr(obj, "name", value)``, ``monkeypatch.setattr(obj, "name", value)`` or
        ``monkeypatch.setattr("a.b.name", value)`` as (dotted name, value)."""
        func = call.func
        is_setattr = (isinstance(func, ast.Name) and func.id == "setattr") or (
            isinstance(func, ast.Attribute) and func.attr == "setattr"
        )
        args = call.args
        if not is_setattr or not args:
            return None
        if len(args) >= 3 and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
            owner = self._dotted(args[0])
            return (f"{owner}.{args[1].value}", args[2]) if owner else None
        if (
            len(args) == 2
            and isinstance(func, ast.Attribute)
            and isinstance(args[0], ast.Constant)
            and isinstance(args[0].value, str)
        ):
            return args[0].value, args[1]
        return None

    def _dotted(self, node: ast.expr) -> str | None:
        """The full dotted name of ``requests.sessions.Session`` and its aliases."""
        return qualname(node, self.imports)

    # Classes and functions that set a default

    def _local_class(self, value: ast.expr) -> ast.ClassDef | None:
        return self.classes.get(value.id) if isinstance(value, ast.Name) else None

    def _lineage(self, cls: ast.ClassDef, roots: frozenset[str]) -> list[ast.ClassDef] | None:
        """The class and its local base classes, when one of them derives from ``roots``."""
        chain, seen = [cls], {cls.name}
        index = 0
        derives = False
        while index < len(chain):
            for base in chain[index].bases:
                name = self._dotted(base)
                if name in roots:
                    derives = True
                local = self._local_class(base)
                if local is not None and local.name not in seen:
                    seen.add(local.name)
                    chain.append(local)
            index += 1
        return chain if derives else None

    def _session_class(self, value: ast.expr) -> bool:
        """A local subclass of requests' Session whose ``request`` or ``send`` sets a
        default timeout, or whose ``__init__`` mounts a timeout adapter for both schemes."""
        cls = self._local_class(value)
        chain = self._lineage(cls, SESSION_CLASSES) if cls is not None else None
        if chain is None:
            return False
        for klass in chain:
            methods = _methods(klass)
            if any(_defaults_timeout(methods[m], m) for m in ("request", "send") if m in methods):
                return True
            if "__init__" in methods and self._mounts_timeout_adapter(methods["__init__"]):
                return True
        return False

    def _adapter_class(self, value: ast.expr) -> bool:
        """A local subclass of requests' HTTPAdapter whose ``send`` sets a default timeout."""
        cls = self._local_class(value)
        chain = self._lineage(cls, ADAPTER_CLASSES) if cls is not None else None
        return chain is not None and any(
            "send" in _methods(k) and _defaults_timeout(_methods(k)["send"], "send") for k in chain
        )

    def _mounts_timeout_adapter(self, init: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """Whether ``__init__`` mounts a timeout adapter for ``http://`` and ``https://`` (or
        for prefixes it computes, as in a loop over both)."""
        made: dict[str, ast.expr] = {}
        prefixes: set[str] = set()
        computed = False
        for node in ast.walk(init):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                made[node.targets[0].id] = node.value
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "mount"
                and len(node.args) == 2
            ):
                continue
            adapter = node.args[1]
            if isinstance(adapter, ast.Name) and adapter.id in made:
                adapter = made[adapter.id]
            if not (isinstance(adapter, ast.Call) and self._adapter_class(adapter.func)):
                continue
            prefix = node.args[0]
            if isinstance(prefix, ast.Constant) and isinstance(prefix.value, str):
                prefixes.add(prefix.value)
            else:
                computed = True
        return computed or {"http://", "https://"} <= prefixes

    def _method(self, value: ast.expr, method: str) -> bool:
        """A patched-in ``request``/``send``: a local function that sets a default timeout,
        or ``functools.partialmethod(..., timeout=N)``."""
        if isinstance(value, ast.Name) and value.id in self.functions:
            return _defaults_timeout(self.functions[value.id], method)
        if isinstance(value, ast.Call) and method == "request":
            callee = self._dotted(value.func) or ""
            # partialmethod binds like a method; a plain partial stored on the class does not
            if callee.rsplit(".", 1)[-1] == "partialmethod":
                return any(k.arg == "timeout" and not _is_none(k.value) for k in value.keywords)
        return False


def _flat(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a block, with those of its ``if``/``try``/``with`` blocks."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.If, ast.With, ast.AsyncWith)):
            yield from _flat(statement.body)
            yield from _flat(getattr(statement, "orelse", []))
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _flat(block)
            for handler in statement.handlers:
                yield from _flat(handler.body)


def _autouse_fixture(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``@pytest.fixture(autouse=True)``: pytest runs it for every test."""
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "autouse" and isinstance(keyword.value, ast.Constant):
                    return keyword.value.value is True
    return False


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_timeout_key(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == "timeout"


def _reads_timeout(node: ast.expr) -> bool:
    """``kwargs.get("timeout")``, ``kwargs.pop("timeout")`` or ``kwargs["timeout"]``: the
    caller's value (``None`` when unset) passed on, not a default."""
    if isinstance(node, ast.Subscript):
        return _is_timeout_key(node.slice)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "pop")
        and len(node.args) == 1
        and _is_timeout_key(node.args[0])
    )


def _defaults_timeout(function: ast.FunctionDef | ast.AsyncFunctionDef, method: str) -> bool:
    """Whether a ``request`` or ``send`` implementation gives ``timeout`` a value when the
    caller gave none.

    ``Session.request`` is called without ``timeout`` when the caller passed none, so a
    parameter default or ``kwargs.pop/get/setdefault("timeout", N)`` applies there.
    ``send`` always receives ``timeout`` (``None`` when unset), so only a value stored in
    its place counts: ``kwargs["timeout"] = N`` or the ``timeout`` parameter reassigned."""
    arguments = function.args
    params = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    if method == "request":
        positional = [*arguments.posonlyargs, *arguments.args]
        # defaults belong to the last positional parameters
        names = [a.arg for a in positional][::-1]
        defaults = dict(zip(names, arguments.defaults[::-1], strict=False))
        kw_defaults = zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        defaults.update({a.arg: d for a, d in kw_defaults if d is not None})
        if "timeout" in defaults and not _is_none(defaults["timeout"]):
            return True
    for node in ast.walk(function):
        if (
            method == "request"
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("pop", "get", "setdefault")
            and len(node.args) == 2
            and _is_timeout_key(node.args[0])
            and not _is_none(node.args[1])
        ):
            return True
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if _is_none(node.value) or _reads_timeout(node.value):
                continue
            for target in targets:
                if isinstance(target, ast.Subscript) and _is_timeout_key(target.slice):
                    return True
                if (
                    isinstance(target, ast.Name)
                    and target.id == "timeout"
                    and "timeout" in params
                    and not (isinstance(node.value, ast.Name) and node.value.id == "timeout")
                ):
                    return True
    return False
