"""Open the history database: its URL, engine, sessions and migrations.

SQLite in the user data folder is the default (no set-up); PostgreSQL through
``OPTIMUS_DATABASE_URL`` (psycopg 3). Nothing connects until a ``Database`` is used: the CLI,
the server and the tests each build their own.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from optimus.store.errors import DatabaseUnavailable, StoreError

ENV_VAR = "OPTIMUS_DATABASE_URL"
MIGRATIONS = Path(__file__).with_name("migrations")
_SQLITE_BUSY_MS = 10_000
# A pooled PostgreSQL connection idle longer than this is pinged before use.
PING_AFTER_IDLE_SECONDS = 1.0


def default_url() -> str:
    """``OPTIMUS_DATABASE_URL`` when set, else a SQLite file in the user data folder."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return configured
    import platformdirs

    folder = Path(platformdirs.user_data_dir("optimus"))
    return f"sqlite:///{folder / 'optimus.db'}"


def normalize_url(url: str) -> URL:
    """Parse a database URL; ``postgresql://`` and ``postgres://`` go through psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"not a database URL: {redact(url)!r} "
            "(expected sqlite:///PATH or postgresql://USER@HOST/DB)"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        # psycopg 3 is the driver Optimus ships; other drivers' names are rewritten to it.
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"unsupported database {backend!r} in {redact(url)!r}: Optimus stores history in "
            "SQLite or PostgreSQL"
        )
    return parsed


def redact(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except ArgumentError:
        return "<unparsable URL>"
    return parsed.render_as_string(hide_password=True)


def describe(url: URL) -> str:
    """Where a database lives, for error messages: its file, or host:port/name."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    return f"{host}{port}/{url.database or ''}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets readers (the API) go on while a scan is recorded; foreign keys are off in
        # SQLite unless asked for on every connection.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _note_return(_dbapi_connection: Any, record: Any) -> None:
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dialect: Any, dbapi_connection: Any, record: Any) -> None:
    """Check a connection that sat idle in the pool; one just used goes out unchecked.

    SQLAlchemy's pre-ping checks every checkout, which costs a busy server one round trip
    per request. A connection returned less than ``PING_AFTER_IDLE_SECONDS`` ago answered a
    moment before; one that sat longer may have been closed (a database restart, an idle
    timeout) and is pinged. A dead one is replaced before use (DisconnectionError makes the
    pool reconnect). A connection that dies in the short window fails its statement; that
    error marks every pooled connection stale, so the next requests reconnect.
    """
    returned = record.info.get("returned_at")
    if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
        return  # new, or just used
    try:
        pinged = dialect.do_ping(dbapi_connection)
    except Exception as exc:
        raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc
    if not pinged:
        raise DisconnectionError("pooled connection failed its ping")


class Database:
    """One database: a lazily built engine, sessions, migrations and a health check."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = normalize_url(url or default_url())
        self._echo = echo
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._reading: Engine | None = None
        # The server's threads may all reach for the engine at once on the first request.
        self._lock = threading.Lock()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.url.get_backend_name()

    @property
    def where(self) -> str:
        """The file, or host:port/database, for messages (never a password)."""
        return describe(self.url)

    def __repr__(self) -> str:
        return f"Database({redact(self.url)!r})"

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, built on first use."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build_engine()
        return self._engine

    def _build_engine(self) -> Engine:
        if self.backend == "sqlite":
            database = self.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                folder = Path(database).expanduser().parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise DatabaseUnavailable(
                        self.where, f"cannot create {folder}: {exc}"
                    ) from None
            engine = create_engine(
                self.url,
                echo=self._echo,
                connect_args={"timeout": _SQLITE_BUSY_MS / 1000},
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        engine = create_engine(
            self.url,
            echo=self._echo,
            pool_size=10,
            max_overflow=20,
            connect_args={"connect_timeout": 5},
        )
        event.listen(engine, "checkin", _note_return)
        dialect = engine.dialect

        def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            _ping_if_idle(dialect, dbapi_connection, record)

        event.listen(engine, "checkout", checkout)
        return engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back when it raises."""
        if self._sessions is None:
            engine = self.engine
            with self._lock:
                if self._sessions is None:
                    self._sessions = sessionmaker(engine, expire_on_commit=False)
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if _is_schema_error(exc):
                raise
            raise self.unavailable(exc) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A pooled connection for one read-only statement, outside any transaction.

        For the API's hot lists: no ORM session, and on PostgreSQL no BEGIN and COMMIT
        round trips (autocommit), so a request that runs one statement costs one round trip;
        that statement still sees one consistent snapshot. Errors map as in ``session``.
        """
        try:
            with self._reader.connect() as connection:
                yield connection
        except OperationalError as exc:
            if _is_schema_error(exc):
                raise
            raise self.unavailable(exc) from None

    @property
    def _reader(self) -> Engine:
        if self._reading is None:
            engine = self.engine
            with self._lock:
                if self._reading is None:
                    # PostgreSQL: autocommit, on the engine's own pool (the level is set per
                    # checkout and reset on return, so writers keep their transactions).
                    # SQLite's driver opens no transaction for a SELECT anyway, and switching
                    # it costs a PRAGMA on every return: there the plain engine reads.
                    self._reading = (
                        engine
                        if self.backend == "sqlite"
                        else engine.execution_options(isolation_level="AUTOCOMMIT")
                    )
        return self._reading

    def unavailable(self, exc: BaseException) -> DatabaseUnavailable:
        """Turn a driver's connection error into one clear, password-free message."""
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        first = reason[0] if reason else type(exc).__name__
        password = self.url.password
        if password:
            first = first.replace(str(password), "***")
        return DatabaseUnavailable(self.where, first)

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except (DBAPIError, DatabaseUnavailable):
            return False
        return True

    def check(self) -> None:
        """Raise DatabaseUnavailable, with the reason, when the database does not answer."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise self.unavailable(exc) from None

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema up to ``revision`` (default: the newest) with Alembic."""
        from alembic import command

        self._run_alembic(command.upgrade, revision)

    def downgrade(self, revision: str = "base") -> None:
        """Migrate the schema down to ``revision`` (default: empty)."""
        from alembic import command

        self._run_alembic(command.downgrade, revision)

    def current(self) -> str | None:
        """The schema's revision, or None for a database never migrated."""
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except DBAPIError as exc:
            raise self.unavailable(exc) from None

    def head(self) -> str:
        """The newest revision the installed Optimus ships."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self.alembic_config()).get_current_head()
        assert head is not None, "the package ships at least one migration"
        return head

    def ensure_current(self) -> None:
        """Migrate to the newest revision if needed; refuse a schema newer than this Optimus.

        Checking the revision first keeps the common case (already current) to one query.
        """
        from alembic.script import ScriptDirectory

        now = self.current()
        head = self.head()
        if now == head:
            return
        if now is not None:
            try:
                known = ScriptDirectory.from_config(self.alembic_config()).get_revision(now)
            except Exception:
                known = None
            if known is None:
                raise StoreError(
                    f"the database at {self.where} is at schema revision {now!r}, which this "
                    f"Optimus does not know (its newest is {head!r}): it was written by a newer "
                    "Optimus; upgrade Optimus, or point --database elsewhere"
                )
        self.upgrade()

    def alembic_config(self) -> Any:
        """A programmatic Alembic configuration: no alembic.ini needed at runtime."""
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        # The URL is only a fallback for env.py: the connection below is what runs.
        config.set_main_option(
            "sqlalchemy.url", self.url.render_as_string(hide_password=False).replace("%", "%%")
        )
        return config

    def _run_alembic(self, action: Any, revision: str) -> None:
        config = self.alembic_config()
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                action(config, revision)
        except DBAPIError as exc:
            if isinstance(exc, OperationalError) and not _is_schema_error(exc):
                raise self.unavailable(exc) from None
            raise
        except Exception as exc:  # Alembic's own errors: an unknown revision
            from alembic.util import CommandError

            if isinstance(exc, CommandError):
                raise StoreError(f"migration failed: {exc}") from None
            raise

    def dispose(self) -> None:
        """Close the pooled connections (tests, server shutdown)."""
        if self._engine is not None:
            self._engine.dispose()


def _is_schema_error(exc: OperationalError) -> bool:
    # SQLite raises OperationalError for "no such table" too: that is a bug, not an outage.
    message = str(exc.orig).lower()
    return "no such table" in message or "already exists" in message
