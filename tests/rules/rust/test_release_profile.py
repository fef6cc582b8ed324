"""cargo-release-profile (RS001): fixtures of small crates and workspaces."""

from __future__ import annotations

from pathlib import Path

from optimus.rules.rust.release_profile import lto_enabled, missing_settings
from optimus.testing.harness import assert_rule_matches, scan_fixture

RULE = "cargo-release-profile"

FIXTURES = Path(__file__).parent / "release_profile"


def test_fixtures_match_markers() -> None:
    assert_rule_matches(str(FIXTURES), "cargo-release-profile")


def test_messages_name_missing_settings_and_trade_off() -> None:
    result = assert_rule_matches(str(FIXTURES), "cargo-release-profile")
    by_path = {f.path: f for f in result.findings}
    assert "`codegen-units = 1`" in by_path["bin_dir/Cargo.toml"].message
    assert "`lto`" not in by_path["bin_dir/Cargo.toml"].message.split(":")[0]
    assert "`lto` (set to `false`)" in by_path["lto_false/Cargo.toml"].message
    none = by_path["bin_no_profile/Cargo.toml"]
    assert none.line is None
    assert none.message.startswith("no release profile sets `lto` and `codegen-units = 1`")
    assert all("compile" in f.message or "build" in f.message for f in result.findings)
    assert all("opt-level" not in f.message for f in result.findings)
    # Only the workspace root is reported: Cargo ignores member profiles.
    assert not any(f.path.startswith("workspace/crates/") for f in result.findings)


def test_lto_values() -> None:
    assert lto_enabled(True) and lto_enabled("thin") and lto_enabled("fat")
    assert not lto_enabled(False) and not lto_enabled("off") and not lto_enabled(None)


def test_missing_settings() -> None:
    assert missing_settings({"lto": "thin", "codegen-units": 1}) == []
    assert missing_settings({"lto": True, "codegen-units": 16}) == ["codegen-units = 1"]
    assert missing_settings({"opt-level": 3}) == ["lto", "codegen-units = 1"]


def test_a_vendored_published_crate_is_not_reported(tmp_path: Path) -> None:
    crate = tmp_path / "vendored-tool"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text("[package]\nname = 'tool'\nversion = '1.0.0'\n")
    (crate / "src" / "main.rs").write_text("fn main() {}\n")
    assert scan_fixture(str(tmp_path), [RULE]).findings  # a binary crate without a profile
    (crate / ".cargo-checksum.json").write_text('{"files": {}, "package": "x"}')
    assert scan_fixture(str(tmp_path), [RULE]).findings == []


def test_a_crate_inside_a_test_folder_is_a_fixture(tmp_path: Path) -> None:
    crate = tmp_path / "test" / "tests" / "hello-world"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text("[package]\nname = 'hello'\nversion = '0.1.0'\n")
    (crate / "src" / "main.rs").write_text("fn main() {}\n")
    assert scan_fixture(str(tmp_path), [RULE]).findings == []
