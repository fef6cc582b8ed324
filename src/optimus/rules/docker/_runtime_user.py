"""Who an image runs as where it is deployed, and whether it is a service at all.

docker-root-user judges a Dockerfile, but the user can also be chosen where the image runs:
Kubernetes ``securityContext.runAsUser`` or compose ``user:``. Repositories such as Google's
microservices-demo keep each service (``src/adservice/Dockerfile``) in a project of its own
and the manifests (``kubernetes-manifests/adservice.yaml``, ``image: adservice``) in the
repository's root project, so the manifests of the project and of the folders above it, up
to the scan root, are read. An image is matched to a Dockerfile by name: the image's last
path segment without tag (``us-docker.pkg.dev/x/adservice:v1`` -> ``adservice``) equals the
name of the Dockerfile's folder. The same manifests and compose services tell which images
are deployed privileged or with SYS_ADMIN/NET_ADMIN: root by design.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.rules.deploy._k8s import POD_SPEC_PATH

#: Folders where repositories keep their Kubernetes manifests.
MANIFEST_DIRS = frozenset(
    {"kubernetes-manifests", "k8s", "kubernetes", "manifests", "deploy", "release", "kustomize"}
)
_MAX_FILES = 200
#: What makes a manifest worth parsing here: a user, privileges or added capabilities.
_WORTH_READING = re.compile(rb"runAsUser|privileged|SYS_ADMIN|NET_ADMIN")
_MAX_BYTES = 2_000_000

#: Commands that start a long-running network server: evidence that an image is a service
#: (the rule is about services; CLI tool images run as root on purpose or do not matter).
SERVER_COMMAND = re.compile(
    r"\b(?:gunicorn|uvicorn|hypercorn|daphne|granian|waitress-serve|fastapi\s+run|flask\s+run"
    r"|manage\.py\s+runserver|java\b[^\n]*-jar|dotnet\s+\S+\.dll|npm\s+(?:run\s+)?start"
    r"|node\s+\S*(?:server|index|app|main)\S*|nginx|httpd|php-fpm|apache2|puma|rails\s+s"
    r"|text-generation-launcher|torchserve|redis-server|mysqld|postgres|mongod|rethinkdb"
    r"|cassandra|locust|serve|server)\b",
    re.IGNORECASE,
)


def image_name(image: str) -> str:
    """``registry/path/name:tag@digest`` -> ``name``."""
    return image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()


def _run_as(spec: dict[str, Any], container: dict[str, Any]) -> int | None:
    own = container.get("securityContext")
    pod = spec.get("securityContext")
    user = (own if isinstance(own, dict) else {}).get(
        "runAsUser", (pod if isinstance(pod, dict) else {}).get("runAsUser")
    )
    return user if isinstance(user, int) and not isinstance(user, bool) else None


def _containers(docs: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(pod spec, container) for every container with an image in the workloads' pods."""
    for doc in docs:
        path = POD_SPEC_PATH.get(str(doc.get("kind")))
        spec: Any = doc
        for key in path or ():
            spec = spec.get(key) if isinstance(spec, dict) else None
        if path is None or not isinstance(spec, dict):
            continue
        containers = spec.get("containers")
        for container in containers if isinstance(containers, list) else []:
            if isinstance(container, dict) and isinstance(container.get("image"), str):
                yield spec, container


def container_users(docs: list[dict[str, Any]]) -> dict[str, set[int | None]]:
    """Image name -> the ``runAsUser`` values its containers run with (None: unset)."""
    users: dict[str, set[int | None]] = {}
    for spec, container in _containers(docs):
        users.setdefault(image_name(container["image"]), set()).add(_run_as(spec, container))
    return users


#: Capabilities that only root (or a privileged container) can use to any effect: an image
#: deployed with them is meant to administer the kernel's mounts or network as root.
ROOT_CAPABILITIES = frozenset({"SYS_ADMIN", "NET_ADMIN", "ALL"})


def _root_capabilities(values: Any) -> bool:
    return isinstance(values, list) and any(
        isinstance(v, str) and v.upper().removeprefix("CAP_") in ROOT_CAPABILITIES for v in values
    )


def privileged_images(docs: list[dict[str, Any]]) -> set[str]:
    """Names of the images some container runs ``privileged: true`` or with SYS_ADMIN or
    NET_ADMIN added (``securityContext.capabilities.add``)."""
    names = set()
    for _, container in _containers(docs):
        context = container.get("securityContext")
        if not isinstance(context, dict):
            continue
        capabilities = context.get("capabilities")
        added = capabilities.get("add") if isinstance(capabilities, dict) else None
        if context.get("privileged") is True or _root_capabilities(added):
            names.add(image_name(container["image"]))
    return names


def compose_privileged(service: dict[str, Any]) -> bool:
    """Whether a compose service runs ``privileged: true`` or adds SYS_ADMIN or NET_ADMIN."""
    return service.get("privileged") is True or _root_capabilities(service.get("cap_add"))


def _manifest_docs(folder: str) -> tuple[dict[str, Any], ...]:
    """Kubernetes objects in the manifest folders directly under ``folder`` (two levels)."""
    docs: list[dict[str, Any]] = []
    seen = 0
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return ()
    for name in names:
        if name.lower() not in MANIFEST_DIRS:
            continue
        base = os.path.join(folder, name)
        for dirpath, dirnames, filenames in os.walk(base):
            if dirpath.count(os.sep) - base.count(os.sep) >= 2:
                dirnames[:] = []
            for filename in sorted(filenames):
                if not filename.endswith((".yaml", ".yml")) or seen >= _MAX_FILES:
                    continue
                seen += 1
                full = os.path.join(dirpath, filename)
                try:
                    if os.path.getsize(full) > _MAX_BYTES:
                        continue
                    with open(full, "rb") as fh:
                        data = fh.read()
                except OSError:
                    continue
                if not _WORTH_READING.search(data) or b"{{" in data:
                    continue  # nothing to learn here, or a Helm template
                try:
                    parsed = SourceFile(full, full, "yaml", data).yaml
                except ParseError:
                    continue
                docs += [d for d in parsed if isinstance(d, dict) and "kind" in d]
    return tuple(docs)


def ancestor_manifest_docs(root: str, project_path: str) -> list[dict[str, Any]]:
    """The Kubernetes objects that set a user, privileges or capabilities, in the manifest
    folders of the project's folder and of every folder above it, up to the scan root."""
    if not root:
        return []
    parts = [] if project_path in ("", ".") else project_path.split("/")
    docs: list[dict[str, Any]] = []
    for depth in range(len(parts), -1, -1):
        docs += _manifest_docs(os.path.join(root, *parts[:depth]))
    return docs


def runs_non_root(users: dict[str, set[int | None]], dockerfile_path: str) -> bool:
    """Whether the image built from this Dockerfile (matched by its folder's name) runs,
    in every container that uses it, with a ``runAsUser`` above 0."""
    folder = dockerfile_path.rsplit("/", 2)
    name = folder[-2].lower() if len(folder) >= 2 else ""
    found = users.get(name)
    return bool(found) and all(u is not None and u > 0 for u in found)


def start_scripts(dockerfile_path: str, chain: list[Any], contexts: list[str]) -> list[str]:
    """Root-relative paths of the scripts the image starts with (ENTRYPOINT/CMD), as COPY or
    ADD brought them in from the build context: ``COPY docker/entrypoint.sh /entrypoint.sh``
    with ``ENTRYPOINT ["/entrypoint.sh"]`` gives ``docker/entrypoint.sh`` under each context,
    and a folder copy ``ADD files /`` with ``CMD ["/run.sh"]`` gives ``files/run.sh``."""
    scripts: set[str] = set()
    for stage in chain:
        for keyword in ("ENTRYPOINT", "CMD"):
            for ins in stage.of(keyword):
                for word in re.findall(r"[\w./-]+", ins.args):
                    base = word.rsplit("/", 1)[-1]
                    if base.endswith(".sh") or base in ("entrypoint", "docker-entrypoint"):
                        scripts.add(word)
    names = {word.rsplit("/", 1)[-1] for word in scripts}
    found: list[str] = []
    for stage in chain:
        for ins in stage.of("COPY") + stage.of("ADD"):
            if "--from" in ins.args:
                continue
            words = [w for w in ins.args.split() if not w.startswith("--")]
            if len(words) < 2:
                continue
            *sources, dest = words
            for source in sources:
                base = source.rstrip("/").rsplit("/", 1)[-1]
                dest_base = dest.rstrip("/").rsplit("/", 1)[-1]
                candidates = []
                if base in names or (dest_base in names and len(sources) == 1):
                    candidates.append(source)
                # A folder copied over a folder: the script sits at the same relative path.
                folder = dest.rstrip("/") + "/"
                for script in scripts:
                    if script.startswith("/") and script.startswith(folder):
                        candidates.append(f"{source.rstrip('/')}/{script[len(folder) :]}")
                for candidate in candidates:
                    for context in contexts:
                        path = f"{context}/{candidate}" if context else candidate
                        found.append(path.replace("/./", "/").removeprefix("./"))
    return found
