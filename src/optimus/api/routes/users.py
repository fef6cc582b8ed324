"""Users and their roles (admin only). Every change is written to the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from optimus.api.auth import Principal
from optimus.api.deps import record, require, state, users_changed
from optimus.api.routes.scans import MAX_ID
from optimus.api.schemas import UserCreate, UserOut, UserUpdate
from optimus.store import users
from optimus.store.errors import NotFound
from optimus.store.models import User

router = APIRouter(prefix="/api/v1/users", tags=["users"])

UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The user's id.")]
Admin = Annotated[Principal, Depends(require("admin"))]


def user_by_id(session: Session, user_id: int) -> User:
    """The user, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


@router.get("", response_model=list[UserOut])
def users_list(request: Request, _: Admin) -> Any:
    """Every user, by name."""
    with state(request).db.session() as session:
        return [UserOut.model_validate(u) for u in users.list_users(session)]


@router.post("", status_code=201, response_model=UserOut)
def user_create(request: Request, body: UserCreate, caller: Admin) -> Any:
    """Add a user with a role (viewer by default)."""
    with state(request).db.session() as session:
        user = users.create_user(session, body.name, body.role)
        record(request, session, caller, "user.create", f"user:{user.name}", {"role": body.role})
        return UserOut.model_validate(user)


@router.patch("/{user_id}", response_model=UserOut)
def user_update(request: Request, user_id: UserId, body: UserUpdate, caller: Admin) -> Any:
    """Change a user's role, or disable them (their keys and tokens stop working at once)."""
    with state(request).db.session() as session:
        user = user_by_id(session, user_id)
        if body.role is not None and body.role != user.role:
            before = user.role
            users.set_role(session, user.name, body.role)
            record(
                request,
                session,
                caller,
                "user.set_role",
                f"user:{user.name}",
                {"from": before, "to": body.role},
            )
        if body.disabled and not user.disabled:
            users.disable_user(session, user.name)
            record(request, session, caller, "user.disable", f"user:{user.name}")
        out = UserOut.model_validate(user)
    users_changed(request)  # after the commit, so the change applies now
    return out
