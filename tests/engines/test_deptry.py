"""The deptry engine (deps-unused, Python): a real run on a small project, and the
normalization of deptry's JSON (what is dropped, where findings land) without deptry."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.analyze.project_context import ProjectContext
from optimus.engines.base import EngineError
from optimus.engines.deptry import (
    Deptry,
    declared_names,
    dependency_line,
    deptry_hits,
    module_name_map,
    project_site_packages,
)
from optimus.model import ScanResult
from optimus.parse.kinds import kind_of
from optimus.parse.source import SourceFile
from optimus.testing.harness import expected_findings
from tests.helpers import write_tree

FIXTURES = Path(__file__).parent / "fixtures"
DEPTRY = Deptry().executable()
needs_deptry = pytest.mark.skipif(
    DEPTRY is None and os.environ.get("CI") != "true",
    reason="deptry is not installed (pip install deptry); CI runs these tests",
)


def context(files: dict[str, str], project: str = ".") -> ProjectContext:
    """A ProjectContext holding these infrastructure files (paths project-relative)."""
    from optimus.model import Project

    prefix = "" if project == "." else project + "/"
    sources = {}
    for rel, text in files.items():
        kind = kind_of(rel.rsplit("/", 1)[-1])
        if kind not in (None, "python", "meta"):
            sources[prefix + rel] = SourceFile(prefix + rel, rel, kind, text.encode())
    return ProjectContext(Project(project, "p"), sources, [prefix + r for r in files])


def _scan(path: Path) -> ScanResult:
    options = ScanOptions(overrides={"select": ("deps-unused",)}, use_cache=False, jobs=1)
    return scan([str(path)], options)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "deptry_project"
    shutil.copytree(FIXTURES / "deptry_project", target)
    return target


# --- real runs -------------------------------------------------------------------------------


@needs_deptry
def test_real_run_matches_the_fixture_markers(project: Path) -> None:
    result = _scan(project)
    expected = {k for k in expected_findings(str(project)) if k[2] == "deps-unused"}
    assert {(f.path, f.line, f.rule) for f in result.findings} == expected
    assert not result.diagnostics
    blake3 = next(f for f in result.findings if f.line == 7)
    assert blake3.engine == "deptry" and blake3.code == "DP003"
    assert blake3.message.startswith(
        "blake3 is declared in pyproject.toml but no code outside tests imports it (deptry DEP002)"
    )
    assert 'DEP002 = ["blake3"]' in blake3.message


@needs_deptry
def test_project_virtualenv_gives_deptry_the_import_names(tmp_path: Path) -> None:
    site = f".venv/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
    root = write_tree(
        tmp_path / "svc",
        {
            "pyproject.toml": (
                '[project]\nname = "svc"\nversion = "0"\n'
                'dependencies = ["acme-client", "acme-unused"]\n'
            ),
            "svc/__init__.py": "import acme_api\n",
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            f"{site}/acme_client-1.0.dist-info/METADATA": "Name: acme-client\nVersion: 1.0\n",
            f"{site}/acme_client-1.0.dist-info/top_level.txt": "acme_api\n",
            f"{site}/acme_unused-1.0.dist-info/METADATA": "Name: acme-unused\nVersion: 1.0\n",
            f"{site}/acme_unused-1.0.dist-info/top_level.txt": "acme_other\n",
        },
    )
    assert project_site_packages(str(root)) == str(root / site)
    result = _scan(root)
    # acme-client is imported as acme_api (known only from the project's .venv); acme-unused
    # is installed there too, so deptry knows it is unused instead of guessing
    assert [(f.path, f.line) for f in result.findings] == [("pyproject.toml", 4)]
    assert result.findings[0].message.startswith("acme-unused is declared")


@needs_deptry
def test_failure_becomes_a_diagnostic(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "bad",
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "0"\ndependencies = ["a"]\n'
            "[tool.deptry]\nno_such_option = 1\n",
            "x.py": "import a\n",
        },
    )
    result = _scan(root)
    assert result.findings == []
    assert any("engine deptry: deptry failed" in d.message for d in result.diagnostics)


def test_failure_without_output_raises(tmp_path: Path) -> None:
    fake = tmp_path / "deptry"
    fake.write_text("#!/bin/sh\necho 'boom: it broke' >&2\nexit 2\n")
    fake.chmod(0o755)
    ctx = context({"pyproject.toml": '[project]\nname = "x"\nversion = "0"\n'})
    with pytest.raises(EngineError, match="deptry failed \\(exit 2\\): boom: it broke"):
        Deptry().run(ctx, str(tmp_path), str(fake))


# --- normalization ---------------------------------------------------------------------------

PYPROJECT = """[project]
name = "svc"
version = "0"
dependencies = [
    "requests>=2",
    "Foo_Bar[extra]>=1",
    "uvicorn[standard]",
]

[project.optional-dependencies]
pg = ["psycopg2-binary"]

[tool.poetry.dependencies]
python = "^3.11"
baz = "^1"

[tool.deptry.package_module_name_map]
foo-bar = "foobar"
"""


def _item(name: str, file: str = "pyproject.toml", code: str = "DEP002") -> dict:
    return {
        "error": {"code": code, "message": f"'{name}' defined as a dependency but not used"},
        "module": name,
        "location": {"file": file, "line": None, "column": None},
    }


def test_declared_names_and_module_map() -> None:
    ctx = context({"pyproject.toml": PYPROJECT, "requirements.txt": "PyYAML==6.0\n# c\n"})
    assert declared_names(ctx) == [
        "requests",
        "Foo_Bar",
        "uvicorn",
        "psycopg2-binary",
        "baz",
        "PyYAML",
    ]
    mapping = module_name_map(ctx)
    assert mapping["PyYAML"] == ("yaml",)  # spelled as declared: deptry looks names up as-is
    assert mapping["foo-bar"] == ("foobar",)  # the user's own map is kept


def test_command_line_passes_the_map_and_uses_the_project_env(tmp_path: Path) -> None:
    ctx = context({"requirements.txt": "pillow\n"})
    args = Deptry().command(ctx, str(tmp_path), "/usr/bin/deptry", "/tmp/out.json")
    assert args[:5] == ["/usr/bin/deptry", ".", "--json-output", "/tmp/out.json", "--no-ansi"]
    assert args[-2:] == ["--package-module-name-map", "pillow=PIL"]
    # extras named like development groups are development dependencies for deptry
    own = '[project]\nname = "x"\n[project.optional-dependencies]\ntest = ["a"]\npg = ["b"]\n'
    args = Deptry().command(context({"pyproject.toml": own}), str(tmp_path), "deptry", "o.json")
    assert args[-2:] == ["--optional-dependencies-dev-groups", "test"]
    configured = own + "[tool.deptry]\noptional_dependencies_dev_groups = []\n"
    args = Deptry().command(context({"pyproject.toml": configured}), str(tmp_path), "d", "o")
    assert "--optional-dependencies-dev-groups" not in args
    site = tmp_path / ".venv" / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    beside = str(Path(sys.executable).parent / "deptry")
    args = Deptry().command(ctx, str(tmp_path), beside, "/tmp/out.json")
    assert args[:2] == [sys.executable, "-c"] and args[3] == str(site)
    assert args[4:6] == [".", "--json-output"]


def test_requirements_in_lines_are_read_from_disk(tmp_path: Path) -> None:
    (tmp_path / "requirements.in").write_text("flask\nrequests\n")
    ctx = context({"requirements.txt": "flask==3.0.0\n"})
    assert dependency_line(ctx, "requirements.in", "requests", str(tmp_path)) == 2
    assert dependency_line(ctx, "requirements.in", "requests") is None


def test_hits_drop_what_deptry_cannot_know() -> None:
    ctx = context(
        {
            "pyproject.toml": PYPROJECT,
            "Procfile": "worker: ddtrace-run python -m worker\n",
        },
        project="svc",
    )
    items = [
        _item("requests"),
        _item("Foo_Bar"),
        _item("uvicorn"),  # a command
        _item("psycopg2-binary"),  # a driver named in a URL
        _item("types-requests"),  # stubs
        _item("pytest-cov"),  # a plugin
        _item("ddtrace"),  # named in the Procfile
        _item("guessed-pkg"),  # deptry guessed its import name
        _item("baz", code="DEP001"),  # other checks are not this rule
    ]
    stderr = (
        "Assuming the corresponding module name of package 'guessed-pkg' is 'guessed_pkg'. "
        "Install the package or configure a package_module_name_map entry...\n"
    )
    hits = deptry_hits(items, stderr, ctx, "/nonexistent")
    assert [(h.rule, h.path, h.line) for h in hits] == [
        ("deps-unused", "svc/pyproject.toml", 5),
        ("deps-unused", "svc/pyproject.toml", 6),
    ]


def test_django_apps_named_in_settings_are_used(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "site/settings/base.py": (
                'INSTALLED_APPS = ["rest_framework", "corsheaders", "health_check"]\n'
                'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n'
            ),
            "manage.py": "",
        },
    )
    ctx = context(
        {
            "requirements.txt": "Django\ndjangorestframework\ndjango-health-check\nhealth-check\n"
            "requests\n",
            "manage.py": "",
            "site/settings/base.py": "",
        }
    )
    names = ("djangorestframework", "health-check", "requests")
    items = [_item(n, "requirements.txt") for n in names]
    hits = deptry_hits(items, "", ctx, str(tmp_path))
    assert [(h.path, h.line) for h in hits] == [("requirements.txt", 5)]


def test_dependency_lines() -> None:
    ctx = context(
        {
            "pyproject.toml": PYPROJECT,
            "requirements-prod.txt": "# requests is listed below\n  Requests==2.31\n",
        }
    )
    assert dependency_line(ctx, "pyproject.toml", "foo-bar") == 6  # PEP 503 spelling
    assert dependency_line(ctx, "pyproject.toml", "baz") == 15  # Poetry key
    assert dependency_line(ctx, "pyproject.toml", "missing") is None
    assert dependency_line(ctx, "requirements-prod.txt", "requests") == 2
    assert dependency_line(ctx, "nothere.txt", "requests") is None


def test_applies_only_with_a_dependency_specification() -> None:
    engine = Deptry()
    ctx = context({"pyproject.toml": "[tool.ruff]\nline-length = 100\n", "app.py": ""})
    assert not engine.applies(ctx)
    ctx = context({"requirements.txt": "x\n", "app.py": ""})
    assert engine.applies(ctx)
    ctx = context({"requirements.txt": "x\n"})
    assert not engine.applies(ctx)  # no Python code: nothing imports anything
    ctx = context(
        {"pyproject.toml": '[tool.deptry]\nrequirements_files = ["reqs/prod.txt"]\n', "a.py": ""}
    )
    assert not engine.applies(ctx)


def test_a_test_folders_own_requirements_are_not_checked() -> None:
    # backends/neuron/tests/requirements.txt: every import there is test code, which deptry
    # does not count, so each dependency would be reported as unused.
    engine = Deptry()
    files = {"requirements.txt": "pytest\nrequests\n", "test_api.py": "import requests\n"}
    assert not engine.applies(context(files, project="backends/neuron/tests"))
    assert engine.applies(context(files, project="backends/neuron"))


def test_constraint_pins_commented_pins_and_extras_are_not_unused() -> None:
    pyproject = (
        '[project]\nname = "server"\nversion = "0"\ndependencies = [\n'
        "    # Remove explicit click dependency once typer/click are compatible again.\n"
        '    "click<8.2.0",\n'
        '    "urllib3!=2.0.0,<3",\n'
        '    "typer>=0.15",\n'
        '    "rich>=13",\n'
        '    "loguru>=0.7",\n'
        "]\n"
    )
    ctx = context({"pyproject.toml": pyproject})
    items = [_item(n) for n in ("click", "urllib3", "rich", "loguru")]
    hits = deptry_hits(items, "", ctx, "/nonexistent")
    # click: a pin explained by a comment; urllib3: only an upper bound (a constraint on a
    # transitive dependency); rich: typer's optional extra. loguru is really unused.
    assert [h.line for h in hits] == [10]


def test_a_package_another_dependency_requires_is_not_unused(tmp_path: Path) -> None:
    # emailservice: requests is in requirements.in, imported nowhere, but the compiled
    # requirements.txt says google-api-core needs it too: removing the line ships the same.
    write_tree(
        tmp_path,
        {
            "requirements.in": "google-api-core==2.28.1\nrequests==2.32.5\nloguru==0.7.3\n",
            "requirements.txt": (
                "google-api-core==2.28.1\n    # via -r requirements.in\n"
                "loguru==0.7.3\n    # via -r requirements.in\n"
                "requests==2.32.5\n    # via\n    #   -r requirements.in\n    #   google-api-core\n"
            ),
        },
    )
    ctx = context({"requirements.txt": (tmp_path / "requirements.txt").read_text()})
    items = [_item(n, file="requirements.in") for n in ("requests", "loguru")]
    hits = deptry_hits(items, "", ctx, str(tmp_path))
    assert [h.message.split(" ")[0] for h in hits] == ["loguru"]


# --- test files' imports ---------------------------------------------------------------------


@needs_deptry
def test_an_environment_counts_its_tests_imports(tmp_path: Path) -> None:
    """No [build-system] and pytest among the dependencies: what the tests import is used."""
    target = tmp_path / "deptry_environment"
    shutil.copytree(FIXTURES / "deptry_environment", target)
    result = _scan(target)
    expected = {k for k in expected_findings(str(target)) if k[2] == "deps-unused"}
    assert {(f.path, f.line, f.rule) for f in result.findings} == expected  # blake3 only
    assert not result.diagnostics


@needs_deptry
def test_a_package_keeps_a_runtime_dependency_only_tests_import(project: Path) -> None:
    result = _scan(project)
    pathspec = next(f for f in result.findings if f.message.startswith("pathspec"))
    assert "but only tests import it (deptry DEP002)" in pathspec.message
    assert "move it to a test or dev group" in pathspec.message
    blake3 = next(f for f in result.findings if f.message.startswith("blake3"))
    assert "no code outside tests imports it" in blake3.message


def _environment(tmp_path: Path, pyproject: str, requirements: str = "") -> list[str]:
    """The DEP002 names kept for a project whose tests import yaml, PIL and acme_api."""
    site = ".venv/lib/python3.12/site-packages"
    files = {
        "pyproject.toml": pyproject,
        "tests/test_a.py": "import yaml\nfrom PIL import Image\n",
        "src/app_test.py": "import acme_api.client\n",
        "conftest.py": "from . import local\nimport broken(\n",  # a syntax error is skipped
        "app/main.py": "import blake3\n",  # not a test file: deptry reads it itself
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        f"{site}/acme_client-1.0.dist-info/top_level.txt": "acme_api\n",
    }
    if requirements:
        files["requirements.txt"] = requirements
    root = write_tree(tmp_path, files)
    ctx = context({k: v for k, v in files.items() if not k.startswith(".venv")})
    ctx = ProjectContext(ctx.project, ctx.sources, list(files))
    names = ("PyYAML", "Pillow", "acme-client", "blake3", "requests")
    items = [_item(n, "requirements.txt" if requirements else "pyproject.toml") for n in names]
    return [h.message.split(" ", 1)[0] for h in deptry_hits(items, "", ctx, str(root))]


def test_tests_imports_are_uses_in_a_test_environment(tmp_path: Path) -> None:
    deps = 'dependencies = ["PyYAML", "Pillow", "acme-client", "blake3", "requests"]\n'
    app = '[project]\nname = "x"\nversion = "0"\n' + deps
    # an application without [build-system] still deploys its dependencies: kept
    assert len(_environment(tmp_path / "a0", app)) == 5
    # its dependencies list a test runner: what tests/, *_test.py import is used
    # (acme_api through the .venv metadata)
    env = app.replace('"PyYAML",', '"PyYAML", "pytest",')
    assert _environment(tmp_path / "a", env) == ["blake3", "requests"]
    # a package: kept, with the reason
    package = app + '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "x"\n'
    kept = _environment(tmp_path / "b", package)
    assert kept == ["PyYAML", "Pillow", "acme-client", "blake3", "requests"]
    # a package whose runtime dependencies are a test environment
    runner = package.replace('"PyYAML",', '"PyYAML", "tox",')
    assert _environment(tmp_path / "c", runner) == ["blake3", "requests"]
    # pytest in a dev extra is ordinary: still a package
    extra = package + '[project.optional-dependencies]\ndev = ["pytest"]\n'
    assert len(_environment(tmp_path / "d", extra)) == 5
    # a requirements.txt listing pytest; a pyproject that only configures tools is no signal
    tools = "[tool.ruff]\nline-length = 99\n"
    reqs = "PyYAML\nPillow\nacme-client\nblake3\nrequests\n"
    assert len(_environment(tmp_path / "e", tools, reqs)) == 5
    assert _environment(tmp_path / "f", tools, reqs + "pytest\n") == ["blake3", "requests"]


def test_only_tests_import_message(tmp_path: Path) -> None:
    write_tree(tmp_path, {"tests/test_a.py": "import yaml\n"})
    pyproject = '[project]\nname = "x"\ndependencies = ["PyYAML", "requests"]\n'
    pyproject += '[build-system]\nrequires = ["setuptools"]\n'
    ctx = context({"pyproject.toml": pyproject})
    ctx = ProjectContext(ctx.project, ctx.sources, ["pyproject.toml", "tests/test_a.py"])
    yaml_hit, requests_hit = deptry_hits(
        [_item("PyYAML"), _item("requests")], "", ctx, str(tmp_path)
    )
    assert yaml_hit.message.startswith(
        "PyYAML is declared in pyproject.toml but only tests import it (deptry DEP002)"
    )
    assert "no code outside tests imports it" in requests_hit.message
