"""Inline suppressions, configuration files, selection and per-file ignores."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.analyze.suppress import find_suppressions
from optimus.errors import ConfigError
from tests.helpers import write_tree

BIG = "x = 1\n" * 1001


def _rules(root: Path, **overrides: object) -> set[tuple[str, str]]:
    result = scan([str(root)], ScanOptions(overrides=dict(overrides), use_cache=False, jobs=1))
    return {(f.path, f.rule) for f in result.findings}


def test_find_suppressions_line_and_line_above() -> None:
    text = (
        "a = 1  # optimus: ignore[large-file, PY001]\n"
        "# optimus: ignore[blocking-call-in-async]\n"
        "time.sleep(1)\n"
        "b = 2  # optimus: ignore\n"
        "// optimus: ignore[unwrap-density]\n"
        "x.unwrap();\n"
    )
    found = find_suppressions(text)
    assert found[1] == {"large-file", "PY001"}
    assert found[2] == {"blocking-call-in-async"} and found[3] == {"blocking-call-in-async"}
    assert found[4] == {"*"}
    assert found[5] == {"unwrap-density"}
    assert found[6] == {"unwrap-density"}


def test_inline_suppression_silences_a_finding(tmp_path: Path) -> None:
    code = "import time\n\nasync def f():\n    time.sleep(1)  # optimus: ignore[{}]\n"
    write_tree(
        tmp_path,
        {
            "p/pyproject.toml": "",
            "p/by_name.py": code.format("blocking-call-in-async"),
            "p/by_code.py": code.format("PY001"),
            "p/other.py": code.format("large-file"),
            "p/above.py": (
                "import time\n\nasync def f():\n"
                "    # optimus: ignore[blocking-call-in-async]\n    time.sleep(1)\n"
            ),
            "p/bare.py": "import time\n\nasync def f():\n    time.sleep(1)  # optimus: ignore\n",
        },
    )
    found = _rules(tmp_path)
    assert found == {("p/other.py", "blocking-call-in-async")}


def test_pyproject_config_select_ignore_and_per_file_ignores(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.optimus]\nignore = ['maintainability']\n"
                "[tool.optimus.per-file-ignores]\n'legacy/*' = ['PY001']\n"
            ),
            "big.py": BIG,
            "svc.py": "import time\nasync def f():\n    time.sleep(1)\n",
            "legacy/old.py": "import time\nasync def f():\n    time.sleep(1)\n",
        },
    )
    assert _rules(tmp_path) == {("svc.py", "blocking-call-in-async")}
    assert _rules(tmp_path, ignore=()) == {
        ("svc.py", "blocking-call-in-async"),
        ("big.py", "large-file"),
    }


def test_nearest_config_wins_and_extend_merges(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "optimus.toml": "select = ['large-file']\n",
            "a/pyproject.toml": "[project]\nname='a'\n",
            "a/big.py": BIG,
            "a/svc.py": "import time\nasync def f():\n    time.sleep(1)\n",
            "b/pyproject.toml": "[tool.optimus]\nselect = ['PY']\n",
            "b/big.py": BIG,
            "b/svc.py": "import time\nasync def f():\n    time.sleep(1)\n",
            "c/optimus.toml": "extend = '../optimus.toml'\nextend-select = ['PY001']\n",
            "c/pyproject.toml": "",
            "c/big.py": BIG,
            "c/svc.py": "import time\nasync def f():\n    time.sleep(1)\n",
        },
    )
    assert _rules(tmp_path) == {
        ("a/big.py", "large-file"),
        ("b/svc.py", "blocking-call-in-async"),
        ("c/big.py", "large-file"),
        ("c/svc.py", "blocking-call-in-async"),
    }


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ("selct = ['x']\n", "selct"),
        ("select = 'large-file'\nfail-on = 'severe'\n", "fail-on"),
        ("select = [1]\n", "select"),
        ("select = ['no-such-rule']\n", "select"),
        ("[per-file-ignores]\n'*.py' = ['nope']\n", "per-file-ignores.*.py"),
        ("select = [\n", None),
    ],
)
def test_config_errors_name_the_file_and_key(tmp_path: Path, content: str, key: str | None) -> None:
    write_tree(tmp_path, {"optimus.toml": content, "a.py": "x = 1\n"})
    with pytest.raises(ConfigError) as info:
        scan([str(tmp_path)], ScanOptions(use_cache=False, jobs=1))
    assert "optimus.toml" in str(info.value)
    if key:
        assert f"`{key}`" in str(info.value)
