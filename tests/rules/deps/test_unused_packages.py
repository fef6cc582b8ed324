"""deps-unused (DP003), Node part: dependencies no file of the package uses. The Python part
is the deptry engine's (tests/engines/test_deptry.py)."""

from __future__ import annotations

from pathlib import Path

from optimus.testing.harness import assert_rule_matches

FIXTURES = Path(__file__).parent / "unused_packages"
RULE = "deps-unused"


def test_fixtures_match_markers() -> None:
    assert_rule_matches(str(FIXTURES), RULE)


def test_messages() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    by_key = {(f.path, f.line): f for f in result.findings}
    lodash = by_key[("node_api/package.json", 9)].message
    assert lodash.startswith("lodash is in the dependencies of package.json but no import")
    assert "npm uninstall lodash" in lodash
    chalk = by_key[("node_monorepo/packages/a/package.json", 6)].message
    # member b imports chalk, but each member is judged by its own files
    assert chalk.startswith("chalk is in the dependencies of packages/a/package.json")
    assert all(f.engine is None or f.engine == "optimus" for f in result.findings)
