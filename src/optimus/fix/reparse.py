"""Re-parse a file after a fix: a fix that breaks its file's syntax is a bug, never applied.

Each file is checked by the kind its name gives (``optimus.parse.kinds``): Python with the
stdlib ast (and LibCST when installed, which codemods render with), TOML with tomllib, YAML
with PyYAML's safe loader over every document, JSON with the json module, Dockerfiles with
Optimus's own reader. Other files (a generated .dockerignore, Rust) are accepted as text.
"""

from __future__ import annotations

import ast
import json
import os
import tomllib
import warnings

from optimus.parse.dockerfile import parse_dockerfile
from optimus.parse.kinds import kind_of

#: Every instruction Docker knows; an unknown keyword after a fix means the fix broke a line.
DOCKER_KEYWORDS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)

_TOML_KINDS = frozenset({"toml", "pyproject", "cargo-manifest"})


def parse_kind(path: str) -> str | None:
    """What a file is checked as after a fix: python, toml, yaml, json, dockerfile, or None."""
    name = os.path.basename(path)
    kind = kind_of(name)
    if kind == "python":
        return "python"
    if kind in _TOML_KINDS:
        return "toml"
    if kind == "yaml" or name.lower().endswith((".yaml", ".yml")):
        return "yaml"
    if kind == "package-json" or name.lower().endswith(".json"):
        return "json"
    if kind == "dockerfile":
        return "dockerfile"
    return None


def parse_error(path: str, text: str, before: str | None = None) -> str | None:
    """Why ``text`` (the new content of ``path``) does not parse, or None when it does.

    ``before`` is the text the fix started from: a Dockerfile keyword that was already
    unknown there is not the fix's fault.
    """
    kind = parse_kind(path)
    error = _check(kind, text, before)
    if error is not None and before is not None and _check(kind, before, None) is not None:
        return None  # it did not parse before the fix either: not the fix's doing
    return error


def _check(kind: str | None, text: str, before: str | None) -> str | None:
    try:
        if kind == "python":
            return _python(text)
        if kind == "toml":
            tomllib.loads(text)
        elif kind == "yaml":
            _yaml(text)
        elif kind == "json":
            json.loads(text)
        elif kind == "dockerfile":
            return _dockerfile(text, before)
    except tomllib.TOMLDecodeError as exc:
        return f"invalid TOML: {exc}"
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc}"
    except Exception as exc:
        # PyYAML raises YAMLError subclasses; anything else from a parser is a parse failure.
        return f"invalid {kind}: {exc}"
    return None


def _python(text: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return f"Python syntax error: {exc.msg} (line {exc.lineno})"
    try:
        import libcst
    except ImportError:
        return None
    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError as exc:
        return f"LibCST cannot parse: {exc.message} (line {exc.raw_line})"
    return None


def _yaml(text: str) -> None:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class TaggedLoader(base):  # type: ignore[misc,valid-type]
        """The safe loader, reading application tags (``!Ref``, ``!override``) as plain data."""

    def untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)  # type: ignore[arg-type]

    TaggedLoader.add_multi_constructor("!", untagged)
    for _ in yaml.load_all(text, Loader=TaggedLoader):
        pass


def _dockerfile(text: str, before: str | None) -> str | None:
    known = set(DOCKER_KEYWORDS)
    if before is not None:
        known |= {i.keyword for i in parse_dockerfile(before).instructions}
    parsed = parse_dockerfile(text)
    for ins in parsed.instructions:
        if ins.keyword not in known:
            return f"Dockerfile line {ins.line}: unknown instruction {ins.keyword!r}"
    if not parsed.stages:
        return "Dockerfile has no FROM instruction"
    return None
