"""The pip-audit engine (deps-vulnerable, online, opt-in).

pip-audit's vulnerability data comes from PyPI's JSON API, which is unreachable where these
tests were written: fixtures/pip_audit_real_skipped.json is the report a real run produced
there (every package skipped), and fixtures/pip_audit_report.json holds advisories written
by hand in pip-audit's JSON format (pip_audit/_format/json.py). A fake pip-audit answers
from that file, so the engine's command line, files and mapping run for real.
"""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.analyze.project_context import ProjectContext
from optimus.engines.pip_audit import (
    NETWORK_ENV,
    PipAudit,
    all_skipped,
    audit_hits,
    audit_message,
    layers,
    python_pins,
)
from optimus.model import Project, ScanResult
from optimus.parse.source import SourceFile
from optimus.rules.deps._lockfiles import Locked
from optimus.testing.harness import expected_findings

FIXTURES = Path(__file__).parent / "fixtures"
CANNED = json.loads((FIXTURES / "pip_audit_report.json").read_text())

FAKE = f"""#!{sys.executable}
# A stand-in for pip-audit: reads -r files, answers from a canned report, writes --output.
import json, sys
args = sys.argv[1:]
canned = json.load(open({str(FIXTURES / "pip_audit_report.json")!r}))
log = open(__file__ + ".log", "a")
log.write(" ".join(args) + "\\n")
deps = []
for i, arg in enumerate(args):
    if arg == "-r":
        for line in open(args[i + 1]):
            name, version = line.strip().split("==")
            canonical = name.lower().replace("_", "-").replace(".", "-")
            deps.append({{"name": canonical, "version": version,
                          "vulns": canned.get(canonical + "==" + version, [])}})
out = args[args.index("--output") + 1]
json.dump({{"dependencies": deps, "fixes": []}}, open(out, "w"))
sys.exit(1 if any(d["vulns"] for d in deps) else 0)
"""


@pytest.fixture
def fake_pip_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    fake = tmp_path / "bin" / "pip-audit"
    fake.parent.mkdir()
    fake.write_text(FAKE)
    fake.chmod(0o755)
    monkeypatch.setattr(PipAudit, "executable", lambda self: str(fake))
    monkeypatch.setenv(NETWORK_ENV, "1")
    monkeypatch.delenv("OPTIMUS_OSV_DIR", raising=False)
    return fake


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "pip_audit_project"
    shutil.copytree(FIXTURES / "pip_audit_project", target)
    return target


def _scan(path: Path) -> ScanResult:
    options = ScanOptions(overrides={"select": ("deps-vulnerable",)}, use_cache=False, jobs=1)
    return scan([str(path)], options)


def test_scan_with_the_fake_matches_the_markers(fake_pip_audit: Path, project: Path) -> None:
    result = _scan(project)
    expected = {k for k in expected_findings(str(project)) if k[2] == "deps-vulnerable"}
    assert {(f.path, f.line, f.rule) for f in result.findings} == expected
    assert all(f.engine == "pip-audit" for f in result.findings)
    by_line = {(f.path, f.line): f.message for f in result.findings}
    assert by_line[("uv.lock", 4)] == (
        "acme-http 2.19.0 (uv.lock) is affected by an advisory in PyPI's data (pip-audit): "
        "GHSA-test-0001 (CVE-2099-0001); upgrade acme-http to 2.20.0 or later and re-lock"
    )
    yaml = by_line[("requirements.txt", 3)]
    assert "2 advisories" in yaml and "GHSA-test-0002 (CVE-2099-0002), PYSEC-TEST-3" in yaml
    assert "upgrade Acme_YAML to 5.4 or later and re-lock (PYSEC-TEST-3 has no fixed" in yaml
    assert "to 2.31.0 or later" in by_line[("pyproject.toml", 5)]
    # two versions of acme-http: two pip-audit runs, never a duplicate name in one file
    calls = (fake_pip_audit.parent / "pip-audit.log").read_text().splitlines()
    assert len(calls) == 2
    assert all("--no-deps --disable-pip --vulnerability-service pypi" in c for c in calls)


def test_off_without_the_network_opt_in(
    fake_pip_audit: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(NETWORK_ENV)
    result = _scan(project)
    assert result.findings == [] and result.diagnostics == []
    assert not (fake_pip_audit.parent / "pip-audit.log").exists()


def test_offline_osv_finding_wins_on_the_same_line(
    fake_pip_audit: Path, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    osv = tmp_path / "osv" / "PyPI"
    osv.mkdir(parents=True)
    data = FIXTURES.parents[1] / "rules" / "deps" / "osv_data" / "PyPI"
    with zipfile.ZipFile(osv / "all.zip", "w") as archive:
        for record in data.glob("*.json"):
            archive.write(record, record.name)
    monkeypatch.setenv("OPTIMUS_OSV_DIR", str(osv.parent))
    result = _scan(project)
    on_yaml = [f for f in result.findings if (f.path, f.line) == ("requirements.txt", 3)]
    # the OSV rule reports GHSA-test-0002 itself; pip-audit's finding on that line is dropped
    assert [f.engine for f in on_yaml] == ["optimus"]
    assert "GHSA-test-0002" in on_yaml[0].message


def test_recorded_real_run_where_pypi_was_unreachable() -> None:
    report = json.loads((FIXTURES / "pip_audit_real_skipped.json").read_text())
    reason = all_skipped(report)
    assert reason is not None and reason.startswith("Dependency not found on PyPI")
    ctx = ProjectContext(Project(".", "p"), {}, [])
    assert audit_hits(report, [], ctx) == []
    assert all_skipped({"dependencies": [{"name": "a", "version": "1", "vulns": []}]}) is None


def test_unreachable_pypi_becomes_a_diagnostic(
    tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "pip-audit"
    recorded = FIXTURES / "pip_audit_real_skipped.json"
    fake.write_text(
        f"#!{sys.executable}\nimport shutil, sys\n"
        f"shutil.copy({str(recorded)!r}, sys.argv[sys.argv.index('--output') + 1])\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(PipAudit, "executable", lambda self: str(fake))
    monkeypatch.setenv(NETWORK_ENV, "1")
    result = _scan(project)
    assert result.findings == []
    assert any(
        "engine pip-audit: pip-audit could not audit any package: Dependency not found" in d.message
        for d in result.diagnostics
    )


def test_pins_and_layers(project: Path) -> None:
    kinds = {"pyproject.toml": "pyproject", "requirements.txt": "requirements"}
    sources = {p: SourceFile(p, p, k, (project / p).read_bytes()) for p, k in kinds.items()}
    # uv.lock is a "meta" file: in the project's paths, not among its parsed sources
    ctx = ProjectContext(Project(".", "p"), sources, [*kinds, "uv.lock"], str(project))
    pins = python_pins(ctx)
    assert [(f, i.name, i.version, i.line) for f, i in pins] == [
        ("uv.lock", "acme-http", "2.19.0", 4),
        ("uv.lock", "acme-json", "1.1.0", 9),
        ("pyproject.toml", "acme-http", "2.20.0", 5),
        ("requirements.txt", "Acme_YAML", "5.3.1", 3),
        ("requirements.txt", "acme-safe", "1.0.0", 5),
    ]
    split = layers(pins)
    assert [len(layer) for layer in split] == [4, 1]
    assert split[1][0][1].version == "2.20.0"


def test_message_without_any_fix() -> None:
    message = audit_message("x", "1.0", "requirements.txt", [{"id": "A", "fix_versions": []}])
    assert message.endswith(
        "no fixed version is published: replace it, or apply the advisory's workaround"
    )
    older = audit_message("x", "2.0", "r.txt", [{"id": "B", "fix_versions": ["1.5", "bad"]}])
    assert "no fixed version is published" in older


def test_locked_items_are_plain_tuples() -> None:
    assert Locked("PyPI", "a", "1")[3] is None
