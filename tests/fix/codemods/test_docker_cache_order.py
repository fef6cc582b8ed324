"""docker-cache-order fix: manifests copied and installed before the whole context."""

from __future__ import annotations

from pathlib import Path

from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

PY = """\
FROM python:3.12-slim
WORKDIR /srv
# sources
COPY . .
ENV PIP_DISABLE_PIP_VERSION_CHECK=1

# dependencies
RUN pip install --no-cache-dir -r requirements.txt \\
    && rm -rf /tmp/*
CMD ["python", "-m", "app"]
"""


def test_pip_requirements_and_includes(tree: Path) -> None:
    files = {
        "Dockerfile": PY,
        "requirements.txt": "-r requirements/base.txt\nflask\n",
        "requirements/base.txt": "-c constraints.txt\nrequests\n",
        "requirements/constraints.txt": "requests<3\n",
    }
    texts = check_fixed(tree, "docker-cache-order", files)
    assert texts["Dockerfile"] == (
        "FROM python:3.12-slim\n"
        "WORKDIR /srv\n"
        "# sources\n"
        "COPY requirements.txt requirements/base.txt requirements/constraints.txt ./\n"
        "ENV PIP_DISABLE_PIP_VERSION_CHECK=1\n"
        "RUN pip install --no-cache-dir -r requirements.txt \\\n"
        "    && rm -rf /tmp/*\n"
        "COPY . .\n"
        "\n"
        "# dependencies\n"
        'CMD ["python", "-m", "app"]\n'
    )


def test_npm_with_lockfile_and_absolute_dest_crlf(tree: Path) -> None:
    text = 'FROM node:20-slim\r\nCOPY . /app\r\nRUN npm ci\r\nCMD ["node", "/app/a.js"]\r\n'
    files = {
        "Dockerfile": text.encode(),
        "package.json": '{"name": "a", "version": "1.0.0"}\n',
        "package-lock.json": "{}\n",
    }
    texts = check_fixed(tree, "docker-cache-order", files)
    removed, added = changed_lines(text, texts["Dockerfile"])
    assert removed == ["RUN npm ci\r\n"]
    assert added == ["COPY package.json package-lock.json /app/\r\n", "RUN npm ci\r\n"]


def test_install_followed_by_a_build_is_refused(tree: Path) -> None:
    write(
        tree,
        {
            "Dockerfile": "FROM node:20-slim\nCOPY . .\nRUN npm ci && npm run build\n",
            "package.json": "{}\n",
        },
    )
    [finding] = findings_of(tree, "docker-cache-order")
    assert propose(tree, finding) is None


def test_project_install_and_missing_manifest_are_refused(tree: Path) -> None:
    write(tree, {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\nRUN pip install .\n"})
    [finding] = findings_of(tree, "docker-cache-order")
    assert propose(tree, finding) is None
    write(tree, {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r req.txt\n"})
    [finding] = findings_of(tree, "docker-cache-order")
    assert propose(tree, finding) is None  # req.txt is not in the build context


def test_requirements_with_a_local_package_are_refused(tree: Path) -> None:
    for line in ("-e ./libs/core", "core @ file:./libs/core", "--find-links wheels", "../core"):
        write(
            tree,
            {
                "Dockerfile": "FROM python:3.12-slim\nCOPY . .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n",
                "requirements.txt": f"flask\n{line}\n",
            },
        )
        [finding] = findings_of(tree, "docker-cache-order")
        assert propose(tree, finding) is None, line


def test_go_modules(tree: Path) -> None:
    text = (
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download\n"
        "RUN go build -o /app ./cmd/app\n"
        "FROM gcr.io/distroless/static\nCOPY --from=build /app /app\n"
    )
    files = {"Dockerfile": text, "go.mod": "module x\n", "go.sum": "", "cmd/app/main.go": ""}
    texts = check_fixed(tree, "docker-cache-order", files)
    assert texts["Dockerfile"] == text.replace(
        "COPY . .\nRUN go mod download\n", "COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
    )
