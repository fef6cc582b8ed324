"""Pagination shared by the list queries: limit/offset with a total, or an id cursor."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Executable, Row, Select, func, select
from sqlalchemy.orm import Session

from optimus.errors import UsageError

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of rows, the number of rows matching in all, and where the next page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_cursor: str | None = None


def encode_cursor(last_id: int) -> str:
    """An opaque cursor that resumes after row ``last_id``."""
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id a cursor resumes after; a UsageError for anything this API did not issue."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        kind, _, value = text.partition(":")
        if kind != "id" or not value.isdigit() or len(value) > 18:
            raise ValueError(text)
        return int(value)
    except (ValueError, UnicodeError, binascii.Error):
        raise UsageError(
            f"invalid cursor {cursor[:40]!r}: use next_cursor from a previous page"
        ) from None


def carried_total(
    db: Session | Connection,
    rows: Sequence[Row[Any]],
    counted: Executable,
    params: dict[str, Any] | None,
    *,
    past_start: bool,
) -> int:
    """The number of matches of a page whose rows carry it as their last field.

    A page past the start that came back empty has no row to carry it: ``counted`` runs
    apart then. An empty first page means no match at all.
    """
    if rows:
        return int(rows[0][-1])
    if past_start:
        return int(db.execute(counted, params).scalar() or 0)
    return 0


def count(session: Session, query: Select[Any]) -> int:
    """How many rows ``query`` matches, without its ordering or paging."""
    inner = query.order_by(None).limit(None).offset(None).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)
