"""large-file: long logic is reported; vendored trees and declaration tables are not."""

from __future__ import annotations

from optimus.parse.source import SourceFile
from optimus.testing.harness import scan_fixture
from optimus.rules.quality.large_file import (
    DECLARATION_SHARE,
    LargeFile,
    declaration_share,
    is_vendored,
    layout_family,
)


def _check(code: str, path: str, kind: str) -> list:
    src = SourceFile(path, path, kind, code.encode())
    return list(LargeFile().check(src))


def _rust_logic(n: int) -> str:
    body = "".join(f"    let v{i} = x + {i};\n" for i in range(n))
    return f"pub fn compute(x: u32) -> u32 {{\n{body}    x\n}}\n"


def _ffi_table(n: int) -> str:
    consts = "".join(f"pub const FLAG_{i}: UINT = 0x{i:08x};\n" for i in range(n))
    return (
        "use ctypes::c_int;\n"
        f"{consts}"
        "#[repr(C)]\npub struct POINT {\n    pub x: c_int,\n    pub y: c_int,\n}\n"
        'extern "system" {\n'
        "    pub fn ImageList_Add(\n        himl: HIMAGELIST,\n        hbm: HBITMAP,\n"
        "    ) -> c_int;\n    pub fn GetTickCount() -> DWORD;\n}\n"
        "ENUM!{enum WbemFlagEnum {\n    wbemFlagA = 0x10,\n    wbemFlagB = 0,\n}}\n"
        "RIDL!{#[uuid(0x1, 0x2)]\ninterface IThing(IThingVtbl): IUnknown(IUnknownVtbl) {\n"
        "    fn get_Count(\n        iCount: *mut c_int,\n    ) -> HRESULT,\n}}\n"
        "#[inline]\npub fn INDEXTOOVERLAYMASK(i: UINT) -> UINT {\n    i << 8\n}\n"
    )


def test_long_logic_is_reported() -> None:
    (hit,) = _check(_rust_logic(1100), "src/engine.rs", "rust")
    assert hit.count == 1103
    body = "".join(f"    total += {i}\n" for i in range(1100))
    assert _check(f"def f(total):\n{body}    return total\n", "app/big.py", "python")


def test_rust_ffi_table_is_not_reported() -> None:
    src = SourceFile("src/um/commctrl.rs", "src/um/commctrl.rs", "rust", _ffi_table(1100).encode())
    assert declaration_share(src) > 0.99
    assert _check(_ffi_table(1100), "src/um/commctrl.rs", "rust") == []


def test_mostly_logic_with_some_declarations_is_reported() -> None:
    code = _ffi_table(300) + _rust_logic(800)
    src = SourceFile("src/lib.rs", "src/lib.rs", "rust", code.encode())
    assert declaration_share(src) <= DECLARATION_SHARE
    assert _check(code, "src/lib.rs", "rust")


def test_function_bodies_inside_macros_are_logic() -> None:
    inner = "".join(f"        let v{i} = {i};\n" for i in range(1100))
    code = f"cfg_if::cfg_if! {{\n    pub fn f() -> u32 {{\n{inner}        0\n    }}\n}}\n"
    assert _check(code, "src/lib.rs", "rust")


def test_declaration_share_is_rust_only() -> None:
    code = "x = 1\n" * 1001  # a long Python module of assignments is still reported
    assert declaration_share(SourceFile("big.py", "big.py", "python", code.encode())) == 0.0
    assert _check(code, "app/big.py", "python")


def test_vendored_trees_are_not_reported() -> None:
    code = _rust_logic(1100)
    for folder in ("vendor", "vendored", "third_party", "third-party", "external", "Third_Party"):
        assert is_vendored(f"{folder}/lib/src/engine.rs")
        assert _check(code, f"app/{folder}/lib/src/engine.rs", "rust") == []
    assert not is_vendored("src/vendors/engine.rs")
    assert not is_vendored("src/external.rs")


def _crate(root, name: str, checksum: bool) -> None:
    crate = root / name
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(f'[package]\nname = "{name}"\nversion = "1.0.0"\n')
    (crate / "src" / "lib.rs").write_text(_rust_logic(1100))
    if checksum:
        (crate / ".cargo-checksum.json").write_text('{"files": {}, "package": "00"}')


def test_scan_reports_first_party_file_but_not_a_vendored_crate(tmp_path) -> None:
    _crate(tmp_path, "mine", checksum=False)
    _crate(tmp_path, "theirs-1.0.0", checksum=True)
    result = scan_fixture(str(tmp_path), select=["large-file"])
    assert [f.path for f in result.findings] == ["mine/src/lib.rs"]
    assert result.findings[0].count == 1103


def test_scan_of_site_packages_is_not_reported(tmp_path) -> None:
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    (site / "somepkg").mkdir(parents=True)
    body = "".join(f"    total += {i}\n" for i in range(1100))
    (site / "somepkg" / "big.py").write_text(f"def f(total):\n{body}    return total\n")
    assert scan_fixture(str(site), select=["large-file"]).findings == []
    # The same file in an ordinary folder is reported.
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "big.py").write_text(f"def f(total):\n{body}    return total\n")
    found = scan_fixture(str(tmp_path / "app"), select=["large-file"]).findings
    assert [f.path for f in found] == ["big.py"]


def test_test_files_and_single_file_libraries_are_not_reported() -> None:
    body = "".join(f"    total += {i}\n" for i in range(1100))
    code = f"def f(total):\n{body}    return total\n"
    assert _check(code, "app/tests/test_big.py", "python") == []
    bottle = f'"""A micro-framework."""\n__author__ = "M"\n__version__ = "0.12"\n__license__ = "MIT"\n{code}'
    assert _check(bottle, "pkg/bottle_wrapper/bottle.py", "python") == []
    assert _check(bottle.replace("__license__", "LICENSE"), "pkg/server.py", "python")
    bundle = (
        "(function webpackUniversalModuleDefinition(root, factory) {\n"
        + "".join(f"  var v{i} = {i};\n" for i in range(1100))
        + "});\n"
    )
    assert _check(bundle, "src/static/js/react-bootstrap.js", "javascript") == []


def test_rust_test_modules_in_their_own_file_are_not_reported() -> None:
    code = _rust_logic(1100)
    assert _check(code, "crates/db_views/post/src/test.rs", "rust") == []
    assert _check(code, "src/parser_tests.rs", "rust") == []
    assert _check(code, "src/contest.rs", "rust")  # not a test module by its name


def _rust_with_tests(logic: int, tests: int, attribute: str = "#[cfg(test)]") -> str:
    cases = "".join(f"        assert_eq!(compute({i}), {i});\n" for i in range(tests))
    return (
        _rust_logic(logic)
        + f"\n{attribute}\nmod tests {{\n    use super::*;\n\n    #[test]\n    fn all() {{\n"
        + cases
        + "    }\n}\n"
    )


def test_inline_rust_test_module_does_not_count() -> None:
    # 700 lines of logic and 900 of tests: over the limit only with the tests counted.
    assert _check(_rust_with_tests(700, 900), "src/engine.rs", "rust") == []
    assert _check(_rust_with_tests(700, 900, "#[cfg(all(test, unix))]"), "src/e.rs", "rust") == []
    # The logic alone over the limit is still reported, with the test lines left out.
    (hit,) = _check(_rust_with_tests(1100, 900), "src/engine.rs", "rust")
    assert hit.count == 1103
    # A module under another cfg, without test functions, is not test code.
    code = _rust_with_tests(700, 900, '#[cfg(feature = "x")]').replace("#[test]", "#[inline]")
    (hit,) = _check(code, "src/e.rs", "rust")
    assert hit.count > 1000


def test_one_file_per_model_layout_is_kept_out() -> None:
    rule = LargeFile()
    models = frozenset(f"modeling_{m}.py" for m in ("bert", "gpt2", "t5", "llama", "opt"))
    assert layout_family("modeling_gemma3.py", models) == "modeling_*"
    assert not rule.keep_in_folder("modeling_gemma3.py", models)
    flash = frozenset(f"flash_{m}_modeling.py" for m in ("llama", "mistral", "phi", "qwen2"))
    flash |= {"idefics_modeling.py", "__init__.py", "bloom_modeling.rs"}
    assert layout_family("flash_gemma_modeling.py", flash) == "*_modeling"
    protos = frozenset(f"{m}_pb2.py" for m in ("a", "b", "c", "d", "e"))
    assert layout_family("generate_pb2.py", protos) == "*_pb2"


def test_folders_without_a_family_are_still_reported() -> None:
    rule = LargeFile()
    # Four siblings are not a convention; other extensions do not count.
    four = frozenset(f"modeling_{m}.py" for m in ("bert", "gpt2", "t5", "llama"))
    assert rule.keep_in_folder("modeling_opt.py", four)
    assert rule.keep_in_folder("modeling_opt.py", four | {"modeling_x.rs", "modeling_y.pyi"})
    # Generic role tokens are no family: test_*.py, *_utils.py, *_test.py.
    tests = frozenset(f"test_{m}.py" for m in ("a", "b", "c", "d", "e", "f"))
    assert rule.keep_in_folder("test_big.py", tests)
    utils = frozenset(f"{m}_utils.py" for m in ("a", "b", "c", "d", "e", "f"))
    assert rule.keep_in_folder("big_utils.py", utils)
    # A one-token name has no pattern, however many files the folder holds.
    many = frozenset(f"{m}.py" for m in "abcdefgh") | {"__init__.py"}
    assert rule.keep_in_folder("handlers.py", many)
    assert rule.keep_in_folder("__init__.py", many)


def test_scan_skips_a_model_in_a_one_file_per_model_folder(tmp_path) -> None:
    body = "".join(f"    total += {i}\n" for i in range(1100))
    code = f"def f(total):\n{body}    return total\n"
    models = tmp_path / "models"
    models.mkdir()
    (models / "modeling_big.py").write_text(code)
    for name in ("bert", "gpt2", "t5", "llama", "opt"):
        (models / f"modeling_{name}.py").write_text("x = 1\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "handlers.py").write_text(code)
    for name in ("bert", "gpt2", "t5", "llama"):
        (tmp_path / "app" / f"handlers_{name}.py").write_text("x = 1\n")
    paths = [f.path for f in scan_fixture(str(tmp_path), select=["large-file"]).findings]
    assert paths == ["app/handlers.py"]
