"""unwrap-density: `.unwrap()`, `.expect(..)` and `panic!` in Rust code outside tests.

Counts, on the tree-sitter tree, method calls `.unwrap()` and `.expect(msg)` and `panic!`
invocations (also inside other macros' token trees, such as `println!`), skipping test code:
items under `#[cfg(test)]` (or `#[cfg(all(test, ...))]`), `#[test]`-like functions, files
with an inner `#![cfg(test)]`, files in tests/, benches/ and examples/, benchmark crates
(`benchmark/src/..`, `*-bench/src/..`), and build scripts.
Not counted either: `.unwrap()`/`.expect(..)` straight on `.lock()`, `.read()` or `.write()`
(a std lock is only poisoned by an earlier panic), on `write!`/`writeln!`/`write_str` into
a `String` (which cannot fail; see ``_string_writes``), on a channel send or receive in a
file that creates the channel (fails only when the peer task is gone; see ``_channels``),
calls with a comment saying they cannot fail, `.expect(..)` whose message says failing
would be a bug ("should never", "unreachable", "invariant"), calls on a local set to
`Some` just before (see ``_set_before``), and calls under an
`#[allow]`/`#[expect]` of `clippy::unwrap_used`, `clippy::expect_used` or `clippy::panic`.
Candidates are found with one tree-sitter query, and files with fewer than `MIN_COUNT`
candidate calls in their bytes are not parsed for this rule. One finding per file
with at least `MIN_COUNT` counted calls, with the count and the density per 1000 lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from tree_sitter import Node

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.parse.treesitter import captures
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.rust._channels import Channels
from optimus.rules.rust._set_before import SomeSettings, blank_literals
from optimus.rules.rust._string_writes import writes_to_string
from optimus.rules.rust._syntax import (
    ATTACHED_ITEMS,
    LOCK_METHODS,
    allowed_lints,
    is_lock_call,
    is_test_attribute,
    node_text,
    test_rows,
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


#: An `.expect(..)` message that states the failure is a bug or cannot happen documents an
#: invariant, the use the Rust Book and Clippy's `expect_used` docs recommend for `expect`.
_INVARIANT_MESSAGE = re.compile(
    r"\bbug\b|should\s+never|can\s?not\s+happen|can['\u2019]t\s+happen|\bunreachable"
    r"|\binvariant|\binfallible|\balways\b",
    re.IGNORECASE,
)


def states_invariant(message: str) -> bool:
    """Whether an `.expect(..)` argument's text says its failure would be a bug."""
    return _INVARIANT_MESSAGE.search(message) is not None


def _method_call(node: Node, channels: Channels) -> str | None:
    """ "unwrap" for `x.unwrap()`, "expect" for `x.expect("message")`, else None; None too
    when `x` takes a std lock (`m.lock().unwrap()`: only a poisoned lock fails), formats
    into a String (`write!(s, ..).unwrap()`: cannot fail) or hands a message over a channel
    the file creates (`tx.send(m).unwrap()`: fails only when the peer task is gone)."""
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
    if name == "expect" and states_invariant(node_text(args[0])):
        return None
    receiver = function.child_by_field_name("value")
    if receiver is not None and (
        is_lock_call(receiver) or writes_to_string(receiver) or channels.is_hand_off(receiver)
    ):
        return None
    return name


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


def _local_receiver(children: list[Node], dot: int) -> Node | None:
    """The identifier before `children[dot]` (a `.`) when it is a plain local (`x.unwrap()`,
    not `self.x.unwrap()` nor `a::x.unwrap()`)."""
    if dot < 1 or children[dot - 1].type != "identifier":
        return None
    if dot >= 2 and children[dot - 2].type in (".", "::"):
        return None
    return children[dot - 1]


def _token_tree_calls(tree: Node) -> Iterator[tuple[str, int, Node | None]]:
    """(kind, line, local receiver) of `.unwrap()`, `.expect("..")` and `panic!(..)` in a
    macro's token tree, leaving out `.lock().unwrap()` and the like."""
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
                and not states_invariant(node_text(inner[0]))
            ):
                yield name, child.start_point[0] + 1, _local_receiver(children, i - 1)
        elif name == "panic" and after.type == "!" and (i == 0 or children[i - 1].type != "."):
            yield name, child.start_point[0] + 1, None


#: The nodes that can hold a counted call, and the attributes that mark test code, found by
#: one tree-sitter query in C: visiting every node of every file from Python cost more than
#: parsing the files.
_QUERY = """
(call_expression
  function: (field_expression field: (field_identifier) @name (#any-of? @name "unwrap" "expect"))
) @call
(macro_invocation macro: (identifier) @macro (#eq? @macro "panic")) @panic
(macro_invocation
  macro: (scoped_identifier name: (identifier) @macro (#eq? @macro "panic"))
) @panic
(token_tree (identifier) @token (#any-of? @token "unwrap" "expect" "panic"))
(attribute_item) @outer
(inner_attribute_item) @inner
"""
#: A counted call needs one of these before `(` or `!`; a file with fewer than MIN_COUNT of
#: them cannot be reported, so it is not parsed for this rule (comments may sit between).
_CANDIDATE = re.compile(
    rb"\b(?:unwrap|expect)(?:\s|//[^\n]*|/\*(?s:.*?)\*/)*\("
    rb"|\bpanic(?:\s|//[^\n]*|/\*(?s:.*?)\*/)*!"
)


class _Scopes:
    """Whether a node is test code (or inside an attribute), and which lints are allowed
    there, from its ancestors' attributes (outer ones are the item's preceding siblings in
    tree-sitter), memoised per ancestor so a file's calls share the walk up."""

    def __init__(self) -> None:
        self._memo: dict[Node, tuple[bool, frozenset[str]]] = {}

    def at(self, node: Node) -> tuple[bool, frozenset[str]]:
        chain: list[Node] = []
        current: Node | None = node
        while current is not None and current not in self._memo:
            chain.append(current)
            current = current.parent
        test, allowed = self._memo[current] if current is not None else (False, frozenset())
        for item in reversed(chain):
            if not test:
                test, allowed = self._own(item, allowed)
            self._memo[item] = (test, allowed)
        return test, allowed

    @staticmethod
    def _own(node: Node, allowed: frozenset[str]) -> tuple[bool, frozenset[str]]:
        if node.type in ATTACHED_ITEMS:
            return True, allowed  # nothing inside an attribute (or a comment) is counted
        test = False
        sibling = node.prev_sibling
        while sibling is not None and sibling.type in ATTACHED_ITEMS:
            if sibling.type == "attribute_item":
                test = test or is_test_attribute(sibling)
                allowed |= allowed_lints(sibling)
            sibling = sibling.prev_sibling
        for child in node.children:
            if child.type == "inner_attribute_item":
                test = test or is_test_attribute(child)
                allowed |= allowed_lints(child)
        return test, allowed


def count_panics(root: Node) -> Count:
    """Every panicking call outside test code under ``root`` (a source_file), except those
    under an `#[allow]`/`#[expect]` (outer, on an enclosing item or statement, or inner
    `#![allow]` of an enclosing module or the file) of the kind's Clippy lint."""
    found = captures("rust", _QUERY, root)
    count = Count(test_rows=test_rows(found.get("outer", []), found.get("inner", [])))
    scopes = _Scopes()
    data = root.text or b""
    channels = Channels(data)
    settings: list[SomeSettings] = []

    def set_before(receiver: Node | None) -> bool:
        """Whether a local receiver was just set to `Some` (the file is read for it once)."""
        if receiver is None:
            return False
        if not settings:
            settings.append(SomeSettings(blank_literals(data)))
        return settings[0].set_before(receiver.start_byte, node_text(receiver))

    for node in found.get("call", []):
        kind = _method_call(node, channels)
        if kind is None:
            continue
        test, allowed = scopes.at(node)
        function = node.child_by_field_name("function")
        receiver = function.child_by_field_name("value") if function else None
        if receiver is not None and receiver.type != "identifier":
            receiver = None
        if not test and _LINTS[kind] not in allowed and not set_before(receiver):
            field_node = node.child_by_field_name("function")
            name = field_node.child_by_field_name("field") if field_node else None
            count.lines.append((name or node).start_point[0] + 1)
    for node in found.get("panic", []):
        test, allowed = scopes.at(node)
        if not test and _LINTS["panic"] not in allowed and _panic_macro(node):
            count.lines.append(node.start_point[0] + 1)
    trees = {token.parent for token in found.get("token", []) if token.parent is not None}
    for tree in trees:
        test, allowed = scopes.at(tree)
        if not test:
            count.lines += (
                n
                for k, n, receiver in _token_tree_calls(tree)
                if _LINTS[k] not in allowed and not set_before(receiver)
            )
    if count.lines:
        text = data.decode("utf-8", "replace").splitlines()
        count.lines = [n for n in count.lines if not _acknowledged(text, n)]
    return count


#: A comment saying why a call cannot panic: "unwrap is safe", "cannot fail", "infallible",
#: "checked above", a `SAFETY:` note or an invariant.
_ACKNOWLEDGES = re.compile(
    r"(?:unwrap|expect)(?:ing)?\s+(?:is|here\s+is)\s+safe|safe\s+to\s+(?:unwrap|expect)"
    r"|can\s?not\s+(?:fail|panic)|can['\u2019]t\s+(?:fail|panic)|never\s+(?:fails?|panics?)"
    r"|infallible|checked\s+above|\bSAFETY\s*:|\binvariant"
    r"|we\s+unwrap\s+here|unwrap\s+here\s+as|need\s+to\s+panic|panic\s+here"
    r"|should\s+never\s+(?:fail|happen)|can\s?not\s+be\s+none|is\s+always\s+some",
    re.IGNORECASE,
)


def _comment_of(line: str) -> str:
    """The comment part of a line: from its `//` or `/*` on, or "" when it has none."""
    starts = [at for at in (line.find("//"), line.find("/*")) if at >= 0]
    return line[min(starts) :] if starts else ""


def _acknowledged(text: list[str], line: int) -> bool:
    """Whether the 1-based ``line``'s own trailing comment, or the comment lines right above
    it, say the call cannot fail (the author checked it, as `#[expect(..)]` would say)."""
    if 0 < line <= len(text) and _ACKNOWLEDGES.search(_comment_of(text[line - 1])):
        return True
    row = line - 2
    while row >= 0 and text[row].lstrip().startswith(("//", "/*")):
        if _ACKNOWLEDGES.search(text[row]):
            return True
        row -= 1
    return False


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
    skip_third_party = True
    # Off by default: twelve hand reviews on real code judged 5 of its 31 sampled findings
    # correct (docs/precision-review.md); whether an unwrap is a bug hangs on invariants
    # that code states in ways a count cannot read.
    preview = True
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
            "the `src/` of a benchmark crate (a folder named `bench`, `benchmark`, "
            "`benchmarks` or ending in `-bench`/`-benchmark`, which Cargo uses as the "
            "package name), and `build.rs` scripts (which report failure by panicking). "
            "`unwrap_or`, `unwrap_or_else`, `unwrap_or_default`, `expect_err` and mentions "
            "in comments or strings are not counted. `.expect(..)` counts only with a "
            "message-like argument, so a parser's own `self.expect(Token::Comma)` does not. "
            "Not counted either: `.unwrap()`/`.expect(..)` directly on `.lock()`, `.read()` or "
            "`.write()` (taking a std `Mutex`/`RwLock`; `try_lock` still counts, it fails for "
            "real); `.unwrap()`/`.expect(..)` on formatting into a `String` (`write!(s, ..)`, "
            "`writeln!`, `s.write_str(..)`, where the file shows that `s` (or `self.field`) "
            "is a `String`: `impl fmt::Write for String` never fails); in a file that creates "
            "an mpsc or oneshot channel (tokio, std, crossbeam, flume, async-channel; not "
            "`broadcast`/`watch`), `.unwrap()`/`.expect(..)` directly on `.send(msg)` (one "
            "argument, not a `&buffer` as a socket's), on `.recv()` (awaited or not) or on "
            "the `.await` of a receiver the file binds from `oneshot::channel()`; and calls "
            "the code already acknowledges: a comment at the end of the line or on the "
            'comment lines right above it that says so ("unwrap is safe", "cannot fail", '
            '"can\'t fail", "never fails", "infallible", "checked above", a `SAFETY:` '
            'note, an "invariant", "we unwrap here", "unwrap here as", "need to panic", '
            '"panic here", "should never fail", "should never happen", "cannot be None", '
            '"is always Some"); `.expect(..)` whose message states that failing would be a '
            'bug ("this is a bug", "should never", "cannot happen", "can\'t happen", '
            '"unreachable", "invariant", "infallible", "always"); `.unwrap()`/`.expect(..)` '
            "on a local set to `Some` just before (`x = x.or(Some(..))`, `x = Some(..)`, "
            "`x.get_or_insert(..)` earlier in the same or an enclosing block, with no loop "
            "and no other write to `x` in between); or calls under `#[allow(..)]` or "
            "`#[expect(..)]` of `clippy::unwrap_used` (for `unwrap`), `clippy::expect_used` "
            "(for `expect`) or `clippy::panic` (for `panic!`) on an enclosing item or "
            "statement, or `#![allow(..)]` in the enclosing module or file. Installed or "
            "vendored copies of published crates (a `.cargo-checksum.json` beside their "
            "`Cargo.toml`, as `cargo vendor` and Debian's registry write) are not reported: "
            "only their maintainers can change them, and a library's `expect`s are mostly "
            "documented invariants."
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
            "deliberately). Channel hand-offs are another and are not counted either: in "
            "the actor pattern the task on the other side of an mpsc or oneshot channel lives "
            "as long as the handle, so `tx.send(msg).unwrap()` or the unwrapped reply fails "
            "only when that task panicked, and unwrapping propagates its panic. Benchmark "
            "crates are developer tools like `benches/`. An `expect` whose message says "
            "its failure is a bug documents an invariant, the use the Rust Book recommends, "
            "and is not counted, nor is an `Option` unwrapped right after it was set to "
            "`Some` (only the simple straight-line case is recognised). Acknowledge "
            "deliberate calls with such a message, with "
            "a comment saying why they cannot fail, with "
            '`#[expect(clippy::unwrap_used, reason = "...")]` on the item, raise the bar '
            "per path with `per-file-ignores`, or suppress the file.\n\n"
            "The rule is in preview, off unless `--preview` (or `preview = true`): in twelve "
            "hand reviews of real code nobody here wrote (docs/precision-review.md), 5 of "
            "the 31 findings sampled from it were judged correct. The counts are right, but "
            "most counted calls were invariants the code states in its own way (a map built "
            "with fixed keys, a data structure's own consistency checks, start-up "
            "configuration), which a count cannot tell from a missing error path. Clippy "
            "likewise keeps `unwrap_used` and `expect_used` in its allow-by-default "
            "restriction group. Turn it on for code bases that want few panics, as a metric "
            "to follow over time."
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
        if src.is_test or _is_build_script(src.project_path) or _in_bench_crate(src.path):
            return
        if sum(1 for _ in islice(_CANDIDATE.finditer(src.data), MIN_COUNT)) < MIN_COUNT:
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


#: A crate folder that holds a benchmark harness: `benchmark/`, `benches/`-like names and
#: packages named `*-bench`/`*-benchmark` (Cargo names a package after its folder).
_BENCH_CRATE = re.compile(r"^(?:benches|bench|benchmarks?|.+[-_]bench(?:mark)?s?)$")


def _in_bench_crate(path: str) -> bool:
    """Whether ``path`` (from the scan root) is in the `src/` of a benchmark crate: a
    developer tool where stopping with a message is the intended error handling, like the
    `benches/` targets that are skipped as test code. A `src/bench/` module of another
    crate is not one."""
    parts = path.split("/")[:-1]
    return any(
        part == "src" and i > 0 and _BENCH_CRATE.match(parts[i - 1]) is not None
        for i, part in enumerate(parts)
    )
