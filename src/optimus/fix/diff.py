"""Unified diffs of fixes, with a header that says what each fix does and what to confirm.

The header lines start with ``# optimus:``; ``git apply`` and ``patch`` skip text before a
diff's ``---`` line, so the output of a dry run can be applied as it is.
"""

from __future__ import annotations

import difflib

CONFIRM_PREFIX = "# optimus: confirm "


def file_diff(path: str, before: str | None, after: str | None) -> str:
    """The unified diff of one file (``before`` None: created; ``after`` None: deleted)."""
    old = (before or "").splitlines(keepends=True)
    new = (after or "").splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            old,
            new,
            fromfile="/dev/null" if before is None else f"a/{path}",
            tofile="/dev/null" if after is None else f"b/{path}",
        )
    )
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:  # the file's last line has no newline: say so, as diff does
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def header(
    rule: str,
    applicability: str,
    message: str,
    where: str,
    confirm: list[str] | tuple[str, ...] = (),
) -> str:
    """The comment lines above a fix's diff."""
    lines = [f"# optimus: {rule} ({applicability}) at {where}", f"# optimus: {message}"]
    lines += [f"{CONFIRM_PREFIX}{value}" for value in confirm]
    return "\n".join(_one_line(line) for line in lines) + "\n"


def _one_line(text: str) -> str:
    # A message with a newline would end the comment and corrupt the patch.
    return " ".join(text.splitlines())
