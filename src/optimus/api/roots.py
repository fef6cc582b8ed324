"""Which folders a request may have scanned: only those under a configured root.

A requested path is resolved (symlinks followed, ``..`` collapsed) before it is compared, so
neither a link nor a traversal leads out of a root. ``/`` and the home folder are refused
whatever the roots say, and ``~`` is never expanded for a request.
"""

from __future__ import annotations

import os
from pathlib import Path

from optimus.api.errors import ApiError


def _forbidden(message: str) -> ApiError:
    return ApiError(403, message, code="path_not_allowed")


def allowed_path(requested: str, roots: tuple[str, ...]) -> str:
    """The resolved folder to scan, or 403/422 saying why it may not be scanned."""
    if not roots:
        raise _forbidden(
            "scanning by request is off: start the server with --root PATH to allow "
            "scanning the folders under PATH"
        )
    if not requested or "\x00" in requested:
        raise ApiError(422, "path must be a non-empty absolute path", code="validation_error")
    if requested.startswith("~"):
        raise _forbidden("`~` is not expanded: give the absolute path under a configured root")
    if not os.path.isabs(requested):
        raise ApiError(
            422,
            f"path must be absolute, under one of the roots: {', '.join(roots)}",
            code="validation_error",
        )
    resolved = os.path.realpath(requested)
    refused = {os.path.realpath(os.sep), os.path.realpath(str(Path.home()))}
    if resolved in refused:
        raise _forbidden(f"{requested}: scanning / or the home folder is never allowed")
    if not any(_within(resolved, root) for root in roots):
        raise _forbidden(f"{requested} is not under a configured root ({', '.join(roots)})")
    if not os.path.isdir(resolved):
        raise ApiError(404, f"{requested}: no such folder", code="not_found")
    return resolved


def _within(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False
