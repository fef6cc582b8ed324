"""The literal strings a regex cannot match without, read from its parse.

A rule's ``prefilter_pattern`` is searched over a whole file, which costs a full pass per
file even when it fails, and more for case-insensitive parts. Most patterns are an
alternation whose branches each need some literal text (``redis`` in any case, ``KEYS``,
``.scalars(``). Knowing those, the prefilter finds them in its single Aho-Corasick pass and
runs the regex only when some branch can match, or not at all when a branch that is a plain
literal is present (then the pattern matches for sure). The same idea as the required
literals that ripgrep and Google's code search extract before running a regex.

A requirement is a conjunction of "any of these literals" sets; a literal is ``(bytes,
case_insensitive)``. Where nothing can be said (a branch of only classes and repeats), the
branch has no requirement and the regex always runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

Literal = tuple[bytes, bool]
AnyOf = frozenset[Literal]


@dataclass(frozen=True)
class Branch:
    """One top-level alternative: a plain literal, or literals it needs (all of ``needs``)."""

    literal: bytes | None
    needs: tuple[AnyOf, ...]


def branches(pattern: re.Pattern[bytes]) -> list[Branch] | None:
    """The pattern's top-level branches with what each needs; None when the pattern cannot
    be read (a str pattern, or one the parser rejects), so it must always run."""
    if not isinstance(pattern.pattern, bytes):
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, TypeError, ValueError):
        return None
    ci = bool(pattern.flags & re.IGNORECASE)
    items = list(parsed.data)
    if len(items) == 1 and items[0][0] is sre.BRANCH:
        alternatives = [list(a.data) for a in items[0][1][1]]
    else:
        alternatives = [items]
    out = []
    for alternative in alternatives:
        plain = not ci and all(op is sre.LITERAL for op, _ in alternative)
        if plain and alternative:
            out.append(Branch(bytes(code for _, code in alternative), ()))
        else:
            out.append(Branch(None, tuple(_needs(alternative, ci))))
    return out


def _needs(items: list, ci: bool) -> list[AnyOf]:
    """What a sequence of parsed items needs: every set must have one literal present."""
    needs: list[AnyOf] = []
    run = bytearray()

    def flush() -> None:
        if run:
            needs.append(frozenset({(bytes(run).lower() if ci else bytes(run), ci)}))
            run.clear()

    for op, arg in items:
        if op is sre.LITERAL:
            run.append(arg)
            continue
        flush()
        if op is sre.SUBPATTERN:
            _group, add, remove, sub = arg
            inner = (ci or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            needs += _needs(list(sub.data), inner)
        elif op is sre.BRANCH:
            merged = _union([_needs(list(a.data), ci) for a in arg[1]])
            if merged is not None:
                needs.append(merged)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = arg
            if low >= 1:
                needs += _needs(list(sub.data), ci)
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            needs += _needs(list(arg.data), ci)
        # Anything else (classes, anchors, lookarounds, back references) needs no literal.
    flush()
    return needs


def _union(alternatives: list[list[AnyOf]]) -> AnyOf | None:
    """One set that every alternative needs one literal of: each alternative's most
    selective set, joined; None when some alternative needs nothing."""
    if any(not needs for needs in alternatives):
        return None
    merged: set[Literal] = set()
    for needs in alternatives:
        merged |= max(needs, key=lambda s: min(len(text) for text, _ in s))
    return frozenset(merged)
