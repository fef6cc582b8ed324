"""unwrap-density: `.unwrap()`, `.expect(..)` and `panic!` in Rust code outside tests.

Counts, on the tree-sitter tree, method calls `.unwrap()` and `.expect(msg)` and `panic!`
invocations (also inside other macros' token trees, such as `println!`), skipping test code:
items under `#[cfg(test)]` (or `#[cfg(all(test, ...))]`), `#[test]`-like functions, files
with an inner `#![cfg(test)]`, files in tests/, benches/ and examples/, and build scripts.
One finding per file, with the count and the density per 1000 lines of code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule

#: Above this many calls per 1000 lines of code a file's finding is medium severity...
MEDIUM_DENSITY = 10.0
#: ...provided it has at least this many (one unwrap in a 30-line file is not a pattern).
MEDIUM_MIN_COUNT = 5
#: Last path segment of attributes that mark a test function (`#[test]`, `#[tokio::test]`).
_TEST_ATTRIBUTES = frozenset({"test", "rstest", "test_case", "bench"})
_ARGUMENT_SKIP = frozenset({"(", ")", ",", "line_comment", "block_comment"})


@dataclass
class Count:
    """Lines of the panicking calls of one file (test code left out), and its test rows."""

    lines: list[int] = field(default_factory=list)
    test_rows: set[int] = field(default_factory=set)


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text else ""


def _cfg_implies_test(tree: Node) -> bool:
    """Whether a cfg predicate list (a token tree, combined with `all`) needs `test`."""
    groups: list[list[Node]] = [[]]
    for child in tree.children[1:-1]:
        if child.type == ",":
            groups.append([])
        elif child.type not in ("line_comment", "block_comment"):
            groups[-1].append(child)
    return any(_predicate_implies_test(g) for g in groups if g)


def _predicate_implies_test(group: list[Node]) -> bool:
    head = _text(group[0])
    if len(group) == 1:
        return head == "test"
    if len(group) == 2 and group[1].type == "token_tree":
        if head == "all":
            return _cfg_implies_test(group[1])
        if head == "any":
            parts = [c for c in group[1].children[1:-1] if c.type != ","]
            return bool(parts) and all(_predicate_implies_test([p]) for p in parts)
    return False


def is_test_attribute(attribute_item: Node) -> bool:
    """Whether an (inner or outer) attribute marks test code: `cfg(test)`, `#[test]`..."""
    attribute = next((c for c in attribute_item.named_children if c.type == "attribute"), None)
    if attribute is None or not attribute.named_children:
        return False
    path = _text(attribute.named_children[0]).replace(" ", "")
    arguments = attribute.child_by_field_name("arguments")
    if path == "cfg":
        return arguments is not None and _cfg_implies_test(arguments)
    return path.rsplit("::", 1)[-1] in _TEST_ATTRIBUTES


def _is_message(argument: Node) -> bool:
    """Whether `.expect`'s argument looks like a message (a string), not a parser's token."""
    kind = argument.type
    if kind in ("string_literal", "raw_string_literal"):
        return True
    if kind == "identifier":
        name = _text(argument)
        return name.isupper() or name in ("msg", "message")
    if kind == "macro_invocation":
        macro = _text(argument.child_by_field_name("macro"))
        return macro.rsplit("::", 1)[-1] in ("format", "concat")
    if kind == "call_expression":  # format!(..).as_str()
        function = argument.child_by_field_name("function")
        return function is not None and _is_message(function)
    if kind in ("reference_expression", "field_expression", "parenthesized_expression"):
        return any(_is_message(c) for c in argument.named_children)
    return False


def _method_call(node: Node) -> bool:
    """`x.unwrap()` or `x.expect("message")` as a call expression."""
    function = node.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return False
    name = _text(function.child_by_field_name("field"))
    arguments = node.child_by_field_name("arguments")
    if arguments is None:
        return False
    args = [c for c in arguments.children if c.type not in _ARGUMENT_SKIP]
    if name == "unwrap":
        return not args
    return name == "expect" and len(args) == 1 and _is_message(args[0])


def _panic_macro(node: Node) -> bool:
    macro = node.child_by_field_name("macro")
    return _text(macro).replace(" ", "").rsplit("::", 1)[-1] == "panic"


def _token_tree_calls(tree: Node) -> Iterator[int]:
    """Lines of `.unwrap()`, `.expect("..")` and `panic!(..)` in a macro's token tree."""
    children = tree.children
    for i, child in enumerate(children):
        if child.type != "identifier" or i + 1 >= len(children):
            continue
        name = _text(child)
        after = children[i + 1]
        if name in ("unwrap", "expect") and i > 0 and children[i - 1].type == ".":
            if after.type != "token_tree" or _text(after)[:1] != "(":
                continue
            inner = [c for c in after.children if c.type not in _ARGUMENT_SKIP]
            if (name == "unwrap" and not inner) or (
                name == "expect"
                and len(inner) == 1
                and inner[0].type in ("string_literal", "raw_string_literal")
            ):
                yield child.start_point[0] + 1
        elif name == "panic" and after.type == "!" and (i == 0 or children[i - 1].type != "."):
            yield child.start_point[0] + 1


def count_panics(root: Node) -> Count:
    """Every panicking call outside test code under ``root`` (a source_file)."""
    count = Count()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "call_expression" and _method_call(node):
            field_node = node.child_by_field_name("function")
            name = field_node.child_by_field_name("field") if field_node else None
            count.lines.append((name or node).start_point[0] + 1)
        elif node.type == "macro_invocation" and _panic_macro(node):
            count.lines.append(node.start_point[0] + 1)
        elif node.type == "token_tree":
            count.lines += _token_tree_calls(node)
        children = node.children
        if any(c.type == "inner_attribute_item" and is_test_attribute(c) for c in children):
            count.test_rows.update(range(node.start_point[0] + 1, node.end_point[0] + 2))
            continue
        test_attribute = False
        for child in children:
            if child.type == "attribute_item":
                test_attribute = test_attribute or is_test_attribute(child)
                if test_attribute:
                    count.test_rows.update(range(child.start_point[0] + 1, child.end_point[0] + 2))
                continue
            if child.type in ("inner_attribute_item", "line_comment", "block_comment"):
                continue
            if test_attribute:
                count.test_rows.update(range(child.start_point[0] + 1, child.end_point[0] + 2))
                test_attribute = False
                continue
            stack.append(child)
    return count


def lines_of_code(src: SourceFile, skip: set[int] | frozenset[int] = frozenset()) -> int:
    """Non-blank lines that are not only a `//` comment, except the 1-based rows in skip."""
    return sum(
        1
        for number, text in enumerate(src.lines, start=1)
        if number not in skip and text.strip() and not text.lstrip().startswith("//")
    )


@rule
class UnwrapDensity(Rule):
    name = "unwrap-density"
    code = "RS002"
    category = Category.RELIABILITY
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 30
    kinds = frozenset({"rust"})
    prefilter = (b"unwrap", b"expect", b"panic!")
    summary = "`.unwrap()`, `.expect()` and `panic!` in Rust code outside tests, per file."
    doc = {
        "What it finds": (
            'Rust files with `.unwrap()`, `.expect("...")` method calls or `panic!` '
            "invocations outside test code, one finding per file with the count and the "
            "density per 1000 lines of code (medium severity above "
            f"{MEDIUM_DENSITY:g} per 1000 lines with at least {MEDIUM_MIN_COUNT} calls). "
            "Test code is skipped: items under "
            "`#[cfg(test)]` or `#[cfg(all(test, ...))]`, functions marked `#[test]`, "
            "`#[tokio::test]` and the like, files in `tests/`, `benches/` and `examples/`, "
            "and `build.rs` scripts (which report failure by panicking). "
            "`unwrap_or`, `unwrap_or_else`, `unwrap_or_default`, `expect_err` and mentions "
            "in comments or strings are not counted. `.expect(..)` counts only with a "
            "message-like argument, so a parser's own `self.expect(Token::Comma)` does not."
        ),
        "Why": (
            "Each of these panics on an unexpected value and unwinds (or aborts) the thread: "
            "one bad input, missing file or closed connection takes down a request handler, "
            "a worker or the whole process. The Rust Book advises returning `Result` when "
            "failure is an expected possibility and keeping `panic!` for bugs and broken "
            "invariants; Clippy's `unwrap_used` and `expect_used` restriction lints exist for "
            "code bases that want to forbid them. This is a reliability metric, not a "
            "performance one."
        ),
        "Example": (
            "```rust\nfn load(path: &str) -> Config {\n"
            "    let text = std::fs::read_to_string(path).unwrap();\n"
            '    toml::from_str(&text).expect("bad config")\n}\n```'
        ),
        "Instead": (
            "```rust\nfn load(path: &str) -> Result<Config, Error> {\n"
            "    let text = std::fs::read_to_string(path)?;\n"
            "    Ok(toml::from_str(&text)?)\n}\n```\n\n"
            "Propagate with `?`, supply a default (`unwrap_or`, `unwrap_or_default`), or "
            "handle the `None`/`Err` case explicitly. Where a panic is truly impossible, an "
            "`expect` whose message states the invariant documents why."
        ),
        "When not to": (
            "Prototypes and command-line tools where aborting with a message is the intended "
            "error handling, values whose invariants are proven (a regex literal compiled "
            "once, a lock that can only be poisoned by an earlier panic). Raise the bar per "
            "path with `per-file-ignores`, or suppress the file."
        ),
    }
    references = (
        Reference(
            "The Rust Programming Language: To panic! or Not to panic!",
            "https://doc.rust-lang.org/book/ch09-03-to-panic-or-not-to-panic.html",
        ),
        Reference(
            "Clippy lints: unwrap_used",
            "https://rust-lang.github.io/rust-clippy/master/index.html#unwrap_used",
        ),
        Reference(
            "Clippy lints: expect_used",
            "https://rust-lang.github.io/rust-clippy/master/index.html#expect_used",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if src.is_test or _is_build_script(src.project_path):
            return
        found = count_panics(src.tree.root_node)
        lines = found.lines
        if not lines:
            return
        total = len(lines)
        code_lines = max(1, lines_of_code(src, found.test_rows))
        density = total * 1000 / code_lines
        calls = "call" if total == 1 else "calls"
        yield Hit(
            f"{total} unwrap()/expect()/panic! {calls} outside tests ({density:.1f} per 1000 "
            "lines): each one aborts the thread on an unexpected value; return a Result with "
            "`?` or handle the error",
            line=min(lines),
            count=total,
            snippet=f"unwrap-density:{src.path}",
            severity=Severity.MEDIUM
            if density > MEDIUM_DENSITY and total >= MEDIUM_MIN_COUNT
            else None,
        )


def _is_build_script(project_path: str) -> bool:
    """`build.rs` beside a Cargo.toml (not a module named build.rs under src/)."""
    parts = project_path.split("/")
    return parts[-1] == "build.rs" and "src" not in parts[:-1]
