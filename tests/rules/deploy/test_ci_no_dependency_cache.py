"""ci-no-dependency-cache: setup actions without cache before installs; never in releases."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.parse.source import SourceFile
from optimus.rules.deploy import ci_no_dependency_cache
from optimus.rules.deploy._gha import Workflow, action_ref, is_release_workflow
from optimus.rules.deploy.ci_no_dependency_cache import install_command
from optimus.testing.harness import assert_rule_matches, scan_fixture

RULE = "ci-no-dependency-cache"
FIXTURES = Path(__file__).parent / "ci_no_dependency_cache"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def test_every_fixture_project_is_listed() -> None:
    assert PROJECTS == ["no_lockfile", "node_package_manager", "repo"]


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_release_and_publishing_workflows_are_skipped() -> None:
    result = assert_rule_matches(str(FIXTURES / "repo"), RULE)
    assert {f.path for f in result.findings} == {".github/workflows/ci.yml"}


@pytest.mark.parametrize(
    "workflow",
    ["docs.yml", "pages.yml", "aws.yml", "cloud.yml", "step_named.yml", "job_named.yml"],
)
def test_deploying_workflows_are_publishing(workflow: str) -> None:
    """gh-pages and cloud deployers, and jobs or steps named release/publish/deploy, make a
    workflow a publishing one (no cache advice: cache poisoning), though it would fire."""
    assert is_release_workflow(_workflow(workflow))
    folder = FIXTURES / "repo"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ci_no_dependency_cache, "is_release_workflow", lambda _w: False)
        result = scan_fixture(str(folder), [RULE])
    assert f".github/workflows/{workflow}" in {f.path for f in result.findings}


def test_cd_in_a_step_name_is_not_publishing() -> None:
    workflow = _workflow("ci.yml")
    workflow.doc["jobs"]["test"]["steps"][0]["name"] = "cd into the docs and build"
    assert not is_release_workflow(workflow)


def _workflow(name: str) -> Workflow:
    path = f".github/workflows/{name}"
    data = (FIXTURES / "repo" / path).read_bytes()
    src = SourceFile(path, path, "yaml", data)
    return Workflow(src, src.yaml[0])


def test_messages() -> None:
    result = assert_rule_matches(str(FIXTURES / "repo"), RULE)
    by_line = {f.line: f.message for f in result.findings}
    assert by_line[12].startswith("job `test` runs `actions/setup-python@v5` without `cache:`")
    assert "`pip install -r requirements.txt -r requirements-dev.txt`" in by_line[12]
    assert "`with: cache: pip`" in by_line[12]
    assert "`with: cache: poetry`" in by_line[51]
    assert "`with: cache: npm`" in by_line[65]
    assert "`with: cache: gradle`" in by_line[97]


@pytest.mark.parametrize(
    ("ecosystem", "script", "expected"),
    [
        ("python", "pip install -r requirements.txt", "pip"),
        ("python", "python -m pip install -e '.[test]'", "pip"),
        ("python", "pip install .", "pip"),
        ("python", "pip install --upgrade pip\npip install tox", None),
        ("python", "uv sync --frozen", "uv"),
        ("python", "uv pip install --system -r requirements.txt", "uv"),
        ("python", "uv tool install ruff", None),
        ("node", "npm ci", "npm"),
        ("node", "npm install", "npm"),
        ("node", "npm install --no-audit", "npm"),
        ("node", "npm install -g pnpm", None),
        ("node", "npm i left-pad", None),
        ("node", "yarn", "yarn"),
        ("node", "yarn --frozen-lockfile", "yarn"),
        ("node", "yarn build", None),
        ("node", "pnpm install --frozen-lockfile", "pnpm"),
        ("java", "mvn -B verify", "maven"),
        ("go", "go mod download && go test ./...", "go"),
    ],
)
def test_install_command(ecosystem: str, script: str, expected: str | None) -> None:
    found = install_command(ecosystem, script)
    assert (found[0] if found else None) == expected


def test_action_ref_versions() -> None:
    assert action_ref({"uses": "actions/setup-go@v3.5.0"}).major == 3  # type: ignore[union-attr]
    sha = {"uses": "actions/setup-go@0aaccfd150d50ccaeb58ebd88d36e91967a5f35b"}
    assert action_ref(sha).major is None  # type: ignore[union-attr]
    assert action_ref(sha, "  - uses: x  # v5.4.0").major == 5  # type: ignore[union-attr]
    assert action_ref({"uses": "./.github/actions/setup"}) is None
    assert action_ref({"run": "make"}) is None


def test_no_lockfile_no_finding() -> None:
    assert not assert_rule_matches(str(FIXTURES / "no_lockfile"), RULE).findings


def test_sha_pins_are_read_with_their_version_comment() -> None:
    result = assert_rule_matches(str(FIXTURES / "node_package_manager"), RULE)
    pinned = [f for f in result.findings if "`pinned-old`" in f.message]
    assert len(pinned) == 1 and "`actions/setup-node@48b55a0`" in pinned[0].message


def test_runner_groups_are_not_told_to_cache(tmp_path: Path) -> None:
    workflow = tmp_path / ".github" / "workflows" / "test.yml"
    workflow.parent.mkdir(parents=True)
    (tmp_path / "requirements.txt").write_text("requests==2.32.3\n")
    job = (
        "on: push\njobs:\n  test:\n    runs-on: {}\n    timeout-minutes: 10\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n"
        "      - run: pip install -r requirements.txt\n"
    )
    workflow.write_text(job.format("ubuntu-latest"))
    assert [f.rule for f in scan_fixture(str(tmp_path), [RULE]).findings] == [RULE]
    workflow.write_text(job.format("{group: gpu-runners}"))
    assert scan_fixture(str(tmp_path), [RULE]).findings == []
