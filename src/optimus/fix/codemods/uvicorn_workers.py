"""uvicorn-single-worker: run one worker per CPU unless WEB_CONCURRENCY says otherwise.

Fixed where the server starts from a Dockerfile's CMD or ENTRYPOINT (the reported line):

- shell form (``CMD uvicorn app:app ...``): ``--workers ${WEB_CONCURRENCY:-$(nproc)}`` is
  appended; the shell the form already runs expands it when the container starts;
- exec form (``CMD ["uvicorn", "app:app"]``): no shell expands variables there, so the
  command becomes ``["sh", "-c", "exec uvicorn app:app ... --workers
  ${WEB_CONCURRENCY:-$(nproc)}"]``; ``exec`` keeps the server as PID 1, so it still receives
  SIGTERM directly.

``WEB_CONCURRENCY`` is what uvicorn, gunicorn and hosting platforms already use, and
``nproc`` counts the CPUs the container may run on. Unsafe: each worker is a process with
its own copy of the app (memory grows with the CPU count, in-process state is no longer
shared). Refused for ``--reload`` (which ignores workers), for an explicit single worker
(``--workers 1``, ``WEB_CONCURRENCY=1``: someone chose it), for an ENTRYPOINT whose CMD
supplies arguments, and for compose files, systemd units and Procfiles.
"""

from __future__ import annotations

import json
import re
import shlex

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _dockerfile as df
from optimus.fix.codemods._text import single_change
from optimus.model import Applicability, Finding
from optimus.rules.python.uvicorn_single_worker import find_server

WORKERS = "--workers ${WEB_CONCURRENCY:-$(nproc)}"
_SERVERS = frozenset({"uvicorn", "gunicorn", "fastapi"})


@fixer("uvicorn-single-worker", Applicability.UNSAFE)
def fix_workers(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Start the server with a worker count from WEB_CONCURRENCY, else the CPU count."""
    if "and no WEB_CONCURRENCY)" not in finding.message or "dockerfile" not in (
        finding.path.rsplit("/", 1)[-1].lower()
    ):
        return None
    text = ctx.read_text(finding.path)
    if text is None:
        return None
    dockerfile = df.parse(text)
    ins = df.instruction_at(dockerfile, finding.line)
    if ins is None or ins.keyword not in ("CMD", "ENTRYPOINT") or ins.heredocs:
        return None
    stage = df.stage_of(dockerfile, ins)
    if ins.keyword == "ENTRYPOINT" and stage is not None and stage.of("CMD"):
        return None  # the CMD's words are arguments of the entrypoint
    form = ins.exec_form
    words = form if form is not None else ins.args.split()
    server = find_server(words)
    if server is None or server.reload or server.workers is not None:
        return None
    if form is not None:
        program = form[0].rsplit("/", 1)[-1] if form else ""
        module = len(form) > 2 and program.startswith("python") and form[1] == "-m"
        if program not in _SERVERS and not (module and form[2] in _SERVERS):
            return None  # sh -c, launchers, scripts: not rewritten
        script = "exec " + " ".join(shlex.quote(w) for w in form) + " " + WORKERS
        keyword = df.raw(text, ins).split(None, 1)[0]
        new_raw = f"{keyword} {json.dumps(['sh', '-c', script])}"
        end = df.content_end(text, ins)
        new = text[: ins.start] + new_raw + text[end:]
    else:
        if re.search(r"&&|\|\||[;|&]", ins.args):
            return None  # several commands: the option must reach the server, not the last one
        end = df.content_end(text, ins)
        new = text[:end].rstrip(" \t") + " " + WORKERS + text[end:]
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"run `{server.label}` with {WORKERS} (line {ins.line}): one worker per CPU unless "
        "WEB_CONCURRENCY sets the number; each worker loads its own copy of the app",
        text,
        new,
    )
