"""Kubernetes manifests as the K8 rules read them: workloads, their containers, merged facts.

What every K8 rule shares:

- which YAML files count: not under a Helm chart's ``templates/`` folder (Go templates,
  not YAML, until Helm renders them: they are skipped before any parse, so they produce no
  diagnostic), not test or example files (fixtures are incomplete on purpose), and only
  files that mention ``apiVersion`` and ``kind``;
- where a pod template sits in each workload kind (Deployment, CronJob...);
- facts merged across documents of the same workload: a Kustomize overlay patches a base
  Deployment with a partial document of the same kind and name that adds, say,
  ``resources`` to container ``web``; the rules judge the union, never the base alone.
  Partial documents (containers without ``image``) are never reported themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.rules.deploy._yaml_lines import line_of

#: Where the pod spec sits in each workload kind.
POD_SPEC_PATH: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),  # Argo Rollouts: a Deployment with strategies
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
#: Workloads whose pods serve until replaced (not run-to-completion Jobs).
LONG_RUNNING = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Rollout"})


@dataclass
class Workload:
    """A workload document and its pod template."""

    src: SourceFile
    doc: dict[str, Any]
    kind: str
    name: str
    namespace: str | None
    spec_path: tuple[str, ...]
    pod_spec: dict[str, Any]
    labels: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.kind} `{self.name}`"

    def containers(self, init: bool = True) -> Iterator[Container]:
        """The pod's containers; init containers too when ``init`` (sidecars always)."""
        for fld in ("initContainers", "containers"):
            items = self.pod_spec.get(fld)
            if not isinstance(items, list):
                continue
            for index, spec in enumerate(items):
                if not isinstance(spec, dict):
                    continue
                container = Container(self, fld, index, spec)
                # a native sidecar (restartPolicy: Always) runs beside the app containers
                if fld == "initContainers" and not init and not container.sidecar:
                    continue
                yield container


@dataclass
class Container:
    """One container of a workload's pod template."""

    workload: Workload
    field: str
    index: int
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.spec.get("name") or f"#{self.index + 1}")

    @property
    def sidecar(self) -> bool:
        """A native sidecar: an init container with ``restartPolicy: Always``."""
        return self.field == "initContainers" and self.spec.get("restartPolicy") == "Always"

    @property
    def complete(self) -> bool:
        """A full container (with an image), not a patch that only overrides some keys."""
        return "image" in self.spec

    @property
    def label(self) -> str:
        kind = "init container" if self.field == "initContainers" else "container"
        return f"{kind} `{self.name}` of {self.workload.label}"

    @property
    def snippet(self) -> str:
        return f"{self.workload.kind}/{self.workload.name}/{self.field}/{self.name}"

    def line(self) -> int | None:
        path = (*self.workload.spec_path, self.field, self.index)
        return line_of(self.workload.src, self.workload.doc, (*path, "name"))


@dataclass
class ContainerFacts:
    """What every document of one workload says about one container, merged."""

    requests: set[str] = field(default_factory=set)
    limits: set[str] = field(default_factory=set)
    readiness: bool = False


_TEST_DIRS = frozenset(
    {"tests", "test", "testing", "__tests__", "e2e", "fixtures", "testdata", "examples"}
)


def is_test_file(src: SourceFile) -> bool:
    """Test, fixture or example files, by their folders under the scan root or the project
    (a nested project such as ``tests/e2e/`` with its own package.json is still a test)."""
    folders = src.path.split("/")[:-1] + src.project_path.split("/")[:-1]
    return src.is_test or any(f.lower() in _TEST_DIRS for f in folders)


def _chart_template_dirs(ctx: ProjectContext) -> set[str]:
    """Root-relative ``<chart>/templates/`` prefixes of every Helm chart in the project."""
    return {
        p[: -len("Chart.yaml")] + "templates/"
        for p in ctx.paths
        if p == "Chart.yaml" or p.endswith("/Chart.yaml")
    }


def manifest_sources(ctx: ProjectContext) -> Iterator[SourceFile]:
    """The project's YAML files that may hold Kubernetes objects, charts' templates skipped."""
    templates = _chart_template_dirs(ctx)
    for src in ctx.of_kind("yaml"):
        if is_test_file(src) or any(src.path.startswith(t) for t in templates):
            continue
        if b"apiVersion" in src.data and b"kind" in src.data:
            yield src


def k8s_objects(ctx: ProjectContext) -> Iterator[tuple[SourceFile, dict[str, Any]]]:
    """Kubernetes objects (apiVersion and kind) of :func:`manifest_sources`."""
    for src in manifest_sources(ctx):
        try:
            docs = src.yaml
        except ParseError:
            continue  # recorded once on the SourceFile by the engine
        for doc in docs:
            if (
                isinstance(doc, dict)
                and isinstance(doc.get("apiVersion"), str)
                and isinstance(doc.get("kind"), str)
            ):
                yield src, doc


def _get(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def workloads(ctx: ProjectContext) -> list[Workload]:
    """Every workload with a pod template in the project."""
    found = []
    for src, doc in k8s_objects(ctx):
        kind = doc["kind"]
        path = POD_SPEC_PATH.get(kind)
        if path is None:
            continue
        pod_spec = _get(doc, path)
        if not isinstance(pod_spec, dict):
            continue
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        # the pod's labels: the Pod's own, else the template's (beside its spec)
        labels = _get(doc, (*path[:-1], "metadata", "labels"))
        found.append(
            Workload(
                src=src,
                doc=doc,
                kind=kind,
                name=str(meta.get("name") or "?"),
                namespace=_str(meta.get("namespace")),
                spec_path=path,
                pod_spec=pod_spec,
                labels=labels if isinstance(labels, dict) else {},
            )
        )
    return found


def _keys(value: Any) -> set[str]:
    """The keys of a requests/limits mapping that have a value."""
    if not isinstance(value, dict):
        return set()
    return {str(k) for k, v in value.items() if v not in (None, "")}


def merged_facts(items: list[Workload]) -> dict[tuple[str, str, str], ContainerFacts]:
    """(kind, workload name, container name) -> facts merged over every document.

    Pod-level ``spec.resources`` (Kubernetes 1.32+) counts for every container of the pod.
    """
    facts: dict[tuple[str, str, str], ContainerFacts] = {}
    for workload in items:
        pod_resources = workload.pod_spec.get("resources")
        pod_resources = pod_resources if isinstance(pod_resources, dict) else {}
        for container in workload.containers():
            key = (workload.kind, workload.name, container.name)
            entry = facts.setdefault(key, ContainerFacts())
            resources = container.spec.get("resources")
            resources = resources if isinstance(resources, dict) else {}
            for source in (resources, pod_resources):
                entry.requests |= _keys(source.get("requests"))
                entry.limits |= _keys(source.get("limits"))
            if isinstance(container.spec.get("readinessProbe"), dict):
                entry.readiness = True
    return facts


def facts_of(
    facts: dict[tuple[str, str, str], ContainerFacts], container: Container
) -> ContainerFacts:
    """The merged facts of one container."""
    key = (container.workload.kind, container.workload.name, container.name)
    return facts.get(key, ContainerFacts())


def limit_range_defaults(ctx: ProjectContext) -> tuple[set[str], set[str]]:
    """Resources a LimitRange in the project defaults for containers: (requests, limits).

    A ``default`` (limit) also becomes the request when none is set, as Kubernetes does.
    """
    requests: set[str] = set()
    limits: set[str] = set()
    for _src, doc in k8s_objects(ctx):
        if doc["kind"] != "LimitRange":
            continue
        items = _get(doc, ("spec", "limits"))
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or item.get("type", "Container") != "Container":
                continue
            limits |= _keys(item.get("default"))
            requests |= _keys(item.get("default")) | _keys(item.get("defaultRequest"))
    return requests, limits


def requested(facts: ContainerFacts, defaults: set[str], resource: str) -> bool:
    """Whether the container gets a request for ``resource``: set, or copied from its limit
    (Kubernetes uses the limit as the request when only a limit is given), or defaulted."""
    return resource in facts.requests or resource in facts.limits or resource in defaults
