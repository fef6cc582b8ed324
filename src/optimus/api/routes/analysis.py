"""A project's quality, security and performance from its open findings, and its report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from optimus.api.auth import Principal
from optimus.api.deps import cached_json, require, state
from optimus.api.routes.projects import ProjectId
from optimus.api.schemas import AspectOut, RawJson
from optimus.report.analysis import build_portfolio
from optimus.store.queries import analysis as queries
from optimus.store.queries.projects import get_project
from optimus.store.queries.rebuild import open_scan_result

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"])


async def _aspect(request: Request, project_id: int, aspect: str) -> Any:
    def build() -> AspectOut:
        with state(request).db.session() as session:
            project = get_project(session, project_id)
            found = queries.analyze_aspect(session, project, aspect)
            return AspectOut(
                project_id=found.project_id,
                aspect=found.aspect,  # type: ignore[arg-type]
                categories=list(found.categories),
                scan_id=found.scan_id,
                lines=found.lines,
                score=found.score,
                rating=found.rating,
                debt_minutes=found.debt_minutes,
                open_findings=found.open_findings,
                by_severity=found.by_severity,
                by_category=found.by_category,
                top_rules=found.top_rules,
            )

    return await cached_json(request, build)


@router.get("/{project_id}/quality", response_model=AspectOut)
async def quality(
    request: Request, project_id: ProjectId, _: Annotated[Principal, Depends(require("viewer"))]
) -> Any:
    """Maintainability, reliability and dependencies: score, rating, counts, top rules."""
    return await _aspect(request, project_id, "quality")


@router.get("/{project_id}/security", response_model=AspectOut)
async def security(
    request: Request, project_id: ProjectId, _: Annotated[Principal, Depends(require("viewer"))]
) -> Any:
    """Security findings: score, rating, counts by severity, top rules."""
    return await _aspect(request, project_id, "security")


@router.get("/{project_id}/performance", response_model=AspectOut)
async def performance(
    request: Request, project_id: ProjectId, _: Annotated[Principal, Depends(require("viewer"))]
) -> Any:
    """Performance and cost findings: score, rating, counts by severity, top rules."""
    return await _aspect(request, project_id, "performance")


@router.get("/{project_id}/report", response_model=dict[str, Any])
async def report(
    request: Request, project_id: ProjectId, _: Annotated[Principal, Depends(require("viewer"))]
) -> Any:
    """The project's report (the JSON of `optimus report --format json`, docs/reports.md),
    built from its open findings as of its latest scan."""

    def build() -> RawJson:
        with state(request).db.session() as session:
            project = get_project(session, project_id)
            result = open_scan_result(session, project)
        return RawJson(build_portfolio(result).to_dict())

    return await cached_json(request, build)
