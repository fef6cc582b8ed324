"""The one Dockerfile reader: instructions with their lines and offsets, grouped into stages.

It keeps what rules and fixes need: each instruction's keyword, its arguments with line
continuations joined, its flags (``--from``, ``--mount``...), its first and last line and its
character span in the original text (so fixes can edit in place and keep comments).

As Docker does, comment and empty lines inside a line continuation are skipped. BuildKit
heredocs (``RUN <<EOF`` ... ``EOF``) belong to their instruction: each body is kept in
``Instruction.heredocs`` and also appended to ``args`` (a newline, the body, a newline, the
delimiter), so a rule that reads a RUN's command text sees the script. A flag given several times
(``RUN --mount=... --mount=...``) keeps all its values in ``flags``, separated by spaces.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_ESCAPE_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)", re.IGNORECASE)
_FLAG = re.compile(r"^--([a-zA-Z-]+)(?:=(\S*))?\s*")
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)(['\"]?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction."""

    keyword: str
    args: str
    flags: dict[str, str]
    line: int
    end_line: int
    start: int
    end: int
    heredocs: tuple[str, ...] = ()

    @property
    def exec_form(self) -> list[str] | None:
        """The JSON-array (exec) form of CMD/ENTRYPOINT/RUN arguments, or None for shell form."""
        text = self.args.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None

    @property
    def words(self) -> list[str]:
        """The arguments as a command line: exec form items, or the shell form split on spaces."""
        form = self.exec_form
        return form if form is not None else self.args.split()


@dataclass
class Stage:
    """A build stage: a FROM and the instructions after it."""

    index: int
    image: str
    alias: str | None
    from_instruction: Instruction
    instructions: list[Instruction] = field(default_factory=list)

    def of(self, keyword: str) -> list[Instruction]:
        """This stage's instructions with that keyword (upper case)."""
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass
class Dockerfile:
    """A parsed Dockerfile."""

    instructions: list[Instruction]
    stages: list[Stage]

    @property
    def final_stage(self) -> Stage | None:
        """The stage that produces the image (the last one)."""
        return self.stages[-1] if self.stages else None

    def stage_named(self, name: str) -> Stage | None:
        """The stage with this alias or index, or None (an external image)."""
        for stage in self.stages:
            if stage.alias == name.lower() or str(stage.index) == name:
                return stage
        return None


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse Dockerfile text. Unknown or malformed lines are kept as they are, never fatal."""
    escape = "\\"
    lines = text.splitlines(keepends=True)
    for raw in lines:
        if not raw.startswith("#"):
            break
        match = _ESCAPE_DIRECTIVE.match(raw)
        if match:
            escape = match.group(1)
    instructions: list[Instruction] = []
    offset = 0
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            offset += len(raw)
            i += 1
            continue
        start, first = offset, i
        parts: list[str] = []
        while i < len(lines):
            body = lines[i].rstrip("\r\n")
            offset += len(lines[i])
            i += 1
            if parts and (not body.strip() or body.strip().startswith("#")):
                continue  # Docker skips comment and empty lines inside a continuation
            if body.rstrip().endswith(escape):
                parts.append(body.rstrip()[:-1])
                continue
            parts.append(body)
            break
        joined = " ".join(p.strip() for p in parts if p.strip())
        head = joined.split(None, 1)
        keyword = head[0] if head else ""
        rest = head[1] if len(head) > 1 else ""
        flags: dict[str, str] = {}
        while True:
            match = _FLAG.match(rest)
            if not match:
                break
            flag, value = match.group(1).lower(), match.group(2) or ""
            # a repeated flag (several --mount) keeps every value, space-separated
            flags[flag] = f"{flags[flag]} {value}" if flag in flags else value
            rest = rest[match.end() :]
        rest = rest.strip()
        heredocs: list[str] = []
        if keyword.upper() in _HEREDOC_KEYWORDS and "<<" in rest:
            for match in list(_HEREDOC.finditer(rest)):
                before = rest[: match.start()]
                if before.count('"') % 2 or before.count("'") % 2:
                    continue  # inside a quoted string: not a heredoc
                body = _heredoc_body(lines, i, match.group(3), strip_tabs=match.group(1) == "-")
                if body is None:
                    continue  # no closing delimiter: leave the following lines alone
                for line in lines[i : i + len(body) + 1]:
                    offset += len(line)
                i += len(body) + 1
                heredocs.append("\n".join(body))
                rest = f"{rest}\n{heredocs[-1]}\n{match.group(3)}"
        instructions.append(
            Instruction(keyword.upper(), rest, flags, first + 1, i, start, offset, tuple(heredocs))
        )
    return Dockerfile(instructions, _stages(instructions))


def _heredoc_body(
    lines: list[str], first: int, delimiter: str, strip_tabs: bool
) -> list[str] | None:
    """The lines of a heredoc starting at ``lines[first]``, or None if it is never closed."""
    for end in range(first, len(lines)):
        line = lines[end].rstrip("\r\n")
        if (line.lstrip("\t") if strip_tabs else line) == delimiter:
            return [ln.rstrip("\r\n") for ln in lines[first:end]]
    return None


def _stages(instructions: list[Instruction]) -> list[Stage]:
    stages: list[Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = ins.args.split()
            image = words[0].lower() if words else ""
            alias = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(len(stages), image, alias, ins))
        elif stages:
            stages[-1].instructions.append(ins)
    return stages
