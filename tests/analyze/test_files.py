"""Per-file analysis helpers: line counts and the frameworks a file imports."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from optimus.analyze.files import _imports, count_lines

#: The anchored form the import scan replaced; both must find the same imports.
_MULTILINE = re.compile(rb"^[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)


def test_count_lines() -> None:
    assert count_lines(b"") == 0
    assert count_lines(b"a") == 1
    assert count_lines(b"a\n") == 1
    assert count_lines(b"a\nb") == 2


def test_python_imports_on_the_first_and_later_lines() -> None:
    data = b"import fastapi\nx = 1\n  from django.db import models\n# import flask\nimportx\n"
    assert _imports("python", data) == frozenset({"fastapi", "django"})


def test_rust_and_js_imports() -> None:
    assert _imports("rust", b"use tokio::sync;\npub use axum::Router;\n") == {"tokio", "axum"}
    assert _imports("typescript", b"import x from 'react';\nrequire(\"express\")\n") == {
        "react",
        "express",
    }


def test_only_the_first_64_kib_are_read() -> None:
    data = b"x = 1\n" * 11000 + b"import fastapi\n"
    assert len(data) > 65536
    assert _imports("python", data) == frozenset()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"import ", b"from ", b"  ", b"\t", b"\n", b"a", b"x.y", b"#"])))
def test_the_same_names_as_a_multiline_anchor(parts: list[bytes]) -> None:
    data = b"".join(parts)
    from optimus.analyze import files

    found = files._IMPORTS["python"].findall(b"\n" + data[:65536])
    assert found == _MULTILINE.findall(data, 0, 65536)
