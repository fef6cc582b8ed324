"""high-complexity (Ruff C901 through the ruff engine): Triton and Numba kernels are skipped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from optimus.engines.ruff import RuffEngine, kernel_functions
from optimus.testing.harness import assert_rule_matches

RULE = "high-complexity"
FIXTURES = Path(__file__).parent / "high_complexity"

pytestmark = pytest.mark.skipif(
    RuffEngine().executable() is None and os.environ.get("CI") != "true",
    reason="ruff is not installed (pip install ruff); CI runs these tests",
)


def test_gpu_and_jit_kernels_are_not_reported(tmp_path: Path) -> None:
    # Copied out of the repository so that no Ruff configuration above it applies.
    target = tmp_path / "kernels"
    shutil.copytree(FIXTURES / "kernels", target)
    result = assert_rule_matches(str(target), RULE)
    assert {f.path for f in result.findings} == {"app/kernels.py", "app/other.py"}
    assert not result.diagnostics


def test_kernel_functions_resolves_decorators_through_imports() -> None:
    text = (
        "import triton\nfrom numba import jit as fast\nfrom jax import jit\n\n"
        "@triton.jit\ndef a(x): pass\n\n@fast(nopython=True)\ndef b(x): pass\n\n"
        "@jit\ndef c(x): pass\n\n@triton.autotune(configs=[])\n@triton.jit\ndef d(x): pass\n"
    )
    assert kernel_functions(text) == {6, 9, 16}
    assert kernel_functions("def f(x):\n    pass\n") == set()
    assert kernel_functions("import triton\ndef broken(:\n") == set()
