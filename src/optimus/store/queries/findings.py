"""Findings as the API lists them: filtered by project, rule, severity, state and category."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from optimus.errors import UsageError
from optimus.store.models import SEVERITIES, Finding
from optimus.store.queries.paging import Page, count, decode_cursor, encode_cursor

SORTS = ("id", "-id", "severity")

# critical first: the position in SEVERITIES is the sort rank.
_SEVERITY_RANK = case({s: i for i, s in enumerate(SEVERITIES)}, value=Finding.severity, else_=99)


@dataclass(frozen=True)
class FindingFilter:
    """What to keep; empty tuples and None keep everything."""

    project_id: int | None = None
    rule: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    category: tuple[str, ...] = ()


def list_findings(
    session: Session,
    filters: FindingFilter,
    *,
    sort: str = "id",
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
) -> Page[Finding]:
    """One page of findings. A cursor (from ``next_cursor``) pages by id without an offset."""
    if sort not in SORTS:
        raise UsageError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    query = select(Finding)
    if filters.project_id is not None:
        query = query.where(Finding.project_id == filters.project_id)
    if filters.rule:
        query = query.where(Finding.rule.in_(filters.rule))
    if filters.severity:
        query = query.where(Finding.severity.in_(filters.severity))
    if filters.state:
        query = query.where(Finding.state.in_(filters.state))
    if filters.category:
        query = query.where(Finding.category.in_(filters.category))
    total = count(session, query)
    if cursor is not None:
        if sort != "id" or offset:
            raise UsageError("a cursor pages by id: use it with sort=id and no offset")
        query = query.where(Finding.id > decode_cursor(cursor))
    if sort == "id":
        query = query.order_by(Finding.id.asc())
    elif sort == "-id":
        query = query.order_by(Finding.id.desc())
    else:
        query = query.order_by(_SEVERITY_RANK, Finding.id.asc())
    rows = list(session.scalars(query.limit(limit + 1).offset(offset)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        if sort == "id":
            next_cursor = encode_cursor(rows[-1].id)
    return Page(items=rows, total=total, limit=limit, offset=offset, next_cursor=next_cursor)
