"""redis-keys-command: the Redis ``KEYS`` command sent from application code.

Python (stdlib ``ast``): ``.keys(...)`` on a receiver known to be a Redis client - a name or
``self.<attr>`` assigned from ``redis.Redis(...)``, ``redis.from_url(...)``,
``redis.asyncio.Redis(...)``, ``RedisCluster``, django-redis ``get_redis_connection()``, their
``.pipeline()``, or a parameter annotated with one of those classes; ``.keys(pattern)`` with an
argument on a receiver whose name contains "redis" (a dict's ``keys()`` takes no argument);
django-redis ``cache.keys(pattern)``; and ``execute_command("KEYS", ...)``.
JavaScript/TypeScript (tree-sitter): the same for ioredis and node-redis (``new Redis()``,
``createClient()``, ``.keys``/``.KEYS``, ``sendCommand(["KEYS", ...])``, ``call("KEYS")``).
Test files are skipped.
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
from optimus.rules.python._astutil import (
    const_str,
    import_map,
    is_test_or_fixture,
    last_name,
    method_name,
    qualname,
    short,
)
from optimus.rules.python._redis_js import PIPELINE_NAMES, find_js_keys_calls

_CLASSES = (
    "redis.Redis",
    "redis.StrictRedis",
    "redis.client.Redis",
    "redis.client.StrictRedis",
    "redis.RedisCluster",
    "redis.cluster.RedisCluster",
    "redis.asyncio.Redis",
    "redis.asyncio.StrictRedis",
    "redis.asyncio.client.Redis",
    "redis.asyncio.RedisCluster",
    "redis.asyncio.cluster.RedisCluster",
    "aioredis.Redis",
    "aioredis.StrictRedis",
    "aioredis.client.Redis",
)
#: Calls that return a Redis client.
_CONSTRUCTORS = frozenset(
    {
        *_CLASSES,
        *(f"{cls}.from_url" for cls in _CLASSES),
        "redis.from_url",
        "redis.asyncio.from_url",
        "aioredis.from_url",
        "aioredis.create_redis",
        "aioredis.create_redis_pool",
        "django_redis.get_redis_connection",
    }
)
#: Methods of a client that return an object whose ``keys`` is KEYS too.
_SAME_CLIENT = frozenset({"pipeline", "client"})
_DJANGO_CACHE = frozenset({"django.core.cache.cache"})
_DJANGO_CACHES = frozenset({"django.core.cache.caches"})


class _PyFinder:
    """Which expressions of one module are Redis clients, and its KEYS calls."""

    def __init__(self, module: ast.Module) -> None:
        self.imports = import_map(module)
        self.imports_redis = any(
            q.split(".", 1)[0] in ("redis", "aioredis", "django_redis")
            for q in self.imports.values()
        )
        self.names: dict[str, list[ast.expr]] = {}
        self.attrs: dict[str, list[ast.expr]] = {}
        self.typed: set[str] = set()  # parameters annotated with a Redis class
        self._busy: set[str] = set()
        for node in walk(module):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    self._record(target, node.value)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                self._record(node.optional_vars, node.context_expr)
            elif (
                isinstance(node, ast.arg)
                and node.annotation is not None
                and self._is_redis_class(node.annotation)
            ):
                self.typed.add(node.arg)

    def _record(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.names.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Attribute):  # self.redis, app.state.redis
            self.attrs.setdefault(target.attr, []).append(value)

    def _is_redis_class(self, annotation: ast.expr) -> bool:
        if isinstance(annotation, ast.Subscript):  # Redis[bytes], Optional[Redis]
            return self._is_redis_class(annotation.value) or self._is_redis_class(annotation.slice)
        if isinstance(annotation, ast.BinOp):  # Redis | None
            return self._is_redis_class(annotation.left) or self._is_redis_class(annotation.right)
        return qualname(annotation, self.imports) in _CLASSES

    def _all_redis(self, key: str, values: list[ast.expr]) -> bool:
        """Whether every (non-None) value ever assigned is a Redis client."""
        if key in self._busy:
            return False
        self._busy.add(key)
        try:
            real = [v for v in values if not (isinstance(v, ast.Constant) and v.value is None)]
            return bool(real) and all(self.is_redis(v) for v in real)
        finally:
            self._busy.discard(key)

    def is_redis(self, expr: ast.expr) -> bool:
        """Whether an expression is known to be a Redis client (or its pipeline)."""
        if isinstance(expr, ast.Await):
            return self.is_redis(expr.value)
        if isinstance(expr, ast.Call):
            if qualname(expr.func, self.imports) in _CONSTRUCTORS:
                return True
            name = method_name(expr)
            return (
                name in _SAME_CLIENT
                and isinstance(expr.func, ast.Attribute)
                and self.is_redis(expr.func.value)
            )
        if isinstance(expr, ast.Name):
            if expr.id in self.names:
                return self._all_redis("n:" + expr.id, self.names[expr.id])
            return expr.id in self.typed
        if isinstance(expr, ast.Attribute) and expr.attr in self.attrs:
            return self._all_redis("a:" + expr.attr, self.attrs[expr.attr])
        return False

    def find(self, module: ast.Module) -> Iterator[tuple[ast.Call, str]]:
        """(call, advice) for every KEYS sent by this module."""
        # a client library's own `def keys(self, pattern)` sends KEYS by design
        wrappers = {
            id(call)
            for func in walk(module)
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and func.name == "keys"
            for call in walk(func)
        }
        for node in walk(module):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            receiver, name = node.func.value, node.func.attr
            if name == "execute_command" and node.args and id(node) not in wrappers:
                command = const_str(node.args[0])
                if command is not None and command.strip().upper() == "KEYS":
                    yield node, "pipeline" if self.is_pipeline(receiver) else "scan_iter"
            elif name == "keys":
                kind = self._keys_kind(node, receiver)
                if kind == "scan_iter" and self.is_pipeline(receiver):
                    kind = "pipeline"
                if kind is not None:
                    yield node, kind

    def is_pipeline(self, expr: ast.expr) -> bool:
        """Whether a client expression is a pipeline (which has no ``scan_iter``)."""
        if isinstance(expr, ast.Call):
            return method_name(expr) == "pipeline"
        if isinstance(expr, ast.Name) and expr.id in self.names:
            return all(self.is_pipeline(v) for v in self.names[expr.id])
        return False

    def _keys_kind(self, call: ast.Call, receiver: ast.expr) -> str | None:
        has_args = bool(call.args or call.keywords)
        if self.is_redis(receiver):
            return "scan_iter"
        qual = qualname(receiver, self.imports)
        if has_args and qual in _DJANGO_CACHE:
            return "django"
        if (
            has_args
            and isinstance(receiver, ast.Subscript)
            and qualname(receiver.value, self.imports) in _DJANGO_CACHES
        ):
            return "django"
        last = last_name(receiver)
        if has_args and last is not None and "redis" in last.lower():
            return "scan_iter"
        if has_args and last in PIPELINE_NAMES and self.imports_redis:
            return "pipeline"
        return None


_WHY = (
    "KEYS walks the whole keyspace in one O(N) command and Redis serves nothing else while it "
    "runs, so every client of this server waits"
)


def _python_message(call: ast.Call, kind: str) -> str:
    text = short(call)
    index = 0 if method_name(call) == "keys" else 1  # execute_command("KEYS", pattern)
    pattern = short(call.args[index], 40) if len(call.args) > index else None
    if kind == "django":
        receiver = short(call.func.value) if isinstance(call.func, ast.Attribute) else "cache"
        instead = (
            f"iterate with `{receiver}.iter_keys({pattern or '...'})` (django-redis, uses SCAN) "
            f"or delete with `{receiver}.delete_pattern(...)`"
        )
    elif kind == "pipeline":
        match = f"match={pattern}" if pattern else "match=..."
        instead = f"find the keys before the pipeline with the client's `scan_iter({match})` (SCAN)"
    else:
        receiver = short(call.func.value) if isinstance(call.func, ast.Attribute) else "r"
        match = f"match={pattern}" if pattern else "match=..."
        instead = f"iterate with `{receiver}.scan_iter({match})` (SCAN) or keep the keys in a set"
    return f"`{text}` sends the Redis KEYS command: {_WHY}; {instead}"


@rule
class RedisKeysCommand(Rule):
    name = "redis-keys-command"
    code = "PY013"
    category = Category.PERFORMANCE
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 20
    kinds = frozenset({"python", "javascript", "typescript", "tsx"})
    prefilter = (b".keys(", b".KEYS(", b"'KEYS'", b'"KEYS"')
    # `.keys(` alone matches every dict; the rule needs a Redis client in the file.
    prefilter_pattern = re.compile(rb"(?i:redis)|\bKEYS\b")
    summary = "The Redis KEYS command is sent from application code."
    doc = {
        "What it finds": (
            "Calls that send Redis `KEYS pattern`: in Python, `.keys(...)` on a redis-py "
            "client (a name or `self.<attr>` assigned from `redis.Redis(...)`, "
            "`redis.from_url(...)`, `redis.asyncio.Redis(...)`, `RedisCluster`, django-redis "
            "`get_redis_connection()`, their `.pipeline()`, or a parameter annotated with a "
            "Redis class), `.keys(pattern)` with an argument on a receiver whose name contains "
            "`redis` (a dict's `keys()` takes no argument, so dicts never match) or named like "
            "a pipeline (`pipe`, `multi`, `tx`) in a module that imports a Redis client, "
            "django-redis `cache.keys(pattern)`, and `execute_command('KEYS', ...)` (except in "
            "a client library's own `def keys`); in JavaScript and TypeScript, "
            "`.keys(...)`/`.KEYS(...)` on an ioredis or node-redis client "
            "(`new Redis()`, `createClient()`) or on a receiver named like `redis`, and "
            "`sendCommand(['KEYS', ...])`/`call('KEYS', ...)`. Test files are skipped."
        ),
        "Why": (
            "Redis runs commands one at a time. KEYS is O(N) in the number of keys in the "
            "database and returns every match in one reply, so while it runs no other command "
            "is served. The Redis documentation warns: consider KEYS as a command that should "
            "only be used in production environments with extreme care, as it may ruin "
            "performance when it is executed against large databases, and says not to use it "
            "in regular application code, recommending SCAN or sets instead. SCAN returns the "
            "keys a few at a time with a cursor, so other clients are served between calls. "
            "django-redis gives the same advice for its `cache.keys()` (use `iter_keys`). The "
            "cost grows with the keyspace, not with the number of matches; Optimus has not "
            "measured it."
        ),
        "Example": (
            "```python\n"
            "r = redis.Redis.from_url(REDIS_URL)\n"
            "\n"
            "def clear_sessions(user_id):\n"
            "    for key in r.keys(f'session:{user_id}:*'):  # KEYS: blocks the server\n"
            "        r.delete(key)\n"
            "```"
        ),
        "Instead": (
            "Iterate with SCAN: `for key in r.scan_iter(match='session:*', count=500)` "
            "(redis-py; `async for` with `redis.asyncio`), ioredis `redis.scanStream({ match })`, "
            "node-redis `client.scanIterator({ MATCH })`, django-redis `cache.iter_keys(...)` and "
            "`cache.delete_pattern(...)`. Better still, keep the keys of a group in a set (or "
            "a hash) when they are written, and read that set instead of searching the keyspace."
        ),
        "When not to": (
            "One-off maintenance scripts and debugging tools run against a small or idle "
            "database, and test code (skipped). A receiver whose name contains `redis` but is "
            "not a Redis client and has a `keys(argument)` method would be a false positive; "
            "suppress it with `# optimus: ignore[redis-keys-command]`."
        ),
    }
    references = (
        Reference("Redis: KEYS", "https://redis.io/docs/latest/commands/keys/"),
        Reference("Redis: SCAN", "https://redis.io/docs/latest/commands/scan/"),
        Reference(
            "redis-py: Scan iteration",
            "https://redis.io/docs/latest/develop/clients/redis-py/scaniter/",
        ),
        Reference(
            "django-redis: Scan & Delete keys in bulk",
            "https://github.com/jazzband/django-redis#scan--delete-keys-in-bulk",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if is_test_or_fixture(src):
            return
        if src.kind != "python":
            for line, end_line, text in find_js_keys_calls(src.tree.root_node):
                yield Hit(
                    f"`{text}` sends the Redis KEYS command: {_WHY}; iterate with SCAN "
                    "(ioredis `scanStream({ match })`, node-redis `scanIterator({ MATCH })`) "
                    "or keep the keys in a set",
                    line=line,
                    end_line=end_line,
                )
            return
        module = src.python
        finder = _PyFinder(module)
        for call, kind in sorted(finder.find(module), key=lambda f: f[0].lineno):
            yield Hit(_python_message(call, kind), line=call.lineno, end_line=call.end_lineno)
