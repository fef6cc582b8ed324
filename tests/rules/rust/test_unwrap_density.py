"""unwrap-density (RS002): a crate with panicking calls in code, tests, examples and benches."""

from __future__ import annotations

from pathlib import Path

from optimus.model import Severity
from optimus.parse.source import SourceFile
from optimus.rules.rust.unwrap_density import UnwrapDensity
from optimus.testing.harness import assert_rule_matches

FIXTURES = Path(__file__).parent / "unwrap_density"


def _check(code: str, path: str = "src/lib.rs") -> list:
    src = SourceFile(path, path, "rust", code.encode())
    return list(UnwrapDensity().check(src))


def test_fixture_matches_markers() -> None:
    assert_rule_matches(str(FIXTURES), "unwrap-density")


def test_fixture_count_skips_tests_and_safe_forms() -> None:
    result = assert_rule_matches(str(FIXTURES), "unwrap-density")
    (finding,) = result.findings
    assert finding.path == "src/lib.rs"
    # port: unwrap + expect; check: panic! + unwrap in println!; last: chained unwrap.
    assert finding.count == 5
    assert finding.message.startswith("5 unwrap()/expect()/panic! calls outside tests (")
    assert finding.severity is Severity.MEDIUM


def test_fingerprint_survives_count_change() -> None:
    (one,) = _check("fn f() { a.unwrap(); }\n")
    (two,) = _check("fn f() { a.unwrap(); b.unwrap(); }\n")
    assert one.snippet == two.snippet == "unwrap-density:src/lib.rs"
    assert one.message.startswith("1 unwrap()/expect()/panic! call outside")


def test_low_density_is_low_severity() -> None:
    body = "".join(f"    let v{i} = {i};\n" for i in range(200))
    (hit,) = _check(f"fn f() {{\n{body}    a.unwrap();\n}}\n")
    assert hit.count == 1
    assert hit.severity is None  # the rule's default, low
    assert hit.line == 202


def test_parser_expect_and_unwrap_variants_not_counted() -> None:
    code = (
        "fn f(p: &mut Parser) {\n"
        "    p.expect(Token::Comma);\n"
        "    a.unwrap_err();\n"
        "    b.unwrap_or_else(|| 1);\n"
        '    c.expect(&format!("bad {}", 1));\n'
        "}\n"
    )
    (hit,) = _check(code)
    assert hit.count == 1 and hit.line == 5


def test_test_only_files_and_modules() -> None:
    assert _check("#![cfg(test)]\nfn f() { a.unwrap(); }\n") == []
    assert _check("fn main() { a.unwrap(); }\n", path="build.rs") == []
    assert _check("fn f() { a.unwrap(); }\n", path="tests/it.rs") == []
    code = "#[cfg(not(test))]\nmod m { fn f() { a.unwrap(); } }\n"
    assert _check(code)[0].count == 1
    code = '#[cfg(any(test, feature = "x"))]\nmod m { fn f() { a.unwrap(); } }\n'
    assert _check(code)[0].count == 1
