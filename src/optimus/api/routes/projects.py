"""Projects: list (filters, sort, pages), detail, history (viewer); scan, analyze (operator)."""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic_core import to_json

from optimus.api.auth import Principal
from optimus.api.deps import cached_json, require, state
from optimus.api.routes.scans import MAX_ID, Limit, Offset, queue
from optimus.api.schemas import (
    CleanStr,
    MetricsOut,
    Page,
    ProjectDetail,
    ProjectOut,
    RawJson,
    ScanAccepted,
    ScanOut,
)
from optimus.store import history
from optimus.store.queries import projects as queries

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])

# ProjectOut's fields, in its order: the columns a page selects and the keys of its JSON.
_FIELDS = tuple(ProjectOut.model_fields)

ProjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="The project's id.")]
Sort = Literal[
    "name", "-name", "score", "-score", "findings", "-findings", "last_scan", "-last_scan"
]
Score = Annotated[float | None, Query(ge=0, le=100)]


@router.get("", response_model=Page[ProjectOut])
async def projects_list(
    request: Request,
    _: Annotated[Principal, Depends(require("viewer"))],
    name: Annotated[
        CleanStr | None, Query(max_length=255, description="Part of the name, any case.")
    ] = None,
    rating: Annotated[
        list[Literal["A", "B", "C", "D", "E"]] | None,
        Query(description="Keep these ratings (repeat the parameter for several)."),
    ] = None,
    stack: Annotated[
        CleanStr | None,
        Query(
            max_length=100,
            description="A language, framework, package manager or infrastructure, any case "
            "(python, fastapi, cargo, docker).",
        ),
    ] = None,
    min_score: Score = None,
    max_score: Score = None,
    sort: Annotated[Sort, Query(description="Sort key; a leading - sorts descending.")] = "name",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Projects matching the filters, one page at a time, with the total."""

    def build() -> bytes:
        filters = queries.ProjectFilter(
            name=name,
            rating=tuple(rating or ()),
            stack=stack,
            min_score=min_score,
            max_score=max_score,
        )
        with state(request).db.read() as connection:
            page = queries.list_projects(
                connection, filters, sort=sort, limit=limit, offset=offset, columns=_FIELDS
            )
        # As for findings: the rows go to JSON as they are, byte for byte what
        # Page[ProjectOut] would write (tests/api/routes/test_projects.py pins it).
        return to_json(
            {
                # zip stops before the total each row carries last.
                "items": [dict(zip(_FIELDS, row, strict=False)) for row in page.items],
                "total": page.total,
                "limit": page.limit,
                "offset": page.offset,
                "next_cursor": None,
            }
        )

    return await cached_json(request, build)


@router.get("/{project_id}", response_model=ProjectDetail)
async def project_detail(
    request: Request,
    project_id: ProjectId,
    _: Annotated[Principal, Depends(require("viewer"))],
) -> Any:
    """One project, the figures of its latest scan and its recent scans."""

    def build() -> ProjectDetail:
        with state(request).db.session() as session:
            project = queries.get_project(session, project_id)
            latest = queries.latest_metrics(session, project)
            detail = ProjectDetail.model_validate(project)
            detail.latest = MetricsOut.model_validate(latest) if latest is not None else None
            detail.recent_scans = [
                ScanOut.model_validate(s) for s in queries.recent_scans(session, project)
            ]
            return detail

    return await cached_json(request, build)


@router.get("/{project_id}/history", response_model=dict[str, Any])
async def project_history(
    request: Request,
    project_id: ProjectId,
    _: Annotated[Principal, Depends(require("viewer"))],
    limit: Annotated[int, Query(ge=1, le=500, description="Latest scans to show.")] = 20,
) -> Any:
    """The project's trend, oldest scan first: score, findings by severity, top rules per
    scan, and each rule's change since the first scan shown ("unwrap-density 226 -> 140")."""

    def build() -> RawJson:
        with state(request).db.session() as session:
            project = queries.get_project(session, project_id)
            return RawJson(history.project_history(session, project, limit).to_dict())

    return await cached_json(request, build)


def _folder(request: Request, project_id: int) -> str:
    with state(request).db.session() as session:
        project = queries.get_project(session, project_id)
        # The project's own root is what is rescanned: findings are fingerprinted relative
        # to it, so the project keeps its identity and its findings' history.
        return os.path.normpath(project.root)


_SCAN_RESPONSES = {403: {"description": "The project's folder is not under a configured root."}}


@router.post(
    "/{project_id}/scan", status_code=202, response_model=ScanAccepted, responses=_SCAN_RESPONSES
)
def project_scan(
    request: Request,
    project_id: ProjectId,
    caller: Annotated[Principal, Depends(require("operator"))],
) -> Any:
    """Rescan the folder the project was recorded from; poll the returned status_url."""
    folder = _folder(request, project_id)
    return queue(request, caller, folder, project_id=project_id)


@router.post(
    "/{project_id}/analyze",
    status_code=202,
    response_model=ScanAccepted,
    responses=_SCAN_RESPONSES,
)
def project_analyze(
    request: Request,
    project_id: ProjectId,
    caller: Annotated[Principal, Depends(require("operator"))],
) -> Any:
    """Rescan the project, then read its analysis: the answer links the scan and the report."""
    folder = _folder(request, project_id)
    return queue(
        request, caller, folder, project_id=project_id, action="project.analyze", report=True
    )
