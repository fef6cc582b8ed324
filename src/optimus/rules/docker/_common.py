"""Helpers shared by the Docker rules: stage chains, environments, shell commands, compose.

Nothing here registers a rule. ``global_args`` and ``substitute`` expand the ARGs a FROM may
use; ``is_dev_image`` tells development, CI and test images by their path. ``stage_chain``
follows the final stage through the stages it is built FROM (an alias, possibly named through a
global ARG); ``chain_env`` collects the ENV and ARG defaults those stages set; ``run_commands``
splits a RUN into simple commands with their inline assignments; ``compose_builds`` reads
docker compose services that build an image and resolves their build context and Dockerfile as
compose does (relative to the compose file, the Dockerfile relative to the context).
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.parse.dockerfile import Dockerfile, Instruction, Stage
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile

#: Development, CI and test images: by folder, or by Dockerfile name (Dockerfile.dev).
_DEV_FOLDERS = frozenset(
    {".devcontainer", "devcontainer", "ci", ".ci", ".github", ".circleci", ".gitlab", ".buildkite"}
    # cookiecutter-django's compose/local/<service>/Dockerfile: images for a laptop setup
    | {"local", "dev", "development"}
)
_DEV_DOCKERFILE = re.compile(
    r"^(?:dockerfile\.(?:dev|devel|develop|development|test|tests|ci|local|debug)"
    r"|(?:dev|devel|develop|development|test|tests|ci|local|debug)\.dockerfile)$"
)
_DEV_WORDS = frozenset({"dev", "devel", "development", "test", "tests", "ci", "local", "debug"})
#: Dot-separated parts of a Dockerfile name that mark a development or test image:
#: `Dockerfile.neuron.dev`, `Dockerfile.playwright` (an end-to-end test runner).
_DEV_NAME_PARTS = _DEV_WORDS | {"develop", "playwright", "cypress", "e2e"}
#: An install guarded by a file test (`if [ -s requirements.txt ]; then pip install ...`): a
#: hook for files the user may add (getsentry/self-hosted), doing nothing as shipped.
OPTIONAL_INSTALL = re.compile(r"\bif\s+\[\[?\s+-[sfe]\s|\btest\s+-[sfe]\s")


def _dev_name_parts(name: str) -> bool:
    if not (name.startswith("dockerfile") or name.endswith(".dockerfile")):
        return False
    return bool(set(name.split(".")) & _DEV_NAME_PARTS)


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;", "|&"})
#: Words that start a command without being it (shell keywords, privilege and time wrappers).
_PREFIXES = frozenset(
    {"if", "while", "until", "then", "else", "elif", "do", "{", "}", "!"}
    | {"sudo", "exec", "time", "env", "nohup"}
)
_FALLBACK_SPLIT = re.compile(r"&&|\|\||[;|]")
#: Redirections holding "&" (2>&1, &>file), removed before splitting on "&".
_AMP_REDIRECT = re.compile(r"\d*>&(?:\d+|-)|&>>?")
#: A shell comment: "#" at the start of a word, to the end of the line.
_COMMENT = re.compile(r"(?:^|(?<=\s))#.*$")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_VAR = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def is_dev_image(src: SourceFile) -> bool:
    """Development, CI and test images, where the toolchain or root is the point: by path, a
    plain ``Dockerfile`` with a production sibling (``Dockerfile.prod`` beside it: the plain one
    is the development image), or a Dockerfile whose last stage is named for development
    (``FROM ... AS dev-image``), which production builds skip with ``--target``."""
    parts = src.path.lower().split("/")
    if (
        src.is_test
        or any(p in _DEV_FOLDERS for p in parts[:-1])
        or bool(_DEV_DOCKERFILE.match(parts[-1]))
        or _dev_name_parts(parts[-1])
        or (parts[-1] == "dockerfile" and has_production_sibling(src))
    ):
        return True
    try:
        final = src.dockerfile.final_stage
    except ParseError:
        return False
    if final is None:
        return False
    if final.alias and _DEV_STAGE.match(final.alias):
        return True
    # Images built on a development-environment base: VS Code dev containers, Google Cloud
    # Workstations (getsentry/self-hosted's workstation/ images).
    base = final.from_instruction.args.lower()
    return any(marker in base for marker in _DEV_BASES)


#: Dockerfile names that say production: Dockerfile.prod, prod.Dockerfile, Dockerfile-prod.
_PROD_DOCKERFILE = re.compile(
    r"^(?:dockerfile[._-](?:prod|production)|(?:prod|production)[._-]dockerfile)$"
)


def has_production_sibling(src: SourceFile) -> bool:
    """Whether a Dockerfile for production sits in the same folder (as the walk saw it)."""
    return any(_PROD_DOCKERFILE.match(name.lower()) for name in src.siblings)


#: Base images whose purpose is a development environment.
_DEV_BASES = ("/devcontainers/", "vscode/devcontainers", "cloud-workstations-images/")


#: Stage names such as dev, dev-image, development, devcontainer, test, ci-image.
_DEV_STAGE = re.compile(
    r"^(?:dev|devel|develop|development|devcontainer|test|tests|ci)(?:[-_].*)?$"
)


_TEMPLATE_SUFFIXES = (
    ".template",
    ".tmpl",
    ".tpl",
    ".j2",
    ".jinja",
    ".jinja2",
    ".in",
    ".mustache",
    ".erb",
    ".example",
    ".sample",
    ".preamble",
)
_TEMPLATE_MARK = re.compile(r"\{\{|\{%|(?<!\$)\{[A-Za-z_][A-Za-z0-9_]*\}")


def is_template(src: SourceFile) -> bool:
    """A Dockerfile template or fragment (Dockerfile.template, {{ var }}), not a real build."""
    if src.path.lower().endswith(_TEMPLATE_SUFFIXES):
        return True
    try:
        dockerfile = src.dockerfile
    except ParseError:
        return False
    if not dockerfile.stages:
        return True  # a fragment meant to be concatenated (no FROM)
    return any(_TEMPLATE_MARK.search(s.from_instruction.args) for s in dockerfile.stages)


def has_dev_words(name: str) -> bool:
    """Whether a file name says development/test/CI (docker-compose.dev.yml, ci.Dockerfile)."""
    return bool(set(re.split(r"[.\-_]", name.lower())) & _DEV_WORDS)


# --- stages and environment ---------------------------------------------------------------


def global_args(dockerfile: Dockerfile) -> dict[str, str]:
    """Defaults of the ARGs declared before the first FROM (the only ones FROM can use)."""
    values: dict[str, str] = {}
    for ins in dockerfile.instructions:
        if ins.keyword == "FROM":
            break
        if ins.keyword != "ARG":
            continue
        for word in split_words(ins.args):
            name, eq, default = word.partition("=")
            if eq:
                values[name] = substitute(default, values)
    return values


def substitute(text: str, values: dict[str, str]) -> str:
    """Expand $NAME, ${NAME}, ${NAME:-default} and ${NAME:+alt}; unknown names stay ${NAME}."""

    def expand(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3) or ""
        value = values.get(name)
        if op in (":-", "-"):
            return value if value else word
        if op in (":+", "+"):
            return word if value else ""
        return value if value is not None else "${" + name + "}"

    return _VAR.sub(expand, text)


def parent_stage(dockerfile: Dockerfile, stage: Stage, args: dict[str, str]) -> Stage | None:
    """The earlier stage this one is built FROM (``FROM base``, ``FROM ${BASE}``), or None."""
    words = stage.from_instruction.args.split()
    if not words:
        return None
    name = substitute(words[0], args).lower()
    return next((s for s in dockerfile.stages[: stage.index] if s.alias == name), None)


def stage_chain(dockerfile: Dockerfile, target: str | None = None) -> list[Stage]:
    """The final (or ``target``) stage, then the earlier stages it is built FROM, closest first."""
    chain: list[Stage] = []
    stage = dockerfile.stage_named(target) if target else dockerfile.final_stage
    args = global_args(dockerfile)
    while stage is not None and stage not in chain:
        chain.append(stage)
        stage = parent_stage(dockerfile, stage, args)
    return chain


def base_image_text(dockerfile: Dockerfile, chain: list[Stage]) -> str:
    """The external image the chain starts from, global ARGs expanded (may hold ${NAME})."""
    words = chain[-1].from_instruction.args.split() if chain else []
    return substitute(words[0], global_args(dockerfile)) if words else ""


def split_words(text: str) -> list[str]:
    """Shell words of a command line (quotes honoured; a plain split if they are unbalanced)."""
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()


def env_pairs(args: str) -> dict[str, str]:
    """The variables an ENV sets, or an ARG declares with a default (``K=V ...`` or ``K V``)."""
    words = split_words(args)
    if not words:
        return {}
    if "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(w.split("=", 1) for w in words if "=" in w)


def chain_env(chain: list[Stage], until: Instruction | None = None) -> dict[str, str]:
    """ENV values and ARG defaults set by the chain (build order) before ``until``.

    ARG values are environment variables of the RUN instructions after them in the same stage
    (a stage built FROM another inherits its ENV, not its ARGs); ENV wins over ARG.
    """
    env: dict[str, str] = {}
    args: dict[str, str] = {}
    for stage in reversed(chain):
        args = {}
        for ins in stage.instructions:
            if ins is until:
                return {**args, **env}
            if ins.keyword == "ENV":
                values = {**args, **env}
                env.update({k: substitute(v, values) for k, v in env_pairs(ins.args).items()})
            elif ins.keyword == "ARG":
                args.update({k: v for k, v in env_pairs(ins.args).items() if v})
    return {**args, **env}


# --- shell commands -------------------------------------------------------------------------


@dataclass
class Command:
    """A simple shell command: its words (launchers and assignments stripped) and its env."""

    words: list[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The program's base name (``/usr/local/bin/pip`` -> ``pip``)."""
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    @property
    def text(self) -> str:
        return " ".join(self.words)


def run_text(ins: Instruction) -> str:
    """The shell text of a RUN: exec form joined; heredoc bodies when a shell runs them."""
    form = ins.exec_form
    if form is not None:
        return " ".join(form)
    if ins.heredocs:
        first = ins.args.split("\n", 1)[0]
        program = first.split("<<", 1)[0].split()
        if program and program[0].rsplit("/", 1)[-1] not in _SHELLS:
            return first  # RUN python3 <<EOF: the body is not shell
    return ins.args


def run_commands(ins: Instruction) -> list[Command]:
    """The simple commands of a RUN in order; ``export X=1`` applies to the later ones."""
    commands: list[Command] = []
    exported: dict[str, str] = {}
    for line in run_text(ins).split("\n"):
        for words in _segments(line):
            env: dict[str, str] = {}
            while words and (words[0] in _PREFIXES or _ASSIGNMENT.match(words[0])):
                if _ASSIGNMENT.match(words[0]):
                    key, _, value = words[0].partition("=")
                    env[key] = value
                words = words[1:]
            if words and words[0] == "export":
                exported.update(dict(w.split("=", 1) for w in words[1:] if "=" in w))
                continue
            if not words and env:
                exported.update(env)  # a bare assignment: a shell variable for what follows
                continue
            if words:
                commands.append(Command(words, {**exported, **env}))
    return commands


def _segments(line: str, depth: int = 0) -> list[list[str]]:
    """Split a command line on && || ; | & and parentheses; ``sh -c "..."`` is opened."""
    line = _COMMENT.sub("", _AMP_REDIRECT.sub(" ", line))
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        lexer.commenters = ""  # shlex would cut words at any "#" (a#b, ${V#x})
        tokens = list(lexer)
    except ValueError:
        return [p.split() for p in _FALLBACK_SPLIT.split(line) if p.split()]
    out: list[list[str]] = [[]]
    for token in tokens:
        current = out[-1]
        if token in _SEPARATORS:
            out.append([])
        elif depth < 3 and _runs_script(current):
            # sh -c "apt-get install ..." runs those commands; echo "..." does not
            out.pop()
            out += _segments(token, depth + 1)
            out.append([])
        else:
            current.append(token)
    return [s for s in out if s]


def _runs_script(words: list[str]) -> bool:
    """Whether the next word is a script run by a shell (``sh -c``, ``bash -ec``...)."""
    if len(words) < 2 or not re.fullmatch(r"-[a-z]*c", words[-1]):
        return False
    shells = [w for w in words[:-1] if w.rsplit("/", 1)[-1] in _SHELLS | {"su", "runuser"}]
    return bool(shells)


def positionals(args: list[str], value_options: frozenset[str] = frozenset()) -> list[str]:
    """A command's arguments that are not options, nor the values of ``value_options``."""
    found: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in value_options
        else:
            found.append(arg)
    return found


def mount_targets(ins: Instruction, kinds: tuple[str, ...] = ("cache",)) -> list[str]:
    """Targets of the RUN's ``--mount`` flags of these types (``target``/``dst``)."""
    found: list[str] = []
    for mount in ins.flags.get("mount", "").split():
        options = dict(o.partition("=")[::2] for o in mount.split(","))
        kind = options.get("type", "bind")
        if kind in kinds:
            found.append(options.get("target", options.get("dst", options.get("destination", ""))))
    return found


# --- docker compose ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComposeBuild:
    """A compose service that builds an image from the project's files."""

    compose: SourceFile
    service: str
    config: dict[str, Any]
    #: Root-relative build context folder ("" for the scan root).
    context: str
    #: Root-relative Dockerfile path.
    dockerfile: str
    line: int | None

    @property
    def label(self) -> str:
        return f"compose service `{self.service}` ({self.compose.path})"


def is_compose_file(src: SourceFile) -> bool:
    """A YAML file named like a compose file (compose.yaml, docker-compose.prod.yml...)."""
    name = src.path.rsplit("/", 1)[-1].lower()
    return "compose" in name and name.endswith((".yml", ".yaml"))


def compose_services(src: SourceFile) -> Iterator[tuple[str, dict[str, Any]]]:
    """The services of a compose file (an unparsable file gives none)."""
    try:
        documents = src.yaml
    except ParseError:
        return
    for doc in documents:
        services = doc.get("services") if isinstance(doc, dict) else None
        if isinstance(services, dict):
            for name, service in services.items():
                if isinstance(service, dict):
                    yield str(name), service


def _resolve(folder: str, path: str) -> str | None:
    """A path relative to a root-relative folder; None when it leaves the scan root."""
    joined = posixpath.normpath(posixpath.join(folder, path) if folder else path)
    if joined == ".":
        return ""
    if joined.startswith("../") or joined == "..":
        return None
    return joined


def compose_builds(ctx: ProjectContext) -> Iterator[ComposeBuild]:
    """Every compose service of the project with a local ``build`` (URLs and ${VARS} skipped)."""
    for src in ctx.of_kind("yaml"):
        if not is_compose_file(src):
            continue
        for name, service in compose_services(src):
            build = service.get("build")
            if isinstance(build, str):
                context, dockerfile = build, "Dockerfile"
            elif isinstance(build, dict):
                context = str(build.get("context", "."))
                dockerfile = str(build.get("dockerfile", "Dockerfile"))
                if "dockerfile_inline" in build:
                    continue
            else:
                continue
            if "://" in context or context.startswith(("/", "git@", "~")) or "$" in context:
                continue
            if dockerfile.startswith("/") or "$" in dockerfile:
                continue
            folder = _resolve(posixpath.dirname(src.path), context)
            if folder is None:
                continue
            path = _resolve(folder, dockerfile)
            if path is None:
                continue
            yield ComposeBuild(src, name, service, folder, path, service_key_line(src, name))


def service_key_line(src: SourceFile, service: str, *keys: str) -> int | None:
    """The line of a service's key in a compose file, else of the service itself.

    ``keys`` in order of preference (``build`` when none is given): the first one the service
    has wins, at its first line.
    """
    keys = keys or ("build",)
    header = re.compile(r"^(\s+)['\"]?" + re.escape(service) + r"['\"]?\s*:")
    wanted = re.compile(r"^\s*(" + "|".join(map(re.escape, keys)) + r")\s*:")
    in_services = False
    lines = src.lines
    for number, text in enumerate(lines, start=1):
        if re.match(r"^services\s*:", text):
            in_services = True
            continue
        match = header.match(text) if in_services else None
        if not match:
            continue
        indent = len(match.group(1))
        found: dict[str, int] = {}
        for inner, body in enumerate(lines[number:], start=number + 1):
            if body.strip() and len(body) - len(body.lstrip()) <= indent:
                break
            key = wanted.match(body)
            if key:
                found.setdefault(key.group(1), inner)
        return next((found[k] for k in keys if k in found), number)
    return None


def in_project(ctx: ProjectContext, path: str) -> bool:
    """Whether a root-relative path lies inside the project (so its files are listed)."""
    return not ctx.prefix or path == ctx.prefix.rstrip("/") or path.startswith(ctx.prefix)


def dockerfile_of(ctx: ProjectContext, path: str) -> Dockerfile | None:
    """The parsed Dockerfile at a root-relative path, or None (absent or undecodable)."""
    src = ctx.sources.get(path)
    if src is None or src.kind != "dockerfile":
        return None
    try:
        return src.dockerfile
    except ParseError:
        return None


def has_root_file(ctx: ProjectContext, path: str) -> bool:
    """Whether the walk kept this root-relative path in the project."""
    return in_project(ctx, path) and ctx.has_file(path.removeprefix(ctx.prefix))


def ignore_file_above(ctx: ProjectContext) -> bool:
    """Whether a folder above the project (up to the scan root) holds a .dockerignore.

    A nested project's Dockerfile may be built with a parent folder as context (a compose
    file of the enclosing project), whose files this project's listing does not hold; the
    disk is asked instead. Only the ignore file's presence is read.
    """
    if not ctx.root or not ctx.prefix:
        return False
    current = ctx.prefix.rstrip("/")
    while current:
        current = posixpath.dirname(current)
        if os.path.isfile(os.path.join(ctx.root, current, ".dockerignore")):
            return True
    return False


def folder_of(path: str) -> str:
    """The root-relative folder of a root-relative path ("" for the scan root)."""
    return posixpath.dirname(path)


def joined(folder: str, name: str) -> str:
    """A name inside a root-relative folder."""
    return f"{folder}/{name}" if folder else name


# --- base image definitions -------------------------------------------------------------------

#: Interpreters and shells whose bare start (no script) makes an image a base for others.
_BARE_STARTS = re.compile(
    r"(?:python|pypy)[\d.]*|node(?:js)?|irb|ruby|php|perl[\d.]*|jshell|ghci|iex|erl|julia|R"
    r"|lua[\d.]*|bash|sh|ash|dash|zsh|ksh|fish"
)
#: Init wrappers an ENTRYPOINT may put before the real start.
_INITS = frozenset({"tini", "tini-static", "dumb-init"})
#: Context files a base image definition may copy: its entrypoint script, a root file system.
_BASE_IMAGE_FILE = re.compile(r".*entrypoint[\w.-]*|.*\.tar(?:\.\w+)?|.*\.t[gx]z")


def _start_words(ins: Instruction) -> list[str]:
    form = ins.exec_form
    return form if form is not None else split_words(ins.args)


def start_command(chain: list[Stage]) -> list[str] | None:
    """What the image runs: ENTRYPOINT (exec form) then CMD words; None when neither is set."""
    entry = next((s.of("ENTRYPOINT")[-1] for s in chain if s.of("ENTRYPOINT")), None)
    cmd = next((s.of("CMD")[-1] for s in chain if s.of("CMD")), None)
    if entry is None and cmd is None:
        return None
    words = _start_words(entry) if entry is not None else []
    if cmd is not None and (entry is None or entry.exec_form is not None):
        words += _start_words(cmd)
    return words


def _is_bare_start(words: list[str]) -> bool:
    """An interpreter or shell with options only (``python3``, ``php -a``), after any init
    wrapper (tini --) and entrypoint script (``docker-entrypoint.sh node``)."""
    rest = list(words)
    while rest and (
        rest[0].rsplit("/", 1)[-1] in _INITS
        or rest[0].startswith("-")
        or "entrypoint" in rest[0].rsplit("/", 1)[-1]
    ):
        rest = rest[1:]
    if not rest or not _BARE_STARTS.fullmatch(rest[0].rsplit("/", 1)[-1]):
        return False
    return all(w.startswith("-") for w in rest[1:])


def _copies_application(dockerfile: Dockerfile) -> bool:
    """Whether any COPY/ADD takes files from the build context other than an entrypoint
    script or a root file system archive."""
    for ins in dockerfile.instructions:
        if ins.keyword not in ("COPY", "ADD") or "from" in ins.flags or ins.heredocs:
            continue
        sources = ins.words[:-1]
        for source in sources:
            if ins.keyword == "ADD" and "://" in source:
                continue  # a download, not the context
            if not _BASE_IMAGE_FILE.fullmatch(source.rstrip("/").rsplit("/", 1)[-1]):
                return True
    return False


def is_base_image_definition(dockerfile: Dockerfile) -> bool:
    """A Dockerfile that defines a base image (python:3.12, node:22), not an application.

    Its final stage starts nothing of its own (no CMD/ENTRYPOINT, or a bare interpreter or
    shell such as ``python3``, ``node``, ``bash``, possibly behind ``docker-entrypoint.sh``),
    and no COPY/ADD brings application sources from the build context (an entrypoint script
    or a root file system archive may be copied), or it declares ONBUILD steps. Images built
    FROM it choose what to run.
    """
    chain = stage_chain(dockerfile)
    if not chain:
        return False
    if any(i.keyword == "ONBUILD" for i in dockerfile.instructions):
        return True  # ONBUILD steps only run in the images built FROM this one
    words = start_command(chain)
    if words is not None and words and not _is_bare_start(words):
        return False
    return not _copies_application(dockerfile)
