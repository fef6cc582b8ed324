"""Findings as the API lists them: filtered by project, rule, severity, state and category.

One page and its total come from one statement: the page's rows, each carrying the total as
an uncorrelated scalar subquery that the database computes once. That is one round trip and
one snapshot, read through the (project_id, id) index for a project's page. Rows are Core
rows of the columns asked for (attribute access like a model, no ORM identity map), and the
statements are built once per shape of filter and reused with new parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Integer, Row, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from optimus.errors import UsageError
from optimus.store.models import SEVERITIES, Finding
from optimus.store.queries.paging import Page, carried_total, decode_cursor, encode_cursor

SORTS = ("id", "-id", "severity")

_TABLE = Finding.__table__
# Every column of the findings table, in table order: what ``list_findings`` returns by default.
COLUMNS: tuple[str, ...] = tuple(column.name for column in _TABLE.columns)
_TOTAL = "_total"

# critical first: the position in SEVERITIES is the sort rank.
_SEVERITY_RANK = case({s: i for i, s in enumerate(SEVERITIES)}, value=_TABLE.c.severity, else_=99)


@dataclass(frozen=True)
class FindingFilter:
    """What to keep; empty tuples and None keep everything."""

    project_id: int | None = None
    rule: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    category: tuple[str, ...] = ()


_LISTS = ("rule", "severity", "state", "category")


@dataclass(frozen=True)
class _Shape:
    """Which parts a statement has; its values are bound at execution."""

    project: bool
    lists: tuple[str, ...]
    sort: str
    cursor: bool
    offset: bool


def _where(shape: _Shape) -> list[Any]:
    conditions: list[Any] = []
    if shape.project:
        conditions.append(_TABLE.c.project_id == bindparam("project_id"))
    for name in shape.lists:
        conditions.append(_TABLE.c[name].in_(bindparam(name, expanding=True)))
    return conditions


def _counted(shape: _Shape) -> _Shape:
    return _Shape(shape.project, shape.lists, "id", cursor=False, offset=False)


@lru_cache(maxsize=64)
def _count_statement(shape: _Shape) -> Select[Any]:
    # Only the filters matter to a count: callers pass a shape without sort, cursor, offset.
    return select(func.count()).select_from(_TABLE).where(*_where(shape))


@lru_cache(maxsize=512)
def _page_statement(shape: _Shape, columns: tuple[str, ...]) -> Select[Any]:
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise UsageError(f"no such finding column: {', '.join(sorted(unknown))}")
    if "id" not in columns:
        raise UsageError("the columns of a findings page include the id")
    conditions = _where(shape)
    # Counted before the cursor condition: the total is every match, not what is left.
    total = _count_statement(_counted(shape)).scalar_subquery().label(_TOTAL)
    if shape.cursor:
        conditions.append(_TABLE.c.id > bindparam("after"))
    query = select(*(_TABLE.c[name] for name in columns), total).where(*conditions)
    if shape.sort == "id":
        query = query.order_by(_TABLE.c.id.asc())
    elif shape.sort == "-id":
        query = query.order_by(_TABLE.c.id.desc())
    else:
        query = query.order_by(_SEVERITY_RANK, _TABLE.c.id.asc())
    query = query.limit(bindparam("limit", type_=Integer))
    if shape.offset:
        query = query.offset(bindparam("offset", type_=Integer))
    return query


def list_findings(
    db: Session | Connection,
    filters: FindingFilter,
    *,
    sort: str = "id",
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
    columns: Sequence[str] = COLUMNS,
) -> Page[Row[Any]]:
    """One page of findings, as rows of ``columns``, with the number of matches in all.

    Each row also carries that number as its last field (``_total``), where the statement
    put it. A cursor (from ``next_cursor``) pages by id without an offset.
    """
    if sort not in SORTS:
        raise UsageError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    after = None
    if cursor is not None:
        if sort != "id" or offset:
            raise UsageError("a cursor pages by id: use it with sort=id and no offset")
        after = decode_cursor(cursor)
    params: dict[str, Any] = {"limit": limit + 1}
    if filters.project_id is not None:
        params["project_id"] = filters.project_id
    lists = tuple(name for name in _LISTS if getattr(filters, name))
    for name in lists:
        params[name] = list(getattr(filters, name))
    if after is not None:
        params["after"] = after
    if offset:
        params["offset"] = offset
    shape = _Shape(filters.project_id is not None, lists, sort, after is not None, bool(offset))
    fetched = db.execute(_page_statement(shape, tuple(columns)), params).all()
    total = carried_total(
        db,
        fetched,
        _count_statement(_counted(shape)),
        params,
        past_start=bool(offset) or after is not None,
    )
    next_cursor = None
    if len(fetched) > limit and sort == "id":
        next_cursor = encode_cursor(fetched[limit - 1].id)
    return Page(
        items=fetched[:limit], total=total, limit=limit, offset=offset, next_cursor=next_cursor
    )
