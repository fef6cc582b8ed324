"""unwrap-density (RS002): a crate with panicking calls in code, tests, examples and benches."""

from __future__ import annotations

from pathlib import Path

from optimus.model import Severity
from optimus.parse.source import SourceFile
from optimus.rules.rust.unwrap_density import MIN_COUNT, UnwrapDensity, count_panics
from optimus.testing.harness import assert_rule_matches

FIXTURES = Path(__file__).parent / "unwrap_density"


def _check(code: str, path: str = "src/lib.rs") -> list:
    src = SourceFile(path, path, "rust", code.encode())
    return list(UnwrapDensity().check(src))


def _lines(code: str) -> list[int]:
    """The counted lines, whatever the reporting threshold."""
    src = SourceFile("src/lib.rs", "src/lib.rs", "rust", code.encode())
    return sorted(count_panics(src.tree.root_node).lines)


def test_fixture_matches_markers() -> None:
    assert_rule_matches(str(FIXTURES), "unwrap-density")


def test_fixture_count_skips_tests_and_safe_forms() -> None:
    result = assert_rule_matches(str(FIXTURES), "unwrap-density")
    (finding,) = [f for f in result.findings if f.path == "src/lib.rs"]
    # port: unwrap + expect; check: panic! + unwrap in println!; last: chained unwrap.
    assert finding.count == 5
    assert finding.message.startswith("5 unwrap()/expect()/panic! calls outside tests (")
    assert finding.severity is Severity.MEDIUM


def test_fingerprint_survives_count_change() -> None:
    (one,) = _check("fn f() { a.unwrap(); b.unwrap(); c.unwrap(); }\n")
    (two,) = _check("fn f() { a.unwrap(); b.unwrap(); c.unwrap(); d.unwrap(); }\n")
    assert one.snippet == two.snippet == "unwrap-density:src/lib.rs"
    assert one.message.startswith("3 unwrap()/expect()/panic! calls outside")


def test_low_density_is_low_severity() -> None:
    body = "".join(f"    let v{i} = {i};\n" for i in range(200))
    (hit,) = _check(f"fn f() {{\n{body}    a.unwrap();\n    b.unwrap();\n    c.unwrap();\n}}\n")
    assert hit.count == 3
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
    assert _lines(code) == [5]


def test_test_only_files_and_modules() -> None:
    three = "a.unwrap(); b.unwrap(); c.unwrap();"
    assert _check(f"#![cfg(test)]\nfn f() {{ {three} }}\n") == []
    assert _check(f"fn main() {{ {three} }}\n", path="build.rs") == []
    assert _check(f"fn f() {{ {three} }}\n", path="tests/it.rs") == []
    assert _lines("#[cfg(not(test))]\nmod m { fn f() { a.unwrap(); } }\n") == [2]
    assert _lines('#[cfg(any(test, feature = "x"))]\nmod m { fn f() { a.unwrap(); } }\n') == [2]


def test_fewer_than_three_calls_are_not_reported() -> None:
    assert MIN_COUNT == 3
    assert _check('fn f() { a.unwrap(); b.expect("set at start"); }\n') == []
    assert _check('fn f() { a.unwrap(); b.expect("x"); panic!("no"); }\n')[0].count == 3


def test_lock_unwrap_and_expect_are_not_counted() -> None:
    code = (
        "fn f(m: &Mutex<u8>, r: &RwLock<u8>) {\n"
        "    let a = m.lock().unwrap();\n"
        '    let b = r.read().expect("poisoned");\n'
        "    let c = (r.write()).unwrap();\n"
        '    println!("{}", m.lock().unwrap());\n'
        "    let d = m.try_lock().unwrap();\n"
        "    let e = file.read(&mut buf).unwrap();\n"
        '    println!("{}", m.try_lock().unwrap());\n'
        "}\n"
    )
    assert _lines(code) == [6, 7, 8]  # try_lock fails for real; io::Read::read takes a buffer


def test_clippy_allow_and_expect_silence_their_kind() -> None:
    code = (
        "#[allow(clippy::unwrap_used)]\n"
        'fn a() { x.unwrap(); y.expect("counted"); }\n'
        '#[expect(clippy::expect_used, reason = "a, b")]\n'
        "// a comment between the attribute and the item\n"
        'fn b() { x.expect("set"); println!("{}", y.expect("set")); z.unwrap(); }\n'
        "#[allow(clippy::panic)]\n"
        'impl T { fn c() { panic!("no"); x.unwrap(); } }\n'
        "mod m {\n"
        "    #![allow(clippy::unwrap_used, clippy::expect_used)]\n"
        '    fn d() { x.unwrap(); y.expect("no"); panic!("counted"); }\n'
        "}\n"
        "fn e() {\n"
        "    #[allow(clippy::unwrap_used)]\n"
        "    let v = x.unwrap();\n"
        "    w.unwrap();\n"
        "}\n"
        "#[allow(clippy::panicking_unwrap)]\n"
        "fn f() { x.unwrap(); }\n"
        "#[cfg_attr(test, allow(dead_code))]\n"
        'fn g() { panic!("counted"); }\n'
    )
    assert _lines(code) == [2, 5, 7, 10, 15, 18, 20]
    assert _lines(f"#![allow(clippy::unwrap_used, clippy::panic)]\n{code}") == [3]


def test_writes_into_a_string_are_not_counted() -> None:
    code = (
        "struct B { out: String }\n"
        "impl B {\n"
        "    fn f(&mut self, buf: &mut String) {\n"
        "        let mut s = String::new();\n"
        '        write!(s, "x").unwrap();\n'
        '        writeln!(&mut self.out, "y").unwrap();\n'
        '        buf.write_str("z").expect("cannot fail");\n'
        "        let t: String = other();\n"
        "        t.write_char('c').unwrap();\n"
        "        let n = 1.to_string();\n"
        "        write!(n, \"{}\", 2).unwrap();\n"
        "    }\n"
        "}\n"
    )
    assert _lines(code) == []


def test_writes_that_can_fail_are_counted() -> None:
    code = (
        "struct B { out: String }\n"
        "struct C { out: File }\n"
        "impl fmt::Display for D {\n"
        "    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {\n"
        '        write!(f, "x").unwrap();\n'  # a Formatter's writer may fail
        "        Ok(())\n"
        "    }\n"
        "}\n"
        "fn g(file: &mut File, v: Vec<u8>) {\n"
        '    writeln!(file, "x").unwrap();\n'  # io::Write
        '    writeln!(self.out, "x").unwrap();\n'  # `out` is a File in C
        "    let mut s = String::new();\n"
        "    let s = v;\n"  # shadowed by something that is not a String
        '    write!(s, "x").unwrap();\n'
        "    let mut w = String::new();\n"
        "    if let Some(w) = writer() {\n"
        '        write!(w, "x").unwrap();\n'  # bound by a pattern: type unknown
        "    }\n"
        "    let u = make();\n"
        '    write!(u, "x").unwrap();\n'  # not known to be a String
        "}\n"
        '// write!(s, "x").unwrap() in a comment is not a call\n'
    )
    assert _lines(code) == [5, 10, 11, 14, 17, 20]


def test_files_with_fewer_candidate_calls_are_not_parsed() -> None:
    # Two candidates in the bytes: the rule returns before asking for the tree.
    src = SourceFile("src/lib.rs", "src/lib.rs", "rust", b"fn f() { a.unwrap(); panic!(); }\n")
    assert list(UnwrapDensity().check(src)) == []
    assert "tree" not in src.__dict__
    # Spaces and comments between the name and `(` or `!` still make a candidate.
    spaced = b"fn f() { a.unwrap (); b.expect /* why */ (\"m\"); panic !(); }\n"
    src = SourceFile("src/lib.rs", "src/lib.rs", "rust", spaced)
    (hit,) = UnwrapDensity().check(src)
    assert hit.count == 3


def test_vendored_crates_are_not_reported(tmp_path: Path) -> None:
    """A crate with .cargo-checksum.json (cargo vendor, Debian's registry) is someone else's."""
    from optimus.analyze.engine import ScanOptions, scan

    code = "pub fn f(a: Option<u8>, b: Option<u8>, c: Option<u8>) -> u8 {\n"
    code += "    a.unwrap() + b.unwrap() + c.unwrap()\n}\n"
    for name, vendored in (("own", False), ("dep", True)):
        crate = tmp_path / name
        (crate / "src").mkdir(parents=True)
        (crate / "Cargo.toml").write_text(f'[package]\nname = "{name}"\nversion = "0.1.0"\n')
        (crate / "src" / "lib.rs").write_text(code)
        if vendored:
            (crate / ".cargo-checksum.json").write_text('{"files": {}, "package": "0"}')
    result = scan([str(tmp_path)], ScanOptions({"engines": [], "preview": True}, use_cache=False))
    paths = sorted(f.path for f in result.findings if f.rule == "unwrap-density")
    assert paths == ["own/src/lib.rs"]


def test_a_project_inside_a_vendored_crate_is_vendored_too(tmp_path: Path) -> None:
    """ahash's benchmark_tools: its own Cargo.toml, inside a crate with .cargo-checksum.json."""
    from optimus.analyze.engine import ScanOptions, scan

    code = "pub fn f(a: Option<u8>, b: Option<u8>, c: Option<u8>) -> u8 {\n"
    code += "    a.unwrap() + b.unwrap() + c.unwrap()\n}\n"
    crate = tmp_path / "ahash-0.7.6"
    tools = crate / "benchmark_tools"
    (tools / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text('[package]\nname = "ahash"\nversion = "0.7.6"\n')
    (crate / ".cargo-checksum.json").write_text('{"files": {}, "package": "0"}')
    (tools / "Cargo.toml").write_text('[package]\nname = "tools"\nversion = "0.1.0"\n')
    (tools / "src" / "lib.rs").write_text(code)
    result = scan([str(tmp_path)], ScanOptions({"engines": [], "preview": True}, use_cache=False))
    assert [f.path for f in result.findings if f.rule == "unwrap-density"] == []


def test_fixture_actor_counts_only_real_failures() -> None:
    """Channel hand-offs and acknowledged calls are left out; the rest of the file counts."""
    result = assert_rule_matches(str(FIXTURES), "unwrap-density")
    paths = sorted(f.path for f in result.findings)
    assert paths == ["src/actor.rs", "src/lib.rs"]  # benchmark/src/main.rs: a bench crate
    (actor,) = [f for f in result.findings if f.path == "src/actor.rs"]
    # socket.send(&buf), a JoinHandle's .await, and the last unacknowledged parse.
    assert actor.count == 3
    assert actor.message.startswith("3 unwrap()/expect()/panic! calls outside tests (")


def test_channel_hand_offs_need_a_channel_in_the_file() -> None:
    body = (
        "fn f(tx: Sender<u8>, rx: Receiver<u8>, reply: Reply) {\n"
        "    tx.send(1).unwrap();\n"
        "    tx.blocking_send(1).unwrap();\n"
        '    rx.recv().expect("sender alive");\n'
        "    rx.await.unwrap();\n"
        "    client.get(url).send().unwrap();\n"  # an HTTP client's send(): no argument
        "    socket.send(&buf).unwrap();\n"  # a socket's send(&buf) fails for real
        "    reader.recv(&mut buf).unwrap();\n"
        "}\n"
    )
    assert _lines(body) == [2, 3, 4, 5, 6, 7, 8]  # no channel created here
    created = "fn g() { let (tx, rx) = tokio::sync::oneshot::channel::<u8>(); }\n" + body
    assert _lines(created) == [7, 8, 9]  # rx is the oneshot receiver: its .await is a reply
    for creator in (
        "mpsc::unbounded_channel()",
        "std::sync::mpsc::sync_channel(4)",
        "crossbeam_channel::bounded(8)",
        "flume::unbounded()",
        "mpsc::channel::<Job>(16)",
    ):
        code = f"fn g() {{ let (a, b) = {creator}; }}\n" + body
        assert _lines(code) == [6, 7, 8, 9], creator  # rx.await: not a oneshot receiver
    # broadcast/watch sends fail whenever nobody subscribes: no exemption.
    assert _lines("fn g() { let (a, b) = broadcast::channel(4); }\n" + body)[:1] == [3]


def test_acknowledging_comments() -> None:
    code = (
        "fn f() {\n"
        "    // Unwrap is safe here: the map was filled above.\n"
        "    a.unwrap();\n"
        "    b.unwrap(); // can't fail, checked above\n"
        "    // SAFETY: the slice is non-empty\n"
        "    // (a second comment line)\n"
        '    c.expect("non-empty");\n'
        "    // the invariant: d is set by new()\n"
        "    d.unwrap();\n"
        "    e.unwrap(); // never fails\n"
        "    // Parse the port.\n"
        "    f.unwrap();\n"  # a comment that does not acknowledge
        "    let invariant_map = g.unwrap();\n"  # code, not a comment
        '    h.expect("cannot fail");\n'  # a message, not a comment
        "    // cannot fail\n"
        "    let x = 1;\n"
        "    i.unwrap();\n"  # the comment is above another line
        "}\n"
    )
    assert _lines(code) == [12, 13, 14, 17]


def test_benchmark_crates_are_skipped() -> None:
    three = "fn main() { a.unwrap(); b.unwrap(); c.unwrap(); }\n"
    for path in (
        "benchmark/src/main.rs",
        "crates/benchmarks/src/lib.rs",
        "tools/bench/src/bin/run.rs",
        "crates/tokio-bench/src/main.rs",
        "x_benchmark/src/main.rs",
    ):
        assert _check(three, path=path) == [], path
    for path in ("crates/server/src/bench/mod.rs", "benchmark.rs", "src/benchmark/mod.rs"):
        assert len(_check(three, path=path)) == 1, path


def test_expect_messages_that_state_an_invariant() -> None:
    code = (
        "fn f() {\n"
        '    a.expect("this is a bug");\n'
        '    b.expect("BUG: the queue is never empty here");\n'
        '    c.expect("should never be None");\n'
        '    d.expect("cannot happen");\n'
        "    e.expect(\"can't happen: set in new()\");\n"
        '    f.expect("unreachable: checked by the parser");\n'
        '    g.expect("invariant: len > 0");\n'
        '    h.expect("infallible conversion");\n'
        '    i.expect("the batch always has a request");\n'
        '    println!("{}", j.expect("a bug if missing"));\n'
        '    k.expect("failed to open the config");\n'  # a real failure: counted
        '    l.expect("debug build only");\n'  # "debug" is no "bug"
        '    println!("{}", m.expect("no such file"));\n'
        "}\n"
    )
    assert _lines(code) == [12, 13, 14]


def test_wider_acknowledging_comment_phrasings() -> None:
    code = (
        "fn f() {\n"
        "    // We unwrap here since the batch was checked for emptiness.\n"
        "    a.unwrap();\n"
        "    b.unwrap(); // unwrap here as the id comes from our own map\n"
        "    // We need to panic: the shard is gone.\n"
        "    c.unwrap();\n"
        "    // Panic here, the state is corrupt.\n"
        "    d.unwrap();\n"
        "    e.unwrap(); // should never fail\n"
        "    // should never happen\n"
        "    f.unwrap();\n"
        "    g.unwrap(); // Cannot be None after the first token\n"
        "    h.unwrap(); // is always Some when streaming\n"
        "    // Unwrap the response.\n"
        "    i.unwrap();\n"  # a comment that does not acknowledge
        "    let need_to_panic = j.unwrap();\n"  # code, not a comment
        "    // should never happen\n"
        "    let x = 1;\n"
        "    k.unwrap();\n"  # the comment is above another line
        "}\n"
    )
    assert _lines(code) == [15, 16, 19]


def test_options_set_to_some_just_before_are_not_counted() -> None:
    code = (
        "fn f(start: u32, q: u32, v: Vec<u32>) {\n"
        "    let mut first = None;\n"
        "    let mut queued = None;\n"
        "    let mut cache = None;\n"
        "    first = first.or(Some(start));\n"
        "    queued = Some(q);\n"
        "    cache.get_or_insert_with(Vec::new);\n"
        '    println!("{}", q);\n'
        "    if q > 0 {\n"
        "        send(first.unwrap(), queued.unwrap(), cache.unwrap());\n"
        '        yield_it!(Event { start: first.unwrap(), q: queued.expect("set") });\n'
        "    }\n"
        "}\n"
        "fn g(a: Option<u32>, b: Option<u32>, c: Option<u32>, d: Option<u32>, ok: bool) {\n"
        "    let mut a = a;\n"
        "    if ok {\n"
        "        a = Some(1);\n"
        "    }\n"
        "    a.unwrap();\n"  # 19: set only in a branch that ended
        "    let mut b = Some(2);\n"
        "    b.take();\n"
        "    b.unwrap();\n"  # 22: emptied in between
        "    let mut c = Some(3);\n"
        "    loop {\n"
        "        c.unwrap();\n"  # 25: in a loop that runs again after a later write
        "        c = None;\n"
        "    }\n"
        '    let s = "d = Some(4);";\n'
        "    d.unwrap();\n"  # 29: the assignment is in a string
        "}\n"
    )
    assert _lines(code) == [19, 22, 25, 29]
