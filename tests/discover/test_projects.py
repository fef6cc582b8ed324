"""Project discovery: markers, nesting, workspaces, skipped folders, gitignore."""

from __future__ import annotations

from pathlib import Path

from optimus.discover.projects import assign_files, find_projects
from optimus.discover.walk import walk
from tests.helpers import write_tree


def _projects(root: Path) -> dict[str, list[str]]:
    return find_projects(walk(str(root)))


def test_manifests_make_projects_and_nested_projects_are_separate(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "api/pyproject.toml": "[project]\nname='api'\n",
            "api/app.py": "x = 1\n",
            "api/plugins/extra/setup.py": "",
            "web/package.json": "{}",
            "svc/go.mod": "module x\n",
            "java/pom.xml": "<project/>",
            "rb/Gemfile": "",
            "php/composer.json": "{}",
            "reqs/requirements-dev.txt": "pytest\n",
        },
    )
    found = _projects(tmp_path)
    assert set(found) == {
        "api",
        "api/plugins/extra",
        "web",
        "svc",
        "java",
        "rb",
        "php",
        "reqs",
    }


def test_cargo_workspace_is_one_project_with_members(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "ws/Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
            "ws/crates/a/Cargo.toml": "[package]\nname='a'\n",
            "ws/crates/a/src/main.rs": "fn main() {}\n",
            "ws/crates/b/Cargo.toml": "[package]\nname='b'\n",
        },
    )
    found = _projects(tmp_path)
    assert set(found) == {"ws"}
    assert sorted(found["ws"]) == ["ws/crates/a", "ws/crates/b"]


def test_npm_workspaces_are_members(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "mono/package.json": '{"workspaces": ["packages/*"]}',
            "mono/packages/ui/package.json": '{"name": "ui"}',
            "mono/packages/ui/index.js": "export default 1\n",
        },
    )
    found = _projects(tmp_path)
    assert set(found) == {"mono"}
    assert found["mono"] == ["mono/packages/ui"]


def test_weak_markers_only_outside_other_projects(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "svc/pyproject.toml": "",
            "svc/Dockerfile": "FROM python:3.12-slim\n",
            "svc/k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
            "lone-image/Dockerfile": "FROM alpine\n",
            "manifests/app.yaml": "apiVersion: v1\nkind: Service\n",
            "chart/Chart.yaml": "name: x\n",
            "notes/readme.yaml": "title: not kubernetes\n",
        },
    )
    found = _projects(tmp_path)
    assert set(found) == {"svc", "lone-image", "manifests", "chart"}


def test_dependency_and_build_folders_are_never_entered(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/package.json": "{}",
            "app/node_modules/lib/package.json": "{}",
            "app/node_modules/lib/index.js": "x\n",
            "app/.venv/lib/site.py": "x\n",
            "app/target/debug/build.rs": "x\n",
            "app/src/index.js": "x\n",
        },
    )
    walked = walk(str(tmp_path))
    paths = [f.path for f in walked.files]
    assert paths == ["app/package.json", "app/src/index.js"]
    assert set(find_projects(walked)) == {"app"}


def test_gitignore_is_honoured(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "p/pyproject.toml": "",
            "p/.gitignore": "generated/\n*.tmp.py\n!keep.tmp.py\n",
            "p/generated/big.py": "x\n",
            "p/a.tmp.py": "x\n",
            "p/keep.tmp.py": "x\n",
            "p/main.py": "x\n",
        },
    )
    paths = {f.path for f in walk(str(tmp_path)).files}
    assert "p/generated/big.py" not in paths
    assert "p/a.tmp.py" not in paths
    assert {"p/main.py", "p/keep.tmp.py"} <= paths


def test_root_without_manifest_holding_loose_code_is_a_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/mod.py": "x = 1\n", "other/pyproject.toml": ""})
    walked = walk(str(tmp_path))
    found = find_projects(walked)
    assert set(found) == {".", "other"}
    owned = assign_files(walked.files, found)
    assert [f.path for f in owned["."]] == ["pkg/mod.py"]
    assert [f.path for f in owned["other"]] == ["other/pyproject.toml"]


def test_symlink_loop_does_not_trap_the_walk(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p/pyproject.toml": "", "p/a.py": "x\n"})
    (tmp_path / "p" / "loop").symlink_to(tmp_path / "p", target_is_directory=True)
    (tmp_path / "p" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    walked = walk(str(tmp_path))
    assert [f.path for f in walked.files] == ["p/a.py", "p/pyproject.toml"]


def test_uv_workspace_members_belong_to_the_root(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "mono/pyproject.toml": "[tool.uv.workspace]\nmembers = ['packages/*']\n",
            "mono/uv.lock": "version = 1\n",
            "mono/packages/api/pyproject.toml": "[project]\nname = 'api'\n",
            "mono/packages/api/app.py": "x = 1\n",
        },
    )
    found = _projects(tmp_path)
    assert set(found) == {"mono"}
    assert found["mono"] == ["mono/packages/api"]
