"""ci-no-dependency-cache: a CI job installs dependencies on every run with no cache.

Reads GitHub Actions workflows: a job that sets up Python, Node, Go or Java with the
official ``actions/setup-*`` action without its ``cache`` input, then installs the
project's dependencies (``pip install -r``, ``poetry install``, ``uv sync``, ``npm ci``,
``yarn``, ``pnpm install``, ``mvn``, ``gradle``, ``go build``...), with no other cache step
in the job. setup-go v4+ caches by default; setup-node v5+ does when package.json has
``packageManager``. Release, publishing and deploying workflows (GitHub Pages and cloud
deployers included) are never reported: a cache there can be poisoned by any workflow of the
repository (zizmor's ``cache-poisoning`` audit).
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
from collections.abc import Iterator
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.discover.walk import SKIP_DIRS
from optimus.model import Category, Confidence, Severity
from optimus.parse.errors import ParseError
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deploy._gha import (
    action_ref,
    is_release_workflow,
    run_text,
    steps,
    workflows,
)
from optimus.rules.deploy._yaml_lines import line_of

#: setup action -> the ecosystem whose installs it can cache.
_SETUP = {
    "actions/setup-python": "python",
    "actions/setup-node": "node",
    "actions/setup-go": "go",
    "actions/setup-java": "java",
}
_SEGMENT = re.compile(r"&&|\|\||[;|\n]")
_PIP = re.compile(r"^(?:sudo\s+)?(?:python[\d.]*\s+-m\s+)?pip[\d.]*\s+install\b(.*)$")
_PIP_PROJECT = re.compile(
    r"^(?:-r|--requirement|-e|--editable|-c|--constraint)$|^-r\S|^--requirement=|^\.(?:$|/|\[)"
    r"|requirements[\w.-]*\.(?:txt|in)$"
)
_INSTALLERS: dict[str, list[tuple[re.Pattern[str], str]]] = {
    "python": [
        (re.compile(r"^poetry\s+install\b"), "poetry"),
        (re.compile(r"^uv\s+sync\b"), "uv"),
        (re.compile(r"^uv\s+pip\s+install\b.*(?:\s-r\s|\s-e\s|\s\.(?:\s|$|\[))"), "uv"),
        (re.compile(r"^pipenv\s+(?:install|sync)\b"), "pipenv"),
        (re.compile(r"^pdm\s+(?:install|sync)\b"), "pdm"),
    ],
    "node": [
        (re.compile(r"^npm\s+ci\b"), "npm"),
        (re.compile(r"^npm\s+(?:install|i)(?:\s+-[-\w=]+)*\s*$"), "npm"),
        (re.compile(r"^yarn(?:\s+install\b[^\n]*|\s+--[-\w=]+(?:\s+--[-\w=]+)*)?\s*$"), "yarn"),
        (re.compile(r"^pnpm\s+(?:install|i)\b"), "pnpm"),
    ],
    "go": [(re.compile(r"^go\s+(?:mod\s+download|build|test|vet|install|run)\b"), "go")],
    "java": [
        (re.compile(r"^(?:\./)?mvnw?\b"), "maven"),
        (re.compile(r"^(?:\./)?gradlew?\b"), "gradle"),
    ],
}
#: What to write instead, per installer.
_ADVICE = {
    "pip": "`with: cache: pip` on the setup step",
    "poetry": "`with: cache: poetry` on the setup step (install poetry before it)",
    "pipenv": "`with: cache: pipenv` on the setup step",
    "uv": "`astral-sh/setup-uv` with `enable-cache: true` (setup-python's pip cache does "
    "not cover uv)",
    "pdm": "an `actions/cache` step on PDM's cache directory (or `pdm-project/setup-pdm` with "
    "`cache: true`)",
    "npm": "`with: cache: npm` on the setup step",
    "yarn": "`with: cache: yarn` on the setup step",
    "pnpm": "`with: cache: pnpm` on the setup step (after `pnpm/action-setup`)",
    "go": "`with: cache: true` on the setup step (or move to setup-go v4+, which caches by "
    "default)",
    "maven": "`with: cache: maven` on the setup step",
    "gradle": "`with: cache: gradle` on the setup step (or `gradle/actions/setup-gradle`)",
}
#: The files each cache keys on by default: without one, the setup action's cache fails
#: ("Dependencies lock file is not found"), so the advice would break the build.
_KEY_FILES: dict[str, tuple[str, ...]] = {
    "pip": ("requirements*.txt", "pyproject.toml"),
    "poetry": ("poetry.lock",),
    "pipenv": ("pipfile.lock",),
    "uv": ("uv.lock",),
    "pdm": ("pdm.lock",),
    "npm": ("package-lock.json", "npm-shrinkwrap.json"),
    "yarn": ("yarn.lock",),
    "pnpm": ("pnpm-lock.yaml",),
    "go": ("go.sum",),
    "maven": ("pom.xml",),
    "gradle": ("*.gradle", "*.gradle.kts"),
}
_OTHER_CACHES = (
    "cache",
    "astral-sh/setup-uv",
    "gradle/actions/setup-gradle",
    "gradle/gradle-build-action",
)


def _commands(text: str) -> Iterator[str]:
    for segment in _SEGMENT.split(text.replace("\\\n", " ")):
        yield segment.strip()


def install_command(ecosystem: str, text: str) -> tuple[str, str] | None:
    """(installer, command) of the first dependency install of this ecosystem in a script."""
    for command in _commands(text):
        if ecosystem == "python":
            pip = _PIP.match(command)
            if pip:
                try:
                    args = shlex.split(pip.group(1))
                except ValueError:
                    args = pip.group(1).split()
                if any(_PIP_PROJECT.search(a) for a in args):
                    return "pip", command
                continue
        for pattern, installer in _INSTALLERS.get(ecosystem, []):
            if pattern.match(command):
                return installer, command
    return None


def _has_package_manager_field(ctx: ProjectContext) -> bool:
    for src in ctx.of_kind("package-json"):
        try:
            data = src.json
        except ParseError:
            continue
        if isinstance(data, dict) and data.get("packageManager"):
            return True
    return False


def _self_hosted(job: dict[str, Any]) -> bool:
    """Self-hosted runners keep their home folder (and its caches) between runs."""
    runs_on = job.get("runs-on")
    labels = runs_on if isinstance(runs_on, list) else [runs_on]
    if isinstance(runs_on, dict):
        if runs_on.get("group"):
            return True  # runner groups are organisation-managed (self-hosted or larger) runners
        labels = runs_on.get("labels")
        labels = labels if isinstance(labels, list) else [labels]
    return any(isinstance(label, str) and "self-hosted" in label for label in labels)


@rule
class CiNoDependencyCache(Rule):
    name = "ci-no-dependency-cache"
    fixable = True
    code = "CI001"
    category = Category.COST
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 5
    kinds = frozenset({"yaml", "package-json"})
    scope = "project"
    summary = (
        "A CI job sets up Python, Node, Go or Java without the setup action's cache and "
        "downloads every dependency again on each run."
    )
    doc = {
        "What it finds": (
            "GitHub Actions jobs with an `actions/setup-python`, `setup-node`, `setup-go` or "
            "`setup-java` step without a `cache` input, followed by a step that installs "
            "the project's dependencies (`pip install -r`/`-e`/`.`, `poetry install`, `uv "
            "sync`, `pipenv install`, `npm ci`, `npm install`, `yarn`, `pnpm install`, "
            "`mvn`, `gradle`, `go build`/`test`), and no other cache step in the job "
            "(`actions/cache`, `setup-uv`, `setup-gradle`). setup-go v4 and later cache by "
            "default, and setup-node v5 and later cache when package.json has "
            "`packageManager`: those are not reported. Finding on the setup step's `uses:`."
        ),
        "Why": (
            'The setup actions\' caching "is turned off by default" '
            "(actions/setup-python README); with `cache:` set, the package manager's "
            "download cache is restored and saved under a key that hashes the lock or "
            "requirements files, so unchanged dependencies are not downloaded again. "
            "Minutes saved per run depend on the dependency set: not measured. Release and "
            "publishing workflows are skipped on purpose: a cache restored there may have "
            "been written by a less trusted workflow, which zizmor's `cache-poisoning` audit "
            "reports."
        ),
        "Example": (
            "```yaml\n"
            "jobs:\n"
            "  test:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - uses: actions/setup-python@v5\n"
            "        with: {python-version: '3.12'}\n"
            "      - run: pip install -r requirements.txt\n"
            "```"
        ),
        "Instead": (
            "```yaml\n"
            "      - uses: actions/setup-python@v5\n"
            "        with:\n"
            "          python-version: '3.12'\n"
            "          cache: pip\n"
            "```\n"
            "(`cache: npm`/`yarn`/`pnpm` for setup-node, `maven`/`gradle` for setup-java; "
            "`astral-sh/setup-uv` with `enable-cache: true` for uv.)"
        ),
        "When not to": (
            "Release, publishing and deployment workflows (by name, by release or tag-only "
            "triggers, by a job or step named for a release, publish or deploy, or by a "
            "publishing step: PyPI, npm, GitHub releases, an image push, GitHub Pages "
            "deployers, `aws-actions/*`, `google-github-actions/deploy-*`, "
            "`azure/webapps-deploy`) are skipped: keep them cache-free. Jobs on "
            "self-hosted runners keep their caches on disk and are skipped. Installs of "
            "tools only (`pip install tox`) are not counted, nor projects without the file "
            "the cache keys on (a lockfile, requirements or pyproject.toml), where the "
            "setup action's cache fails. Caching helps little when "
            "dependencies are unpinned and change on every run."
        ),
        "Fix safety": (
            "Safe. `optimus fix` adds the matching `cache:` input (`pip`, `pipenv`, `npm`, "
            "`yarn`, `maven`, `gradle`) under the setup step's `with:` through ruamel.yaml's "
            "round trip. Refused for poetry and pnpm (the tool must be installed before the "
            "setup step), uv and PDM, v1 actions, and workflows ruamel.yaml would not write "
            "back byte for byte."
        ),
    }
    references = (
        Reference(
            "actions/setup-python: Caching packages dependencies",
            "https://github.com/actions/setup-python#caching-packages-dependencies",
        ),
        Reference(
            "actions/setup-node: Caching global packages data",
            "https://github.com/actions/setup-node#caching-global-packages-data",
        ),
        Reference(
            "actions/setup-go: Caching dependency files and build outputs",
            "https://github.com/actions/setup-go#caching-dependency-files-and-build-outputs",
        ),
        Reference(
            "zizmor audits: cache-poisoning", "https://docs.zizmor.sh/audits/#cache-poisoning"
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        package_manager: bool | None = None
        for workflow in workflows(ctx):
            if is_release_workflow(workflow):
                continue
            for job_id, job in workflow.jobs():
                if _self_hosted(job):
                    continue
                job_steps = steps(job)
                refs = {i: action_ref(s) for i, s in job_steps}
                if any(r is not None and _caches(r.action) for r in refs.values()):
                    continue
                for index, step in job_steps:
                    ref = refs[index]
                    if ref is None or ref.action not in _SETUP:
                        continue
                    with_ = step.get("with") if isinstance(step.get("with"), dict) else {}
                    if "cache" in with_ or "package-manager-cache" in with_:
                        continue  # configured either way: a deliberate choice
                    path = ("jobs", job_id, "steps", index, "uses")
                    if ref.major is None and ref.action in (
                        "actions/setup-go",
                        "actions/setup-node",
                    ):
                        # a SHA pin: the version is in the line's comment, if anywhere
                        line = line_of(workflow.src, workflow.doc, path)
                        ref = action_ref(step, workflow.src.line_text(line) if line else "") or ref
                    if ref.action == "actions/setup-go" and (ref.major is None or ref.major >= 4):
                        continue  # caches by default
                    if ref.action == "actions/setup-node" and (ref.major is None or ref.major >= 5):
                        if package_manager is None:
                            package_manager = _has_package_manager_field(ctx)
                        if package_manager:
                            continue  # automatic caching from packageManager
                    ecosystem = _SETUP[ref.action]
                    found = _first_install(ecosystem, job_steps, index)
                    if found is None:
                        continue
                    installer, command = found
                    if not _has_key_file(ctx, installer):
                        continue  # nothing to key a cache on (no lockfile): advice would fail
                    upgrade = " (v1 has no `cache` input: upgrade the action)"
                    yield Hit(
                        f"job `{job_id}` runs `{ref.action}@{_short_ref(ref.ref)}` without "
                        f"`cache:` and then installs dependencies (`{_short(command)}`): every "
                        f"run downloads them again. Add {_ADVICE[installer]}"
                        f"{upgrade if ref.major == 1 else ''}",
                        line=line_of(workflow.src, workflow.doc, path),
                        path=workflow.src.path,
                        snippet=f"{job_id}/{ref.action}",
                    )


def _has_key_file(ctx: ProjectContext, installer: str) -> bool:
    """Whether the repository holds a file the cache can key on. The setup actions search
    the whole checkout (``**/poetry.lock``), so files of nested projects count too: those
    are not in this project's paths and are looked for on disk, a few levels deep."""
    patterns = _KEY_FILES.get(installer, ())
    if any(_matches(p.rsplit("/", 1)[-1], patterns) for p in ctx.paths):
        return True
    if not ctx.root:
        return False
    top = os.path.join(ctx.root, "" if ctx.project.path == "." else ctx.project.path)
    for folder, dirs, files in os.walk(top):
        depth = os.path.relpath(folder, top).count(os.sep)
        dirs[:] = [] if depth >= 3 else [d for d in dirs if d not in SKIP_DIRS]
        if any(_matches(name, patterns) for name in files):
            return True
    return False


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name.lower(), pattern) for pattern in patterns)


def _short_ref(ref: str) -> str:
    """A commit SHA cut to 7 digits, as git shows it; tags and branches as they are."""
    return ref[:7] if re.fullmatch(r"[0-9a-f]{40}", ref) else ref


def _caches(action: str) -> bool:
    """Whether an action restores a cache itself (actions/cache, setup-uv, setup-gradle...)."""
    return "cache" in action or action.startswith(_OTHER_CACHES)


def _first_install(
    ecosystem: str, job_steps: list[tuple[int, dict[str, Any]]], after: int
) -> tuple[str, str] | None:
    for index, step in job_steps:
        if index > after:
            found = install_command(ecosystem, run_text(step))
            if found is not None:
                return found
    return None


def _short(command: str, limit: int = 60) -> str:
    text = " ".join(command.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
