"""blocking-call-in-async: blocking I/O or sleep called directly in an ``async def``.

Names are resolved with the stdlib ``ast`` only: imports (``import time as t``,
``from requests import get``), and variables assigned from a known constructor in the same
function, an enclosing function, the module, or ``self.x = ...`` in the same class
(``requests.Session()``, ``httpx.Client()``, ``sqlite3.connect()``, ``Path(...)``). Nested
``def``/``lambda``/``class`` bodies are separate scopes and are not looked at from the
enclosing ``async def``; calls that are awaited are async APIs and never flagged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from optimus.model import Category, Confidence, Severity
from optimus.parse.pyast import walk
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.rust.blocking_in_async import rust_blocking_hits

_HTTP_VERBS = ("get", "post", "put", "delete", "patch", "head", "options", "request")
_DB_MODULES = ("psycopg2", "psycopg", "pymysql", "sqlite3", "MySQLdb", "mysql.connector")
_SUBPROCESS = ("run", "call", "check_call", "check_output", "Popen", "getoutput")

#: Fully qualified functions that block, by what they do.
_BLOCKING_FUNCS: dict[str, str] = {
    "time.sleep": "sleep",
    **{f"requests.{verb}": "http" for verb in _HTTP_VERBS},
    **{f"httpx.{verb}": "http" for verb in (*_HTTP_VERBS, "stream")},
    "urllib.request.urlopen": "http",
    **{f"subprocess.{name}": "process" for name in _SUBPROCESS},
    "subprocess.getstatusoutput": "process",
    "os.system": "process",
    "os.popen": "process",
    "builtins.open": "file",
    "io.open": "file",
    "builtins.input": "input",
    **{f"{module}.connect": "db" for module in _DB_MODULES},
}

#: Calls whose result is an object with blocking methods, by the object's type.
_CONSTRUCTORS: dict[str, str] = {
    "requests.Session": "http-client",
    "requests.session": "http-client",
    "requests.sessions.Session": "http-client",
    "httpx.Client": "http-client",
    **{f"{module}.connect": "db" for module in _DB_MODULES},
    **{f"pathlib.{cls}": "path" for cls in ("Path", "PosixPath", "WindowsPath")},
    "pathlib.Path.cwd": "path",
    "pathlib.Path.home": "path",
}

#: Blocking methods of each object type, and what kind of blocking they are.
_METHODS: dict[str, tuple[frozenset[str], str]] = {
    "http-client": (frozenset({*_HTTP_VERBS, "send", "stream"}), "http"),
    "db": (
        frozenset(
            {
                "execute",
                "executemany",
                "executescript",
                "commit",
                "rollback",
                "fetchall",
                "fetchone",
                "fetchmany",
            }
        ),
        "db",
    ),
    "path": (frozenset({"open", "read_text", "write_text", "read_bytes", "write_bytes"}), "file"),
}

#: Methods that return an object of the same family (a cursor of a connection, a path).
_RETURNS: dict[tuple[str, str], str] = {
    **{("db", m): "db" for m in ("cursor", "execute", "executemany", "executescript")},
    **{
        ("path", m): "path"
        for m in ("resolve", "absolute", "with_name", "with_suffix", "with_stem", "joinpath")
    },
    ("path", "expanduser"): "path",
}

_WHAT = {
    "sleep": "sleeps the thread",
    "http": "is a blocking HTTP call",
    "process": "starts a process with a blocking call",
    "file": "is blocking file I/O",
    "db": "is a blocking database call",
    "input": "waits for terminal input",
}

_INSTEAD = {
    "sleep": "use `await asyncio.sleep(...)`",
    "http": (
        "use an async client such as `httpx.AsyncClient` (`await client.get(...)`), "
        "or `await asyncio.to_thread(...)`"
    ),
    "process": "use `await asyncio.create_subprocess_exec(...)` or `await asyncio.to_thread(...)`",
    "file": "use `await asyncio.to_thread(...)` or an async file API (anyio, aiofiles)",
    "db": (
        "use an async driver (asyncpg, psycopg's AsyncConnection, aiosqlite, aiomysql) "
        "or `await asyncio.to_thread(...)`"
    ),
    "input": "use `await asyncio.to_thread(input, ...)`",
}

_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass(frozen=True)
class _Binding:
    """How a name got its value: an import, an assigned expression, or anything else."""

    kind: str  # "import", "value" or "other"
    qual: str | None = None
    value: ast.expr | None = None
    scope: _Scope | None = None


@dataclass(eq=False)
class _Scope:
    """A module, class, function or lambda scope and the names bound in it."""

    node: ast.AST
    parent: _Scope | None
    is_class: bool = False
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    #: For a method: the name of its first parameter and its class's scope.
    self_name: str | None = None
    cls: _Scope | None = None
    #: For a class: ``self.<attr> = value`` assignments made in its methods.
    attrs: dict[str, list[_Binding]] = field(default_factory=dict)

    def bind(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


def _own_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a body that runs in its scope (nested def/lambda/class bodies excluded)."""
    stack: list[ast.AST] = [s for s in reversed(body) if not isinstance(s, _NEW_SCOPES)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _NEW_SCOPES))


class _ScopeBuilder(ast.NodeVisitor):
    """One pass over a module that records every scope and the bindings of its names."""

    def __init__(self, module: ast.Module) -> None:
        self.module = _Scope(module, None)
        self.current = self.module
        self.functions: dict[int, _Scope] = {}
        self.visit(module)

    def _bind(self, name: str, binding: _Binding) -> None:
        scope = self.current
        if name in scope.globals:
            scope = self.module
        elif name in scope.nonlocals:
            parent = scope.parent
            while parent is not None and (parent.is_class or name not in parent.bindings):
                if parent.parent is None:
                    break
                parent = parent.parent
            scope = parent or self.module
        scope.bind(name, binding)

    def _other(self, name: str) -> None:
        self._bind(name, _Binding("other"))

    def _value(self, name: str, value: ast.expr) -> None:
        self._bind(name, _Binding("value", value=value, scope=self.current))

    def _enter_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda):
            self._other(node.name)
            for deco in node.decorator_list:
                self.visit(deco)
            if node.returns is not None:
                self.visit(node.returns)
        args = node.args
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.visit(default)
        scope = _Scope(node, self.current)
        if not isinstance(node, ast.Lambda):
            for stmt in _own_nodes(node.body):
                if isinstance(stmt, ast.Global):
                    scope.globals.update(stmt.names)
                elif isinstance(stmt, ast.Nonlocal):
                    scope.nonlocals.update(stmt.names)
        positional = [*args.posonlyargs, *args.args]
        if self.current.is_class and positional:
            scope.self_name = positional[0].arg
            scope.cls = self.current
        params = [*positional, *args.kwonlyargs, args.vararg, args.kwarg]
        for param in params:
            if param is not None:
                scope.bind(param.arg, _Binding("other"))
        self.functions[id(node)] = scope
        outer, self.current = self.current, scope
        if isinstance(node, ast.Lambda):
            self.visit(node.body)
        else:
            for stmt in node.body:
                self.visit(stmt)
        self.current = outer

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._enter_function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._enter_function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._enter_function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._other(node.name)
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        scope = _Scope(node, self.current, is_class=True)
        outer, self.current = self.current, scope
        for stmt in node.body:
            self.visit(stmt)
        self.current = outer

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, _Binding("import", alias.name))
            else:
                top = alias.name.split(".", 1)[0]
                self._bind(top, _Binding("import", top))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name, _Binding("import", f"{module}.{alias.name}"))

    def _self_attr(self, target: ast.expr, value: ast.expr | None) -> bool:
        scope = self.current
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and scope.cls is not None
            and target.value.id == scope.self_name
        ):
            binding = _Binding("value", value=value, scope=scope) if value else _Binding("other")
            scope.cls.attrs.setdefault(target.attr, []).append(binding)
            return True
        return False

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._value(target.id, node.value)
            elif not self._self_attr(target, node.value):
                self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        if isinstance(node.target, ast.Name):
            if node.value is not None:
                self._value(node.target.id, node.value)
        elif not self._self_attr(node.target, node.value):
            self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._value(node.target.id, node.value)

    def visit_withitem(self, node: ast.withitem) -> None:
        self.visit(node.context_expr)
        target = node.optional_vars
        if isinstance(target, ast.Name):
            self._value(target.id, node.context_expr)
        elif target is not None and not self._self_attr(target, node.context_expr):
            self.visit(target)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            self._other(node.id)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._other(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._other(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._other(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self._other(node.rest)
        self.generic_visit(node)


_MAX_DEPTH = 8


class _Resolver:
    """Qualified names and object types of expressions, seen from one scope."""

    def __init__(self, module: _Scope) -> None:
        self.module = module
        self._types: dict[int, str | None] = {}

    def _lookup(self, scope: _Scope, name: str) -> list[_Binding] | None:
        current: _Scope | None = self.module if name in scope.globals else scope
        first = True
        while current is not None:
            if (first or not current.is_class) and name in current.bindings:
                return current.bindings[name]
            first = False
            current = current.parent
        return None

    def qualname(self, expr: ast.expr, scope: _Scope) -> str | None:
        """``time.sleep`` for ``t.sleep`` after ``import time as t``; None for local objects."""
        if isinstance(expr, ast.Name):
            bindings = self._lookup(scope, expr.id)
            if bindings is None:
                return f"builtins.{expr.id}"
            quals = {b.qual for b in bindings if b.kind == "import"}
            if len(quals) == 1 and all(b.kind == "import" for b in bindings):
                return quals.pop()
            return None
        if isinstance(expr, ast.Attribute):
            base = self.qualname(expr.value, scope)
            return f"{base}.{expr.attr}" if base else None
        return None

    def _agree(self, bindings: list[_Binding], depth: int) -> str | None:
        """The one type every assignment of a name gives it (memoised per binding list)."""
        key = id(bindings)
        if key in self._types:
            return self._types[key]  # known, or being computed (a cycle): None
        self._types[key] = None
        types: set[str | None] = set()
        for b in bindings:
            if b.kind != "value" or b.value is None or b.scope is None:
                return None
            if isinstance(b.value, ast.Constant) and b.value.value is None:
                continue  # `client = None` before the real assignment
            types.add(self.type_of(b.value, b.scope, depth + 1))
        found = types.pop() if len(types) == 1 else None
        self._types[key] = found
        return found

    def type_of(self, expr: ast.expr, scope: _Scope, depth: int = 0) -> str | None:
        """ "http-client", "db" or "path" when the expression is known to be one, else None."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            bindings = self._lookup(scope, expr.id)
            return self._agree(bindings, depth) if bindings else None
        if isinstance(expr, ast.Attribute):
            if (
                scope.cls is not None
                and isinstance(expr.value, ast.Name)
                and expr.value.id == scope.self_name
                and expr.attr in scope.cls.attrs
            ):
                return self._agree(scope.cls.attrs[expr.attr], depth)
            if expr.attr == "parent" and self.type_of(expr.value, scope, depth + 1) == "path":
                return "path"
            return None
        if isinstance(expr, ast.Call):
            qual = self.qualname(expr.func, scope)
            if qual in _CONSTRUCTORS:
                return _CONSTRUCTORS[qual]
            if isinstance(expr.func, ast.Attribute):
                receiver = self.type_of(expr.func.value, scope, depth + 1)
                if receiver is not None:
                    return _RETURNS.get((receiver, expr.func.attr))
            return None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            return "path" if self.type_of(expr.left, scope, depth + 1) == "path" else None
        return None

    def blocking(self, call: ast.Call, scope: _Scope) -> tuple[str, str | None] | None:
        """What kind of blocking call this is ("sleep", "http"...) and the function's
        qualified name (None for a method of a session, client, connection or path)."""
        qual = self.qualname(call.func, scope)
        if qual in _BLOCKING_FUNCS:
            return _BLOCKING_FUNCS[qual], qual.removeprefix("builtins.")
        if isinstance(call.func, ast.Attribute):
            receiver = self.type_of(call.func.value, scope)
            if receiver is not None:
                methods, kind = _METHODS[receiver]
                if call.func.attr in methods:
                    return kind, None
        return None


def _display(func: ast.expr) -> str:
    """How a call is named in a message: `requests.get`, `Path(...).read_text`."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        text = f"{ast.unparse(func.value.func)}(...).{func.attr}"
    else:
        text = ast.unparse(func)
    return text if len(text) <= 60 else "..." + text[-57:]


@dataclass(frozen=True)
class BlockingCall:
    """A blocking call made directly in an async def."""

    call: ast.Call
    kind: str  # "sleep", "http", "process", "file", "db" or "input"
    qualname: str | None  # the resolved function, None for methods of known objects
    function: str  # the async def's name

    @property
    def name(self) -> str:
        """The call as written, with the resolved function when an alias hides it."""
        shown = _display(self.call.func)
        if self.qualname and self.qualname != shown:
            return f"`{shown}()` (`{self.qualname}`)"
        return f"`{shown}()`"


def find_blocking_calls(module: ast.Module) -> Iterator[BlockingCall]:
    """Every blocking call made directly in the body of an async def of a module."""
    builder = _ScopeBuilder(module)
    resolver = _Resolver(builder.module)
    for node in walk(module):
        if not isinstance(node, ast.AsyncFunctionDef):
            continue
        scope = builder.functions[id(node)]
        own = list(_own_nodes(node.body))
        awaited = {id(n.value) for n in own if isinstance(n, ast.Await)}
        for child in own:
            if isinstance(child, ast.Call) and id(child) not in awaited:
                found = resolver.blocking(child, scope)
                if found is not None:
                    yield BlockingCall(child, found[0], found[1], node.name)


@rule
class BlockingCallInAsync(Rule):
    name = "blocking-call-in-async"
    fixable = True
    code = "PY001"
    category = Category.PERFORMANCE
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 20
    kinds = frozenset({"python", "rust"})
    # "async def" for Python; Rust async functions, blocks and closures.
    prefilter = (b"async def", b"async fn", b"async move", b"async {", b"async |")
    engine = "optimus+ruff"
    summary = "A blocking call (sleep, sync HTTP, subprocess, file or database I/O) in async code."
    doc = {
        "What it finds": (
            "Calls that block the thread, made directly in the body of an `async def`: "
            "`time.sleep`; synchronous HTTP (`requests.get/post/...`, methods of a "
            "`requests.Session()` or `httpx.Client()`, module-level `httpx.get/...`, "
            "`urllib.request.urlopen`); processes (`subprocess.run/call/check_call/"
            "check_output/Popen`, `os.system`, `os.popen`); file I/O (builtin `open()`, "
            "`Path(...).open/read_text/write_text/read_bytes/write_bytes`); synchronous "
            "database drivers (`psycopg2`, `psycopg`, `pymysql`, `sqlite3`, `MySQLdb` "
            "`connect()` and `execute/commit/fetchall/...` on the connection or its cursors); "
            "and `input()`. Imports are resolved (`import time as t`, `from requests import "
            "get`), and sessions, clients and connections are followed when they are assigned "
            "in the same function, an enclosing function, the module, or `self.x = ...` in the "
            "same class. Test, benchmark and example files are skipped.\n\n"
            "In Rust, the same inside an `async fn`, async block or async closure: "
            "`std::thread::sleep`, `std::fs` calls that move file contents or walk trees "
            "(`read_to_string`, `write`, `read_dir`, `copy`, `File::open`...), "
            "`reqwest::blocking`, `std::process::Command` `.output()`/`.status()`, and "
            "`futures::executor::block_on`, with `use` paths resolved; closures (such as "
            "`spawn_blocking(|| ...)`), `#[tokio::main]` entry points and tests are skipped.\n\n"
            "Where Ruff is installed, its ASYNC2xx results are merged into this rule (the "
            "same line is reported once).\n\n"
            "Not reported: single metadata syscalls (Rust `remove_file`, `create_dir_all`, "
            "`metadata`, `set_permissions`...; Ruff ASYNC240 on `Path.exists/is_file/"
            "resolve/mkdir/unlink/stat`...). They take microseconds on a local disk and "
            "usually run once while a listener is set up or torn down; the cost this rule "
            "is about is reading or writing file contents, network calls and sleeps."
        ),
        "Why": (
            "An `async def` runs on the event loop's single thread. While a blocking call "
            "waits (for the network, a process, the disk, or a sleep), the loop cannot run "
            "anything else: every other request handled by that worker waits too, so latency "
            "grows with load and throughput collapses to one request at a time. FastAPI runs "
            "plain `def` endpoints in a thread pool but calls `async def` endpoints directly "
            'on the loop, so a blocking call there is the costly case (FastAPI, "Concurrency '
            "and async / await\"). Python's asyncio documentation says blocking code should "
            "not be called directly, since every concurrent task waits for it, and runs it in "
            "an executor instead; "
            "Ruff's flake8-async rules (ASYNC210-ASYNC251) flag the same calls."
        ),
        "Example": (
            "```python\n"
            "@app.get('/price')\n"
            "async def price(symbol: str):\n"
            "    r = requests.get(f'{API}/quote/{symbol}')  # blocks the loop\n"
            "    time.sleep(0.1)                            # blocks the loop\n"
            "    return r.json()\n"
            "```"
        ),
        "Instead": (
            "Await an async equivalent: `await asyncio.sleep(...)`; an async HTTP client "
            "(`async with httpx.AsyncClient() as client: r = await client.get(url)`); "
            "`await asyncio.create_subprocess_exec(...)`; an async database driver (asyncpg, "
            "psycopg's `AsyncConnection`, aiosqlite, aiomysql). Where no async API exists, move "
            "the call off the loop: `await asyncio.to_thread(func, *args)`, "
            "`loop.run_in_executor(None, func, *args)`, `anyio.to_thread.run_sync` or "
            "Starlette's `run_in_threadpool`. Or make the endpoint a plain `def`, which "
            "FastAPI runs in its thread pool. In Rust: `tokio::time::sleep(..).await`, "
            "`tokio::fs`, `tokio::process`, the async `reqwest::Client`, or "
            "`tokio::task::spawn_blocking(move || ...)` for work with no async API."
        ),
        "When not to": (
            "A one-off call at start-up or in a CLI's `async def main()` that runs before "
            "anything else is scheduled blocks nothing that matters (a config file read once). "
            "Calls made through your own sync helper functions are not followed (the rule "
            "looks at one function at a time), nor are objects whose type it cannot see "
            "(a session passed in as a parameter). Suppress a deliberate call with an "
            "`# optimus: ignore[blocking-call-in-async]` comment."
        ),
        "Fix safety": (
            "`time.sleep(x)` inside `async def` becomes `await asyncio.sleep(x)` (safe; "
            "`import asyncio` added when missing). Calls of `requests.*` and `subprocess.*` "
            "become `await asyncio.to_thread(func, *args, **kwargs)`: unsafe (applied only "
            "with `--unsafe-fixes`), since the call then runs in the default thread pool, "
            "whose size bounds concurrency. Methods of client objects, file and database "
            "calls are left to a person."
        ),
    }
    references = (
        Reference("FastAPI: Concurrency and async / await", "https://fastapi.tiangolo.com/async/"),
        Reference(
            "Python docs: Developing with asyncio - Running blocking code",
            "https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code",
        ),
        Reference(
            "Ruff: flake8-async (ASYNC) rules",
            "https://docs.astral.sh/ruff/rules/#flake8-async-async",
        ),
        Reference(
            "tokio: spawn_blocking",
            "https://docs.rs/tokio/latest/tokio/task/fn.spawn_blocking.html",
        ),
        Reference(
            "Alice Ryhl: Async: What is blocking?", "https://ryhl.io/blog/async-what-is-blocking/"
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if src.kind == "rust":
            yield from rust_blocking_hits(src)
            return
        if src.is_test:
            return
        found = sorted(find_blocking_calls(src.python), key=lambda b: b.call.lineno)
        for item in found:
            yield Hit(
                f"{item.name} in `async def {item.function}` {_WHAT[item.kind]}: the event "
                f"loop stops, so every other request or task on this worker waits; "
                f"{_INSTEAD[item.kind]}",
                line=item.call.lineno,
                end_line=item.call.end_lineno,
            )
