"""The Rust detector of `blocking-call-in-async` (the rule is registered by the Python module).

A rule name is a concept, so this module registers nothing: `rust_blocking_hits` is called
from `optimus.rules.python.blocking_call_in_async` for files of kind "rust". It finds, on the
tree-sitter tree, calls that block the thread made directly in an `async fn`, async block or
async closure:

- `std::thread::sleep`;
- `std::fs` functions that move file contents or walk trees (`read_to_string`, `read`,
  `write`, `read_dir`, `copy`, `remove_dir_all`), `std::fs::File::open/create`,
  `OpenOptions::..open`; single metadata syscalls (`remove_file`, `create_dir_all`,
  `metadata`, `set_permissions`... in ``METADATA_ONLY``) are not reported;
- anything under `reqwest::blocking` (which panics inside an async runtime);
- `std::process::Command` run with `.output()` / `.status()`, or `.spawn()` then `.wait()`;
- `futures::executor::block_on`.

Paths are resolved through the file's `use` declarations (`use std::fs;` then `fs::read`,
`use std::thread::sleep;` then `sleep`), so `tokio::fs` or `tokio::time::sleep` never match.
Calls inside a nested closure or fn (`spawn_blocking(|| ..)`, `block_in_place(|| ..)`), calls
that are awaited, `async fn main` (it runs on the thread that started the runtime), and test
code are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from optimus.parse.source import SourceFile
from optimus.rules.base import Hit
from optimus.rules.rust._syntax import (
    argument_nodes,
    call_path,
    describe_body,
    function_name,
    in_test_code,
    is_async,
    is_awaited,
    method_call,
    node_text,
    own_nodes,
    unwrap_expression,
    use_paths,
)

_FS_FUNCTIONS = (
    "read_to_string",
    "read",
    "write",
    "read_dir",
    "copy",
    "remove_dir_all",
)
#: One metadata syscall each (unlink, mkdir, stat, chmod...): microseconds on a local disk,
#: typically once while setting up or closing a listener, so they are not reported; the
#: cost the rule is about is reading and writing file contents or walking trees.
METADATA_ONLY = (
    "rename",
    "remove_file",
    "remove_dir",
    "create_dir",
    "create_dir_all",
    "metadata",
    "symlink_metadata",
    "canonicalize",
    "read_link",
    "hard_link",
    "set_permissions",
)
#: Fully qualified functions that block, by what they do.
_BLOCKING: dict[str, str] = {
    "std::thread::sleep": "sleep",
    "std::thread::sleep_ms": "sleep",
    **{f"std::fs::{name}": "file" for name in _FS_FUNCTIONS},
    "std::fs::File::open": "file",
    "std::fs::File::create": "file",
    "std::fs::File::create_new": "file",
    "futures::executor::block_on": "block_on",
}
#: Constructors whose later method call blocks: (type path, method that blocks).
_COMMAND = "std::process::Command::new"
_OPEN_OPTIONS = ("std::fs::OpenOptions::new", "std::fs::File::options")

_WHAT = {
    "sleep": "puts the worker thread to sleep",
    "file": "is blocking file I/O",
    "http": (
        "uses reqwest's blocking API, which blocks the thread (its docs say it panics "
        "inside an async runtime)"
    ),
    "process": "waits for a child process on the worker thread",
    "block_on": "blocks the worker thread until another future completes",
}
_INSTEAD = {
    "sleep": "use `tokio::time::sleep(..).await` (or your runtime's async sleep)",
    "file": (
        "use the `tokio::fs` equivalent with `.await`, or move the work into "
        "`tokio::task::spawn_blocking`"
    ),
    "http": "use the async `reqwest::Client` (`client.get(url).send().await`)",
    "process": "use `tokio::process::Command` (`.output().await`) or `spawn_blocking`",
    "block_on": "`.await` the future instead",
}


def _chain_root(expr: Node) -> Node:
    """The first call of a method chain: `Command::new("ls")` in
    `Command::new("ls").arg("-l").output()` (through `?`, `.unwrap()` and `&mut`)."""
    current = unwrap_expression(expr)
    while True:
        found = method_call(current)
        if found is None:
            return current
        current = unwrap_expression(found[1])


def _chain_methods(expr: Node) -> list[str]:
    """The method names of a chain, first to last: ["arg", "spawn", "unwrap"]."""
    names: list[str] = []
    current = unwrap_expression(expr)
    while True:
        found = method_call(current)
        if found is None:
            return names[::-1]
        names.append(found[0])
        current = unwrap_expression(found[1])


class _Locals:
    """What the `let`s of one body bind to: a `Command` or a spawned `Child`."""

    def __init__(self, body: Node, uses: dict[str, str | None]) -> None:
        self.kinds: dict[str, list[tuple[int, str | None]]] = {}
        for node in own_nodes(body):
            if node.type != "let_declaration":
                continue
            pattern = node.child_by_field_name("pattern")
            value = node.child_by_field_name("value")
            if pattern is None or pattern.type != "identifier" or value is None:
                continue
            self.kinds.setdefault(node_text(pattern), []).append(
                (node.end_byte, _process_kind(value, uses, self))
            )

    def kind(self, name: str, before: int) -> str | None:
        """The kind of the last `let name = ...` that ends before a byte offset."""
        found = [kind for end, kind in self.kinds.get(name, ()) if end <= before]
        return found[-1] if found else None


def _process_kind(expr: Node, uses: dict[str, str | None], scope: _Locals | None) -> str | None:
    """ "command" for a `std::process::Command` (builder), "child" for a spawned one."""
    root = _chain_root(expr)
    methods = [m for m in _chain_methods(expr) if m not in ("unwrap", "expect")]
    if root.type == "call_expression" and call_path(root, uses) == _COMMAND:
        base = "command"
    elif root.type == "identifier" and scope is not None:
        base = scope.kind(node_text(root), root.start_byte) or ""
    else:
        return None
    if base == "command":
        if "spawn" in methods:
            return "child" if methods[-1] == "spawn" else None
        return "command" if not set(methods) & {"output", "status"} else None
    return base if base == "child" and not methods else None


def _blocking_call(
    call: Node, uses: dict[str, str | None], scope: _Locals
) -> tuple[str, str] | None:
    """(kind, how the call is named in the message) for a blocking call, else None."""
    path = call_path(call, uses)
    if path is not None:
        shown = node_text(call.child_by_field_name("function")).replace(" ", "")
        label = f"`{shown}`" if shown == path else f"`{shown}` (`{path}`)"
        if path in _BLOCKING:
            return _BLOCKING[path], label
        if path.startswith("reqwest::blocking::"):
            return "http", label
        return None
    found = method_call(call)
    if found is None:
        return None
    name, receiver, arguments = found
    if name in ("output", "status") and not argument_nodes(arguments):
        if _process_kind(receiver, uses, scope) == "command":
            return "process", f"`Command::{name}()`"
    elif name in ("wait", "wait_with_output") and not argument_nodes(arguments):
        if _process_kind(receiver, uses, scope) == "child":
            return "process", f"`Child::{name}()`"
    elif name == "open":
        root = _chain_root(receiver)
        if root.type == "call_expression" and call_path(root, uses) in _OPEN_OPTIONS:
            return "file", "`OpenOptions::open()`"
    return None


def rust_blocking_hits(src: SourceFile) -> Iterator[Hit]:
    """Blocking calls made directly in async Rust code of one file (test code left out)."""
    if src.is_test or b"async" not in src.data:
        return
    root = src.tree.root_node
    uses = use_paths(root)
    hits: list[Hit] = []
    for body in _async_bodies(root):
        scope = _Locals(body, uses)
        for node in own_nodes(body):
            if node.type != "call_expression" or is_awaited(node):
                continue
            found = _blocking_call(node, uses, scope)
            if found is None or in_test_code(node):
                continue
            kind, label = found
            hits.append(
                Hit(
                    f"{label} in {describe_body(body)} {_WHAT[kind]}: the runtime's worker "
                    "thread can run no other task until it returns, so every task scheduled "
                    f"on that thread waits; {_INSTEAD[kind]}",
                    line=node.start_point[0] + 1,
                    end_line=node.end_point[0] + 1,
                )
            )
    yield from sorted(hits, key=lambda h: h.line or 0)


def _is_entry_point(function: Node) -> bool:
    """`async fn main`, or a function under `#[tokio::main]`-like attributes: the macro
    turns it into a plain function that blocks on its body, outside the worker threads."""
    if function_name(function) == "main":
        return True
    sibling = function.prev_sibling
    while sibling is not None and sibling.type in (
        "attribute_item",
        "line_comment",
        "block_comment",
    ):
        attribute = next((c for c in sibling.named_children if c.type == "attribute"), None)
        if attribute is not None and attribute.named_children:
            path = node_text(attribute.named_children[0]).replace(" ", "")
            if path.rsplit("::", 1)[-1] == "main":
                return True
        sibling = sibling.prev_sibling
    return False


def _async_bodies(root: Node) -> Iterator[Node]:
    """Every async fn, async block and async closure of a file, entry points left out."""
    stack = [root]
    while stack:
        node = stack.pop()
        if (
            node.type in ("function_item", "async_block", "closure_expression")
            and is_async(node)
            and not (node.type == "function_item" and _is_entry_point(node))
        ):
            yield node
        stack.extend(node.children)
