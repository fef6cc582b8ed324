"""Build ScanResults by hand, for storage tests that need exact control of the findings."""

from __future__ import annotations

from optimus.model import (
    Category,
    Confidence,
    Finding,
    LanguageStats,
    Project,
    ScanResult,
    ScanStats,
    Severity,
    Stack,
)


def finding(
    fingerprint: str,
    *,
    project: str = "svc",
    rule: str = "unwrap-density",
    severity: Severity = Severity.MEDIUM,
    category: Category = Category.RELIABILITY,
    path: str = "src/main.rs",
    line: int | None = 3,
    count: int | None = None,
) -> Finding:
    """One finding of ``project`` with a chosen fingerprint."""
    full = path if project == "." else f"{project}/{path}"
    return Finding(
        rule=rule,
        code="RS001" if rule == "unwrap-density" else "PY001",
        category=category,
        severity=severity,
        confidence=Confidence.HIGH,
        message=f"{rule} here",
        path=full,
        line=line,
        end_line=line,
        project=project,
        fingerprint=fingerprint,
        count=count,
    )


def result(root: str, findings: list[Finding], projects: tuple[str, ...] = ("svc",)) -> ScanResult:
    """A scan of ``root`` that found ``projects`` and ``findings``."""
    stack = Stack(languages={"Rust": LanguageStats(files=3, lines=120)})
    return ScanResult(
        root=root,
        projects=[Project(path=p, name=p.rsplit("/", 1)[-1], stack=stack) for p in projects],
        findings=findings,
        diagnostics=[],
        stats=ScanStats(files=3, lines=120, seconds=0.25),
    )
