"""Shared tree-sitter helpers for the Rust rules: test code, `use` paths, function bodies.

Nothing here registers a rule. The helpers answer the questions several Rust rules ask:

- is this node test code (under `#[cfg(test)]`, in a `#[test]`-like function, or in a file or
  module with an inner `#![cfg(test)]`)?
- what does a path such as `fs::read` or `sleep` name, given the file's `use` declarations
  (`use std::{fs, thread::sleep as nap};`)?
- which function, closure or async block does a node run in, and is that async?
- which nodes belong to one body, without descending into nested closures, async blocks and
  items (they run at another time, or on another thread)?
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

#: Last path segment of attributes that mark a test function (`#[test]`, `#[tokio::test]`).
_TEST_ATTRIBUTES = frozenset({"test", "rstest", "test_case", "bench"})
_COMMENTS = frozenset({"line_comment", "block_comment"})
#: What sits between an outer attribute and the item it decorates.
ATTACHED_ITEMS = frozenset({"attribute_item", "inner_attribute_item", *_COMMENTS})
#: Nodes whose body runs apart from the code around them: another function, a closure (it
#: may be handed to `spawn_blocking` or a thread), a separate future, or a whole item.
BODY_BOUNDARIES = frozenset(
    {
        "function_item",
        "closure_expression",
        "async_block",
        "impl_item",
        "trait_item",
        "mod_item",
        "macro_definition",
    }
)
#: `core::` and `alloc::` paths name the same items as `std::`.
_STD_ALIASES = ("core::", "alloc::")


def node_text(node: Node | None) -> str:
    """The source text of a node ("" for None)."""
    return node.text.decode("utf-8", "replace") if node is not None and node.text else ""


# --- test code -------------------------------------------------------------------------


def _cfg_implies_test(tree: Node) -> bool:
    """Whether a cfg predicate list (a token tree, combined with `all`) needs `test`."""
    groups: list[list[Node]] = [[]]
    for child in tree.children[1:-1]:
        if child.type == ",":
            groups.append([])
        elif child.type not in _COMMENTS:
            groups[-1].append(child)
    return any(_predicate_implies_test(g) for g in groups if g)


def _predicate_implies_test(group: list[Node]) -> bool:
    head = node_text(group[0])
    if len(group) == 1:
        return head == "test"
    if len(group) == 2 and group[1].type == "token_tree":
        if head == "all":
            return _cfg_implies_test(group[1])
        if head == "any":
            parts = [c for c in group[1].children[1:-1] if c.type != ","]
            return bool(parts) and all(_predicate_implies_test([p]) for p in parts)
    return False


def is_test_attribute(attribute_item: Node) -> bool:
    """Whether an (inner or outer) attribute marks test code: `cfg(test)`, `#[test]`..."""
    attribute = next((c for c in attribute_item.named_children if c.type == "attribute"), None)
    if attribute is None or not attribute.named_children:
        return False
    path = node_text(attribute.named_children[0]).replace(" ", "")
    arguments = attribute.child_by_field_name("arguments")
    if path == "cfg":
        return arguments is not None and _cfg_implies_test(arguments)
    return path.rsplit("::", 1)[-1] in _TEST_ATTRIBUTES


def _has_test_attribute(item: Node) -> bool:
    """Whether the outer attributes written just before an item mark it as test code."""
    sibling = item.prev_sibling
    while sibling is not None and sibling.type in ("attribute_item", *_COMMENTS):
        if sibling.type == "attribute_item" and is_test_attribute(sibling):
            return True
        sibling = sibling.prev_sibling
    return False


def in_test_code(node: Node) -> bool:
    """Whether a node is inside test-only code of its file (attributes are siblings of the
    item they decorate in tree-sitter, so each ancestor's preceding siblings are looked at)."""
    current: Node | None = node
    while current is not None:
        if current.type != "attribute_item" and _has_test_attribute(current):
            return True
        if any(c.type == "inner_attribute_item" and is_test_attribute(c) for c in current.children):
            return True
        current = current.parent
    return False


def node_rows(node: Node) -> range:
    """The 1-based line numbers a node spans."""
    return range(node.start_point[0] + 1, node.end_point[0] + 2)


def test_rows(outer: list[Node], inner: list[Node]) -> set[int]:
    """Rows of test code: an item with an outer test attribute (with its attributes), and
    the whole body whose inner attribute marks it as test code."""
    rows: set[int] = set()
    for attribute in inner:
        if attribute.parent is not None and is_test_attribute(attribute):
            rows.update(node_rows(attribute.parent))
    for attribute in outer:
        if not is_test_attribute(attribute):
            continue
        rows.update(node_rows(attribute))
        sibling = attribute.next_sibling
        while sibling is not None:
            if sibling.type == "attribute_item":
                rows.update(node_rows(sibling))
            elif sibling.type not in ATTACHED_ITEMS:
                rows.update(node_rows(sibling))
                break
            sibling = sibling.next_sibling
    return rows


def _allows(attribute_item: Node, lint: str) -> bool:
    """Whether an attribute is `allow(..)`/`expect(..)` naming a lint (e.g. a Clippy lint)."""
    attribute = next((c for c in attribute_item.named_children if c.type == "attribute"), None)
    if attribute is None or not attribute.named_children:
        return False
    if node_text(attribute.named_children[0]) not in ("allow", "expect"):
        return False
    return lint in node_text(attribute.child_by_field_name("arguments")).replace(" ", "")


def lint_allowed(node: Node, lint: str) -> bool:
    """Whether `#[allow(lint)]` (or `expect`) on an enclosing item, or `#![allow(lint)]` in
    an enclosing module or file, silences a lint at this node: the code says the pattern is
    deliberate, as with `clippy::await_holding_lock` on a test that serialises on a lock."""
    current: Node | None = node
    while current is not None:
        sibling = current.prev_sibling
        while sibling is not None and sibling.type in ("attribute_item", *_COMMENTS):
            if sibling.type == "attribute_item" and _allows(sibling, lint):
                return True
            sibling = sibling.prev_sibling
        for child in current.children:
            if child.type == "inner_attribute_item" and _allows(child, lint):
                return True
        current = current.parent
    return False


def allowed_lints(attribute_item: Node) -> frozenset[str]:
    """The lints an (inner or outer) `allow(..)`/`expect(..)` attribute names, without
    spaces (`clippy::unwrap_used`); `reason = ".."` and other attributes give nothing."""
    attribute = next((c for c in attribute_item.named_children if c.type == "attribute"), None)
    if attribute is None or not attribute.named_children:
        return frozenset()
    if node_text(attribute.named_children[0]) not in ("allow", "expect"):
        return frozenset()
    arguments = attribute.child_by_field_name("arguments")
    if arguments is None:
        return frozenset()
    groups: list[list[Node]] = [[]]
    for child in arguments.children[1:-1]:
        if child.type == ",":
            groups.append([])
        elif child.type not in _COMMENTS:
            groups[-1].append(child)
    return frozenset(
        "".join(node_text(c) for c in group)
        for group in groups
        if group and all(c.type in ("identifier", "::") for c in group)
    )


# --- use declarations ------------------------------------------------------------------


def _normalise(path: str) -> str:
    path = path.replace(" ", "").removeprefix("::")
    for alias in _STD_ALIASES:
        if path.startswith(alias):
            return "std::" + path[len(alias) :]
    return path


def _use_entries(node: Node, prefix: str) -> Iterator[tuple[str, str]]:
    """(local name, full path) for one `use` tree; wildcards bind nothing."""
    kind = node.type
    if kind in ("identifier", "scoped_identifier", "crate", "super"):
        full = f"{prefix}{node_text(node)}"
        yield full.rsplit("::", 1)[-1], full
    elif kind == "self":  # `use std::fs::{self}` binds `fs`
        full = prefix.removesuffix("::")
        if full:
            yield full.rsplit("::", 1)[-1], full
    elif kind == "use_as_clause":
        path = node.child_by_field_name("path")
        alias = node.child_by_field_name("alias")
        if path is not None and alias is not None:
            full = f"{prefix}{node_text(path)}"
            if path.type == "self":
                full = prefix.removesuffix("::")
            yield node_text(alias), full
    elif kind == "scoped_use_list":
        path = node.child_by_field_name("path")
        inner = f"{prefix}{node_text(path)}::" if path is not None else prefix
        listing = node.child_by_field_name("list")
        if listing is not None:
            yield from _use_entries(listing, inner)
    elif kind == "use_list":
        for child in node.named_children:
            yield from _use_entries(child, prefix)


def use_paths(root: Node) -> dict[str, str | None]:
    """Local names bound by every `use` of a file and the paths they name (None when two
    `use`s in different modules bind the same name to different paths)."""
    found: dict[str, str | None] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "use_declaration":
            argument = node.child_by_field_name("argument")
            if argument is None:
                continue
            for name, full in _use_entries(argument, ""):
                if name == "_":
                    continue
                full = _normalise(full)
                if name in found and found[name] != full:
                    found[name] = None
                else:
                    found[name] = full
            continue
        stack.extend(node.named_children)
    return found


def resolve_path(path: Node, uses: dict[str, str | None]) -> str | None:
    """The full path an identifier, type or `a::b::c` path names after the file's `use`s
    (`fs::read` with `use std::fs;` is `std::fs::read`); None for a shadowed or ambiguous
    name, or for anything that is not a plain path."""
    if path.type == "generic_function":
        inner = path.child_by_field_name("function")
        return resolve_path(inner, uses) if inner is not None else None
    if path.type not in (
        "identifier",
        "scoped_identifier",
        "type_identifier",
        "scoped_type_identifier",
    ):
        return None
    text = _normalise(node_text(path))
    if not text or "<" in text:
        return None
    head, sep, rest = text.partition("::")
    if head in uses:
        base = uses[head]
        if base is None:
            return None
        return f"{base}{sep}{rest}" if sep else base
    return text


def call_path(call: Node, uses: dict[str, str | None]) -> str | None:
    """The resolved path of the function a `call_expression` calls, when it is a path."""
    function = call.child_by_field_name("function")
    return resolve_path(function, uses) if function is not None else None


# --- bodies and async contexts ---------------------------------------------------------


def is_async(boundary: Node) -> bool:
    """Whether a function item, closure or async block runs as (part of) a future."""
    if boundary.type == "async_block":
        return True
    if boundary.type == "closure_expression":
        return any(c.type == "async" for c in boundary.children)
    if boundary.type == "function_item":
        modifiers = next((c for c in boundary.children if c.type == "function_modifiers"), None)
        return modifiers is not None and any(c.type == "async" for c in modifiers.children)
    return False


def enclosing_body(node: Node) -> Node | None:
    """The nearest function item, closure, async block or other item around a node."""
    current = node.parent
    while current is not None and current.type not in BODY_BOUNDARIES:
        current = current.parent
    return current


def own_nodes(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself included) that runs as part of the same body:
    nested closures, async blocks, functions and other items are not entered."""
    yield node
    stack = [c for c in reversed(node.children) if c.type not in BODY_BOUNDARIES]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(c for c in reversed(current.children) if c.type not in BODY_BOUNDARIES)


def function_name(boundary: Node) -> str | None:
    """The name of a function item (None for closures and async blocks)."""
    if boundary.type != "function_item":
        return None
    return node_text(boundary.child_by_field_name("name")) or None


def describe_body(boundary: Node) -> str:
    """`async fn load`, `an async block` or `an async closure`, for messages."""
    name = function_name(boundary)
    if name is not None:
        return f"`async fn {name}`" if is_async(boundary) else f"`fn {name}`"
    if boundary.type == "async_block":
        return "an `async` block"
    return "an `async` closure" if is_async(boundary) else "a closure"


def unwrap_expression(node: Node) -> Node:
    """The expression inside `(..)`, `&..`, `&mut ..`, `*..` (deref) and `..?` wrappers."""
    current = node
    while True:
        if current.type in ("parenthesized_expression", "try_expression"):
            inner = current.named_children[0] if current.named_children else None
        elif current.type == "reference_expression":
            inner = current.child_by_field_name("value")
        elif current.type == "unary_expression" and current.children[0].type == "*":
            inner = current.named_children[-1] if current.named_children else None
        else:
            return current
        if inner is None:
            return current
        current = inner


def method_call(node: Node) -> tuple[str, Node, Node] | None:
    """(method name, receiver, arguments) of a `receiver.method(args)` call, else None."""
    if node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    arguments = node.child_by_field_name("arguments")
    if function is None or arguments is None:
        return None
    if function.type == "generic_function":  # `.collect::<Vec<_>>()`
        function = function.child_by_field_name("function")
        if function is None:
            return None
    if function.type != "field_expression":
        return None
    receiver = function.child_by_field_name("value")
    name = function.child_by_field_name("field")
    if receiver is None or name is None:
        return None
    return node_text(name), receiver, arguments


def argument_nodes(arguments: Node) -> list[Node]:
    """The argument expressions of an `arguments` node (no punctuation or comments)."""
    return [c for c in arguments.named_children if c.type not in _COMMENTS]


def is_awaited(node: Node) -> bool:
    """Whether an expression is the operand of `.await` (through `(..)` and `?`)."""
    current = node
    parent = current.parent
    while parent is not None and parent.type in ("parenthesized_expression", "try_expression"):
        current, parent = parent, parent.parent
    return parent is not None and parent.type == "await_expression"


#: Methods whose `Result` only fails when a std lock is poisoned (`Mutex::lock`,
#: `RwLock::read`, `RwLock::write`); `try_lock` and friends can fail for real.
LOCK_METHODS = frozenset({"lock", "read", "write"})


def is_lock_call(node: Node) -> bool:
    """Whether a node is `x.lock()`, `x.read()` or `x.write()` with no arguments (through
    parentheses): taking a std lock, whose `Err` means another thread already panicked."""
    call = method_call(unwrap_expression(node))
    return call is not None and call[0] in LOCK_METHODS and not argument_nodes(call[2])
