"""ci-no-dependency-cache fix: `cache:` added to the setup step through ruamel.yaml."""

from __future__ import annotations

from pathlib import Path

from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

WORKFLOW = """\
name: ci  # the main workflow
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      # python for the tests
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      - run: pip install -r requirements.txt
  web:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
      - run: npm ci
"""
FILES = {"requirements.txt": "flask\n", "package.json": "{}\n", "package-lock.json": "{}\n"}


def test_pip_and_npm_caches(tree: Path) -> None:
    path = ".github/workflows/ci.yml"
    texts = check_fixed(tree, "ci-no-dependency-cache", {path: WORKFLOW, **FILES}, expect_fixes=2)
    removed, added = changed_lines(WORKFLOW, texts[path])
    assert removed == []
    assert added == [
        "          cache: pip\n",
        "        with:\n",
        "          cache: npm\n",
    ]
    assert "python-version: '3.12'" in texts[path]


def test_other_indentation_and_crlf(tree: Path) -> None:
    text = (
        "jobs:\r\n"
        "    build:\r\n"
        "        runs-on: ubuntu-latest\r\n"
        "        steps:\r\n"
        "        -   uses: actions/setup-go@v3\r\n"
        "        -   run: go build ./...\r\n"
    )
    path = ".github/workflows/go.yml"
    texts = check_fixed(
        tree,
        "ci-no-dependency-cache",
        {path: text.encode(), "go.mod": "module x\n", "go.sum": ""},
    )
    assert texts[path] == text.replace(
        "setup-go@v3\r\n", "setup-go@v3\r\n            with:\r\n                cache: true\r\n"
    )


def test_poetry_is_refused(tree: Path) -> None:
    workflow = (
        "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/setup-python@v5\n      - run: poetry install\n"
    )
    write(
        tree,
        {
            ".github/workflows/ci.yml": workflow,
            "poetry.lock": "# lock\n",
            "pyproject.toml": '[tool.poetry]\nname = "x"\n',
        },
    )
    [finding] = findings_of(tree, "ci-no-dependency-cache")
    assert propose(tree, finding) is None


def test_existing_with_block_keeps_comments_and_quotes(tree: Path) -> None:
    workflow = (
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        '      - uses: "actions/setup-node@v4"  # node\n'
        "        with:\n"
        "          node-version: '20'  # LTS\n"
        "\n"
        "      - run: yarn install --frozen-lockfile\n"
    )
    path = ".github/workflows/web.yml"
    texts = check_fixed(
        tree,
        "ci-no-dependency-cache",
        {path: workflow, "package.json": "{}\n", "yarn.lock": "# yarn\n"},
    )
    assert texts[path] == workflow.replace(
        "          node-version: '20'  # LTS\n",
        "          node-version: '20'  # LTS\n          cache: yarn\n",
    )
