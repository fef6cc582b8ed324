"""k8s-no-resources and k8s-no-readiness-probe: insert the missing stanzas, to be confirmed.

The reported container (found by the line of its ``name:``) gets, through ruamel.yaml's
round trip (comments, quotes and indentation kept):

- k8s-no-resources: the missing ``resources.requests.cpu`` (100m), ``requests.memory``
  (128Mi) and ``limits.memory`` (the memory request when one is set, else 256Mi);
- k8s-no-readiness-probe: a ``readinessProbe`` that opens a TCP connection to the
  container's first port (by name when it has one), every 10 s after 5 s.

Nobody can know a service's real needs from its manifest, so both fixes are unsafe, mark
what they add with ``# optimus: confirm these values`` and list the values in
``ProposedFix.confirm``. The probe is refused for a container without ports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _yaml
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding

CONFIRM = "optimus: confirm these values"
_DEFAULT_CPU = "100m"
_DEFAULT_MEMORY = "128Mi"
_DEFAULT_LIMIT = "256Mi"


def _containers(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                yield from (c for c in value if isinstance(c, _yaml.CommentedMap))
            else:
                yield from _containers(value)
    elif isinstance(node, list):
        for item in node:
            yield from _containers(item)


def _container_at(documents: list[Any], line: int | None) -> Any:
    for doc in documents:
        for container in _containers(doc):
            if _yaml.key_line(container, "name") == line:
                return container
    return None


def _insert_after(mapping: Any, after: tuple[str, ...], key: str, value: Any) -> None:
    """Insert ``key`` after the last of ``after`` the mapping has (else at its end)."""
    keys = list(mapping)
    position = max((keys.index(k) + 1 for k in after if k in mapping), default=len(keys))
    _yaml.add_key(mapping, key, value, position)


def _column(mapping: Any) -> int | None:
    """The column of a read mapping's keys (None for a mapping made here)."""
    for key in mapping:
        try:
            return int(mapping.lc.key(key)[1])
        except (KeyError, TypeError):
            continue
    return None


def _mark(mapping: Any, key: str, column: int | None) -> None:
    """Put the confirm comment two spaces after the ``key: value`` line."""
    if column is not None:
        value = mapping[key]
        column += len(key) + (3 if isinstance(value, dict) else len(str(value)) + 4)
    mapping.yaml_add_eol_comment(CONFIRM, key, column=column)


def _load(finding: Finding, ctx: FixContext) -> tuple[str, Any, Any] | None:
    text = ctx.read_text(finding.path)
    loaded = _yaml.load(text) if text is not None else None
    if text is None or loaded is None:
        return None
    container = _container_at(loaded.documents, finding.line)
    if container is None:
        return None
    return text, loaded, container


@fixer("k8s-no-resources", Applicability.UNSAFE)
def fix_resources(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Add the missing CPU/memory requests and memory limit, marked for confirmation."""
    found = _load(finding, ctx)
    if found is None:
        return None
    text, loaded, container = found
    name = container.get("name")
    resources = container.get("resources")
    created = resources is None
    if created:
        resources = _yaml.CommentedMap()
    elif not isinstance(resources, dict):
        return None
    sections = {}
    for section in ("requests", "limits"):
        current = resources.get(section)
        if current is not None and not isinstance(current, dict):
            return None
        sections[section] = current if current is not None else {}
    requests, limits = sections["requests"], sections["limits"]
    wanted: list[tuple[str, str, str]] = []
    if "cpu" not in requests and "cpu" not in limits:
        wanted.append(("requests", "cpu", _DEFAULT_CPU))
    if "memory" not in requests and "memory" not in limits:
        wanted.append(("requests", "memory", _DEFAULT_MEMORY))
    if "memory" not in limits:
        memory = str(requests["memory"]) if "memory" in requests else _DEFAULT_LIMIT
        wanted.append(("limits", "memory", memory))
    for section, key, value in wanted:
        if section not in resources:
            _yaml.add_key(resources, section, _yaml.CommentedMap())
        _yaml.add_key(resources[section], key, value)
    added = [f"{section}.{key}: {value}" for section, key, value in wanted]
    if not added:
        return None
    if created:
        _insert_after(container, ("image", "imagePullPolicy", "ports"), "resources", resources)
        _mark(container, "resources", _column(container))
    else:
        for item in added:
            section, key = item.split(":")[0].split(".")
            outer = _column(resources)
            column = _column(resources[section])
            if column is None and outer is not None:
                column = outer + loaded.yaml.map_indent
            _mark(resources[section], key, column)
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"set {', '.join(a.split(':')[0] for a in added)} for container `{name}`: placeholder "
        "values, set them from observed usage",
        text,
        loaded.dump(),
        confirm=tuple(f"{a} (container `{name}`)" for a in added),
    )


@fixer("k8s-no-readiness-probe", Applicability.UNSAFE)
def fix_readiness_probe(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Add a TCP readiness probe on the container's first port, marked for confirmation."""
    found = _load(finding, ctx)
    if found is None:
        return None
    text, loaded, container = found
    ports = container.get("ports")
    first = ports[0] if isinstance(ports, list) and ports else None
    if not isinstance(first, dict) or "readinessProbe" in container:
        return None
    port = first.get("name") or first.get("containerPort")
    if port is None:
        return None
    probe = _yaml.CommentedMap()
    probe["tcpSocket"] = _yaml.CommentedMap(port=port)
    probe["initialDelaySeconds"] = 5
    probe["periodSeconds"] = 10
    _insert_after(container, ("ports", "image"), "readinessProbe", probe)
    _mark(container, "readinessProbe", _column(container))
    name = container.get("name")
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"add a readinessProbe to container `{name}`: a TCP check of port {port}; prefer an "
        "httpGet on an endpoint that answers only when the app is ready",
        text,
        loaded.dump(),
        confirm=(
            f"readinessProbe.tcpSocket.port: {port} (container `{name}`)",
            "readinessProbe.initialDelaySeconds: 5, periodSeconds: 10",
        ),
    )
