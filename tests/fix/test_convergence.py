"""Passes of fixes: conflicts wait a pass, broken output is dropped, loops stop at the cap."""

from __future__ import annotations

from pathlib import Path

from optimus.fix.base import FileChange, FixContext, Fixer, ProposedFix
from optimus.fix.convergence import FixEngine, FixOptions, undo
from optimus.model import Applicability, Finding
from tests.fix.plant import SLEEP, planted, sleep_fixer, syntax_breaking_fixer, tiny_project

TWO_SLEEPS = "\n\nasync def nap():\n    time.sleep(0)\n    return 1\n"


def _engine(root: Path, **options: object) -> FixEngine:
    return FixEngine(root, FixOptions(**options))  # type: ignore[arg-type]


def test_two_fixes_on_one_file_take_two_passes(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "p")
    (root / "tiny_app.py").write_text((root / "tiny_app.py").read_text() + TWO_SLEEPS)
    with planted(sleep_fixer()):
        engine = _engine(root)
        step = engine.converge(SLEEP)
    assert engine.passes == 2  # the second finding waited for fresh lines
    assert [f.line for f in step.fixes] == [5, 11]  # line 10 moved down by the import
    assert all(f.resolved for f in step.fixes)
    text = (root / "tiny_app.py").read_text()
    assert text.count("await asyncio.sleep(0)") == 2 and text.count("import asyncio") == 1
    assert [c.path for c in step.changes.values()] == ["tiny_app.py"]
    assert "time.sleep(0)" in (step.changes["tiny_app.py"].before or "")
    assert not [f for f in engine.result.findings if f.rule == SLEEP]


def test_a_fix_that_breaks_parsing_is_not_written_and_reported(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "p")
    original = (root / "tiny_app.py").read_bytes()
    with planted(syntax_breaking_fixer()):
        engine = _engine(root)
        step = engine.converge(SLEEP)
    assert not step.fixes and engine.passes == 0
    assert (root / "tiny_app.py").read_bytes() == original
    [failure] = engine.failed
    assert failure.rule == SLEEP and failure.file == "tiny_app.py"
    assert failure.error.startswith("Python syntax error")
    assert engine.pending_rules() == []  # never tried again


def _growing(finding: Finding, ctx: FixContext) -> ProposedFix:
    """Never converges: every fix adds another blocking call in a new function."""
    text = ctx.read_text(finding.path) or ""
    n = text.count("async def")
    new = text + f"\n\nasync def extra{n}():\n    time.sleep({n})\n"
    return ProposedFix(SLEEP, Applicability.SAFE, "grow", (FileChange(finding.path, new),))


def test_a_fix_that_does_not_remove_its_finding_stops_at_the_cap(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "p")
    with planted(Fixer(SLEEP, Applicability.SAFE, _growing)):
        engine = _engine(root, max_passes=3)
        step = engine.converge(SLEEP)
    assert engine.passes == 3 and not engine.converged
    assert [f.resolved for f in step.fixes] == [False, False, False]


def test_fixers_that_decline_fail_or_change_nothing_are_skipped(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "p")

    def declines(finding: Finding, ctx: FixContext) -> None:
        return None

    def crashes(finding: Finding, ctx: FixContext) -> ProposedFix:
        raise RuntimeError("boom")

    def same(finding: Finding, ctx: FixContext) -> ProposedFix:
        text = ctx.read_text(finding.path) or ""
        return ProposedFix(SLEEP, Applicability.SAFE, "x", (FileChange(finding.path, text),))

    reasons = []
    for func in (declines, crashes, same):
        with planted(Fixer(SLEEP, Applicability.SAFE, func)):
            engine = _engine(root)
            step = engine.converge(SLEEP)
            assert not step.fixes and engine.pending_rules() == []
            [skip] = engine.skipped_now()
            reasons.append(skip.reason)
    assert reasons[0] == "the fixer cannot change this instance safely"
    assert reasons[1].startswith("internal error in the fixer: RuntimeError: boom")
    assert reasons[2] == "the fix changes nothing"


def test_a_fix_may_create_a_file_and_write_outside_is_refused(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "p")

    def creates(finding: Finding, ctx: FixContext) -> ProposedFix:
        assert not ctx.exists("NOTES.md")
        text = (ctx.read_text(finding.path) or "").replace("time.sleep(0)", "pass")
        changes = (FileChange(finding.path, text), FileChange("NOTES.md", "fixed\n", True))
        return ProposedFix(SLEEP, Applicability.SAFE, "x", changes)

    def escapes(finding: Finding, ctx: FixContext) -> ProposedFix:
        return ProposedFix(SLEEP, Applicability.SAFE, "x", (FileChange("../evil.py", "x\n"),))

    with planted(Fixer(SLEEP, Applicability.SAFE, creates)):
        engine = _engine(root)
        step = engine.converge(SLEEP)
    assert (root / "NOTES.md").read_text() == "fixed\n"
    assert step.changes["NOTES.md"].before is None
    assert "+++ b/NOTES.md" in step.fixes[0].diff and "--- /dev/null" in step.fixes[0].diff
    undo(engine, step)
    assert (
        not (root / "NOTES.md").exists() and "time.sleep(0)" in (root / "tiny_app.py").read_text()
    )

    with planted(Fixer(SLEEP, Applicability.SAFE, escapes)):
        engine = _engine(root)
        engine.converge(SLEEP)
    assert not (tmp_path / "evil.py").exists()
    assert "outside the scan root" in engine.failed[0].error


def test_pending_rules_lists_safe_rules_first(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "p")
    from tests.fix.plant import pip_fixer

    unsafe_sleep = sleep_fixer(Applicability.UNSAFE)
    with planted(unsafe_sleep, pip_fixer()):
        assert _engine(root).pending_rules() == ["docker-pip-cache"]
        assert _engine(root, unsafe_fixes=True).pending_rules() == ["docker-pip-cache", SLEEP]


def test_a_fixer_declining_after_an_earlier_fix_of_the_pass_is_asked_again(
    tmp_path: Path,
) -> None:
    root = tiny_project(tmp_path / "p")
    (root / "b.py").write_text((root / "tiny_app.py").read_text())
    plain = sleep_fixer().func

    def shy(finding: Finding, ctx: FixContext) -> ProposedFix | None:
        # Declines while the other file has a change of this pass that is not on disk yet.
        other = "b.py" if finding.path == "tiny_app.py" else "tiny_app.py"
        if ctx.read_text(other) != (root / other).read_text():
            return None
        return plain(finding, ctx)

    with planted(Fixer(SLEEP, Applicability.SAFE, shy)):
        engine = _engine(root)
        step = engine.converge(SLEEP)
    assert sorted(f.path for f in step.fixes) == ["b.py", "tiny_app.py"]
    assert engine.passes == 2 and not engine.skipped_now()
