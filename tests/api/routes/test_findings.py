"""GET /api/v1/findings (filters, offset and cursor pages) and suppression, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from optimus.store.db import Database
from optimus.store.models import AuditLog, Project
from tests.api.conftest import Portfolio


def rules(body: dict) -> list[str]:
    return [f["rule"] for f in body["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("severity=high", ["unwrap-density", "docker-root-user"]),
        ("severity=high&severity=low", ["unwrap-density", "docker-root-user", "unwrap-density"]),
        ("category=performance", ["http-no-timeout"]),
        ("rule=large-file", ["large-file"]),
        ("state=fixed", []),
        ("sort=severity&limit=2", ["unwrap-density", "docker-root-user"]),
    ],
)
def test_filters(api, portfolio: Portfolio, query: str, expected: list[str]) -> None:
    response = api().get(f"/api/v1/findings?{query}")
    assert response.status_code == 200, response.text
    assert rules(response.json()) == expected


def test_one_projects_findings(api, portfolio: Portfolio) -> None:
    search = portfolio.projects["search"]
    body = api().get(f"/api/v1/findings?project_id={search}").json()
    assert body["total"] == 1
    only = body["items"][0]
    assert (only["project_id"], only["severity"], only["state"]) == (search, "low", "open")


def test_cursor_pages_reach_every_finding_once(api, portfolio: Portfolio) -> None:
    client = api()
    seen: list[int] = []
    url = "/api/v1/findings?limit=2"
    while True:
        page = client.get(url).json()
        assert page["total"] == 5
        seen += [f["id"] for f in page["items"]]
        if page["next_cursor"] is None:
            break
        url = f"/api/v1/findings?limit=2&cursor={page['next_cursor']}"
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("cursor=nonsense", 400),
        ("cursor=aWQ6eA", 400),  # "id:x"
        ("cursor=aWQ6MQ&sort=-id", 400),
        ("severity=urgent", 422),
        ("state=closed", 422),
        ("project_id=0", 422),
    ],
)
def test_bad_queries_are_4xx(api, portfolio: Portfolio, query: str, status: int) -> None:
    response = api().get(f"/api/v1/findings?{query}")
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]


def test_suppress_then_lift_is_audited_and_seen_at_once(
    api, portfolio: Portfolio, database: Database
) -> None:
    client = api()
    billing = portfolio.projects["billing"]
    listed = client.get(f"/api/v1/findings?project_id={billing}&rule=large-file").json()
    target = listed["items"][0]["id"]
    assert client.get("/api/v1/projects?name=billing").json()["items"][0]["open_findings"] == 4

    response = client.post(f"/api/v1/findings/{target}/suppress", json={"reason": "generated"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["suppressed_reason"]) == ("suppressed", "generated")
    assert body["suppressed_by"] == "anonymous"
    # The cached list was dropped: the new state and count show on the next read.
    after = client.get(f"/api/v1/findings?project_id={billing}&rule=large-file").json()
    assert after["items"][0]["state"] == "suppressed"
    assert client.get("/api/v1/projects?name=billing").json()["items"][0]["open_findings"] == 3

    again = client.post(f"/api/v1/findings/{target}/suppress", json={"reason": "twice"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"

    lifted = client.delete(f"/api/v1/findings/{target}/suppress")
    assert lifted.status_code == 200 and lifted.json()["state"] == "open"
    with database.session() as s:
        entries = s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        assert [(e.action, e.target) for e in entries] == [
            ("finding.suppress", f"finding:{target}"),
            ("finding.unsuppress", f"finding:{target}"),
        ]
        assert entries[0].detail["reason"] == "generated"
        assert entries[0].remote_addr == "testclient"
        assert s.get(Project, billing).open_findings == 4


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": ""}, {"reason": "x" * 2001}, {"reason": "a\u0000b"}, {"why": "x"}, []],
)
def test_bad_suppress_bodies_are_422(api, portfolio: Portfolio, body: object) -> None:
    response = api().post("/api/v1/findings/1/suppress", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


def test_malformed_json_is_422(api, portfolio: Portfolio) -> None:
    response = api().post(
        "/api/v1/findings/1/suppress",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_suppressing_a_missing_finding_is_404(api, portfolio: Portfolio) -> None:
    response = api().post("/api/v1/findings/424242/suppress", json={"reason": "x"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "no finding with id 424242"


# The documented shape of a findings page: these keys, in this order.
PAGE_KEYS = ["items", "total", "limit", "offset", "next_cursor"]
FINDING_KEYS = [
    "id",
    "project_id",
    "fingerprint",
    "rule",
    "code",
    "category",
    "severity",
    "confidence",
    "message",
    "path",
    "line",
    "end_line",
    "count",
    "engine",
    "fixable",
    "state",
    "first_seen",
    "last_seen",
    "fixed_at",
    "suppressed_reason",
    "suppressed_by",
    "suppressed_at",
]


# Escapes, non-ASCII and a line separator: written the same by both serializers.
REASON = 'é "quoted"\n\tnext \u2028 \\ ✓'


def _as_the_models_write_it(database: Database, body: dict) -> bytes:
    # The page as FindingOut validated from the ORM rows would write it, the way the route
    # answered before it wrote rows straight to JSON.
    from optimus.api.schemas import FindingOut, Page
    from optimus.store.models import Finding

    with database.session() as s:
        items = [FindingOut.model_validate(s.get(Finding, f["id"])) for f in body["items"]]
        return (
            Page[FindingOut](items=items, **{k: body[k] for k in PAGE_KEYS[1:]})
            .model_dump_json()
            .encode()
        )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "limit=2",
        "sort=severity&limit=3&offset=1",
        "sort=-id",
        "state=suppressed",
        "offset=50",
    ],
)
def test_the_page_is_byte_for_byte_what_the_models_write(
    api, portfolio: Portfolio, database: Database, query: str
) -> None:
    client = api()
    billing = portfolio.projects["billing"]
    # One finding suppressed and one fixed, so the nullable fields carry values too.
    listed = client.get(f"/api/v1/findings?project_id={billing}").json()["items"]
    client.post(f"/api/v1/findings/{listed[0]['id']}/suppress", json={"reason": REASON})
    client.post(f"/api/v1/findings/{listed[1]['id']}/suppress", json={"reason": "x"})
    client.delete(f"/api/v1/findings/{listed[1]['id']}/suppress")
    if "state" not in query:
        query = f"project_id={billing}&{query}"
    response = client.get(f"/api/v1/findings?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == PAGE_KEYS
    assert all(list(item) == FINDING_KEYS for item in body["items"])
    assert response.content == _as_the_models_write_it(database, body)
    if "offset=50" in query:
        assert body["items"] == [] and body["total"] == 4
    elif "state" in query:
        (only,) = body["items"]
        assert only["suppressed_reason"] == REASON and only["suppressed_at"]
    else:
        assert body["items"]


def test_a_cursor_page_keeps_the_total_and_the_shape(
    api, portfolio: Portfolio, database: Database
) -> None:
    client = api()
    first = client.get("/api/v1/findings?limit=3").json()
    response = client.get(f"/api/v1/findings?limit=3&cursor={first['next_cursor']}")
    body = response.json()
    assert (body["total"], len(body["items"]), body["next_cursor"]) == (5, 2, None)
    assert response.content == _as_the_models_write_it(database, body)
    # Past the last finding: no rows to carry the total, which is counted apart.
    last = body["items"][-1]["id"]
    from optimus.store.queries.paging import encode_cursor

    beyond = client.get(f"/api/v1/findings?limit=3&cursor={encode_cursor(last)}").json()
    assert (beyond["items"], beyond["total"], beyond["next_cursor"]) == ([], 5, None)


def test_the_openapi_schema_still_documents_the_page(api) -> None:
    schema = api().get("/openapi.json").json()
    answer = schema["paths"]["/api/v1/findings"]["get"]["responses"]["200"]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    page = schema["components"]["schemas"][ref]
    assert list(page["properties"]) == PAGE_KEYS
    items = page["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1]
    assert list(schema["components"]["schemas"][items]["properties"]) == FINDING_KEYS
