"""Formatting into a `String` cannot fail: `write!(s, ..).unwrap()` on a String is no panic.

`impl fmt::Write for String` never returns an error, so `write!`/`writeln!` into a `String`
and `s.write_str(..)`, `s.write_char(..)`, `s.write_fmt(..)` on one can be unwrapped without
any risk; Clippy's own docs call the `unwrap` there harmless. unwrap-density leaves those
calls out when it can tell, from the file alone, that the target is a `String`:

- a local or parameter whose every binding in the enclosing function is a `String`: typed
  `String` (or `&mut String`), or initialised with `String::new()`, `String::with_capacity(..)`,
  `String::from(..)`, `format!(..)` or `.to_string()`;
- `self.name` where every field declared with that name in the file is a `String` (a
  `fmt::Write` adapter around a buffer).

Anything else (a `Formatter`, an `io::Write`, a name bound once to something unknown) still
counts: an unknown target may fail.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from optimus.parse.treesitter import captures
from optimus.rules.rust._syntax import node_text

_WRITE_MACROS = frozenset({"write", "writeln"})
_WRITE_METHODS = frozenset({"write_str", "write_char", "write_fmt"})
_STRING_TYPES = frozenset({"String", "std::string::String", "alloc::string::String"})
_STRING_VALUE = re.compile(
    r"^(?:(?:std::|alloc::)?(?:string::)?String::(?:new|with_capacity|from)\(|"
    r"(?:std::|alloc::)?format!|.*\.to_string\(\)$)",
    re.DOTALL,
)
_LOCAL = re.compile(r"^[A-Za-z_]\w*$")
_FIELD = re.compile(r"^self\.([A-Za-z_]\w*)$")
#: Every place a function binds a name: `let` and parameters (which say the type or the
#: value), and the patterns of closures, `match`, `if let`, `while let` and `for` (which do
#: not: a name bound there is never taken for a String).
_BINDINGS = """
(let_declaration) @typed
(parameter) @typed
(closure_parameters (identifier) @untyped)
(match_pattern) @untyped
(let_condition pattern: (_) @untyped)
(for_expression pattern: (_) @untyped)
"""
_FIELDS = "(field_declaration name: (field_identifier) @name) @field"


def _target_text(receiver: Node) -> str | None:
    """The written-to expression of `write!(target, ..)` or `target.write_str(..)`, without
    `&mut`, `&` or `*` in front, or None when the receiver is neither."""
    if receiver.type == "macro_invocation":
        macro = node_text(receiver.child_by_field_name("macro")).replace(" ", "")
        if macro.rsplit("::", 1)[-1] not in _WRITE_MACROS:
            return None
        tree = next((c for c in receiver.children if c.type == "token_tree"), None)
        if tree is None:
            return None
        tokens = []
        for child in tree.children[1:-1]:
            if child.type == ",":
                break
            tokens.append(node_text(child))
        text = "".join(tokens)
    elif receiver.type == "call_expression":
        function = receiver.child_by_field_name("function")
        if function is None or function.type != "field_expression":
            return None
        if node_text(function.child_by_field_name("field")) not in _WRITE_METHODS:
            return None
        text = node_text(function.child_by_field_name("value")).replace(" ", "")
    else:
        return None
    text = text.strip("()")
    for prefix in ("&mut", "&", "*"):
        text = text.removeprefix(prefix)
    return text


def _is_string_binding(binding: Node) -> bool:
    kind = binding.child_by_field_name("type")
    if kind is not None:
        text = node_text(kind).replace(" ", "").removeprefix("&mut").removeprefix("&")
        return text in _STRING_TYPES
    value = binding.child_by_field_name("value")
    return value is not None and bool(_STRING_VALUE.match(node_text(value)))


def _local_is_string(name: str, at: Node) -> bool:
    function = at.parent
    while function is not None and function.type != "function_item":
        function = function.parent
    if function is None:
        return False
    found = captures("rust", _BINDINGS, function)
    word = re.compile(rf"\b{re.escape(name)}\b")
    if any(word.search(node_text(n)) for n in found.get("untyped", [])):
        return False
    bindings = []
    for binding in found.get("typed", []):
        pattern = binding.child_by_field_name("pattern")
        text = node_text(pattern)
        if not word.search(text):
            continue
        if pattern is None or text.replace(" ", "").removeprefix("mut") != name:
            return False  # bound inside a tuple or struct pattern: its type is not written
        bindings.append(binding)
    return bool(bindings) and all(_is_string_binding(b) for b in bindings)


def _field_is_string(name: str, root: Node) -> bool:
    found = captures("rust", _FIELDS, root)
    types = [
        node_text(f.child_by_field_name("type")).replace(" ", "")
        for f in found.get("field", [])
        if node_text(f.child_by_field_name("name")) == name
    ]
    return bool(types) and all(t in _STRING_TYPES for t in types)


def writes_to_string(receiver: Node) -> bool:
    """Whether ``receiver`` (what `.unwrap()`/`.expect(..)` is called on) formats into a
    `String`, which cannot fail."""
    target = _target_text(receiver)
    if not target:
        return False
    if _LOCAL.match(target):
        return target != "self" and _local_is_string(target, receiver)
    field = _FIELD.match(target)
    if field:
        root = receiver
        while root.parent is not None:
            root = root.parent
        return _field_is_string(field.group(1), root)
    return False
