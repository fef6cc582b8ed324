"""Lines of keys in YAML documents, for rules that read the safe-loader parse.

The shared parse (``SourceFile.yaml``, ruamel's safe loader) gives plain dicts and lists
without positions. To place a finding, a rule asks :func:`line_of` for the line of a key
path in one of those documents; the file is then parsed once more with ruamel's round-trip
loader, whose nodes carry their positions (``.lc``), and that parse is kept per
SourceFile, so only files with findings pay for it, once.
"""

from __future__ import annotations

import weakref
from typing import Any

from optimus.parse.source import SourceFile

Key = str | int

#: SourceFile -> its round-trip documents (None: the round-trip parse failed).
_RT_CACHE: weakref.WeakKeyDictionary[SourceFile, list[Any] | None] = weakref.WeakKeyDictionary()


def _rt_documents(src: SourceFile) -> list[Any] | None:
    """The file's documents from the round-trip loader, None documents dropped as the safe
    parse drops them, so the indexes of both agree."""
    if src in _RT_CACHE:
        return _RT_CACHE[src]
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    docs: list[Any] | None
    try:
        docs = [d for d in YAML(typ="rt").load_all(src.text) if d is not None]
    except (YAMLError, ValueError, TypeError, RecursionError):
        docs = None  # a line is a nicety: the finding is still reported, without it
    _RT_CACHE[src] = docs
    return docs


def document_index(src: SourceFile, doc: Any) -> int | None:
    """The index of a safe-loader document (by identity) in the file's document list."""
    for index, candidate in enumerate(src.yaml):
        if candidate is doc:
            return index
    return None


def line_of(src: SourceFile, doc: Any, path: tuple[Key, ...]) -> int | None:
    """The 1-based line of the last element of ``path`` in ``doc`` (a document of ``src``).

    A string element is a mapping key (the line of the key), an int a sequence index (the
    line of the item). When the path goes past what the file holds, the line of the deepest
    element found is returned; None when the file cannot be re-read with positions.
    """
    index = document_index(src, doc)
    docs = _rt_documents(src)
    if index is None or docs is None or index >= len(docs):
        return None
    node = docs[index]
    line: int | None = _own_line(node)
    for key in path:
        try:
            if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
                line = node.lc.item(key)[0] + 1
                node = node[key]
            elif isinstance(key, str) and isinstance(node, dict):
                actual = _find_key(node, key)
                if actual is _MISSING:
                    break
                line = node.lc.key(actual)[0] + 1
                node = node[actual]
            else:
                break
        except (AttributeError, KeyError, IndexError, TypeError):
            break
    return line


_MISSING = object()


def _find_key(node: dict[Any, Any], key: str) -> Any:
    """The mapping's own key for ``key``: YAML 1.1 files may hold ``on`` as True."""
    if key in node:
        return key
    if key == "on" and True in node:
        return True
    return _MISSING


def _own_line(node: Any) -> int | None:
    try:
        return int(node.lc.line) + 1
    except (AttributeError, TypeError):
        return None
