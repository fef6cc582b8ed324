"""GitHub Actions workflows as the CI rules read them: files, triggers, jobs, steps, actions.

A workflow is a YAML file directly under ``.github/workflows/``. Its trigger key ``on`` is
read as the string "on" by YAML 1.2 loaders (ruamel's default) and as the boolean True by
YAML 1.1 loaders; both are accepted. ``uses: owner/repo@ref`` is split into the action and
its major version; a commit SHA pin is read with the version its trailing comment names
(``@8f4b7f8... # v4.2.0``), the convention Dependabot and Renovate keep up to date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.rules._thirdparty import installed_copy

_WORKFLOW = re.compile(r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$")
_VERSION = re.compile(r"^v?(\d+)(?:\.\d+)*$")
_COMMENT_VERSION = re.compile(r"#\s*v?(\d+)(?:\.\d+)*\b")


@dataclass(frozen=True)
class Workflow:
    """One parsed workflow file."""

    src: SourceFile
    doc: dict[str, Any]

    @property
    def triggers(self) -> dict[str, Any]:
        """The events that run the workflow, as a mapping of event to its filter (or None)."""
        on = self.doc.get("on", self.doc.get(True))
        if isinstance(on, str):
            return {on: None}
        if isinstance(on, list):
            return {str(e): None for e in on}
        if isinstance(on, dict):
            return {str(k): v for k, v in on.items()}
        return {}

    def jobs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        jobs = self.doc.get("jobs")
        if isinstance(jobs, dict):
            for job_id, job in jobs.items():
                if isinstance(job, dict):
                    yield str(job_id), job


def workflows(ctx: ProjectContext) -> Iterator[Workflow]:
    """The project's GitHub Actions workflows that parse as a mapping with ``jobs``.

    None for an installed or vendored copy of a package: its workflows never run there.
    """
    if installed_copy(ctx) is not None:
        return
    for src in ctx.of_kind("yaml"):
        if not _WORKFLOW.search(src.project_path) or b"jobs" not in src.data:
            continue
        try:
            docs = src.yaml
        except ParseError:
            continue
        if docs and isinstance(docs[0], dict):
            yield Workflow(src, docs[0])


def steps(job: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """A job's steps with their indexes (non-mapping items skipped)."""
    items = job.get("steps")
    if not isinstance(items, list):
        return []
    return [(i, s) for i, s in enumerate(items) if isinstance(s, dict)]


@dataclass(frozen=True)
class ActionRef:
    """``uses: owner/repo[/path]@ref`` split up; ``major`` None when it cannot be read."""

    action: str
    ref: str
    major: int | None


def action_ref(step: dict[str, Any], line_text: str = "") -> ActionRef | None:
    """The action a step uses (lower-cased), or None for ``run:`` steps and local actions."""
    uses = step.get("uses")
    if not isinstance(uses, str) or "@" not in uses or uses.startswith(("./", "docker://")):
        return None
    action, _, ref = uses.partition("@")
    match = _VERSION.match(ref)
    major = int(match.group(1)) if match else None
    if major is None:
        comment = _COMMENT_VERSION.search(line_text)
        major = int(comment.group(1)) if comment else None
    return ActionRef(action.lower(), ref, major)


def run_text(step: dict[str, Any]) -> str:
    run = step.get("run")
    return run if isinstance(run, str) else ""


_PUBLISH_COMMANDS = re.compile(
    r"\b(?:npm|yarn|pnpm)\s+publish\b|\btwine\s+upload\b|\bcargo\s+publish\b"
    r"|\b(?:poetry|uv|flit|hatch|pdm)\s+publish\b|\bgh\s+release\s+(?:create|upload)\b"
    r"|\bdocker\s+(?:image\s+)?push\b|\bmvn\b[^\n]*\bdeploy\b|\bgradlew?\b[^\n]*\bpublish"
)
_PUBLISH_ACTIONS = frozenset(
    {
        "pypa/gh-action-pypi-publish",
        "softprops/action-gh-release",
        "ncipollo/release-action",
        "actions/create-release",
        "actions/upload-release-asset",
        "goreleaser/goreleaser-action",
        "js-devtools/npm-publish",
        "changesets/action",
        # GitHub Pages deployers
        "actions/deploy-pages",
        "actions/upload-pages-artifact",
        "jamesives/github-pages-deploy-action",
        "peaceiris/actions-gh-pages",
        # cloud deployers
        "azure/webapps-deploy",
    }
)
#: Action prefixes that deploy to a cloud (every AWS action holds deployment credentials;
#: ``google-github-actions/deploy-cloudrun``, ``deploy-appengine``...).
_PUBLISH_PREFIXES = ("aws-actions/", "google-github-actions/deploy-")
_RELEASE_WORDS = re.compile(r"release|publish|deploy|\bcd\b", re.IGNORECASE)
#: Words of a job's or step's name that say it publishes (``cd`` is left out: ``cd docs``).
_PUBLISH_NAME = re.compile(r"release|publish|deploy", re.IGNORECASE)


def _pushes_image(step: dict[str, Any]) -> bool:
    with_ = step.get("with")
    push = with_.get("push") if isinstance(with_, dict) else None
    return push is True or (isinstance(push, str) and push.strip().lower() not in ("false", ""))


def _tag_or_release_only(triggers: dict[str, Any]) -> bool:
    """Whether only releases or tag pushes (and manual runs) start the workflow."""
    events = set(triggers) - {"workflow_dispatch"}
    if not events or not events <= {"release", "push"}:
        return False
    push = triggers.get("push")
    if "push" in events:
        if not isinstance(push, dict):
            return False  # every push to any branch
        if ("tags" not in push and "tags-ignore" not in push) or "branches" in push:
            return False
    return True


def _named_for_publishing(key: str, item: dict[str, Any]) -> bool:
    """Whether a job (by id or ``name:``) or a step (by ``name:``) says it publishes."""
    name = item.get("name")
    return bool(_PUBLISH_NAME.search(key) or (isinstance(name, str) and _PUBLISH_NAME.search(name)))


def is_release_workflow(workflow: Workflow) -> bool:
    """Whether a workflow publishes or deploys: caching there invites cache poisoning.

    By its name or file name (release, publish, deploy), its triggers (releases or tag
    pushes only), a job or step named for it (its id or ``name:`` holds release, publish or
    deploy), or any step that publishes (PyPI, npm, crates.io, GitHub releases, an image
    push, GitHub Pages, a cloud deploy action).
    """
    name = workflow.doc.get("name")
    file_name = workflow.src.path.rsplit("/", 1)[-1]
    if _RELEASE_WORDS.search(file_name) or (isinstance(name, str) and _RELEASE_WORDS.search(name)):
        return True
    if _tag_or_release_only(workflow.triggers):
        return True
    for job_id, job in workflow.jobs():
        if _named_for_publishing(job_id, job):
            return True
        for _index, step in steps(job):
            if _named_for_publishing("", step):
                return True
            ref = action_ref(step)
            if ref is not None:
                base = "/".join(ref.action.split("/")[:2])
                if base in _PUBLISH_ACTIONS or ref.action in _PUBLISH_ACTIONS:
                    return True
                if ref.action.startswith(_PUBLISH_PREFIXES):
                    return True
                if base == "docker/build-push-action" and _pushes_image(step):
                    return True
            if _PUBLISH_COMMANDS.search(run_text(step)):
                return True
    return False
