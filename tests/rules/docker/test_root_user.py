"""docker-root-user (DK005): images whose process runs as root."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.model import Severity
from optimus.rules.docker.heavy_base import parse_image
from optimus.rules.docker.root_user import non_root_base
from optimus.testing.harness import assert_rule_matches

RULE = "docker-root-user"
FIXTURES = Path(__file__).parent / "root_user"


def test_fixtures_match_markers() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_messages_say_why_and_what_to_do() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    by_path = {f.path: f for f in result.findings}
    missing = by_path["no_user/Dockerfile"]
    assert missing.message.startswith("no USER in the final stage (FROM python:3.12-slim)")
    assert "runs as root" in missing.message and "USER 10001" in missing.message
    assert missing.severity == Severity.MEDIUM and missing.code == "DK005"
    created = by_path["no_user/Dockerfile.created"].message
    assert "add `USER app`" in created and "created but never used" in created
    assert "`root`" in by_path["no_user/Dockerfile.last_root"].message
    assert "`${RUN_AS}` (root)" in by_path["no_user/Dockerfile.argroot"].message
    assert "`0:0`" in by_path["no_user/Dockerfile.uid0"].message
    assert by_path["no_user/Dockerfile.multi"].line == 6
    assert "base_image/Dockerfile" not in by_path
    base = by_path["base_image/Dockerfile.exposed"]
    assert base.severity == Severity.LOW and "base image" in base.message
    # Official base-image definitions: the images built FROM them choose their USER.
    assert "base_image/3.12/alpine/Dockerfile" not in by_path
    assert "base_image/Dockerfile.node" not in by_path
    assert by_path["base_image/Dockerfile.app"].severity == Severity.MEDIUM


@pytest.mark.parametrize(
    ("image", "non_root"),
    [
        ("gcr.io/distroless/python3-debian12:nonroot", True),
        ("gcr.io/distroless/static-debian12:debug-nonroot", True),
        ("gcr.io/distroless/static-debian12", False),
        ("cgr.dev/chainguard/node:latest", True),
        ("bitnami/python:3.12", True),
        ("registry.access.redhat.com/ubi9/python-311", True),
        ("registry.access.redhat.com/ubi9/ubi-minimal", False),
        ("mcr.microsoft.com/dotnet/runtime:8.0-azurelinux3.0-distroless", True),
        ("mcr.microsoft.com/dotnet/aspnet:8.0", False),
        ("node:20", False),
        ("python:3.12-slim", False),
    ],
)
def test_non_root_base(image: str, non_root: bool) -> None:
    ref = parse_image(image)
    assert ref is not None and non_root_base(ref) is non_root


def test_images_that_must_run_as_root_are_not_reported() -> None:
    # An NFS server and an iptables proxy (by their start scripts), an agent deployed
    # privileged, a VPN with NET_ADMIN, a compose service run privileged: root by design.
    # NET_BIND_SERVICE, CHOWN and an NFS client install are no reason to stay root.
    result = assert_rule_matches(str(FIXTURES), RULE)
    reported = {f.path.split("/")[-2] for f in result.findings if "must_be_root/" in f.path}
    assert reported == {"webapp", "nfs-client", "sidecar"}
