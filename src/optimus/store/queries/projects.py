"""Projects as the API lists them: filters, sorts, pages, one project's detail.

A list page and its total come from one statement, as for findings: the page's rows each
carry the number of matches as an uncorrelated scalar subquery, and they are Core rows of the
columns asked for (no ORM objects), which the API writes straight to JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, String, cast, func, select
from sqlalchemy.orm import Session

from optimus.errors import UsageError
from optimus.store.errors import NotFound
from optimus.store.models import Project, ProjectMetrics, Scan
from optimus.store.queries.paging import Page, carried_total

_TABLE = Project.__table__
# Every column of the projects table, in table order: what ``list_projects`` returns by default.
COLUMNS: tuple[str, ...] = tuple(column.name for column in _TABLE.columns)

# The sort keys a client may name; a leading "-" sorts descending.
SORTS = {
    "name": Project.name,
    "score": Project.score,
    "findings": Project.open_findings,
    "last_scan": Project.last_scan_id,
}


@dataclass(frozen=True)
class ProjectFilter:
    """What to keep: every field left at None keeps everything."""

    name: str | None = None
    rating: tuple[str, ...] = ()
    stack: str | None = None
    min_score: float | None = None
    max_score: float | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(sort: str) -> list:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        raise UsageError(
            f"unknown sort {sort!r}: use one of {', '.join(SORTS)} (prefix - for descending)"
        )
    column = SORTS[key]
    ordered = column.desc() if descending else column.asc()
    # Projects never scanned (no score) go last whichever way the list is sorted; the id
    # breaks ties so pages never repeat or skip a project.
    return [ordered.nulls_last(), Project.id.asc()]


def _conditions(filters: ProjectFilter) -> list[Any]:
    conditions: list[Any] = []
    if filters.name:
        pattern = f"%{_escape_like(filters.name.lower())}%"
        conditions.append(func.lower(Project.name).like(pattern, escape="\\"))
    if filters.rating:
        conditions.append(Project.rating.in_([r.upper() for r in filters.rating]))
    if filters.stack:
        # The stack is JSON (languages, frameworks, package managers, infrastructure); a
        # quoted, case-insensitive match on its text finds a name in any of those lists on
        # both SQLite and PostgreSQL without a backend-specific JSON operator.
        pattern = f'%"{_escape_like(filters.stack.lower())}"%'
        conditions.append(func.lower(cast(Project.stack, String)).like(pattern, escape="\\"))
    if filters.min_score is not None:
        conditions.append(Project.score >= filters.min_score)
    if filters.max_score is not None:
        conditions.append(Project.score <= filters.max_score)
    return conditions


def list_projects(
    db: Session | Connection,
    filters: ProjectFilter,
    *,
    sort: str = "name",
    limit: int = 50,
    offset: int = 0,
    columns: Sequence[str] = COLUMNS,
) -> Page[Row[Any]]:
    """One page of projects matching ``filters`` in ``sort`` order, as rows of ``columns``.

    Each row also carries the number of matches as its last field, where the statement put it.
    """
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise UsageError(f"no such project column: {', '.join(sorted(unknown))}")
    order = _order(sort)
    conditions = _conditions(filters)
    counted = select(func.count()).select_from(_TABLE).where(*conditions)
    query = (
        select(*(_TABLE.c[name] for name in columns), counted.scalar_subquery().label("_total"))
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    rows = db.execute(query).all()
    total = carried_total(db, rows, counted, None, past_start=bool(offset))
    return Page(items=list(rows), total=total, limit=limit, offset=offset)


def get_project(session: Session, project_id: int) -> Project:
    """The project, or NotFound."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project with id {project_id}")
    return project


def latest_metrics(session: Session, project: Project) -> ProjectMetrics | None:
    """The figures of the project's latest recorded scan, if any."""
    return session.scalar(
        select(ProjectMetrics)
        .where(ProjectMetrics.project_id == project.id)
        .order_by(ProjectMetrics.scan_id.desc())
        .limit(1)
    )


def recent_scans(session: Session, project: Project, limit: int = 10) -> list[Scan]:
    """The latest scans that recorded figures for the project, newest first."""
    return list(
        session.scalars(
            select(Scan)
            .join(ProjectMetrics, ProjectMetrics.scan_id == Scan.id)
            .where(ProjectMetrics.project_id == project.id)
            .order_by(Scan.id.desc())
            .limit(limit)
        )
    )
