"""deps-dev-prod-duplicate (DP001): package.json and pyproject.toml fixtures."""

from __future__ import annotations

from pathlib import Path

from optimus.rules.deps.dev_prod_duplicate import (
    is_dev_group,
    json_key_line,
    normalize,
    requirement_name,
)
from optimus.testing.harness import assert_rule_matches

FIXTURES = Path(__file__).parent / "dev_prod_duplicate"


def test_fixtures_match_markers() -> None:
    assert_rule_matches(str(FIXTURES), "deps-dev-prod-duplicate")


def test_messages() -> None:
    result = assert_rule_matches(str(FIXTURES), "deps-dev-prod-duplicate")
    by_key = {(f.path, f.line): f.message for f in result.findings}
    lodash = by_key[("npm_dup/package.json", 10)]
    assert lodash.startswith("lodash is in both dependencies and devDependencies")
    assert "npm installs the dependencies entry; remove it from devDependencies" in lodash
    assert "^4.17.0 is ignored" in lodash
    assert "is ignored" not in by_key[("npm_dup/package.json", 11)]
    requests = by_key[("py_groups/pyproject.toml", 19)]
    assert "Requests is a runtime dependency (requests>=2.31)" in requests
    assert "[dependency-groups] test" in requests
    assert "[tool.poetry.group.docs.dependencies]" in by_key[("py_poetry/pyproject.toml", 21)]
    assert "(requests ^2.31)" in by_key[("py_poetry/pyproject.toml", 12)]
    # one finding per duplicated name, even when it is in several development lists
    assert sum(1 for path, _ in by_key if path == "py_groups/pyproject.toml") == 2


def test_normalize_and_names() -> None:
    assert normalize("Zope.Interface") == normalize("zope_interface") == "zope-interface"
    assert requirement_name("Pydantic[email]>=2; python_version>'3'") == "Pydantic"
    assert requirement_name("  foo.bar-baz ==1") == "foo.bar-baz"
    assert requirement_name("; nothing") is None


def test_dev_group_names() -> None:
    assert all(
        is_dev_group(n) for n in ("dev", "Test", "tests", "lint", "typing", "docs", "dev-tools")
    )
    assert not any(is_dev_group(n) for n in ("server", "postgres", "prod", "gpu"))


def test_json_key_line() -> None:
    text = (
        '{\n "a": {"devDependencies": {"x": 1}},\n'
        ' "devDependencies": {\n  "y": "1",\n  "x": "2"\n }\n}'
    )
    assert json_key_line(text, ["devDependencies", "x"]) == 5
    assert json_key_line(text, ["devDependencies"]) == 3
    assert json_key_line(text, ["a", "devDependencies", "x"]) == 2
    assert json_key_line(text, ["devDependencies", "z"]) is None
