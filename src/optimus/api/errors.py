"""Every error the API returns is one JSON shape: ``{"error": {"code", "message", "detail"}}``.

Routes raise ``ApiError`` (or let a store error through); the handlers here turn those,
FastAPI's validation errors, Starlette's 404/405, a database that cannot be reached (503) and
any bug (500, logged with its traceback, answered without it) into that body.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from optimus.errors import OptimusError
from optimus.store.errors import Conflict, DatabaseUnavailable, NotFound

log = logging.getLogger("optimus.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An answer other than success, raised from a route."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.detail = detail
        self.headers = headers


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    """The one error shape."""
    return {"error": {"code": code, "message": message, "detail": detail}}


def _json(status: int, code: str, message: str, detail: Any = None, headers=None) -> JSONResponse:
    return JSONResponse(error_body(code, message, detail), status_code=status, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("query", "limit") -> "query.limit"; the body's own prefix names where it came from.
    return ".".join(str(part) for part in loc)


def _is_db_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, DatabaseUnavailable | OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the JSON shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status, exc.code, exc.message, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": _field(err.get("loc", ())), "message": err.get("msg", "invalid")}
            for err in exc.errors()
        ]
        names = ", ".join(f["field"] for f in fields) or "the request"
        return _json(422, "validation_error", f"invalid value for {names}", fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path}"
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        code = _CODES.get(exc.status_code, "error")
        return _json(exc.status_code, code, str(message), None, getattr(exc, "headers", None))

    @app.exception_handler(OptimusError)
    async def _optimus(request: Request, exc: OptimusError) -> JSONResponse:
        if isinstance(exc, DatabaseUnavailable):
            return _unavailable(exc)
        if isinstance(exc, NotFound):
            return _json(404, "not_found", str(exc))
        if isinstance(exc, Conflict):
            return _json(409, "conflict", str(exc))
        return _json(400, "bad_request", str(exc))

    @app.exception_handler(DBAPIError)
    async def _driver(request: Request, exc: DBAPIError) -> JSONResponse:
        # Handled here rather than by the catch-all so that Starlette does not re-raise it
        # into the server log once per request while the database is down.
        if _is_db_unavailable(exc):
            return _unavailable(exc)
        log.error(
            "database error on %s %s: %s",
            request.method,
            request.url.path,
            type(exc.orig).__name__,
        )
        return _json(500, "internal_error", "internal error: a database statement failed")

    @app.exception_handler(Exception)
    async def _anything(request: Request, exc: Exception) -> JSONResponse:
        if _is_db_unavailable(exc):
            return _unavailable(exc)
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _json(
            500,
            "internal_error",
            "internal error: this is a bug in Optimus; the server log has the details",
        )


def _unavailable(exc: BaseException) -> JSONResponse:
    if isinstance(exc, DatabaseUnavailable):
        message = str(exc)
    else:
        # The driver's text can carry the connection string; say what to do, not what it said.
        message = (
            "database unavailable: check that it is running and that OPTIMUS_DATABASE_URL "
            "(or --database) points at it"
        )
    log.warning("database unavailable: %s", type(exc).__name__)
    return _json(503, "database_unavailable", message, None, {"Retry-After": "5"})
