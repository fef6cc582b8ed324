"""Small stdlib-``ast`` helpers shared by the Python rules PY010-PY013 and MT003.

Resolution here is deliberately shallow: imports anywhere in a module are merged into one
map (a name imported in a function counts everywhere), which is enough to tell
``redis.Redis`` from a local ``Redis`` class or ``relationship`` from an unrelated helper.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from optimus.parse.pyast import walk

if TYPE_CHECKING:
    from optimus.parse.source import SourceFile

#: Folders of test data that SourceFile.is_test does not know (Go's testdata, fixtures).
_DATA_DIRS = frozenset({"testdata", "test_data", "fixtures", "__fixtures__"})


def is_test_or_fixture(src: SourceFile) -> bool:
    """Test code by the engine's rules, or a file under a test-data folder."""
    # the root-relative path: a project nested in testdata/ (sqlc, Go) counts too
    return src.is_test or any(p in _DATA_DIRS for p in src.path.split("/")[:-1])


def import_map(module: ast.Module) -> dict[str, str]:
    """Local name -> qualified name for every import of a module (``r`` -> ``redis``)."""
    names: dict[str, str] = {}
    for node in walk(module):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def dotted(expr: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return None


def qualname(expr: ast.expr, imports: dict[str, str]) -> str | None:
    """The imported, qualified name of a dotted expression (``r.Redis`` -> ``redis.Redis``).

    Names that are not imported keep their spelling, so a local ``Redis`` stays ``Redis``.
    """
    text = dotted(expr)
    if text is None:
        return None
    head, _, rest = text.partition(".")
    if head in imports:
        return imports[head] + ("." + rest if rest else "")
    return text


def kwarg(call: ast.Call, name: str) -> ast.expr | None:
    """The value of a keyword argument, or None."""
    return next((k.value for k in call.keywords if k.arg == name), None)


def const_str(expr: ast.expr | None) -> str | None:
    """The value of a string literal, else None."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def method_name(call: ast.Call) -> str | None:
    """``keys`` for ``client.keys(...)``; None for a plain function call."""
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def last_name(expr: ast.expr) -> str | None:
    """The last identifier of a name or attribute chain (``self.redis`` -> ``redis``)."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def calls(node: ast.AST) -> Iterator[ast.Call]:
    """Every call under a node, in ``ast.walk`` order."""
    return (n for n in walk(node) if isinstance(n, ast.Call))


def short(expr: ast.AST, limit: int = 60) -> str:
    """Source text of an expression, shortened for a message."""
    text = ast.unparse(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."
