"""Stack detection from manifests, imports and infrastructure files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from optimus.analyze.engine import ScanOptions, scan
from tests.helpers import write_tree


def _scan(root: Path):
    return scan([str(root)], ScanOptions(use_cache=False, jobs=1))


def test_python_service_stack(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "svc/pyproject.toml": (
                "[project]\nname='svc'\ndependencies=['fastapi>=0.110', 'SQLAlchemy[asyncio]']\n"
            ),
            "svc/uv.lock": "",
            "svc/app/main.py": "import celery\nfrom torch import nn\nx = 1\n",
            "svc/Dockerfile": "FROM python:3.12-slim\n",
            "svc/docker-compose.yml": "services: {}\n",
            "svc/.github/workflows/ci.yml": "on: push\n",
            "svc/infra/main.tf": "",
            "svc/deploy/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
        },
    )
    project = _scan(tmp_path).projects[0]
    stack = project.stack
    assert stack.languages["Python"].files == 1
    assert stack.languages["Python"].lines == 3
    assert stack.frameworks == ["Celery", "FastAPI", "PyTorch", "SQLAlchemy"]
    assert stack.lockfiles == ["uv.lock"]
    assert "uv" in stack.package_managers
    assert stack.infrastructure == [
        "Docker Compose",
        "Dockerfile",
        "GitHub Actions",
        "Kubernetes",
        "Terraform",
    ]


def test_rust_and_node_stacks(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "rs/Cargo.toml": "[package]\nname='rs'\n[dependencies]\ntokio='1'\naxum='0.7'\n",
            "rs/Cargo.lock": "",
            "rs/src/main.rs": "use serde::Serialize;\nfn main() {}\n",
            "web/package.json": '{"dependencies": {"next": "14", "react": "18"}}',
            "web/yarn.lock": "",
            "web/app/page.tsx": "import express from 'express'\n",
        },
    )
    projects = {p.path: p for p in _scan(tmp_path).projects}
    assert projects["rs"].stack.frameworks == ["axum", "serde", "tokio"]
    assert projects["rs"].stack.package_managers == ["cargo"]
    assert projects["web"].stack.frameworks == ["Express", "Next.js", "React"]
    assert projects["web"].stack.languages["TypeScript"].files == 1
    assert "yarn" in projects["web"].stack.package_managers


def test_git_facts_are_read_with_git(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": "", "a.py": "x = 1\n"})

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "trunk")
    git("-c", "user.email=a@example.com", "-c", "user.name=A", "add", ".")
    git("-c", "user.email=a@example.com", "-c", "user.name=A", "commit", "-qm", "one")
    (repo / "a.py").write_text("x = 2\n")
    git("-c", "user.email=b@example.com", "-c", "user.name=B", "commit", "-qam", "two")
    (repo / "b.py").write_text("y = 1\n")
    facts = _scan(tmp_path).projects[0].git
    assert facts is not None
    assert facts.branch == "trunk"
    assert facts.commits == 2
    assert facts.contributors == 2
    assert facts.dirty is True
    assert facts.last_commit and facts.last_commit[:2] == "20"
