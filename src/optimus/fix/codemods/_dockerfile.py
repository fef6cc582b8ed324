"""A Dockerfile editor for codemods: edits in place, keeping comments and line continuations.

Fixes locate instructions with the project's parser (``optimus.parse.dockerfile``, which
records each instruction's character span) and edit the original text around them, so every
byte outside the edited span stays as it was: comments, blank lines, continuation
backslashes, indentation and the file's line endings (LF or CRLF).

Words inside a RUN may be split by a line continuation (``pip \\`` then ``install`` on the
next line); the :data:`WS` pattern matches the space between two words either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from optimus.fix.codemods._text import newline_of
from optimus.parse.dockerfile import Dockerfile, Instruction, Stage, parse_dockerfile

#: Space between two shell words, across a line continuation too.
WS = r"(?:[ \t]+|[ \t]*\\[ \t]*\r?\n[ \t]*)+"
#: Where a simple shell command may end: an operator or a newline (unless it is continued).
_COMMAND_END = re.compile(r"&&|\|\||[;|]|\n")


def parse(text: str) -> Dockerfile:
    """The parsed Dockerfile (never fails: unknown lines are kept as they are)."""
    return parse_dockerfile(text)


def instruction_at(
    dockerfile: Dockerfile, line: int | None, keyword: str | None = None
) -> Instruction | None:
    """The instruction whose lines include ``line`` (with that keyword, when given)."""
    if line is None:
        return None
    for ins in dockerfile.instructions:
        if ins.line <= line <= ins.end_line and (keyword is None or ins.keyword == keyword):
            return ins
    return None


def stage_of(dockerfile: Dockerfile, ins: Instruction) -> Stage | None:
    """The stage an instruction belongs to (a FROM belongs to the stage it opens)."""
    for stage in dockerfile.stages:
        if stage.from_instruction is ins or ins in stage.instructions:
            return stage
    return None


def raw(text: str, ins: Instruction) -> str:
    """The original text of an instruction, its trailing newline included."""
    return text[ins.start : ins.end]


def content_end(text: str, ins: Instruction) -> int:
    """The offset just after the instruction's last character, before its line ending."""
    end = ins.end
    while end > ins.start and text[end - 1] in "\r\n":
        end -= 1
    return end


def replace(text: str, ins: Instruction, new_raw: str) -> str:
    """Replace the instruction's original text (its trailing newline included)."""
    return text[: ins.start] + new_raw + text[ins.end :]


def lines_block(lines: Iterable[str], newline: str) -> str:
    """Lines joined and terminated with the file's line ending."""
    return "".join(line + newline for line in lines)


def insert_before(text: str, ins: Instruction, lines: Iterable[str]) -> str:
    """Insert whole lines just before an instruction (after any comment above it)."""
    return text[: ins.start] + lines_block(lines, newline_of(text)) + text[ins.start :]


def insert_after(text: str, ins: Instruction, lines: Iterable[str]) -> str:
    """Insert whole lines just after an instruction (a file without a final newline gets one)."""
    newline = newline_of(text)
    head = text[: ins.end]
    if not head.endswith("\n"):
        head += newline
    return head + lines_block(lines, newline) + text[ins.end :]


def append_to_file(text: str, lines: Iterable[str]) -> str:
    """Append whole lines at the end of the file."""
    newline = newline_of(text)
    if text and not text.endswith("\n"):
        text += newline
    return text + lines_block(lines, newline)


def continuation_indent(text: str, ins: Instruction) -> str:
    """The indentation of the instruction's continuation lines ("    " when it has none)."""
    lines = raw(text, ins).splitlines()
    for line in lines[1:]:
        stripped = line.lstrip(" \t")
        if stripped and not stripped.startswith("#"):
            return line[: len(line) - len(stripped)] or "    "
    return "    "


def append_command(text: str, ins: Instruction, command: str) -> str:
    """End a shell-form RUN with ``&& command`` on a new continuation line."""
    end = content_end(text, ins)
    indent = continuation_indent(text, ins)
    body = text[ins.start : end].rstrip(" \t")
    return text[: ins.start] + f"{body} \\{newline_of(text)}{indent}&& {command}" + text[end:]


def _command_ends(body: str) -> list[tuple[int, int]]:
    """Spans of the operators and line ends that separate simple commands in ``body``."""
    ends = []
    for match in _COMMAND_END.finditer(body):
        if match.group() == "\n" and body[: match.start()].rstrip(" \t\r").endswith("\\"):
            continue  # a line continuation: the command goes on
        ends.append(match.span())
    return ends


def command_segment(body: str, start: int, end: int | None = None) -> str:
    """The whole simple shell command around ``body[start:end]`` (operators excluded)."""
    end = start if end is None else end
    spans = _command_ends(body)
    before = max((e for _, e in spans if e <= start), default=0)
    after = min((s for s, _ in spans if s >= end), default=len(body))
    return body[before:after]


def insert_option(
    body: str, pattern: re.Pattern[str], option: str, present: re.Pattern[str]
) -> str:
    """After each match of ``pattern`` whose command lacks ``present``, insert `` option``."""
    out: list[str] = []
    last = 0
    for match in pattern.finditer(body):
        if present.search(command_segment(body, match.start(), match.end())):
            continue
        out.append(body[last : match.end()] + " " + option)
        last = match.end()
    out.append(body[last:])
    return "".join(out)


def from_parts(ins: Instruction) -> tuple[str, str | None]:
    """A FROM's image word and its alias (``AS name``) as written."""
    words = ins.args.split()
    image = words[0] if words else ""
    alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    return image, alias
