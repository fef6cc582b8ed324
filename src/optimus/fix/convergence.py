"""Propose, check and apply fixes in passes over a folder until nothing more applies.

One pass: scan, ask each accepting fixer for a proposal on the findings of the rule being
fixed, keep the first proposal per file (a later one on a file already changed waits for the
next pass, when the rescan gives it fresh lines), re-parse every changed file (a fix that
breaks parsing is dropped and reported as a bug), write the survivors and rescan. Passes
repeat until a pass applies nothing or the cap is hit. The folder must be a scratch copy or a
git worktree: the engine writes to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from optimus.analyze.engine import ScanOptions, scan
from optimus.fix.base import Fixer, ProposedFix
from optimus.fix.diff import file_diff, header
from optimus.fix.edits import edit_fixer
from optimus.fix.fixers import allowed, fixers_for, load_fixers
from optimus.fix.outcome import AppliedFix, ParseFailure, SkippedFix
from optimus.fix.overlay import Change, Overlay, restore
from optimus.fix.reparse import parse_error
from optimus.model import Applicability, Finding, Project, ScanResult

MAX_PASSES = 10

Key = tuple[str, str, str]


def key_of(finding: Finding) -> Key:
    """A finding's identity across passes: rule, path, fingerprint."""
    return (finding.rule, finding.path, finding.fingerprint)


@dataclass
class FixOptions:
    """Which fixes to make: rules and project filters, unsafe fixes, pass cap, scan flags."""

    rules: frozenset[str] | None = None
    project: str | None = None
    unsafe_fixes: bool = False
    max_passes: int = MAX_PASSES
    overrides: dict[str, object] = field(default_factory=dict)

    def wants(self, finding: Finding) -> bool:
        """Whether the rule and project filters select this finding."""
        if self.rules is not None and finding.rule not in self.rules:
            return False
        return self.project is None or self.project in (finding.project, _name(finding.project))


def _name(project_path: str) -> str:
    return project_path.rsplit("/", 1)[-1]


@dataclass
class Step:
    """What converging one rule did: the fixes made and every file's before and after."""

    rule: str
    fixes: list[AppliedFix]
    changes: dict[str, Change]


class FixEngine:
    """Fixes in a writable folder, rule by rule, remembering what must not be tried again."""

    def __init__(self, target: Path, options: FixOptions) -> None:
        self.target = target
        self.root = target if target.is_dir() else target.parent
        self.options = options
        self.fixers: list[Fixer] = load_fixers()
        self.blocked: set[Key] = set()
        self.skipped: dict[Key, SkippedFix] = {}
        self.failed: list[ParseFailure] = []
        self.passes = 0
        self.converged = True
        self.result: ScanResult = self.scan()

    def scan(self) -> ScanResult:
        """Scan the folder afresh (no cache: the folder is temporary and changes under us)."""
        return scan(
            [str(self.target)], ScanOptions(overrides=self.options.overrides, use_cache=False)
        )

    def _candidates(self, finding: Finding) -> list[Fixer]:
        if not self.options.wants(finding) or key_of(finding) in self.blocked:
            return []
        own = edit_fixer(finding)  # the rule's own edits come before any codemod
        return ([own] if own else []) + fixers_for(finding, self.fixers)

    def pending_rules(self) -> list[str]:
        """Rules with a finding that an allowed fixer may fix: safe rules first, by name."""
        found: dict[str, bool] = {}
        for finding in self.result.findings:
            for fx in self._candidates(finding):
                if allowed(fx.applicability, self.options.unsafe_fixes):
                    safe = fx.applicability is Applicability.SAFE
                    found[fx.rule] = found.get(fx.rule, False) or safe
        return sorted(found, key=lambda r: (not found[r], r))

    def converge(self, rule: str, limit: int | None = None) -> Step:
        """Fix ``rule``'s findings pass after pass until none applies (at most ``limit``)."""
        step = Step(rule, [], {})
        for _ in range(self.options.max_passes):
            if limit is not None and len(step.fixes) >= limit:
                break
            left = None if limit is None else limit - len(step.fixes)
            made = self._one_pass(rule, left, step)
            if not made:
                return step
        else:
            still = [f for f in self.result.findings if f.rule == rule and self._candidates(f)]
            if still:
                self.converged = False
        return step

    def _projects(self) -> dict[str, Project]:
        return {p.path: p for p in self.result.projects}

    def _one_pass(self, rule: str, limit: int | None, step: Step) -> list[AppliedFix]:
        projects = self._projects()
        overlay = Overlay(self.root, Project(".", "."))
        touched: set[str] = set()
        made: list[tuple[AppliedFix, Finding]] = []
        for finding in self.result.findings:
            if finding.rule != rule or finding.path in touched:
                continue  # another fix changed this file: the next pass sees fresh lines
            if limit is not None and len(made) >= limit:
                break
            for fx in self._candidates(finding):
                if not allowed(fx.applicability, self.options.unsafe_fixes):
                    self._skip(finding, fx, _refusal(fx.applicability))
                    if fx.applicability is Applicability.DISPLAY_ONLY:
                        self._show(finding, fx, overlay, projects)
                    continue
                view = overlay.for_project(projects.get(finding.project, Project(".", ".")))
                # A fixer may decline because of what an earlier fix of this pass changed:
                # then it gets another chance in the next pass, on fresh findings.
                proposal = self._propose(finding, fx, view, final=not touched)
                if proposal is None:
                    continue
                if any(c.path in touched for c in proposal.changes):
                    break  # conflicts with an earlier fix of this pass: next pass
                fix = self._check_and_lay(finding, proposal, overlay)
                if fix is not None:
                    touched.update(fix.files)
                    made.append((fix, finding))
                break
        if not made:
            return []
        before_counts = _counts(self.result, rule)
        for change in overlay.write():
            first = step.changes.get(change.path)
            step.changes[change.path] = Change(
                change.path, first.before if first else change.before, change.after
            )
        self.passes += 1
        self.result = self.scan()
        after_counts = _counts(self.result, rule)
        for fix, finding in made:
            fix.resolved = any(after_counts[p] < before_counts[p] for p in fix.files) or (
                after_counts[finding.path] < before_counts[finding.path]
            )
            if not fix.resolved:
                # The fix ran but the finding stayed: trying again would loop.
                self.blocked.add(key_of(finding))
            step.fixes.append(fix)
        return [fix for fix, _ in made]

    def _propose(
        self, finding: Finding, fx: Fixer, view: Overlay, final: bool = True
    ) -> ProposedFix | None:
        try:
            proposal = fx.func(finding, view)
        except Exception as exc:  # a bug in one codemod must not stop the others
            self.blocked.add(key_of(finding))
            self._skip(
                finding,
                fx,
                f"internal error in the fixer: {type(exc).__name__}: {exc}; please report it",
            )
            return None
        if proposal is None:
            if final:
                self._skip(finding, fx, "the fixer cannot change this instance safely")
                self.blocked.add(key_of(finding))
            return None
        if not proposal.changes:
            self._skip(finding, fx, "the fixer proposed no change")
            self.blocked.add(key_of(finding))
            return None
        return proposal

    def _check_and_lay(
        self, finding: Finding, proposal: ProposedFix, overlay: Overlay
    ) -> AppliedFix | None:
        """Re-parse each changed file; lay the proposal over the overlay when all parse."""
        diffs: list[str] = []
        texts: list[tuple[str, str]] = []
        try:
            for change in proposal.changes:
                before = overlay.read_text(change.path)
                error = parse_error(change.path, change.new_text, before)
                if error is not None:
                    self.blocked.add(key_of(finding))
                    self.failed.append(
                        ParseFailure(
                            proposal.rule, finding.path, change.path, error, proposal.message
                        )
                    )
                    return None
                if before != change.new_text:
                    diffs.append(file_diff(change.path, before, change.new_text))
                    texts.append((change.path, change.new_text))
        except ValueError as exc:  # a change outside the scan root
            self.blocked.add(key_of(finding))
            self.failed.append(
                ParseFailure(proposal.rule, finding.path, "", str(exc), proposal.message)
            )
            return None
        if not texts:
            self.blocked.add(key_of(finding))
            self._skip_key(finding, str(proposal.applicability), "the fix changes nothing")
            return None
        for path, text in texts:
            overlay.set_text(path, text)
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        head = header(
            proposal.rule, str(proposal.applicability), proposal.message, where, proposal.confirm
        )
        return AppliedFix(
            rule=proposal.rule,
            applicability=str(proposal.applicability),
            message=proposal.message,
            project=finding.project,
            path=finding.path,
            line=finding.line,
            fingerprint=finding.fingerprint,
            files=[p for p, _ in texts],
            diff=head + "".join(diffs),
            confirm=list(proposal.confirm),
        )

    def _show(
        self, finding: Finding, fx: Fixer, overlay: Overlay, projects: dict[str, Project]
    ) -> None:
        """Compute a display-only fix's diff for the report; nothing is laid over the overlay."""
        view = overlay.for_project(projects.get(finding.project, Project(".", ".")))
        try:
            proposal = fx.func(finding, view)
        except Exception:
            return
        if proposal is None:
            return
        parts = [file_diff(c.path, overlay.read_text(c.path), c.new_text) for c in proposal.changes]
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        self.skipped[key_of(finding)].diff = header(
            proposal.rule, str(proposal.applicability), proposal.message, where, proposal.confirm
        ) + "".join(parts)

    def _skip(self, finding: Finding, fx: Fixer, reason: str) -> None:
        self._skip_key(finding, str(fx.applicability), reason)

    def _skip_key(self, finding: Finding, applicability: str, reason: str) -> None:
        self.skipped[key_of(finding)] = SkippedFix(
            finding.rule,
            applicability,
            finding.project,
            finding.path,
            finding.line,
            finding.fingerprint,
            reason,
        )

    def survey(self) -> None:
        """Record skips (unsafe without --unsafe-fixes, display-only) for findings left over."""
        projects = self._projects()
        overlay = Overlay(self.root, Project(".", "."))
        for finding in self.result.findings:
            for fx in self._candidates(finding):
                if allowed(fx.applicability, self.options.unsafe_fixes):
                    continue
                if key_of(finding) not in self.skipped:
                    self._skip(finding, fx, _refusal(fx.applicability))
                    if fx.applicability is Applicability.DISPLAY_ONLY:
                        self._show(finding, fx, overlay, projects)

    def skipped_now(self) -> list[SkippedFix]:
        """Skips whose finding is still reported (one that a later fix removed is dropped)."""
        present = {key_of(f) for f in self.result.findings}
        return [s for k, s in sorted(self.skipped.items()) if k in present]


def _refusal(applicability: Applicability) -> str:
    if applicability is Applicability.DISPLAY_ONLY:
        return "display-only: shown for review, never applied"
    return "unsafe fix (it may change behaviour): run with --unsafe-fixes to apply it"


def _counts(result: ScanResult, rule: str) -> Counter[str]:
    return Counter(f.path for f in result.findings if f.rule == rule)


def undo(engine: FixEngine, step: Step, block: bool = True) -> None:
    """Put the files of ``step`` back and rescan; ``block``: never retry its findings."""
    restore(engine.root, list(step.changes.values()))
    if block:
        for fix in step.fixes:
            engine.blocked.add((fix.rule, fix.path, fix.fingerprint))
    engine.result = engine.scan()
