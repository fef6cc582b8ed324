"""The tables of Optimus's history, as SQLAlchemy 2 typed declarative models.

One schema for SQLite and PostgreSQL (JSON becomes JSONB on PostgreSQL). Timestamps are
stored in UTC and always come back timezone-aware, whichever backend stores them. States and
roles are short strings guarded by CHECK constraints, so a new value is a migration, not an
enum type to alter. The migrations in ``migrations/versions`` create exactly these tables;
``tests/store/test_migrations.py`` checks that the two agree.

Tables of seed 001 that are not here yet (runtime_status, monetization_opportunities,
patterns) come with their own features; see docs/storage.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SCAN_STATES = ("queued", "running", "done", "failed")
FINDING_STATES = ("open", "fixed", "suppressed")
ROLES = ("viewer", "operator", "admin")
SEVERITIES = ("critical", "high", "medium", "low", "info")

# Named constraints, so migrations can drop and alter them the same way on both backends.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: the default of every timestamp column."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that always reads back timezone-aware.

    SQLite keeps no zone, PostgreSQL's timestamptz does; this type makes both return the same
    aware value, so comparisons and JSON output never mix naive and aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware UTC values")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def _one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


class Base(DeclarativeBase):
    """The declarative base of every Optimus table."""

    metadata = MetaData(naming_convention=NAMING)


class Scan(Base):
    """One scan: requested (CLI or API), run, and its totals once done."""

    __tablename__ = "scans"
    __table_args__ = (
        _one_of("status", SCAN_STATES, "status"),
        Index("ix_scans_status_requested_at", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    root: Mapped[str] = mapped_column(Text)
    # Set when a scan was requested for one known project (POST /projects/{id}/scan).
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL", use_alter=True), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="queued")
    requested_by: Mapped[str] = mapped_column(String(255), default="cli")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    files: Mapped[int | None] = mapped_column(Integer)
    lines: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float | None] = mapped_column(Float)
    findings_total: Mapped[int | None] = mapped_column(Integer)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Project(Base):
    """A project folder: ``root`` is the absolute scanned folder, ``path`` relative to it."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("root", "path"),
        Index("ix_projects_score", "score"),
        Index("ix_projects_name", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    root: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(255))
    stack: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    git: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_scan_id: Mapped[int | None] = mapped_column(
        ForeignKey("scans.id", ondelete="SET NULL"), index=True
    )
    score: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[str | None] = mapped_column(String(8))
    open_findings: Mapped[int] = mapped_column(Integer, default=0)

    metrics: Mapped[list[ProjectMetrics]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    findings: Mapped[list[Finding]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )


class ProjectMetrics(Base):
    """A project's figures as one scan saw them: the rows trends are drawn from."""

    __tablename__ = "project_metrics"
    __table_args__ = (
        UniqueConstraint("project_id", "scan_id"),
        Index("ix_project_metrics_scan_id", "scan_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    score: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[str | None] = mapped_column(String(8))
    debt_minutes: Mapped[int | None] = mapped_column(Integer)
    files: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    findings_total: Mapped[int] = mapped_column(Integer, default=0)
    by_severity: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    by_category: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    by_rule: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    # Count rules (unwrap-density counts calls, large-file lines): their counts summed.
    rule_counts: Mapped[dict[str, int] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="metrics")


class Finding(Base):
    """One finding's life in one project, matched across scans by its fingerprint.

    ``path`` is relative to the project's folder (not to the scan root), so it reads the same
    however the project was reached.
    """

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("project_id", "fingerprint"),
        _one_of("state", FINDING_STATES, "state"),
        _one_of("severity", SEVERITIES, "severity"),
        Index("ix_findings_project_state_severity", "project_id", "state", "severity"),
        # A project's findings page in id order reads the page from the index (0003).
        Index("ix_findings_project_id_id", "project_id", "id"),
        Index("ix_findings_project_rule", "project_id", "rule"),
        Index("ix_findings_rule_state", "rule", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(128))
    code: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    end_line: Mapped[int | None] = mapped_column(Integer)
    count: Mapped[int | None] = mapped_column(Integer)
    engine: Mapped[str] = mapped_column(String(64), default="optimus")
    fixable: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="open")
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_scan_id: Mapped[int | None] = mapped_column(ForeignKey("scans.id", ondelete="SET NULL"))
    last_scan_id: Mapped[int | None] = mapped_column(ForeignKey("scans.id", ondelete="SET NULL"))
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A suppressed finding that no longer appears in scans; kept apart from ``state`` so a
    # suppression survives the finding going away and coming back.
    suppressed_reason: Mapped[str | None] = mapped_column(Text)
    suppressed_by: Mapped[str | None] = mapped_column(String(255))
    suppressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(back_populates="findings")


class User(Base):
    """Someone who uses the API: a role decides what they may do."""

    __tablename__ = "users"
    __table_args__ = (_one_of("role", ROLES, "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)

    api_keys: Mapped[list[ApiKey]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class ApiKey(Base):
    """An API key: only its hash and a short prefix are stored, never the key itself."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(32), index=True)
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_keys")


class AuditLog(Base):
    """One write: who did what to which target, when and from where."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
