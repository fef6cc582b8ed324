"""lock-across-await (RS003): std/parking_lot guards alive at an `.await`, and the negatives."""

from __future__ import annotations

from pathlib import Path

from optimus.parse.source import SourceFile
from optimus.registry import get_rule
from optimus.rules.rust.lock_across_await import LockAcrossAwait
from optimus.testing.harness import assert_rule_matches

FIXTURES = Path(__file__).parent / "lock_across_await"
RULE = "lock-across-await"


def _lines(code: str, path: str = "src/lib.rs") -> list[int]:
    src = SourceFile(path, path, "rust", code.encode())
    return [hit.line or 0 for hit in LockAcrossAwait().check(src)]


def test_fixture_matches_markers() -> None:
    assert_rule_matches(str(FIXTURES), RULE)


def test_messages_name_the_guard_the_await_and_the_fix() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    by_line = {(f.path, f.line): f.message for f in result.findings}
    bound = by_line[("src/lib.rs", 18)]
    assert bound.startswith("lock guard `hits` from `state.hits.lock().unwrap()`")
    assert "`.await` on line 20 in `async fn bound_guard`" in bound
    assert "call `drop(hits)` before the `.await`" in bound
    assert "tokio::sync::Mutex" not in bound  # the advice is not to switch mutex
    temporary = by_line[("src/lib.rs", 96)]
    assert temporary.startswith("the temporary lock guard of `state.hits.lock().unwrap()`")
    assert "in `async fn temporary_in_awaited_statement`" in temporary
    in_block = [m for (p, _), m in by_line.items() if "in an `async` block" in m]
    assert len(in_block) == 1


def test_severity_and_counts() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    assert len(result.findings) == 11
    assert {f.severity.value for f in result.findings} == {"high"}


def test_guard_in_inner_block_before_await_is_not_held() -> None:
    code = (
        "async fn f(m: &std::sync::Mutex<u8>) {\n"
        "    if true {\n"
        "        let g = m.lock().unwrap();\n"
        "        let _ = *g;\n"
        "    }\n"
        "    other().await;\n"
        "}\n"
    )
    assert _lines(code) == []


def test_guard_before_loop_with_await_inside() -> None:
    code = (
        "async fn f(m: &std::sync::Mutex<u8>) {\n"
        "    let g = m.lock().unwrap();\n"
        "    loop {\n"
        "        other(*g).await;\n"
        "    }\n"
        "}\n"
    )
    assert _lines(code) == [2]


def test_guard_taken_after_the_await_in_a_loop_body() -> None:
    code = (
        "async fn f(m: &std::sync::Mutex<u8>) {\n"
        "    loop {\n"
        "        other().await;\n"
        "        let g = m.lock().unwrap();\n"
        "        use_it(g);\n"
        "    }\n"
        "}\n"
    )
    assert _lines(code) == []


def test_if_let_and_for_keep_their_temporaries() -> None:
    code = (
        "async fn f(m: &std::sync::Mutex<Vec<u8>>) {\n"
        "    if let Some(x) = m.lock().unwrap().first() {\n"
        "        other(*x).await;\n"
        "    }\n"
        "    for x in m.lock().unwrap().iter() {\n"
        "        other(*x).await;\n"
        "    }\n"
        "    while m.lock().unwrap().is_empty() {\n"
        "        other(0).await;\n"
        "    }\n"
        "}\n"
    )
    assert _lines(code) == [2, 5]


def test_lazy_boolean_operand_ends_the_temporary() -> None:
    code = (
        "async fn f(m: &std::sync::Mutex<Vec<u8>>) -> bool {\n"
        "    m.lock().unwrap().is_empty() && ready().await\n"
        "}\n"
    )
    assert _lines(code) == []


def test_borrowed_deref_extends_but_copy_does_not() -> None:
    code = (
        "async fn f(m: &std::sync::Mutex<u8>) {\n"
        "    let r = &mut *m.lock().unwrap();\n"
        "    other(*r).await;\n"
        "}\n"
        "async fn g(m: &std::sync::Mutex<u8>) {\n"
        "    let v = *m.lock().unwrap();\n"
        "    other(v).await;\n"
        "}\n"
    )
    assert _lines(code) == [2]


def test_parking_lot_lock_needs_a_known_type() -> None:
    unknown = "async fn f(s: &S) {\n    let g = s.state.lock();\n    other().await;\n}\n"
    assert _lines(unknown) == []
    known = "use parking_lot::RwLock;\nstruct S { state: RwLock<u8> }\n" + unknown.replace(
        "lock()", "write()"
    )
    assert _lines(known) == [4]


def test_std_lock_result_bound_whole_is_held() -> None:
    code = (
        "use std::sync::Mutex;\n"
        "async fn f(state: &Mutex<u8>) {\n"
        "    match state.lock() {\n"
        "        Ok(g) => other(*g).await,\n"
        "        Err(_) => {}\n"
        "    }\n"
        "    let ok = state.lock().is_ok();\n"
        "    other(0).await;\n"
        "}\n"
    )
    assert _lines(code) == [3]


def test_tokio_rwlock_and_test_files_are_skipped() -> None:
    code = (
        "use tokio::sync::RwLock;\n"
        "struct S { config: RwLock<u8> }\n"
        "async fn f(s: &S) {\n"
        "    let c = s.config.read().await;\n"
        "    other(*c).await;\n"
        "}\n"
    )
    assert _lines(code) == []
    held = "async fn f(m: &M) {\n    let g = m.lock().unwrap();\n    other().await;\n}\n"
    assert _lines(held) == [2]
    assert _lines(held, path="tests/it.rs") == []
    assert _lines("#![cfg(test)]\n" + held) == []


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.code == "RS003" and not rule.preview
    assert rule.confidence.value == "medium"
    urls = {r.url for r in rule.references}
    assert "https://rust-lang.github.io/rust-clippy/master/index.html#await_holding_lock" in urls
    assert any(u.startswith("https://docs.rs/tokio/latest/tokio/sync/struct.Mutex") for u in urls)
    assert {"What it finds", "Why", "Example", "Instead", "When not to"} <= set(rule.doc)
