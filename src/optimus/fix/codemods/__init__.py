"""One module per fixed rule (or family): each registers its codemods with optimus.fix.base.fixer.

Importing this package imports every codemod module in it (modules whose name starts with
``_`` are shared editors, not codemods), so ``registered_fixers()`` lists them all
afterwards. :func:`load_codemods` does the same explicitly and returns the module names.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_codemods() -> list[str]:
    """Import every codemod module of this package (idempotent); their names, sorted."""
    names = sorted(
        f"{__name__}.{info.name}"
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    )
    for name in names:
        importlib.import_module(name)
    return names


load_codemods()
