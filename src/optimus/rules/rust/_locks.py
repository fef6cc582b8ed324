"""Which expressions of a Rust file produce a std or parking_lot lock guard.

A guard comes from:

- `x.lock().unwrap()`, `.expect(..)` or `.unwrap_or_else(..)` on any receiver: only the std
  (and lock_api-style poisoning) `Mutex::lock` returns a `LockResult`; tokio's `lock()` is a
  future and must be awaited, so `.lock().unwrap()` never names it;
- `x.read()` / `x.write()` followed by one of those, when `x` is declared or constructed as a
  (non-async) `RwLock` in the file;
- `x.lock()`, `x.read()`, `x.write()` without unwrap, when `x` is declared as a parking_lot
  (or spin) lock, whose methods return the guard itself;
- `x.lock()` / `try_lock()`... bound whole (`let r = x.lock();`, `match x.lock() {..}`) when
  `x` is declared as a std lock: the `LockResult` holds the guard.

Names are matched by their last segment (`self.state` is `state`), with the types written in
the file: struct fields, parameters, `let`s, statics, and `Mutex::new(..)` constructions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from optimus.rules.rust._syntax import (
    argument_nodes,
    is_awaited,
    method_call,
    node_text,
    unwrap_expression,
    use_paths,
)

#: Methods that take the `LockResult` (or `Option`) of a lock call and return the guard.
UNWRAPS = frozenset({"unwrap", "expect", "unwrap_or_else"})
_LOCK_METHODS = {
    "lock": "mutex",
    "try_lock": "mutex",
    "read": "rwlock",
    "write": "rwlock",
    "try_read": "rwlock",
    "try_write": "rwlock",
}
_FAMILIES = {"Mutex": "mutex", "ReentrantMutex": "mutex", "FairMutex": "mutex", "RwLock": "rwlock"}
#: Crates whose locks are futures (held across `.await` by design) or whose guards are the
#: return value itself (parking_lot and friends: no poisoning, no `Result`).
_ASYNC_CRATES = ("tokio", "futures", "async_std", "async_lock", "smol", "async_mutex")
_PLAIN_GUARD_CRATES = ("parking_lot", "lock_api", "spin")
_DECLARATIONS = frozenset(
    {"field_declaration", "parameter", "let_declaration", "static_item", "const_item"}
)


@dataclass
class LockNames:
    """Names declared or built as locks in one file: name -> {(family, flavour)}."""

    uses: dict[str, str | None]
    names: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def flavours(self, receiver: Node, family: str) -> set[str]:
        """The flavours ("std", "plain", "async", "other") a receiver of this family has."""
        name = receiver_name(receiver)
        if name is None:
            return set()
        return {flavour for fam, flavour in self.names.get(name, ()) if fam == family}


def receiver_name(receiver: Node) -> str | None:
    """`state` for `state`, `self.state`, `&self.inner.state`; None for other receivers."""
    node = unwrap_expression(receiver)
    if node.type == "identifier":
        return node_text(node)
    if node.type == "field_expression":
        name = node.child_by_field_name("field")
        return node_text(name) if name is not None and name.type == "field_identifier" else None
    return None


def _flavour(path: str) -> str:
    head = path.split("::", 1)[0]
    if head in _ASYNC_CRATES:
        return "async"
    if head in _PLAIN_GUARD_CRATES:
        return "plain"
    if path.startswith("std::sync::") or "::" not in path:
        return "std"
    return "other"


def _lock_types(node: Node, uses: dict[str, str | None]) -> set[tuple[str, str]]:
    """(family, flavour) of each lock type or `Lock::new` constructor under a node."""
    found: set[tuple[str, str]] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        kind = current.type
        if kind in ("type_identifier", "scoped_type_identifier", "identifier", "scoped_identifier"):
            text = node_text(current).replace(" ", "")
            parts = text.split("::")
            # `Mutex<..>` as a type, or `Mutex::new(..)` / `parking_lot::Mutex::new(..)`.
            if parts[-1] == "new" and len(parts) >= 2:
                parts = parts[:-1]
            # Resolve the first segment through the `use`s: `PlMutex` may be parking_lot's.
            base = uses.get(parts[0].removeprefix("::")) if parts[0] else None
            path = "::".join([base or parts[0], *parts[1:]]).removeprefix("::")
            family = _FAMILIES.get(path.rsplit("::", 1)[-1])
            if family is not None:
                found.add((family, _flavour(path)))
            continue
        stack.extend(current.named_children)
    return found


def lock_names(root: Node) -> LockNames:
    """Every name the file declares with a lock type or initialises with a lock."""
    result = LockNames(use_paths(root))
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        name: Node | None = None
        typed: list[Node] = []
        if kind in _DECLARATIONS:
            name = node.child_by_field_name("name") or node.child_by_field_name("pattern")
            typed = [n for n in (node.child_by_field_name("type"),) if n is not None]
            if kind in ("let_declaration", "static_item", "const_item"):
                typed += [n for n in (node.child_by_field_name("value"),) if n is not None]
        elif kind == "field_initializer":  # `State { lock: Mutex::new(..) }`
            name = node.child_by_field_name("field")
            typed = [n for n in (node.child_by_field_name("value"),) if n is not None]
        if name is not None and name.type in ("identifier", "field_identifier") and typed:
            found = set().union(*(_lock_types(t, result.uses) for t in typed))
            if found:
                result.names.setdefault(node_text(name), set()).update(found)
        stack.extend(node.named_children)
    return result


@dataclass(frozen=True)
class Guard:
    """An expression whose value is (or holds) a lock guard."""

    node: Node
    receiver: str  # the locked expression as written, e.g. `self.state`
    method: str  # lock, read, write...


def _whole(node: Node) -> bool:
    """Whether an expression's value is bound whole: a `let` value or a scrutinee."""
    current = node
    parent = current.parent
    while parent is not None and parent.type in (
        "parenthesized_expression",
        "try_expression",
        "reference_expression",
    ):
        current, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type in ("let_declaration", "let_condition", "match_expression"):
        return parent.child_by_field_name("value") == current
    return False


def guard_of(call: Node, locks: LockNames) -> Guard | None:
    """The guard a call expression produces, or None (see the module docstring)."""
    found = method_call(call)
    if found is None:
        return None
    name, receiver, arguments = found
    args = argument_nodes(arguments)
    if name in UNWRAPS:
        if len(args) != (0 if name == "unwrap" else 1):
            return None
        inner = unwrap_expression(receiver)
        lock = method_call(inner) if inner.type == "call_expression" else None
        if lock is None or lock[0] not in _LOCK_METHODS or argument_nodes(lock[2]):
            return None
        method, lock_receiver = lock[0], lock[1]
        flavours = locks.flavours(lock_receiver, _LOCK_METHODS[method])
        if method == "lock":
            ok = not flavours or flavours - {"async"}
        else:
            ok = bool(flavours - {"async", "plain"})
        return Guard(call, node_text(lock_receiver), method) if ok else None
    if name not in _LOCK_METHODS or args or is_awaited(call):
        return None
    parent = call.parent
    if parent is not None and parent.type == "field_expression":
        outer = parent.parent
        field_name = node_text(parent.child_by_field_name("field"))
        if outer is not None and outer.type == "call_expression" and field_name in UNWRAPS:
            return None  # part of `x.lock().unwrap()`: the outer call is the guard
    flavours = locks.flavours(receiver, _LOCK_METHODS[name])
    if not flavours or "async" in flavours:
        return None
    if flavours == {"plain"} or (_whole(call) and flavours <= {"std", "plain"}):
        return Guard(call, node_text(receiver), name)
    return None
