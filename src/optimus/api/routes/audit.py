"""The audit log (admin): who wrote what, when and from where."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from optimus.api.auth import Principal
from optimus.api.deps import require, state
from optimus.api.routes.scans import Limit, Offset
from optimus.api.schemas import AuditOut, CleanStr, Page
from optimus.store.queries.audit import list_audit

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=Page[AuditOut])
def audit_list(
    request: Request,
    _: Annotated[Principal, Depends(require("admin"))],
    actor: Annotated[CleanStr | None, Query(max_length=255)] = None,
    action: Annotated[
        CleanStr | None, Query(max_length=64, description="finding.suppress, apikey.create...")
    ] = None,
    target: Annotated[
        CleanStr | None, Query(max_length=255, description="finding:12, user:dora...")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Audit entries, newest first."""
    with state(request).db.session() as session:
        page = list_audit(
            session, actor=actor, action=action, target=target, limit=limit, offset=offset
        )
        return Page[AuditOut](
            items=[AuditOut.model_validate(e) for e in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
        )
