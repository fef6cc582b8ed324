"""high-complexity: a function whose McCabe cyclomatic complexity is over the limit.

Engine-backed: Ruff's C901 (``complex-structure``) measures the functions and the ruff
engine (optimus.engines.ruff) maps its findings onto this rule. The limit is the project's
own ``lint.mccabe.max-complexity`` (Ruff's default: 10). The rule has no detector of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Reference, Rule

if TYPE_CHECKING:
    pass


@rule
class HighComplexity(Rule):
    name = "high-complexity"
    code = "MT002"
    category = Category.MAINTAINABILITY
    severity = Severity.LOW
    confidence = Confidence.HIGH
    #: About three minutes per decision point of a function at the default limit of 10.
    effort = 30
    kinds = frozenset({"python"})
    scope = "engine"
    #: The external analyzer that finds this rule's problems (Ruff C901).
    engine = "ruff"
    summary = "A Python function has more independent paths than the complexity limit."
    doc = {
        "What it finds": (
            "Python functions whose McCabe cyclomatic complexity (one plus the number of "
            "decision points: `if`/`elif`, loops, `except`, boolean operators in "
            "conditions, comprehension filters, `match` cases...) is over the limit. "
            "Found by Ruff's C901 (`complex-structure`), run as an engine; the limit is "
            "the project's `[tool.ruff.lint.mccabe] max-complexity` (10 when unset), and "
            "`# noqa: C901` comments apply. The message gives the function's complexity."
        ),
        "Why": (
            "McCabe's measure is the number of linearly independent paths through a "
            "function, so it is also the least number of tests that exercise every branch. "
            "Functions far over the limit are where changes break things: they are hard to "
            "read, hard to test completely and tend to collect more branches over time."
        ),
        "Example": (
            "```python\ndef price(order):\n    if order.vip:\n        if order.total > 100:\n"
            "            ...\n        elif order.coupon:\n            ...\n"
            "    elif order.coupon and order.first:\n        ...\n"
            "    for item in order.items:\n        if item.sale:\n            ...\n"
            "        elif item.bulk:\n            ...\n    # ... and so on\n```"
        ),
        "Instead": (
            "Split the function: move each independent decision into a small named "
            "function, replace `if`/`elif` chains on a value with a dictionary or `match`, "
            "and return early instead of nesting."
        ),
        "When not to": (
            "Flat dispatch code (a long `match` or `if`/`elif` over command names, a parser's "
            "state machine) is often clearest as one function despite its count; raise the "
            "limit for that file or suppress the line. GPU and JIT kernels (functions "
            "decorated with `triton.jit`, `numba.jit`, `numba.njit` or `numba.cuda.jit`) "
            "are not reported: their branches on compile-time constants (`tl.constexpr` "
            "parameters) are resolved per specialisation, and a kernel is written and "
            "tested as one function, not split into small ones."
        ),
    }
    references = (
        Reference(
            "McCabe, T. J. (1976). A Complexity Measure. IEEE Transactions on Software "
            "Engineering, SE-2(4), 308-320",
            "https://doi.org/10.1109/TSE.1976.233837",
        ),
        Reference(
            "Ruff: complex-structure (C901)",
            "https://docs.astral.sh/ruff/rules/complex-structure/",
        ),
    )
