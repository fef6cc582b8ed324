"""The Rust detector of blocking-call-in-async (`rust_blocking_hits`), tested directly.

The rule `blocking-call-in-async` is registered by the Python module; until it dispatches
files of kind "rust" here, these tests call the detector on SourceFile objects built from the
fixture files and compare with the fixture's `optimus-expect` markers. Once it is wired, the
harness test below runs the real scan on the same fixture.
"""

from __future__ import annotations

from pathlib import Path

from optimus.parse.source import SourceFile
from optimus.registry import get_rule
from optimus.rules.rust.blocking_in_async import rust_blocking_hits
from optimus.testing.harness import assert_rule_matches, expected_findings

FIXTURES = Path(__file__).parent / "blocking_in_async"
RULE = "blocking-call-in-async"


def _fixture_hits() -> dict[tuple[str, int | None, str], str]:
    """(path, line, rule) -> message for every hit of the detector on the fixture files."""
    found = {}
    for file in sorted(FIXTURES.rglob("*.rs")):
        rel = file.relative_to(FIXTURES).as_posix()
        src = SourceFile(rel, rel, "rust", file.read_bytes())
        for hit in rust_blocking_hits(src):
            found[(rel, hit.line, RULE)] = hit.message
    return found


def _lines(code: str, path: str = "src/lib.rs") -> list[int]:
    src = SourceFile(path, path, "rust", code.encode())
    return [hit.line or 0 for hit in rust_blocking_hits(src)]


def test_fixture_matches_markers() -> None:
    expected = {k for k in expected_findings(str(FIXTURES)) if k[2] == RULE}
    found = set(_fixture_hits())
    assert sorted(expected - found, key=str) == []  # missing
    assert sorted(found - expected, key=str) == []  # unmarked
    assert len(found) == 14


def test_fixture_through_the_rule() -> None:
    rule = get_rule(RULE)
    assert rule is not None and "rust" in rule.kinds
    assert_rule_matches(str(FIXTURES), RULE)


def test_messages_name_the_call_the_function_and_the_async_alternative() -> None:
    messages = _fixture_hits()
    sleep = messages[("src/lib.rs", 12, RULE)]
    assert sleep.startswith("`thread::sleep` (`std::thread::sleep`) in `async fn handler`")
    assert "`tokio::time::sleep(..).await`" in sleep
    read = messages[("src/lib.rs", 15, RULE)]
    assert "is blocking file I/O" in read and "`tokio::fs`" in read
    assert "spawn_blocking" in read
    spawned = messages[("src/lib.rs", 61, RULE)]
    assert spawned.startswith("`fs::write` (`std::fs::write`) in an `async` block")
    http = messages[("src/lib.rs", 66, RULE)]
    assert "panics inside an async runtime" in http and "async `reqwest::Client`" in http
    output = messages[("src/process.rs", 7, RULE)]
    assert output.startswith("`Command::output()` in `async fn git_version`")
    assert "`tokio::process::Command`" in output


def test_use_forms_are_resolved() -> None:
    code = (
        "use std::thread::sleep as nap;\n"
        "use std::{fs::{self, File}, thread};\n"
        "async fn f() {\n"
        "    nap(D);\n"
        '    File::create("x");\n'
        '    fs::read("x");\n'
        "    thread::sleep(D);\n"
        "    core::mem::drop(1);\n"
        '    fs::metadata("x");\n'
        "}\n"
    )
    assert _lines(code) == [4, 5, 6, 7]


def test_unresolved_and_async_lookalikes_are_not_reported() -> None:
    code = (
        "use tokio::fs;\n"
        "use async_std::task::sleep;\n"
        "async fn f() {\n"
        '    fs::read_to_string("x").await;\n'
        "    sleep(D).await;\n"
        '    read_to_string("x");\n'  # glob-imported or local: unknown
        '    Command::new("ls").output();\n'  # no `use std::process::Command`
        "}\n"
    )
    assert _lines(code) == []


def test_async_closure_and_nested_async_block() -> None:
    code = (
        "fn f() {\n"
        "    let c = async move |p: String| std::fs::read(p);\n"
        "    let b = || async { std::thread::sleep(D) };\n"
        "}\n"
    )
    assert _lines(code) == [2, 3]


def test_entry_points_and_test_code_are_skipped() -> None:
    body = "{\n    std::thread::sleep(D);\n}\n"
    assert _lines("async fn main() " + body) == []
    assert _lines("#[actix_web::main]\nasync fn run() " + body) == []
    assert _lines("#[tokio::test]\nasync fn t() " + body) == []
    assert _lines("async fn serve() " + body, path="examples/serve.rs") == []
    assert _lines("async fn serve() " + body) == [2]
