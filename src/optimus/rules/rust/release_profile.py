"""cargo-release-profile: a Rust project that ships binaries without LTO or one codegen unit.

Cargo reads profiles only from the workspace root manifest (and from `.cargo/config.toml`),
so this project rule reads the project's root `Cargo.toml` and fires when the project builds
binaries and neither `[profile.release]` nor a custom profile inheriting from it turns on
link-time optimisation and `codegen-units = 1`. `opt-level` is never asked for: 3 is already
the release default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules._purpose import not_for_production
from optimus.rules.base import Hit, Impact, Reference, Rule

_RELEASE = r"profile\s*\.\s*(?:release|\"release\")"
#: The `[profile.release]` table header.
_HEADER = re.compile(rf"^\s*\[\s*{_RELEASE}\s*\]")
#: A dotted key such as `profile.release.lto = true` (not a per-package override table).
_DOTTED = re.compile(rf"^\s*{_RELEASE}\s*\.(?!\s*(?:package|build-override)\b)")
_MAX_INHERIT_DEPTH = 16


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def lto_enabled(value: Any) -> bool:
    """Whether a profile's `lto` value turns on cross-crate LTO (true, "thin", "fat")."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.lower() in ("true", "thin", "fat")


def _merged_profiles(manifest: dict[str, Any], config: dict[str, Any]) -> dict[str, dict]:
    """Profiles of the root manifest, with `.cargo/config.toml` settings laid over them."""
    merged: dict[str, dict] = {}
    for source in (manifest, config):
        for name, settings in _table(source.get("profile")).items():
            if isinstance(settings, dict):
                merged.setdefault(name, {}).update(settings)
    return merged


def _effective(profiles: dict[str, dict], name: str) -> dict[str, Any] | None:
    """A profile's settings with what it inherits, or None when it does not reach release."""
    chain: list[dict[str, Any]] = []
    current = name
    for _ in range(_MAX_INHERIT_DEPTH):
        settings = profiles.get(current, {})
        chain.append(settings)
        if current == "release":
            break
        parent = settings.get("inherits")
        if not isinstance(parent, str):
            return None
        current = parent
    else:
        return None
    result: dict[str, Any] = {}
    for settings in reversed(chain):
        result.update(settings)
    return result


def missing_settings(settings: dict[str, Any]) -> list[str]:
    """The speed settings a profile lacks: `lto` and/or `codegen-units = 1`."""
    missing = []
    if not lto_enabled(settings.get("lto")):
        missing.append("lto")
    if settings.get("codegen-units") != 1:
        missing.append("codegen-units = 1")
    return missing


def _package_builds_binary(ctx: ProjectContext, manifest: dict[str, Any], folder: str) -> bool:
    """Whether the package whose manifest sits in ``folder`` (root-relative) has a binary."""
    bins = manifest.get("bin")
    if isinstance(bins, list) and bins:
        return True
    if not isinstance(manifest.get("package"), dict):
        return False
    base = folder + "/" if folder else ""
    main = base + "src/main.rs"
    bin_dir = base + "src/bin/"
    return any(p == main or p.startswith(bin_dir) for p in ctx.paths)


def builds_binaries(ctx: ProjectContext, root: SourceFile, manifest: dict[str, Any]) -> bool:
    """Whether the root package or any workspace member manifest in the project has a binary."""
    for src in ctx.of_kind("cargo-manifest"):
        if src is root:
            data = manifest
        else:
            try:
                data = src.toml
            except ParseError:
                continue
        folder = src.path.rpartition("/")[0]
        if _package_builds_binary(ctx, data, folder):
            return True
    return False


def _profile_line(src: SourceFile) -> int | None:
    """The line of the `[profile.release]` header (or a dotted `profile.release` key)."""
    for pattern in (_HEADER, _DOTTED):
        for number, text in enumerate(src.lines, start=1):
            if pattern.match(text):
                return number
    return None


@rule
class CargoReleaseProfile(Rule):
    name = "cargo-release-profile"
    fixable = True
    code = "RS001"
    category = Category.PERFORMANCE
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 10
    kinds = frozenset({"cargo-manifest"})
    scope = "project"
    summary = (
        "A Rust project that builds binaries has no release profile with LTO and "
        "`codegen-units = 1`."
    )
    doc = {
        "What it finds": (
            "A Rust project whose root `Cargo.toml` builds binaries (a `[[bin]]` table, "
            "`src/main.rs`, `src/bin/`, or a workspace member with one) while "
            '`[profile.release]` lacks `lto` (`true`, `"thin"` or `"fat"`; `lto = false` '
            'and `"off"` count as missing) or `codegen-units = 1`, and no custom profile '
            'that `inherits = "release"` sets both. Only the workspace root manifest is '
            "read: Cargo ignores profiles in member manifests. Settings under `[profile]` in "
            "`.cargo/config.toml` are taken into account. Libraries are not flagged: the "
            "profile of the final binary decides, and that belongs to whoever builds it."
        ),
        "Why": (
            "Cargo's release defaults are `opt-level = 3`, `lto = false` (thin LTO within "
            "one crate only) and `codegen-units = 16`, which favour build time. The Rust "
            'Performance Book says link-time optimisation "can improve runtime speed by '
            '10-20% or more", and that a single codegen unit lets LLVM optimise across the '
            "whole crate, both at the cost of longer compile times. The gain depends on the "
            "program: benchmark all changes."
        ),
        "Example": ('```toml\n[package]\nname = "server"\n\n[profile.release]\ndebug = 1\n```'),
        "Instead": (
            '```toml\n[profile.release]\nlto = "thin"       # or true (fat LTO)\n'
            "codegen-units = 1\n```\n\nTo keep everyday release builds fast, put the "
            "settings in a profile for shipped builds and build those with "
            "`cargo build --profile dist`:\n\n```toml\n[profile.dist]\n"
            'inherits = "release"\nlto = true\ncodegen-units = 1\n```'
        ),
        "When not to": (
            "When release build time matters more than runtime speed (fast iteration, CI "
            "minutes), or when a benchmark shows no gain. Tools and test binaries that only "
            "run briefly rarely benefit. `opt-level = 3` is already the default and "
            '`strip = "symbols"` changes size, not speed. Projects whose README says they '
            'are not for production ("don\'t use X in production", "a learning '
            "resource\", such as tokio's mini-redis) are not reported."
        ),
        "Fix safety": (
            'Safe. `optimus fix` adds `lto = "thin"` and `codegen-units = 1` to '
            "`[profile.release]` of the workspace-root Cargo.toml with tomlkit (comments and "
            "layout kept), creating the table when there is none; an `lto` already on is "
            "kept. Release builds take longer; the program does not change. Refused when "
            "`.cargo/config.toml` sets these keys for the release profile."
        ),
    }
    references = (
        Reference(
            "The Cargo Book: Profiles", "https://doc.rust-lang.org/cargo/reference/profiles.html"
        ),
        Reference(
            "The Rust Performance Book: Build Configuration",
            "https://nnethercote.github.io/perf-book/build-configuration.html",
        ),
    )
    impact = Impact("10-20% or more faster at runtime from LTO, with longer builds", references[1])

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        src = ctx.source("Cargo.toml")
        if src is None or ctx.has_file(".cargo-checksum.json"):
            return  # .cargo-checksum.json: a vendored copy of a published crate, not yours
        if src.is_test:
            return  # a crate under tests/ or examples/: a fixture, not a shipped binary
        if not_for_production(ctx):
            return  # a teaching project whose README says not to run it in production
        try:
            manifest = src.toml
        except ParseError:
            return  # an unreadable manifest is not this rule's finding
        package = manifest.get("package")
        if isinstance(package, dict) and isinstance(package.get("workspace"), str):
            return  # a member that names its workspace root elsewhere: Cargo ignores its profiles
        if not builds_binaries(ctx, src, manifest):
            return
        config: dict[str, Any] = {}
        config_src = ctx.source(".cargo/config.toml")
        if config_src is not None:
            try:
                config = config_src.toml
            except ParseError:
                config = {}
        profiles = _merged_profiles(manifest, config)
        for name in profiles:
            settings = _effective(profiles, name)
            if settings is not None and not missing_settings(settings):
                return
        missing = missing_settings(_effective(profiles, "release") or {})
        what = " and ".join(f"`{m}`" for m in missing)
        lto = profiles.get("release", {}).get("lto")
        if "lto" in missing and lto is not None:
            shown = str(lto).lower() if isinstance(lto, bool) else f'"{lto}"'
            what = what.replace("`lto`", f"`lto` (set to `{shown}`)", 1)
        line = _profile_line(src)
        where = "`[profile.release]` lacks" if line is not None else "no release profile sets"
        message = (
            f"{where} {what}: this project builds binaries, and LTO with one codegen unit "
            "often makes them faster (the Rust Performance Book reports 10-20% or more for "
            "LTO) at the cost of longer release builds; benchmark the change, or put it in a "
            '`[profile.dist]` with `inherits = "release"` for shipped builds'
        )
        yield Hit(
            message,
            line=line,
            path=src.path,
            snippet=f"cargo-release-profile:{src.path}",
        )
