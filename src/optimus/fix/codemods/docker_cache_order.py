"""docker-cache-order: copy the dependency manifests, install, then copy the rest.

For the reported ``COPY . <dest>`` and the dependency install that follows it in the stage,
the fix inserts ``COPY <manifests> <dest>/`` before the whole-context copy and moves the
install RUN up between them, so the install layer is rebuilt only when a manifest changes.
Manifests per tool, taken only when they exist in the build context (the Dockerfile's
folder): pip, the requirement files the install names (``-r``) and the files they include;
npm ``package.json`` with ``package-lock.json``/``npm-shrinkwrap.json``; yarn ``yarn.lock``;
pnpm ``pnpm-lock.yaml``; ``.npmrc``; bundler ``Gemfile``/``Gemfile.lock``; composer
``composer.json``/``composer.lock``; go ``go.mod``/``go.sum``.

Unsafe: an install that reads more than its manifests (a postinstall script, a local path)
breaks, which the fix cannot always see. Refused when the install RUN runs anything else
(``npm run build`` needs the sources), when instructions other than ENV/ARG/LABEL/EXPOSE sit
between the copy and the install, for installs of the project itself (``pip install .``,
``uv sync``, ``poetry install``, Cargo, Maven, Gradle: they need a stub project or a tool
such as cargo-chef), and when a manifest is missing from the context.
"""

from __future__ import annotations

import posixpath

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _dockerfile as df
from optimus.fix.codemods._recheck import still_reported
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding
from optimus.parse.dockerfile import Instruction
from optimus.rules.docker._common import run_commands, split_words
from optimus.rules.docker.cache_order import classify, copies_whole_context, find_install

_MOVABLE = frozenset({"ENV", "ARG", "LABEL", "EXPOSE"})
_FILES = {
    "npm": (("package.json",), ("package-lock.json", "npm-shrinkwrap.json", ".npmrc")),
    "yarn": (("package.json", "yarn.lock"), (".npmrc", ".yarnrc")),
    "pnpm": (("package.json", "pnpm-lock.yaml"), (".npmrc",)),
    "bundle": (("Gemfile",), ("Gemfile.lock",)),
    "composer": (("composer.json",), ("composer.lock",)),
    "go": (("go.mod",), ("go.sum",)),
}
#: Files that mean the install reads more than the manifests above (workspaces, Yarn Berry).
_BLOCKERS = {"yarn": (".yarnrc.yml",), "pnpm": ("pnpm-workspace.yaml",)}
_PIP_REQUIREMENT_OPTIONS = ("-r", "--requirement", "-c", "--constraint")


def _in_context(folder: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(folder, name)) if folder else posixpath.normpath(name)


def _reads_context(words: list[str]) -> bool:
    """Whether pip words install from the build context: the project, a path, local links."""
    for i, word in enumerate(words):
        if word in ("-e", "--editable", ".") or word.startswith(("./", "../", "/", "-e.")):
            return True
        if "file:" in word:
            return True  # name @ file:./libs/name
        if word in ("-f", "--find-links") and i + 1 < len(words) and "://" not in words[i + 1]:
            return True
        if word.startswith("--find-links=") and "://" not in word:
            return True
    return False


def _pip_files(words: list[str], ctx: FixContext, folder: str) -> list[str] | None:
    """The requirement files a pip install reads (with their -r/-c includes), or None."""
    names: list[str] = []
    rest = words[words.index("install") + 1 :]
    if _reads_context(rest):
        return None  # the project itself or a local path: needs the sources
    for i, word in enumerate(rest):
        for option in _PIP_REQUIREMENT_OPTIONS:
            if word == option and i + 1 < len(rest):
                names.append(rest[i + 1])
            elif word.startswith(option + "="):
                names.append(word.split("=", 1)[1])
            elif len(option) == 2 and word.startswith(option) and len(word) > 2:
                names.append(word[2:])  # -rrequirements.txt
    found: list[str] = []
    while names:
        name = names.pop(0)
        if name in found:
            continue
        text = ctx.read_text(_in_context(folder, name)) if not name.startswith("/") else None
        if text is None:
            return None
        found.append(name)
        for line in text.splitlines():
            words_in = line.split("#", 1)[0].split()
            if not words_in:
                continue
            if words_in[0] in _PIP_REQUIREMENT_OPTIONS and len(words_in) > 1:
                names.append(posixpath.join(posixpath.dirname(name), words_in[1]))
            elif _reads_context(words_in):
                return None
    return found or None


def _manifests(tool: str, install: Instruction, ctx: FixContext, folder: str) -> list[str] | None:
    """The files to copy before the install, or None when they cannot be named."""
    if tool == "pip":
        for command in run_commands(install):
            if classify(command.words) == "pip":
                return _pip_files(command.words, ctx, folder)
        return None
    if tool not in _FILES:
        return None
    if any(ctx.exists(_in_context(folder, b)) for b in _BLOCKERS.get(tool, ())):
        return None
    required, optional = _FILES[tool]
    if not all(ctx.exists(_in_context(folder, n)) for n in required):
        return None
    return [*required, *(n for n in optional if ctx.exists(_in_context(folder, n)))]


def _only_installs(install: Instruction, tool: str) -> bool:
    """Every command of the RUN installs dependencies (or is the same tool's setup/cleanup)."""
    for command in run_commands(install):
        if classify(command.words) == tool:
            continue
        if command.name in ("rm", "true") or (
            command.name.startswith("pip")
            and "install" in command.words
            and "-r" not in command.words
        ):
            continue  # cleaning up, or installing named packages (pip, setuptools...)
        if command.name in ("npm", "yarn", "pnpm") and command.words[1:2] in (
            ["config"],
            ["cache"],
        ):
            continue
        return False
    return True


def _terminated(raw: str, newline: str) -> str:
    return raw if raw.endswith("\n") else raw + newline


@fixer("docker-cache-order", Applicability.UNSAFE)
def fix_cache_order(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Copy the manifests and install before copying the whole context."""
    text = ctx.read_text(finding.path)
    if text is None or not still_reported(finding, text, "dockerfile"):
        return None
    dockerfile = df.parse(text)
    copy = df.instruction_at(dockerfile, finding.line)
    stage = df.stage_of(dockerfile, copy) if copy is not None else None
    if copy is None or stage is None or not copies_whole_context(copy) or copy.exec_form:
        return None
    at = stage.instructions.index(copy)
    install = next((i for i in stage.instructions[at + 1 :] if find_install(i) is not None), None)
    if install is None:
        return None
    between = stage.instructions[at + 1 : stage.instructions.index(install)]
    if any(i.keyword not in _MOVABLE for i in between):
        return None
    tool = find_install(install).tool  # type: ignore[union-attr]
    if not _only_installs(install, tool):
        return None
    folder = posixpath.dirname(finding.path)
    files = _manifests(tool, install, ctx, folder)
    if not files:
        return None
    dest = split_words(copy.args)[-1]
    if len(files) > 1 and not dest.endswith("/"):
        dest += "/"
    flags = " ".join(f"--{k}={v}" for k, v in copy.flags.items() if k in ("chown", "chmod"))
    manifest_copy = " ".join(w for w in ("COPY", flags, *files, dest) if w)
    newline = df.newline_of(text)
    moved = [*between, install]
    lines = [manifest_copy + newline]
    lines += [_terminated(df.raw(text, i), newline) for i in moved]
    # what lay between the copy and the install but moves nowhere: comments, blank lines
    rest, position = [], copy.end
    for ins in moved:
        rest.append(text[position : ins.start])
        position = ins.end
    new = (
        text[: copy.start]
        + "".join(lines)
        + _terminated(df.raw(text, copy), newline)
        + "".join(rest)
        + text[install.end :]
    )
    if not text.endswith("\n"):
        new = new.rstrip("\r\n")
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"copy {', '.join(files)} and install (line {install.line}) before `{copy.keyword} "
        f"{copy.args}`, so source changes no longer reinstall the dependencies",
        text,
        new,
    )
