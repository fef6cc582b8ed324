"""GET /api/v1/analysis/{id}/quality|security|performance: findings by category, scored."""

from __future__ import annotations

import pytest

from tests.api.conftest import Portfolio


@pytest.mark.parametrize(
    ("aspect", "categories", "open_findings", "rules"),
    [
        (
            "quality",
            ["maintainability", "reliability", "dependencies"],
            2,
            ["large-file", "unwrap-density"],
        ),
        ("security", ["security"], 1, ["docker-root-user"]),
        ("performance", ["performance", "cost"], 1, ["http-no-timeout"]),
    ],
)
def test_aspects_of_a_project(
    api, portfolio: Portfolio, aspect: str, categories: list[str], open_findings: int, rules
) -> None:
    pid = portfolio.projects["billing"]
    response = api().get(f"/api/v1/analysis/{pid}/{aspect}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["aspect"] == aspect and body["categories"] == categories
    assert body["open_findings"] == open_findings
    assert sorted(r["rule"] for r in body["top_rules"]) == rules
    assert body["scan_id"] == portfolio.scan_id and body["lines"] == 120
    assert 0 <= body["score"] <= 100 and body["rating"] in "ABCDE"
    assert sum(c["open_findings"] for c in body["by_category"].values()) == open_findings
    assert sum(body["by_severity"].values()) == open_findings


def test_a_project_without_findings_rates_a(api, portfolio: Portfolio) -> None:
    pid = portfolio.projects["clean-lib"]
    body = api().get(f"/api/v1/analysis/{pid}/security").json()
    assert (body["score"], body["rating"], body["open_findings"]) == (100, "A", 0)


def test_security_findings_lower_the_security_rating(api, portfolio: Portfolio) -> None:
    client = api()
    billing = client.get(f"/api/v1/analysis/{portfolio.projects['billing']}/security").json()
    # A high-severity security finding caps the rating at D (report/score.py).
    assert billing["rating"] in ("D", "E")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/analysis/999/quality", 404),
        ("/api/v1/analysis/0/quality", 422),
        ("/api/v1/analysis/1/beauty", 404),
    ],
)
def test_bad_analysis_requests(api, portfolio: Portfolio, path: str, status: int) -> None:
    response = api().get(path)
    assert response.status_code == status
    assert "error" in response.json()


def test_report_is_the_json_report_of_the_project(api, portfolio: Portfolio) -> None:
    from optimus.report.analysis import REPORT_VERSION

    pid = portfolio.projects["billing"]
    response = api().get(f"/api/v1/analysis/{pid}/report")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["report_version"] == REPORT_VERSION
    [project] = body["projects"]
    assert project["name"] == "billing" and project["path"] == "billing"
    assert sum(project["by_severity"].values()) == 4
    assert {i["rule"] for i in project["issues"]} == {
        "unwrap-density",
        "large-file",
        "http-no-timeout",
        "docker-root-user",
    }


def test_report_leaves_out_suppressed_findings(api, portfolio: Portfolio) -> None:
    client = api()
    pid = portfolio.projects["search"]
    [only] = client.get(f"/api/v1/findings?project_id={pid}").json()["items"]
    client.post(f"/api/v1/findings/{only['id']}/suppress", json={"reason": "accepted"})
    project = client.get(f"/api/v1/analysis/{pid}/report").json()["projects"][0]
    assert sum(project["by_severity"].values()) == 0 and project["issues"] == []
