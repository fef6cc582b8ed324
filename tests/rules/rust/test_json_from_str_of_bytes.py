"""json-from-str-of-bytes (RS004): from_str of converted bytes, from_reader of a bare File."""

from __future__ import annotations

from pathlib import Path

from optimus.model import Severity
from optimus.parse.source import SourceFile
from optimus.registry import get_rule
from optimus.rules.rust.json_from_str_of_bytes import JsonFromStrOfBytes
from optimus.testing.harness import assert_rule_matches

FIXTURES = Path(__file__).parent / "json_from_str_of_bytes"
RULE = "json-from-str-of-bytes"


def _lines(code: str, path: str = "src/lib.rs") -> list[int]:
    src = SourceFile(path, path, "rust", code.encode())
    return [hit.line or 0 for hit in JsonFromStrOfBytes().check(src)]


def test_fixture_matches_markers() -> None:
    assert_rule_matches(str(FIXTURES), RULE)


def test_messages_and_severities() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    by_line = {(f.path, f.line): f for f in result.findings}
    body = by_line[("src/lib.rs", 10)]
    assert body.severity is Severity.LOW
    assert body.message.startswith(
        "`serde_json::from_str` parses text made from bytes with `String::from_utf8`"
    )
    assert "`serde_json::from_slice(&body)`" in body.message
    assert "error type" in body.message
    copy = by_line[("src/lib.rs", 24)].message
    assert "and copies it" in copy and "`serde_json::from_slice(&bytes)`" in copy
    lossy = by_line[("src/lib.rs", 19)].message
    assert "rejects invalid UTF-8" in lossy
    via = by_line[("src/lib.rs", 33)].message
    assert "(`text`, line 32)" in via
    reader = by_line[("src/lib.rs", 62)]
    assert reader.severity is Severity.MEDIUM
    assert "`file` (opened on line 61), an unbuffered `File`" in reader.message
    assert "BufReader" in reader.message and "from_slice(&std::fs::read(path)?)" in reader.message
    assert sum(f.severity is Severity.MEDIUM for f in result.findings) == 4
    assert len(result.findings) == 10


def test_core_str_path_and_use_of_from_utf8() -> None:
    code = (
        "use core::str::from_utf8;\n"
        "fn f(b: &[u8]) -> serde_json::Value {\n"
        "    serde_json::from_str(from_utf8(b).unwrap()).unwrap()\n"
        "}\n"
    )
    assert _lines(code) == [3]


def test_variable_reassigned_or_not_from_bytes() -> None:
    code = (
        "fn f(b: Vec<u8>, other: String) -> serde_json::Value {\n"
        "    let text = String::from_utf8(b).unwrap();\n"
        "    let text = other;\n"
        "    serde_json::from_str(&text).unwrap()\n"
        "}\n"
    )
    assert _lines(code) == []


def test_file_wrapped_later_is_not_reported() -> None:
    code = (
        "use std::fs::File;\n"
        "fn f(p: &str) -> serde_json::Value {\n"
        "    let file = File::open(p).unwrap();\n"
        "    let file = std::io::BufReader::new(file);\n"
        "    serde_json::from_reader(file).unwrap()\n"
        "}\n"
    )
    assert _lines(code) == []


def test_test_code_and_bench_files_are_skipped() -> None:
    code = "fn f(b: &[u8]) { serde_json::from_str::<u8>(std::str::from_utf8(b).unwrap()); }\n"
    assert _lines(code) == [1]
    assert _lines(code, path="benches/parse.rs") == []
    assert _lines("#[cfg(test)]\nmod t {\n" + code + "}\n") == []


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.code == "RS004" and not rule.preview
    assert rule.severity is Severity.LOW and rule.confidence.value == "medium"
    assert rule.prefilter == (b"serde_json",)
    urls = {r.url for r in rule.references}
    assert "https://docs.rs/serde_json/latest/serde_json/fn.from_reader.html" in urls
    assert "https://docs.rs/serde_json/latest/serde_json/fn.from_slice.html" in urls
