"""SourceFile: test-code detection by path, YAML with application tags."""

from __future__ import annotations

import pytest

from optimus.parse.source import SourceFile


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_api.py", True),
        ("integration-tests/src/lib.rs", True),
        ("e2e/login.spec.ts", True),
        ("pkg/test_utils/helpers.py", True),
        ("app/contest/views.py", False),
        ("app/latest.py", False),
        ("src/attestation/sign.rs", False),
    ],
)
def test_is_test_by_folder_names(path: str, expected: bool) -> None:
    assert SourceFile(path, path, "python", b"").is_test is expected


def test_yaml_with_application_tags_is_read() -> None:
    src = SourceFile(
        "compose.yaml",
        "compose.yaml",
        "yaml",
        b"services:\n  web:\n    ports: !override\n      - 80\nRes: !Join [a, b]\n",
    )
    assert src.yaml == [{"services": {"web": {"ports": [80]}}, "Res": ["a", "b"]}]
