"""The shared walk gives ast.walk's nodes, once per subtree."""

from __future__ import annotations

import ast

from optimus.parse.pyast import walk


def test_walk_matches_ast_walk_and_is_shared() -> None:
    tree = ast.parse("def f(x):\n    return [g(y) for y in x]\n\nclass C:\n    a = 1\n")
    assert walk(tree) == list(ast.walk(tree))
    assert walk(tree) is walk(tree)
    func = tree.body[0]
    assert walk(func) == list(ast.walk(func))
    assert walk(func)[0] is func
