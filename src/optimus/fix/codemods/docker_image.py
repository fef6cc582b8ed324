"""docker-heavy-base and docker-root-user: a slimmer base and an unprivileged user.

- docker-heavy-base (unsafe): the FROM that names the final image's base gets the slim
  variant of the same tag, for the images whose slim variant is the same software without
  build tools (python and ruby ``3.12`` -> ``3.12-slim``, ``3.12-bookworm`` ->
  ``3.12-slim-bookworm``; node ``20`` -> ``20-slim``; debian ``12`` -> ``12-slim``). A
  build step that needs a compiler or headers then fails, which is why it is unsafe.
  Refused for the other images the rule reports (there the advice is another image or a
  builder stage), for bases named through an ARG and for digest-pinned references.
- docker-root-user (unsafe): an unprivileged user is created with the base image family's
  tools (``useradd`` on Debian/Ubuntu-based images, ``addgroup -S``/``adduser -S`` on
  Alpine; the node images' own ``node`` user; a user the Dockerfile already creates is
  reused) and ``USER`` switches to it after the final stage's last RUN, so the build steps
  still run as root. Files the app writes at run time must then be writable by that user.
  Refused for distroless, scratch and unknown base families.
"""

from __future__ import annotations

import re

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _dockerfile as df
from optimus.fix.codemods._recheck import still_reported
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding
from optimus.rules.docker._common import base_image_text, stage_chain
from optimus.rules.docker.heavy_base import _slim_tag, parse_image, resolve_final

_SLIM = {"python", "ruby", "node", "debian"}
#: Base images built on Debian or Ubuntu, where useradd is always present.
_DEBIAN_FAMILY = frozenset(
    {
        "python",
        "ruby",
        "debian",
        "ubuntu",
        "golang",
        "rust",
        "openjdk",
        "eclipse-temurin",
        "buildpack-deps",
        "php",
        "perl",
        "nvidia/cuda",
        "pytorch/pytorch",
    }
)
UID = "10001"
_CREATED = re.compile(r"\(the user `([a-z_][a-z0-9_-]*\$?)` is ")


def slim_variant(repository: str, tag: str) -> str | None:
    """The slim tag of the same release, or None when there is no plain slim variant."""
    if repository not in _SLIM:
        return None
    if repository in ("python", "ruby"):
        return _slim_tag(tag)
    if repository == "node":
        return "slim" if tag in ("", "latest") else f"{tag}-slim"
    return "stable-slim" if tag in ("", "latest") else f"{tag}-slim"


@fixer("docker-heavy-base", Applicability.UNSAFE)
def fix_heavy_base(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Switch the final image's base to the slim variant of the same tag."""
    text = ctx.read_text(finding.path)
    if text is None or not still_reported(finding, text, "dockerfile"):
        return None
    resolved = resolve_final(df.parse(text))
    if resolved is None:
        return None
    image, from_ins, _ = resolved
    written = from_ins.args.split()[0] if from_ins.args.split() else ""
    if from_ins.line != finding.line or "$" in written or "@" in written:
        return None
    slim = slim_variant(image.repository, image.tag)
    if slim is None:
        return None
    name = written.rsplit(":", 1)[0] if image.tag and written.endswith(":" + image.tag) else written
    if image.tag and name == written:
        return None  # the tag is not where it was expected
    new_word = f"{name}:{slim}"
    raw = df.raw(text, from_ins)
    position = raw.find(written)
    if position < 0:
        return None
    new_raw = raw[:position] + new_word + raw[position + len(written) :]
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"base the final image on {new_word} instead of {written} (line {from_ins.line}): the "
        "same runtime without compilers and headers; a build step that needs them will fail",
        text,
        df.replace(text, from_ins, new_raw),
    )


def _user_lines(repository: str, tag: str) -> tuple[list[str], str] | None:
    """The lines that create the user, and the USER value, for this base image."""
    if repository == "scratch" or "distroless" in repository or "distroless" in tag:
        return None
    if repository == "node":
        return [], "node"  # the official node images ship an unprivileged `node` user
    if repository == "alpine" or "alpine" in tag:
        create = f"RUN addgroup -S -g {UID} app && adduser -S -D -u {UID} -G app app"
        return [create], UID
    if repository in _DEBIAN_FAMILY:
        create = f"RUN useradd --system --user-group --uid {UID} --create-home app"
        return [create], UID
    return None


@fixer("docker-root-user", Applicability.UNSAFE)
def fix_root_user(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Create an unprivileged user and switch to it after the final stage's last RUN."""
    text = ctx.read_text(finding.path)
    if text is None or not still_reported(finding, text, "dockerfile", any_line=True):
        return None
    dockerfile = df.parse(text)
    chain = stage_chain(dockerfile)
    if not chain:
        return None
    image = parse_image(base_image_text(dockerfile, chain))
    if image is None:
        return None
    created = _CREATED.search(finding.message)
    if created:
        plan: tuple[list[str], str] | None = ([], created.group(1))
    else:
        plan = _user_lines(image.repository, image.tag.lower())
    if plan is None:
        return None
    lines, user = plan
    final = chain[0]
    anchor = next(
        (i for i in reversed(final.instructions) if i.keyword in ("RUN", "USER")),
        final.from_instruction,
    )
    new = df.insert_after(text, anchor, [*lines, f"USER {user}"])
    what = f"create the unprivileged user `app` (uid {UID}) and " if lines else ""
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"{what}run the container as `{user}` (USER after line {anchor.end_line}); files the "
        "app writes at run time must be writable by that user",
        text,
        new,
    )
