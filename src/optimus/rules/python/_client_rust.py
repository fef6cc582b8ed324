"""The Rust half of client-per-request: ``reqwest`` clients built in loops (tree-sitter).

Looks for ``reqwest::Client::new()``, ``reqwest::Client::builder()`` (and the ``blocking``
variants, also as ``Client::new()`` after ``use reqwest::Client``) and ``reqwest::get(..)``
inside the body of a ``for``/``while``/``loop`` or of a closure passed to an iterator or
stream method (``map``, ``for_each``, ``then``...). Test code (``#[cfg(test)]``,
``#[test]``) and nested ``fn`` items are skipped, and so are loops that sleep (polling,
retries) and clients whose builder uses the loop variable (one client per proxy or host).
This module registers no rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from optimus.parse.source import SourceFile
from optimus.rules.rust.unwrap_density import is_test_attribute

#: Iterator and stream adapters whose closure runs once per item.
_ITER_METHODS = frozenset(
    {
        "map",
        "for_each",
        "filter_map",
        "flat_map",
        "then",
        "and_then",
        "try_for_each",
        "for_each_concurrent",
        "try_for_each_concurrent",
    }
)
_USES_CLIENT = re.compile(r"use\s+reqwest::(?:blocking::)?(?:Client\b|\{[^}]*\bClient\b)")
_USES_BLOCKING = re.compile(r"use\s+reqwest::(?:blocking\b|\{[^}]*\bblocking\b)")
_RETRY = re.compile(r"retr|attempt|tries")
_CLIENTS = ("Client::new", "Client::builder", "blocking::Client::new", "blocking::Client::builder")
_GETS = ("get", "blocking::get")


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text else ""


def _reqwest_call(node: Node, uses_client: bool, uses_blocking: bool) -> str | None:
    """ "client" or "get" when a call_expression builds a reqwest client, else None."""
    name = re.sub(r"\s+", "", _text(node.child_by_field_name("function")))
    if name.startswith("reqwest::"):
        rest = name[len("reqwest::") :]
    elif (uses_blocking and name.startswith("blocking::")) or (
        uses_client and name in _CLIENTS[:2]
    ):
        rest = name
    else:
        return None
    if rest in _CLIENTS:
        return "client"
    return "get" if rest in _GETS else None


def _iterator_closure(node: Node) -> bool:
    """A closure passed to ``.map(..)``, ``.for_each(..)``... (runs once per item)."""
    args = node.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    function = call.child_by_field_name("function") if call is not None else None
    if function is None or function.type != "field_expression":
        return False
    return _text(function.child_by_field_name("field")) in _ITER_METHODS


def _loop_variables(loop: Node) -> set[str]:
    part = loop.child_by_field_name("pattern" if loop.type == "for_expression" else "parameters")
    if part is None:
        return set()
    stack, names = [part], set()
    while stack:
        node = stack.pop()
        if node.type == "identifier":
            names.add(_text(node))
        stack.extend(node.children)
    return names


def _statement(node: Node, loop: Node) -> Node:
    """The statement (inside the loop) that holds the call."""
    current = node
    while current.parent is not None and current.parent != loop:
        if current.type in ("let_declaration", "expression_statement"):
            return current
        current = current.parent
    return current


def _skipped(node: Node, loop: Node, kind: str) -> bool:
    body = _text(loop)
    variables = _loop_variables(loop)
    if "sleep(" in body or any(_RETRY.search(v.lower()) for v in variables):
        return True  # polling or retrying: a new connection per attempt is intended
    statement = _statement(node, loop)
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", _text(statement)))
    if kind == "client" and variables & words:
        return True  # the builder uses the loop variable: one client per proxy/host
    if statement.type == "let_declaration":
        name = _text(statement.child_by_field_name("pattern")).removeprefix("mut ").strip()
        word = re.escape(name)
        kept = re.compile(
            r"\.(?:push|push_back)\(\s*" + word + r"(?:\.clone\(\))?\s*\)"
            r"|\.insert\([^;]*,\s*" + word + r"(?:\.clone\(\))?\s*\)"
        )
        if name and kept.search(body):
            return True  # collected: a pool of clients built on purpose
    return False


def _message(kind: str, call: str, where: str) -> str:
    if kind == "get":
        return (
            f"`{call}(..)` in {where} builds a new reqwest Client, with its own connection "
            "pool, on every call, so no connection is reused: build one `reqwest::Client` "
            "before the loop and call `client.get(..)`"
        )
    return (
        f"`{call}()` in {where} builds a new reqwest Client, and a new connection pool, on "
        "every iteration: build one before the loop and reuse it (clone it to share; "
        "reqwest's docs advise creating one Client and reusing it)"
    )


def rust_hits(src: SourceFile) -> Iterator[tuple[int, str]]:
    """(line, message) for each reqwest client or ``reqwest::get`` made in a loop."""
    text = src.text
    if "reqwest" not in text:
        return
    uses_client = bool(_USES_CLIENT.search(text))
    uses_blocking = bool(_USES_BLOCKING.search(text))
    root: Node = src.tree.root_node
    if any(c.type == "inner_attribute_item" and is_test_attribute(c) for c in root.children):
        return
    stack: list[tuple[Node, Node | None]] = [(root, None)]
    while stack:
        node, loop = stack.pop()
        if node.type == "call_expression" and loop is not None:
            kind = _reqwest_call(node, uses_client, uses_blocking)
            if kind and not _skipped(node, loop, kind):
                call = re.sub(r"\s+", "", _text(node.child_by_field_name("function")))
                where = (
                    "an iterator closure" if loop.type == "closure_expression" else "a loop body"
                )
                yield node.start_point[0] + 1, _message(kind, call, where)
        test_item = False
        for child in node.children:
            if child.type == "attribute_item":
                test_item = test_item or is_test_attribute(child)
                continue
            if child.type in ("line_comment", "block_comment"):
                continue
            if test_item:
                test_item = False
                continue  # the item under #[cfg(test)] / #[test]
            stack.append((child, _inner_loop(node, child, loop)))


def _inner_loop(node: Node, child: Node, loop: Node | None) -> Node | None:
    """The loop a child of ``node`` runs in: a new fn has none, a loop body has the loop."""
    if node.type == "function_item":
        return None
    if node.type == "for_expression":
        return node if child == node.child_by_field_name("body") else loop
    if node.type in ("while_expression", "loop_expression"):
        return node if child.type != "label" else loop
    if node.type == "closure_expression" and _iterator_closure(node):
        return node if child == node.child_by_field_name("body") else loop
    return loop
