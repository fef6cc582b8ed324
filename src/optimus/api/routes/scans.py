"""Scans: list and status (viewer); request one for a folder under a root (operator)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from optimus.api.auth import Principal
from optimus.api.deps import record, require, state
from optimus.api.errors import ApiError
from optimus.api.roots import allowed_path
from optimus.api.schemas import Page, ScanAccepted, ScanOut, ScanRequest
from optimus.store import scans as store_scans
from optimus.store.queries.scans import list_scans

router = APIRouter(prefix="/api/v1/scans", tags=["scans"])

MAX_ID = 2**31 - 1
ScanId = Annotated[int, Path(ge=1, le=MAX_ID, description="The scan's id.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Rows to skip.")]


def queue(
    request: Request,
    caller: Principal,
    path: str,
    *,
    project_id: int | None = None,
    action: str = "scan.request",
    report: bool = False,
) -> JSONResponse:
    """Check the path, queue a scan row, audit it, hand it to the workers: 202."""
    app = state(request)
    resolved = allowed_path(path, app.settings.roots)
    with app.db.session() as session:
        scan = store_scans.queue_scan(
            session, resolved, requested_by=caller.name, project_id=project_id
        )
        record(
            request,
            session,
            caller,
            action,
            f"scan:{scan.id}",
            {"path": resolved, "project_id": project_id},
        )
        scan_id = scan.id
    try:
        app.jobs.submit(scan_id, resolved, caller.name)
    except Exception as exc:  # no worker could be started: say so, and close the scan
        with app.db.session() as session:
            store_scans.fail_scan(session, scan_id, f"no scan worker: {type(exc).__name__}")
        raise ApiError(
            503, "the background scan workers are unavailable; see the server log"
        ) from exc
    body = ScanAccepted(
        scan_id=scan_id,
        status="queued",
        status_url=f"/api/v1/scans/{scan_id}",
        report_url=f"/api/v1/analysis/{project_id}/report" if report and project_id else None,
    )
    return JSONResponse(body.model_dump(), status_code=202, headers={"Location": body.status_url})


@router.get("", response_model=Page[ScanOut])
def scans_list(
    request: Request,
    _: Annotated[Principal, Depends(require("viewer"))],
    status: Annotated[
        list[Literal["queued", "running", "done", "failed"]] | None,
        Query(description="Keep scans in these states (repeat the parameter for several)."),
    ] = None,
    project_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Scans, newest first."""
    with state(request).db.session() as session:
        page = list_scans(
            session, status=tuple(status or ()), project_id=project_id, limit=limit, offset=offset
        )
        return Page[ScanOut](
            items=[ScanOut.model_validate(s) for s in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
        )


@router.get("/{scan_id}", response_model=ScanOut)
def scan_status(
    request: Request, scan_id: ScanId, _: Annotated[Principal, Depends(require("viewer"))]
) -> Any:
    """One scan: its status (queued, running, done, failed), totals or error."""
    with state(request).db.session() as session:
        return ScanOut.model_validate(store_scans.get_scan(session, scan_id))


@router.post(
    "",
    status_code=202,
    response_model=ScanAccepted,
    responses={403: {"description": "The path is not under a configured root."}},
)
def scan_request(
    request: Request,
    body: ScanRequest,
    caller: Annotated[Principal, Depends(require("operator"))],
) -> Any:
    """Queue a scan of a folder under one of the server's roots; poll its status_url."""
    return queue(request, caller, body.path)
