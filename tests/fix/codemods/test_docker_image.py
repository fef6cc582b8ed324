"""docker-heavy-base and docker-root-user fixes."""

from __future__ import annotations

from pathlib import Path

from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

PYTHON = """\
# syntax=docker/dockerfile:1
ARG APP=/srv
FROM python:3.12-bookworm AS base
WORKDIR /srv
RUN pip install --no-cache-dir flask

FROM base
COPY . .
CMD ["python", "-m", "app"]
"""


def test_heavy_base_through_an_alias(tree: Path) -> None:
    texts = check_fixed(tree, "docker-heavy-base", {"Dockerfile": PYTHON})
    removed, added = changed_lines(PYTHON, texts["Dockerfile"])
    assert removed == ["FROM python:3.12-bookworm AS base\n"]
    assert added == ["FROM python:3.12-slim-bookworm AS base\n"]


def test_heavy_base_registry_prefix_platform_and_crlf(tree: Path) -> None:
    text = 'FROM --platform=linux/amd64 docker.io/library/node:20\r\nCMD ["node", "a.js"]\r\n'
    texts = check_fixed(tree, "docker-heavy-base", {"Dockerfile": text.encode()})
    assert texts["Dockerfile"] == text.replace("node:20", "node:20-slim")


def test_heavy_base_other_images_are_refused(tree: Path) -> None:
    write(tree, {"Dockerfile": 'FROM rust:1.80\nCMD ["app"]\n'})
    [finding] = findings_of(tree, "docker-heavy-base")
    assert propose(tree, finding) is None


def test_root_user_debian_after_the_last_run(tree: Path) -> None:
    text = PYTHON.replace("COPY . .\n", "COPY . .\nRUN python -m compileall .\nEXPOSE 80\n")
    texts = check_fixed(tree, "docker-root-user", {"Dockerfile": text})
    removed, added = changed_lines(text, texts["Dockerfile"])
    assert removed == []
    assert added == [
        "RUN useradd --system --user-group --uid 10001 --create-home app\n",
        "USER 10001\n",
    ]
    assert "RUN python -m compileall .\nRUN useradd" in texts["Dockerfile"]


def test_root_user_alpine_crlf_and_explicit_root(tree: Path) -> None:
    text = 'FROM python:3.12-alpine\r\nUSER root\r\nCMD ["python"]\r\n'
    text = text.replace(
        'CMD ["python"]', 'COPY . /app\r\nEXPOSE 8000\r\nCMD ["python", "/app/main.py"]'
    )
    texts = check_fixed(tree, "docker-root-user", {"Dockerfile": text.encode()})
    assert texts["Dockerfile"] == text.replace(
        "USER root\r\n",
        "USER root\r\nRUN addgroup -S -g 10001 app && adduser -S -D -u 10001 -G app app\r\n"
        "USER 10001\r\n",
    )


def test_root_user_node_and_existing_user(tree: Path) -> None:
    text = 'FROM node:20-slim\nCOPY . .\nEXPOSE 3000\nCMD ["node", "a.js"]\n'
    texts = check_fixed(tree, "docker-root-user", {"Dockerfile": text})
    assert texts["Dockerfile"] == text.replace(
        "FROM node:20-slim\n", "FROM node:20-slim\nUSER node\n"
    )


def test_root_user_reuses_a_created_user(tree: Path) -> None:
    text = 'FROM debian:12-slim\nRUN useradd -m web\nCOPY . /app\nEXPOSE 80\nCMD ["/app/run"]\n'
    texts = check_fixed(tree, "docker-root-user", {"Dockerfile": text})
    assert texts["Dockerfile"] == text.replace("useradd -m web\n", "useradd -m web\nUSER web\n")


def test_root_user_distroless_is_refused(tree: Path) -> None:
    write(
        tree,
        {
            "Dockerfile": "FROM gcr.io/distroless/python3-debian12\nCOPY . /app\nEXPOSE 80\n"
            'CMD ["/app/m.py"]\n'
        },
    )
    found = findings_of(tree, "docker-root-user")
    assert found
    assert all(propose(tree, f) is None for f in found)


def test_root_user_node_alpine_uses_the_node_user(tree: Path) -> None:
    text = 'FROM node:20-alpine\nRUN npm i -g serve\nCMD ["serve"]\n'
    texts = check_fixed(tree, "docker-root-user", {"Dockerfile": text})
    assert texts["Dockerfile"] == text.replace("serve\nCMD", "serve\nUSER node\nCMD")
