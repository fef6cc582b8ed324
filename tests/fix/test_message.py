"""Commit messages: each change, what to confirm, the rule's doc, and the run trailers."""

from __future__ import annotations

from optimus.fix.message import commit_message, run_digest
from optimus.fix.outcome import AppliedFix


def _fix(line: int | None, confirm: list[str]) -> AppliedFix:
    return AppliedFix(
        "k8s-no-resources", "unsafe", "add requests\nand limits", "svc", "svc/k8s/d.yaml", line,
        "fp", ["svc/k8s/d.yaml"], "", confirm,
    )  # fmt: skip


def test_message_lists_changes_link_and_trailers() -> None:
    text = commit_message(
        "k8s-no-resources", [_fix(4, ["cpu: 100m"]), _fix(None, [])], "abc", "passed"
    )
    lines = text.splitlines()
    assert lines[0] == "optimus: fix k8s-no-resources (2 changes)"
    assert "- svc/k8s/d.yaml:4 (unsafe): add requests and limits" in lines
    assert "  confirm before merging: cpu: 100m" in lines
    assert "- svc/k8s/d.yaml (unsafe): add requests and limits" in lines
    assert (
        "Why: https://github.com/optimus-bot/optimus/blob/main/docs/rules/k8s-no-resources.md"
        in lines
    )
    assert "Tests: passed" in lines
    assert lines[-2:] == ["Optimus-Rule: k8s-no-resources", "Optimus-Run: abc"]


def test_digest_depends_on_every_input() -> None:
    assert run_digest(base="a", unsafe=False) == run_digest(unsafe=False, base="a")
    assert run_digest(base="a", unsafe=False) != run_digest(base="a", unsafe=True)
    assert len(run_digest(base="a")) == 20
