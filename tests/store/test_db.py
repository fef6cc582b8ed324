"""Opening databases: URLs, defaults, SQLite settings, sessions, reads, the pool's pings and an
unreachable server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from optimus.store import db as db_module
from optimus.store.db import Database, default_url, normalize_url, redact
from optimus.store.errors import DatabaseUnavailable, StoreError
from optimus.store.models import User


def test_default_url_is_sqlite_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("OPTIMUS_DATABASE_URL", raising=False)
    url = default_url()
    assert url.startswith("sqlite:///")
    assert url.endswith("optimus.db")
    assert platformdirs.user_data_dir("optimus") in url


def test_environment_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPTIMUS_DATABASE_URL", "postgresql://u@db.example/history")
    assert default_url() == "postgresql://u@db.example/history"


@pytest.mark.parametrize(
    "given",
    ["postgresql://u@h/d", "postgres://u@h/d", "postgresql+psycopg2://u@h/d"],
)
def test_postgres_urls_use_psycopg3(given: str) -> None:
    assert normalize_url(given).drivername == "postgresql+psycopg"


@pytest.mark.parametrize("given", ["mysql://u@h/d", "not a url"])
def test_unsupported_urls_are_usage_errors(given: str) -> None:
    with pytest.raises(StoreError) as raised:
        normalize_url(given)
    assert raised.value.exit_code == 2


def test_redact_hides_the_password() -> None:
    shown = redact("postgresql://alice:s3cret@db.example:5433/h")
    assert "s3cret" not in shown
    assert "db.example" in shown


def test_no_engine_is_built_until_used(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'nested' / 'x.db'}")
    assert db._engine is None
    assert not (tmp_path / "nested").exists()
    assert db.ping()
    assert (tmp_path / "nested").is_dir()


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_session_commits_on_success_and_rolls_back_on_error(database: Database) -> None:
    with database.session() as session:
        session.add(User(name="kept", role="viewer"))
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(User(name="dropped", role="viewer"))
        session.flush()
        raise RuntimeError("boom")
    with database.session() as session:
        names = set(session.scalars(text("SELECT name FROM users")))
    assert names == {"kept"}


def test_reads_share_the_pool_and_leave_writers_their_transactions(database: Database) -> None:
    with database.read() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 0
        if database.backend == "postgresql":
            # Autocommit: a statement is its own transaction, no BEGIN/COMMIT round trips.
            assert connection.connection.dbapi_connection.autocommit is True
    # The pool's connections go back to transactions for the writers that take them next.
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(User(name="dropped", role="viewer"))
        session.flush()
        raise RuntimeError("boom")
    with database.read() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 0


def test_a_schema_error_in_a_read_is_not_an_outage(tmp_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    db = Database(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    with pytest.raises(OperationalError, match="no such table"), db.read() as connection:
        connection.execute(text("SELECT * FROM findings"))
    db.dispose()


def test_unreachable_postgres_names_host_not_password() -> None:
    # Port 9 (discard) is closed on the test machine: the connection is refused at once.
    db = Database("postgresql://alice:s3cret@127.0.0.1:9/history")
    assert db.ping() is False
    with pytest.raises(DatabaseUnavailable) as raised:
        db.check()
    message = str(raised.value)
    assert "127.0.0.1:9/history" in message
    assert "s3cret" not in message
    with pytest.raises(DatabaseUnavailable), db.session() as session:
        session.execute(text("SELECT 1"))
    with pytest.raises(DatabaseUnavailable) as raised, db.read() as connection:
        connection.execute(text("SELECT 1"))
    assert "s3cret" not in str(raised.value)


def test_sqlite_file_in_an_unwritable_place_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    db = Database(f"sqlite:///{blocker / 'sub' / 'x.db'}")
    with pytest.raises(DatabaseUnavailable, match="cannot create"):
        db.upgrade()


def test_threads_share_one_engine(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with ThreadPoolExecutor(8) as pool:
        engines = set(pool.map(lambda _: id(db.engine), range(32)))
    assert len(engines) == 1
    db.dispose()


@pytest.fixture
def pg_pool(postgres_url: str, postgres_server) -> Iterator[tuple[Database, Callable[[int], None]]]:
    """A fresh PostgreSQL Database, and a way to kill one of its server processes."""
    db = Database(postgres_url)

    def kill(pid: int) -> None:
        with postgres_server.admin.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    yield db, kill
    db.dispose()


def _backend_pid(db: Database) -> int:
    with db.read() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_just_used_goes_out_without_a_ping(
    pg_pool: tuple[Database, Callable[[int], None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = pg_pool
    pings: list[object] = []
    real = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda c: pings.append(c) or real(c))
    first = _backend_pid(db)
    assert [_backend_pid(db) for _ in range(5)] == [first] * 5
    assert pings == []  # every checkout came straight after a return
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(db)
    assert len(pings) == 1  # idle (for longer than 0 s): pinged


def test_a_connection_killed_while_idle_is_replaced_before_use(
    pg_pool: tuple[Database, Callable[[int], None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, kill = pg_pool
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    first = _backend_pid(db)
    kill(first)
    assert _backend_pid(db) != first  # no error: the ping found it dead, the pool reconnected


def test_a_connection_killed_just_after_use_fails_once_then_the_pool_reconnects(
    pg_pool: tuple[Database, Callable[[int], None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, kill = pg_pool
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = _backend_pid(db)
    kill(first)
    with pytest.raises(DatabaseUnavailable):
        _backend_pid(db)
    assert _backend_pid(db) != first
