"""client-per-request: an HTTP client or database engine/connection made per request or per
loop iteration and thrown away, so no connection is ever reused.

Python (stdlib ``ast``): constructors of pooled clients (``httpx.Client``,
``requests.Session``, ``aiohttp.ClientSession``...) and of engines and connections
(``create_engine``, ``psycopg.connect``, ``asyncpg.connect``...) called in a request handler or
in a loop body, whose result is not kept (not assigned to an attribute, a subscript or a
``global``, returned, yielded or appended); and ``requests.get``/``httpx.post``-style
module-level calls in a loop body, which open a new connection each time. Rust (tree-sitter):
``reqwest::Client::new()``/``builder()`` and ``reqwest::get`` in a loop body or an iterator
closure (``.map(|u| ...)``), see :mod:`optimus.rules.python._client_rust`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.python._client_loops import host_varies, per_target, retry_or_poll
from optimus.rules.python._client_rust import rust_hits
from optimus.rules.python._handlers import (
    Function,
    FunctionInfo,
    Imports,
    display,
    functions,
    in_test_code,
    is_generator,
    own_nodes,
    parents,
    route_handlers,
    walk_with_loops,
)

_HTTP = "HTTP client"
_ENGINE = "database engine (with its connection pool)"
_CONNECTION = "database connection"
_POOL = "database connection pool"
#: Constructors of objects that hold connections, and what they are.
CONSTRUCTORS: dict[str, str] = {
    "httpx.Client": _HTTP,
    "httpx.AsyncClient": _HTTP,
    "requests.Session": _HTTP,
    "requests.session": _HTTP,
    "requests.sessions.Session": _HTTP,
    "aiohttp.ClientSession": _HTTP,
    "urllib3.PoolManager": _HTTP,
    "sqlalchemy.create_engine": _ENGINE,
    "sqlalchemy.engine.create_engine": _ENGINE,
    "sqlalchemy.ext.asyncio.create_async_engine": _ENGINE,
    "sqlmodel.create_engine": _ENGINE,
    "psycopg.connect": _CONNECTION,
    "psycopg.Connection.connect": _CONNECTION,
    "psycopg.AsyncConnection.connect": _CONNECTION,
    "psycopg2.connect": _CONNECTION,
    "asyncpg.connect": _CONNECTION,
    "asyncpg.create_pool": _POOL,
}
_INSTEAD_IN_HANDLER = {
    _HTTP: (
        "create one client at startup (module level, or the app's lifespan hook and "
        "`app.state`) and reuse it"
    ),
    _ENGINE: "create the engine once per process (module level or lifespan) and reuse it",
    _CONNECTION: (
        "take connections from a pool created once at startup (a SQLAlchemy engine, "
        "`psycopg_pool`, `asyncpg.create_pool`)"
    ),
    _POOL: "create the pool once at startup (lifespan) and acquire connections from it",
}
_VERBS = ("get", "post", "put", "delete", "patch", "head", "options", "request", "stream")
#: Module-level request functions: each call opens (and closes) its own connection.
ONE_SHOT = frozenset(
    [f"requests.{v}" for v in _VERBS if v != "stream"] + [f"httpx.{v}" for v in _VERBS]
)
#: Methods that keep their argument (``clients.append(httpx.Client())``).
_KEEPING_METHODS = frozenset(
    {"append", "add", "extend", "insert", "setdefault", "update", "put", "register", "push"}
)


def _stored(
    call: ast.expr, body: list[ast.stmt], parent_of: dict[int, ast.AST], seen: set[str]
) -> bool:
    """Whether the object made by ``call`` outlives the statement (kept somewhere)."""
    node: ast.AST = call
    while True:
        parent = parent_of.get(id(node))
        if isinstance(parent, ast.Await):
            node = parent
            continue
        if isinstance(parent, ast.Call) and node is not parent.func:
            func_expr = parent.func
            if isinstance(func_expr, ast.Attribute) and func_expr.attr in _KEEPING_METHODS:
                return True
            node = parent  # wrapped: judge the wrapper (`Api(httpx.Client())`)
            continue
        if isinstance(parent, ast.keyword):
            node = parent_of.get(id(parent), parent)
            continue
        break
    if isinstance(parent, ast.Return | ast.Yield | ast.YieldFrom):
        return True
    if isinstance(parent, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return True  # `[httpx.Client() for ...]` builds a collection of clients on purpose
    if isinstance(parent, ast.Assign | ast.AnnAssign | ast.NamedExpr):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        if any(isinstance(t, ast.Attribute | ast.Subscript) for t in targets):
            return True
        names = {t.id for t in targets if isinstance(t, ast.Name)} - seen
        return bool(names) and _name_kept(names, body, parent_of, seen | names)
    return False


def _name_kept(
    names: set[str], body: list[ast.stmt], parent_of: dict[int, ast.AST], seen: set[str]
) -> bool:
    """Whether a variable holding the object is declared global, returned, stored or kept."""
    for node in own_nodes(body):
        if isinstance(node, ast.Global | ast.Nonlocal) and names & set(node.names):
            return True
        if (
            isinstance(node, ast.Name)
            and node.id in names
            and isinstance(node.ctx, ast.Load)
            and _stored(node, body, parent_of, seen)
        ):
            return True
    return False


def _scope_hits(
    body: list[ast.stmt], func: Function | None, handler: bool, imports: Imports
) -> Iterator[tuple[ast.Call, str]]:
    parent_of = parents(body)
    where_fn = f"`{func.name}`" if func is not None else "module code"
    for node, loop in walk_with_loops(body):
        if not isinstance(node, ast.Call):
            continue
        qual = imports.qualname(node.func)
        if qual is None:
            continue
        what = CONSTRUCTORS.get(qual)
        shown = display(node.func)
        alias = f" (`{qual}`)" if shown != qual else ""
        named = f"`{shown}(...)`{alias}"
        if loop is not None and not retry_or_poll(loop):
            if what and not per_target(node, loop) and not _stored(node, body, parent_of, set()):
                yield (
                    node,
                    f"{named} makes a new {what} on every iteration of a loop in {where_fn}, so "
                    "each iteration opens its own connection (TCP, TLS, login) and none is "
                    "reused: create it once before the loop and reuse it",
                )
            elif qual in ONE_SHOT and not host_varies(node, qual, loop):
                client = "httpx.Client()" if qual.startswith("httpx") else "requests.Session()"
                yield (
                    node,
                    f"`{shown}()`{alias} in a loop in {where_fn} opens a new connection on "
                    "every iteration (module-level calls use no connection pool): create one "
                    f"`{client}` before the loop and call its methods",
                )
        elif handler and what and not _stored(node, body, parent_of, set()):
            yield (
                node,
                f"{named} makes a new {what} in request handler {where_fn}, so every request "
                f"opens fresh connections (TCP, TLS, login) and none is reused: "
                f"{_INSTEAD_IN_HANDLER[what]}",
            )


def _client_helpers(
    infos: list[FunctionInfo], handlers: set[int], imports: Imports
) -> dict[str, tuple[str, str]]:
    """Module functions (not handlers, not generators) that make and drop a client each call:
    name -> (the constructor as shown, what it makes)."""
    helpers: dict[str, tuple[str, str]] = {}
    for info in infos:
        func = info.node
        if info.cls is not None or id(func) in handlers or is_generator(func):
            continue
        parent_of = parents(func.body)
        for node in own_nodes(func.body):
            qual = imports.qualname(node.func) if isinstance(node, ast.Call) else None
            what = CONSTRUCTORS.get(qual or "")
            if what and not _stored(node, func.body, parent_of, set()):
                helpers[func.name] = (qual or "", what)
                break
    return helpers


def find_python_hits(module: ast.Module) -> Iterator[tuple[ast.Call, str]]:
    """(call, message) for every client made per request or per iteration in a module."""
    imports = Imports(module)
    if not any(imports.imports(p.split(".", 1)[0]) for p in (*CONSTRUCTORS, *ONE_SHOT)):
        return
    handlers = route_handlers(module, imports)
    infos = functions(module)
    helpers = _client_helpers(infos, handlers, imports)
    yield from _scope_hits(module.body, None, False, imports)
    for info in infos:
        func = info.node
        # A generator dependency (`yield client`) is how FastAPI scopes a resource per request.
        handler = id(func) in handlers and not is_generator(func)
        yield from _scope_hits(func.body, func, handler, imports)
        if not handler:
            continue
        for node in own_nodes(func.body):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            helper = helpers.get(node.func.id)
            if helper is not None and node.func.id != func.name:
                qual, what = helper
                yield (
                    node,
                    (
                        f"`{node.func.id}()` in request handler `{func.name}` makes a new "
                        f"{what} (`{qual}`) on every call, so every request opens fresh "
                        "connections (TCP, TLS, login) and none is reused: "
                        f"{_INSTEAD_IN_HANDLER[what]}, and pass it in"
                    ),
                )


@rule
class ClientPerRequest(Rule):
    name = "client-per-request"
    code = "PY003"
    category = Category.PERFORMANCE
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 20
    kinds = frozenset({"python", "rust"})
    # The clients and engines this rule knows come from these libraries.
    prefilter_also = (
        b"httpx",
        b"requests",
        b"aiohttp",
        b"urllib3",
        b"sqlalchemy",
        b"sqlmodel",
        b"psycopg",
        b"asyncpg",
        b"reqwest",
    )
    prefilter = (
        b"Client",
        b"Session",
        b"session(",
        b"PoolManager",
        b"create_engine",
        b"create_async_engine",
        b"connect",
        b"create_pool",
        b"requests",
        b"httpx",
        b"reqwest",
    )
    summary = "An HTTP client or database connection is created per request or per loop iteration."
    doc = {
        "What it finds": (
            "Python: a connection-pooling object created inside a request handler (a function "
            "decorated with a FastAPI/Starlette/Flask/aiohttp route decorator such as "
            "`@app.get(...)`, `@router.post(...)`, `@bp.route(...)`, or registered with "
            "`add_api_route`/`add_url_rule`/`Route`) or inside a loop body, and not kept: "
            "`httpx.Client`/`AsyncClient`, `requests.Session`, `aiohttp.ClientSession`, "
            "`urllib3.PoolManager`, SQLAlchemy `create_engine`/`create_async_engine`, "
            "`psycopg.connect`, `psycopg2.connect`, `asyncpg.connect`/`create_pool`. Also "
            "module-level `requests.get/post/...` and `httpx.get/post/...` calls in a loop "
            "body. Rust: `reqwest::Client::new()`, `Client::builder()` and `reqwest::get(...)` "
            "in a `for`/`while`/`loop` body or in a closure passed to `map`/`for_each`/`then`. "
            "Not reported: objects stored on `self`, `app.state`, in a `global`, a dict or a "
            "list, returned or yielded (FastAPI generator dependencies); clients made at "
            "module level or in startup/lifespan code; loops that sleep between iterations "
            "or count attempts (polling and retries); constructors whose arguments use the "
            "loop variable (one client per host or database); test files."
        ),
        "Why": (
            "A client or engine keeps a pool of open connections so later requests skip the "
            "TCP handshake, the TLS handshake and, for databases, authentication. httpx's "
            "documentation says the top-level API (`httpx.get`) has to establish a new "
            "connection for every single request, while a `Client` reuses the underlying "
            "connection; requests' `Session` does the same through urllib3's pooling. "
            "SQLAlchemy's pool only helps if the engine is created once per process. "
            "reqwest's docs: the `Client` holds a connection pool internally, so create one "
            "and reuse it. Made per request or per item, the pool is thrown away each time "
            "and every call pays the full connection setup; the saving depends on latency "
            "to the server and was not measured here."
        ),
        "Example": (
            "```python\n"
            "@app.get('/user/{uid}')\n"
            "async def user(uid: int):\n"
            "    async with httpx.AsyncClient() as client:   # new pool per request\n"
            "        r = await client.get(f'{API}/users/{uid}')\n"
            "    return r.json()\n\n"
            "for url in urls:\n"
            "    requests.get(url)                           # new connection per URL\n"
            "```"
        ),
        "Instead": (
            "Create the client once and share it: at module level, or in the app's lifespan "
            "(`app.state.client = httpx.AsyncClient()` and `await client.aclose()` on "
            "shutdown), or in a FastAPI generator dependency for per-request scoping of a "
            "shared pool. In loops, open one `requests.Session()`/`httpx.Client()` before the "
            "loop. For databases, create the engine or pool once per process and take "
            "connections from it per request. In Rust, build one `reqwest::Client` and clone "
            "it (it is an `Arc` inside)."
        ),
        "When not to": (
            "Clients that must differ per request (per-user credentials, proxies or "
            "certificates that cannot be passed per request), or a handler that runs rarely "
            "(an admin endpoint). A handler that calls a helper of the same module that makes "
            "and drops a client is reported at the call; helpers in other modules are not "
            "followed. FastAPI generator dependencies (`async with httpx.AsyncClient() as c: "
            "yield c`) are not reported, although FastAPI runs them once per request: a "
            "client created in the lifespan and yielded from the dependency reuses "
            'connections. Loops whose URL takes its host from the loop (`f"{peer}/health"`, '
            "a list of full URLs) or that run over a literal of three items or fewer are "
            "skipped. Django views are not recognised."
        ),
    }
    references = (
        Reference("HTTPX: Clients", "https://www.python-httpx.org/advanced/clients/"),
        Reference(
            "Requests: Session Objects",
            "https://requests.readthedocs.io/en/latest/user/advanced/#session-objects",
        ),
        Reference(
            "SQLAlchemy: Connection Pooling", "https://docs.sqlalchemy.org/en/20/core/pooling.html"
        ),
        Reference(
            "reqwest: Client (connection pool, create one and reuse it)",
            "https://docs.rs/reqwest/latest/reqwest/struct.Client.html",
        ),
        Reference(
            "reqwest: get (creates a new Client on each call)",
            "https://docs.rs/reqwest/latest/reqwest/fn.get.html",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if in_test_code(src):
            return
        if src.kind == "rust":
            for line, message in rust_hits(src):
                yield Hit(message, line=line)
            return
        found = sorted(find_python_hits(src.python), key=lambda h: (h[0].lineno, h[0].col_offset))
        for call, message in found:
            yield Hit(message, line=call.lineno, end_line=call.end_lineno)
