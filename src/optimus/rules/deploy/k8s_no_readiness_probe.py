"""k8s-no-readiness-probe: a Service sends traffic to pods that never say they are ready.

Reports long-running workloads (Deployment, StatefulSet, DaemonSet, Argo Rollout) that a
Service in the project selects (its ``spec.selector`` is a subset of the pod template's
labels) and whose pod has no ``readinessProbe`` on any container. Without a Service nothing
routes traffic by readiness, so the rule stays quiet; liveness probes are never demanded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deploy._k8s import (
    LONG_RUNNING,
    Container,
    Workload,
    facts_of,
    k8s_objects,
    merged_facts,
    workloads,
)


def _services(ctx: ProjectContext) -> list[tuple[str, str | None, dict[str, Any], list[Any]]]:
    """(name, namespace, selector, ports) of every Service with a selector."""
    found = []
    for _src, doc in k8s_objects(ctx):
        if doc["kind"] != "Service" or doc["apiVersion"] != "v1":
            continue
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        selector = spec.get("selector")
        if not isinstance(selector, dict) or not selector or spec.get("type") == "ExternalName":
            continue
        if spec.get("publishNotReadyAddresses") is True:
            continue  # routes to pods whether ready or not (StatefulSet peer discovery)
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None
        ports = spec.get("ports") if isinstance(spec.get("ports"), list) else []
        found.append((str(meta.get("name") or "?"), namespace, selector, ports))
    return found


def _selects(selector: dict[str, Any], namespace: str | None, workload: Workload) -> bool:
    if namespace and workload.namespace and namespace != workload.namespace:
        return False
    labels = workload.labels
    return all(k in labels and str(labels[k]) == str(v) for k, v in selector.items())


def _target_ports(ports: list[Any]) -> set[str]:
    """The container ports (numbers or names) a Service's ports send traffic to."""
    targets = set()
    for port in ports:
        if isinstance(port, dict):
            target = port.get("targetPort", port.get("port"))
            if target is not None:
                targets.add(str(target))
    return targets


def _serving(containers: list[Container], targets: set[str]) -> list[Container]:
    """The containers that receive the Service's traffic: those whose ports the Service
    targets, else those that declare ports, else the first container."""

    def ports(c: Container) -> set[str]:
        out = set()
        items = c.spec.get("ports")
        for port in items if isinstance(items, list) else []:
            if isinstance(port, dict):
                out |= {str(port[k]) for k in ("containerPort", "name") if k in port}
        return out

    matching = [c for c in containers if ports(c) & targets]
    if matching:
        return matching
    with_ports = [c for c in containers if ports(c)]
    return with_ports or containers[:1]


@rule
class K8sNoReadinessProbe(Rule):
    name = "k8s-no-readiness-probe"
    fixable = True
    code = "K8002"
    category = Category.RELIABILITY
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    effort = 20
    kinds = frozenset({"yaml"})
    scope = "project"
    summary = (
        "A workload behind a Kubernetes Service has no readiness probe, so the Service "
        "sends requests to pods that are still starting or cannot serve."
    )
    doc = {
        "What it finds": (
            "Deployments, StatefulSets, DaemonSets and Argo Rollouts that a Service in the "
            "project selects (the Service's `spec.selector` is a subset of the pod "
            "template's labels, namespaces agreeing; Services with "
            "`publishNotReadyAddresses: true` ignore readiness and do not count) and whose "
            "pod template has no "
            "`readinessProbe` on any container. The finding sits on the container that "
            "serves the Service's `targetPort` (else the containers that declare ports, "
            "else the first). Kustomize patches of the same workload are merged first."
        ),
        "Why": (
            "A Pod is added to a Service's endpoints once it is Ready; without a readiness "
            "probe a container counts as ready as soon as it has started, so requests reach "
            "an application that is still loading (a model, a cache, migrations) and fail, "
            "on every rollout and every restart. A readiness probe also takes a pod that "
            "cannot serve (a lost database connection, overload) out of the endpoints "
            "without restarting it (Kubernetes, *Liveness, Readiness, and Startup "
            "Probes*). Liveness probes are not demanded: a badly tuned one restarts healthy "
            "containers under load. Error rates avoided: not measured."
        ),
        "Example": (
            "```yaml\n"
            "kind: Service\n"
            "spec:\n"
            "  selector: {app: api}\n"
            "---\n"
            "kind: Deployment\n"
            "spec:\n"
            "  template:\n"
            "    metadata: {labels: {app: api}}\n"
            "    spec:\n"
            "      containers:\n"
            "        - name: web\n"
            "          image: ghcr.io/acme/api:1.4\n"
            "          ports: [{containerPort: 8000}]\n"
            "```"
        ),
        "Instead": (
            "Probe an endpoint that answers only when the app can serve:\n\n"
            "```yaml\n"
            "          readinessProbe:\n"
            "            httpGet: {path: /ready, port: 8000}\n"
            "            periodSeconds: 5\n"
            "```\n"
            "Add a `startupProbe` for slow starts rather than a long initial delay."
        ),
        "When not to": (
            "When a service mesh or the application's own Service routing handles "
            "readiness, or traffic reaches the pods by other means than this Service. Jobs, "
            "CronJobs and init containers are not checked, nor workloads that no Service "
            "in the project selects (a Service in another repository is not seen), nor Helm "
            "chart templates and manifests under test or example folders."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` inserts a TCP "
            "`readinessProbe` on the container's first port with values marked `# optimus: "
            "confirm these values`, to be checked before merging (an HTTP check of an "
            "endpoint that answers only when the app is ready is better). Containers without "
            "ports are refused."
        ),
    }
    references = (
        Reference(
            "Kubernetes: Liveness, Readiness, and Startup Probes",
            "https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
        ),
        Reference(
            "Kubernetes: Configure Liveness, Readiness and Startup Probes",
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        items = [w for w in workloads(ctx) if w.kind in LONG_RUNNING]
        if not items:
            return
        services = _services(ctx)
        if not services:
            return
        facts = merged_facts(items)
        for workload in items:
            selecting = [s for s in services if _selects(s[2], s[1], workload)]
            if not selecting:
                continue
            containers = list(workload.containers(init=False))
            if not any(c.complete for c in containers):
                continue  # a patch document: its base is judged
            if any(facts_of(facts, c).readiness for c in containers):
                continue  # the pod is Ready only when that probe passes
            targets = set().union(*(_target_ports(s[3]) for s in selecting))
            service = selecting[0][0]
            for container in _serving([c for c in containers if c.complete], targets):
                yield Hit(
                    f"{container.label} has no `readinessProbe`, and Service `{service}` "
                    f"sends traffic to its pods: without the probe a pod counts as ready "
                    f"as soon as its containers start, so requests reach it while it is "
                    f"still starting (every rollout and restart) or when it cannot serve. "
                    f"Add a `readinessProbe` on an endpoint that answers only when the app "
                    f"is ready (a liveness probe is optional)",
                    line=container.line(),
                    path=workload.src.path,
                    snippet=container.snippet,
                )
