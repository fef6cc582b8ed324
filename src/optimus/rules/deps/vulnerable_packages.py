"""deps-vulnerable: a pinned or locked package version that a known advisory affects.

Offline: the user points ``OPTIMUS_OSV_DIR`` at a folder holding OSV's per-ecosystem exports
(``PyPI/all.zip``, ``npm/all.zip``, ``crates.io/all.zip``); without it the rule is silent.
Every exact version the project's files pin (requirements ``==`` pins, ``pyproject.toml``
``==`` pins, exact ``package.json`` versions, ``=x.y.z`` in ``Cargo.toml``, and the lockfiles at
the project root, read with ``ProjectContext.read_text``) is matched with the OSV evaluation
algorithm in ``_osv``. Online
checks are the ``pip-audit`` engine's (opt-in), mapped onto this same rule.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.errors import ParseError
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deps._lockfiles import LOCKFILES, is_pylock
from optimus.rules.deps._osv import (
    Advisory,
    Locked,
    OsvIndex,
    load_osv,
    locked_versions,
    vulnerable,
)

#: The environment variable naming the OSV export folder.
OSV_DIR_ENV = "OPTIMUS_OSV_DIR"
_MANIFESTS = ("pyproject.toml", "package.json", "cargo.toml")


def _is_lockfile(name: str) -> bool:
    return name in LOCKFILES or is_pylock(name)


def _readable(name: str) -> bool:
    name = name.lower()
    if _is_lockfile(name) or name in _MANIFESTS:
        return True
    return name.startswith("requirements") and name.endswith(".txt")


def _texts(ctx: ProjectContext) -> list[tuple[str, str]]:
    """(project-relative path, text) of every file that pins versions, lockfiles first.

    Manifests are the context's parsed sources (any folder: workspace members included);
    lockfiles are read at the project root only, where the package manager writes them.
    """
    found: dict[str, str] = {}
    for src in ctx.sources.values():
        if _readable(src.project_path.rsplit("/", 1)[-1]):
            try:
                found[src.project_path] = src.text
            except ParseError:  # not UTF-8: the engine reports the file once
                continue
    for path in ctx.paths:
        local = path[len(ctx.prefix) :] if ctx.prefix else path
        if "/" in local or local in found or not _is_lockfile(local.lower()):
            continue
        text = ctx.read_text(local)
        if text is not None:
            found[local] = text
    order = sorted(found, key=lambda p: (not _is_lockfile(p.rsplit("/", 1)[-1].lower()), p))
    return [(p, found[p]) for p in order]


def pinned_packages(ctx: ProjectContext) -> list[tuple[str, Locked]]:
    """Every exact version the project's files pin, each (ecosystem, name, version) once.

    Items are (project-relative file, pin). Lockfiles come first, so a version that a
    manifest pins and the lockfile records is reported on the lockfile. Files that do not
    parse are skipped (their parse error is another rule's diagnostic).
    """
    seen: set[tuple[str, str, str]] = set()
    out = []
    for local, text in _texts(ctx):
        try:
            items = locked_versions(local, text)
        except ValueError:  # broken JSON/TOML
            continue
        for item in items:
            key = (item.ecosystem, item.name.lower(), item.version)
            if key not in seen:
                seen.add(key)
                out.append((local, item))
    return out


def advisory_message(item: Locked, advisory: Advisory, where: str) -> str:
    """What the finding says: package, advisory, what to do."""
    aliases = [a for a in advisory.aliases if a.startswith("CVE-")] or list(advisory.aliases[:2])
    ids = advisory.id + (f" ({', '.join(aliases)})" if aliases else "")
    summary = f": {advisory.summary.rstrip('.')}" if advisory.summary else ""
    label = f" [{advisory.severity}]" if advisory.severity else ""
    if advisory.fixed:
        action = f"upgrade {item.name} to {advisory.fixed} or later and re-lock"
    else:
        action = "no fixed version is published: replace it, or apply the advisory's workaround"
    return f"{item.name} {item.version} ({where}) is affected by {ids}{label}{summary}; {action}"


@rule
class DepsVulnerable(Rule):
    name = "deps-vulnerable"
    code = "DP004"
    category = Category.SECURITY
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 30
    scope = "project"
    engine = "optimus+pip-audit"
    kinds = frozenset({"requirements", "pyproject", "package-json", "cargo-manifest", "toml"})
    summary = "A pinned or locked dependency version is affected by a published advisory."
    doc = {
        "What it finds": (
            "Exact dependency versions that a published advisory affects. Versions come from "
            "the project's lockfiles (`uv.lock`, `poetry.lock`, `pdm.lock`, `pylock.toml`, "
            "`Pipfile.lock`, `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`, `bun.lock`, "
            "`Cargo.lock`) and exact pins in manifests (`name==1.2.3` in requirements files "
            'and `pyproject.toml`, `"1.2.3"` in `package.json`, `"=1.2.3"` in '
            "`Cargo.toml`). Advisories come from an OSV export you download "
            "(`https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip` for "
            "`PyPI`, `npm`, `crates.io`, laid out as `<dir>/<ecosystem>/all.zip`, with "
            "`OPTIMUS_OSV_DIR=<dir>`), matched offline with the OSV schema's evaluation "
            "algorithm: PEP 440 ordering for PyPI, SemVer 2.0 for npm and crates.io. With "
            "`pip-audit` installed and `OPTIMUS_NETWORK=1` set (it sends package names and "
            "versions to PyPI), the pip-audit engine reports Python advisories from PyPI's "
            "data under this rule too. The finding is critical when the advisory's database "
            "labels it CRITICAL."
        ),
        "Why": (
            "A version inside an advisory's affected range ships the vulnerable code; the "
            "advisory usually names the first fixed release. Matching the exact versions a "
            "lockfile installs, rather than manifest ranges, reports what actually runs."
        ),
        "Example": "```text\n# requirements.txt\nrequests==2.19.0\n```",
        "Instead": (
            "```text\nrequests==2.32.4\n```\n\nUpgrade to the fixed version the message "
            "names (or later), re-lock (`uv lock --upgrade-package requests`, `npm update`, "
            "`cargo update -p <crate>`), and run the tests."
        ),
        "When not to": (
            "When the vulnerable code path is not reachable from the project (the advisory "
            "describes which function or feature is affected), suppress the finding on that "
            "line with the advisory id in the comment. The data is as fresh as the export "
            "you downloaded; ranges that cannot be ordered (GIT ranges, non-PEP 440 or "
            "non-SemVer versions) are skipped, not guessed."
        ),
    }
    references = (
        Reference("OSV schema (evaluation algorithm)", "https://ossf.github.io/osv-schema/"),
        Reference("OSV data sources and exports", "https://google.github.io/osv.dev/data/"),
        Reference("pip-audit", "https://github.com/pypa/pip-audit"),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        folder = os.environ.get(OSV_DIR_ENV)
        if not folder or not os.path.isdir(folder):
            return
        index = load_osv(folder)
        yield from self.hits(ctx, index)

    def hits(self, ctx: ProjectContext, index: OsvIndex) -> Iterator[Hit]:
        """Findings of one project against an OSV index (tests pass their own)."""
        for local, item in pinned_packages(ctx):
            if not index.has(item.ecosystem):
                continue
            for advisory in vulnerable(index, item.ecosystem, item.name, item.version):
                yield Hit(
                    advisory_message(item, advisory, local),
                    line=item.line,
                    path=ctx.prefix + local,
                    snippet=f"{item.ecosystem}:{item.name}:{advisory.id}",
                    severity=Severity.CRITICAL if advisory.is_critical else None,
                )
