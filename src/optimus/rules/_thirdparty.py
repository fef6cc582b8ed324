"""Whether a project is an installed or vendored copy of someone else's package.

Scanning a virtual environment's ``site-packages`` or a Cargo registry directly (Debian's
``/usr/share/cargo/registry``, ``cargo vendor`` output) finds projects that nobody scanning
them maintains: nothing there is edited, and their CI workflows never run. Rules whose advice
only the package's own maintainers could act on (file length, CI configuration) skip such
projects; rules about how the code behaves at run time still report.

The markers are the ones the tools themselves write: Cargo's ``.cargo-checksum.json`` in every
vendored or registry crate, and pip's ``site-packages``/``dist-packages`` install folders.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimus.analyze.project_context import ProjectContext

#: Folders into which installers put packages (pip, Debian's python3-* packages).
INSTALL_DIRS = frozenset({"site-packages", "dist-packages"})


def _under_install_dir(folder: str) -> bool:
    parts = os.path.realpath(folder).replace(os.sep, "/").split("/")
    return any(part in INSTALL_DIRS for part in parts)


def _in_vendored_crate(folder: str) -> bool:
    """Whether ``folder`` or a folder above it holds Cargo's ``.cargo-checksum.json``."""
    here = os.path.realpath(folder)
    while True:
        if os.path.isfile(os.path.join(here, ".cargo-checksum.json")):
            return True
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent


def installed_copy(ctx: ProjectContext) -> str | None:
    """Why the project is a third-party copy (a short phrase), or None when it is not."""
    folder = (os.path.join(ctx.root, ctx.prefix) if ctx.prefix else ctx.root) if ctx.root else ""
    # On disk too: a crate's own .gitignore (`.*`) can hide the file from the walk. Folders
    # above count as well: a crate's own sub-project (ahash's benchmark_tools) is as vendored.
    if ctx.has_file(".cargo-checksum.json") or (folder and _in_vendored_crate(folder)):
        return "a vendored copy of a published crate (.cargo-checksum.json)"
    if folder and _under_install_dir(folder):
        return "installed under site-packages"
    return None
