"""The ruff engine, run for real on a small project (copied to a temporary folder, so no
configuration above it, such as this repository's pyproject.toml, applies)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.analyze.project_context import ProjectContext
from optimus.engines.ruff import (
    SELECT,
    RuffEngine,
    _metadata_only,
    drop_nested_complexity,
    failure_message,
    foreign_config_failure,
    own_config,
)
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


def test_nested_complexity_is_not_reported_twice(project: Path) -> None:
    found = {
        (f.line, f.message.split(" is too complex")[0])
        for f in _at(_scan(project), "app/nested.py")
    }
    # make_handler (8) is only its nested handle (7) plus 1: dropped; busy_factory's own
    # branches (13 - 6 = 7) are over the limit of 5 on their own: kept.
    assert found == {(5, "`handle`"), (21, "`busy_factory`"), (22, "`inner`")}


def test_drop_nested_complexity_subtracts_the_outermost_nested_results(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "def outer():\n"  # 1
        "    def a():\n"  # 2
        "        def deep():\n"  # 3
        "            pass\n"
        "    def b():\n"  # 5
        "        pass\n"
        "    return a, b\n"
        "def alone():\n"  # 8
        "    pass\n",
        encoding="utf-8",
    )

    def c901(row: int, complexity: int) -> dict[str, object]:
        message = f"`f` is too complex ({complexity} > 10)"
        return {
            "code": "C901",
            "filename": str(source),
            "location": {"row": row},
            "message": message,
        }

    other = {"code": "S113", "filename": str(source), "location": {"row": 1}, "message": "x"}
    # outer = 1 + a (12, which holds deep's 11) + b (11): 24 - 12 - 11 = 1, dropped.
    records = [c901(1, 24), c901(2, 12), c901(3, 11), c901(5, 11), c901(8, 11), other]
    kept = drop_nested_complexity(records)
    assert [r["location"]["row"] for r in kept] == [3, 5, 8, 1]  # a too: 1 + deep's 11
    # a's own 1 + deep's 11: a is dropped too when deep is the only reason.
    records = [c901(2, 12), c901(3, 11)]
    assert [r["location"]["row"] for r in drop_nested_complexity(records)] == [3]
    # Outer branches of its own above the limit: kept.
    records = [c901(1, 23), c901(2, 12)]
    assert len(drop_nested_complexity(records)) == 2


def test_perf203_is_not_asked_for(tmp_path: Path) -> None:
    assert "PERF" not in SELECT and "PERF2" not in SELECT
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "p"\n',
            "ruff.toml": 'target-version = "py310"\n',
            "app.py": (
                "def run(items):\n"
                "    out = []\n"
                "    for item in items:\n"
                "        try:\n"
                "            out.append(int(item))\n"
                "        except ValueError:\n"
                "            pass\n"
                "    for item in items:\n"
                "        if item:\n"
                "            out.append(item)\n"
                "    return out\n"
            ),
        },
    )
    rules = {f.rule for f in _scan(tmp_path).findings if f.engine == "ruff"}
    assert rules == {"ruff:PERF401"}


def test_a_nested_projects_broken_config_does_not_stop_the_outer_project(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": (
                '[project]\nname = "outer"\n\n[tool.ruff.lint.mccabe]\nmax-complexity = 1\n'
            ),
            "outer.py": (
                "import requests\n\n"
                "def get(flag):\n"
                "    if flag:\n"
                "        return requests.get('https://x')\n"
                "    return None\n"
            ),
            "{{cookiecutter.slug}}/pyproject.toml": "[project]\nname = {{ cookiecutter.slug }}\n",
            "{{cookiecutter.slug}}/inner.py": "import requests\n\nrequests.get('https://y')\n",
        },
    )
    result = _scan(tmp_path)
    outer = {(f.rule, f.line) for f in result.findings if f.project == "."}
    # The outer project's own configuration still applies (max-complexity = 1).
    assert outer == {("http-no-timeout", 5), ("high-complexity", 3)}
    # The template project itself cannot be linted: one diagnostic, for it alone.
    ruff = [d for d in result.diagnostics if d.message.startswith("engine ruff")]
    assert [d.path for d in ruff] == ["{{cookiecutter.slug}}"]
    assert "Failed to parse" in ruff[0].message


def test_foreign_config_failure_and_own_config(tmp_path: Path) -> None:
    stderr = f"ruff failed\n  Cause: Failed to parse {tmp_path}/tpl/pyproject.toml\n"
    assert foreign_config_failure(stderr, str(tmp_path))
    assert not foreign_config_failure(stderr, str(tmp_path / "tpl"))
    assert not foreign_config_failure("ruff failed\n  Cause: something else\n", str(tmp_path))
    write_tree(tmp_path, {"a/b/pyproject.toml": "not = [toml", "a/pyproject.toml": "[project]\n"})
    assert own_config(str(tmp_path / "a" / "b")) in (None, *_ancestor_configs(tmp_path))
    write_tree(tmp_path, {"a/pyproject.toml": "[tool.ruff]\nline-length = 90\n"})
    assert own_config(str(tmp_path / "a" / "b")) == os.path.realpath(tmp_path / "a/pyproject.toml")
    write_tree(tmp_path, {"a/b/ruff.toml": ""})
    assert own_config(str(tmp_path / "a" / "b")) == os.path.realpath(tmp_path / "a/b/ruff.toml")


def _ancestor_configs(tmp_path: Path) -> list[str]:
    """Configurations above the test's folder (outside its control)."""
    found = []
    for folder in Path(os.path.realpath(tmp_path)).parents:
        found += [str(folder / n) for n in (".ruff.toml", "ruff.toml", "pyproject.toml")]
    return found


def test_project_under_site_packages_is_a_diagnostic_not_a_clean_result(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    write_tree(site, {"pkg/__init__.py": "import requests\n\nrequests.get('https://x')\n"})
    result = _scan(site)
    assert not [f for f in result.findings if f.engine == "ruff"]
    messages = [d.message for d in result.diagnostics if d.message.startswith("engine ruff")]
    assert messages == [
        "engine ruff: checked no file: the project folder lies under `site-packages`, which "
        "Ruff excludes by default; its Ruff checks were skipped"
    ]


def test_project_with_its_own_config_inside_site_packages_is_skipped_too(tmp_path: Path) -> None:
    # pandas ships a pyproject.toml: a project of its own, found inside site-packages.
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    write_tree(
        site,
        {
            "pandas/pyproject.toml": '[project]\nname = "pandas"\n',
            "pandas/io.py": "import requests\n\nrequests.get('https://x')\n",
        },
    )
    result = _scan(site)
    assert not [f for f in result.findings if f.engine == "ruff"]
    skipped = [d for d in result.diagnostics if "lies under `site-packages`" in d.message]
    assert {d.path for d in skipped} == {"pandas"}


def test_metadata_only_path_calls_are_not_blocking_findings(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": (
                "from pathlib import Path\n\n\n"
                "async def download(p: str):\n"
                "    p = Path(p).resolve()\n"
                '    Path("cache").mkdir(parents=True, exist_ok=True)\n'
                "    with open(p) as fh:\n"
                "        return fh.read()\n"
            )
        },
    )
    result = _scan(tmp_path)
    lines = sorted(f.line for f in result.findings if f.rule == "blocking-call-in-async")
    assert lines == [7]  # open() reads the contents; resolve() and mkdir() are one syscall


def test_metadata_only_reads_the_outermost_method_of_the_flagged_span() -> None:
    def flagged(line: str, start: int, end: int | None = None) -> bool:
        record = {"location": {"row": 1, "column": start}}
        if end is not None:
            record["end_location"] = {"row": 1, "column": end}
        return _metadata_only(record, line)

    assert flagged("    p = Path(p).resolve()", 9, 24)
    assert not flagged("    p = Path(p).read_text()", 9, 26)
    assert flagged('    Path("x").mkdir(parents=True)', 5)
    assert not flagged("    Path(x).write_text(y.resolve())", 5)
    assert not flagged("    Path(x.resolve()).read_text()", 5)
    assert not flagged("    Path(x).exists()", 0)


def test_tests_under_a_conftest_that_sets_a_default_timeout_are_not_reported(
    tmp_path: Path,
) -> None:
    # Dropped: requests calls in test modules (and the conftest itself) under a conftest that
    # replaces requests.sessions.Session with a subclass defaulting the timeout (TGI), one
    # that mounts a timeout adapter for both schemes, or that patches Session.request with a
    # partialmethod in an autouse fixture. Kept: `timeout=None`, httpx, helper and script
    # modules pytest does not collect, and conftests that rebind requests.Session only, add
    # retries only, mount for https:// only or pass the caller's timeout on.
    target = tmp_path / "ruff_conftest"
    shutil.copytree(FIXTURES / "ruff_conftest", target)
    result = _scan(target)
    expected = {k for k in expected_findings(str(target)) if k[2] == "http-no-timeout"}
    found = {(f.path, f.line, f.rule) for f in result.findings if f.rule == "http-no-timeout"}
    assert found == expected
    assert {p for p, _, _ in found} == {
        "https_only_tests/test_api.py",
        "integration-tests/fixtures/service.py",
        "integration-tests/load.py",
        "integration-tests/models/test_chat.py",
        "passthrough_tests/test_api.py",
        "patched_name_tests/test_api.py",
        "retry_tests/test_api.py",
        "scripts/sync.py",
    }
    # Without the patch, the same test calls are reported.
    conftest = target / "integration-tests" / "conftest.py"
    conftest.write_text(
        conftest.read_text(encoding="utf-8").replace("requests.sessions.Session = ", "_ = "),
        encoding="utf-8",
    )
    lines = {
        (f.path, f.line)
        for f in _scan(target).findings
        if f.rule == "http-no-timeout" and f.path.startswith("integration-tests/")
    }
    assert {
        ("integration-tests/conftest.py", 17),
        ("integration-tests/models/test_chat.py", 8),
        ("integration-tests/models/test_chat.py", 12),
    } <= lines
