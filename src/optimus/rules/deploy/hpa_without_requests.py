"""hpa-without-requests: an autoscaler on CPU (or memory) utilization of pods without requests.

Reads HorizontalPodAutoscalers (autoscaling/v1, v2beta1, v2beta2, v2) that scale on
resource utilization (a ``Resource``/``ContainerResource`` metric with an ``Utilization``
target, ``targetCPUUtilizationPercentage``, or no metrics at all, which means 80% CPU),
finds the workload their ``scaleTargetRef`` names in the project, and reports the HPA when
containers of that workload have no request for the resource: utilization is a share of
the request, so the HPA has nothing to compute and never scales.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deploy._k8s import (
    facts_of,
    k8s_objects,
    limit_range_defaults,
    merged_facts,
    requested,
    workloads,
)
from optimus.rules.deploy._yaml_lines import Key, line_of


@dataclass(frozen=True)
class UtilizationTarget:
    """A utilization metric of an HPA: the resource, one container or all, where it is."""

    resource: str
    container: str | None
    path: tuple[Key, ...]
    default: bool = False


def _utilization_targets(doc: dict[str, Any]) -> list[UtilizationTarget]:
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    api = doc["apiVersion"]
    if api == "autoscaling/v1":
        # v1 scales on CPU only; without the field the default policy is 80% CPU
        default = "targetCPUUtilizationPercentage" not in spec
        where = "scaleTargetRef" if default else "targetCPUUtilizationPercentage"
        return [UtilizationTarget("cpu", None, ("spec", where), default)]
    metrics = spec.get("metrics")
    if not metrics:
        # "If not set, the default metric will be set to 80% average CPU utilization."
        return [UtilizationTarget("cpu", None, ("spec", "scaleTargetRef"), True)]
    found = []
    for index, metric in enumerate(metrics if isinstance(metrics, list) else []):
        if not isinstance(metric, dict):
            continue
        kind = metric.get("type")
        body = metric.get("resource" if kind == "Resource" else "containerResource")
        if kind not in ("Resource", "ContainerResource") or not isinstance(body, dict):
            continue
        target = body.get("target") if isinstance(body.get("target"), dict) else {}
        utilization = target.get("type") == "Utilization" or "targetAverageUtilization" in body
        name = body.get("name")
        if utilization and name in ("cpu", "memory"):
            container = str(body["container"]) if kind == "ContainerResource" else None
            found.append(UtilizationTarget(name, container, ("spec", "metrics", index)))
    return found


@rule
class HpaWithoutRequests(Rule):
    name = "hpa-without-requests"
    code = "K8003"
    category = Category.RELIABILITY
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 15
    kinds = frozenset({"yaml"})
    scope = "project"
    summary = (
        "A HorizontalPodAutoscaler scales on CPU or memory utilization of a workload whose "
        "containers set no request for it, so it never scales."
    )
    doc = {
        "What it finds": (
            "HorizontalPodAutoscalers that scale on resource utilization (autoscaling/v2 "
            "`type: Resource` or `ContainerResource` with `target.type: Utilization`, "
            "v2beta1 `targetAverageUtilization`, v1 `targetCPUUtilizationPercentage`, or no "
            "metric at all, which defaults to 80% CPU) whose `scaleTargetRef` names a "
            "workload of the project with containers that have no request for that "
            "resource (a limit counts, as Kubernetes copies it to the request; a LimitRange "
            "default counts too). The finding is on the HPA's metric."
        ),
        "Why": (
            "Utilization is the pods' usage as a percentage of their requests. The "
            "Kubernetes documentation is explicit: \"If some of the Pod's containers do not "
            "have the relevant resource request set, CPU utilization for the Pod will not "
            'be defined and the autoscaler will not take any action" '
            "(*Horizontal Pod Autoscaling*, Algorithm details). The HPA reports "
            "`FailedGetResourceMetric` and the workload stays at its current replica count "
            "under any load. Cost of the outage avoided: not measured."
        ),
        "Example": (
            "```yaml\n"
            "apiVersion: autoscaling/v2\n"
            "kind: HorizontalPodAutoscaler\n"
            "spec:\n"
            "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n"
            "  metrics:\n"
            "    - type: Resource\n"
            "      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}\n"
            "```\n"
            "with Deployment `api`'s container setting no `resources.requests.cpu`."
        ),
        "Instead": (
            "Set `resources.requests.cpu` (or `memory`, for a memory metric) on every "
            "container of the target's pod template, sidecars included, or scale on "
            "`AverageValue` (absolute usage) instead of `Utilization`."
        ),
        "When not to": (
            "When a LimitRange or admission controller outside this repository sets default "
            "requests in the namespace. Only targets defined in the same project are "
            "checked; Helm templates and test or example manifests are not read; sidecars "
            "injected at admission (service meshes) are not seen."
        ),
    }
    references = (
        Reference(
            "Kubernetes: Horizontal Pod Autoscaling - Algorithm details",
            "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
        ),
        Reference(
            "Kubernetes API: HorizontalPodAutoscaler v2 (default metric)",
            "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/",
        ),
        Reference(
            "Kubernetes: Resource Management for Pods and Containers",
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        hpas = [
            (src, doc)
            for src, doc in k8s_objects(ctx)
            if doc["kind"] == "HorizontalPodAutoscaler"
            and doc["apiVersion"].startswith("autoscaling/")
        ]
        if not hpas:
            return
        items = workloads(ctx)
        facts = merged_facts(items)
        default_requests, _ = limit_range_defaults(ctx)
        for src, doc in hpas:
            spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
            ref = spec.get("scaleTargetRef")
            if not isinstance(ref, dict):
                continue
            meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
            namespace = meta.get("namespace")
            targets = [
                w
                for w in items
                if w.kind == ref.get("kind")
                and w.name == ref.get("name")
                and not (namespace and w.namespace and namespace != w.namespace)
                and any(c.complete for c in w.containers())
            ]
            if not targets:
                continue  # the target is defined elsewhere: nothing to judge
            workload = targets[0]
            for metric in _utilization_targets(doc):
                lacking = [
                    c.name
                    for c in workload.containers(init=False)
                    if (metric.container is None or c.name == metric.container)
                    and c.complete
                    and not requested(facts_of(facts, c), default_requests, metric.resource)
                ]
                if not lacking:
                    continue
                names = ", ".join(f"`{n}`" for n in lacking)
                how = " (its default metric: 80% CPU)" if metric.default else ""
                yield Hit(
                    f"HorizontalPodAutoscaler `{meta.get('name', '?')}` scales "
                    f"{workload.label} on {metric.resource} utilization{how}, but its "
                    f"container(s) {names} set no `resources.requests.{metric.resource}` "
                    f"(in {workload.src.path}): utilization is a share of the request, so "
                    f"it is undefined and the autoscaler takes no action. Set "
                    f"`requests.{metric.resource}` on every container of the pod template, "
                    f"or scale on an `AverageValue` target",
                    line=line_of(src, doc, metric.path),
                    path=src.path,
                    snippet=f"hpa/{meta.get('name', '?')}/{metric.resource}/{metric.container}",
                )
