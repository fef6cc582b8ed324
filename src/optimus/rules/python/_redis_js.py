"""The JavaScript/TypeScript half of redis-keys-command: KEYS sent with ioredis or node-redis.

Works on the tree-sitter tree. A receiver is a Redis client when every assignment to its name
(``const client = ...``, ``this.redis = ...``) is ``new Redis(...)``/``new Cluster(...)``
(ioredis), ``createClient(...)``/``createCluster(...)`` (node-redis, in a file that imports a
Redis package), or ``.connect()``/``.duplicate()``/``.multi()``/``.pipeline()`` of one.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from optimus.parse.treesitter import walk

_PACKAGES = ("redis", "ioredis", "@redis/client", "@node-redis/client")
_CLASSES = frozenset({"Redis", "IORedis", "Cluster", "Redis.Cluster", "IORedis.Cluster"})
_FACTORIES = frozenset({"createClient", "createCluster"})
_SAME_CLIENT = frozenset({"connect", "duplicate", "multi", "pipeline", "isolated"})
_WRAPPERS = frozenset({"await_expression", "parenthesized_expression", "non_null_expression"})


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text else ""


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in _WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    return node


def _key(node: Node | None) -> str | None:
    """The name a receiver is known by: `client` or the property of `this.redis`."""
    node = _unwrap(node)
    if node is None:
        return None
    if node.type == "identifier":
        return _text(node)
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return _text(prop) if prop is not None else None
    return None


def _string(node: Node | None) -> str | None:
    if node is not None and node.type == "string":
        return _text(node)[1:-1]
    return None


def _arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


class _Clients:
    """Names assigned a Redis client in one file."""

    def __init__(self, root: Node, nodes: list[Node]) -> None:
        source = _text(root)
        self.imports_redis = any(f"'{p}'" in source or f'"{p}"' in source for p in _PACKAGES)
        self.values: dict[str, list[Node]] = {}
        for node in nodes:
            if node.type == "variable_declarator":
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            elif node.type == "assignment_expression":
                name, value = node.child_by_field_name("left"), node.child_by_field_name("right")
            elif node.type in ("public_field_definition", "field_definition"):
                name = node.child_by_field_name("name") or node.child_by_field_name("property")
                value = node.child_by_field_name("value")
            else:
                continue
            key = _text(name) if name is not None and name.type.endswith("identifier") else None
            key = key or _key(name)
            if key and value is not None:
                self.values.setdefault(key, []).append(value)
        self._busy: set[str] = set()

    def is_client(self, node: Node | None) -> bool:
        node = _unwrap(node)
        if node is None:
            return False
        if node.type == "new_expression":
            ctor = _text(node.child_by_field_name("constructor"))
            return ctor in _CLASSES and (self.imports_redis or "redis" in ctor.lower())
        if node.type == "call_expression":
            func = node.child_by_field_name("function")
            if func is None:
                return False
            if func.type == "identifier":
                return _text(func) in _FACTORIES and self.imports_redis
            if func.type == "member_expression":
                prop = _text(func.child_by_field_name("property"))
                if prop in _FACTORIES:
                    return self.imports_redis
                return prop in _SAME_CLIENT and self.is_client(func.child_by_field_name("object"))
            return False
        key = _key(node)
        if key is None or key not in self.values or key in self._busy:
            return False
        self._busy.add(key)
        try:
            return all(self.is_client(v) for v in self.values[key])
        finally:
            self._busy.discard(key)


#: Names of a pipeline or transaction, trusted in a file that imports a Redis package.
PIPELINE_NAMES = frozenset({"multi", "pipe", "pipeline", "tx", "transaction", "batch"})


def _named_redis(node: Node | None, imports_redis: bool = False) -> bool:
    key = _key(node)
    if key is None:
        return False
    return "redis" in key.lower() or (imports_redis and key in PIPELINE_NAMES)


def _is_keys_command(node: Node | None) -> bool:
    """`'KEYS'` or `['KEYS', ...]`."""
    if node is not None and node.type == "array" and node.named_children:
        node = node.named_children[0]
    text = _string(node)
    return text is not None and text.strip().upper() == "KEYS"


def find_js_keys_calls(root: Node) -> Iterator[tuple[int, int, str]]:
    """(line, end line, call text) of every KEYS a JavaScript/TypeScript file sends."""
    nodes = list(walk(root))
    clients = _Clients(root, nodes)
    for node in nodes:
        if node.type != "call_expression":
            continue
        func = node.child_by_field_name("function")
        if func is None or func.type != "member_expression":
            continue
        receiver = func.child_by_field_name("object")
        prop = _text(func.child_by_field_name("property"))
        args = _arguments(node)
        if prop in ("keys", "KEYS"):
            found = clients.is_client(receiver) or (
                bool(args) and _named_redis(receiver, clients.imports_redis)
            )
        elif prop in ("sendCommand", "send_command"):
            found = bool(args) and _is_keys_command(args[0])
        elif prop in ("call", "callBuffer"):
            found = (
                bool(args)
                and _is_keys_command(args[0])
                and (clients.is_client(receiver) or _named_redis(receiver))
            )
        else:
            continue
        if found:
            text = " ".join(_text(node).split())
            text = text if len(text) <= 60 else text[:57] + "..."
            yield node.start_point[0] + 1, node.end_point[0] + 1, text
