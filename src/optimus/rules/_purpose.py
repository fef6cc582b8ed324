"""Whether a project says of itself that it is not meant for production.

Teaching projects (tokio's mini-redis: "Please don't use mini-redis in production. This
project is intended to be a learning resource") get no production-tuning advice (release
profiles, worker counts): the authors have already said where it does not apply. Only the
project's own README at its root is read, and only explicit statements count.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimus.analyze.project_context import ProjectContext

_READMES = ("README.md", "README.rst", "README.txt", "README", "readme.md")
NOT_FOR_PRODUCTION = re.compile(
    r"(?i)(?:\b(?:do not|don't|never)\s+use\b[^.\n]{0,60}\bin\s+production\b"
    r"|\bnot\s+(?:intended|meant|designed|suitable|ready)\s+for\s+production\b"
    r"|\bintended\s+(?:to\s+be\s+)?(?:as\s+)?a\s+learning\s+resource\b"
    r"|\bfor\s+(?:educational|learning|teaching)\s+purposes\s+only\b)"
)


def not_for_production(ctx: ProjectContext) -> bool:
    """Whether the project's README states it is not for production use."""
    if not ctx.root:
        return False
    folder = os.path.join(ctx.root, ctx.prefix) if ctx.prefix else ctx.root
    for name in _READMES:
        # Read from disk: the walk keeps only the files rules parse, not documentation.
        try:
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as fh:
                text = fh.read(20_000)
        except OSError:
            continue
        return NOT_FOR_PRODUCTION.search(text) is not None
    return False
