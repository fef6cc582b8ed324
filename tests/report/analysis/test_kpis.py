"""KPIs follow the stack and the findings, and never carry invented targets."""

from __future__ import annotations

from optimus.model import LanguageStats, Project, Stack
from optimus.report.analysis.kpis import kpis_for
from optimus.report.analysis.model import Evidence, Issue


def _issue(rule: str, findings: int = 1) -> Issue:
    return Issue(
        rule,
        "X1",
        "t",
        "performance",
        "high",
        findings,
        ["a.py"],
        ["a.py:1"],
        0,
        20,
        "high",
        "low",
        Evidence(),
        "",
        "m",
    )


def test_service_with_containers_and_kubernetes() -> None:
    project = Project(
        "svc",
        "svc",
        Stack(
            languages={"Python": LanguageStats(2, 100)},
            frameworks=["FastAPI", "PyTorch"],
            infrastructure=["Dockerfile", "Kubernetes"],
            package_managers=["pip"],
        ),
    )
    kpis = kpis_for(project, [_issue("model-loaded-per-request"), _issue("k8s-no-resources")])
    names = [k.name for k in kpis]
    assert {
        "p95 request latency",
        "Error rate",
        "Image size",
        "Pod restarts, readiness and scaling",
        "Inference latency and memory per worker",
    } <= set(names)
    assert "Release build time and binary speed" not in names
    # KPIs that findings would move come first.
    assert set(names[:3]) >= {"p95 request latency", "Inference latency and memory per worker"}
    latency = next(k for k in kpis if k.name == "p95 request latency")
    assert latency.rules == ("model-loaded-per-request",)
    assert "1 finding here would move it" in latency.why
    assert all(k.how for k in kpis)


def test_rust_library_gets_build_kpis_only() -> None:
    project = Project("lib", "lib", Stack(languages={"Rust": LanguageStats(1, 50)}))
    names = [k.name for k in kpis_for(project, [])]
    assert names == ["Release build time and binary speed", "Panics in production"]


def test_nothing_detected_nothing_derived() -> None:
    assert kpis_for(Project("x", "x"), []) == []
