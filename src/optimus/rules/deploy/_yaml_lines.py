"""Lines of keys in YAML documents, for rules that read the safe-loader parse.

The shared parse (``SourceFile.yaml``) gives plain dicts and lists without positions. To
place a finding, a rule asks :func:`line_of` for the line of a key path in one of those
documents; the file is then composed once more by libyaml (PyYAML's C composer, no object
construction), whose nodes carry their positions, and that composition is kept per
SourceFile, so only files with findings pay for it, once.
"""

from __future__ import annotations

import weakref
from typing import Any

from optimus.parse.source import SourceFile

Key = str | int

#: SourceFile -> its composed documents (None: composing failed).
_RT_CACHE: weakref.WeakKeyDictionary[SourceFile, list[Any] | None] = weakref.WeakKeyDictionary()
_NULL = "tag:yaml.org,2002:null"


def _rt_documents(src: SourceFile) -> list[Any] | None:
    """The file's node trees, null documents dropped as the safe parse drops them, so the
    indexes of both agree."""
    if src in _RT_CACHE:
        return _RT_CACHE[src]
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs: list[Any] | None
    try:
        docs = [d for d in yaml.compose_all(src.text, Loader=loader) if d.tag != _NULL]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
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
    line: int | None = node.start_mark.line + 1
    for key in path:
        value = getattr(node, "value", None)
        if isinstance(key, int) and node.id == "sequence" and 0 <= key < len(value):
            node = value[key]
            line = node.start_mark.line + 1
        elif isinstance(key, str) and node.id == "mapping":
            pair = next((p for p in value if _key_matches(p[0], key)), None)
            if pair is None:
                break
            line = pair[0].start_mark.line + 1
            node = pair[1]
        else:
            break
    return line


def _key_matches(node: Any, key: str) -> bool:
    """Whether a mapping key node is ``key`` (YAML 1.1 files may spell ``on`` as On/ON)."""
    if node.id != "scalar":
        return False
    return node.value == key or (key == "on" and node.value in ("On", "ON"))
