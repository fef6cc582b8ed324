"""docker-single-stage fix: a builder stage and a slim runtime stage (Python, Node, Rust)."""

from __future__ import annotations

from pathlib import Path

from tests.fix.codemods.conftest import check_fixed, findings_of, propose, write

PYTHON = """\
FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /srv
RUN apt-get update \\
    && apt-get install -y --no-install-recommends build-essential \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# the app itself
COPY app ./app
CMD ["uvicorn", "app.main:app"]
"""


def test_python_builds_into_a_venv(tree: Path) -> None:
    files = {"Dockerfile": PYTHON, "requirements.txt": "uvicorn\n"}
    texts = check_fixed(tree, "docker-single-stage", files)
    assert texts["Dockerfile"] == (
        "FROM python:3.12-slim AS build\n"
        "RUN python -m venv /opt/venv\n"
        'ENV PATH="/opt/venv/bin:$PATH"\n'
        + PYTHON[len("FROM python:3.12-slim\n") : PYTHON.index("# the app")]
        + "\n"
        "# runtime: only what the app needs, on a slim base\n"
        "FROM python:3.12-slim\n"
        "COPY --from=build /opt/venv /opt/venv\n"
        'ENV PATH="/opt/venv/bin:$PATH"\n'
        "ENV PYTHONUNBUFFERED=1\n"
        "WORKDIR /srv\n"
        "COPY requirements.txt .\n" + PYTHON[PYTHON.index("# the app") :]
    )


def test_python_runtime_library_is_refused(tree: Path) -> None:
    text = PYTHON.replace("build-essential", "build-essential libpq-dev")
    write(tree, {"Dockerfile": text, "requirements.txt": "psycopg2\n"})
    [finding] = findings_of(tree, "docker-single-stage")
    assert propose(tree, finding) is None


NODE = """\
FROM node:20\r
WORKDIR /app\r
COPY . .\r
RUN npm ci\r
RUN npm run build\r
EXPOSE 3000\r
CMD ["node", "dist/server.js"]\r
"""


def test_node_prunes_and_copies_the_workdir_crlf(tree: Path) -> None:
    files = {
        "Dockerfile": NODE.encode(),
        "package.json": '{"name": "a", "version": "1.0.0"}\n',
        "package-lock.json": "{}\n",
    }
    texts = check_fixed(tree, "docker-single-stage", files)
    assert texts["Dockerfile"] == (
        "FROM node:20 AS build\r\n"
        "WORKDIR /app\r\nCOPY . .\r\nRUN npm ci\r\nRUN npm run build\r\n"
        "RUN npm prune --omit=dev\r\n"
        "\r\n"
        "# runtime: only what the app needs, on a slim base\r\n"
        "FROM node:20-slim\r\n"
        "COPY --from=build /app /app\r\n"
        "WORKDIR /app\r\n"
        'EXPOSE 3000\r\nCMD ["node", "dist/server.js"]\r\n'
    )


RUST = """\
FROM rust:1.80-slim-bookworm AS app
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked
ENV PORT=3000
CMD ["./target/release/inventory"]
"""


def test_rust_ships_the_binary_on_debian_slim(tree: Path) -> None:
    files = {
        "Dockerfile": RUST,
        "Cargo.toml": '[package]\nname = "inventory"\nversion = "0.1.0"\n',
        "Cargo.lock": "version = 3\n",
        "src/main.rs": "fn main() {}\n",
    }
    texts = check_fixed(tree, "docker-single-stage", files)
    new = texts["Dockerfile"]
    assert new.startswith(RUST[: RUST.index("ENV PORT")])
    assert new.endswith(
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends ca-certificates \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "COPY --from=app /src/target/release/inventory /src/target/release/inventory\n"
        "WORKDIR /src\n"
        "COPY Cargo.toml Cargo.lock ./\n"
        "COPY src ./src\n"
        'ENV PORT=3000\nCMD ["./target/release/inventory"]\n'
    )


def test_rust_workspace_is_refused(tree: Path) -> None:
    write(
        tree,
        {
            "Dockerfile": RUST,
            "Cargo.toml": '[workspace]\nmembers = ["a"]\n',
            "a/Cargo.toml": '[package]\nname = "a"\nversion = "0.1.0"\n',
            "a/src/main.rs": "fn main() {}\n",
        },
    )
    found = findings_of(tree, "docker-single-stage")
    assert found
    assert all(propose(tree, f) is None for f in found)


def test_python_multiline_replayed_instruction_crlf(tree: Path) -> None:
    text = PYTHON.replace(
        "ENV PYTHONUNBUFFERED=1\n", "ENV PYTHONUNBUFFERED=1 \\\n    PIP_NO_INPUT=1\n"
    ).replace("\n", "\r\n")
    files = {"Dockerfile": text.encode(), "requirements.txt": "uvicorn\n"}
    texts = check_fixed(tree, "docker-single-stage", files)
    new = texts["Dockerfile"]
    assert "\n" not in new.replace("\r\n", "")
    runtime = new[new.index("FROM python:3.12-slim\r\n") :]
    assert "ENV PYTHONUNBUFFERED=1 \\\r\n    PIP_NO_INPUT=1\r\n" in runtime


def test_rust_binary_linking_openssl_gets_libssl(tree: Path) -> None:
    files = {
        "Dockerfile": RUST.replace("1.80-slim-bookworm", "1.80-slim-bullseye"),
        "Cargo.toml": '[package]\nname = "inventory"\nversion = "0.1.0"\n',
        "Cargo.lock": 'version = 3\n\n[[package]]\nname = "openssl-sys"\nversion = "0.9.102"\n',
        "src/main.rs": "fn main() {}\n",
    }
    texts = check_fixed(tree, "docker-single-stage", files)
    assert (
        "FROM debian:bullseye-slim\nRUN apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends ca-certificates libssl1.1 \\\n"
    ) in texts["Dockerfile"]
