"""Load benchmark of the API: 1,000 projects and 100,000 findings, 100 concurrent connections.

For each backend (SQLite file, PostgreSQL scratch database) it loads the history, starts
``optimus serve`` in a subprocess, and drives it from a *second* process (this script with
``--drive``: aiohttp when installed, else httpx; N connections each sending requests back to
back) for a fixed time per scenario:

- ``projects``: ``GET /api/v1/projects`` (first page of 50, sorted by name);
- ``findings``: ``GET /api/v1/findings?project_id=ID&limit=50`` (one project's page, the
  project chosen at random per request among the 1,000).

Each scenario runs with auth off (loopback) and on (``--auth``: every request sends a
viewer's API key, as beyond loopback), each with the response cache on (the default, in
process) and off (``--cache-ttl 0``), so the cached path, the key check and the database
path are measured. Reports
p50/p95/p99 latency and requests/s; writes bench/results/api-<date>.md and .json.

    python bench/api_bench.py                      # both backends, 10 s per scenario
    python bench/api_bench.py --backend sqlite --seconds 5

Not a test: figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEY_ENV = "OPTIMUS_BENCH_KEY"
PG_SERVER = os.environ.get("OPTIMUS_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
RULES = [
    ("unwrap-density", "reliability"),
    ("blocking-call-in-async", "performance"),
    ("http-no-timeout", "reliability"),
    ("docker-root-user", "security"),
    ("large-file", "maintainability"),
    ("deps-unused", "dependencies"),
    ("client-per-request", "performance"),
    ("k8s-no-resources", "cost"),
]
SEVERITIES = ["critical", "high", "medium", "low", "info"]


def load(url: str, projects: int, findings: int) -> None:
    """Fill a migrated database with a portfolio of ``projects`` and ``findings``."""
    from sqlalchemy import insert

    from optimus.store.db import Database
    from optimus.store.models import Finding, Project, ProjectMetrics, Scan

    db = Database(url)
    db.upgrade()
    rng = random.Random(6)
    now = datetime.now(UTC)
    per_project = findings // projects
    with db.engine.begin() as conn:
        conn.execute(
            insert(Scan),
            [
                {
                    "id": 1,
                    "root": "/bench",
                    "status": "done",
                    "requested_by": "bench",
                    "requested_at": now,
                    "started_at": now,
                    "finished_at": now,
                    "files": projects * 40,
                    "lines": projects * 4000,
                    "seconds": 1.0,
                    "findings_total": findings,
                }
            ],
        )
        conn.execute(
            insert(Project),
            [
                {
                    "id": i,
                    "root": "/bench",
                    "path": f"svc-{i:04d}",
                    "name": f"svc-{i:04d}",
                    "stack": {"languages": {"Python": {"files": 40, "lines": 4000}}},
                    "first_seen": now,
                    "last_seen": now,
                    "last_scan_id": 1,
                    "score": round(rng.uniform(5, 100), 1),
                    "rating": rng.choice("ABCDE"),
                    "open_findings": per_project,
                }
                for i in range(1, projects + 1)
            ],
        )
        conn.execute(
            insert(ProjectMetrics),
            [
                {
                    "project_id": i,
                    "scan_id": 1,
                    "files": 40,
                    "lines": 4000,
                    "findings_total": per_project,
                    "by_severity": {},
                    "by_category": {},
                    "by_rule": {},
                    "created_at": now,
                }
                for i in range(1, projects + 1)
            ],
        )
        batch = []
        for n in range(findings):
            rule, category = RULES[n % len(RULES)]
            batch.append(
                {
                    "project_id": n % projects + 1,
                    "fingerprint": f"{n:016x}",
                    "rule": rule,
                    "code": "OPT000",
                    "category": category,
                    "severity": SEVERITIES[n % len(SEVERITIES)],
                    "confidence": "high",
                    "message": f"{rule} at this place, with a message of a realistic length",
                    "path": f"src/module_{n % 97}.py",
                    "line": n % 500 + 1,
                    "end_line": n % 500 + 3,
                    "engine": "optimus",
                    "fixable": n % 3 == 0,
                    "state": "open",
                    "first_seen": now - timedelta(days=n % 90),
                    "last_seen": now,
                    "first_scan_id": 1,
                    "last_scan_id": 1,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(Finding), batch)
                batch = []
        if batch:
            conn.execute(insert(Finding), batch)
    if db.backend == "postgresql":
        # What autovacuum does after a bulk load on a normal server (this machine's test
        # server runs with autovacuum off): fresh statistics, and a visibility map, without
        # which an index-only count still visits every table page.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    url: str, cache_ttl: float, workers: int, auth: bool = False, redis: str | None = None
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "OPTIMUS_JWT_SECRET": secrets.token_urlsafe(48)}
    env.pop("OPTIMUS_REDIS_URL", None)
    if redis:
        env["OPTIMUS_REDIS_URL"] = redis
        # A fresh generation: answers another run left in this Redis are not this database's.
        from optimus.api.cache import RedisCache

        stale = RedisCache(redis)
        stale.invalidate()
        stale.close()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "optimus",
            "serve",
            "--port",
            str(port),
            "--database",
            url,
            "--cache-ttl",
            str(cache_ttl),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--auth" if auth else "--no-auth",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {server.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start in 60 s")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def client_name() -> str:
    """The load generator's HTTP client: aiohttp when installed (lighter), else httpx."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return "httpx"
    return "aiohttp"


async def _drive(base: str, scenario: str, connections: int, seconds: float, projects: int):
    rng = random.Random(1)
    latencies: list[float] = []
    errors = 0
    outcomes: dict[str, int] = {}

    def path() -> str:
        if scenario == "projects":
            return "/api/v1/projects"
        return f"/api/v1/findings?project_id={rng.randint(1, projects)}&limit=50"

    # With --auth every request carries the key, as a client of a real deployment would.
    key = os.environ.get(KEY_ENV)
    headers = {"X-API-Key": key} if key else {}
    if client_name() == "aiohttp":
        import aiohttp

        connector = aiohttp.TCPConnector(limit=connections)
        client = aiohttp.ClientSession(base, connector=connector, headers=headers)

        async def get(url: str) -> tuple[int, str]:
            async with client.get(url) as response:
                await response.read()
                return response.status, response.headers.get("X-Cache", "")
    else:
        import httpx

        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        client = httpx.AsyncClient(base_url=base, limits=limits, timeout=30, headers=headers)

        async def get(url: str) -> tuple[int, str]:
            response = await client.get(url)
            return response.status_code, response.headers.get("X-Cache", "")

    async with client:

        async def worker(until: float, record: bool) -> None:
            nonlocal errors
            while time.perf_counter() < until:
                started = time.perf_counter()
                status, outcome = await get(path())
                elapsed = time.perf_counter() - started
                if record:
                    if status == 200:
                        latencies.append(elapsed)
                        outcomes[outcome] = outcomes.get(outcome, 0) + 1
                    else:
                        errors += 1

        warm_until = time.perf_counter() + min(2.0, seconds / 3)
        await asyncio.gather(*(worker(warm_until, False) for _ in range(connections)))
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(worker(until, True) for _ in range(connections)))
        wall = time.perf_counter() - started
    return latencies, errors, wall, outcomes


def drive(base: str, scenario: str, connections: int, seconds: float, projects: int) -> dict:
    """Run in the second process: the figures of one scenario as a dict."""
    latencies, errors, wall, outcomes = asyncio.run(
        _drive(base, scenario, connections, seconds, projects)
    )
    latencies.sort()

    def pct(q: float) -> float:
        if not latencies:
            return 0.0
        index = max(0, min(len(latencies) - 1, -(-len(latencies) * q // 100) - 1))
        return round(latencies[int(index)] * 1000, 1)

    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        # X-Cache of the answers: "miss" ran the queries, "hit" came from the cache,
        # "shared" waited for a concurrent identical request's queries.
        "queried_pct": round(100 * outcomes.get("miss", 0) / max(1, len(latencies)), 1),
        "x_cache": outcomes,
    }


def run_driver(base: str, scenario: str, args: argparse.Namespace, key: str | None) -> dict:
    # The key goes through the environment, not the command line other users can list.
    env = {**os.environ, **({KEY_ENV: key} if key else {})}
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--drive",
            base,
            "--scenario",
            scenario,
            "--connections",
            str(args.connections),
            "--seconds",
            str(args.seconds),
            "--projects",
            str(args.projects),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(done.stdout)


def bench_key(url: str) -> str:
    """A viewer and an API key for the authenticated runs."""
    from optimus.store import users
    from optimus.store.db import Database

    db = Database(url)
    with db.session() as session:
        user = users.create_user(session, "bench", "viewer")
        plaintext = users.create_api_key(session, user, "bench")[1]
    db.dispose()
    return plaintext


def create_pg() -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    name = f"optimus_bench_{secrets.token_hex(4)}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{name}", name


def drop_pg(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def bench_backend(backend: str, args: argparse.Namespace) -> list[dict]:
    rows: list[dict] = []
    scratch = tempfile.mkdtemp(prefix="optimus-api-bench-")
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite:///{scratch}/history.db"
    else:
        url, pg_name = create_pg()
    try:
        started = time.perf_counter()
        load(url, args.projects, args.findings)
        print(f"{backend}: loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        modes = {"off": [False], "on": [True], "both": [False, True]}[args.auth]
        key = bench_key(url) if True in modes else None
        for auth in modes:
            for cache_ttl in (30.0, 0.0):
                server, base = start_server(
                    url, cache_ttl, args.workers, auth=auth, redis=args.redis
                )
                try:
                    for scenario in ("projects", "findings"):
                        figures = run_driver(base, scenario, args, key if auth else None)
                        row = {
                            "backend": backend,
                            "auth": "on" if auth else "off",
                            "cache": "on" if cache_ttl else "off",
                            "scenario": scenario,
                            **figures,
                        }
                        print(json.dumps(row), file=sys.stderr)
                        rows.append(row)
                finally:
                    stop(server)
    finally:
        if pg_name:
            drop_pg(pg_name)
    return rows


def write(rows: list[dict], args: argparse.Namespace, note: str, load_before: float) -> Path:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M%S")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip()
    meta = {
        "date": stamp,
        "commit": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "projects": args.projects,
        "findings": args.findings,
        "connections": args.connections,
        "seconds_per_scenario": args.seconds,
        "server_workers": args.workers,
        "client": client_name(),
        "auth": args.auth,
        "redis": bool(args.redis),
        "load_average_before": load_before,
        # After the run the benchmark's own server and client are part of the figure.
        "load_average_after": os.getloadavg()[0],
        "note": note,
    }
    (out / f"api-{stamp}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    lines = [
        f"# API benchmark, {stamp} (commit {commit})",
        "",
        f"{args.projects:,} projects, {args.findings:,} findings; {args.connections} concurrent "
        f"connections from a second process ({client_name()}, asyncio), {args.seconds:g} s "
        "per scenario "
        f"after a warm-up; server: `optimus serve --workers {args.workers}`, cache "
        + ("in Redis (`OPTIMUS_REDIS_URL`)" if args.redis else "in process")
        + "; *auth on*: "
        "`--auth`, every request sends a viewer's API key; *auth off*: loopback, no key"
        f". Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"1-minute load average {load_before:.2f} before the run and "
        f"{meta['load_average_after']:.2f} after it (the benchmark's own load included).",
        "",
        f"Note: {note}",
        "",
        "*queried*: the share of answers that ran the database queries themselves (X-Cache "
        "`miss`); the others came from the cache (`hit`) or waited for an identical request "
        "already running (`shared`), which happens with the cache off too.",
        "",
        "| backend | auth | cache | request | requests/s | p50 ms | p95 ms | p99 ms | queried "
        "| errors |",
        "| --- | --- | --- | --- | --: | --: | --: | --: | --: | --: |",
    ]
    label = {
        "projects": "GET /api/v1/projects",
        "findings": "GET /api/v1/findings?project_id=…&limit=50",
    }
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['auth']} | {r['cache']} | {label[r['scenario']]} | "
            f"{r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['queried_pct']}% | "
            f"{r['errors']} |"
        )
    path = out / f"api-{stamp}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--auth",
        choices=["off", "on", "both"],
        default="both",
        help="serve with auth off (loopback), on (every request sends an API key), or both",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="serve with OPTIMUS_REDIS_URL=URL (the shared cache); default: the in-process one",
    )
    parser.add_argument("--note", default="", help="a line recorded with the figures")
    parser.add_argument("--drive", metavar="BASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--scenario", default="projects", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        print(
            json.dumps(
                drive(args.drive, args.scenario, args.connections, args.seconds, args.projects)
            )
        )
        return
    load_before = os.getloadavg()[0]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows = [row for backend in backends for row in bench_backend(backend, args)]
    print(write(rows, args, args.note, load_before))


if __name__ == "__main__":
    main()
