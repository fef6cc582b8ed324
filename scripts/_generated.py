"""Write generated files or, with --check, name the stale ones (for the generate_* scripts)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def main(description: str, files: Callable[[], dict[Path, str]], what: str, script: str) -> int:
    """Parse --check, then write ``files()`` or (with --check) exit 1 naming the stale ones."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args()
    stale = []
    for path, content in files().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != content:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
    if args.check and stale:
        names = ", ".join(p.name for p in stale)
        print(f"stale {what}: {names}; run python scripts/{script}", file=sys.stderr)
        return 1
    return 0
