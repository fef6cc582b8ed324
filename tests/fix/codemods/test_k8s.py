"""k8s-no-resources and k8s-no-readiness-probe fixes: stanzas inserted, marked to confirm."""

from __future__ import annotations

from pathlib import Path

from optimus.fix.codemods.k8s import CONFIRM
from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

DEPLOYMENT = """\
# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "registry.example.com/web:1.2"  # pinned
          ports:
            - name: http
              containerPort: 8080
        - name: worker
          image: registry.example.com/worker:1.2
          resources:
            requests:
              cpu: 250m
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: http
"""


def test_resources_added_and_completed(tree: Path) -> None:
    texts = check_fixed(tree, "k8s-no-resources", {"k8s/web.yaml": DEPLOYMENT}, expect_fixes=2)
    removed, added = changed_lines(DEPLOYMENT, texts["k8s/web.yaml"])
    assert removed == []
    assert added == [
        f"          resources:  # {CONFIRM}\n",
        "            requests:\n",
        "              cpu: 100m\n",
        "              memory: 128Mi\n",
        "            limits:\n",
        "              memory: 256Mi\n",
        f"              memory: 128Mi  # {CONFIRM}\n",
        "            limits:\n",
        f"              memory: 256Mi  # {CONFIRM}\n",
    ]


def test_resources_proposal_lists_the_values_to_confirm(tree: Path) -> None:
    write(tree, {"k8s/web.yaml": DEPLOYMENT})
    found = findings_of(tree, "k8s-no-resources")
    proposal = propose(tree, found[0])
    assert proposal is not None
    assert proposal.applicability == "unsafe"
    assert proposal.confirm == (
        "requests.cpu: 100m (container `web`)",
        "requests.memory: 128Mi (container `web`)",
        "limits.memory: 256Mi (container `web`)",
    )


def test_readiness_probe_on_the_named_port_crlf(tree: Path) -> None:
    text = DEPLOYMENT.replace("\n", "\r\n")
    texts = check_fixed(tree, "k8s-no-readiness-probe", {"k8s/web.yaml": text.encode()})
    new = texts["k8s/web.yaml"]
    assert (
        "              containerPort: 8080\r\n"
        f"          readinessProbe:  # {CONFIRM}\r\n"
        "            tcpSocket:\r\n"
        "              port: http\r\n"
        "            initialDelaySeconds: 5\r\n"
        "            periodSeconds: 10\r\n"
        "        - name: worker\r\n"
    ) in new
    removed, _ = changed_lines(text, new)
    assert removed == []


def test_readiness_probe_without_ports_is_refused(tree: Path) -> None:
    text = DEPLOYMENT.replace(
        "          ports:\n            - name: http\n              containerPort: 8080\n", ""
    ).replace("targetPort: http", "targetPort: 8080")
    write(tree, {"k8s/web.yaml": text})
    found = findings_of(tree, "k8s-no-readiness-probe")
    assert found
    assert all(propose(tree, f) is None for f in found)


def test_cronjob_containers_get_resources(tree: Path) -> None:
    text = (
        "apiVersion: batch/v1\n"
        "kind: CronJob\n"
        "metadata:\n"
        "  name: nightly\n"
        "spec:\n"
        '  schedule: "0 3 * * *"\n'
        "  jobTemplate:\n"
        "    spec:\n"
        "      template:\n"
        "        spec:\n"
        "          restartPolicy: OnFailure\n"
        "          containers:\n"
        "          - name: job\n"
        "            image: busybox:1.36\n"
        "            resources:\n"
        "              limits:\n"
        "                memory: 64Mi\n"
    )
    texts = check_fixed(tree, "k8s-no-resources", {"cron.yaml": text})
    removed, added = changed_lines(text, texts["cron.yaml"])
    assert removed == []
    # the memory limit counts as the memory request (Kubernetes copies it): only CPU is added
    assert added == ["              requests:\n", f"                cpu: 100m  # {CONFIRM}\n"]
