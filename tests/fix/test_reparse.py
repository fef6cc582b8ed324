"""Every touched file is re-parsed by its kind; only breakage the fix caused counts."""

from __future__ import annotations

import pytest

from optimus.fix.reparse import parse_error, parse_kind


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("app/main.py", "python"),
        ("Cargo.toml", "toml"),
        ("pyproject.toml", "toml"),
        ("ruff.toml", "toml"),
        ("k8s/deploy.yaml", "yaml"),
        (".github/workflows/ci.yml", "yaml"),
        ("package.json", "json"),
        ("tsconfig.json", "json"),
        ("Dockerfile", "dockerfile"),
        ("api.Dockerfile", "dockerfile"),
        (".dockerignore", None),
        ("src/main.rs", None),
    ],
)
def test_kinds(path: str, kind: str | None) -> None:
    assert parse_kind(path) == kind


@pytest.mark.parametrize(
    ("path", "good", "bad", "error"),
    [
        ("a.py", "x = 1\n", "x = (\n", "Python syntax error"),
        ("Cargo.toml", "[profile.release]\nlto = true\n", "[profile.release\n", "invalid TOML"),
        ("a.json", '{"a": 1}\n', '{"a": 1,}\n', "invalid JSON"),
        ("a.yaml", "a: 1\n---\nb: 2\n", "a: 1\n---\nb: [\n", "invalid yaml"),
        ("Dockerfile", "FROM python\nRUN true\n", "FROM python\nRNU true\n", "unknown instruction"),
        ("Dockerfile", "FROM python\n", "# only a comment\n", "no FROM"),
    ],
)
def test_good_text_parses_and_bad_text_is_reported(
    path: str, good: str, bad: str, error: str
) -> None:
    assert parse_error(path, good) is None
    message = parse_error(path, bad, before=good)
    assert message is not None and error in message


def test_yaml_with_application_tags_parses() -> None:
    assert parse_error("compose.yaml", "services:\n  web: !override\n    image: x\n") is None


def test_a_file_that_was_already_broken_is_not_the_fix_s_fault() -> None:
    assert parse_error("a.py", "x = (\ny = 2\n", before="x = (\n") is None
    assert parse_error("a.py", "x = (\n", before=None) is not None


def test_an_unknown_dockerfile_keyword_that_was_there_before_is_kept() -> None:
    before = "FROM python\nCUSTOM thing\n"
    assert parse_error("Dockerfile", before + "RUN true\n", before=before) is None
