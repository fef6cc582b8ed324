#!/usr/bin/env python3
"""Build the scan benchmark corpus in bench/.corpus/ from pinned, installed packages.

Three parts, each rebuilt only when its pinned spec changes (or with --force):

  python/  the contents of a fresh venv's site-packages (pinned wheels, Python 3.11 x86_64)
  rust/    crate sources from Debian's librust-*-dev packages (/usr/share/cargo/registry)
  npm/     the contents of node_modules after a pinned ``npm install``

The copied folders are never named like the dependency folders scanners skip on purpose
(site-packages, node_modules, ...): their *contents* are copied. Compiled files (.so, .pyc,
__pycache__) and the installers' own tools (pip, setuptools) are left out; they are not
pinned and neither tool reads them.

Usage:  python3 bench/build_corpus.py [--python-only | --no-rust | --no-npm] [--force]

Stdlib only. Needs: python3.11 with venv and network access to PyPI; apt-get (as root) for
the Rust part; npm for the npm part.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CORPUS = BENCH / ".corpus"
WORK = BENCH / ".work"

# --- Python: every distribution pinned (top-level ones and their dependencies), so that the
# resolver has no choice. Chosen for size and realism; all install as wheels on CPython 3.11
# x86_64 Linux. About 3.1 million lines of .py/.pyi.
PYTHON_PINS = [
    "Django==5.1.4",
    "SQLAlchemy==2.0.36",
    "pandas==2.2.3",
    "numpy==2.1.3",
    "scipy==1.14.1",
    "sympy==1.13.3",
    "matplotlib==3.9.2",
    "boto3==1.35.76",
    # dependencies, pinned as resolved when this list was made
    "asgiref==3.13.0",
    "botocore==1.35.99",
    "contourpy==1.3.3",
    "cycler==0.12.1",
    "fonttools==4.68.0",
    "greenlet==3.5.6",
    "jmespath==1.1.0",
    "kiwisolver==1.5.1",
    "mpmath==1.3.0",
    "packaging==26.4",
    "pillow==13.0.0",
    "pyparsing==3.3.3",
    "python-dateutil==2.9.0.post0",
    "pytz==2026.6",
    "s3transfer==0.10.4",
    "six==1.17.0",
    "sqlparse==0.6.1",
    "typing_extensions==4.16.0",
    "tzdata==2026.6",
    "urllib3==2.8.0",
]
# Installer tooling seeded into every venv: not pinned here, so not part of the corpus.
PYTHON_SKIP_TOP = {"pip", "setuptools", "pkg_resources", "_distutils_hack", "wheel"}
PYTHON_SKIP_PREFIX = ("pip-", "setuptools-", "wheel-", "distutils-precedence.pth")

# --- Rust: Debian 12 (bookworm) packages, pinned by Debian version; only the named crates are
# copied (apt pulls in ~150 more crates as dependencies; those are left out). ~345k lines.
RUST_PACKAGES = {
    # apt package: (Debian version, crate folder under /usr/share/cargo/registry)
    "librust-tokio-dev": ("1.24.2-1", "tokio-1.24.2"),
    "librust-hyper-dev": ("0.14.19-1", "hyper-0.14.19"),
    "librust-regex-dev": ("1.7.1-1", "regex-1.7.1"),
    "librust-regex-syntax-dev": ("0.6.27-1", "regex-syntax-0.6.27"),
    "librust-syn-dev": ("1.0.107-1", "syn-1.0.107"),
    "librust-serde-dev": ("1.0.152-2", "serde-1.0.152"),
    "librust-serde-json-dev": ("1.0.87-1", "serde_json-1.0.87"),
    "librust-clap-dev": ("4.0.32-1", "clap-4.0.32"),
    "librust-chrono-dev": ("0.4.23-2", "chrono-0.4.23"),
}
CARGO_REGISTRY = Path("/usr/share/cargo/registry")

# --- npm: top-level versions pinned; --before pins every transitive dependency to what the
# registry offered on that date. ~350k lines of .js/.ts.
NPM_PINS = [
    "react@18.3.1",
    "react-dom@18.3.1",
    "rxjs@7.8.1",
    "lodash@4.17.21",
    "express@4.21.2",
    "@types/node@22.10.2",
    "zod@3.24.1",
    "axios@1.7.9",
]
NPM_BEFORE = "2025-03-01"

LANG_BY_EXT = {
    ".py": "python",
    ".pyi": "python",
    ".rs": "rust",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
}
# Folder names Optimus never enters (src/optimus/discover/walk.py SKIP_DIRS, plus *.egg-info).
OPTIMUS_SKIP_DIRS = {
    "node_modules",
    "target",
    ".venv",
    "venv",
    "dist",
    "build",
    "__pycache__",
    "vendor",
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".next",
    ".cache",
    ".eggs",
    ".terraform",
    "site-packages",
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cmd: list[str], **kw) -> None:
    log("+ " + " ".join(cmd))
    subprocess.run(cmd, check=True, **kw)


def spec_digest(spec: object) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def stamp_path(part: str) -> Path:
    return CORPUS / f".stamp-{part}.json"


def up_to_date(part: str, spec: object) -> bool:
    try:
        stored = json.loads(stamp_path(part).read_text())
    except (OSError, ValueError):
        return False
    return stored.get("spec") == spec_digest(spec) and (CORPUS / part).is_dir()


def write_stamp(part: str, spec: object) -> None:
    stamp_path(part).write_text(json.dumps({"spec": spec_digest(spec), "pins": spec}, indent=1))


def copy_contents(src: Path, dest: Path, skip_top=frozenset(), skip_prefix=()) -> None:
    """Copy the contents of src into a new folder dest (via a temp name, then renamed)."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        out = set()
        top = Path(folder) == src
        for n in names:
            if n == "__pycache__" or n.endswith((".pyc", ".so")) or ".so." in n:
                out.add(n)
            elif n.endswith(".libs") and (Path(folder) / n).is_dir():
                out.add(n)  # bundled shared libraries (numpy.libs, scipy.libs, ...)
            elif top and (n in skip_top or n.startswith(skip_prefix)):
                out.add(n)
        return out

    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for entry in sorted(src.iterdir()):
        if entry.name in ignore(str(src), [entry.name]):
            continue
        target = tmp / entry.name
        if entry.is_symlink():
            continue  # e.g. node_modules/.bin links
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=ignore, symlinks=True)
        else:
            shutil.copy2(entry, target)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)


# --- parts ---------------------------------------------------------------------------------


def build_python(force: bool) -> None:
    if sys.version_info[:2] != (3, 11):
        log(f"warning: pins are for CPython 3.11; this is {platform.python_version()}")
    spec = {"python": list(sys.version_info[:2]), "pins": PYTHON_PINS}
    if not force and up_to_date("python", spec):
        log("python: up to date")
        return
    venv = WORK / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "install", "--quiet", "--only-binary=:all:", *PYTHON_PINS])
    frozen = subprocess.run([*pip, "freeze"], capture_output=True, text=True, check=True).stdout
    wanted = {p.lower().replace("_", "-") for p in PYTHON_PINS}
    got = {line.strip().lower().replace("_", "-") for line in frozen.splitlines() if line.strip()}
    if got != wanted:
        log(
            f"warning: installed set differs from the pins: extra {sorted(got - wanted)}, "
            f"missing {sorted(wanted - got)}"
        )
    site = next((venv / "lib").glob("python3.*/site-packages"))
    copy_contents(site, CORPUS / "python", PYTHON_SKIP_TOP, PYTHON_SKIP_PREFIX)
    write_stamp("python", spec)


def build_rust(force: bool) -> None:
    spec = {"debian": RUST_PACKAGES}
    if not force and up_to_date("rust", spec):
        log("rust: up to date")
        return
    missing = [c for _, c in RUST_PACKAGES.values() if not (CARGO_REGISTRY / c).is_dir()]
    if missing:
        if shutil.which("apt-get") is None:
            sys.exit("rust: apt-get not found (Debian/Ubuntu only); use --no-rust or --python-only")
        if os.geteuid() != 0:
            sys.exit("rust: installing librust-*-dev needs root; use --no-rust or run as root")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-q"], env=env)
        pins = [f"{pkg}={ver}" for pkg, (ver, _) in RUST_PACKAGES.items()]
        try:
            run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *pins], env=env)
        except subprocess.CalledProcessError:
            sys.exit(
                "rust: apt-get install failed; these pins are Debian 12 (bookworm) "
                "versions (see `apt-cache policy librust-tokio-dev`); or use --no-rust"
            )
    dest = CORPUS / "rust"
    tmp = dest.with_name("rust.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for _, crate in RUST_PACKAGES.values():
        shutil.copytree(CARGO_REGISTRY / crate, tmp / crate, symlinks=True)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    write_stamp("rust", spec)


def build_npm(force: bool) -> None:
    spec = {"pins": NPM_PINS, "before": NPM_BEFORE}
    if not force and up_to_date("npm", spec):
        log("npm: up to date")
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm: npm not found; install Node.js/npm, or use --no-npm / --python-only")
    prefix = WORK / "npm"
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    (prefix / "package.json").write_text('{"name": "optimus-bench-corpus", "private": true}\n')
    run(
        [
            npm,
            "install",
            "--prefix",
            str(prefix),
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--no-save",
            f"--before={NPM_BEFORE}",
            *NPM_PINS,
        ]
    )
    copy_contents(
        prefix / "node_modules", CORPUS / "npm", frozenset({".bin"}), (".package-lock.json",)
    )
    write_stamp("npm", spec)


# --- counting ------------------------------------------------------------------------------


def count_part(root: Path) -> dict:
    """Files and lines per language, all files and those Optimus's walk would keep."""
    out: dict[str, dict[str, int]] = {}
    for folder, _dirs, files in os.walk(root):
        rel_parts = Path(folder).relative_to(root).parts
        hidden_from_optimus = any(
            p in OPTIMUS_SKIP_DIRS or p.endswith(".egg-info") for p in rel_parts
        )
        for name in files:
            lang = LANG_BY_EXT.get(os.path.splitext(name)[1].lower())
            if lang is None:
                continue
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as fh:
                data = fh.read()
            lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
            row = out.setdefault(
                lang, dict.fromkeys(("files", "lines", "skipped_files", "skipped_lines"), 0)
            )
            row["files"] += 1
            row["lines"] += lines
            if hidden_from_optimus:
                row["skipped_files"] += 1
                row["skipped_lines"] += lines
    return out


def summarize(parts: list[str]) -> dict:
    manifest: dict = {"parts": {}}
    total_files = total_lines = 0
    print(f"\n{'part':8} {'language':11} {'files':>8} {'lines':>11}   (in folders Optimus skips)")
    for part in parts:
        root = CORPUS / part
        if not root.is_dir():
            continue
        counts = count_part(root)
        manifest["parts"][part] = counts
        for lang, row in sorted(counts.items()):
            total_files += row["files"]
            total_lines += row["lines"]
            print(
                f"{part:8} {lang:11} {row['files']:8,} {row['lines']:11,}"
                f"   ({row['skipped_files']:,} files, {row['skipped_lines']:,} lines)"
            )
    print(f"{'total':8} {'':11} {total_files:8,} {total_lines:11,}")
    manifest["total"] = {"files": total_files, "lines": total_lines}
    (CORPUS / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python-only", action="store_true", help="skip the Rust and npm parts")
    ap.add_argument("--no-rust", action="store_true", help="skip the Rust (apt) part")
    ap.add_argument("--no-npm", action="store_true", help="skip the npm part")
    ap.add_argument("--force", action="store_true", help="rebuild parts even if up to date")
    args = ap.parse_args()
    CORPUS.mkdir(parents=True, exist_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    parts = ["python"]
    build_python(args.force)
    if not (args.python_only or args.no_rust):
        build_rust(args.force)
        parts.append("rust")
    if not (args.python_only or args.no_npm):
        build_npm(args.force)
        parts.append("npm")
    for stale in {"python", "rust", "npm"} - set(parts):
        # A part left out this time is removed, so the corpus is exactly what was asked for.
        if (CORPUS / stale).exists():
            log(f"{stale}: removing (not requested)")
            shutil.rmtree(CORPUS / stale)
            stamp_path(stale).unlink(missing_ok=True)
    summarize(parts)


if __name__ == "__main__":
    main()
