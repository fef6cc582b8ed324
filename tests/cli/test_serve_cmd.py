"""``optimus serve`` as a user runs it: a real uvicorn process, refused unsafe settings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from optimus.store.db import Database
from optimus.store.models import Scan
from optimus.store.scans import queue_scan


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def optimus(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "optimus", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0", "--no-auth"], "refused when binding to 0.0.0.0"),
        (["--root", "/"], "cannot be a scan root"),
        (["--root", "/no/such/folder"], "not a directory"),
        (["--port", "70000"], "not a TCP port"),
        (["--database", "mysql://x@y/z"], "unsupported database"),
        (["--log-level", "loud"], "--log-level: use one of"),
    ],
)
def test_unsafe_or_bad_settings_exit_2(args: list[str], message: str) -> None:
    done = optimus("serve", *args, env={"OPTIMUS_JWT_SECRET": "s" * 40})
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_serves_until_interrupted_and_fails_orphaned_scans(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'history.db'}"
    db = Database(url)
    db.upgrade()
    with db.session() as s:
        orphan = queue_scan(s, str(tmp_path), requested_by="old-server").id
    port = free_port()
    env = {**os.environ, "OPTIMUS_JWT_SECRET": "s" * 40, "OPTIMUS_DATABASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "optimus", "serve", "--port", str(port), "--root", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert health.status_code == 200
        assert health.json()["auth"] is False and health.json()["database"] == "ok"
        listed = httpx.get(f"http://127.0.0.1:{port}/api/v1/scans/{orphan}", timeout=5).json()
        assert listed["status"] == "failed" and "server stopped" in listed["error"]
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert f"serving http://127.0.0.1:{port}/api/v1" in output
    assert "1 scan(s) left unfinished" in output
    assert "s" * 40 not in output
    with db.session() as s:
        assert s.get(Scan, orphan).status == "failed"
    db.dispose()
