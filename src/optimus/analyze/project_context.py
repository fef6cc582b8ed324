"""What a project rule sees: the project, its infrastructure files parsed once, its file list."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from optimus.model import Project
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile


@dataclass
class ProjectContext:
    """One project as project rules see it.

    ``sources`` maps root-relative paths of the project's infrastructure files (Dockerfiles,
    manifests, YAML, Procfiles...) to their shared :class:`SourceFile`. ``paths`` lists every
    file the walk kept in the project, root-relative.
    """

    project: Project
    sources: dict[str, SourceFile]
    paths: list[str]
    #: The scan root on disk; ``read_text`` reads files under it that are not in ``sources``.
    root: str = ""
    _docs: list[tuple[SourceFile, dict[str, Any]]] | None = field(default=None, repr=False)

    @property
    def prefix(self) -> str:
        """The project's path as a prefix of root-relative paths ("" for the root project)."""
        return "" if self.project.path == "." else self.project.path + "/"

    def of_kind(self, *kinds: str) -> list[SourceFile]:
        """The project's infrastructure files of these kinds, in path order."""
        return [s for s in self.sources.values() if s.kind in kinds]

    def source(self, local_path: str) -> SourceFile | None:
        """The shared parse of a project-relative path, if the project has that file."""
        return self.sources.get(self.prefix + local_path)

    def has_file(self, local_path: str) -> bool:
        """Whether the walk kept this project-relative path."""
        full = self.prefix + local_path
        return full in self.sources or full in self._path_set

    @property
    def _path_set(self) -> set[str]:
        cached = self.__dict__.get("_paths_cache")
        if cached is None:
            cached = self.__dict__["_paths_cache"] = set(self.paths)
        return cached

    def read_text(self, local_path: str, limit: int = 20_000_000) -> str | None:
        """A project file's text (lockfiles, code) read on demand and kept; None if absent.

        For files that are not infrastructure sources, such as lockfiles, which most scans
        never need. Undecodable bytes are replaced; files over ``limit`` bytes give None.
        """
        full = self.prefix + local_path
        if full in self.sources:
            try:
                return self.sources[full].text
            except ParseError:
                return None
        texts = self.__dict__.setdefault("_texts", {})
        if full not in texts:
            texts[full] = None
            if full in self._path_set and self.root:
                path = os.path.join(self.root, full)
                try:
                    if os.path.getsize(path) <= limit:
                        with open(path, encoding="utf-8", errors="replace") as fh:
                            texts[full] = fh.read()
                except OSError:
                    pass
        return texts[full]

    @property
    def kinds_present(self) -> set[str]:
        """The file kinds the project holds (python, dockerfile, package-json...)."""
        cached = self.__dict__.get("_kinds_cache")
        if cached is None:
            from optimus.parse.kinds import kind_of

            cached = {k for p in self.paths if (k := kind_of(p.rsplit("/", 1)[-1])) is not None}
            self.__dict__["_kinds_cache"] = cached
        return cached

    def yaml_documents(self) -> Iterator[tuple[SourceFile, dict[str, Any]]]:
        """Every mapping document of every YAML file.

        Templates (Helm, Jinja: ``{{ }}``) are left out, since they are not YAML until rendered;
        unparsable files are skipped here and reported as diagnostics by the engine.
        """
        if self._docs is None:
            docs = []
            for src in self.of_kind("yaml"):
                if b"{{" in src.data:
                    continue  # a Helm/Jinja template: YAML only after rendering
                try:
                    docs += [(src, d) for d in src.yaml if isinstance(d, dict)]
                except ParseError:
                    continue
            self._docs = docs
        return iter(self._docs)

    def k8s_objects(self) -> Iterator[tuple[SourceFile, dict[str, Any]]]:
        """YAML documents that are Kubernetes objects (apiVersion and kind)."""
        for src, doc in self.yaml_documents():
            if isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str):
                yield src, doc
