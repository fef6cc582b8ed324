"""A file to analyse, with its parses built lazily and at most once.

Every rule that looks at a file receives the same :class:`SourceFile`; the first rule that
asks for ``python``, ``tree``, ``toml``, ``json``, ``yaml`` or ``dockerfile`` pays for the
parse and the others share it. A parse failure raises :class:`ParseError`, which the engine
records once as a diagnostic.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
import warnings
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from optimus.parse.dockerfile import Dockerfile, parse_dockerfile
from optimus.parse.errors import ParseError

T = TypeVar("T")


def _yaml_loader() -> type:
    """libyaml's safe loader that reads unknown tags (``!override``, ``!Ref``) as plain data.

    Compose files and CloudFormation templates use application tags; the safe loader would
    reject the whole file, and rules only need the values underneath.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = _LOADERS.get("tagged")
    if loader is None:

        def untagged(loader: Any, suffix: str, node: Any) -> Any:
            if isinstance(node, yaml.MappingNode):
                return loader.construct_mapping(node)
            if isinstance(node, yaml.SequenceNode):
                return loader.construct_sequence(node)
            return loader.construct_scalar(node)

        loader = type("OptimusYamlLoader", (base,), {})
        loader.add_multi_constructor("!", untagged)
        _LOADERS["tagged"] = loader
    return loader


_LOADERS: dict[str, type] = {}


def _parse_once(method: Callable[[SourceFile], T]) -> cached_property[T]:
    """Like cached_property, but a ParseError is remembered too, so no rule parses twice."""
    name = method.__name__

    def getter(self: SourceFile) -> T:
        failed = self._failures.get(name)
        if failed is not None:
            raise failed
        try:
            return method(self)
        except ParseError as exc:
            self._failures[name] = exc
            raise

    getter.__doc__ = method.__doc__
    return cached_property(getter)


_TEST_DIRS = frozenset(
    {"tests", "test", "testing", "__tests__", "benches", "examples", "testdata", "fixtures", "e2e"}
)
#: Folder names such as integration-tests, e2e_tests, unit-test, tests-integration.
_TEST_DIR_PATTERN = re.compile(r"^(?:.+[-_])?tests?(?:[-_].+)?$|^e2e(?:[-_].+)?$")


class SourceFile:
    """One file: its bytes, where it is, what kind it is, and its lazily built parses.

    ``path`` is relative to the scan root, ``project_path`` to the project's root, both with
    / separators.
    """

    def __init__(self, path: str, project_path: str, kind: str, data: bytes) -> None:
        self.path = path
        self.project_path = project_path
        self.kind = kind
        self.data = data
        #: Names of the other files in the same folder, where the caller knows them (the
        #: project phase sets them for infrastructure files: Dockerfile beside Dockerfile.prod).
        self.siblings: frozenset[str] = frozenset()
        self._failures: dict[str, ParseError] = {}

    def parse_failures(self) -> list[ParseError]:
        """The parse errors met so far on this file (each parse is tried once)."""
        return list(self._failures.values())

    @_parse_once
    def text(self) -> str:
        """The file decoded as UTF-8 (a BOM is dropped)."""
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"not UTF-8 text (byte {exc.start})") from None

    @cached_property
    def lines(self) -> list[str]:
        """The text split into lines, without line endings."""
        return self.text.splitlines()

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, or "" past the end."""
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    @_parse_once
    def python(self) -> ast.Module:
        """The stdlib ast of a Python file (never imported or run)."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes in scanned code
                return ast.parse(self.data, filename=self.path)
        except SyntaxError as exc:
            raise ParseError(f"Python syntax error: {exc.msg}", exc.lineno) from None
        except (ValueError, RecursionError, MemoryError) as exc:
            raise ParseError(f"cannot parse as Python: {exc}") from None

    @cached_property
    def tree(self) -> Any:
        """The tree-sitter tree of a Rust, JavaScript or TypeScript file."""
        from optimus.parse.treesitter import parse_tree

        return parse_tree(self.kind, self.data)

    @_parse_once
    def toml(self) -> dict[str, Any]:
        """The parsed TOML document."""
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise ParseError(f"invalid TOML: {exc}") from None

    @_parse_once
    def json(self) -> Any:
        """The parsed JSON document."""
        try:
            return json.loads(self.text)
        except ValueError as exc:
            raise ParseError(f"invalid JSON: {exc}") from None

    @_parse_once
    def yaml(self) -> list[Any]:
        """Every document of a YAML file (safe loader: no object construction).

        Read with libyaml through PyYAML's C loader: about ten times faster than a pure
        Python parser on the manifests of a large portfolio.
        """
        import yaml

        try:
            return [d for d in yaml.load_all(self.text, Loader=_yaml_loader()) if d is not None]
        except yaml.YAMLError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise ParseError(
                f"invalid YAML: {first}", line + 1 if line is not None else None
            ) from None
        except (ValueError, TypeError, RecursionError) as exc:
            raise ParseError(f"invalid YAML: {exc}") from None

    @cached_property
    def dockerfile(self) -> Dockerfile:
        """The parsed Dockerfile."""
        return parse_dockerfile(self.text)

    @cached_property
    def is_test(self) -> bool:
        """Whether the file is test, benchmark or example code by its path in the project."""
        parts = self.project_path.split("/")
        name = parts[-1]
        # The root-relative path too: a project nested in tests/ is test code as a whole.
        folders = parts[:-1] + self.path.split("/")[:-1]
        if any(p in _TEST_DIRS or _TEST_DIR_PATTERN.match(p) for p in folders):
            return True
        return (
            name.startswith("test_")
            or name.endswith(("_test.py", "_tests.rs", ".test.ts", ".test.js", ".spec.ts"))
            or name in ("conftest.py", "tests.rs")
        )
