"""tree-sitter helpers: parsing, walking and compiled queries."""

from __future__ import annotations

from optimus.parse.treesitter import captures, parse_tree, query, walk


def test_captures_by_name() -> None:
    tree = parse_tree("rust", b"fn f() { a.unwrap(); b.len(); }\n")
    found = captures(
        "rust",
        "(call_expression function: (field_expression field: (field_identifier) @m"
        ' (#eq? @m "unwrap"))) @call',
        tree.root_node,
    )
    assert [n.text for n in found["m"]] == [b"unwrap"]
    assert [n.text for n in found["call"]] == [b"a.unwrap()"]


def test_queries_are_compiled_once() -> None:
    assert query("rust", "(identifier) @i") is query("rust", "(identifier) @i")


def test_walk_visits_every_node() -> None:
    tree = parse_tree("javascript", b"const a = f(1);\n")
    kinds = [n.type for n in walk(tree.root_node)]
    assert kinds[0] == "program" and "call_expression" in kinds and "number" in kinds
