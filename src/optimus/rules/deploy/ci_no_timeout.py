"""ci-no-timeout: a GitHub Actions job without ``timeout-minutes`` runs up to 6 hours.

Reads GitHub Actions workflows and reports each job with no job-level ``timeout-minutes``
(a step's own timeout does not bound the job). Jobs that call a reusable workflow
(``uses:`` at job level) take no ``timeout-minutes`` and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Hit, Impact, Reference, Rule
from optimus.rules.deploy._gha import workflows
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
            "bound is wanted. Workflows outside `.github/workflows/` are not read, nor those "
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
                yield Hit(
                    f"job `{job_id}` sets no `timeout-minutes`: a hung step keeps it "
                    f"running (and billed) for GitHub's default of 360 minutes. Add "
                    f"`timeout-minutes:` at job level, a few times its usual duration",
                    line=line_of(workflow.src, workflow.doc, ("jobs", job_id)),
                    path=workflow.src.path,
                    snippet=f"{job_id}/timeout-minutes",
                )
