"""A YAML helper for codemods over ruamel.yaml's round-trip mode.

:func:`load` reads every document of a file with the file's own indentation (guessed from
the text), quotes and comments, and only when dumping the unchanged documents gives back the
exact text: a file that ruamel.yaml would reformat (odd spacing, flow styles it rewrites) is
refused, so a codemod never changes lines it did not mean to. Lines are 1-based.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from optimus.fix.codemods._text import keep_newlines

__all__ = ["CommentedMap", "CommentedSeq", "YamlFile", "add_key", "key_line", "load"]


@dataclass
class YamlFile:
    """The round-trip documents of one file and the settings that dump them as they were."""

    original: str
    documents: list[Any]
    yaml: YAML
    explicit_start: bool

    def dump(self) -> str:
        """The documents as text, with the file's line endings."""
        stream = io.StringIO()
        if len(self.documents) == 1 and not self.explicit_start:
            self.yaml.dump(self.documents[0], stream)
        else:
            self.yaml.dump_all(self.documents, stream)
        return keep_newlines(self.original, stream.getvalue())


#: (mapping, sequence, offset) indentations tried in turn; the common styles first.
_STYLES = tuple(
    (mapping, sequence, offset)
    for mapping in (2, 4, 3)
    for sequence, offset in ((mapping + 2, 2), (mapping, 0), (4, 2), (2, 0), (6, 4), (4, 0))
    if offset < sequence
)


def _yaml(mapping: int, sequence: int, offset: int, explicit_start: bool) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.explicit_start = explicit_start
    return yaml


def load(text: str) -> YamlFile | None:
    """The file's documents, or None when it does not parse or would not round-trip."""
    plain = text.replace("\r\n", "\n")
    explicit_start = plain.startswith("---")
    documents: list[Any] | None = None
    for style in dict.fromkeys(_STYLES):
        yaml = _yaml(*style, explicit_start)
        try:
            if documents is None:
                documents = list(yaml.load_all(plain))
            loaded = YamlFile(text, documents, yaml, explicit_start)
            if loaded.dump() == text:
                return loaded
        except YAMLError:
            return None
        documents = None  # ruamel keeps state on the nodes: load again for the next style
    return None


def key_line(mapping: Any, key: str) -> int | None:
    """The 1-based line of a key in a round-trip mapping."""
    if not isinstance(mapping, CommentedMap) or key not in mapping:
        return None
    return mapping.lc.key(key)[0] + 1


def line_of(node: Any) -> int | None:
    """The 1-based line where a round-trip mapping or sequence starts."""
    if isinstance(node, CommentedMap | CommentedSeq):
        return node.lc.line + 1
    return None


def add_key(mapping: Any, key: str, value: Any, position: int | None = None) -> None:
    """Add ``key`` (at its end, or at ``position``), keeping blank lines where they were.

    ruamel.yaml keeps the blank lines after a mapping's last entry in that entry's end-of-line
    comment, so a key appended after it would land below them; they move to the new key.
    """
    keys = list(mapping)
    last = keys[-1] if keys else None
    if position is None or position >= len(keys):
        mapping[key] = value
    else:
        mapping.insert(position, key, value)
        return
    item = mapping.ca.items.get(last) if last is not None else None
    if not item or len(item) < 3 or item[2] is None:
        return
    token = item[2]
    first, newline, rest = token.value.partition("\n")
    if not rest or rest.strip():
        return  # no blank line after the entry, or a comment block that stays with it
    moved = copy.copy(token)
    moved.value = "\n" + rest
    if first:
        token.value = first + newline
    else:
        item[2] = None
    mapping.ca.items[key] = [None, None, moved, None]
