"""ci-no-timeout: a GitHub Actions job without ``timeout-minutes`` runs up to 6 hours.

Reads GitHub Actions workflows and reports each job with no job-level ``timeout-minutes``
(a step's own timeout does not bound the job). Jobs that call a reusable workflow
(``uses:`` at job level) take no ``timeout-minutes`` and are skipped, as are "gate" jobs made
only of inline shell that runs nothing but built-ins (``echo``, ``exit``, ``test``...): they
cannot hang.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Hit, Impact, Reference, Rule
from optimus.rules.deploy._gha import run_text, steps, workflows
from optimus.rules.deploy._yaml_lines import line_of


@rule
class CiNoTimeout(Rule):
    name = "ci-no-timeout"
    code = "CI002"
    category = Category.COST
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 5
    kinds = frozenset({"yaml"})
    scope = "project"
    summary = (
        "A GitHub Actions job sets no `timeout-minutes`, so a hung step keeps the runner "
        "busy for the default 360 minutes."
    )
    doc = {
        "What it finds": (
            "Jobs of GitHub Actions workflows (`.github/workflows/*.yml`) without a "
            "job-level `timeout-minutes`. Step-level `timeout-minutes` do not count: they "
            "bound one step, not the job. Jobs that call a reusable workflow (`uses:` at "
            "job level) are skipped; the called workflow's jobs carry their own timeouts. "
            "So are jobs that cannot hang: every step is inline `bash`/`sh` (no `uses:`, no "
            "checkout, no `services:` or `container:`) whose every command is a shell "
            "built-in that returns at once (`echo`, `printf`, `exit`, `test`/`[`/`[[`, "
            "`true`, `false`, `export`...), such as a gate job that reads `needs.*.result` "
            "and exits; a `while`/`until` or `for` loop, `sleep`, a here-document or any "
            "other command makes the job count again. "
            "One finding per job, on its `jobs.<id>:` line."
        ),
        "Why": (
            '`jobs.<job_id>.timeout-minutes` is "the maximum number of minutes to let a job '
            'run before GitHub automatically cancels it. Default: 360" (GitHub Actions '
            "workflow syntax). A test that deadlocks, a prompt waiting for input or a "
            "network call without timeout then holds a runner for six hours: billed minutes "
            "on hosted runners, a blocked machine on self-hosted ones, and a pull request "
            "that waits as long for its result. Minutes lost: not measured."
        ),
        "Example": (
            "```yaml\n"
            "jobs:\n"
            "  test:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - run: make test\n"
            "```"
        ),
        "Instead": (
            "Set a bound a few times the job's usual duration:\n\n"
            "```yaml\n"
            "jobs:\n"
            "  test:\n"
            "    runs-on: ubuntu-latest\n"
            "    timeout-minutes: 20\n"
            "```"
        ),
        "When not to": (
            "Jobs that legitimately run for hours (long benchmarks, large builds) still "
            "benefit from an explicit, larger bound; suppress the finding only where no "
            "bound is wanted. A job of inline shell built-ins only (a gate that checks "
            "`needs.*.result`) cannot hang and needs none: the rule leaves those out. "
            "Workflows outside `.github/workflows/` are not read, nor those "
            "of installed or vendored copies of packages (a crate folder with Cargo's "
            "`.cargo-checksum.json`, a scan of `site-packages`), which never run there."
        ),
    }
    references = (
        Reference(
            "GitHub Actions workflow syntax: jobs.<job_id>.timeout-minutes",
            "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idtimeout-minutes",
        ),
    )
    impact = Impact("up to 360 runner minutes lost per hung job (the default limit)", references[0])

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        for workflow in workflows(ctx):
            for job_id, job in workflow.jobs():
                if "uses" in job or job.get("timeout-minutes") not in (None, ""):
                    continue
                if cannot_hang(job):
                    continue  # a gate: inline shell built-ins only, nothing to wait on
                yield Hit(
                    f"job `{job_id}` sets no `timeout-minutes`: a hung step keeps it "
                    f"running (and billed) for GitHub's default of 360 minutes. Add "
                    f"`timeout-minutes:` at job level, a few times its usual duration",
                    line=line_of(workflow.src, workflow.doc, ("jobs", job_id)),
                    path=workflow.src.path,
                    snippet=f"{job_id}/timeout-minutes",
                )


#: Commands that run in the shell itself and return at once: no process, network or input to
#: wait on. Loops that can spin (``while``, ``until``) and waits (``sleep``, ``read``,
#: ``wait``) are left out.
_INSTANT = frozenset(
    {
        "echo",
        "printf",
        "exit",
        "return",
        "test",
        "[",
        "[[",
        "true",
        "false",
        ":",
        "export",
        "set",
        "unset",
        "local",
        "declare",
        "readonly",
        "shift",
    }
)
#: Shell words that open or close a compound command: the command follows them.
_KEYWORDS = frozenset({"if", "then", "elif", "else", "fi", "do", "done", "!", "{", "}"})
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
_SINGLE = re.compile(r"'[^']*'")
_DOUBLE = re.compile(r'"(?:[^"\\$`]|\\.|\$(?![(]))*"')
_COMMENT = re.compile(r"(?m)(?:^|\s)#.*$")
_SPLIT = re.compile(r"\n|;;?|&&|\|\||\||&|\$\(|`|\(|\)")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_REDIRECT = re.compile(r"^\d*[<>]")


def cannot_hang(job: dict[str, Any]) -> bool:
    """Whether a job is made only of inline bash/sh steps whose every command is a shell
    built-in that returns at once (a "gate" job that reads ``needs.*.result`` and echoes or
    exits): no checkout, no action, no service or container, nothing that can wait."""
    items = job.get("steps")
    if not isinstance(items, list) or not items or "services" in job or "container" in job:
        return False
    defaults = job.get("defaults")
    default_run = defaults.get("run") if isinstance(defaults, dict) else None
    default_shell = default_run.get("shell") if isinstance(default_run, dict) else None
    if len(steps(job)) != len(items):
        return False
    for _, step in steps(job):
        if "uses" in step or not run_text(step).strip():
            return False
        shell = step.get("shell", default_shell)
        if shell not in (None, "bash", "sh") and not str(shell).startswith(("bash ", "sh ")):
            return False
        if not _only_instant(run_text(step)):
            return False
    return True


def _only_instant(script: str) -> bool:
    text = _EXPRESSION.sub("X", script)  # GitHub substitutes these before the shell runs
    text = _SINGLE.sub("''", text)
    text = _DOUBLE.sub('""', text)  # strings without command substitution are inert
    text = _COMMENT.sub("", text)
    if "<<" in text:
        return False  # a here-document: its body is not shell words
    for segment in _SPLIT.split(text):
        words = [w for w in segment.split() if not _REDIRECT.match(w)]
        while words and (words[0] in _KEYWORDS or _ASSIGNMENT.match(words[0])):
            words.pop(0)
        if words and words[0] not in _INSTANT and words[0] not in ("]]", "]"):
            return False
    return True
