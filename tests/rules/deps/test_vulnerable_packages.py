"""deps-vulnerable (DP004): offline OSV matching, lockfile parsing, the rule on fixtures."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from optimus.analyze.project_context import ProjectContext
from optimus.model import Project, Severity
from optimus.parse.source import SourceFile
from optimus.registry import get_rule
from optimus.rules.deps._osv import Locked, load_osv, vulnerable
from optimus.rules.deps.vulnerable_packages import OSV_DIR_ENV, DepsVulnerable
from optimus.testing.harness import assert_rule_matches, scan_fixture

HERE = Path(__file__).parent
FIXTURES = HERE / "vulnerable_packages"
DATA = HERE / "osv_data"
RULE = "deps-vulnerable"


def build_export(target: Path) -> Path:
    """Zip each ecosystem folder of osv_data into <target>/<ecosystem>/all.zip."""
    for folder in DATA.iterdir():
        if not folder.is_dir():
            continue
        (target / folder.name).mkdir(parents=True)
        with zipfile.ZipFile(target / folder.name / "all.zip", "w") as archive:
            for record in sorted(folder.glob("*.json")):
                archive.write(record, record.name)
    return target


@pytest.fixture
def osv_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = build_export(tmp_path / "osv")
    monkeypatch.setenv(OSV_DIR_ENV, str(folder))
    return folder


def ids(advisories: list) -> list[str]:
    return [a.id for a in advisories]


# --- matching ------------------------------------------------------------------------------


def test_pypi_ranges_aliases_and_names(osv_dir: Path) -> None:
    index = load_osv(str(osv_dir))
    found = vulnerable(index, "PyPI", "Acme_HTTP", "2.19.0")
    # GHSA-test-0001 and PYSEC-TEST-1 alias each other: one advisory, the GHSA id kept
    assert ids(found) == ["GHSA-test-0001"]
    advisory = found[0]
    assert set(advisory.aliases) == {"CVE-2099-0001", "PYSEC-TEST-1"}
    assert advisory.fixed == "2.20.0"
    assert advisory.severity == "MODERATE" and not advisory.is_critical
    assert vulnerable(index, "PyPI", "acme-http", "2.20.0") == []
    assert vulnerable(index, "PyPI", "acme-http", "2.20") == []  # PEP 440: 2.20 == 2.20.0
    assert ids(vulnerable(index, "PyPI", "acme-http", "1.0rc1")) == ["GHSA-test-0001"]


def test_pypi_fixed_and_last_affected(osv_dir: Path) -> None:
    index = load_osv(str(osv_dir))
    assert vulnerable(index, "PyPI", "acme-yaml", "5.0") == []
    (hit,) = vulnerable(index, "PyPI", "acme.yaml", "5.3.1")
    assert hit.is_critical and hit.fixed == "5.4"
    assert vulnerable(index, "PyPI", "acme-yaml", "5.4") == []
    (last,) = vulnerable(index, "PyPI", "acme-yaml", "6.0.1")  # last_affected is inclusive
    assert last.fixed is None
    assert vulnerable(index, "PyPI", "acme-yaml", "6.0.2") == []


def test_versions_lists_withdrawn_and_git_ranges(osv_dir: Path) -> None:
    index = load_osv(str(osv_dir))
    assert ids(vulnerable(index, "PyPI", "acme-json", "1.1.0")) == ["GHSA-test-0004"]
    assert vulnerable(index, "PyPI", "acme-json", "1.2") == []
    assert vulnerable(index, "PyPI", "acme-orm", "1.0") == []  # withdrawn
    assert vulnerable(index, "PyPI", "acme-git", "1.0") == []  # GIT ranges are skipped
    assert vulnerable(index, "PyPI", "not-there", "1.0") == []


def test_semver_npm_and_crates(osv_dir: Path) -> None:
    index = load_osv(str(osv_dir))
    (pad,) = vulnerable(index, "npm", "acme-left-pad", "1.2.9")
    assert pad.severity == "HIGH" and pad.fixed == "1.3.0"
    assert vulnerable(index, "npm", "acme-left-pad", "1.3.0") == []
    assert ids(vulnerable(index, "npm", "@acme/scoped", "2.1.3")) == ["GHSA-test-0101"]
    assert vulnerable(index, "npm", "@acme/scoped", "1.9.9") == []
    assert ids(vulnerable(index, "npm", "acme-evil", "1.0.0")) == ["MAL-TEST-1"]
    assert vulnerable(index, "npm", "acme-evil", "1.0.1") == []
    assert vulnerable(index, "crates.io", "acme-tls", "0.8.9") == []
    assert vulnerable(index, "crates.io", "acme-tls", "0.10.1")[0].fixed == "0.10.2"
    assert vulnerable(index, "crates.io", "acme-tls", "0.10.2") == []
    # SemVer prereleases sort before their release: 0.11.0-alpha.2 < 0.11.0
    assert ids(vulnerable(index, "crates.io", "acme-tls", "0.11.0-alpha.2")) == ["RUSTSEC-TEST-1"]
    assert vulnerable(index, "crates.io", "acme-tls", "0.11.0") == []
    assert vulnerable(index, "crates.io", "acme-tls", "not-a-version") == []


def test_limit_events_and_unreadable_ranges(tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    (folder / "npm").mkdir(parents=True)
    with zipfile.ZipFile(folder / "npm" / "all.zip", "w") as archive:
        archive.writestr(
            "A.json",
            '{"id": "A", "affected": [{"package": {"ecosystem": "npm", "name": "lim"}, '
            '"ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, '
            '{"limit": "2.0.0"}]}]}]}',
        )
        archive.writestr(
            "B.json",
            '{"id": "B", "affected": [{"package": {"ecosystem": "npm", "name": "odd"}, '
            '"ranges": [{"type": "SEMVER", "events": [{"introduced": "banana"}]}]}]}',
        )
        archive.writestr("broken.json", "{not json")
    index = load_osv(str(folder))
    assert ids(vulnerable(index, "npm", "lim", "1.5.0")) == ["A"]
    assert vulnerable(index, "npm", "lim", "2.0.0") == []
    assert vulnerable(index, "npm", "odd", "1.0.0") == []  # unordered events: no guess
    assert not index.has("PyPI")
    assert vulnerable(index, "PyPI", "anything", "1.0") == []


def test_bad_zip_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "PyPI").mkdir()
    (tmp_path / "PyPI" / "all.zip").write_bytes(b"not a zip")
    index = load_osv(str(tmp_path))
    assert vulnerable(index, "PyPI", "x", "1.0") == []
    assert index.problems and "all.zip" in index.problems[0]


# --- the rule --------------------------------------------------------------------------------


def test_fixtures_match_markers(osv_dir: Path) -> None:
    assert_rule_matches(str(FIXTURES), RULE)


def test_messages_and_severity(osv_dir: Path) -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    by_key = {(f.path, f.line): f for f in result.findings}
    http = by_key[("py_requirements/requirements.txt", 1)]
    assert http.message.startswith(
        "acme-http 2.19.0 (requirements.txt) is affected by GHSA-test-0001 (CVE-2099-0001) "
        "[MODERATE]: acme-http sends credentials to redirected hosts;"
    )
    assert "upgrade acme-http to 2.20.0 or later and re-lock" in http.message
    assert http.severity == Severity.HIGH
    yaml = by_key[("py_requirements/requirements.txt", 3)]
    assert yaml.severity == Severity.CRITICAL
    assert "Acme_YAML 5.3.1" in yaml.message
    last = by_key[("py_pyproject/pyproject.toml", 6)]
    assert "no fixed version is published" in last.message
    evil = by_key[("node_app/package.json", 7)]
    assert "acme-evil 1.0.0 (package.json) is affected by MAL-TEST-1" in evil.message
    assert "=0.10.1" not in by_key[("rust_app/Cargo.toml", 6)].message
    # root lockfiles, read on demand: the exact versions installed
    assert "acme-http 2.19.0 (uv.lock)" in by_key[("py_uvlock/uv.lock", 4)].message
    assert "acme-left-pad 1.2.9 (package-lock.json)" in (
        by_key[("node_lock/package-lock.json", 7)].message
    )
    assert "upgrade acme-tls to 0.11.0" in by_key[("rust_locked/Cargo.lock", 3)].message


def test_silent_without_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OSV_DIR_ENV, raising=False)
    assert scan_fixture(str(FIXTURES), [RULE]).findings == []
    monkeypatch.setenv(OSV_DIR_ENV, "/nonexistent/osv")
    assert scan_fixture(str(FIXTURES), [RULE]).findings == []


def test_rule_reads_lockfiles_when_the_context_holds_them(osv_dir: Path) -> None:
    """A lockfile among the context's sources is read from there (no read from disk)."""
    uv_lock = (
        'version = 1\n\n[[package]]\nname = "svc"\nversion = "0.1.0"\n'
        'source = { editable = "." }\n\n[[package]]\nname = "acme-http"\nversion = "2.19.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
    )
    pyproject = '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["acme-http==2.19.0"]\n'
    sources = {
        "svc/uv.lock": SourceFile("svc/uv.lock", "uv.lock", "meta", uv_lock.encode()),
        "svc/pyproject.toml": SourceFile(
            "svc/pyproject.toml", "pyproject.toml", "pyproject", pyproject.encode()
        ),
    }
    ctx = ProjectContext(Project("svc", "svc"), sources, list(sources))
    rule = get_rule(RULE)
    assert isinstance(rule, DepsVulnerable)
    hits = list(rule.check_project(ctx))
    # the version the lockfile records is reported once, on the lockfile
    assert [(h.path, h.line) for h in hits] == [("svc/uv.lock", 8)]
    assert "(uv.lock)" in hits[0].message


def test_locked_tuple_shape() -> None:
    item = Locked("PyPI", "a", "1.0", 3)
    ecosystem, name, version, line = item
    assert (ecosystem, name, version, line) == ("PyPI", "a", "1.0", 3)
