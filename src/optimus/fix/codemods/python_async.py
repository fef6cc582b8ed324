"""blocking-call-in-async: make blocking calls in ``async def`` awaitable, through LibCST.

- safe: ``time.sleep(x)`` (or ``sleep`` imported from time) becomes ``await asyncio.sleep(x)``;
  both pause the task for the same time, but the event loop now serves others meanwhile.
- unsafe: ``requests.*(...)`` and ``subprocess.*(...)`` calls become
  ``await asyncio.to_thread(func, *args, **kwargs)``: the call runs in the default thread
  pool, so the code around it may now interleave with other tasks (shared state, ordering),
  and the pool's size bounds how many run at once.

``import asyncio`` is added when missing. Refused when ``asyncio`` names something else in
the file, when the call sits in a generator expression (an ``await`` there would turn it
into an async generator), or when the reported line holds no such call any more.
"""

from __future__ import annotations

import ast

import libcst as cst

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _python as py
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding
from optimus.rules.python.blocking_call_in_async import BlockingCall, find_blocking_calls

#: Message fragments the rule writes per kind of blocking call.
_SLEEP = "sleeps the thread"
_THREADED = ("is a blocking HTTP call", "starts a process with a blocking call")


def is_sleep(finding: Finding) -> bool:
    """A Python time.sleep finding (Rust findings of the rule are not fixed here)."""
    return finding.path.endswith(".py") and _SLEEP in finding.message


def is_threadable(finding: Finding) -> bool:
    """A Python requests.* or subprocess.* finding."""
    return finding.path.endswith(".py") and any(t in finding.message for t in _THREADED)


def _target(tree: ast.Module, line: int | None, kinds: tuple[str, ...]) -> BlockingCall | None:
    for item in find_blocking_calls(tree):
        if item.call.lineno != line or item.kind not in kinds or item.qualname is None:
            continue
        if item.kind == "sleep" and item.qualname == "time.sleep":
            return item
        if item.qualname.split(".")[0] in ("requests", "subprocess"):
            return item
    return None


def _awaited(call: cst.Call, needs_parens: bool) -> cst.Await:
    inner = call.with_changes(lpar=(), rpar=())
    if needs_parens:
        return cst.Await(expression=inner, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Await(expression=inner, lpar=call.lpar, rpar=call.rpar)


def _rewrite(
    finding: Finding, ctx: FixContext, kinds: tuple[str, ...], threaded: bool
) -> tuple[str, str, BlockingCall] | None:
    """(old text, new text, the call) or None when this finding cannot be fixed here."""
    text = ctx.read_text(finding.path)
    if text is None:
        return None
    parsed = py.parse_both(text)
    if parsed is None:
        return None
    tree, module = parsed
    item = _target(tree, finding.line, kinds)
    if item is None or not py.name_is_free(tree, "asyncio", "asyncio"):
        return None
    up = py.parents(tree)
    node: ast.AST = item.call
    while id(node) in up:
        node = up[id(node)]
        if isinstance(node, ast.GeneratorExp):
            return None
        if isinstance(node, ast.AsyncFunctionDef):
            break
    parent = up.get(id(item.call))
    needs_parens = (
        isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is item.call
    ) or (isinstance(parent, ast.Call) and parent.func is item.call)

    def replace(node: cst.CSTNode) -> cst.CSTNode | None:
        assert isinstance(node, cst.Call)
        if threaded:
            # a call laid out one argument per line keeps that layout: the function first
            spacing = node.whitespace_before_args
            after = spacing if isinstance(spacing, cst.ParenthesizedWhitespace) else None
            comma = cst.Comma(whitespace_after=after or cst.SimpleWhitespace(" "))
            first = cst.Arg(node.func, comma=comma) if node.args else cst.Arg(node.func)
            call = node.with_changes(func=py.dotted("asyncio.to_thread"), args=[first, *node.args])
        else:
            call = node.with_changes(func=py.dotted("asyncio.sleep"))
        return _awaited(call, needs_parens)

    column = py.char_column(text, item.call.lineno, item.call.col_offset)
    new = py.replace_at(module, cst.Call, item.call.lineno, column, replace)
    if new is None:
        return None
    return text, py.add_import(new, "asyncio").code, item


@fixer("blocking-call-in-async", Applicability.SAFE, accepts=is_sleep)
def fix_sleep(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """``time.sleep(x)`` -> ``await asyncio.sleep(x)``."""
    done = _rewrite(finding, ctx, ("sleep",), threaded=False)
    if done is None:
        return None
    old, new, item = done
    return single_change(
        finding,
        Applicability.SAFE,
        f"sleep with `await asyncio.sleep(...)` in `async def {item.function}` (line "
        f"{item.call.lineno}), so the event loop keeps serving other tasks",
        old,
        new,
    )


@fixer("blocking-call-in-async", Applicability.UNSAFE, accepts=is_threadable)
def fix_to_thread(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """``requests.get(...)`` -> ``await asyncio.to_thread(requests.get, ...)``."""
    done = _rewrite(finding, ctx, ("http", "process"), threaded=True)
    if done is None:
        return None
    old, new, item = done
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"run `{item.qualname}` in a worker thread with `await asyncio.to_thread(...)` in "
        f"`async def {item.function}` (line {item.call.lineno}); code around it may now "
        "interleave with other tasks",
        old,
        new,
    )
