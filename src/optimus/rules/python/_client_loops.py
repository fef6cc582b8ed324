"""Loop heuristics of client-per-request: loops where a new connection per iteration is
intended or gains nothing from reuse (retries, polling, a few literal items, one host per
iteration, one client per target). This module registers no rule.
"""

from __future__ import annotations

import ast

from optimus.parse.pyast import walk
from optimus.rules.python._handlers import loop_targets, names_in

#: Loop variables of retry loops, where a new connection per attempt is intended.
_RETRY_PREFIXES = ("retr", "attempt", "tries", "try")
_SLEEPS = frozenset({"sleep", "wait", "backoff"})
#: Loops over at most this many literal items are not worth reporting.
_FEW = 3


def few_iterations(loop: ast.AST) -> bool:
    """A loop over a short literal (``for m in [A, B]``, ``range(3)``): little to reuse."""
    source = loop.iter if isinstance(loop, ast.For | ast.AsyncFor) else None
    if isinstance(source, ast.List | ast.Tuple | ast.Set):
        return len(source.elts) <= _FEW
    if isinstance(source, ast.Call) and isinstance(source.func, ast.Name):
        args = source.args
        if source.func.id == "range" and len(args) == 1 and isinstance(args[0], ast.Constant):
            return isinstance(args[0].value, int) and args[0].value <= _FEW
    return False


def retry_or_poll(loop: ast.AST) -> bool:
    """A loop that sleeps between iterations or counts attempts: reuse gains little there."""
    if few_iterations(loop):
        return True
    words = {w for t in loop_targets(loop) for w in t.lower().split("_")}
    if any(w.startswith(_RETRY_PREFIXES) for w in words):
        return True  # `for attempt in ...`, `for n_tries in ...` (not `entry`)
    for node in walk(loop):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _SLEEPS:
                return True
    return False


def loop_assignments(loop: ast.AST) -> dict[str, ast.expr]:
    """Names assigned in a loop's body (the last value wins)."""
    out: dict[str, ast.expr] = {}
    for stmt in getattr(loop, "body", []):
        for node in walk(stmt):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        out[target.id] = node.value
    return out


def host_varies(call: ast.Call, qual: str, loop: ast.AST) -> bool:
    """The URL's host comes from the loop (``for peer in peers: get(f"{peer}/x")``, a list of
    full URLs): each iteration talks to another server, so a shared session gains little."""
    index = 1 if qual.endswith(".request") else 0
    url = call.args[index] if len(call.args) > index else None
    url = url or next((k.value for k in call.keywords if k.arg == "url"), None)
    targets = loop_targets(loop)
    assigned = loop_assignments(loop)
    derived = targets | {n for n, v in assigned.items() if names_in(v) & targets}
    for _ in range(3):  # follow `url = f"..."` assigned in the loop body
        if isinstance(url, ast.Name) and url.id in assigned and url.id not in targets:
            url = assigned[url.id]
    if isinstance(url, ast.Name):
        return url.id in derived
    if not isinstance(url, ast.JoinedStr):
        return False
    head: list[ast.expr] = []  # the parts up to the path: scheme and authority
    seen_scheme = False
    for part in url.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text = part.value
            if not seen_scheme and "://" in text:
                seen_scheme, text = True, text.split("://", 1)[1]
            if "/" in text:
                break
        else:
            head.append(part)
        if not seen_scheme and part is not url.values[0]:
            break
    return any(names_in(p) & derived for p in head)


def per_target(call: ast.Call, loop: ast.AST) -> bool:
    """The constructor's arguments use the loop variable: one client per host or database."""
    used: set[str] = set()
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        used |= names_in(arg)
    return bool(used & loop_targets(loop))
