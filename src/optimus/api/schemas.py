"""The shapes of request and response bodies (pydantic), which the OpenAPI at /docs shows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

T = TypeVar("T")

Role = Literal["viewer", "operator", "admin"]


def _clean(value: str) -> str:
    # NUL and lone surrogates cannot be stored (PostgreSQL refuses both): reject them here
    # as a 422 rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


CleanStr = Annotated[str, AfterValidator(_clean)]


class _Rows(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list; ``total`` counts every match, ``next_cursor`` resumes after it."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_cursor: str | None = None


class RawJson(RootModel[dict[str, Any]]):
    """A document whose shape is documented elsewhere (the report: docs/reports.md)."""


class ErrorDetail(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer."""

    error: ErrorDetail


class ProjectOut(_Rows):
    id: int
    name: str
    root: str
    path: str
    stack: dict[str, Any] | None = None
    git: dict[str, Any] | None = None
    score: float | None = None
    rating: str | None = None
    open_findings: int = 0
    first_seen: datetime
    last_seen: datetime
    last_scan_id: int | None = None


class MetricsOut(_Rows):
    scan_id: int
    score: float | None = None
    rating: str | None = None
    debt_minutes: int | None = None
    files: int
    lines: int
    findings_total: int
    by_severity: dict[str, int]
    by_category: dict[str, int]
    by_rule: dict[str, int]
    created_at: datetime


class ScanOut(_Rows):
    id: int
    root: str
    project_id: int | None = None
    status: Literal["queued", "running", "done", "failed"]
    requested_by: str
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    files: int | None = None
    lines: int | None = None
    seconds: float | None = None
    findings_total: int | None = None


class ProjectDetail(ProjectOut):
    """A project with the figures of its latest scan and its recent scans."""

    latest: MetricsOut | None = None
    recent_scans: list[ScanOut] = []


class FindingOut(_Rows):
    id: int
    project_id: int
    fingerprint: str
    rule: str
    code: str
    category: str
    severity: str
    confidence: str
    message: str
    path: str
    line: int | None = None
    end_line: int | None = None
    count: int | None = None
    engine: str
    fixable: bool
    state: Literal["open", "fixed", "suppressed"]
    first_seen: datetime
    last_seen: datetime
    fixed_at: datetime | None = None
    suppressed_reason: str | None = None
    suppressed_by: str | None = None
    suppressed_at: datetime | None = None


class SuppressRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: CleanStr = Field(min_length=1, max_length=2000, description="Why it is suppressed.")


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: CleanStr = Field(
        min_length=1,
        max_length=4096,
        description="Absolute path of a folder under one of the server's --root folders.",
    )


class ScanAccepted(BaseModel):
    """A scan queued: poll ``status_url`` until its status is done or failed."""

    scan_id: int
    status: str
    status_url: str
    report_url: str | None = None


class AspectOut(BaseModel):
    project_id: int
    aspect: Literal["quality", "security", "performance"]
    categories: list[str]
    scan_id: int | None = None
    lines: int
    score: int
    rating: str
    debt_minutes: int
    open_findings: int
    by_severity: dict[str, int]
    by_category: dict[str, dict[str, Any]]
    top_rules: list[dict[str, Any]]


class UserOut(_Rows):
    id: int
    name: str
    role: Role
    disabled: bool
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CleanStr = Field(min_length=1, max_length=64)
    role: Role = "viewer"


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    disabled: Literal[True] | None = Field(
        default=None, description="true disables the user; disabling cannot be undone here."
    )


class KeyOut(BaseModel):
    id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: CleanStr = Field(min_length=1, max_length=64)
    name: CleanStr = Field(default="default", min_length=1, max_length=255)


class KeyCreated(KeyOut):
    """The new key: ``key`` is shown in this answer only and is never stored or shown again."""

    key: str


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CleanStr = Field(min_length=1, max_length=64)
    password: CleanStr = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class AuditOut(_Rows):
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None = None
    detail: dict[str, Any] | None = None
    remote_addr: str | None = None


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: Literal["ok", "unavailable"]
    database_backend: str
    cache: str
    auth: bool
