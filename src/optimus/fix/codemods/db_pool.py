"""db-pool-config: pass ``pool_pre_ping=True`` to the reported SQLAlchemy engine factory.

LibCST adds the keyword as the call's last argument, in the call's own layout: on the same
line for a one-line call, on its own line (with the trailing comma kept) for a call that
lists one argument per line. Unsafe: every checkout then runs a cheap ping query first, a
round trip more per checkout, which changes the engine's behaviour (for the better, on a
connection the server has closed).
"""

from __future__ import annotations

import ast

import libcst as cst

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _python as py
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding
from optimus.rules.python.db_pool_config import find_engines


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """The call with ``name=value`` appended, following the layout of its arguments."""
    new = cst.Arg(
        value=value,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        between = args[-2].comma.whitespace_after
    elif isinstance(last.comma, cst.Comma) and isinstance(
        call.whitespace_before_args, cst.ParenthesizedWhitespace
    ):
        between = call.whitespace_before_args
    else:
        between = cst.SimpleWhitespace(" ")
    # the space before ")" moves to the new last argument
    new = new.with_changes(whitespace_after_arg=last.whitespace_after_arg)
    last = last.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
    if isinstance(last.comma, cst.Comma):  # a trailing comma: keep one after the new argument
        args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=between))
        new = new.with_changes(comma=last.comma)
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=between))
    return call.with_changes(args=[*args, new])


@fixer("db-pool-config", Applicability.UNSAFE)
def fix_pool_pre_ping(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Add ``pool_pre_ping=True`` to the engine factory call on the reported line."""
    text = ctx.read_text(finding.path)
    parsed = py.parse_both(text) if text is not None else None
    if text is None or parsed is None:
        return None
    tree, module = parsed
    call = next((c for c, _ in find_engines(tree) if c.lineno == finding.line), None)
    if call is None or any(k.arg in ("pool_pre_ping", None) for k in call.keywords):
        return None  # already set (to False: a choice), or **kwargs that may set it
    column = py.char_column(text, call.lineno, call.col_offset)

    def replace(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        return with_keyword(node, "pool_pre_ping", cst.Name("True"))

    new = py.replace_at(module, cst.Call, call.lineno, column, replace)
    if new is None:
        return None
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"pass `pool_pre_ping=True` to `{ast.unparse(call.func)}(...)` (line {call.lineno}), "
        "so the pool tests each connection before handing it out and replaces dead ones",
        text,
        new.code,
    )
