"""Short-lived tokens: exchange an API key (or a user's password) for a signed JWT."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from optimus.api import auth
from optimus.api.deps import record, remote, state
from optimus.api.errors import ApiError
from optimus.api.schemas import TokenOut, TokenRequest
from optimus.store import users
from optimus.store.errors import NotFound

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenOut,
    responses={
        401: {"description": "No valid API key, or a wrong name or password."},
        429: {"description": "Too many failed logins from this address; see Retry-After."},
    },
)
def token(request: Request, body: TokenRequest | None = None) -> Any:
    """A bearer token for the caller: send an API key (Authorization: Bearer opt_... or
    X-API-Key), or a JSON body with the user's name and password."""
    app = state(request)
    given = auth.credential(request)
    with app.db.session() as session:
        if given is not None and given[0] == "key":
            user = auth.user_from_key(session, given[1], app.touches)
            via = "api-key"
        elif body is not None:
            address = remote(request) or "unknown"
            wait = app.logins.retry_after(address)
            if wait is not None:
                raise ApiError(
                    429,
                    f"too many failed logins from {address}: try again in {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            try:
                user = users.get_user(session, body.name)
            except NotFound:
                # Spend the time a password check takes, so timing does not tell which
                # user names exist.
                users.hash_password("x" * 16)
                user = None
            if user is None or not users.verify_password(user, body.password):
                app.logins.failed(address)
                raise ApiError(401, "wrong user name or password, or the user is disabled")
            via = "password"
        else:
            raise ApiError(
                401,
                "send an API key (Authorization: Bearer opt_... or X-API-Key) or a JSON body "
                '{"name": ..., "password": ...}',
                headers={"WWW-Authenticate": 'Bearer realm="optimus"'},
            )
        issued = auth.issue_token(
            user, app.settings.jwt_secret or "", app.settings.token_ttl_seconds
        )
        caller = auth.principal_of(user, via)
        record(request, session, caller, "auth.token", f"user:{user.name}", {"via": via})
    return issued
