"""deps-dev-prod-duplicate fix: the development entry removed, the rest byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fix.codemods.conftest import changed_lines, check_fixed

PACKAGE = """\
{
    "name": "web",
    "version": "1.0.0",
    "dependencies": {
        "express": "^4.19.2",
        "zod": "^3.0.0"
    },
    "devDependencies": {
        "jest": "^29.0.0",
        "zod": "^3.1.0",
        "express": "^4.19.2"
    },
    "files": ["dist", "src"]
}
"""


def test_package_json_lines_removed_and_comma_fixed(tree: Path) -> None:
    texts = check_fixed(tree, "deps-dev-prod-duplicate", {"package.json": PACKAGE}, expect_fixes=2)
    removed, added = changed_lines(PACKAGE, texts["package.json"])
    assert removed == [
        '        "jest": "^29.0.0",\n',
        '        "zod": "^3.1.0",\n',
        '        "express": "^4.19.2"\n',
    ]
    assert added == ['        "jest": "^29.0.0"\n']


def test_package_json_one_line_object_rendered_in_file_style(tree: Path) -> None:
    text = (
        '{\r\n\t"dependencies": {"lodash": "^4.17.21"},\r\n'
        '\t"devDependencies": {"lodash": "^4.17.0", "jest": "^29.0.0"}\r\n}\r\n'
    )
    texts = check_fixed(tree, "deps-dev-prod-duplicate", {"package.json": text.encode()})
    new = texts["package.json"]
    assert json.loads(new)["devDependencies"] == {"jest": "^29.0.0"}
    assert new.startswith('{\r\n\t"dependencies": {\r\n\t\t"lodash": "^4.17.21"\r\n\t},\r\n')
    assert new.endswith("}\r\n")


PYPROJECT = """\
[project]
name = "svc"
version = "1.0"
dependencies = [
    "requests>=2.31",  # HTTP
    "pydantic>=2",
]

[project.optional-dependencies]
test = ["pytest", "Pydantic>=2.5"]

[dependency-groups]
dev = [
    "requests>=2.31",
    "ruff",  # lint
]

[tool.poetry.group.dev.dependencies]
requests = "^2.31"
"""


def test_pyproject_groups_extras_and_poetry_tables(tree: Path) -> None:
    texts = check_fixed(
        tree, "deps-dev-prod-duplicate", {"pyproject.toml": PYPROJECT}, expect_fixes=3
    )
    removed, added = changed_lines(PYPROJECT, texts["pyproject.toml"])
    assert removed == [
        'test = ["pytest", "Pydantic>=2.5"]\n',
        '    "requests>=2.31",\n',
        'requests = "^2.31"\n',
    ]
    assert added == ['test = ["pytest"]\n']


def test_uv_and_pdm_development_lists(tree: Path) -> None:
    text = (
        "[project]\n"
        'name = "svc"\n'
        'version = "1.0"\n'
        'dependencies = ["httpx>=0.27", "rich"]\n'
        "\n"
        "[tool.uv]\n"
        'dev-dependencies = ["pytest", "httpx"]  # tests\n'
        "\n"
        "[tool.pdm.dev-dependencies]\n"
        'lint = ["ruff", "rich>=13"]\n'
    )
    texts = check_fixed(tree, "deps-dev-prod-duplicate", {"pyproject.toml": text}, expect_fixes=2)
    removed, added = changed_lines(text, texts["pyproject.toml"])
    assert removed == [
        'dev-dependencies = ["pytest", "httpx"]  # tests\n',
        'lint = ["ruff", "rich>=13"]\n',
    ]
    assert added == ['dev-dependencies = ["pytest"]  # tests\n', 'lint = ["ruff"]\n']


def test_poetry_dev_dependencies_table(tree: Path) -> None:
    text = (
        "[tool.poetry]\n"
        'name = "svc"\n'
        'version = "1.0"\n'
        "\n"
        "[tool.poetry.dependencies]\n"
        'python = "^3.11"\n'
        'Flask = "^3.0"\n'
        "\n"
        "[tool.poetry.dev-dependencies]\n"
        'pytest = "^8"\n'
        'flask = "^3.0"  # for the test client\n'
    )
    texts = check_fixed(tree, "deps-dev-prod-duplicate", {"pyproject.toml": text})
    removed, added = changed_lines(text, texts["pyproject.toml"])
    assert removed == ['flask = "^3.0"  # for the test client\n']
    assert added == []
