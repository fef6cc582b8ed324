"""A Python helper for codemods over LibCST: find the node a finding points at, add imports.

Findings come from rules that read the stdlib ``ast``: they give a line, and the codemod
finds the matching LibCST node by its start position. ``ast`` column offsets count UTF-8
bytes while LibCST counts characters; :func:`char_column` converts. Rewriting through LibCST
keeps every other byte of the module: comments, blank lines, quotes, line endings.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider


def parse_both(text: str) -> tuple[ast.Module, cst.Module] | None:
    """The module as an ast tree and a LibCST tree, or None when it does not parse."""
    try:
        return ast.parse(text), cst.parse_module(text)
    except (SyntaxError, ValueError, cst.ParserSyntaxError):
        return None


def char_column(text: str, line: int, byte_col: int) -> int:
    """The character column of an ast ``col_offset`` (UTF-8 bytes) on a 1-based line."""
    source_line = text.splitlines()[line - 1] if line >= 1 else ""
    return len(source_line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def parents(tree: ast.AST) -> dict[int, ast.AST]:
    """Each ast node's parent, by the child's id."""
    found: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            found[id(child)] = node
    return found


Replace = Callable[[cst.CSTNode], cst.CSTNode | None]


class _At(cst.CSTTransformer):
    """Replaces the first node of a type that starts at a position."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, kind: type[cst.CSTNode], line: int, column: int, replace: Replace) -> None:
        super().__init__()
        self.kind, self.line, self.column, self.replace = kind, line, column, replace
        self.done = False

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        if self.done or not isinstance(original, self.kind):
            return super().on_leave(original, updated)
        start = self.get_metadata(PositionProvider, original).start
        if (start.line, start.column) != (self.line, self.column):
            return super().on_leave(original, updated)
        new = self.replace(updated)
        if new is None:
            return updated
        self.done = True
        return new


def replace_at(
    module: cst.Module, kind: type[cst.CSTNode], line: int, column: int, replace: Replace
) -> cst.Module | None:
    """The module with the ``kind`` node starting at (line, character column) replaced.

    None when no such node is there or ``replace`` declined it (returned None).
    """
    transformer = _At(kind, line, column, replace)
    new = MetadataWrapper(module).visit(transformer)
    return new if transformer.done else None


def add_import(module: cst.Module, name: str) -> cst.Module:
    """The module with ``import name`` added where imports go (kept when already there)."""
    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, name)
    return AddImportsVisitor(context).transform_module(module)


def name_is_free(tree: ast.Module, name: str, module: str) -> bool:
    """Whether ``name`` is unbound or bound only by ``import module`` anywhere in the file."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return False
        if isinstance(node, ast.arg) and node.arg == name:
            return False
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and (
            node.name == name
        ):
            return False
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound == name and (isinstance(node, ast.ImportFrom) or alias.name != module):
                    return False
    return True


def dotted(name: str) -> cst.BaseExpression:
    """``a.b.c`` as a LibCST expression."""
    parts = name.split(".")
    node: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node
