"""db-pool-config: a SQLAlchemy engine pooling server connections with no disconnect handling.

Finds ``create_engine``/``create_async_engine`` calls (SQLAlchemy, SQLModel) for a server
database, proven by a literal URL (``"postgresql+psycopg://..."``, an f-string, ``URL.create
("mysql+pymysql", ...)``, a module constant) or, when the URL is not literal, by
``pool_size``/``max_overflow`` arguments, that pass neither ``pool_pre_ping=True`` nor
``pool_recycle``. SQLite, ``NullPool``/``StaticPool`` engines, calls with ``**kwargs`` and
test and migration code are skipped. Missing pool size arguments are not a finding:
SQLAlchemy's defaults are reasonable.

Not implemented (needs a project-scope pass over Python files and deployment files together):
the pool budget, (pool_size + max_overflow) x workers against PostgreSQL's default
``max_connections`` of 100.
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
from optimus.rules.python._handlers import Imports, in_test_code

ENGINE_FACTORIES = frozenset(
    {
        "sqlalchemy.create_engine",
        "sqlalchemy.engine.create_engine",
        "sqlalchemy.ext.asyncio.create_async_engine",
        "sqlalchemy.ext.asyncio.engine.create_async_engine",
        "sqlmodel.create_engine",
    }
)
_SERVER = re.compile(
    r"^(postgresql|postgres|pgsql|mysql|mariadb|mssql|oracle|cockroachdb|redshift)(\+\w+)?(://|$)",
    re.IGNORECASE,
)
_UNPOOLED = ("NullPool", "StaticPool", "SingletonThreadPool", "AssertionPool")
_POOLED = ("QueuePool", "AsyncAdaptedQueuePool")
_MAX_DEPTH = 4
_DISPLAY = {
    "postgresql": "PostgreSQL",
    "postgres": "PostgreSQL",
    "pgsql": "PostgreSQL",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "mssql": "SQL Server",
    "oracle": "Oracle",
    "cockroachdb": "CockroachDB",
    "redshift": "Redshift",
}


def _assignments(module: ast.Module) -> dict[str, list[ast.expr]]:
    """Values assigned to each plain name anywhere in the module."""
    out: dict[str, list[ast.expr]] = {}
    for node in walk(module):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and isinstance(node.target, ast.Name)
        ):
            out.setdefault(node.target.id, []).append(node.value)
    return out


def _leading_text(expr: ast.expr, values: dict[str, list[ast.expr]], depth: int = 0) -> str | None:
    """The literal start of a URL expression, or None when nothing literal is known."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        first = expr.values[0] if expr.values else None
        return first.value if isinstance(first, ast.Constant) else None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Mod):
        return _leading_text(expr.left, values, depth + 1)
    if isinstance(expr, ast.Name) and len(values.get(expr.id, [])) == 1:
        return _leading_text(values[expr.id][0], values, depth + 1)
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            return _leading_text(func.value, values, depth + 1)
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("create", "make_url", "URL") and expr.args:
            return _leading_text(expr.args[0], values, depth + 1)
    return None


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _literal(keyword: ast.keyword | None) -> object:
    """The keyword's literal value (``-1`` included), or ``...`` when it is computed."""
    if keyword is None:
        return ...
    try:
        return ast.literal_eval(keyword.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return ...


def needs_disconnect_handling(call: ast.Call, values: dict[str, list[ast.expr]]) -> str | None:
    """The database kind shown in a message when the engine needs a finding, else None."""
    if any(k.arg is None for k in call.keywords):
        return None  # **options: pool settings may be in there
    pre_ping, recycle = _keyword(call, "pool_pre_ping"), _keyword(call, "pool_recycle")
    if pre_ping is not None and _literal(pre_ping) is not False:
        return None
    if recycle is not None and _literal(recycle) not in (-1, None):
        return None
    poolclass = _keyword(call, "poolclass")
    if poolclass is not None and not ast.unparse(poolclass.value).endswith(_POOLED):
        return None  # NullPool opens a fresh connection each time; unknown pools: not judged
    url = call.args[0] if call.args else getattr(_keyword(call, "url"), "value", None)
    text = _leading_text(url, values) if url is not None else None
    if text is not None:
        match = _SERVER.match(text.strip())
        return match.group(1).lower() if match else None
    if _keyword(call, "pool_size") or _keyword(call, "max_overflow"):
        return "server"
    return None


def find_engines(module: ast.Module) -> Iterator[tuple[ast.Call, str]]:
    """(call, database kind) for each engine that needs a pre-ping or recycle setting."""
    imports = Imports(module)
    values = _assignments(module)
    for node in walk(module):
        if isinstance(node, ast.Call) and imports.qualname(node.func) in ENGINE_FACTORIES:
            kind = needs_disconnect_handling(node, values)
            if kind is not None:
                yield node, kind


def _migration_script(project_path: str) -> bool:
    parts = project_path.lower().split("/")
    return parts[-1] == "env.py" and any(p in ("alembic", "migrations", "migration") for p in parts)


@rule
class DbPoolConfig(Rule):
    name = "db-pool-config"
    fixable = True
    code = "PY005"
    category = Category.RELIABILITY
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 10
    kinds = frozenset({"python"})
    prefilter = (b"create_engine", b"create_async_engine")
    summary = "A SQLAlchemy engine pools server connections without pool_pre_ping or pool_recycle."
    doc = {
        "What it finds": (
            "`create_engine(...)`/`create_async_engine(...)` (SQLAlchemy, SQLModel) for a "
            "server database (PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, CockroachDB), "
            "with neither `pool_pre_ping=True` nor `pool_recycle=N`. The database is known "
            "from a literal URL (a string, an f-string, `URL.create('postgresql+psycopg', "
            "...)`, or a name assigned one such value in the module), or, when the URL is "
            "not literal, from `pool_size`/`max_overflow` arguments, which only a pooled "
            "server database takes. Skipped: SQLite, `poolclass=NullPool`/`StaticPool`, "
            "calls that pass `**options`, test files and Alembic `env.py` scripts. Leaving "
            "`pool_size` and `max_overflow` at their defaults is not a finding."
        ),
        "Why": (
            "The engine keeps connections open in a pool between requests. Servers and "
            "everything between (PgBouncer, cloud proxies, load balancers, firewalls, MySQL's "
            "`wait_timeout`) close connections that sit idle, and database restarts or "
            "failovers close all of them. SQLAlchemy's pool does not notice until a "
            "checked-out connection is used, so the first request after the drop fails. "
            'SQLAlchemy\'s "Dealing with Disconnects" section describes the two remedies: '
            "pessimistic `pool_pre_ping=True` (a lightweight ping on each checkout, "
            "reconnecting if needed) and `pool_recycle`, which replaces connections older "
            "than N seconds. Pool sizes themselves are fine by default (SQLAlchemy: "
            "create_engine already has a QueuePool with reasonable defaults)."
        ),
        "Example": (
            "```python\n"
            "engine = create_engine(\n"
            "    'postgresql+psycopg://app@db/app', pool_size=10, max_overflow=20\n"
            ")\n"
            "```"
        ),
        "Instead": (
            "```python\n"
            "engine = create_engine(\n"
            "    'postgresql+psycopg://app@db/app',\n"
            "    pool_size=10, max_overflow=20,\n"
            "    pool_pre_ping=True,      # check each connection on checkout\n"
            "    pool_recycle=1800,       # below the server's/proxy's idle timeout\n"
            ")\n"
            "```\n\n"
            "Size the pools so that (pool_size + max_overflow) x worker processes x replicas "
            "stays under the server's `max_connections` (100 by default in PostgreSQL)."
        ),
        "When not to": (
            "Short-lived scripts and batch jobs whose connections never sit idle, and "
            "engines behind a setup that already handles disconnects (a `handle_error` or "
            "`checkout` event listener, retries around every transaction). Pre-ping costs a "
            "round trip per checkout (not measured here); `pool_recycle` alone avoids it. "
            "The URL is only known when it is literal in the module; engines built from "
            "settings objects without pool arguments are not judged. The pool budget "
            "against `max_connections` is not checked yet."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` adds "
            "`pool_pre_ping=True` to the reported `create_engine`/`create_async_engine` call "
            "through LibCST, in the call's own layout; every checkout then pings the server "
            "first. Refused when the call already passes `pool_pre_ping` or `**kwargs`."
        ),
    }
    references = (
        Reference(
            "SQLAlchemy: Connection Pooling - Dealing with Disconnects",
            "https://docs.sqlalchemy.org/en/20/core/pooling.html#dealing-with-disconnects",
        ),
        Reference(
            "PostgreSQL: Connections and Authentication (max_connections)",
            "https://www.postgresql.org/docs/current/runtime-config-connection.html",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if in_test_code(src) or _migration_script(src.project_path):
            return
        found = sorted(find_engines(src.python), key=lambda h: h[0].lineno)
        for call, kind in found:
            database = "a server database" if kind == "server" else f"a {_DISPLAY[kind]} database"
            yield Hit(
                f"`{ast.unparse(call.func)}(...)` pools connections to {database} without "
                "`pool_pre_ping=True` or `pool_recycle`: when the server, a proxy or a "
                "firewall closes an idle connection (or the database restarts), the pool hands "
                "it out and the next query fails; pass `pool_pre_ping=True` or "
                "`pool_recycle=<seconds below the idle timeout>`",
                line=call.lineno,
                end_line=call.end_lineno,
            )
