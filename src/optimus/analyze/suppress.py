"""Inline suppressions: ``# optimus: ignore[rule, ...]`` (``//`` in Rust and JS/TS, ``--`` in SQL).

A comment with rule names or codes silences them on its own line and, when the comment is
alone on its line, on the next line. A bare ``# optimus: ignore`` silences its own line.
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"(#|//|--)\s*optimus:\s*ignore(?:\[([^\]]*)\])?")
ALL = "*"


def find_suppressions(text: str) -> dict[int, frozenset[str]]:
    """Map 1-based line numbers to the rule names/codes silenced there (``*`` for all)."""
    out: dict[int, set[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "optimus:" not in line:
            continue
        match = _PATTERN.search(line)
        if not match:
            continue
        names = (
            {n.strip() for n in match.group(2).split(",") if n.strip()}
            if match.group(2) is not None
            else {ALL}
        )
        out.setdefault(number, set()).update(names)
        alone = line[: match.start()].strip() == ""
        if alone and match.group(2) is not None:
            out.setdefault(number + 1, set()).update(names)
    return {k: frozenset(v) for k, v in out.items()}


def is_suppressed(
    suppressions: dict[int, frozenset[str]], line: int | None, name: str, code: str
) -> bool:
    """Whether a finding of rule ``name``/``code`` on ``line`` is silenced."""
    if line is None:
        return False
    names = suppressions.get(line)
    if not names:
        return False
    return ALL in names or name in names or code in names or code.lower() in names
