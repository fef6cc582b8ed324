"""Channel hand-offs between tasks: `tx.send(msg).unwrap()` fails only when the peer is gone.

A `send` on an mpsc/oneshot sender fails only when every receiver has been dropped, and a
`recv` (or the `.await` of a oneshot receiver) only when every sender has: in the actor
pattern that a file creating the channel follows, the other side lives as long as the task
that owns it, so the call fails only when that task panicked. Unwrapping it propagates the
panic, the same reasoning as `.lock().unwrap()` on a poisoned lock. unwrap-density leaves
these calls out in a file that creates such a channel (`oneshot::channel()`,
`mpsc::unbounded_channel()`, `std::sync::mpsc::sync_channel(n)`, `crossbeam_channel::bounded(n)`,
`flume::unbounded()`, ...):

- `.send(msg)`, `.blocking_send(msg)`, `.send_async(msg)` with one argument that is not a
  reference (a socket's `send(&buf)` fails for real; an HTTP client's `send()` has none),
  awaited or not;
- `.recv()`, `.blocking_recv()`, `.recv_async()` with no argument, awaited or not;
- `rx.await` (or `self.rx.await`) where the file binds `rx` as the receiver of a `oneshot`
  channel (`let (tx, rx) = oneshot::channel();`); any other future's `.await` still counts.

`broadcast` and `watch` channels are not creators: their `send` fails whenever nobody is
subscribed at the moment, which is an ordinary condition.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from optimus.rules.rust._syntax import node_text

#: A call that creates a point-to-point channel, with the path that says which kind.
_CREATES = re.compile(
    rb"\b(?:(?:oneshot|mpsc|crossbeam_channel|channel|flume|async_channel)::"
    rb"(?:channel|unbounded_channel|unbounded|bounded|sync_channel)"
    rb"|unbounded_channel|sync_channel)\s*(?:::\s*<[^;]*?>\s*)?\("
)
#: `let (tx, rx) = oneshot::channel();` (or `tokio::sync::oneshot::channel::<T>()`): the name
#: bound to the receiver, whose `.await` is the reply.
_ONESHOT_RECEIVER = re.compile(
    rb"\blet\s*\(\s*(?:mut\s+)?\w+\s*,\s*(?:mut\s+)?(\w+)\s*\)\s*(?::[^=]*)?=\s*"
    rb"(?:[\w:]*::)?oneshot::channel\b"
)
_SENDS = frozenset({"send", "blocking_send", "send_async"})
_RECEIVES = frozenset({"recv", "blocking_recv", "recv_async"})
_ARGUMENT_SKIP = frozenset({"(", ")", ",", "line_comment", "block_comment"})


class Channels:
    """What a file says about the channels it creates (read once from its bytes)."""

    def __init__(self, data: bytes) -> None:
        self.creates = _CREATES.search(data) is not None
        self.oneshot_receivers = frozenset(
            m.group(1).decode("utf-8", "replace") for m in _ONESHOT_RECEIVER.finditer(data)
        )

    def is_hand_off(self, receiver: Node) -> bool:
        """Whether ``receiver`` (what `.unwrap()`/`.expect(..)` is called on) is a channel
        send or receive, which fails only when the task on the other side is gone."""
        if not self.creates:
            return False
        if receiver.type == "await_expression":
            inner = receiver.named_children[0] if receiver.named_children else None
            if inner is None:
                return False
            if inner.type in ("identifier", "field_expression"):
                name = inner if inner.type == "identifier" else inner.child_by_field_name("field")
                return node_text(name) in self.oneshot_receivers
            receiver = inner
        if receiver.type != "call_expression":
            return False
        function = receiver.child_by_field_name("function")
        arguments = receiver.child_by_field_name("arguments")
        if function is None or function.type != "field_expression" or arguments is None:
            return False
        method = node_text(function.child_by_field_name("field"))
        args = [c for c in arguments.children if c.type not in _ARGUMENT_SKIP]
        if method in _SENDS:
            return len(args) == 1 and args[0].type != "reference_expression"
        return method in _RECEIVES and not args
