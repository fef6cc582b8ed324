"""json-from-str-of-bytes: bytes made into a str only to be parsed, or an unbuffered File.

Two shapes, found on the tree-sitter tree with paths resolved through the file's `use`s:

- `serde_json::from_str(..)` whose argument is a UTF-8 conversion of bytes:
  `String::from_utf8(v)`, `std::str::from_utf8(&b)`, `String::from_utf8_lossy(&b)` (through
  `?`, `.unwrap()`, `&`, `.as_str()`, `.to_string()`...), or a variable bound to one in the
  same function and used nowhere else. `serde_json::from_slice` parses the bytes directly.
- `serde_json::from_reader(..)` given a `std::fs::File` (`File::open(..)?`, or a variable
  or parameter holding one) instead of a `BufReader` or the file's bytes.

Test code is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.parse.treesitter import walk
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.rust._syntax import (
    argument_nodes,
    call_path,
    enclosing_body,
    in_test_code,
    method_call,
    node_text,
    own_nodes,
    resolve_path,
    unwrap_expression,
    use_paths,
)

_FROM_STR = frozenset({"serde_json::from_str", "serde_json::de::from_str"})
_FROM_READER = frozenset({"serde_json::from_reader", "serde_json::de::from_reader"})
#: UTF-8 conversions of bytes, as resolved paths (`String` and `str` need no `use`).
_FROM_UTF8 = {
    "String::from_utf8": "String::from_utf8",
    "std::string::String::from_utf8": "String::from_utf8",
    "String::from_utf8_lossy": "String::from_utf8_lossy",
    "std::string::String::from_utf8_lossy": "String::from_utf8_lossy",
    "std::str::from_utf8": "std::str::from_utf8",
    "str::from_utf8": "std::str::from_utf8",
}
_OPENS = frozenset({"std::fs::File::open"})
#: Methods between the conversion and `from_str` that keep the same text: results
#: unwrapped, borrowed or copied.
#: `trim` too: JSON itself allows the surrounding whitespace that command output carries.
_PASS_THROUGH = frozenset(
    {
        "unwrap",
        "expect",
        "as_str",
        "as_ref",
        "borrow",
        "deref",
        "to_string",
        "to_owned",
        "trim",
        "trim_end",
        "trim_start",
    }
)
_COPIES = frozenset({"to_string", "to_owned", "into_owned"})
_MAX_ARG = 40


def _short(text: str, limit: int = _MAX_ARG) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _peel(expr: Node) -> tuple[Node, bool]:
    """The expression under `?`, `&`, `(..)` and pass-through methods, and whether one of
    those methods copies the text (`.to_string()`, `.into_owned()`)."""
    current = unwrap_expression(expr)
    copies = False
    while True:
        found = method_call(current)
        if found is None or found[0] not in _PASS_THROUGH | _COPIES:
            return current, copies
        copies = copies or found[0] in _COPIES
        current = unwrap_expression(found[1])


def _utf8_conversion(expr: Node, uses: dict[str, str | None]) -> tuple[str, Node, bool] | None:
    """(conversion, its bytes argument, copies) when an expression is a UTF-8 conversion."""
    inner, copies = _peel(expr)
    if inner.type != "call_expression":
        return None
    conversion = _FROM_UTF8.get(call_path(inner, uses) or "")
    arguments = inner.child_by_field_name("arguments")
    args = argument_nodes(arguments) if arguments is not None else []
    if conversion is None or len(args) != 1:
        return None
    return conversion, args[0], copies


def _previous_let(call: Node, name: str) -> Node | None:
    """The last `let name = ..` of the same function that ends before the call."""
    body = enclosing_body(call)
    if body is None:
        return None
    found = None
    for node in own_nodes(body):
        if node.type != "let_declaration" or node.end_byte > call.start_byte:
            continue
        pattern = node.child_by_field_name("pattern")
        if pattern is not None and pattern.type == "identifier" and node_text(pattern) == name:
            found = node
    return found


def _uses_after(let: Node, name: str) -> int:
    """How often a name is mentioned in its function after its `let`: as an identifier
    (macro arguments included) or captured in a format string (`"{name}"`, `"{name:?}"`)."""
    body = enclosing_body(let)
    if body is None:
        return 0
    captured = re.compile(r"\{" + re.escape(name) + r"[:}]")
    count = 0
    for node in own_nodes(body):
        if node.start_byte <= let.end_byte:
            continue
        if node.type == "identifier" and node_text(node) == name:
            count += 1
        elif node.type == "string_literal" and node.parent and node.parent.type == "token_tree":
            count += len(captured.findall(node_text(node)))
    return count


def _calls_from_slice(call: Node, uses: dict[str, str | None]) -> bool:
    """Whether the function around a call also calls `serde_json::from_slice`."""
    body = enclosing_body(call)
    return body is not None and any(
        node.type == "call_expression"
        and call_path(node, uses) in ("serde_json::from_slice", "serde_json::de::from_slice")
        for node in own_nodes(body)
    )


def _uncopied(argument: Node) -> tuple[Node, bool]:
    """`body` for `body.to_vec()` / `body.clone()` (the copy `from_slice` does not need)."""
    found = method_call(unwrap_expression(argument))
    if (
        found is not None
        and found[0] in ("to_vec", "clone", "to_owned")
        and not argument_nodes(found[2])
    ):
        return found[1], True
    return argument, False


def _bytes_hint(argument: Node) -> str:
    """How to pass the bytes to `from_slice`: `&body` for `body`, `&b` for `&b`."""
    text = _short(node_text(argument))
    return text if text.startswith("&") else f"&{text}"


def _from_str_hit(call: Node, argument: Node, uses: dict[str, str | None]) -> Hit | None:
    found = _utf8_conversion(argument, uses)
    via = ""
    if found is None:
        inner, _ = _peel(argument)
        if inner.type != "identifier":
            return None
        name = node_text(inner)
        let = _previous_let(call, name)
        value = let.child_by_field_name("value") if let is not None else None
        if let is None or value is None or _uses_after(let, name) != 1:
            return None  # the text is needed elsewhere, or not known to be converted bytes
        found = _utf8_conversion(value, uses)
        via = f" (`{name}`, line {let.start_point[0] + 1})"
    if found is None:
        return None
    conversion, data, copies = found
    if conversion.endswith("lossy") and _calls_from_slice(call, uses):
        return None  # `from_slice` beside it: the lossy path is a deliberate choice
    data, copied_bytes = _uncopied(data)
    copy = " and copies it" if copies or copied_bytes else ""
    lossy = (
        "; unlike the lossy conversion, `from_slice` rejects invalid UTF-8 in strings"
        if conversion.endswith("lossy")
        else ""
    )
    return Hit(
        f"`serde_json::from_str` parses text made from bytes with `{conversion}`{via}: the "
        f"conversion checks all the UTF-8 before parsing{copy}, while "
        f"`serde_json::from_slice({_bytes_hint(data)})` parses the bytes directly (the "
        f"error type becomes serde_json's own){lossy}",
        line=call.start_point[0] + 1,
        end_line=call.end_point[0] + 1,
    )


def _unbuffered_file(argument: Node, call: Node, uses: dict[str, str | None]) -> str | None:
    """How an argument is an unbuffered `std::fs::File`, for the message, or None."""
    inner, _ = _peel(argument)
    if inner.type == "call_expression" and call_path(inner, uses) in _OPENS:
        return f"`{_short(node_text(inner))}`"
    if inner.type != "identifier":
        return None
    name = node_text(inner)
    let = _previous_let(call, name)
    if let is not None:
        value = let.child_by_field_name("value")
        if value is None:
            return None
        opened, _ = _peel(value)
        if opened.type == "call_expression" and call_path(opened, uses) in _OPENS:
            return f"`{name}` (opened on line {let.start_point[0] + 1})"
        return None
    body = enclosing_body(call)
    parameters = body.child_by_field_name("parameters") if body is not None else None
    for parameter in parameters.named_children if parameters is not None else ():
        pattern = parameter.child_by_field_name("pattern")
        kind = parameter.child_by_field_name("type")
        if pattern is None or kind is None or node_text(pattern).split()[-1] != name:
            continue
        if kind.type == "reference_type":
            kind = kind.child_by_field_name("type") or kind
        if resolve_path(kind, uses) == "std::fs::File":
            return f"the `File` parameter `{name}`"
    return None


def find_hits(root: Node) -> Iterator[Hit]:
    """Every `from_str` of converted bytes and `from_reader` of a bare File (tests left out)."""
    uses = use_paths(root)
    for node in walk(root):
        if node.type != "call_expression":
            continue
        path = call_path(node, uses)
        if path not in _FROM_STR and path not in _FROM_READER:
            continue
        arguments = node.child_by_field_name("arguments")
        args = argument_nodes(arguments) if arguments is not None else []
        if len(args) != 1 or in_test_code(node):
            continue
        if path in _FROM_STR:
            hit = _from_str_hit(node, args[0], uses)
            if hit is not None:
                yield hit
            continue
        file = _unbuffered_file(args[0], node, uses)
        if file is not None:
            yield Hit(
                f"`serde_json::from_reader` reads from {file}, an unbuffered `File`: "
                "serde_json does not buffer its input and reads it a byte at a time, so "
                "each byte costs a read system call; read the file into memory and parse it with "
                "`serde_json::from_slice(&std::fs::read(path)?)` (serde_json's docs say this "
                "is usually faster than `from_reader`), or at least wrap it in "
                "`std::io::BufReader::new(..)`",
                line=node.start_point[0] + 1,
                end_line=node.end_point[0] + 1,
                severity=Severity.MEDIUM,
            )


@rule
class JsonFromStrOfBytes(Rule):
    name = "json-from-str-of-bytes"
    code = "RS004"
    category = Category.PERFORMANCE
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 5
    kinds = frozenset({"rust"})
    prefilter = (b"serde_json",)
    summary = (
        "`serde_json::from_str` on bytes converted to a string, or `from_reader` on an "
        "unbuffered `File`."
    )
    doc = {
        "What it finds": (
            "`serde_json::from_str` called on bytes turned into text for the purpose: "
            "`String::from_utf8(v)`, `std::str::from_utf8(&b)` or "
            "`String::from_utf8_lossy(&b)` (through `?`, `.unwrap()`, `&`, `.as_str()`, "
            "`.to_string()`...), written in the call or bound by a `let` of the same function "
            "that nothing else uses. And `serde_json::from_reader` given a `std::fs::File` "
            "(`File::open(..)?`, a variable opened in the same function, or a `File` "
            "parameter) rather than a `BufReader` or the file's bytes; that case is reported "
            "with medium severity. `use` declarations are followed (`use serde_json::"
            "from_str;`, `use std::fs::File;`); test code is skipped."
        ),
        "Why": (
            "`String::from_utf8` does not copy a `Vec<u8>`, but it validates every byte as "
            "UTF-8 before serde_json starts, and `from_str` then parses the whole text again; "
            "`from_slice` works on the bytes in one pass, checking UTF-8 only inside strings "
            "(serde_json's `SliceRead`). `from_utf8_lossy`, `.to_string()` and `.to_owned()` "
            "add a copy as well. The saving has not been measured here; it grows with the "
            "document size. `from_reader` is a larger cost: serde_json's documentation says "
            "it does not buffer the input, so a `File` should be wrapped in a `BufReader`, "
            "and that reading the whole file into memory and using `from_str` or "
            "`from_slice` is usually faster than `from_reader` (serde-rs/json#160)."
        ),
        "Example": (
            "```rust\nlet body: Vec<u8> = response.bytes().await?.to_vec();\n"
            "let event: Event = serde_json::from_str(&String::from_utf8(body)?)?;\n\n"
            'let config: Config = serde_json::from_reader(File::open("config.json")?)?;\n```'
        ),
        "Instead": (
            "```rust\nlet event: Event = serde_json::from_slice(&body)?;\n\n"
            'let config: Config = serde_json::from_slice(&std::fs::read("config.json")?)?;\n'
            '// or: serde_json::from_reader(BufReader::new(File::open("config.json")?))?\n```'
            "\n\nThe error type changes (a `serde_json::Error` instead of a `FromUtf8Error`), "
            "so code that matches on the UTF-8 error needs adjusting; this is why no "
            "automatic fix is offered."
        ),
        "When not to": (
            "When the text is needed anyway (logged, stored, or parsed again), the conversion "
            "is not wasted; the rule only looks at a variable used once, but cannot see uses "
            "through other functions. A lossy conversion that must accept invalid UTF-8 "
            "inside JSON strings cannot move to `from_slice`, which rejects it. For a very "
            "large file that must be streamed, keep `from_reader` and add a `BufReader`."
        ),
    }
    references = (
        Reference(
            "serde_json::from_reader",
            "https://docs.rs/serde_json/latest/serde_json/fn.from_reader.html",
        ),
        Reference(
            "serde_json::from_slice",
            "https://docs.rs/serde_json/latest/serde_json/fn.from_slice.html",
        ),
        Reference(
            "serde-rs/json#160: from_reader is slower than reading into memory",
            "https://github.com/serde-rs/json/issues/160",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if src.is_test:
            return
        yield from sorted(find_hits(src.tree.root_node), key=lambda h: h.line or 0)
