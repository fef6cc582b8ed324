"""docker-heavy-base (DK001): fixtures of single- and multi-stage Dockerfiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.model import Severity
from optimus.parse.dockerfile import parse_dockerfile
from optimus.rules.docker._common import is_base_image_definition
from optimus.rules.docker.heavy_base import advise, parse_image, resolve_final, substitute
from optimus.testing.harness import assert_rule_matches, scan_fixture

FIXTURES = Path(__file__).parent / "heavy_base"


def test_fixtures_match_markers() -> None:
    assert_rule_matches(str(FIXTURES), "docker-heavy-base")


def test_messages_name_the_image_and_a_lighter_one() -> None:
    result = assert_rule_matches(str(FIXTURES), "docker-heavy-base")
    by_path = {f.path: f for f in result.findings}
    python = by_path["python_full/Dockerfile"].message
    assert "python:3.12" in python and "python:3.12-slim" in python and "alpine" in python
    assert "python:3.12-slim-bookworm" in by_path["multi_stage/Dockerfile.prod"].message
    assert "python:3.11-slim" in by_path["multi_stage/api.Dockerfile"].message
    assert "python:${PY}-slim" in by_path["arg_images/Dockerfile.tag"].message
    chain = by_path["alias_chain/Dockerfile"]
    assert chain.line == 2
    assert "node:20-slim" in chain.message and "through FROM base on line 13" in chain.message
    assert "debian:bookworm-slim" in by_path["rust_single/Dockerfile"].message
    assert "eclipse-temurin:17-jre" in by_path["jvm/Dockerfile.jdk"].message
    assert "12.4.1-cudnn-runtime-ubuntu22.04" in by_path["gpu/Dockerfile"].message
    assert "distros/Dockerfile.ubuntu" not in by_path
    assert by_path["distros/Dockerfile"].severity == Severity.MEDIUM


def test_parse_image() -> None:
    ref = parse_image("docker.io/library/python:3.12@sha256:abc")
    assert ref is not None and (ref.repository, ref.tag) == ("python", "3.12")
    ref = parse_image("public.ecr.aws/docker/library/node:20")
    assert ref is not None and (ref.repository, ref.tag) == ("node", "20")
    ref = parse_image("localhost:5000/python")
    assert ref is not None and ref.repository == "localhost:5000/python"
    assert parse_image("${BASE}") is None
    assert parse_image("python@sha256:abc") is None


def test_substitute() -> None:
    assert substitute("python:${PY}", {"PY": "3.12"}) == "python:3.12"
    assert substitute("python:$PY", {"PY": "3.12"}) == "python:3.12"
    assert substitute("python:${PY:-3.11}", {}) == "python:3.11"
    assert substitute("python:${PY}", {}) == "python:${PY}"


def test_advice_for_small_images_is_none() -> None:
    for text in ("python:3.12-slim", "node:20-alpine", "eclipse-temurin:21-jre", "alpine:3.20"):
        ref = parse_image(text)
        assert ref is not None and advise(ref) is None, text


def test_resolve_final_follows_aliases_and_stops_on_cycles() -> None:
    dockerfile = parse_dockerfile("FROM a AS b\nFROM b AS a\nFROM a\n")
    resolved = resolve_final(dockerfile)
    # "a" in the last FROM names stage 2 ("FROM b AS a"), whose "b" names stage 1, whose
    # "a" is the external image a (stage 2 is not earlier than stage 1).
    assert resolved is not None and resolved[0].repository == "a" and resolved[1].line == 1


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ('FROM buildpack-deps:bookworm\nRUN make install\nCMD ["python3"]\n', True),
        ("FROM alpine:3.21\nRUN apk add ruby\nCMD irb\n", True),
        ("FROM debian:bookworm-slim\nRUN apt-get update\n", True),
        ('FROM debian:bookworm\nCMD ["php", "-a"]\n', True),
        ('FROM scratch\nADD rootfs.tar.xz /\nCMD ["/bin/sh"]\n', True),
        (
            "FROM buildpack-deps:bookworm\nCOPY docker-entrypoint.sh /usr/local/bin/\n"
            'ENTRYPOINT ["tini", "--", "docker-entrypoint.sh"]\nCMD ["node"]\n',
            True,
        ),
        ('FROM python:3.12\nCOPY . /app\nCMD ["python3"]\n', False),
        ('FROM python:3.12\nCMD ["python3", "app.py"]\n', False),
        ('FROM python:3.12\nENTRYPOINT ["python3", "-m", "app"]\n', False),
        (
            'FROM node:22\nCOPY docker-entrypoint.sh /\nENTRYPOINT ["/docker-entrypoint.sh"]\n',
            False,
        ),
        ("FROM golang:1.23 AS build\nCOPY . .\nRUN go build\nFROM debian\nCMD bash\n", False),
        ('FROM python:3.12\nENTRYPOINT ["sh", "-c", "python app.py"]\n', False),
    ],
)
def test_base_image_definition(text: str, base: bool) -> None:
    assert is_base_image_definition(parse_dockerfile(text)) is base


def test_a_last_stage_named_for_development_is_a_dev_image(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12 AS production-image\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n\n"
        "FROM python:3.12 AS dev-image\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n"
    )
    assert scan_fixture(str(tmp_path), ["docker-heavy-base"]).findings == []
    (tmp_path / "Dockerfile").write_text("FROM python:3.12 AS app\nCOPY . /app\nCMD [\"python\"]\n")
    assert [f.line for f in scan_fixture(str(tmp_path), ["docker-heavy-base"]).findings] == [1]
