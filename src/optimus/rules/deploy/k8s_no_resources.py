"""k8s-no-resources: a container without CPU/memory requests or without a memory limit.

Reads every workload's pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
CronJob, Pod, Argo Rollout; native sidecars included, run-to-completion init containers not)
and reports each container whose
merged resources (over Kustomize patches of the same workload, a LimitRange's defaults and
pod-level resources) leave the CPU request, the memory request or the memory limit unset.
A limit without a request counts as a request: Kubernetes copies it. CPU limits are never
demanded (they throttle; their use is debated).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deploy._k8s import (
    facts_of,
    limit_range_defaults,
    merged_facts,
    requested,
    workloads,
)


@rule
class K8sNoResources(Rule):
    name = "k8s-no-resources"
    fixable = True
    code = "K8001"
    category = Category.RELIABILITY
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 15
    kinds = frozenset({"yaml"})
    scope = "project"
    summary = (
        "A Kubernetes container sets no CPU or memory request, or no memory limit, so the "
        "scheduler and autoscalers work blind."
    )
    doc = {
        "What it finds": (
            "Containers of Kubernetes workloads (Deployment, StatefulSet, DaemonSet, "
            "ReplicaSet, Job, CronJob, Pod, Argo Rollout; native sidecars included) whose "
            "`resources` leave `requests.cpu`, `requests.memory` or `limits.memory` unset. "
            "A limit given without a request counts as the request, as Kubernetes copies "
            "it. Init containers that run to completion before the app are not reported: "
            "the pod's request is the larger of theirs and the app containers', which are "
            "judged themselves. "
            "Documents of the same kind and name are merged first, so a Kustomize overlay "
            "that patches `resources` into a base Deployment satisfies the rule; a "
            "LimitRange in the project that defaults a resource satisfies it too. One "
            "finding per container, on its `- name:` line."
        ),
        "Why": (
            "The scheduler places pods by their requests: a container without requests "
            "is placed as if it needed nothing, so nodes get overcommitted, and a pod with "
            "no request or limit at all is in the BestEffort QoS class, the first evicted "
            "under node pressure (Kubernetes, *Resource Management for Pods and "
            "Containers*; *Pod Quality of Service Classes*). The HorizontalPodAutoscaler "
            "computes utilization as a percentage of the request: \"If some of the Pod's "
            "containers do not have the relevant resource request set, CPU utilization for "
            'the Pod will not be defined and the autoscaler will not take any action" '
            "(Kubernetes, *Horizontal Pod Autoscaling*). Without a memory limit, one "
            "leaking container can take the node's memory and get other pods killed. CPU "
            "limits are not demanded: they cause CFS throttling even on idle nodes and "
            "whether to set them is debated. Cost or speed gains: not measured."
        ),
        "Example": (
            "```yaml\n"
            "apiVersion: apps/v1\n"
            "kind: Deployment\n"
            "metadata: {name: api}\n"
            "spec:\n"
            "  template:\n"
            "    spec:\n"
            "      containers:\n"
            "        - name: web\n"
            "          image: ghcr.io/acme/api:1.4\n"
            "```"
        ),
        "Instead": (
            "Set requests from observed usage (a VerticalPodAutoscaler in recommendation "
            "mode, or metrics) and a memory limit:\n\n"
            "```yaml\n"
            "          resources:\n"
            "            requests: {cpu: 250m, memory: 256Mi}\n"
            "            limits: {memory: 512Mi}\n"
            "```"
        ),
        "When not to": (
            "When an admission controller or a LimitRange outside this repository sets "
            "defaults for the namespace, or a VerticalPodAutoscaler in `Auto` mode sets "
            "requests. Helm chart templates are not read (they are not YAML before "
            "rendering); neither are manifests under test or example folders. Kustomize "
            "patches given inline in `kustomization.yaml` or as JSON 6902 patches are not "
            "merged, so a base patched that way is still reported: suppress it there. "
            "Containers of Kubernetes' `pause` image (placeholders that hold capacity or a "
            "pod's namespaces and do nothing) are not reported."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` inserts the missing "
            "`requests` (cpu 100m, memory 128Mi) and a memory limit, marked `# optimus: "
            "confirm these values`: they are placeholders to size from measurements. CPU "
            "limits are never added."
        ),
    }
    references = (
        Reference(
            "Kubernetes: Resource Management for Pods and Containers",
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        ),
        Reference(
            "Kubernetes: Horizontal Pod Autoscaling (requests needed for utilization)",
            "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
        ),
        Reference(
            "Kubernetes: Pod Quality of Service Classes",
            "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        items = workloads(ctx)
        if not items:
            return
        facts = merged_facts(items)
        default_requests, default_limits = limit_range_defaults(ctx)
        for workload in items:
            containers = list(workload.containers())
            # BestEffort QoS: no container of the pod sets any request or limit
            best_effort = not any(
                facts_of(facts, c).requests or facts_of(facts, c).limits for c in containers
            ) and not (default_requests or default_limits)
            for container in containers:
                if not container.complete:
                    continue  # a patch: judged merged with its base
                if _is_pause(container.spec.get("image")):
                    continue  # does nothing: it only holds capacity or a pod's namespaces
                merged = facts_of(facts, container)
                missing = []
                if not requested(merged, default_requests, "cpu"):
                    missing.append("`requests.cpu`")
                if not requested(merged, default_requests, "memory"):
                    missing.append("`requests.memory`")
                if "memory" not in merged.limits and "memory" not in default_limits:
                    missing.append("`limits.memory`")
                if not missing:
                    continue
                # An init container runs to completion before the app starts: the pod's
                # request is the larger of it and the app containers, which are judged
                # (and reported) themselves; the finding belongs on them.
                if container.field == "initContainers" and not container.sidecar:
                    continue
                yield Hit(
                    _message(container.label, missing, best_effort),
                    line=container.line(),
                    path=workload.src.path,
                    snippet=container.snippet,
                )


#: Kubernetes' pause image ("registry.k8s.io/pause:3.9", "gcr.io/google_containers/pause-amd64").
_PAUSE = re.compile(r"(?:^|/)pause(?:-[a-z0-9]+)?(?::[^/]*)?$")


def _is_pause(image: object) -> bool:
    """Whether ``image`` is Kubernetes' pause image, a container that does nothing."""
    return isinstance(image, str) and _PAUSE.search(image.split("@", 1)[0]) is not None


def _message(label: str, missing: list[str], best_effort: bool) -> str:
    unset = ", ".join(missing)
    why = []
    if "`requests.cpu`" in missing or "`requests.memory`" in missing:
        why.append(
            "the scheduler places the pod as if it needed nothing and an autoscaler cannot "
            "compute its utilization"
        )
    if best_effort:
        why.append(
            "no container of the pod sets any request or limit, so it is BestEffort, "
            "the first evicted under node pressure"
        )
    if "`limits.memory`" in missing:
        why.append("without a memory limit a leak can exhaust the node's memory")
    return (
        f"{label} sets no {unset}: {'; '.join(why)}. Set {unset} under `resources:` "
        f"(requests from observed usage; a CPU limit is optional)"
    )
