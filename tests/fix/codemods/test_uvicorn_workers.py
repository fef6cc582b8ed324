"""uvicorn-single-worker fix: workers from WEB_CONCURRENCY, else the CPU count."""

from __future__ import annotations

import json
from pathlib import Path

from optimus.fix.codemods.uvicorn_workers import WORKERS
from optimus.parse.dockerfile import parse_dockerfile
from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

HEAD = "FROM python:3.12-slim\n# the API\nWORKDIR /app\nCOPY . .\n"


def test_exec_form_becomes_sh_c_exec(tree: Path) -> None:
    text = HEAD + 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\nEXPOSE 8000\n'
    texts = check_fixed(tree, "uvicorn-single-worker", {"Dockerfile": text})
    new = texts["Dockerfile"]
    removed, added = changed_lines(text, new)
    assert removed == ['CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n']
    cmd = parse_dockerfile(new).final_stage.of("CMD")[0]
    assert cmd.exec_form == [
        "sh",
        "-c",
        f"exec uvicorn app.main:app --host 0.0.0.0 {WORKERS}",
    ]
    assert json.loads(added[0][4:]) == cmd.exec_form


def test_shell_form_gets_the_option_crlf(tree: Path) -> None:
    text = (HEAD + "CMD gunicorn -k uvicorn.workers.UvicornWorker \\\n    app.main:app\n").replace(
        "\n", "\r\n"
    )
    texts = check_fixed(tree, "uvicorn-single-worker", {"Dockerfile": text.encode()})
    assert texts["Dockerfile"] == text.replace(
        "    app.main:app\r\n", f"    app.main:app {WORKERS}\r\n"
    )


def test_reload_and_explicit_single_worker_are_refused(tree: Path) -> None:
    write(tree, {"Dockerfile": HEAD + 'CMD ["uvicorn", "app:app", "--reload"]\n'})
    [finding] = findings_of(tree, "uvicorn-single-worker")
    assert propose(tree, finding) is None
    write(tree, {"Dockerfile": HEAD + 'CMD ["uvicorn", "app:app", "--workers", "1"]\n'})
    [finding] = findings_of(tree, "uvicorn-single-worker")
    assert propose(tree, finding) is None


def test_python_module_exec_form(tree: Path) -> None:
    text = HEAD + 'ENTRYPOINT ["python", "-m", "uvicorn", "app:app"]\n'
    texts = check_fixed(tree, "uvicorn-single-worker", {"Dockerfile": text})
    cmd = parse_dockerfile(texts["Dockerfile"]).final_stage.of("ENTRYPOINT")[0]
    assert cmd.exec_form == ["sh", "-c", f"exec python -m uvicorn app:app {WORKERS}"]


def test_shell_form_with_several_commands_is_refused(tree: Path) -> None:
    write(tree, {"Dockerfile": HEAD + "CMD alembic upgrade head && uvicorn app:app\n"})
    [finding] = findings_of(tree, "uvicorn-single-worker")
    assert propose(tree, finding) is None
