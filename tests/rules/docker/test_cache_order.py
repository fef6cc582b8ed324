"""docker-cache-order (DK002): fixtures of Dockerfiles with good and bad layer order."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.parse.dockerfile import parse_dockerfile
from optimus.rules.docker.cache_order import (
    classify,
    command_words,
    copies_whole_context,
    find_install,
)
from optimus.testing.harness import assert_rule_matches

FIXTURES = Path(__file__).parent / "cache_order"


def test_fixtures_match_markers() -> None:
    assert_rule_matches(str(FIXTURES), "docker-cache-order")


def test_messages_name_the_install_and_the_manifests() -> None:
    result = assert_rule_matches(str(FIXTURES), "docker-cache-order")
    by_path = {f.path: f for f in result.findings}
    python = by_path["python_naive/Dockerfile"].message
    assert python.startswith("COPY . . copies the whole build context before")
    assert "`pip install --no-cache-dir -r requirements.txt` (line 5)" in python
    assert "invalidates" in python and "requirements.txt" in python
    assert "then copy the rest" in python
    assert "package.json and package-lock.json" in by_path["node_app/Dockerfile"].message
    assert "Cargo.toml and Cargo.lock" in by_path["rust_app/Dockerfile"].message
    assert "pyproject.toml and uv.lock" in by_path["uv_project/Dockerfile.naive"].message
    assert "poetry.lock" in by_path["python_naive/api.Dockerfile"].message
    assert by_path["multi_stage/Dockerfile.second"].line == 11


@pytest.mark.parametrize(
    ("command", "tool"),
    [
        ("pip install -r requirements.txt", "pip"),
        ("pip3 install .", "pip"),
        ("python3.12 -m pip install --prefix /install /app", "pip"),
        ("/usr/local/bin/pip install --requirement=req.txt", "pip"),
        ("PIP_NO_CACHE_DIR=1 pip install -e .", "pip"),
        ("then bundle install --deployment", "bundle"),
        ("uv pip install -r requirements.txt", "uv"),
        ("uv sync --frozen", "uv"),
        ("poetry install --no-root", "poetry"),
        ("pipenv install --deploy --system", "pipenv"),
        ("npm ci", "npm"),
        ("npm install --omit=dev", "npm"),
        ("yarn", "yarn"),
        ("pnpm install --frozen-lockfile", "pnpm"),
        ("cargo fetch", "cargo"),
        ("cargo chef cook --release --recipe-path recipe.json", "cargo"),
        ("cargo chef prepare --recipe-path recipe.json", None),
        ("go mod download", "go"),
        ("bundle install", "bundle"),
        ("./mvnw -B package", "mvn"),
        ("conda env create -f environment.yml", "conda"),
        ("pip install gunicorn", None),
        ("pip install --prefix /install gunicorn", None),
        ("pip install --upgrade pip", None),
        ("npm install -g pm2", None),
        ("npm run build", None),
        ("yarn add left-pad", None),
        ("go build ./...", None),
        ("echo pip install -r x", None),
    ],
)
def test_classify(command: str, tool: str | None) -> None:
    assert classify(command_words(command)) == tool


def test_whole_context_copies() -> None:
    dockerfile = parse_dockerfile(
        "FROM x\nCOPY . .\nCOPY ./ /app/\nADD . /src\nCOPY src/ /app\nCOPY --from=b . .\n"
        'COPY [".", "/app"]\nCOPY --chown=1:1 * ./\n'
    )
    flags = [copies_whole_context(i) for i in dockerfile.stages[0].instructions]
    assert flags == [True, True, True, False, False, True, True]


def test_install_inside_heredoc_and_after_several_mounts() -> None:
    dockerfile = parse_dockerfile(
        "FROM x\nRUN <<EOF\nset -e\nnpm ci\nEOF\n"
        "RUN --mount=type=cache,target=/src/target --mount=type=bind,source=.,target=/src \\\n"
        "    cargo build --release\n"
    )
    heredoc, cargo = dockerfile.stages[0].instructions
    install = find_install(heredoc)
    assert install is not None and install.tool == "npm"
    assert find_install(cargo) is None  # the target cache mount keeps compiled dependencies


def test_dockerfile_parser_edge_cases() -> None:
    # Parser fixes made for these rules (optimus.parse.dockerfile); see its docstring.
    ends_in_comment = parse_dockerfile("FROM x\nRUN a \\\n# trailing comment\n")
    assert [i.args for i in ends_in_comment.instructions] == ["x", "a"]
    empty_continuation = parse_dockerfile("FROM x\nRUN a && \\\n\n    b\nCOPY . .\n")
    assert [(i.keyword, i.args) for i in empty_continuation.instructions][1:] == [
        ("RUN", "a && b"),
        ("COPY", ". ."),
    ]
    tab = parse_dockerfile("FROM\tpython:3.12\tAS\tbuild\n")
    assert tab.stages[0].image == "python:3.12" and tab.stages[0].alias == "build"
    quoted = parse_dockerfile('FROM x\nRUN echo "<<EOF"\nCOPY . .\nEOF\n')
    assert [i.keyword for i in quoted.instructions] == ["FROM", "RUN", "COPY", "EOF"]
    unclosed = parse_dockerfile("FROM x\nRUN cat <<END\nCOPY . .\n")
    assert [i.keyword for i in unclosed.instructions] == ["FROM", "RUN", "COPY"]
    mounts = parse_dockerfile(
        "FROM x\nRUN --mount=type=cache,target=/a --mount=type=bind,source=b b\n"
    )
    assert mounts.instructions[1].flags["mount"] == "type=cache,target=/a type=bind,source=b"
