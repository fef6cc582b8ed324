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
        cached = _breadth_first(node)
        node.__dict__[_ATTR] = cached
    return cached


def _breadth_first(node: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(node))`` without its generator and deque: about twice as fast."""
    out = [node]
    index = 0
    append, extend, isinstance_, ast_type = out.append, out.extend, isinstance, ast.AST
    while index < len(out):
        current = out[index]
        index += 1
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance_(value, list):
                extend(v for v in value if isinstance_(v, ast_type))
            elif isinstance_(value, ast_type):
                append(value)
    return out
