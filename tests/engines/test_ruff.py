"""The ruff engine, run for real on a small project (copied to a temporary folder, so no
configuration above it, such as this repository's pyproject.toml, applies)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.analyze.project_context import ProjectContext
from optimus.engines.ruff import RuffEngine, failure_message
from optimus.model import Finding, Project, ScanResult
from optimus.testing.harness import expected_findings
from tests.helpers import write_tree

FIXTURES = Path(__file__).parent / "fixtures"
MAPPED = {"blocking-call-in-async", "http-no-timeout", "high-complexity"}
RUFF = RuffEngine().executable()

pytestmark = pytest.mark.skipif(
    RUFF is None and os.environ.get("CI") != "true",
    reason="ruff is not installed (pip install ruff); CI runs these tests",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "ruff_project"
    shutil.copytree(FIXTURES / "ruff_project", target)
    return target


def _scan(path: Path, **overrides: object) -> ScanResult:
    return scan([str(path)], ScanOptions(overrides=dict(overrides), use_cache=False, jobs=1))


def _at(result: ScanResult, path: str, rule: str | None = None) -> list[Finding]:
    return [f for f in result.findings if f.path == path and (rule is None or f.rule == rule)]


def test_mapped_rules_match_the_fixture_markers(project: Path) -> None:
    result = _scan(project)
    expected = {k for k in expected_findings(str(project)) if k[2] in MAPPED}
    found = {(f.path, f.line, f.rule) for f in result.findings if f.rule in MAPPED}
    assert found == expected
    assert not result.diagnostics


def test_request_without_timeout_maps_onto_http_no_timeout(project: Path) -> None:
    (finding,) = _at(_scan(project), "app/service.py", "http-no-timeout")
    assert finding.line == 11
    assert finding.code == "PY020" and finding.engine == "ruff"
    assert "Ruff S113" in finding.message and "timeout=" in finding.message


def test_noqa_comment_is_respected(project: Path) -> None:
    lines = {f.line for f in _at(_scan(project), "app/service.py")}
    assert 19 not in lines  # the S113 call with a noqa comment
    assert 23 not in lines  # the lru_cache decorator with a noqa comment for B019


def test_project_complexity_limit_applies(project: Path) -> None:
    (finding,) = _at(_scan(project), "app/service.py", "high-complexity")
    assert finding.line == 40 and finding.code == "MT002"
    assert "`classify` is too complex (7 > 5)" in finding.message
    # With Ruff's default limit (10) the same function is fine.
    (project / "ruff.toml").write_text('extend-exclude = ["generated"]\n', encoding="utf-8")
    assert not _at(_scan(project), "app/service.py", "high-complexity")


def test_engine_only_ids_carry_their_own_metadata(project: Path) -> None:
    result = _scan(project)
    (perf,) = _at(result, "app/service.py", "ruff:PERF401")
    assert perf.line == 36 and perf.code == "PERF401"
    assert (perf.category.value, perf.severity.value, perf.engine) == ("performance", "low", "ruff")
    (b019,) = _at(result, "app/service.py", "ruff:B019")
    assert b019.line == 27 and b019.code == "B019"
    assert (b019.category.value, b019.severity.value) == ("reliability", "medium")


def test_async_hit_is_reported_once_with_the_own_detector(project: Path) -> None:
    # Ruff does report the call ...
    ctx = ProjectContext(Project(".", "p"), {}, ["app/handlers.py"])
    assert RUFF is not None
    hits = RuffEngine().run(ctx, str(project), RUFF)
    assert [(h.rule, h.path, h.line) for h in hits] == [
        ("blocking-call-in-async", "app/handlers.py", 9)
    ]
    # ... and the scan keeps Optimus's own finding only.
    (finding,) = _at(_scan(project), "app/handlers.py", "blocking-call-in-async")
    assert finding.line == 9 and finding.engine == "optimus"


def test_async_hits_in_test_code_are_dropped(project: Path) -> None:
    assert not _at(_scan(project), "tests/async_helpers.py")


def test_project_ruff_exclude_and_optimus_exclude_are_respected(project: Path) -> None:
    result = _scan(project)
    assert not _at(result, "generated/client.py")  # ruff.toml extend-exclude
    assert not _at(result, "scripts/one_off.py")  # [tool.optimus] exclude


def test_rule_selection_applies_to_engine_findings(project: Path) -> None:
    result = _scan(project, ignore=("http-no-timeout", "ruff:PERF"))
    rules = {f.rule for f in result.findings}
    assert "http-no-timeout" not in rules and "ruff:PERF401" not in rules
    assert {"high-complexity", "ruff:B019"} <= rules
    only = _scan(project, select=("PY020",))
    assert {f.rule for f in only.findings} == {"http-no-timeout"}


def test_optimus_suppression_comments_apply_to_engine_findings(project: Path) -> None:
    write_tree(
        project,
        {
            "app/quiet.py": (
                "import requests\n\n"
                "requests.get('https://x')  # optimus: ignore[http-no-timeout]\n"
                "out = []\nfor x in range(3):\n    out.append(x)  # optimus: ignore[PERF402]\n"
            )
        },
    )
    assert not _at(_scan(project), "app/quiet.py")


def test_paths_are_relative_to_the_scan_root(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ruff_project", tmp_path / "services" / "api")
    write_tree(tmp_path, {"services/web/pyproject.toml": '[project]\nname = "web"\n'})
    result = _scan(tmp_path)
    found = {(f.path, f.line, f.project) for f in result.findings if f.rule == "http-no-timeout"}
    assert ("services/api/app/service.py", 11, "services/api") in found
    assert not [p for p, _, _ in found if not p.startswith("services/api/")]


def test_nested_project_is_reported_once(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "outer"\n',
            "outer.py": "import requests\n\nrequests.get('https://x')\n",
            "inner/pyproject.toml": '[project]\nname = "inner"\n',
            "inner/inner.py": "import requests\n\nrequests.get('https://y')\n",
        },
    )
    result = _scan(tmp_path)
    found = sorted((f.project, f.path) for f in result.findings if f.rule == "http-no-timeout")
    assert found == [(".", "outer.py"), ("inner", "inner/inner.py")]


def test_broken_ruff_config_is_a_diagnostic_and_the_scan_goes_on(project: Path) -> None:
    (project / "ruff.toml").write_text("[lint]\nselect = 3\n", encoding="utf-8")
    result = _scan(project)
    messages = [d.message for d in result.diagnostics]
    assert len(messages) == 1 and messages[0].startswith("engine ruff: failed: ")
    assert "ruff.toml" in messages[0]
    assert _at(result, "app/handlers.py", "blocking-call-in-async")  # own rules still ran


def test_missing_ruff_is_one_diagnostic_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RuffEngine, "executable", lambda self: None)
    shutil.copytree(FIXTURES / "ruff_project", tmp_path / "a")
    shutil.copytree(FIXTURES / "ruff_project", tmp_path / "b")
    result = _scan(tmp_path)
    missing = [d for d in result.diagnostics if "engine ruff not found" in d.message]
    assert len(missing) == 1 and "pip install ruff" in missing[0].message
    assert not [f for f in result.findings if f.engine == "ruff"]
    assert len(_at(result, "a/app/handlers.py", "blocking-call-in-async")) == 1


def test_no_engines_skips_ruff(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise AssertionError("ruff ran with engines off")

    monkeypatch.setattr(RuffEngine, "run", boom)
    result = _scan(project, engines=False)
    assert not [f for f in result.findings if f.engine != "optimus"]
    assert not result.diagnostics
    assert _at(result, "app/handlers.py", "blocking-call-in-async")


def test_failure_message_reads_the_cause() -> None:
    stderr = (
        "ruff failed\n  Cause: Failed to load configuration `/p/ruff.toml`\n"
        "  Cause: Failed to parse /p/ruff.toml\n"
    )
    assert failure_message(stderr, 2) == (
        "failed: Failed to load configuration `/p/ruff.toml` (Failed to parse /p/ruff.toml)"
    )
    assert failure_message("", 2) == "ruff exited with status 2"
