"""Shared walks over Python syntax trees: each subtree is walked once per file, whoever asks.

Many rules look at the same module: walking it again for every rule (and again for every
function a rule inspects) was the largest cost of a scan. :func:`walk` returns the same
nodes in the same order as :func:`ast.walk`, keeps the list on the node it started from, and
hands it to the next caller.
"""

from __future__ import annotations

import ast

_ATTR = "_optimus_walk"


def walk(node: ast.AST) -> list[ast.AST]:
    """Every node under ``node`` (itself included), in ``ast.walk`` order, computed once."""
    cached = node.__dict__.get(_ATTR)
    if cached is None:
        cached = list(ast.walk(node))
        node.__dict__[_ATTR] = cached
    return cached
