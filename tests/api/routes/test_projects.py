"""GET /api/v1/projects (filters, sort, pages) and one project's detail, on both backends."""

from __future__ import annotations

import pytest

from optimus.api.schemas import Page, ProjectOut
from optimus.store.db import Database
from optimus.store.models import Project
from tests.api.conftest import Portfolio


def names(body: dict) -> list[str]:
    return [p["name"] for p in body["items"]]


def test_lists_every_project_with_total_and_counts(api, portfolio: Portfolio) -> None:
    body = api().get("/api/v1/projects").json()
    assert body["total"] == 3
    assert names(body) == ["billing", "clean-lib", "search"]
    by_name = {p["name"]: p for p in body["items"]}
    assert by_name["billing"]["open_findings"] == 4
    assert by_name["clean-lib"]["open_findings"] == 0
    assert by_name["billing"]["root"] == portfolio.root
    assert by_name["billing"]["last_scan_id"] == portfolio.scan_id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=ILL", ["billing"]),
        ("name=%25", []),  # a LIKE wildcard is matched literally
        ("name=_", []),
        ("stack=rust", ["billing", "clean-lib", "search"]),
        ("stack=fastapi", []),
        ("sort=-findings", ["billing", "search", "clean-lib"]),
        ("sort=findings&limit=1&offset=1", ["search"]),
    ],
)
def test_filters_and_sorts(api, portfolio: Portfolio, query: str, expected: list[str]) -> None:
    response = api().get(f"/api/v1/projects?{query}")
    assert response.status_code == 200, response.text
    assert names(response.json()) == expected


@pytest.mark.parametrize("query", ["", "limit=2&offset=1", "sort=-score", "offset=10"])
def test_the_page_is_byte_for_byte_what_the_models_write(
    api, portfolio: Portfolio, database: Database, query: str
) -> None:
    # The route writes rows straight to JSON; this is the page as ProjectOut validated from
    # the ORM objects writes it, the way the route answered before.
    response = api().get(f"/api/v1/projects?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    with database.session() as s:
        items = [ProjectOut.model_validate(s.get(Project, p["id"])) for p in body["items"]]
    expected = Page[ProjectOut](
        items=items, total=body["total"], limit=body["limit"], offset=body["offset"]
    )
    assert response.content == expected.model_dump_json().encode()
    assert body["total"] == 3
    assert all(list(item) == list(ProjectOut.model_fields) for item in body["items"])
    if "offset=10" in query:
        assert body["items"] == []
    else:
        assert any(item["stack"] for item in body["items"])


def test_score_filters_and_rating(api, portfolio: Portfolio) -> None:
    client = api()
    everyone = client.get("/api/v1/projects").json()["items"]
    scores = {p["name"]: p["score"] for p in everyone}
    assert all(s is not None for s in scores.values())
    worst = min(scores.values())
    below = client.get(f"/api/v1/projects?max_score={worst}").json()
    assert {p["name"] for p in below["items"]} == {n for n, s in scores.items() if s <= worst}
    above = client.get(f"/api/v1/projects?min_score={worst + 0.5}").json()
    assert {p["name"] for p in above["items"]} == {n for n, s in scores.items() if s > worst}
    rated = client.get("/api/v1/projects?rating=A&rating=D").json()
    assert names(rated) == ["billing", "clean-lib"]
    ordered = client.get("/api/v1/projects?sort=-score").json()["items"]
    assert [p["score"] for p in ordered] == sorted(scores.values(), reverse=True)


def test_pages_cover_the_list_once(api, portfolio: Portfolio) -> None:
    client = api()
    seen = []
    for offset in range(0, 4, 2):
        page = client.get(f"/api/v1/projects?limit=2&offset={offset}").json()
        assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == offset
        seen += names(page)
    assert seen == ["billing", "clean-lib", "search"]


def test_detail_has_latest_figures_and_scans(api, portfolio: Portfolio) -> None:
    pid = portfolio.projects["billing"]
    body = api().get(f"/api/v1/projects/{pid}").json()
    assert body["name"] == "billing"
    assert body["latest"]["scan_id"] == portfolio.scan_id
    assert body["latest"]["by_severity"] == {"high": 2, "medium": 2}
    assert [s["id"] for s in body["recent_scans"]] == [portfolio.scan_id]
    assert body["recent_scans"][0]["status"] == "done"


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/v1/projects/999999", 404, None),
        ("/api/v1/projects/0", 422, "path.project_id"),
        ("/api/v1/projects/-4", 422, "path.project_id"),
        ("/api/v1/projects/abc", 422, "path.project_id"),
        ("/api/v1/projects/99999999999999999999", 422, "path.project_id"),
        ("/api/v1/projects?limit=0", 422, "query.limit"),
        ("/api/v1/projects?limit=501", 422, "query.limit"),
        ("/api/v1/projects?offset=-1", 422, "query.offset"),
        ("/api/v1/projects?sort=size", 422, "query.sort"),
        ("/api/v1/projects?rating=F", 422, "query.rating.0"),
        ("/api/v1/projects?min_score=nan", 422, "query.min_score"),
        ("/api/v1/projects?max_score=101", 422, "query.max_score"),
        ("/api/v1/projects?name=a%00b", 422, "query.name"),
    ],
)
def test_bad_ids_and_parameters_are_json_4xx(
    api, portfolio: Portfolio, path: str, status: int, field: str | None
) -> None:
    response = api().get(path)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] in ("not_found", "validation_error")
    assert error["message"]
    if field is not None:
        assert field in [d["field"] for d in error["detail"]]


def test_history_shows_the_trend_and_rule_deltas(api, database, tmp_path) -> None:
    from optimus.model import Severity
    from optimus.store.record import record_scan
    from tests.store.factories import finding, result

    root = str(tmp_path / "trend")
    first = [finding(f"u{i}", severity=Severity.LOW) for i in range(3)]
    record_scan(database, result(root, first))
    record_scan(database, result(root, first[:1]))
    client = api()
    pid = client.get("/api/v1/projects").json()["items"][0]["id"]
    body = client.get(f"/api/v1/projects/{pid}/history").json()
    assert [s["findings"] for s in body["scans"]] == [3, 1]
    assert [(d["rule"], d["first"], d["latest"]) for d in body["deltas"]] == [
        ("unwrap-density", 3, 1)
    ]
    assert len(client.get(f"/api/v1/projects/{pid}/history?limit=1").json()["scans"]) == 1
    assert client.get(f"/api/v1/projects/{pid}/history?limit=0").status_code == 422
    assert client.get("/api/v1/projects/999/history").status_code == 404
