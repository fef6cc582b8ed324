"""The pip-audit engine: Python package versions with known advisories, from PyPI (online).

Opt-in, because pip-audit sends every audited package name and version to PyPI's JSON API:
it runs only when ``OPTIMUS_NETWORK=1`` (or ``true``/``yes``) is set. The exact versions are
the ones the ``deps-vulnerable`` rule reads (root lockfiles: ``uv.lock``, ``poetry.lock``,
``pdm.lock``, ``pylock*.toml``, ``Pipfile.lock``; ``==`` pins in root requirements files and
``pyproject.toml``), written to a temporary requirements file and audited with
``pip-audit -r <file> --no-deps --disable-pip -f json``: nothing is resolved, downloaded,
built or installed, and pip-audit reads lockfiles it has no reader for this way too. Each
advisory becomes a ``deps-vulnerable`` hit on the line that pins the version; where the
offline OSV check already reported that line, the engine's hit is dropped.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from packaging.version import InvalidVersion, Version

from optimus.analyze.project_context import ProjectContext
from optimus.engines.base import Engine, EngineError, EngineHit
from optimus.registry import engine
from optimus.rules.deps._lockfiles import PYPI, Locked, is_pylock, locked_versions
from optimus.rules.deps._osv import normalize_name

RULE = "deps-vulnerable"
NETWORK_ENV = "OPTIMUS_NETWORK"
_PYTHON_LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")


def network_allowed() -> bool:
    """Whether the user opted in to engines that query online services."""
    return os.environ.get(NETWORK_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _root_names(ctx: ProjectContext) -> list[str]:
    local = (p[len(ctx.prefix) :] if ctx.prefix else p for p in ctx.paths)
    return sorted(p for p in local if "/" not in p)


def _pin_files(ctx: ProjectContext) -> list[str]:
    """Project-relative files whose exact pins are audited (lockfiles first)."""
    names = _root_names(ctx)
    locks = [n for n in names if n in _PYTHON_LOCKS or is_pylock(n)]
    manifests = [
        n
        for n in names
        if n == "pyproject.toml" or (n.startswith("requirements") and n.endswith(".txt"))
    ]
    return locks + manifests


def python_pins(ctx: ProjectContext) -> list[tuple[str, Locked]]:
    """(project-relative file, pin) for every exact PyPI version, each version once."""
    out: list[tuple[str, Locked]] = []
    seen: set[tuple[str, str]] = set()
    for name in _pin_files(ctx):
        text = ctx.read_text(name)  # parsed sources, or lockfiles read on demand
        if text is None:
            continue
        try:
            items = locked_versions(name, text)
        except ValueError:
            continue
        for item in items:
            if item.ecosystem != PYPI:
                continue
            key = (normalize_name(PYPI, item.name), _canonical(item.version))
            if key not in seen:
                seen.add(key)
                out.append((name, item))
    return out


def _canonical(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def layers(pins: list[tuple[str, Locked]]) -> list[list[tuple[str, Locked]]]:
    """Split pins so no layer names a package twice (pip-audit rejects duplicate names)."""
    out: list[list[tuple[str, Locked]]] = []
    for file, item in pins:
        name = normalize_name(PYPI, item.name)
        for layer in out:
            if all(normalize_name(PYPI, other.name) != name for _, other in layer):
                layer.append((file, item))
                break
        else:
            out.append([(file, item)])
    return out


def _fix(version: str, vuln: dict[str, Any]) -> str | None:
    """The lowest fix version above ``version`` that an advisory lists, or None."""
    fixes = []
    for text in vuln.get("fix_versions") or []:
        try:
            fixes.append((Version(str(text)), str(text)))
        except InvalidVersion:
            continue
    try:
        current = Version(version)
    except InvalidVersion:
        current = None
    newer = [f for f in fixes if current is None or f[0] > current]
    return min(newer)[1] if newer else None


def _label(vuln: dict[str, Any]) -> str:
    aliases = [a for a in vuln.get("aliases") or [] if isinstance(a, str)]
    cves = [a for a in aliases if a.startswith("CVE-")] or aliases[:2]
    return str(vuln.get("id")) + (f" ({', '.join(cves)})" if cves else "")


def audit_message(name: str, version: str, file: str, vulns: list[dict[str, Any]]) -> str:
    """One message for every advisory against one pinned version (one finding per line)."""
    fixes = {str(v.get("id")): _fix(version, v) for v in vulns}
    labels = ", ".join(_label(v) for v in vulns)
    known = [f for f in fixes.values() if f]
    unfixed = [i for i, f in fixes.items() if not f]
    if known:
        action = f"upgrade {name} to {max(known, key=Version)} or later and re-lock"
        if unfixed:
            action += f" ({', '.join(unfixed)} has no fixed version yet)"
    else:
        action = "no fixed version is published: replace it, or apply the advisory's workaround"
    count = "an advisory" if len(vulns) == 1 else f"{len(vulns)} advisories"
    return (
        f"{name} {version} ({file}) is affected by {count} in PyPI's data (pip-audit): "
        f"{labels}; {action}"
    )


def audit_hits(
    report: dict[str, Any], pins: list[tuple[str, Locked]], ctx: ProjectContext
) -> list[EngineHit]:
    """Turn pip-audit's JSON report into deps-vulnerable hits on the pinning lines."""
    where = {
        (normalize_name(PYPI, item.name), _canonical(item.version)): (file, item)
        for file, item in pins
    }
    hits = []
    for dep in report.get("dependencies") or []:
        if not isinstance(dep, dict) or not isinstance(dep.get("version"), str):
            continue  # skipped dependencies carry a skip_reason and no version
        key = (normalize_name(PYPI, str(dep.get("name"))), _canonical(dep["version"]))
        vulns = [v for v in dep.get("vulns") or [] if isinstance(v, dict) and v.get("id")]
        if key not in where or not vulns:
            continue
        file, item = where[key]
        hits.append(
            EngineHit(
                rule=RULE,
                path=ctx.prefix + file,
                line=item.line,
                message=audit_message(item.name, item.version, file, vulns),
            )
        )
    return hits


def all_skipped(report: dict[str, Any]) -> str | None:
    """The first skip reason when pip-audit could audit nothing (PyPI unreachable...)."""
    deps = [d for d in report.get("dependencies") or [] if isinstance(d, dict)]
    if deps and all("skip_reason" in d for d in deps):
        return str(deps[0]["skip_reason"])
    return None


@engine
class PipAudit(Engine):
    name = "pip-audit"
    program = "pip-audit"
    install_hint = "pip install pip-audit; it queries PyPI, so it also needs OPTIMUS_NETWORK=1"
    summary = "Known advisories for pinned Python versions, from PyPI (online, opt-in)."
    kinds = frozenset({"requirements", "pyproject"})
    rules = frozenset({RULE})
    timeout = 300
    cacheable = False  # advisories change daily: ask PyPI on every scan

    def applies(self, ctx: ProjectContext) -> bool:
        return network_allowed() and bool(_pin_files(ctx))

    def run(self, ctx: ProjectContext, project_dir: str, executable: str) -> list[EngineHit]:
        pins = python_pins(ctx)
        hits: list[EngineHit] = []
        with tempfile.TemporaryDirectory(prefix="optimus-pip-audit-") as tmp:
            for number, layer in enumerate(layers(pins)):
                requirements = os.path.join(tmp, f"pins-{number}.txt")
                out = os.path.join(tmp, f"report-{number}.json")
                with open(requirements, "w", encoding="utf-8") as fh:
                    fh.writelines(f"{item.name}=={item.version}\n" for _, item in layer)
                done = self.call(
                    [
                        executable,
                        "-r",
                        requirements,
                        "--no-deps",
                        "--disable-pip",
                        "--vulnerability-service",
                        "pypi",
                        "--format",
                        "json",
                        "--output",
                        out,
                        "--progress-spinner",
                        "off",
                    ],
                    cwd=project_dir,
                )
                report = self._read(out, done.returncode, done.stderr)
                skipped = all_skipped(report)
                if skipped:
                    raise EngineError(f"pip-audit could not audit any package: {skipped}")
                hits += audit_hits(report, layer, ctx)
        return hits

    @staticmethod
    def _read(out: str, returncode: int, stderr: str) -> dict[str, Any]:
        try:
            with open(out, encoding="utf-8") as fh:
                report = json.load(fh)
        except (OSError, ValueError):
            lines = [line for line in stderr.strip().splitlines() if line.strip()]
            raise EngineError(
                f"pip-audit failed (exit {returncode}): {lines[-1] if lines else 'no output'}"
            ) from None
        if not isinstance(report, dict):
            raise EngineError("unexpected pip-audit output: not a JSON object")
        return report
