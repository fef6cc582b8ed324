"""``optimus fix``: show fixes as diffs, or apply them on a branch (or in place), and verify.

Exit codes (docs/fixes.md): 0 nothing to fix or every fix applied; 1 a fix was rolled back,
broke its file's syntax, or the tests failed before any fix; 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer

from optimus.errors import UsageError
from optimus.fix.convergence import FixOptions
from optimus.fix.diff import CONFIRM_PREFIX
from optimus.fix.outcome import FixReport
from optimus.verify.session import DEFAULT_TIMEOUT


def _rule_names(values: list[str] | None) -> frozenset[str] | None:
    """Rule names from --rule values (names or codes, comma-separated); unknown ones fail."""
    if not values:
        return None
    from optimus.registry import get_rule

    names = set()
    for value in (s.strip() for v in values for s in v.split(",")):
        if not value:
            continue
        found = get_rule(value)
        if found is None:
            raise UsageError(f"--rule: unknown rule {value!r} (see `optimus rules`)")
        names.add(found.name)
    return frozenset(names)


def register(app: typer.Typer) -> None:
    """Add the fix command to the app."""

    @app.command("fix")
    def fix_command(
        path: Path = typer.Argument(..., help="The folder to fix (a project or a portfolio)."),
        rule: list[str] | None = typer.Option(
            None, "--rule", help="Only fix these rules (names or codes; repeatable)."
        ),
        project: str | None = typer.Option(
            None, "--project", help="Only fix this project (its name or path)."
        ),
        unsafe_fixes: bool = typer.Option(
            False, "--unsafe-fixes", help="Also apply fixes that may change behaviour."
        ),
        apply: bool = typer.Option(
            False, "--apply", help="Make the fixes: on a new branch in a git repository."
        ),
        in_place: bool = typer.Option(
            False, "--in-place", help="With --apply: write into the files, keeping a backup."
        ),
        verify: bool = typer.Option(
            False, "--verify", help="Run the project's tests before and after; undo what fails."
        ),
        force: bool = typer.Option(
            False, "--force", help="Go on when the tests already fail before any fix."
        ),
        preview: bool = typer.Option(False, "--preview", help="Also fix preview rules' findings."),
        as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
        timeout: float = typer.Option(
            DEFAULT_TIMEOUT, "--timeout", help="Seconds one test run may take.", metavar="SECONDS"
        ),
        branch: str | None = typer.Option(
            None, "--branch", help="Name of the branch to create (default: optimus/<rule>)."
        ),
        keep_worktree: bool = typer.Option(
            False, "--keep-worktree", help="Leave the git worktree of the branch in place."
        ),
        debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    ) -> None:
        """Show the fixes for PATH as a diff (the default), or apply them with --apply."""
        from optimus.fix.apply import FixRequest, run_fix

        if in_place and not apply:
            raise UsageError("--in-place writes fixes into your files: it needs --apply")
        if branch is not None and (not apply or in_place):
            raise UsageError("--branch names the branch --apply creates in a git repository")
        if not path.exists():
            raise UsageError(f"path not found: {path}")
        options = FixOptions(
            rules=_rule_names(rule),
            project=project,
            unsafe_fixes=unsafe_fixes,
            overrides={"preview": True} if preview else {},
        )
        report = run_fix(
            FixRequest(
                path=path,
                options=options,
                apply=apply,
                in_place=in_place,
                verify=verify,
                force=force,
                timeout=timeout,
                branch=branch,
                keep_worktree=keep_worktree,
                progress=_progress() if sys.stderr.isatty() else None,
            )
        )
        if as_json:
            sys.stdout.write(report.to_json())
        else:
            _print(report)
        raise typer.Exit(report.exit_code)


def _progress() -> Callable[[str], None]:
    """Dim progress lines on stderr: a verified run can take minutes."""
    from rich.console import Console
    from rich.markup import escape

    err = Console(stderr=True, highlight=False)

    def show(message: str) -> None:
        err.print(f"[dim]optimus: {escape(message)}...[/]")

    return show


def _print(report: FixReport) -> None:
    """Diffs on stdout (a patch when redirected); what happened on stderr."""
    from rich.console import Console

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if report.mode == "dry-run":
        for fix in report.applied:
            _diff(out, fix.diff)
        for skip in report.skipped:
            if skip.diff:
                _diff(out, skip.diff)
    for line in _summary(report):
        err.print(line)


def _diff(console: object, text: str) -> None:
    from rich.console import Console
    from rich.text import Text

    assert isinstance(console, Console)
    for line in text.splitlines():
        style = ""
        if line.startswith(CONFIRM_PREFIX):
            style = "bold yellow"
        elif line.startswith(("# optimus:", "+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        console.print(Text(line, style=style))


_STATUS = {
    "passed": "passed",
    "baseline-failed": "failing before any fix",
    "no-test-command": "no test command found",
    "unavailable": "the test program is not installed",
    "no-tests": "no tests found",
}


def _summary(report: FixReport) -> list[str]:
    from rich.markup import escape

    lines: list[str] = []
    count = len(report.applied)
    rules = sorted({f.rule for f in report.applied})
    if report.mode == "dry-run":
        if count:
            lines.append(
                f"{count} fix{'es' if count != 1 else ''} available ({', '.join(rules)}); "
                "nothing was changed: run with --apply to make them"
            )
    elif report.mode == "branch" and report.branch and count:
        lines.append(
            f"[bold]{count} fix{'es' if count != 1 else ''}[/] committed on branch "
            f"[bold]{escape(report.branch)}[/] (from HEAD {(report.base_commit or '')[:10]})"
        )
        lines.append(
            f"  review: git log -p {(report.base_commit or '')[:10]}..{escape(report.branch)}"
        )
        if report.worktree:
            lines.append(f"  worktree: {escape(report.worktree)}")
    elif report.mode == "in-place" and count:
        lines.append(
            f"[bold]{count} fix{'es' if count != 1 else ''}[/] written in place; "
            f"the files as they were are in {escape(report.backup or '')}"
        )
    for fix in report.applied:
        if fix.confirm:
            lines.append(
                f"  [yellow]confirm[/] {escape(fix.path)} ({fix.rule}): "
                + escape("; ".join(fix.confirm))
            )
    for back in report.rolled_back:
        lines.append(
            f"[red]rolled back[/] {back.rule} in {escape(back.project)}: "
            f"`{escape(back.command)}` failed after its fixes"
        )
        lines += ["    " + escape(line) for line in back.output.splitlines()[-15:]]
    for bad in report.failed_to_parse:
        lines.append(
            f"[red]bug[/] {bad.rule} left {escape(bad.file)} unparsable ({escape(bad.error)}); "
            "the fix was not applied: please report it"
        )
    unsafe = sum(1 for s in report.skipped if s.reason.startswith("unsafe"))
    if unsafe:
        lines.append(
            f"{unsafe} unsafe fix{'es' if unsafe != 1 else ''} not applied: "
            "add --unsafe-fixes to include them"
        )
    for skip in report.skipped:
        if not skip.reason.startswith(("unsafe", "display-only")):
            where = f"{skip.path}:{skip.line}" if skip.line else skip.path
            lines.append(f"skipped {skip.rule} at {escape(where)}: {escape(skip.reason)}")
    verify = report.verify
    if verify.get("enabled"):
        for proj in verify.get("projects", []):
            lines.append(
                f"tests of {escape(proj['project'])}: {_STATUS.get(proj['status'], proj['status'])}"
                + (f" (`{escape(proj['command'])}`)" if proj["command"] else "")
            )
    if not report.converged:
        lines.append("[yellow]stopped at the pass limit: some fixes may still apply[/]")
    lines += [escape(note) for note in report.notes]
    if not lines:
        lines.append("nothing to fix")
    return lines
