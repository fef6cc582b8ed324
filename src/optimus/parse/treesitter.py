"""tree-sitter parsers for Rust and JavaScript/TypeScript, built lazily once per process."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree


@cache
def _language(kind: str) -> Language:
    if kind == "rust":
        import tree_sitter_rust as grammar

        return Language(grammar.language())
    if kind == "javascript":
        import tree_sitter_javascript as grammar

        return Language(grammar.language())
    import tree_sitter_typescript as ts

    return Language(ts.language_tsx() if kind == "tsx" else ts.language_typescript())


@cache
def _parser(kind: str) -> Parser:
    return Parser(_language(kind))


def parse_tree(kind: str, data: bytes) -> Tree:
    """Parse source bytes of a tree-sitter kind (rust, javascript, typescript, tsx)."""
    return _parser(kind).parse(data)


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself included), depth first, without recursion."""
    cursor = node.walk()
    visited_children = False
    while True:
        if not visited_children:
            yield cursor.node  # type: ignore[misc]
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            visited_children = True
        else:
            return


@cache
def query(kind: str, source: str) -> Query:
    """A compiled tree-sitter query for a kind's grammar (compiled once per process)."""
    return Query(_language(kind), source)


def captures(kind: str, source: str, node: Node) -> dict[str, list[Node]]:
    """The nodes each capture name of a query matched under ``node``, found in C: far
    cheaper than visiting every node from Python when a rule looks for a few node types."""
    return QueryCursor(query(kind, source)).captures(node)
