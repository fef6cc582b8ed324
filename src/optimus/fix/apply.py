"""``optimus fix`` as a library call: dry run, a branch in a git worktree, or in place.

Every mode makes its fixes in a folder of its own (a scratch copy, or a ``git worktree``
checked out from HEAD), rule by rule with :class:`~optimus.fix.convergence.FixEngine`; with
verification, each rule's fixes are judged by the touched projects' tests before they are
kept (committed, or copied back in place). The user's files change only with
``--apply --in-place``; in a repository, only a new branch appears.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from optimus.errors import UsageError
from optimus.fix import gitops
from optimus.fix.convergence import FixEngine, FixOptions, Step, undo
from optimus.fix.fixers import broken_codemods
from optimus.fix.message import RUN_TRAILER, commit_message, run_digest
from optimus.fix.outcome import FixReport, RolledBack
from optimus.fix.overlay import Change
from optimus.fix.workspace import copy_tree, write_in_place
from optimus.model import Finding
from optimus.verify.session import DEFAULT_TIMEOUT, Verifier

#: A hard stop on rounds over all rules (each round converges every pending rule).
MAX_ROUNDS = 10


@dataclass
class FixRequest:
    """One ``optimus fix`` invocation."""

    path: Path
    options: FixOptions = field(default_factory=FixOptions)
    apply: bool = False
    in_place: bool = False
    verify: bool = False
    force: bool = False
    timeout: float = DEFAULT_TIMEOUT
    branch: str | None = None
    keep_worktree: bool = False
    #: Told what the run is doing, one short sentence at a time (the CLI shows it on a terminal).
    progress: Callable[[str], None] | None = None

    def say(self, message: str) -> None:
        """Report progress, when someone listens."""
        if self.progress is not None:
            self.progress(message)


Keep = Callable[[Step, str | None], str | None]
Tidy = Callable[[], None]


def run_fix(request: FixRequest) -> FixReport:
    """Run the fixes ``request`` asks for and report what happened."""
    path = request.path
    if not path.exists():
        raise UsageError(f"path not found: {path}")
    if not path.is_dir():
        raise UsageError(f"{path} is a file: give the folder of a project or a portfolio")
    if request.in_place and not request.apply:
        raise UsageError("--in-place writes fixes into your files: it needs --apply")
    if request.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    path = path.resolve()
    if not request.apply:
        report = _in_copy(request, path, "dry-run")
    elif request.in_place:
        report = _in_copy(request, path, "in-place")
    else:
        repo = gitops.repo_root(path)
        if repo is None:
            raise UsageError(
                f"{request.path} is not in a git repository: --apply makes a branch there. "
                "To write the fixes into the files themselves, add --in-place (a backup is kept)"
            )
        report = _on_branch(request, path, repo)
    said = any(note.startswith("nothing") for note in report.notes)
    if not report.applied and not report.rolled_back and not said and not _stopped(report):
        report.notes.append("nothing to fix: no finding has a fix that applies")
    return report


@contextmanager
def _scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="optimus-fix-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _in_copy(request: FixRequest, path: Path, mode: str) -> FixReport:
    report = FixReport(mode=mode, root=str(request.path))
    with _scratch() as scratch:
        fixed = scratch / "fixed"
        copy_tree(path, fixed)
        verifier = None
        if request.verify:
            copy_tree(path, scratch / "baseline")
            verifier = _verifier(request, scratch / "baseline", fixed, path)
        kept: dict[str, Change] = {}

        def keep(step: Step, verified: str | None) -> None:
            for change in step.changes.values():
                first = kept.get(change.path)
                kept[change.path] = Change(
                    change.path, first.before if first else change.before, change.after
                )
            return None

        _fix(request, fixed, report, verifier, keep)
        changes = [c for _, c in sorted(kept.items()) if c.before != c.after]
        if mode == "in-place" and changes and not _stopped(report):
            report.backup = str(write_in_place(path, changes))
    return report


def _on_branch(request: FixRequest, path: Path, repo: Path) -> FixReport:
    report = FixReport(mode="branch", root=str(request.path))
    base = gitops.head_commit(repo)
    if base is None:
        raise UsageError(f"the repository at {repo} has no commit yet: commit once, then fix")
    report.base_commit = base
    rel = os.path.relpath(path, repo)
    opts = request.options
    digest = run_digest(
        base=base,
        folder=rel,
        rules=sorted(opts.rules or ()),
        project=opts.project,
        unsafe=opts.unsafe_fixes,
        overrides=opts.overrides,
        verify=request.verify,
        force=request.force,
    )
    for name, tip in gitops.branches(repo):
        if gitops.trailer(repo, tip, RUN_TRAILER) == digest:
            report.branch = name
            report.notes.append(
                f"nothing to do: branch {name} already holds these fixes (made from HEAD "
                f"{base[:10]} with the same options)"
            )
            return report
    if request.branch and gitops.branch_exists(repo, request.branch):
        raise UsageError(f"--branch: branch {request.branch!r} already exists")
    if gitops.is_dirty(repo):
        report.notes.append(
            f"the branch is made from HEAD ({base[:10]}): uncommitted changes in your working "
            "tree are not included"
        )
    with _scratch() as scratch:
        # Outside the scratch folder: --keep-worktree leaves it behind for the user.
        tree = Path(tempfile.mkdtemp(prefix="optimus-worktree-")) / "tree"
        gitops.add_worktree(repo, tree, base)
        baseline = scratch / "baseline"
        try:
            target = tree / rel
            if not target.is_dir():
                raise UsageError(
                    f"{request.path} is not in HEAD's commit (untracked or ignored): the branch "
                    "is made from HEAD; commit it first, or use --apply --in-place"
                )
            verifier = None
            if request.verify:
                gitops.add_worktree(repo, baseline, base)
                verifier = _verifier(request, baseline / rel, target, path)

            def keep(step: Step, verified: str | None) -> str:
                paths = [os.path.join(rel, p) if rel != "." else p for p in step.changes]
                message = commit_message(step.rule, step.fixes, digest, verified)
                return gitops.commit_files(tree, paths, message)

            def tidy() -> None:
                # Files the tests left behind would be scanned, or committed by mistake.
                gitops.git(tree, "clean", "-fdq", check=False)

            _fix(request, target, report, verifier, keep, tidy)
            tip = gitops.git(tree, "rev-parse", "HEAD")
            if tip != base and not _stopped(report):
                _name_branch(request, repo, tree, tip, report)
        finally:
            if report.worktree is None:
                gitops.remove_worktree(repo, tree)
                shutil.rmtree(tree.parent, ignore_errors=True)
            if request.verify:
                gitops.remove_worktree(repo, baseline)
    return report


def _name_branch(request: FixRequest, repo: Path, tree: Path, tip: str, report: FixReport) -> None:
    base = report.base_commit or ""
    tip_tree = gitops.git(repo, "rev-parse", f"{tip}^{{tree}}")
    for name, other in gitops.branches(repo):
        if other == base or not name.startswith("optimus/"):
            continue
        same_tree = gitops.git(repo, "rev-parse", f"{other}^{{tree}}") == tip_tree
        if same_tree and gitops.git(repo, "merge-base", base, other, check=False) == base:
            report.branch = name
            report.notes.append(f"nothing new: branch {name} already holds these changes")
            return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    rules = sorted({fix.rule for fix in report.applied})
    name = request.branch or (
        f"optimus/{rules[0]}" if len(rules) == 1 else f"optimus/batch-{stamp}"
    )
    if request.branch is None and gitops.branch_exists(repo, name):
        name = f"{name}-{stamp}"
    gitops.create_branch(repo, name, tip)
    report.branch = name
    if request.keep_worktree:
        gitops.git(tree, "checkout", "--quiet", name)
        report.worktree = str(tree)


def _verifier(request: FixRequest, baseline: Path, fixed: Path, user: Path) -> Verifier:
    return Verifier(baseline, fixed, user, timeout=request.timeout, force=request.force)


def _stopped(report: FixReport) -> bool:
    return report.verify.get("stopped", False) is True


def _fix(
    request: FixRequest,
    target: Path,
    report: FixReport,
    verifier: Verifier | None,
    keep: Keep,
    tidy: Tidy | None = None,
) -> None:
    """Converge every pending rule in ``target``; judge, keep or undo each rule's fixes."""
    engine = FixEngine(target, request.options)
    wanted = request.options.project
    if wanted is not None:
        known = [p.path for p in engine.result.projects]
        if not any(wanted in (path, path.rsplit("/", 1)[-1]) for path in known):
            raise UsageError(
                f"--project: no project {wanted!r} under {request.path} "
                f"(projects: {', '.join(known) or 'none'})"
            )
    for module, error in broken_codemods().items():
        report.notes.append(f"internal error: codemod {module} failed to load ({error})")
    if verifier is not None:
        projects = sorted({f.project for f in _fixable(engine)})
        if projects:
            request.say(f"running the tests before any fix: {', '.join(projects)}")
        failing = verifier.baseline_failures(projects)
        report.verify = verifier.summary()
        if failing and not request.force:
            names = ", ".join(t.project for t in failing)
            report.verify["stopped"] = True
            report.notes.append(
                f"the tests fail before any fix ({names}): nothing was changed; fix the tests, "
                "or run with --force to apply the fixes without judging them there"
            )
            return
    for _ in range(MAX_ROUNDS):
        rules = engine.pending_rules()
        progressed = False
        for rule in rules:
            request.say(f"fixing {rule}")
            step = engine.converge(rule)
            if not step.changes:
                continue
            progressed = True
            if verifier is None:
                _keep(step, None, keep, report)
            else:
                projects = ", ".join(sorted({f.project for f in step.fixes}))
                request.say(f"testing {rule}'s fixes: {projects}")
                _judged(engine, step, verifier, keep, report)
                if tidy is not None:
                    tidy()
        if not progressed:
            break
    else:
        engine.converged = False
    engine.survey()
    report.skipped = engine.skipped_now()
    report.failed_to_parse = engine.failed
    report.passes = engine.passes
    report.converged = engine.converged
    if verifier is not None:
        report.verify = verifier.summary()


def _fixable(engine: FixEngine) -> list[Finding]:
    pending = set(engine.pending_rules())
    return [f for f in engine.result.findings if f.rule in pending]


def _keep(step: Step, verified: str | None, keep: Keep, report: FixReport) -> None:
    sha = keep(step, verified)
    for fix in step.fixes:
        fix.commit = sha
        fix.verified = verified
    report.applied += step.fixes


def _judged(
    engine: FixEngine, step: Step, verifier: Verifier, keep: Keep, report: FixReport
) -> None:
    """Keep ``step`` if the tests of every project it touched pass; else undo it.

    When several fixes fail together, they are undone and retried one at a time, so one bad
    fix does not take the good ones down with it.
    """
    verdicts = [(p, verifier.judge(p)) for p in sorted({f.project for f in step.fixes})]
    failed = next(((p, v) for p, v in verdicts if not v.keep), None)
    if failed is None:
        labels = {p: v.label for p, v in verdicts}
        summary = "; ".join(f"{p}: {v.label}" for p, v in verdicts)
        _keep(step, verdicts[0][1].label if len(verdicts) == 1 else summary, keep, report)
        for fix in step.fixes:
            fix.verified = labels[fix.project]
        return
    if len(step.fixes) > 1:
        undo(engine, step, block=False)
        while True:
            single = engine.converge(step.rule, limit=1)
            if not single.changes:
                return
            _judged(engine, single, verifier, keep, report)
    project, verdict = failed
    undo(engine, step)
    run = verdict.run
    report.rolled_back.append(
        RolledBack(
            rule=step.rule,
            project=project,
            command=run.command if run else "",
            returncode=run.returncode if run else None,
            output=run.output if run else verdict.label,
            fixes=step.fixes,
        )
    )
