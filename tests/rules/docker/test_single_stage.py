"""docker-single-stage (DK003): single-stage Dockerfiles that ship their toolchain."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.parse.dockerfile import parse_dockerfile
from optimus.rules.docker._common import run_commands
from optimus.rules.docker.single_stage import build_command, installed_toolchain
from optimus.testing.harness import assert_rule_matches

RULE = "docker-single-stage"
FIXTURES = Path(__file__).parent / "single_stage"


def _command(text: str):  # type: ignore[no-untyped-def]
    return run_commands(parse_dockerfile(f"FROM x\nRUN {text}\n").instructions[1])[0]


def test_fixtures_match_markers() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_messages_name_packages_commands_and_the_fix() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    by_path = {f.path: f for f in result.findings}
    python = by_path["python_gcc/Dockerfile"].message
    assert python.startswith("the only stage (FROM python:3.12-slim) installs build-essential")
    assert "libpq-dev (line 4)" in python
    assert "builder stage" in python and "COPY --from=build" in python
    assert "`npm run build`" in by_path["node_build/Dockerfile"].message
    assert "`yarn build:prod`" in by_path["node_build/Dockerfile.yarn"].message
    env = by_path["env_packages/Dockerfile"].message
    assert "gcc, g++, cmake" in env and "`cmake`" in env
    assert "go (tarball)" in by_path["go_tarball/Dockerfile"].message
    assert "rustup" in by_path["go_tarball/Dockerfile.rustup"].message
    assert "`mvn package`" in by_path["maven/Dockerfile"].message
    assert by_path["later_removal/Dockerfile"].line == 3
    assert by_path["heredoc/Dockerfile"].line == 4


@pytest.mark.parametrize(
    ("command", "packages"),
    [
        (
            "apt-get install -y build-essential libpq-dev=15.1-1 curl",
            ["build-essential", "libpq-dev"],
        ),
        ("apt-get -o Acquire::Retries=3 install -y gcc-12", ["gcc-12"]),
        (
            "apk add --no-cache --virtual .deps musl-dev linux-headers",
            ["musl-dev", "linux-headers"],
        ),
        ("yum install -y gcc-c++ openssl-devel", ["gcc-c++", "openssl-devel"]),
        ('dnf groupinstall -y "Development Tools"', ["development tools"]),
        ("apt-get install -y openjdk-17-jdk-headless", ["openjdk-17-jdk-headless"]),
        ("apt-get install -y libpq5 pkg-config ca-certificates", []),
        ("apt-get update", []),
        ("pip install gcc", []),
    ],
)
def test_installed_toolchain(command: str, packages: list[str]) -> None:
    assert installed_toolchain(_command(command))[0] == packages


@pytest.mark.parametrize(
    ("command", "build"),
    [
        ("cargo build --release", "cargo build"),
        ("go build -o /app .", "go build"),
        ("npm run build", "npm run build"),
        ("pnpm run build:web", "pnpm run build:web"),
        ("yarn build", "yarn build"),
        ("./gradlew :app:bootJar", "gradle :app:bootJar"),
        ("./mvnw -B package", "mvn package"),
        ("pip wheel -w /wheels .", "pip wheel"),
        ("python -m build", "python -m build"),
        ("dotnet publish -c Release", "dotnet publish"),
        ("npm run lint", None),
        ("npm ci", None),
        ("go mod download", None),
        ("mvn dependency:go-offline", None),
    ],
)
def test_build_command(command: str, build: str | None) -> None:
    assert build_command(_command(command)) == build


def test_quoted_text_is_not_a_command_but_sh_c_is() -> None:
    ins = parse_dockerfile(
        'FROM x\nRUN echo "cargo build" && sh -c \'go build .\' && su app -c "make"\n'
    ).instructions[1]
    assert [c.words for c in run_commands(ins)] == [
        ["echo", "cargo build"],
        ["go", "build", "."],
        ["make"],
    ]


def test_removal_in_a_later_run_is_explained() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    finding = next(f for f in result.findings if f.path == "later_removal/Dockerfile")
    assert "removing them later, on line 6, does not shrink the image" in finding.message


def test_comments_redirections_and_exports_in_run() -> None:
    ins = parse_dockerfile(
        "FROM x\nRUN export A=1 && echo a#b ${V##*-} >/dev/null 2>&1 && B=2 make # build it\n"
    ).instructions[1]
    commands = run_commands(ins)
    assert [c.words for c in commands] == [["echo", "a#b", "${V##*-}", ">/dev/null"], ["make"]]
    assert commands[1].env == {"A": "1", "B": "2"}
