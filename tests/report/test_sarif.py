"""The SARIF report: valid against the OASIS SARIF 2.1.0 schema and shaped for GitHub upload.

The schema file is vendored in tests/report/data (see the README there for its origin).
Findings are built by hand from registered rules, so these tests check the renderer alone.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from optimus.model import (
    Category,
    Confidence,
    Diagnostic,
    Finding,
    Project,
    ScanResult,
    ScanStats,
    Severity,
)
from optimus.registry import get_rule
from optimus.report import sarif
from optimus.report.base import renderer

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    # The OASIS schema declares draft-04; let jsonschema pick the matching validator.
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def finding(
    rule: str = "large-file",
    *,
    path: str = "api/app.py",
    line: int | None = None,
    end_line: int | None = None,
    severity: Severity | None = None,
    message: str = "1200 lines of code (limit 1000): split this file by responsibility",
    fingerprint: str = "0123456789abcdef",
    count: int | None = None,
    project: str = "api",
) -> Finding:
    """A finding of a registered rule, with the rule's own metadata."""
    r = get_rule(rule)
    assert r is not None, f"rule {rule} is not registered"
    return Finding(
        rule=r.name,
        code=r.code,
        category=r.category,
        severity=severity or r.severity,
        confidence=r.confidence,
        message=message,
        path=path,
        line=line,
        end_line=end_line,
        project=project,
        fingerprint=fingerprint,
        count=count,
    )


def external(severity: Severity = Severity.HIGH) -> Finding:
    """A finding of a rule that is not in the catalogue (another engine's)."""
    return Finding(
        rule="sql-injection",
        code="EXT001",
        category=Category.SECURITY,
        severity=severity,
        confidence=Confidence.MEDIUM,
        message="query built from request data",
        path="web/db.py",
        line=7,
        end_line=None,
        project="web",
        fingerprint="fedcba9876543210",
        engine="semgrep",
    )


def scan(findings: list[Finding], diagnostics: list[Diagnostic] | None = None) -> ScanResult:
    return ScanResult(
        root="/srv/portfolio",
        projects=[Project("api", "api"), Project("web", "web")],
        findings=findings,
        diagnostics=diagnostics or [],
        stats=ScanStats(files=3, lines=2500),
    )


def sample() -> ScanResult:
    unwrap = get_rule("unwrap-density")
    findings = [
        finding(count=1200, fingerprint="aaaaaaaaaaaaaaaa"),
        finding(path="api/my dir/big#1.py", fingerprint="bbbbbbbbbbbbbbbb", count=1500),
        external(),
    ]
    if unwrap is not None:
        findings.append(
            finding(
                "unwrap-density",
                path="core/src/lib.rs",
                line=10,
                end_line=12,
                message="12 unwrap() calls",
                fingerprint="cccccccccccccccc",
                project="core",
            )
        )
    return scan(findings, [Diagnostic("web/broken.py", "could not parse: invalid syntax")])


def log_of(result: ScanResult) -> dict[str, Any]:
    return json.loads(sarif.render(result))


def test_sample_is_valid_sarif(validator: jsonschema.protocols.Validator) -> None:
    errors = sorted(validator.iter_errors(log_of(sample())), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_empty_scan_is_valid_sarif(validator: jsonschema.protocols.Validator) -> None:
    log = log_of(scan([]))
    validator.validate(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []


def test_schema_rejects_a_broken_log(validator: jsonschema.protocols.Validator) -> None:
    # The validation above means something only if the schema catches real mistakes.
    log = log_of(sample())
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not validator.is_valid(log)
    log = log_of(sample())
    log["runs"][0]["results"][0]["level"] = "critical"
    assert not validator.is_valid(log)


def test_vendored_schema_is_the_oasis_one() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_header_and_tool() -> None:
    log = log_of(sample())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "Optimus"
    assert driver["informationUri"].startswith("https://")
    try:
        from optimus import __version__ as expected
    except ImportError:
        expected = version("optimus-bot")
    assert driver["version"] == expected


def test_rules_are_the_seen_ones_sorted_and_indexed() -> None:
    log = log_of(sample())
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    seen = {r["ruleId"] for r in run["results"]}
    assert ids == sorted(seen)
    assert len(ids) == len(set(ids))
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_registered_rule_descriptor() -> None:
    rule = get_rule("large-file")
    assert rule is not None
    log = log_of(scan([finding()]))
    (descriptor,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["id"] == rule.code == "MT001"
    assert descriptor["name"] == "LargeFile"
    assert descriptor["shortDescription"]["text"] == rule.summary
    assert descriptor["fullDescription"]["text"] == rule.doc["What it finds"]
    assert descriptor["helpUri"] == (
        "https://github.com/optimus-bot/optimus/blob/main/docs/rules/large-file.md"
    )
    markdown = descriptor["help"]["markdown"]
    for title in rule.doc:
        assert f"## {title}" in markdown
    for ref in rule.references:
        assert f"[{ref.title}]({ref.url})" in markdown
        assert ref.url in descriptor["help"]["text"]
    assert descriptor["defaultConfiguration"]["level"] == "note"  # large-file is low
    props = descriptor["properties"]
    assert props["tags"] == ["maintainability"]
    assert props["precision"] == "high"
    assert props["problem.severity"] == "recommendation"
    assert props["optimus-rule"] == "large-file"
    assert "security-severity" not in props


def test_unregistered_rule_gets_a_descriptor_from_the_finding() -> None:
    log = log_of(scan([external(Severity.CRITICAL)]))
    (descriptor,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["id"] == "EXT001"
    assert descriptor["name"] == "SqlInjection"
    props = descriptor["properties"]
    # Security rules carry GitHub's numeric severity, critical above 9.0.
    assert props["tags"] == ["security"]
    assert float(props["security-severity"]) > 9.0
    assert props["precision"] == "medium"
    assert descriptor["defaultConfiguration"]["level"] == "error"
    assert "helpUri" not in descriptor  # no Optimus docs page for another engine's rule


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "note"),
        (Severity.INFO, "note"),
    ],
)
def test_level_follows_the_finding_severity(severity: Severity, level: str) -> None:
    (result,) = log_of(scan([finding(severity=severity)]))["runs"][0]["results"]
    assert result["level"] == level
    assert result["properties"]["severity"] == severity.value


def test_result_location_and_fingerprint() -> None:
    f = finding(line=40, end_line=45, fingerprint="0011223344556677", count=3)
    (result,) = log_of(scan([f]))["runs"][0]["results"]
    assert result["ruleId"] == "MT001"
    assert result["message"]["text"] == f.message
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "api/app.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 40, "endLine": 45}
    assert result["partialFingerprints"] == {"optimus/v1": "0011223344556677"}
    props = result["properties"]
    assert props["rule"] == "large-file"
    assert props["category"] == "maintainability"
    assert props["confidence"] == "high"
    assert props["project"] == "api"
    assert props["count"] == 3


def test_region_without_lines() -> None:
    # GitHub places every alert on a line, so a file-level finding points at line 1 and
    # claims no end line; a finding with only a start line has no endLine either.
    results = log_of(scan([finding(), finding(path="b.py", line=9)]))["runs"][0]["results"]
    regions = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    assert regions["api/app.py"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert regions["b.py"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 9}
    assert "count" not in regions["b.py"]["properties"]


def test_paths_are_relative_uri_references() -> None:
    (result,) = log_of(scan([finding(path="api/my dir/big#1.py")]))["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "api/my%20dir/big%231.py"


def test_srcroot_is_an_absolute_directory_uri() -> None:
    log = log_of(scan([finding()]))
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == Path("/srv/portfolio").resolve().as_uri() + "/"


def test_diagnostics_become_notifications() -> None:
    result = scan(
        [],
        [
            Diagnostic("web/z.py", "unreadable"),
            Diagnostic("web/a.py", "could not parse: invalid syntax"),
        ],
    )
    (invocation,) = log_of(result)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "could not parse: invalid syntax",
        "unreadable",
    ]
    assert {n["level"] for n in notes} == {"warning"}
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "web/a.py",
        "uriBaseId": "%SRCROOT%",
    }


def test_output_is_deterministic() -> None:
    result = sample()
    shuffled = scan(list(reversed(result.findings)), list(result.diagnostics))
    text = sarif.render(result)
    assert text == sarif.render(shuffled)
    assert text.endswith("\n")
    assert text.startswith('{\n  "$schema"')  # indent 2


def test_registered_as_the_sarif_format() -> None:
    assert renderer("sarif") is sarif.render


def test_pascal_case() -> None:
    assert sarif.pascal_case("blocking-call-in-async") == "BlockingCallInAsync"
    assert sarif.pascal_case("large-file") == "LargeFile"
