"""Test helpers for codemods: a FixContext over a folder, scans, and the checks every fix passes.

The fix engine is built elsewhere; these tests drive the codemods through the contract alone
(optimus.fix.base): scan a tree, hand each finding to the registered fixers, write the
proposed texts, then check that they parse, that the finding is gone on a rescan, that a
second pass proposes nothing new, and that the lines the fix did not touch are unchanged.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import libcst
import pytest
from ruamel.yaml import YAML

import optimus.fix.codemods  # noqa: F401  (registers the codemods)
from optimus.analyze.engine import ScanOptions, scan
from optimus.fix.base import FixContext, ProposedFix, registered_fixers
from optimus.model import Finding, Project, ScanResult
from optimus.parse.dockerfile import parse_dockerfile

DOCKERFILE_KEYWORDS = frozenset(
    {"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT"}
    | {"VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}
)


@dataclass
class TreeContext:
    """A FixContext over a folder: reads the disk, or what earlier fixes proposed."""

    root: Path
    project: Project
    overlay: dict[str, str] = field(default_factory=dict)

    def read_text(self, path: str) -> str | None:
        if path in self.overlay:
            return self.overlay[path]
        file = self.root / path
        if not file.is_file():
            return None
        # bytes decoded as they are: CRLF line endings must reach the codemod unchanged
        return file.read_bytes().decode("utf-8")

    def exists(self, path: str) -> bool:
        return path in self.overlay or (self.root / path).exists()


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create files under root (bytes are written as they are, e.g. CRLF text)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
    return root


def run_scan(root: Path, engines: bool = False) -> ScanResult:
    """Scan a folder without the cache, with or without the external engines."""
    # preview on: some fixed rules (torch-inference-no-grad) are still in preview
    overrides = {"engines": engines, "preview": True}
    options = ScanOptions(overrides=overrides, use_cache=False, jobs=1)
    return scan([str(root)], options)


def findings_of(root: Path, rule: str, engines: bool = False) -> list[Finding]:
    return [f for f in run_scan(root, engines).findings if f.rule == rule]


def propose(root: Path, finding: Finding, project: Project | None = None) -> ProposedFix | None:
    """The first fixer's proposal for a finding (None when every fixer refuses)."""
    project = project or Project(finding.project, finding.project)
    ctx: FixContext = TreeContext(root, project)
    for fx in registered_fixers():
        if fx.rule == finding.rule and (fx.accepts is None or fx.accepts(finding)):
            proposal = fx.func(finding, ctx)
            if proposal is not None:
                return proposal
    return None


def apply(root: Path, proposal: ProposedFix) -> None:
    for change in proposal.changes:
        target = root / change.path
        assert change.created != target.exists() or change.created is False
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(change.new_text.encode("utf-8"))


def fix_all(
    root: Path, rule: str, engines: bool = False, accepts: Callable[[Finding], bool] | None = None
) -> list[ProposedFix]:
    """Scan, fix every finding of ``rule`` (one at a time, rescanning), write the results.

    Stops when a scan has no finding left that a fixer accepts and fixes; capped.
    """
    applied: list[ProposedFix] = []
    for _ in range(20):
        result = run_scan(root, engines)
        projects = {p.path: p for p in result.projects}
        for finding in result.findings:
            if finding.rule != rule or (accepts is not None and not accepts(finding)):
                continue
            proposal = propose(root, finding, projects.get(finding.project))
            if proposal is not None:
                apply(root, proposal)
                applied.append(proposal)
                break
        else:
            return applied
    raise AssertionError(f"{rule}: fixes did not converge")


def assert_parses(path: str, text: str) -> None:
    """The text parses with the parser its file name calls for."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".py"):
        libcst.parse_module(text)
        compile(text, path, "exec")
    elif name.endswith(".toml"):
        tomllib.loads(text)
    elif name.endswith((".yaml", ".yml")):
        list(YAML(typ="safe").load_all(text))
    elif name.endswith(".json"):
        json.loads(text)
    elif "dockerfile" in name.lower():
        dockerfile = parse_dockerfile(text)
        assert dockerfile.stages, f"{path}: no FROM left"
        assert dockerfile.instructions[0].keyword in ("FROM", "ARG"), path
        for ins in dockerfile.instructions:
            assert ins.keyword in DOCKERFILE_KEYWORDS, f"{path}:{ins.line}: {ins.keyword}"
            if ins.keyword in ("RUN", "CMD", "ENTRYPOINT") and ins.args.lstrip().startswith("["):
                assert ins.exec_form is not None, f"{path}:{ins.line}: broken exec form"
        assert not text.rstrip().endswith("\\"), f"{path}: ends inside a line continuation"


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines removed from ``old`` and lines added in ``new`` (line endings kept)."""
    removed: list[str] = []
    added: list[str] = []
    matcher = difflib.SequenceMatcher(None, old.splitlines(True), new.splitlines(True))
    a, b = old.splitlines(True), new.splitlines(True)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def check_fixed(
    root: Path,
    rule: str,
    files: dict[str, str | bytes],
    engines: bool = False,
    accepts: Callable[[Finding], bool] | None = None,
    expect_fixes: int = 1,
) -> dict[str, str]:
    """Write ``files``, fix every finding of ``rule``, and check the four properties.

    Returns the new texts of the files the fixes touched or created. The caller checks that
    the untouched lines are what it expects (``changed_lines``).
    """
    write(root, files)
    before = findings_of(root, rule, engines)
    if accepts is not None:
        before = [f for f in before if accepts(f)]
    assert before, f"the fixture has no {rule} finding to fix"
    applied = fix_all(root, rule, engines, accepts)
    assert len(applied) == expect_fixes, [p.message for p in applied]
    touched = {c.path for p in applied for c in p.changes}
    texts = {path: (root / path).read_bytes().decode("utf-8") for path in touched}
    for path, text in texts.items():
        assert_parses(path, text)
    after = findings_of(root, rule, engines)
    if accepts is not None:
        after = [f for f in after if accepts(f)]
    assert not after, [f.message for f in after]
    # idempotence: the fixer, given the original findings again, changes nothing more
    for finding in before:
        proposal = propose(root, finding)
        if proposal is not None:
            for change in proposal.changes:
                current = root / change.path
                assert current.exists() and change.new_text == current.read_bytes().decode()
    for proposal in applied:
        assert proposal.rule == rule
        assert proposal.message
    return texts


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A scan root for one test's fixture files."""
    root = tmp_path / "tree"
    root.mkdir()
    return root
