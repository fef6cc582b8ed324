"""Whether an `Option` local unwrapped at some point was set to `Some` just before.

`first = first.or(Some(start));` then `first.unwrap()` cannot panic. The test is lexical, on
the file's bytes with strings and comments blanked out, so it also reads code inside macro
token trees (`stream! { .. }`), which tree-sitter leaves unparsed:

- the last earlier `x = Some(..)`, `x = x.or(Some(..))` or `x.get_or_insert(..)` (also
  `let x = Some(..)`, `get_or_insert_with`) before the call,
- lies in the call's block or an enclosing one: from it to the call, braces never close more
  than they open (an assignment inside an `if` that ended before the call may not have run),
- with no loop keyword in between (a loop body runs again after later statements) and no
  other write to `x` in between (`x = ..`, `x.take()`, `x.replace(..)`, `x.insert(..)`,
  `&mut x`).

This is no data-flow analysis: anything else is left counted.
"""

from __future__ import annotations

import re
from bisect import bisect_right

#: Strings, chars and comments, blanked so their braces and words do not count.
_LITERALS = re.compile(
    rb'r(#*)"(?s:.*?)"\1|b?"(?:\\.|[^"\\])*"|b?\'(?:\\.|[^\'\\])\'|//[^\n]*|/\*(?s:.*?)\*/'
)
_LOOP = re.compile(rb"\b(?:loop|while|for)\b")


def blank_literals(data: bytes) -> bytes:
    """The source with string, char and comment contents replaced by spaces (same length)."""
    return _LITERALS.sub(lambda m: b" " * len(m.group(0)), data)


#: Every `x = Some(`, `x = x.or(Some(` (the backreference) and `x.get_or_insert(`.
_SETTING = re.compile(
    rb"(?<![\w.])([A-Za-z_]\w*)\s*=\s*(?:\1\s*\.\s*or\s*\(\s*)?Some\s*\("
    rb"|(?<![\w.])([A-Za-z_]\w*)\s*\.\s*get_or_insert(?:_with)?\s*\("
)


class SomeSettings:
    """The places a file sets a local to `Some`, found in one pass over its blanked bytes
    (``blank_literals``), to ask of each unwrapped local."""

    def __init__(self, code: bytes) -> None:
        self.code = code
        self._ends: dict[bytes, list[int]] = {}
        for match in _SETTING.finditer(code):
            name = match.group(1) or match.group(2)
            self._ends.setdefault(name, []).append(match.end())

    def set_before(self, offset: int, name: str) -> bool:
        """Whether the local ``name``, unwrapped at byte ``offset``, was set to `Some` earlier
        in an enclosing block with no loop and no other write in between (see the module)."""
        word = name.encode()
        ends = self._ends.get(word)
        if not ends:
            return False
        at = bisect_right(ends, offset)
        if at == 0:
            return False
        between = self.code[ends[at - 1] : offset]
        # The rest of the setting statement itself.
        end = between.find(b";")
        if end < 0:
            return False
        between = between[end + 1 :]
        escaped = re.escape(word)
        if _LOOP.search(between) or re.search(
            rb"(?<![\w.])" + escaped + rb"\s*=(?!=)"
            rb"|(?<![\w.])" + escaped + rb"\s*\.\s*(?:take|replace|insert|get_or_insert\w*)\s*\("
            rb"|&\s*mut\s+" + escaped + rb"\b",
            between,
        ):
            return False
        depth = 0
        for char in between:
            if char == 0x7B:  # {
                depth += 1
            elif char == 0x7D:  # }
                depth -= 1
                if depth < 0:
                    return False
        return True
