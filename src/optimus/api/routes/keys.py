"""API keys (admin only): list, create (the key is shown once), revoke. All audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from optimus.api.auth import Principal
from optimus.api.deps import record, require, state, users_changed
from optimus.api.routes.scans import MAX_ID
from optimus.api.schemas import CleanStr, KeyCreate, KeyCreated, KeyOut
from optimus.store import users
from optimus.store.models import ApiKey, User

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])

KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="The key's id.")]
Admin = Annotated[Principal, Depends(require("admin"))]


def _out(key: ApiKey, owner: User) -> KeyOut:
    return KeyOut(
        id=key.id,
        user=owner.name,
        name=key.name,
        prefix=key.prefix,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


@router.get("", response_model=list[KeyOut])
def keys_list(
    request: Request,
    _: Admin,
    user: Annotated[CleanStr | None, Query(max_length=64, description="Only this user's.")] = None,
) -> Any:
    """Keys with their owners, newest first: prefixes only, never the keys."""
    with state(request).db.session() as session:
        return [_out(k, u) for k, u in users.list_api_keys(session, user)]


@router.post("", status_code=201, response_model=KeyCreated)
def key_create(request: Request, body: KeyCreate, caller: Admin) -> Any:
    """A new key for a user. The answer holds the key: it is never stored or shown again."""
    with state(request).db.session() as session:
        owner = users.get_user(session, body.user)
        key, plaintext = users.create_api_key(session, owner, body.name)
        record(
            request,
            session,
            caller,
            "apikey.create",
            f"apikey:{key.id}",
            {"user": owner.name, "name": key.name, "prefix": key.prefix},
        )
        return KeyCreated(**_out(key, owner).model_dump(), key=plaintext)


@router.delete("/{key_id}", response_model=KeyOut)
def key_revoke(request: Request, key_id: KeyId, caller: Admin) -> Any:
    """Revoke a key for good: requests with it fail from now on."""
    with state(request).db.session() as session:
        key = users.revoke_api_key(session, key_id)
        owner = session.get(User, key.user_id)
        record(
            request, session, caller, "apikey.revoke", f"apikey:{key.id}", {"prefix": key.prefix}
        )
        assert owner is not None, "a key's user is deleted with it"
        out = _out(key, owner)
    users_changed(request)  # after the commit, so the change applies now
    return out
