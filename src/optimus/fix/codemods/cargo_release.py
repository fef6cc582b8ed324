"""cargo-release-profile: turn on thin LTO and one codegen unit in ``[profile.release]``.

The edit goes through tomlkit, so the manifest keeps its comments, key order and layout: an
existing ``[profile.release]`` table (or ``profile.release.*`` dotted keys) gets the missing
settings, and a manifest without one gets the table at its end. An ``lto`` that is already
on (``true``, ``"fat"``) is kept; ``lto = false`` or ``"off"`` becomes ``"thin"``. Refused
when ``.cargo/config.toml`` sets these keys (Cargo lays it over the manifest, so the edit
would not count) or when the manifest does not parse.
"""

from __future__ import annotations

import tomllib
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods._text import keep_newlines, single_change
from optimus.model import Applicability, Finding
from optimus.rules.rust.release_profile import lto_enabled


def _config_overrides(ctx: FixContext, manifest_path: str) -> bool:
    """Whether the project's .cargo/config.toml sets lto or codegen-units for release."""
    folder = manifest_path.rpartition("/")[0]
    text = ctx.read_text(f"{folder}/.cargo/config.toml" if folder else ".cargo/config.toml")
    if text is None:
        return False
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True  # unknown: Cargo would refuse it too; leave the decision to the author
    release: Any = config.get("profile", {})
    release = release.get("release", {}) if isinstance(release, dict) else {}
    return isinstance(release, dict) and bool({"lto", "codegen-units"} & set(release))


@fixer("cargo-release-profile", Applicability.SAFE)
def fix_release_profile(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Add or merge ``lto = "thin"`` and ``codegen-units = 1`` into ``[profile.release]``."""
    text = ctx.read_text(finding.path)
    if text is None or _config_overrides(ctx, finding.path):
        return None
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError:
        return None
    profile = doc.get("profile")
    if profile is None:
        profile = tomlkit.table(is_super_table=True)
        doc.add("profile", profile)
    elif not isinstance(profile, dict):
        return None
    release = profile.get("release")
    if release is None:
        release = tomlkit.table()
        profile.add("release", release)
    elif not isinstance(release, dict):
        return None
    if not lto_enabled(release.get("lto")):
        release["lto"] = "thin"
    if release.get("codegen-units") != 1:
        release["codegen-units"] = 1
    new = keep_newlines(text, tomlkit.dumps(doc))
    return single_change(
        finding,
        Applicability.SAFE,
        'build release binaries with thin LTO and one codegen unit (`lto = "thin"`, '
        "`codegen-units = 1` in `[profile.release]`): faster code, longer release builds",
        text,
        new,
    )
