"""KPIs to watch per project, chosen from its stack and tied to the findings they track.

Each KPI says why it matters for this project (its stack and the findings it would move)
and how to measure it with common tools. No targets are given: a target without the
project's own baseline would be an invented figure, so the report asks for a baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimus.model import Project
from optimus.report.analysis.model import Issue, Kpi

SERVICE_FRAMEWORKS = {
    "FastAPI",
    "Flask",
    "Django",
    "Starlette",
    "aiohttp",
    "Express",
    "Fastify",
    "Koa",
    "NestJS",
    "Next.js",
    "axum",
    "actix-web",
    "Rocket",
    "warp",
    "hyper",
    "tonic",
    "Uvicorn",
    "Gunicorn",
}
ML_FRAMEWORKS = {"PyTorch", "TensorFlow", "Transformers", "scikit-learn"}
DATABASE_LIBS = {"SQLAlchemy", "psycopg", "Django", "Prisma", "TypeORM", "Diesel", "sqlx"}


@dataclass(frozen=True)
class _Definition:
    name: str
    applies: Callable[[Project], bool]
    why: str
    how: str
    rules: tuple[str, ...]


def _frameworks(p: Project) -> set[str]:
    return set(p.stack.frameworks)


def _is_service(p: Project) -> bool:
    return bool(_frameworks(p) & SERVICE_FRAMEWORKS)


def _has(*infra: str) -> Callable[[Project], bool]:
    return lambda p: bool(set(p.stack.infrastructure) & set(infra))


_DEFINITIONS = (
    _Definition(
        "p95 request latency",
        _is_service,
        "it serves HTTP requests",
        "Read it from the server's request-duration histogram, e.g. Prometheus "
        "`histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))`, or from "
        "a load test (k6, Locust, wrk) against a staging copy with production-like data.",
        (
            "blocking-call-in-async",
            "client-per-request",
            "uvicorn-single-worker",
            "redis-keys-command",
            "model-loaded-per-request",
            "orm-n-plus-one",
            "fk-without-index",
            "sql-select-star",
            "fastapi-response-serialization",
            "lock-across-await",
            "json-from-str-of-bytes",
        ),
    ),
    _Definition(
        "Error rate",
        _is_service,
        "it serves HTTP requests",
        "The share of 5xx responses and timeouts: `sum(rate(http_requests_total"
        '{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))`, or the access log.',
        (
            "http-no-timeout",
            "db-pool-config",
            "dev-server-in-production",
            "k8s-no-readiness-probe",
            "unwrap-density",
            "lock-across-await",
            "compose-no-healthcheck",
            "docker-shell-form-cmd",
            "torch-missing-eval",
        ),
    ),
    _Definition(
        "Image size",
        _has("Dockerfile"),
        "it ships as a container image",
        "`docker image ls IMAGE` (the SIZE column) on the built image, or the registry's "
        "compressed size; compare before and after each Dockerfile change.",
        (
            "docker-heavy-base",
            "docker-single-stage",
            "docker-pip-cache",
            "docker-apt-hygiene",
            "docker-no-dockerignore",
        ),
    ),
    _Definition(
        "Image build time after a source change",
        _has("Dockerfile"),
        "it ships as a container image",
        "Touch one source file, then `time docker build .`: with a good layer order only the "
        "last layers rebuild.",
        ("docker-cache-order", "docker-no-dockerignore"),
    ),
    _Definition(
        "Release build time and binary speed",
        lambda p: "Rust" in p.stack.languages,
        "it is a Rust project",
        "`cargo build --release --timings` writes an HTML report of the build; time the "
        "binary on a representative workload with `hyperfine` before and after profile "
        "changes.",
        ("cargo-release-profile",),
    ),
    _Definition(
        "Panics in production",
        lambda p: "Rust" in p.stack.languages,
        "it is a Rust project",
        "Count `panicked at` lines in the service logs per day (or a panic hook that "
        "increments a metric).",
        ("unwrap-density", "lock-across-await"),
    ),
    _Definition(
        "Inference latency and memory per worker",
        lambda p: bool(_frameworks(p) & ML_FRAMEWORKS),
        "it runs a machine-learning model",
        "Time the prediction endpoint under load (p50/p95) and read each worker's resident "
        "memory (`ps -o rss= -p PID`, or `nvidia-smi` for GPU memory).",
        (
            "model-loaded-per-request",
            "torch-inference-no-grad",
            "torch-missing-eval",
            "inference-per-item-loop",
        ),
    ),
    _Definition(
        "Queries per request and slowest queries",
        lambda p: bool(_frameworks(p) & DATABASE_LIBS),
        "it talks to a SQL database",
        "Enable `pg_stat_statements` and watch `calls` and `mean_exec_time` of the top "
        "statements; count the queries of one request in a test (SQLAlchemy `echo=True`).",
        ("orm-n-plus-one", "fk-without-index", "sql-select-star", "db-pool-config"),
    ),
    _Definition(
        "Redis command latency",
        lambda p: "Redis" in _frameworks(p),
        "it uses Redis",
        "`redis-cli --latency` from the app host, and `SLOWLOG GET 10` / "
        "`INFO commandstats` on the server for slow commands.",
        ("redis-keys-command",),
    ),
    _Definition(
        "Pod restarts, readiness and scaling",
        _has("Kubernetes", "Helm"),
        "it runs on Kubernetes",
        "`kubectl get pods` (RESTARTS), `kubectl top pod` against the requests, and "
        "`kubectl describe hpa` (FailedGetResourceMetric means the autoscaler is blind).",
        ("k8s-no-readiness-probe", "k8s-no-resources", "hpa-without-requests"),
    ),
    _Definition(
        "CI duration per run",
        _has("GitHub Actions"),
        "it builds on GitHub Actions",
        "`gh run list --limit 50 --json createdAt,updatedAt,conclusion` and the run's "
        "timing page; watch the median and the longest runs.",
        ("ci-no-dependency-cache", "ci-no-timeout"),
    ),
    _Definition(
        "Dependency count and known vulnerabilities",
        lambda p: bool(p.stack.package_managers),
        "it declares dependencies",
        "Count the resolved packages of the lockfile, and run `pip-audit`, `npm audit` or "
        "`cargo audit` on it in CI.",
        ("deps-unused", "deps-dev-prod-duplicate", "deps-no-lockfile", "deps-vulnerable"),
    ),
)


def kpis_for(project: Project, issues: Sequence[Issue]) -> list[Kpi]:
    """The KPIs that apply to a project, those that its findings would move first."""
    found = {i.rule: i.findings for i in issues}
    picked = []
    for d in _DEFINITIONS:
        if not d.applies(project):
            continue
        moved = sorted(r for r in d.rules if r in found)
        n = sum(found[r] for r in moved)
        if moved:
            noun = "finding" if n == 1 else "findings"
            why = f"{d.why}; {n} {noun} here would move it ({', '.join(moved)})."
        else:
            why = f"{d.why}; no finding here touches it yet, so it is a guard against regressions."
        picked.append((-n, len(picked), Kpi(d.name, why[0].upper() + why[1:], d.how, tuple(moved))))
    picked.sort(key=lambda t: (t[0], t[1]))
    return [k for _, _, k in picked]
