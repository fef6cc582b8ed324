"""A small, forgiving SQL lexer shared by fk-without-index (PY011) and sql-select-star (MT003).

It is not a parser: it blanks comments and quoted literals (keeping every offset and newline,
so positions map back to lines), splits the rest into tokens, and cuts statements at ``;``.
That is enough to read ``CREATE TABLE``/``ALTER TABLE``/``CREATE INDEX`` column lists and the
outermost select list of a query, across PostgreSQL, SQLite, MySQL and SQL Server spellings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOLLAR = re.compile(r"\$([A-Za-z_]\w*)?\$")
_TOKEN = re.compile(
    r'"(?:[^"]|"")*"'  # "quoted identifier"
    r"|`[^`]*`"  # `mysql identifier`
    r"|\[[A-Za-z_][^\]]*\]"  # [sql server identifier]
    r"|[A-Za-z_][\w$]*"  # identifier or keyword
    r"|\d+(?:\.\d+)?"  # number
    r"|\S"  # any other character
)


def mask(text: str) -> str:
    """The text with comments and string literals replaced by spaces (same length and lines).

    A string literal keeps its quotes (``'   '``) so it still reads as a value.
    """
    out = list(text)
    i, n = 0, len(text)

    def blank(start: int, end: int) -> None:
        for k in range(start, min(end, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        ch = text[i]
        if ch == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
            i = end
        elif ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank(i, end)
            i = end
        elif ch == "'":
            j = i + 1
            while j < n:
                if text[j] == "'" and text.startswith("''", j):
                    j += 2
                elif text[j] == "\\" and i > 0 and text[i - 1] in "eE":
                    j += 2  # E'...\'...' escapes
                elif text[j] == "'":
                    break
                else:
                    j += 1
            blank(i + 1, j)
            i = j + 1
        elif ch == "$" and (match := _DOLLAR.match(text, i)):
            close = text.find(match.group(0), match.end())
            end = n if close < 0 else close + len(match.group(0))
            blank(i, end)
            i = end
        elif ch in '"`':
            end = text.find(ch, i + 1)
            i = n if end < 0 else end + 1
        else:
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Token:
    """A word or symbol of masked SQL: its text, its upper-case form and its offset."""

    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper()

    @property
    def name(self) -> str:
        """The identifier without quotes, lower-cased (``"Author"`` -> ``author``)."""
        text = self.text
        if text[:1] in '"`[' and len(text) > 1:
            text = text[1:-1]
        return text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha() or self.text[:1] in '_"`['


def tokenize(masked: str) -> list[Token]:
    """Tokens of masked SQL text."""
    return [Token(m.group(0), m.start()) for m in _TOKEN.finditer(masked)]


def statements(tokens: list[Token]) -> list[list[Token]]:
    """Tokens cut at ``;`` (empty statements dropped)."""
    out: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.text == ";":
            out.append([])
        else:
            out[-1].append(tok)
    return [s for s in out if s]


def closing(tokens: list[Token], start: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``start`` (or the last index)."""
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].text == "(":
            depth += 1
        elif tokens[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1


def split_top(tokens: list[Token]) -> list[list[Token]]:
    """Tokens split at commas outside parentheses."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        if tok.text == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def qualified(tokens: list[Token], i: int, raw: bool = False) -> tuple[str, int]:
    """A possibly schema-qualified name starting at ``i``: (last part, index after it).

    The part is lower-cased without quotes, or as written with ``raw``.
    """
    pick = (lambda t: t.text) if raw else (lambda t: t.name)
    name = pick(tokens[i]) if i < len(tokens) else ""
    i += 1
    while i + 1 < len(tokens) and tokens[i].text == "." and tokens[i + 1].is_word:
        name = pick(tokens[i + 1])
        i += 2
    return name, i


def line_at(text: str, pos: int) -> int:
    """1-based line of an offset."""
    return text.count("\n", 0, pos) + 1
