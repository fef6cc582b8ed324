"""lock-across-await: a std or parking_lot lock guard still alive at an `.await`.

Two shapes, found on the tree-sitter tree of one file:

- a guard bound by `let` (`let g = state.lock().unwrap();`) followed, later in the same
  block, by an `.await` (or `select!`/`join!`) before the block ends or the guard is given to
  `drop(g)`. A `drop` of a shadowing variable of the same name does not count, and a guard
  whose block ends before the await (`{ let g = ..; }`) is not held there;
- a temporary guard (`state.lock().unwrap().get(k)`) whose temporary scope, the rest of the
  statement, a match on it or an `if let`/`while let`/`for` over it, contains an `.await`
  after it. `x.lock().unwrap().push(1);` on its own is dropped at the `;`.

Awaits inside nested closures, async blocks and items are another future's and are not
counted; tokio's `lock().await` guards are skipped (see `_locks`).
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.parse.treesitter import walk
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.rust._locks import Guard, LockNames, guard_of, lock_names
from optimus.rules.rust._syntax import (
    BODY_BOUNDARIES,
    argument_nodes,
    describe_body,
    enclosing_body,
    in_test_code,
    lint_allowed,
    node_text,
    own_nodes,
    unwrap_expression,
)

#: Code that allows Clippy's lint for the same pattern holds its guard on purpose.
_CLIPPY_LINT = "clippy::await_holding_lock"
#: Macros that await their operands (tokio, futures and std `join!`/`select!`).
_AWAITING_MACROS = frozenset({"select", "join", "try_join", "select_biased"})


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def await_points(node: Node) -> Iterator[Node]:
    """`.await` keywords (also inside macro token trees) and awaiting macros under a node,
    in the same body (nested closures, async blocks and items are not entered)."""
    for child in own_nodes(node):
        if child.type == "await":
            yield child
        elif child.type == "macro_invocation":
            macro = node_text(child.child_by_field_name("macro")).replace(" ", "")
            if macro.rsplit("::", 1)[-1] in _AWAITING_MACROS:
                yield child


def _drops(call: Node, name: str) -> bool:
    """`drop(name)` or `std::mem::drop(name)`."""
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or arguments is None:
        return False
    if node_text(function).replace(" ", "").rsplit("::", 1)[-1] != "drop":
        return False
    args = argument_nodes(arguments)
    return len(args) == 1 and args[0].type == "identifier" and node_text(args[0]) == name


def _binds(let: Node) -> str | None:
    """The name a `let` binds with a plain identifier pattern (`let g`, `let mut g`)."""
    pattern = let.child_by_field_name("pattern")
    if pattern is None or pattern.type != "identifier":
        return None
    return node_text(pattern)


def _bound_guard_await(let: Node, name: str) -> Node | None:
    """The first await reached while the guard bound by ``let`` is alive, or None."""
    block = let.parent
    if block is None or block.type != "block":
        return None
    shadowed = False
    sibling = let.next_named_sibling
    while sibling is not None:
        events: list[tuple[int, bool, Node]] = [
            (a.start_byte, True, a) for a in await_points(sibling)
        ]
        if not shadowed:
            events += [
                (n.start_byte, False, n)
                for n in own_nodes(sibling)
                if n.type == "call_expression" and _drops(n, name)
            ]
        for _, is_await, node in sorted(events, key=lambda e: e[0]):
            if is_await:
                return node
            return None  # dropped before any await
        if sibling.type == "let_declaration" and _binds(sibling) == name:
            shadowed = True  # a later `drop(name)` drops the new variable, not the guard
        sibling = sibling.next_named_sibling
    return None


def _temporary_scope(node: Node) -> Node:
    """The expression or statement at whose end a temporary created at ``node`` is dropped:
    the enclosing statement or block tail, a match arm's body, an `if`/`while` condition
    (not an `if let`/`while let` scrutinee), a `&&`/`||` operand, or a closure body."""
    current = node
    while True:
        parent = current.parent
        if parent is None or parent.type in ("block", "source_file", "declaration_list"):
            return current
        if parent.type in BODY_BOUNDARIES:
            return current
        if parent.type == "match_arm" and parent.child_by_field_name("value") == current:
            return current
        if (
            parent.type in ("if_expression", "while_expression")
            and parent.child_by_field_name("condition") == current
            and current.type not in ("let_condition", "let_chain")
        ):
            return current
        if parent.type == "binary_expression":
            operator = parent.child_by_field_name("operator")
            if operator is not None and operator.type in ("&&", "||"):
                return current
        current = parent


def _is_bound_whole(guard: Node) -> Node | None:
    """The `let` that binds this guard to a name for the rest of its block, if any:
    `let g = m.lock().unwrap();`, or `let r = &mut *m.lock().unwrap();` (a borrow extends
    the temporary's life), but not `let v = *m.lock().unwrap();`, which copies the value
    out and drops the guard at the `;`."""
    current = guard
    deref_pending = False
    while current.parent is not None and current.parent.type in (
        "parenthesized_expression",
        "try_expression",
        "reference_expression",
        "unary_expression",
    ):
        current = current.parent
        if current.type == "unary_expression":
            if current.children[0].type != "*":
                return None
            deref_pending = True
        elif current.type == "reference_expression":
            deref_pending = False
    let = current.parent
    if let is None or let.type != "let_declaration" or let.child_by_field_name("value") != current:
        return None
    if deref_pending or unwrap_expression(current) != guard or _binds(let) in (None, "_"):
        return None
    return let


def _place(node: Node) -> str:
    body = enclosing_body(node)
    return describe_body(body) if body is not None else "this code"


_WHY = (
    "while the task is suspended the lock stays held, so every thread that needs it blocks, "
    "and another task that tries to take it on the same worker thread deadlocks"
)


def find_held_guards(root: Node, locks: LockNames) -> Iterator[Hit]:
    """Every guard alive at an await under ``root`` (test code left out)."""
    for node in walk(root):
        if node.type != "call_expression":
            continue
        guard = guard_of(node, locks)
        if guard is None or in_test_code(node) or lint_allowed(node, _CLIPPY_LINT):
            continue
        hit = _bound_hit(guard) if _is_bound_whole(node) else _temporary_hit(guard)
        if hit is not None:
            yield hit


def _bound_hit(guard: Guard) -> Hit | None:
    let = _is_bound_whole(guard.node)
    if let is None:
        return None
    name = _binds(let) or "guard"
    awaited = _bound_guard_await(let, name)
    if awaited is None:
        return None
    line = awaited.start_point[0] + 1
    return Hit(
        f"lock guard `{name}` from `{_short(node_text(guard.node))}` is still held at the "
        f"`.await` on line {line} in {_place(let)}: {_WHY}; drop it before awaiting: end "
        f"its scope with a `{{ ... }}` block or call `drop({name})` before the `.await` "
        "(keep the blocking mutex: tokio's docs prefer it whenever no guard crosses an "
        "`.await`)",
        line=let.start_point[0] + 1,
    )


def _temporary_hit(guard: Guard) -> Hit | None:
    scope = _temporary_scope(guard.node)
    after = [a for a in await_points(scope) if a.start_byte >= guard.node.end_byte]
    if not after:
        return None
    line = after[0].start_point[0] + 1
    return Hit(
        f"the temporary lock guard of `{_short(node_text(guard.node))}` lives until the end "
        f"of its statement (or the whole `match`/`if let`/`for` on it), past the `.await` on "
        f"line {line} in {_place(guard.node)}: {_WHY}; copy out what you need first "
        f"(`let v = {_short(node_text(guard.node), 40)}.clone();`, a `{{ ... }}` block) and "
        "await afterwards",
        line=guard.node.start_point[0] + 1,
    )


@rule
class LockAcrossAwait(Rule):
    name = "lock-across-await"
    code = "RS003"
    category = Category.RELIABILITY
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    effort = 15
    kinds = frozenset({"rust"})
    prefilter = (b".await",)
    summary = "A std or parking_lot lock guard still held at an `.await` in async Rust code."
    doc = {
        "What it finds": (
            "In an `async fn`, async block or async closure, a lock guard that is still alive "
            "when the code reaches an `.await` (or a `select!`/`join!`): a guard bound with "
            "`let g = m.lock().unwrap()` (also `.expect(..)`, `.unwrap_or_else(..)`), "
            "`.read()`/`.write()` on a name the file declares or builds as an `RwLock`, and "
            "parking_lot's `.lock()`/`.read()`/`.write()` on names declared with its types; "
            "and a temporary guard whose statement continues past an `.await`, such as "
            "`tx.send(m.lock().unwrap().clone()).await` or `match m.lock().unwrap().get(k) "
            "{ .. => x.await }` (temporaries live until the end of the statement, and a "
            "match, `if let`, `while let` or `for` keeps its scrutinee's for its whole "
            "body). Not reported: `drop(g)` before the await, a guard whose `{ ... }` block "
            "ends first, `m.lock().unwrap().push(1);` as a statement of its own, awaits in "
            "nested closures or async blocks, tokio's `m.lock().await` (an async mutex is "
            "meant to be held across awaits), and test code."
        ),
        "Why": (
            "A std or parking_lot guard is a lock held by the thread. When the task is "
            "suspended at an `.await` the lock stays held, so every other thread that needs "
            "it blocks, and another task on the same worker thread that tries to lock it "
            "deadlocks. Clippy's `await_holding_lock` lint (suspicious, warn by default) "
            "reports the same thing. Tokio's documentation says that although the compiler "
            "does not prevent holding a std guard across an `.await` where the task is not "
            "moved between threads, this virtually never leads to correct concurrent code "
            "and can easily deadlock (the guard is not `Send`, so `tokio::spawn` rejects the "
            "future). The cure is not an async mutex: tokio's docs say it is fine and often "
            "preferred to use the std mutex in async code, the async one being more "
            "expensive and meant for I/O resources such as a database connection."
        ),
        "Example": (
            "```rust\nasync fn handle(state: &Mutex<State>, db: &Db) {\n"
            "    let mut s = state.lock().unwrap();\n"
            "    s.hits += 1;\n"
            "    db.save(s.hits).await; // guard still held\n}\n```"
        ),
        "Instead": (
            "```rust\nasync fn handle(state: &Mutex<State>, db: &Db) {\n"
            "    let hits = {\n"
            "        let mut s = state.lock().unwrap();\n"
            "        s.hits += 1;\n"
            "        s.hits\n"
            "    }; // guard dropped here\n"
            "    db.save(hits).await;\n}\n```\n\n"
            "End the guard's scope with a block, or call `drop(guard)` before the `.await`. "
            "A common design wraps the `Arc<Mutex<..>>` in a struct whose non-async methods "
            "lock, work and unlock. Switch to `tokio::sync::Mutex` only when the lock must "
            "really be held across the await (it guards an I/O resource)."
        ),
        "When not to": (
            "A single-threaded runtime where no other task takes the lock during the await "
            "cannot deadlock on it, though the code stays fragile. The rule follows names "
            "only within one file, so a guard moved into another variable, or returned from "
            "a helper, is not seen; `drop` in only one branch of an `if` counts as a drop. "
            "Type information is not available: `.read()`/`.write()` count only on names the "
            "file declares as locks. Under the 2024 edition an `if let`'s temporaries are "
            "dropped before its `else`; the rule treats the whole `if let` as one statement."
        ),
    }
    references = (
        Reference(
            "Clippy lints: await_holding_lock",
            "https://rust-lang.github.io/rust-clippy/master/index.html#await_holding_lock",
        ),
        Reference(
            "tokio::sync::Mutex: Which kind of mutex should you use?",
            "https://docs.rs/tokio/latest/tokio/sync/struct.Mutex.html#which-kind-of-mutex-should-you-use",
        ),
        Reference(
            "The Rust Reference: Temporary scopes",
            "https://doc.rust-lang.org/reference/destructors.html#temporary-scopes",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if src.is_test:
            return
        root = src.tree.root_node
        locks = lock_names(root)
        hits = sorted(find_held_guards(root, locks), key=lambda h: h.line or 0)
        yield from hits
