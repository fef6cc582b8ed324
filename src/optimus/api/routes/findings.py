"""Findings: list with filters and pages, one finding (viewer); suppress and lift (operator)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic_core import to_json

from optimus.api.auth import Principal
from optimus.api.deps import cached_json, record, require, state
from optimus.api.routes.scans import MAX_ID, Limit, Offset
from optimus.api.schemas import CleanStr, FindingOut, Page, SuppressRequest
from optimus.store import findings as store_findings
from optimus.store.queries import findings as queries

router = APIRouter(prefix="/api/v1/findings", tags=["findings"])

# FindingOut's fields, in its order: the columns a page selects and the keys of its JSON.
_FIELDS = tuple(FindingOut.model_fields)

FindingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The finding's id.")]
Severity = Literal["critical", "high", "medium", "low", "info"]
State = Literal["open", "fixed", "suppressed"]
Category = Literal[
    "performance", "cost", "reliability", "security", "maintainability", "dependencies"
]


@router.get("", response_model=Page[FindingOut])
async def findings_list(
    request: Request,
    _: Annotated[Principal, Depends(require("viewer"))],
    project_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    rule: Annotated[
        list[CleanStr] | None, Query(max_length=20, description="Rule names (repeatable).")
    ] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    state_: Annotated[list[State] | None, Query(alias="state")] = None,
    category: Annotated[list[Category] | None, Query()] = None,
    sort: Annotated[
        Literal["id", "-id", "severity"], Query(description="id, -id, or most severe first.")
    ] = "id",
    limit: Limit = 50,
    offset: Offset = 0,
    cursor: Annotated[
        CleanStr | None,
        Query(max_length=64, description="next_cursor of the previous page (sort=id only)."),
    ] = None,
) -> Any:
    """Findings matching the filters, one page at a time, with the total."""

    def build() -> bytes:
        filters = queries.FindingFilter(
            project_id=project_id,
            rule=tuple(rule or ()),
            severity=tuple(severity or ()),
            state=tuple(state_ or ()),
            category=tuple(category or ()),
        )
        with state(request).db.read() as connection:
            page = queries.list_findings(
                connection,
                filters,
                sort=sort,
                limit=limit,
                offset=offset,
                cursor=cursor,
                columns=_FIELDS,
            )
        # The rows go to JSON as they are, without a FindingOut each: the store's columns
        # and CHECK constraints already hold what FindingOut would check, and pydantic's own
        # serializer writes them (datetimes included) byte for byte as Page[FindingOut]
        # would. tests/api/routes/test_findings.py pins that equality.
        return to_json(
            {
                # zip stops before the total each row carries last.
                "items": [dict(zip(_FIELDS, row, strict=False)) for row in page.items],
                "total": page.total,
                "limit": page.limit,
                "offset": page.offset,
                "next_cursor": page.next_cursor,
            }
        )

    return await cached_json(request, build)


@router.get("/{finding_id}", response_model=FindingOut)
def finding_detail(
    request: Request, finding_id: FindingId, _: Annotated[Principal, Depends(require("viewer"))]
) -> Any:
    """One finding and its life: first and last seen, fixed, suppressed."""
    with state(request).db.session() as session:
        return FindingOut.model_validate(store_findings.get_finding(session, finding_id))


@router.post("/{finding_id}/suppress", response_model=FindingOut)
def finding_suppress(
    request: Request,
    finding_id: FindingId,
    body: SuppressRequest,
    caller: Annotated[Principal, Depends(require("operator"))],
) -> Any:
    """Suppress a finding with a reason; later scans keep it suppressed."""
    app = state(request)
    with app.db.session() as session:
        finding = store_findings.suppress_finding(
            session, finding_id, reason=body.reason, by=caller.name
        )
        record(
            request,
            session,
            caller,
            "finding.suppress",
            f"finding:{finding_id}",
            {"reason": body.reason, "rule": finding.rule, "project_id": finding.project_id},
        )
        out = FindingOut.model_validate(finding)
    app.cache.invalidate()
    return out


@router.delete("/{finding_id}/suppress", response_model=FindingOut)
def finding_unsuppress(
    request: Request,
    finding_id: FindingId,
    caller: Annotated[Principal, Depends(require("operator"))],
) -> Any:
    """Lift a suppression: open again if the latest scan still saw it, else fixed."""
    app = state(request)
    with app.db.session() as session:
        finding = store_findings.unsuppress_finding(session, finding_id)
        record(request, session, caller, "finding.unsuppress", f"finding:{finding_id}")
        out = FindingOut.model_validate(finding)
    app.cache.invalidate()
    return out
