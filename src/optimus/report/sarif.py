"""The SARIF format: a SARIF 2.1.0 log that GitHub code scanning accepts as an upload.

One run, tool ``Optimus``. ``tool.driver.rules`` holds one reportingDescriptor per rule that
has a finding (GitHub needs no others and shows each one's help on the alert page); each
result points at its descriptor by ``ruleId`` (the rule code) and ``ruleIndex``. Paths stay
relative to the scan root under ``%SRCROOT%``, and every result carries the finding's stable
fingerprint as ``partialFingerprints["optimus/v1"]``, so GitHub matches alerts across scans
instead of computing its own fingerprints from file contents. Diagnostics (files Optimus
could not read or parse) become tool execution notifications of the one invocation.

References: the OASIS SARIF 2.1.0 specification and GitHub's "SARIF support for code
scanning" (precision, problem.severity, security-severity, partialFingerprints).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from optimus.model import Category, Confidence, Diagnostic, Finding, ScanResult, Severity

if TYPE_CHECKING:
    from optimus.rules.base import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "Optimus"
INFORMATION_URI = "https://github.com/optimus-bot/optimus"
#: Where each rule's generated documentation lives (docs/rules/NAME.md in the repository).
RULE_DOCS_URL = INFORMATION_URI + "/blob/main/docs/rules/{name}.md"
#: Key of our fingerprint in partialFingerprints; bump the version if the scheme changes, so
#: GitHub does not match old and new fingerprints as if they were the same kind of value.
FINGERPRINT_KEY = "optimus/v1"
SRCROOT = "%SRCROOT%"

#: SARIF has three result levels; critical and high both need action before merging.
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

#: GitHub's ``problem.severity`` for non-security rules (error, warning, recommendation).
PROBLEM_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "recommendation",
    Severity.INFO: "recommendation",
}

#: GitHub ranks security alerts by ``security-severity`` (a CVSS-like score as a string:
#: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low). Info has no band there,
#: so info rules carry none and GitHub falls back to the level.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}

#: GitHub's ``precision`` scale is very-high/high/medium/low; our confidence has three
#: steps, so "very-high" is never claimed.
PRECISION = {
    Confidence.HIGH: "high",
    Confidence.MEDIUM: "medium",
    Confidence.LOW: "low",
}


def render(result: ScanResult) -> str:
    """The scan as a SARIF 2.1.0 log (JSON text, indent 2, keys and results in stable order)."""
    findings = sorted(result.findings, key=_finding_order)
    descriptors, index = _descriptors(findings)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "informationUri": INFORMATION_URI,
                "version": _tool_version(),
                "rules": descriptors,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(result.root)}},
        "invocations": [
            {
                # Diagnostics are files skipped, not a failed scan: the results are valid.
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    _notification(d)
                    for d in sorted(result.diagnostics, key=lambda d: (d.path, d.message))
                ],
            }
        ],
        "results": [_result(f, index[f.code]) for f in findings],
    }
    log = {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


def rule_docs_url(name: str) -> str:
    """The URL of a rule's documentation page (docs/rules/NAME.md on the main branch)."""
    return RULE_DOCS_URL.format(name=quote(name, safe=""))


def pascal_case(name: str) -> str:
    """``blocking-call-in-async`` -> ``BlockingCallInAsync``.

    The SARIF validator's guidance (rule SARIF2012) asks for a Pascal-case friendly name in
    ``reportingDescriptor.name``; the kebab name stays in the descriptor's properties.
    """
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-"))


def _tool_version() -> str:
    # Imported here, not at module level: optimus/__init__.py may not define __version__ in
    # every checkout, and the installed distribution's metadata is the same number.
    try:
        from optimus import __version__

        return str(__version__)
    except ImportError:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("optimus-bot")
        except PackageNotFoundError:
            return "0.0.0"


def _root_uri(root: str) -> str:
    # originalUriBaseIds must be an absolute URI ending in "/" so relative result URIs resolve
    # against it (SARIF 3.14.14); the scan root may have been given as a relative path.
    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _artifact_uri(path: str) -> str:
    # Finding paths are relative with "/" separators; percent-encode spaces, "#", "%" and
    # other characters that are not allowed in a URI reference, keeping the slashes.
    return quote(path, safe="/")


def _finding_order(f: Finding) -> tuple[str, int, int, str, str, str]:
    return (f.path, f.line or 0, f.end_line or 0, f.code, f.fingerprint, f.message)


def _descriptors(findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One reportingDescriptor per rule code seen, sorted by code, and code -> index."""
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.code, f)
    codes = sorted(first)
    descriptors = [_descriptor(first[code]) for code in codes]
    return descriptors, {code: i for i, code in enumerate(codes)}


def _lookup_rule(name: str) -> Rule | None:
    # Imported here so that rendering a report does not import the rule catalogue until it
    # is needed (and so this module imports cleanly before the rules do).
    from optimus.registry import get_rule

    return get_rule(name)


def _descriptor(sample: Finding) -> dict[str, Any]:
    """The reportingDescriptor of the rule that produced ``sample``.

    Registered rules give their full metadata. A finding whose rule is not in the catalogue
    (another engine's, or a rule since removed) still gets a descriptor built from the
    finding, because every result needs one to point at.
    """
    rule = _lookup_rule(sample.rule) if sample.engine == "optimus" else None
    if rule is None:
        name, category, severity, confidence = (
            sample.rule,
            sample.category,
            sample.severity,
            sample.confidence,
        )
        summary = sample.rule
        doc: dict[str, str] = {}
        references: list[tuple[str, str]] = []
    else:
        name, category, severity, confidence = (
            rule.name,
            rule.category,
            rule.severity,
            rule.confidence,
        )
        summary = rule.summary or rule.name
        doc = dict(rule.doc)
        references = [(r.title, r.url) for r in rule.references]

    full = doc.get("What it finds", summary)
    properties: dict[str, Any] = {
        "tags": [str(category)],
        "precision": PRECISION[confidence],
        "problem.severity": PROBLEM_SEVERITY[severity],
        "optimus-rule": name,
    }
    # GitHub reads security-severity only on rules tagged "security"; the category value
    # "security" is that tag.
    if category is Category.SECURITY and severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    descriptor: dict[str, Any] = {
        "id": sample.code,
        "name": pascal_case(name),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full, "markdown": full},
        "help": {
            "text": _help_text(summary, doc, references),
            "markdown": _help_markdown(summary, doc, references),
        },
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": properties,
    }
    if rule is not None:
        # Only catalogue rules have a page under docs/rules/.
        descriptor["helpUri"] = rule_docs_url(name)
    return descriptor


def _help_markdown(summary: str, doc: dict[str, str], references: list[tuple[str, str]]) -> str:
    parts = [summary]
    parts += [f"## {title}\n\n{body.strip()}" for title, body in doc.items()]
    if references:
        parts.append("## References\n\n" + "\n".join(f"- [{t}]({u})" for t, u in references))
    return "\n\n".join(parts)


def _help_text(summary: str, doc: dict[str, str], references: list[tuple[str, str]]) -> str:
    # Plain-text clients (IDE viewers) show this verbatim, so section titles are set on their
    # own lines rather than as Markdown headings.
    parts = [summary]
    parts += [f"{title}:\n{body.strip()}" for title, body in doc.items()]
    if references:
        parts.append("References:\n" + "\n".join(f"- {t}: {u}" for t, u in references))
    return "\n\n".join(parts)


def _region(f: Finding) -> dict[str, int]:
    # GitHub code scanning needs a region with startLine on every result to place an alert
    # (sarif-sdk rule GH1003), so a file-level finding is pinned to line 1.
    if f.line is None:
        return {"startLine": 1}
    region = {"startLine": f.line}
    if f.end_line is not None and f.end_line >= f.line:
        region["endLine"] = f.end_line
    return region


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "rule": f.rule,
        "category": str(f.category),
        "severity": str(f.severity),
        "confidence": str(f.confidence),
        "project": f.project,
        "fixable": f.fixable,
        "engine": f.engine,
    }
    if f.count is not None:
        properties["count"] = f.count
    return {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _artifact_uri(f.path), "uriBaseId": SRCROOT},
                    "region": _region(f),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": properties,
    }


def _notification(d: Diagnostic) -> dict[str, Any]:
    notification: dict[str, Any] = {"level": "warning", "message": {"text": d.message}}
    if d.path:
        notification["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _artifact_uri(d.path), "uriBaseId": SRCROOT}
                }
            }
        ]
    return notification
