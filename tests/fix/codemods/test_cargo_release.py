"""cargo-release-profile fix: the release profile is added or merged through tomlkit."""

from __future__ import annotations

from pathlib import Path

from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

MAIN = "fn main() {}\n"
MANIFEST = """\
[package]
name = "svc"  # the service
version = "0.1.0"
edition = "2021"

[dependencies]
serde = "1"
"""


def test_profile_added_at_the_end(tree: Path) -> None:
    texts = check_fixed(
        tree, "cargo-release-profile", {"Cargo.toml": MANIFEST, "src/main.rs": MAIN}
    )
    new = texts["Cargo.toml"]
    assert new.startswith(MANIFEST)
    assert new[len(MANIFEST) :] == '\n[profile.release]\nlto = "thin"\ncodegen-units = 1\n'


def test_existing_profile_merged_keeping_comments_and_fat_lto(tree: Path) -> None:
    text = MANIFEST + "\n[profile.release]\nlto = true  # fat\ndebug = 1\n\n[profile.dev]\n"
    texts = check_fixed(tree, "cargo-release-profile", {"Cargo.toml": text, "src/main.rs": MAIN})
    removed, added = changed_lines(text, texts["Cargo.toml"])
    assert removed == []
    assert added == ["codegen-units = 1\n"]
    assert "lto = true  # fat\n" in texts["Cargo.toml"]


def test_lto_off_and_dotted_keys_crlf(tree: Path) -> None:
    text = "profile.release.lto = false\r\n" + MANIFEST.replace("\n", "\r\n")
    texts = check_fixed(
        tree, "cargo-release-profile", {"Cargo.toml": text.encode(), "src/main.rs": MAIN}
    )
    new = texts["Cargo.toml"]
    assert "\n" not in new.replace("\r\n", "")
    assert new.startswith(
        'profile.release.lto = "thin"\r\nprofile.release.codegen-units = 1\r\n[package]\r\n'
    )


def test_cargo_config_override_is_refused(tree: Path) -> None:
    write(
        tree,
        {
            "Cargo.toml": MANIFEST,
            "src/main.rs": MAIN,
            ".cargo/config.toml": "[profile.release]\ncodegen-units = 16\n",
        },
    )
    [finding] = findings_of(tree, "cargo-release-profile")
    assert propose(tree, finding) is None
