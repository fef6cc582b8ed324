"""Property-based requests from the OpenAPI (schemathesis): no input makes the server 500.

Every operation gets a bounded number of generated requests, both valid ones and ones that
break the schema (wrong types, NUL bytes, huge numbers), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from tests.api.conftest import Portfolio

EXAMPLES = 12


def fuzz(app: Any, mode: GenerationMode, only: str | None = None) -> tuple[list[str], int]:
    """Every 5xx answer found, and how many operations got generated requests."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    exercised = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if only is not None and operation.path != only:
            continue

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case) -> None:
            try:
                response = case.call()
            except Exception as exc:
                # The in-process transport re-raises what the server's 500 handler saw.
                failures.append(f"{case.method} {case.formatted_path}: 500 ({exc!r})")
                return
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} query={case.query} "
                    f"body={case.body!r}: {response.status_code} {response.text[:200]}"
                )

        try:
            run()
        except Unsatisfiable:
            # An operation without parameters or body has no invalid input to generate.
            continue
        exercised += 1
    return failures, exercised


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_gets_a_500(api, portfolio: Portfolio, mode) -> None:
    failures, exercised = fuzz(api().app, mode)
    assert exercised >= 15
    assert not failures, "\n".join(failures[:10])


def test_the_fuzzer_reports_a_500_when_there_is_one(api, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("optimus.api.routes.system.counts_by_status", broken)
    failures, exercised = fuzz(api().app, GenerationMode.POSITIVE, only="/api/v1/system/metrics")
    assert exercised == 1
    assert failures and "500" in failures[0]
