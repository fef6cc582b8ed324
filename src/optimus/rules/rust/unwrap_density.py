"""unwrap-density: `.unwrap()`, `.expect(..)` and `panic!` in Rust code outside tests.

Counts, on the tree-sitter tree, method calls `.unwrap()` and `.expect(msg)` and `panic!`
invocations (also inside other macros' token trees, such as `println!`), skipping test code:
items under `#[cfg(test)]` (or `#[cfg(all(test, ...))]`), `#[test]`-like functions, files
with an inner `#![cfg(test)]`, files in tests/, benches/ and examples/, and build scripts.
Not counted either: `.unwrap()`/`.expect(..)` straight on `.lock()`, `.read()` or `.write()`
(a std lock is only poisoned by an earlier panic), and calls under an `#[allow]`/`#[expect]`
of `clippy::unwrap_used`, `clippy::expect_used` or `clippy::panic`. One finding per file
with at least `MIN_COUNT` counted calls, with the count and the density per 1000 lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.rust._syntax import (
    LOCK_METHODS,
    allowed_lints,
    is_lock_call,
    is_test_attribute,
    node_text,
)

#: Above this many calls per 1000 lines of code a file's finding is medium severity...
MEDIUM_DENSITY = 10.0
#: ...provided it has at least this many (one unwrap in a 30-line file is not a pattern).
MEDIUM_MIN_COUNT = 5
#: A file is reported from this many counted calls on (a single `expect` is no density).
MIN_COUNT = 3
#: ...and a density of at least this many per 1000 lines of code: a few invariant checks in
#: a large file (clap, tokio) are not a density problem.
MIN_DENSITY = 5.0
#: The Clippy lint that, allowed or expected, acknowledges each kind of call.
_LINTS = {
    "unwrap": "clippy::unwrap_used",
    "expect": "clippy::expect_used",
    "panic": "clippy::panic",
}
_ARGUMENT_SKIP = frozenset({"(", ")", ",", "line_comment", "block_comment"})


@dataclass
class Count:
    """Lines of the panicking calls of one file (test code left out), and its test rows."""

    lines: list[int] = field(default_factory=list)
    test_rows: set[int] = field(default_factory=set)


def _is_message(argument: Node) -> bool:
    """Whether `.expect`'s argument looks like a message (a string), not a parser's token."""
    kind = argument.type
    if kind in ("string_literal", "raw_string_literal"):
        return True
    if kind == "identifier":
        name = node_text(argument)
        return name.isupper() or name in ("msg", "message")
    if kind == "macro_invocation":
        macro = node_text(argument.child_by_field_name("macro"))
        return macro.rsplit("::", 1)[-1] in ("format", "concat")
    if kind == "call_expression":  # format!(..).as_str()
        function = argument.child_by_field_name("function")
        return function is not None and _is_message(function)
    if kind in ("reference_expression", "field_expression", "parenthesized_expression"):
        return any(_is_message(c) for c in argument.named_children)
    return False


def _method_call(node: Node) -> str | None:
    """ "unwrap" for `x.unwrap()`, "expect" for `x.expect("message")`, else None; None too
    when `x` takes a std lock (`m.lock().unwrap()`: only a poisoned lock fails)."""
    function = node.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return None
    name = node_text(function.child_by_field_name("field"))
    arguments = node.child_by_field_name("arguments")
    if arguments is None:
        return None
    args = [c for c in arguments.children if c.type not in _ARGUMENT_SKIP]
    if not (
        (name == "unwrap" and not args)
        or (name == "expect" and len(args) == 1 and _is_message(args[0]))
    ):
        return None
    receiver = function.child_by_field_name("value")
    return None if receiver is not None and is_lock_call(receiver) else name


def _panic_macro(node: Node) -> bool:
    macro = node.child_by_field_name("macro")
    return node_text(macro).replace(" ", "").rsplit("::", 1)[-1] == "panic"


def _after_lock(children: list[Node], dot: int) -> bool:
    """Whether the tokens before `children[dot]` (a `.`) are `.lock()`, `.read()`, `.write()`."""
    return (
        dot >= 3
        and children[dot - 1].type == "token_tree"
        and node_text(children[dot - 1]).replace(" ", "") == "()"
        and children[dot - 2].type == "identifier"
        and node_text(children[dot - 2]) in LOCK_METHODS
        and children[dot - 3].type == "."
    )


def _token_tree_calls(tree: Node) -> Iterator[tuple[str, int]]:
    """(kind, line) of `.unwrap()`, `.expect("..")` and `panic!(..)` in a macro's token
    tree, leaving out `.lock().unwrap()` and the like."""
    children = tree.children
    for i, child in enumerate(children):
        if child.type != "identifier" or i + 1 >= len(children):
            continue
        name = node_text(child)
        after = children[i + 1]
        if name in ("unwrap", "expect") and i > 0 and children[i - 1].type == ".":
            if after.type != "token_tree" or node_text(after)[:1] != "(":
                continue
            inner = [c for c in after.children if c.type not in _ARGUMENT_SKIP]
            if _after_lock(children, i - 1):
                continue
            if (name == "unwrap" and not inner) or (
                name == "expect"
                and len(inner) == 1
                and inner[0].type in ("string_literal", "raw_string_literal")
            ):
                yield name, child.start_point[0] + 1
        elif name == "panic" and after.type == "!" and (i == 0 or children[i - 1].type != "."):
            yield name, child.start_point[0] + 1


def count_panics(root: Node) -> Count:
    """Every panicking call outside test code under ``root`` (a source_file), except those
    under an `#[allow]`/`#[expect]` (outer, on an enclosing item or statement, or inner
    `#![allow]` of an enclosing module or the file) of the kind's Clippy lint."""
    count = Count()
    stack: list[tuple[Node, frozenset[str]]] = [(root, frozenset())]
    while stack:
        node, allowed = stack.pop()
        children = node.children
        for child in children:
            if child.type == "inner_attribute_item":
                allowed |= allowed_lints(child)
        if node.type == "call_expression":
            kind = _method_call(node)
            if kind is not None and _LINTS[kind] not in allowed:
                field_node = node.child_by_field_name("function")
                name = field_node.child_by_field_name("field") if field_node else None
                count.lines.append((name or node).start_point[0] + 1)
        elif node.type == "macro_invocation" and _panic_macro(node):
            if _LINTS["panic"] not in allowed:
                count.lines.append(node.start_point[0] + 1)
        elif node.type == "token_tree":
            count.lines += (n for k, n in _token_tree_calls(node) if _LINTS[k] not in allowed)
        if any(c.type == "inner_attribute_item" and is_test_attribute(c) for c in children):
            count.test_rows.update(range(node.start_point[0] + 1, node.end_point[0] + 2))
            continue
        test_attribute = False
        outer: frozenset[str] = frozenset()
        for child in children:
            if child.type == "attribute_item":
                test_attribute = test_attribute or is_test_attribute(child)
                outer |= allowed_lints(child)
                if test_attribute:
                    count.test_rows.update(range(child.start_point[0] + 1, child.end_point[0] + 2))
                continue
            if child.type in ("inner_attribute_item", "line_comment", "block_comment"):
                continue
            if test_attribute:
                count.test_rows.update(range(child.start_point[0] + 1, child.end_point[0] + 2))
                test_attribute = False
                outer = frozenset()
                continue
            stack.append((child, allowed | outer))
            outer = frozenset()
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
            f"invocations outside test code, one finding per file with at least {MIN_COUNT} "
            f"such calls and at least {MIN_DENSITY:g} per 1000 lines of code (a few invariant "
            "checks in a large file are not a density problem), with the count and the "
            "density per 1000 lines of code (medium severity above "
            f"{MEDIUM_DENSITY:g} per 1000 lines with at least {MEDIUM_MIN_COUNT} calls). "
            "Test code is skipped: items under "
            "`#[cfg(test)]` or `#[cfg(all(test, ...))]`, functions marked `#[test]`, "
            "`#[tokio::test]` and the like, files in `tests/`, `benches/` and `examples/`, "
            "and `build.rs` scripts (which report failure by panicking). "
            "`unwrap_or`, `unwrap_or_else`, `unwrap_or_default`, `expect_err` and mentions "
            "in comments or strings are not counted. `.expect(..)` counts only with a "
            "message-like argument, so a parser's own `self.expect(Token::Comma)` does not. "
            "Not counted either: `.unwrap()`/`.expect(..)` directly on `.lock()`, `.read()` or "
            "`.write()` (taking a std `Mutex`/`RwLock`; `try_lock` still counts, it fails for "
            "real), and calls the code already acknowledges: under `#[allow(..)]` or "
            "`#[expect(..)]` of `clippy::unwrap_used` (for `unwrap`), `clippy::expect_used` "
            "(for `expect`) or `clippy::panic` (for `panic!`) on an enclosing item or "
            "statement, or `#![allow(..)]` in the enclosing module or file."
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
            "once). Lock poisoning is such a case and is not counted: `lock()`, `read()` and "
            "`write()` on a std lock fail only when another thread panicked while holding it, "
            "and propagating that panic with `.lock().unwrap()` is the conventional choice "
            "(the data may be half-updated; `PoisonError::into_inner` is the way to recover "
            "deliberately). Acknowledge deliberate calls with "
            '`#[expect(clippy::unwrap_used, reason = "...")]` on the item, raise the bar '
            "per path with `per-file-ignores`, or suppress the file."
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
        if len(lines) < MIN_COUNT:
            return
        total = len(lines)
        code_lines = max(1, lines_of_code(src, found.test_rows))
        density = total * 1000 / code_lines
        if density < MIN_DENSITY:
            return
        yield Hit(
            f"{total} unwrap()/expect()/panic! calls outside tests ({density:.1f} per 1000 "
            "lines): each one aborts the thread on an unexpected value; return a Result with "
            "`?` or handle the error (deliberate ones: `#[expect(clippy::unwrap_used)]`)",
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
