"""Lockfile and pinned-manifest parsers behind deps-vulnerable (one sample per format)."""

from __future__ import annotations

import pytest

from optimus.rules.deps._lockfiles import Locked, is_pylock, locked_versions
from optimus.rules.deps._requirements import requirement_lines, requirement_pin


def triples(items: list[Locked]) -> list[tuple[str, str, str, int | None]]:
    return [(i.ecosystem, i.name, i.version, i.line) for i in items]


def test_requirements() -> None:
    text = (
        "# comment\n"
        "requests==2.19.0 \\\n"
        "    --hash=sha256:aaa \\\n"
        "    --hash=sha256:bbb\n"
        "Django[argon2] == 3.2.1 ; python_version > '3.8'\n"
        "flask>=2\n"
        "-e git+https://example.invalid/x.git#egg=x\n"
        "numpy==1.*\n"
        "pkg===1.0-legacy  # arbitrary equality\n"
    )
    assert triples(locked_versions("requirements-prod.txt", text)) == [
        ("PyPI", "requests", "2.19.0", 2),
        ("PyPI", "Django", "3.2.1", 5),
        ("PyPI", "pkg", "1.0-legacy", 9),
    ]
    assert requirement_lines("a \\\nb\n\n# c\n") == [(1, "a  b")]
    assert requirement_pin("x @ https://example.invalid/x.whl") is None


def test_uv_lock_skips_the_project_and_path_sources() -> None:
    text = (
        "version = 1\n\n"
        '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n\n'
        '[[package]]\nname = "anyio"\nversion = "4.4.0"\n'
        'source = { registry = "https://pypi.org/simple" }\n\n'
        '[[package]]\nname = "lib"\nversion = "1.0"\nsource = { git = "https://x.invalid" }\n'
    )
    assert triples(locked_versions("uv.lock", text)) == [("PyPI", "anyio", "4.4.0", 8)]


def test_poetry_and_pdm_locks() -> None:
    poetry = (
        '[[package]]\nname = "click"\nversion = "8.1.7"\noptional = false\n\n'
        '[[package]]\nname = "local"\nversion = "0.1"\n\n[package.source]\n'
        'type = "directory"\nurl = "../local"\n\n'
        '[[package]]\nname = "private"\nversion = "2.0"\n\n[package.source]\n'
        'type = "legacy"\nurl = "https://pypi.example.invalid/simple"\n'
    )
    assert triples(locked_versions("poetry.lock", poetry)) == [
        ("PyPI", "click", "8.1.7", 1),
        ("PyPI", "private", "2.0", 14),
    ]
    pdm = '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "idna"\nversion = "3.7"\n'
    assert triples(locked_versions("pdm.lock", pdm)) == [("PyPI", "idna", "3.7", 4)]


def test_pylock() -> None:
    text = (
        'lock-version = "1.0"\ncreated-by = "uv"\n\n'
        '[[packages]]\nname = "attrs"\nversion = "24.2.0"\n'
        'wheels = [{ url = "https://files.example.invalid/attrs.whl" }]\n\n'
        '[[packages]]\nname = "mine"\ndirectory = { path = "." }\n'
    )
    assert triples(locked_versions("pylock.dev.toml", text)) == [("PyPI", "attrs", "24.2.0", 4)]
    assert is_pylock("pylock.toml") and is_pylock("pylock.prod.toml")
    assert not is_pylock("pylock.a.b.toml") and not is_pylock("mypylock.toml")


def test_pipfile_lock() -> None:
    text = (
        '{\n  "_meta": {},\n  "default": {\n    "urllib3": {\n      "version": "==1.26.5"\n'
        '    },\n    "editable": {"editable": true, "path": "."}\n  },\n'
        '  "develop": {\n    "pytest": {"version": "==8.0.0"}\n  }\n}\n'
    )
    assert triples(locked_versions("Pipfile.lock", text)) == [
        ("PyPI", "urllib3", "1.26.5", 4),
        ("PyPI", "pytest", "8.0.0", 10),
    ]


def test_pyproject_exact_pins() -> None:
    text = (
        '[project]\nname = "x"\nversion = "1"\ndependencies = [\n'
        '  "fastapi==0.110.0",\n  "pydantic>=2",\n]\n'
    )
    assert triples(locked_versions("pyproject.toml", text)) == [("PyPI", "fastapi", "0.110.0", 5)]


def test_package_lock_v3_and_v1() -> None:
    v3 = (
        '{\n  "lockfileVersion": 3,\n  "packages": {\n    "": {"name": "app"},\n'
        '    "node_modules/lodash": {\n      "version": "4.17.20",\n'
        '      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"\n    },\n'
        '    "node_modules/a/node_modules/@scope/b": {"version": "1.0.0"},\n'
        '    "node_modules/alias": {"name": "real-pkg", "version": "2.0.0"},\n'
        '    "node_modules/linked": {"link": true, "resolved": "packages/linked"},\n'
        '    "node_modules/local": {"version": "1.0.0", "resolved": "file:../local"}\n'
        "  }\n}\n"
    )
    assert triples(locked_versions("package-lock.json", v3)) == [
        ("npm", "lodash", "4.17.20", 5),
        ("npm", "@scope/b", "1.0.0", 9),
        ("npm", "real-pkg", "2.0.0", 10),
    ]
    v1 = (
        '{\n  "lockfileVersion": 1,\n  "dependencies": {\n'
        '    "minimist": {\n      "version": "0.0.8",\n      "dependencies": {\n'
        '        "deep": {"version": "1.2.3"}\n      }\n    },\n'
        '    "gitdep": {"version": "git+https://example.invalid/x.git#abc"}\n  }\n}\n'
    )
    assert triples(locked_versions("npm-shrinkwrap.json", v1)) == [
        ("npm", "minimist", "0.0.8", 4),
        ("npm", "deep", "1.2.3", 7),
    ]


def test_yarn_v1_and_berry() -> None:
    v1 = (
        "# yarn lockfile v1\n\n\n"
        '"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":\n'
        '  version "7.12.13"\n  resolved "https://registry.yarnpkg.com/x"\n\n'
        'lodash@^4.17.19:\n  version "4.17.21"\n\n'
        'my-alias@npm:real-pkg@^1.0.0:\n  version "1.0.3"\n'
    )
    assert triples(locked_versions("yarn.lock", v1)) == [
        ("npm", "@babel/code-frame", "7.12.13", 4),
        ("npm", "lodash", "4.17.21", 8),
        ("npm", "real-pkg", "1.0.3", 11),
    ]
    berry = (
        "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"
        '"app@workspace:.":\n  version: 0.0.0-use.local\n\n'
        '"react@npm:^18.2.0":\n  version: 18.3.1\n  resolution: "react@npm:18.3.1"\n\n'
        '"@types/node@npm:*, @types/node@npm:^20":\n  version: 20.11.0\n'
    )
    assert triples(locked_versions("yarn.lock", berry)) == [
        ("npm", "react", "18.3.1", 8),
        ("npm", "@types/node", "20.11.0", 12),
    ]


@pytest.mark.parametrize(
    "packages",
    [
        # v5: /name/version, peers after "_"
        "  /lodash/4.17.21:\n    resolution: {integrity: x}\n"
        "  /@scope/pkg/1.0.0_react@18.0.0:\n    dev: false\n",
        # v6: /name@version(peers)
        "  /lodash@4.17.21:\n    resolution: {integrity: x}\n"
        "  /@scope/pkg@1.0.0(react@18.0.0):\n    dev: false\n",
        # v9: name@version, quoted when scoped
        "  lodash@4.17.21:\n    resolution: {integrity: x}\n"
        "  '@scope/pkg@1.0.0':\n    resolution: {integrity: y}\n",
    ],
)
def test_pnpm_versions(packages: str) -> None:
    text = (
        "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      lodash:\n"
        "        specifier: ^4\n        version: 4.17.21\n\npackages:\n\n" + packages
    )
    assert triples(locked_versions("pnpm-lock.yaml", text)) == [
        ("npm", "lodash", "4.17.21", 12),
        ("npm", "@scope/pkg", "1.0.0", 14),
    ]


def test_bun_lock() -> None:
    text = (
        '{\n  "lockfileVersion": 1,\n  "workspaces": {"": {"name": "app"}},\n'
        '  "packages": {\n    "@astrojs/check": ["@astrojs/check@0.9.6", "", {}, "sha512-x"],\n'
        '    "zod": ["zod@3.23.8", "", {}, "sha512-y"],\n  },\n}\n'
    )
    assert triples(locked_versions("bun.lock", text)) == [
        ("npm", "@astrojs/check", "0.9.6", 5),
        ("npm", "zod", "3.23.8", 6),
    ]


def test_package_json_exact_versions() -> None:
    text = (
        '{\n  "dependencies": {\n    "a": "1.2.3",\n    "b": "^1.2.3",\n'
        '    "c": "=v2.0.0-rc.1",\n    "d": "file:../d"\n  }\n}\n'
    )
    assert triples(locked_versions("package.json", text)) == [
        ("npm", "a", "1.2.3", 3),
        ("npm", "c", "2.0.0-rc.1", 5),
    ]


def test_cargo_lock_and_manifest() -> None:
    lock = (
        "version = 3\n\n"
        '[[package]]\nname = "app"\nversion = "0.1.0"\n\n'
        '[[package]]\nname = "serde"\nversion = "1.0.100"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
        '[[package]]\nname = "tokio"\nversion = "1.0.0"\nsource = "sparse+https://index.crates.io/"\n\n'
        '[[package]]\nname = "forked"\nversion = "0.1.0"\nsource = "git+https://x.invalid#abc"\n'
    )
    assert triples(locked_versions("Cargo.lock", lock)) == [
        ("crates.io", "serde", "1.0.100", 7),
        ("crates.io", "tokio", "1.0.0", 12),
    ]
    manifest = (
        '[package]\nname = "app"\n\n[dependencies]\nserde = "=1.0.100"\n'
        'tokio = { version = "=1.0.0", features = ["full"] }\nrand = "0.8"\n'
        'renamed = { package = "real-crate", version = "=0.3.1" }\n'
        'local = { path = "../local", version = "=0.1.0" }\n'
    )
    assert triples(locked_versions("Cargo.toml", manifest)) == [
        ("crates.io", "serde", "1.0.100", 5),
        ("crates.io", "tokio", "1.0.0", 6),
        ("crates.io", "real-crate", "0.3.1", 8),
    ]


def test_unknown_files_and_parse_errors() -> None:
    assert locked_versions("README.md", "anything") == []
    with pytest.raises(ValueError):
        locked_versions("package-lock.json", "{not json")
    with pytest.raises(ValueError):
        locked_versions("Cargo.lock", "[[package]\n")
