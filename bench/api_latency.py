"""Sequential latency and server CPU of uncached API requests: what one cache miss costs.

Starts ``optimus serve --workers 1 --cache-ttl 0`` (or ``--cache-ttl``) on a database loaded like
bench/api_bench.py's (1,000 projects, 100,000 findings), sends N requests one after the
other over one keep-alive connection (a random project each time, so every answer runs its
queries), and reports the client's p50/p95/p99 latency and the server process's CPU time
per request (user + system, read from /proc before and after the loop). No concurrency: this
isolates the cost of one request, which bounds what the server can answer per core.

    python bench/api_latency.py --backend sqlite --requests 2000
    python bench/api_latency.py --database sqlite:////tmp/loaded.db   # reuse a loaded database

Not a test: figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bench import create_pg, drop_pg, load, start_server, stop

SCENARIOS = {
    "findings": lambda rng, projects: (
        f"/api/v1/findings?project_id={rng.randint(1, projects)}&limit=50"
    ),
    "projects": lambda rng, projects: "/api/v1/projects",
    # One project's page every time: with the cache on, all hits after the first, which
    # gives the cost of the framework and the cache lookup alone.
    "findings-one": lambda rng, projects: "/api/v1/findings?project_id=1&limit=50",
}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(base: str, pid: int, scenario: str, requests: int, projects: int) -> dict:
    """Send ``requests`` requests one by one; latency percentiles and server CPU each."""
    import httpx

    rng = random.Random(3)
    latencies = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(50):  # warm-up: imports, compiled statements, pooled connections
            client.get(SCENARIOS[scenario](rng, projects)).raise_for_status()
        cpu_before = cpu_seconds(pid)
        started = time.perf_counter()
        for _ in range(requests):
            path = SCENARIOS[scenario](rng, projects)
            sent = time.perf_counter()
            response = client.get(path)
            latencies.append(time.perf_counter() - sent)
            response.raise_for_status()
        wall = time.perf_counter() - started
        cpu = cpu_seconds(pid) - cpu_before
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * q / 100))] * 1000, 2)

    return {
        "scenario": scenario,
        "requests": requests,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(wall / requests * 1000, 3),
        "server_cpu_ms_per_request": round(cpu / requests * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database", help="an already loaded database URL (skips loading)")
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="findings")
    parser.add_argument(
        "--cache-ttl", type=float, default=0.0, help="the server's --cache-ttl (0: cache off)"
    )
    args = parser.parse_args()
    pg_name = None
    url = args.database
    if url is None:
        if args.backend == "sqlite":
            url = f"sqlite:///{tempfile.mkdtemp(prefix='optimus-api-latency-')}/history.db"
        else:
            url, pg_name = create_pg()
        load(url, args.projects, args.findings)
    try:
        server, base = start_server(url, args.cache_ttl, 1)
        try:
            row = measure(base, server.pid, args.scenario, args.requests, args.projects)
        finally:
            stop(server)
    finally:
        if pg_name:
            drop_pg(pg_name)
    where = url.split("@")[-1]
    figures = {"database": where, "cache_ttl": args.cache_ttl, **row}
    print(json.dumps({**figures, "load_average": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
