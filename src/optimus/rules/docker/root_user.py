"""docker-root-user: the image's process runs as root.

The final stage, and the stages it is built FROM, either set no USER (so the user of the base
image applies, root for nearly all public images) or end with ``USER root`` / ``USER 0``.
Base images known to default to a non-root user are skipped (distroless ``:nonroot`` tags,
Chainguard, Bitnami, chiselled .NET, ``*-unprivileged`` / ``*rootless*`` images and a few
others), as are official server images that switch users themselves (nginx, httpd, php
apache/fpm, and postgres, mysql, redis... whose entrypoints use gosu), ``scratch`` (usually
one static binary), test-runner and Windows images, images whose base cannot be resolved
(``FROM ${BASE}``), and images that drop privileges at start with gosu, su-exec, setpriv and
similar tools. Images whose user is set where they run are skipped too: every compose
service built from the Dockerfile sets a non-root ``user:``, or every container of the
project's Kubernetes workloads runs with ``securityContext.runAsUser`` above 0 (pod or
container level), as Google's microservices-demo does. Images that must run as root are
skipped: deployed privileged or with SYS_ADMIN/NET_ADMIN, or starting a system daemon that
needs root (the kernel NFS server, rpcbind, iptables).

A project rule (it reads the Dockerfiles beside compose files and manifests); the test of
one Dockerfile is ``check``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.dockerfile import Dockerfile, Instruction, Stage
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.docker._common import (
    ComposeBuild,
    base_image_text,
    chain_env,
    compose_builds,
    is_base_image_definition,
    is_dev_image,
    is_template,
    run_text,
    split_words,
    stage_chain,
)
from optimus.rules.docker._runtime_user import (
    SERVER_COMMAND,
    ancestor_manifest_docs,
    compose_privileged,
    container_users,
    privileged_images,
    runs_non_root,
    start_scripts,
)
from optimus.rules.docker.heavy_base import ImageRef, parse_image, substitute

#: Repositories (Docker Hub names or registry paths, prefixes allowed) that run non-root.
_NON_ROOT_REPOSITORIES = (
    "cgr.dev/chainguard/",
    "chainguard/",
    "bitnami/",
    "bitnamilegacy/",
    "bitnamisecure/",
    "jenkins/jenkins",
    "grafana/grafana",
    "prom/",
    "quay.io/prometheus/",
    "quay.io/keycloak/",
    "jupyter/",
    "quay.io/jupyter/",
    "selenium/",
    "apache/airflow",
    "docker.elastic.co/",
    "opensearchproject/",
    "sonatype/nexus3",
    "confluentinc/",
    "nginxinc/nginx-unprivileged",
)
#: Official images whose server starts as root and runs its workers as another user by
#: itself (nginx and httpd workers, php-fpm pools), or whose entrypoint drops to a service
#: user with gosu/su-exec (postgres, mysql, redis...): the Dockerfile need not set USER.
_SELF_DROPPING = frozenset(
    {
        "nginx",
        "httpd",
        "postgres",
        "mysql",
        "mariadb",
        "redis",
        "mongo",
        "rabbitmq",
        "memcached",
        "haproxy",
        "wordpress",
        "drupal",
        "nextcloud",
        "joomla",
        "matomo",
        "odoo",
        "cassandra",
        "couchdb",
    }
)
#: Test-runner images (browsers for end-to-end tests), not services.
_TEST_RUNNERS = ("mcr.microsoft.com/playwright", "cypress/")
#: Tag or name words that mean a non-root default user.
_NON_ROOT_WORDS = re.compile(r"nonroot|non-root|unprivileged|rootless|chiseled|chiselled")
#: Red Hat UBI builder (s2i) images run as UID 1001; the plain ubi images run as root.
_RED_HAT = re.compile(r"^(?:registry\.access\.redhat\.com|registry\.redhat\.io|quay\.io/sclorg)/")
_UBI_ROOT = re.compile(r"/ubi\d*(?:-minimal|-micro|-init)?$|/ubi\d+/ubi(?:-minimal|-micro|-init)?$")
#: Tools that start the main process as another user.
_PRIVILEGE_DROP = re.compile(
    r"\b(?:gosu|su-exec|setpriv|s6-setuidgid|runuser|chpst\s+-u|setuser|"
    r"chroot\s+--userspec|su\s+(?:-s\s+\S+\s+)?(?:[a-z_][\w-]*\s+)?-c\b|"
    r"start-stop-daemon\b.*--chuid|"
    r"dumb-init\s+--rewrite)"
)
#: Servers that start as root and switch their workers (or themselves) to a service user:
#: Apache's and nginx's workers, mysqld's `user=`, PHP-FPM pools.
_DROPPING_SERVER = re.compile(
    r"(?:^|[\s\"'/\[,])(?:apache2|apache2ctl|httpd|nginx|mysqld|mysqld_safe|mariadbd"
    r"|php-fpm[\d.]*)(?=$|[\s\"',\]])",
    re.MULTILINE,
)
_ROOT = frozenset({"root", "0"})


def _is_service(src: SourceFile, builds: list[ComposeBuild], users: dict[str, set]) -> bool:
    """Evidence that the image runs a long-lived server: EXPOSE, a compose service that
    publishes or exposes ports, a Kubernetes workload running it, or a server command."""
    if any(b.config.get("ports") or b.config.get("expose") for b in builds):
        return True
    folder = src.path.rsplit("/", 2)
    if len(folder) >= 2 and folder[-2].lower() in users:
        return True
    try:
        chain = stage_chain(src.dockerfile)
    except ParseError:
        return False
    if any(stage.of("EXPOSE") for stage in chain):
        return True
    commands = " ".join(
        i.args for stage in chain for kw in ("CMD", "ENTRYPOINT") for i in stage.of(kw)
    )
    return bool(SERVER_COMMAND.search(commands))


def _start_texts(ctx: ProjectContext, src: SourceFile, builds: list[ComposeBuild]) -> list[str]:
    """The image's start command (CMD and ENTRYPOINT of its stages) and the text of the start
    scripts copied into it, read from the build context."""
    try:
        chain = stage_chain(src.dockerfile)
    except ParseError:
        return []
    folder = src.path.rpartition("/")[0]
    contexts = [b.context for b in builds] + [folder, ctx.project.path.strip(".")]
    texts = [
        " ".join(i.args for stage in chain for kw in ("CMD", "ENTRYPOINT") for i in stage.of(kw))
    ]
    for path in start_scripts(src.path, chain, list(dict.fromkeys(contexts))):
        local = path[len(ctx.prefix) :] if path.startswith(ctx.prefix) else None
        text = ctx.read_text(local) if local is not None else None
        if text is not None:
            texts.append(text)
    return texts


def _script_drops_privileges(texts: list[str]) -> bool:
    """Whether the image's start command, or a start script copied into it, switches users:
    gosu, su-exec, `su <user> -c`... (pypiserver, Zulip), or runs a server that drops
    privileges by itself (apache2, nginx, mysqld, php-fpm)."""
    if texts and _DROPPING_SERVER.search(texts[0]):
        return True
    return any(_PRIVILEGE_DROP.search(t) or _DROPPING_SERVER.search(t) for t in texts[1:])


#: System daemons that need root by design: the kernel NFS server (rpc.nfsd, `mount -t
#: nfsd`, exportfs, rpcbind on port 111) and firewall or NAT set-up with iptables or nft.
_ROOT_DAEMON = re.compile(
    r"\brpc\.nfsd\b|\bmount\s+-t\s+nfsd\b|\bexportfs\b|\brpcbind\b"
    r"|\b(?:ip6?tables|nft)(?:-restore)?\s+(?:-[A-Za-z]|add\b|insert\b|flush\b|-f\b)"
)


def _runs_root_daemon(texts: list[str]) -> str | None:
    """The start command or script line that runs a daemon needing root, if any."""
    for text in texts:
        match = _ROOT_DAEMON.search(text)
        if match is not None:
            return match.group(0)
    return None


def _folder_name(dockerfile_path: str) -> str:
    """The Dockerfile's folder's name: how manifests' images are matched to it."""
    parts = dockerfile_path.rsplit("/", 2)
    return parts[-2].lower() if len(parts) >= 2 else ""


def _non_root_user(value: Any) -> bool:
    """Whether a compose ``user:`` (``"1000"``, ``"1000:1000"``, ``app``) is not root."""
    if isinstance(value, int):
        return value > 0
    if not isinstance(value, str) or not value.strip():
        return False
    name = value.strip().split(":", 1)[0]
    return name not in ("root", "0") and not name.startswith("$")


def non_root_base(image: ImageRef) -> bool:
    """Whether an image is known to default to a non-root user."""
    repo, tag = image.repository, image.tag.lower()
    if _NON_ROOT_WORDS.search(tag) or _NON_ROOT_WORDS.search(repo):
        return True
    if repo.startswith("mcr.microsoft.com/") and "distroless" in tag:
        return True  # Azure Linux distroless .NET images run as the app user
    if _RED_HAT.match(repo):
        return not _UBI_ROOT.search(repo)
    return any(repo == p.rstrip("/") or repo.startswith(p) for p in _NON_ROOT_REPOSITORIES)


def _skipped_base(image: ImageRef) -> bool:
    repo, tag = image.repository, image.tag.lower()
    if repo in _SELF_DROPPING or (repo == "php" and ("apache" in tag or "fpm" in tag)):
        return True
    return (
        repo == "scratch"
        or repo.startswith(_TEST_RUNNERS)
        or repo.startswith("mcr.microsoft.com/windows")
        or "nanoserver" in image.tag.lower()
        or "windowsservercore" in image.tag.lower()
        or "servercore" in image.tag.lower()
    )


def _is_root(user: str) -> bool:
    name = user.split(":", 1)[0].strip().strip("'\"")
    return name in _ROOT


def last_user(chain: list[Stage]) -> Instruction | None:
    """The USER in effect at the end of the final stage (the closest stage's last USER)."""
    for stage in chain:
        users = stage.of("USER")
        if users:
            return users[-1]
    return None


def _drops_privileges(chain: list[Stage]) -> bool:
    for stage in chain:
        for ins in stage.instructions:
            if ins.keyword in ("RUN", "CMD", "ENTRYPOINT") and _PRIVILEGE_DROP.search(
                run_text(ins)
            ):
                return True
    return False


def _created_user(chain: list[Stage]) -> str | None:
    """A user that a RUN creates (useradd, adduser) and USER never switches to."""
    for stage in reversed(chain):
        for ins in stage.of("RUN"):
            for match in re.finditer(r"\b(?:useradd|adduser)\b([^;&|]*)", run_text(ins)):
                words = [w for w in split_words(match.group(1)) if not w.startswith("-")]
                name = words[-1] if words else None
                if name and re.fullmatch(r"[a-z_][a-z0-9_-]*\$?", name):
                    return name
    return None


def _resolve_user(ins: Instruction, chain: list[Stage]) -> str:
    return substitute(ins.args.strip(), chain_env(chain, ins))


def _has_start_command(chain: list[Stage]) -> bool:
    return any(stage.of("CMD") or stage.of("ENTRYPOINT") for stage in chain)


def _base(dockerfile: Dockerfile, chain: list[Stage]) -> ImageRef | None:
    text = base_image_text(dockerfile, chain)
    return parse_image(text) if text else None


@rule
class DockerRootUser(Rule):
    name = "docker-root-user"
    fixable = True
    code = "DK005"
    category = Category.SECURITY
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 15
    kinds = frozenset({"dockerfile", "yaml"})
    scope = "project"
    summary = "The image runs its process as root: no USER, or the last USER is root."
    doc = {
        "What it finds": (
            "A Dockerfile whose final stage, together with the stages it is built FROM, has "
            "no `USER` instruction, or whose last `USER` is `root` or `0`. Skipped: base "
            "images known to run as a non-root user (distroless `:nonroot` tags, Chainguard, "
            "Bitnami, chiselled and distroless .NET, `*-unprivileged`, `*rootless*`, Red Hat "
            "s2i builder images, Jupyter, Grafana, Prometheus, Jenkins, Elastic and a few "
            "more), official server images that switch users by themselves (`nginx` and "
            "`httpd` workers, `php` apache/fpm, and `postgres`, `mysql`, `redis`, `mongo`, "
            "`rabbitmq`... whose entrypoints drop to a service user), `scratch`, "
            "Playwright and Cypress test-runner images, Windows images, bases that cannot be "
            "resolved "
            "(`FROM ${BASE}` with no default), images that start their process through "
            "gosu, su-exec, setpriv, s6-setuidgid, runuser or similar, and development and "
            "CI Dockerfiles, images whose start command or start script (read from the "
            "build context) switches users (gosu, su-exec, `su <user> -c`...) or runs a "
            "server that drops privileges itself (apache2, httpd, nginx, mysqld, php-fpm), "
            "images that show no sign of serving (no EXPOSE, no compose "
            "service publishing or exposing ports, no Kubernetes workload running it, no "
            "server command such as gunicorn, uvicorn, `java -jar`, nginx, a database "
            "server...: CLI tool, build and batch images, where a root user exposes little), "
            "and images whose user is set where they run: every compose "
            "service built from the Dockerfile sets a non-root `user:`, or every container "
            "of the project's Kubernetes workloads that runs the image (matched by the "
            "Dockerfile's folder name, in manifests of the project or of the folders above "
            "it) sets `securityContext.runAsUser` above 0. Also skipped, as images that "
            "must run as root: images deployed `privileged: true` or with `SYS_ADMIN` or "
            "`NET_ADMIN` added (a compose service built from the Dockerfile, or a Kubernetes "
            "container running the image, matched as above), and system daemons that need "
            "root by design, whose start command or script runs the kernel NFS server "
            "(`rpc.nfsd`, `mount -t nfsd`, `exportfs`, `rpcbind`) or sets up a firewall or "
            "NAT with `iptables`/`nft`. Other images without CMD or "
            "ENTRYPOINT (served, but possibly a base for others) and base image "
            "definitions (a bare interpreter or shell as CMD, such as the "
            "official `python` and `node` images' `python3` and `node`, and no application "
            "sources copied) are reported at low severity."
        ),
        "Why": (
            "A container runs as root unless the image or the runtime says otherwise. A "
            "process that is compromised, or tricked into writing files, then acts as root "
            "inside the container, and as root on the host if it escapes it (a kernel or "
            "runtime vulnerability, a mounted socket or host path). Docker's best practices: "
            '"If a service can run without privileges, use USER to change to a non-root '
            'user." The CIS Docker Benchmark (4.1) asks for a user to be created for the '
            "container; Trivy (DS002) and Checkov (CKV_DOCKER_3) check it; hadolint's DL3002 "
            "only covers an explicit `USER root`."
        ),
        "Example": (
            '```dockerfile\nFROM python:3.12-slim\nCOPY . /app\nCMD ["python", "/app/main.py"]\n```'
        ),
        "Instead": (
            "```dockerfile\nFROM python:3.12-slim\n"
            "RUN useradd --system --uid 10001 --no-create-home app\n"
            "COPY --chown=app . /app\nUSER 10001\n"
            'CMD ["python", "/app/main.py"]\n```\n\n'
            "A numeric UID lets Kubernetes verify `runAsNonRoot`. Or use a base image that "
            "runs non-root, such as `gcr.io/distroless/python3-debian12:nonroot`."
        ),
        "When not to": (
            "Images that must start as root (to bind ports below 1024 without capabilities, "
            "or to fix volume ownership) and drop privileges in an entrypoint script the rule "
            "cannot read; images run by orchestrators the rule does not read that set the "
            "user there; and private base images that already set a USER. Images that must "
            "run as root because they administer the kernel (an NFS server, a firewall, a "
            "privileged agent): there is no non-root user to advise, and the rule leaves out "
            "those it can recognise (deployed privileged or with SYS_ADMIN/NET_ADMIN, or "
            "starting nfsd, rpcbind or iptables); suppress the others. Capabilities a "
            "non-root user can hold, such as NET_BIND_SERVICE for port 80, are no reason to "
            "stay root."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` creates an "
            "unprivileged user after the final stage's last RUN with the base family's tools "
            "(`useradd` on Debian-based images, `adduser -S` on Alpine, the node images' own "
            "`node` user) and switches to it; files the app writes at run time must be "
            "writable by that user. Distroless, scratch and unknown bases are refused."
        ),
    }
    references = (
        Reference(
            "Docker: Building best practices, USER",
            "https://docs.docker.com/build/building/best-practices/#user",
        ),
        Reference(
            "Trivy DS002: Image user should not be 'root' (CIS Docker Benchmark 4.1)",
            "https://avd.aquasec.com/misconfig/dockerfile/general/avd-ds-0002/",
        ),
        Reference("hadolint DL3002", "https://github.com/hadolint/hadolint/wiki/DL3002"),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        dockerfiles = ctx.of_kind("dockerfile")
        if not dockerfiles:
            return
        docs = [doc for _, doc in ctx.k8s_objects()]
        users = container_users(docs)
        privileged = privileged_images(docs)
        read_above = False
        builds: dict[str, list[ComposeBuild]] = {}
        for build in compose_builds(ctx):
            builds.setdefault(build.dockerfile, []).append(build)
        for src in dockerfiles:
            hits = list(self.check(src))
            if not hits:
                continue
            if not read_above:
                # Manifests above the project are read from disk: only once something is
                # reported, so most scans never read them.
                read_above = True
                above = ancestor_manifest_docs(ctx.root, ctx.project.path)
                for name, found in container_users(above).items():
                    users.setdefault(name, set()).update(found)
                privileged |= privileged_images(above)
            mine = builds.get(src.path, [])
            if mine and all(_non_root_user(b.config.get("user")) for b in mine):
                continue  # compose runs every service of this image as a non-root user
            if runs_non_root(users, src.path):
                continue  # the Kubernetes manifests set runAsUser for this image
            if not _is_service(src, mine, users):
                continue  # a CLI tool, build or batch image: no network-facing process
            if _folder_name(src.path) in privileged or any(
                compose_privileged(b.config) for b in mine
            ):
                continue  # deployed privileged or with SYS_ADMIN/NET_ADMIN: root by design
            texts = _start_texts(ctx, src, mine)
            if _script_drops_privileges(texts):
                continue  # the entrypoint script starts the server as another user
            if _runs_root_daemon(texts):
                continue  # an NFS server or a firewall: a system daemon that needs root
            for hit in hits:
                yield Hit(hit.message, line=hit.line, path=src.path, severity=hit.severity)

    def check(self, src: SourceFile) -> Iterator[Hit]:
        """The test of one Dockerfile, before what compose and Kubernetes say is applied."""
        if b"FROM" not in src.data and b"from" not in src.data:
            return
        if is_dev_image(src) or is_template(src):
            return
        dockerfile = src.dockerfile
        chain = stage_chain(dockerfile)
        if not chain:
            return
        image = _base(dockerfile, chain)
        if image is None or _skipped_base(image):
            return
        user = last_user(chain)
        if user is not None and not _is_root(_resolve_user(user, chain)):
            return
        if user is None and non_root_base(image):
            return
        if _drops_privileges(chain):
            return
        if _has_start_command(chain) and is_base_image_definition(dockerfile):
            return  # a base image (python, node...): the images built FROM it choose USER
        severity = None if _has_start_command(chain) else Severity.LOW
        base_note = (
            ""
            if _has_start_command(chain)
            else " (no CMD or ENTRYPOINT: if this is a base image, set USER in the images "
            "built on it)"
        )
        if user is not None:
            written, resolved = user.args.strip(), _resolve_user(user, chain)
            shown = f"`{written}`" + (f" ({resolved})" if resolved != written else "")
            yield Hit(
                f"the last USER of the final stage is {shown}, so the container's "
                "process runs as root and a compromise of it acts as root in the container: "
                "switch to a non-root user after the steps that need root (`USER 10001` or a "
                f"user created with useradd){base_note}",
                line=user.line,
                severity=severity,
            )
            return
        created = _created_user(chain)
        advice = (
            f"add `USER {created}` after the steps that need root (the user `{created}` is "
            "created but never used)"
            if created
            else "create a user (`RUN useradd --system --uid 10001 app`) and add `USER 10001` "
            "after the steps that need root, or use a base image that runs non-root"
        )
        final = chain[0].from_instruction
        yield Hit(
            f"no USER in the final stage (FROM {image.text}), so the container's process "
            f"runs as root, the default user of the base image: {advice}{base_note}",
            line=final.line,
            severity=severity,
        )
