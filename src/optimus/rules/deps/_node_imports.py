"""Node packages in ``dependencies`` that nothing in the project uses (for deps-unused).

:func:`unused_node_dependencies` takes a parsed ``package.json`` and the project's files
(path -> bytes: JavaScript/TypeScript sources, and config files such as ``.babelrc`` or
``.eslintrc.json`` where present) and returns the runtime ``dependencies`` nothing uses. A
package counts as used when:

- a file names it in a string: every ``import``/``export ... from``/``require()``/
  ``import()`` specifier is a quoted string (``'lodash'``, ``"lodash/fp"``, ``'@scope/pkg/x'``),
  and so are the places configs name packages (``preset: 'ts-jest'``, ``loader: 'babel-loader'``,
  ``/// <reference types="node" />``, ``"plugins": ["x"]``);
- a ``package.json`` script runs it (its name, its unscoped name, or a known binary name:
  ``tsc`` for typescript, ``ng`` for @angular/cli...);
- another field of ``package.json`` names it (``"jest": {"preset": "ts-jest"}``);
- a framework the project uses loads it itself (React for JSX files and for Next.js, Vue for
  Nuxt, Svelte for SvelteKit...), another package needs it as a peer (``@opentelemetry/api``
  beside any ``@opentelemetry/*``, ``graphql`` beside Apollo, database drivers beside an ORM
  that loads them from a dialect name), or it is a tool, type package, runtime helper or
  plugin that is never imported (``@types/*``, ESLint, Prettier, TypeScript, bundlers, Babel
  plugins, ``tslib``, ``core-js``...).

The matching is textual (no parse), so a comment naming a package also counts as a use:
the function errs towards reporting less. knip (https://knip.dev/) is the complete tool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

#: Never reported: tools, type packages, runtime helpers injected by compilers.
_TOOLS = frozenset(
    {
        "typescript",
        "tslib",
        "prettier",
        "eslint",
        "webpack",
        "webpack-cli",
        "vite",
        "rollup",
        "esbuild",
        "parcel",
        "turbo",
        "nx",
        "lerna",
        "tsup",
        "tsx",
        "ts-node",
        "ts-node-dev",
        "nodemon",
        "concurrently",
        "cross-env",
        "dotenv-cli",
        "rimraf",
        "husky",
        "lint-staged",
        "jest",
        "vitest",
        "mocha",
        "chai",
        "postcss",
        "autoprefixer",
        "tailwindcss",
        "sass",
        "less",
        "core-js",
        "regenerator-runtime",
        "pm2",
        "forever",
        "serve",
        "http-server",
        "npm-run-all",
        "npm-run-all2",
        "patch-package",
        "prisma",
        # frameworks run as a binary (next dev, nuxt build...), their config picked up by name
        "next",
        "nuxt",
        "gatsby",
        "astro",
        "expo",
        "react-scripts",
    }
)
_TOOL_PATTERNS = re.compile(
    r"^(?:@types/|@typescript-eslint/|@eslint/|eslint-|@babel/|babel-|@swc/|@vitejs/|"
    r"@rollup/|rollup-plugin-|vite-plugin-|webpack-|@tailwindcss/|postcss-|stylelint|"
    r"prettier-|@testing-library/|jest-|@jest/|@nx/|@angular-devkit/|@commitlint/)"
    r"|-loader$|eslint-(?:plugin|config)"
)
#: Binaries whose name differs from their package.
_BINARIES = {
    "typescript": ("tsc", "tsserver"),
    "@angular/cli": ("ng",),
    "@nestjs/cli": ("nest",),
    "@vue/cli-service": ("vue-cli-service",),
    "npm-run-all": ("run-s", "run-p"),
    "@remix-run/dev": ("remix",),
    "@sveltejs/kit": ("svelte-kit",),
    "sequelize-cli": ("sequelize",),
    "ts-node-dev": ("tsnd",),
    "@biomejs/biome": ("biome",),
    "react-email": ("email",),
}
#: Packages a framework loads itself (JSX runtime, peer dependencies).
_FRAMEWORK_PEERS = {
    "next": ("react", "react-dom"),
    "gatsby": ("react", "react-dom"),
    "@remix-run/react": ("react", "react-dom"),
    "react-scripts": ("react", "react-dom"),
    "expo": ("react", "react-native"),
    "react-native": ("react",),
    "nuxt": ("vue",),
    "@sveltejs/kit": ("svelte",),
    "astro": ("@astrojs/check", "sharp"),  # sharp is Astro's default image service
    "@astrojs/react": ("react", "react-dom"),
    "@angular/core": (
        "@angular/common",
        "@angular/compiler",
        "@angular/platform-browser",
        "@angular/platform-browser-dynamic",
        "@angular/animations",
        "rxjs",
        "zone.js",
    ),
}
#: Database drivers that ORMs and query builders load from a dialect name, not an import.
_DRIVERS = (
    "pg",
    "pg-hstore",
    "pg-native",
    "mysql",
    "mysql2",
    "mariadb",
    "sqlite3",
    "better-sqlite3",
    "tedious",
    "mssql",
    "oracledb",
)
#: Peer dependencies that packages with these name prefixes need beside them.
_PEER_PREFIXES = {
    "@opentelemetry/": ("@opentelemetry/api",),
    "@apollo/": ("graphql",),
    "apollo-server": ("graphql",),
    "graphql-": ("graphql",),
    "@mui/": ("@emotion/react", "@emotion/styled"),
    "@nestjs/": ("reflect-metadata", "rxjs", "@nestjs/platform-express"),
    "sequelize": _DRIVERS,
    "typeorm": _DRIVERS,
    "knex": _DRIVERS,
    "@mikro-orm/": _DRIVERS,
}
_JSX = (".jsx", ".tsx")
_DEPENDENCY_SECTIONS = (
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
    "bundledDependencies",
    "bundleDependencies",
)


def _is_tool(name: str) -> bool:
    return name in _TOOLS or bool(_TOOL_PATTERNS.search(name))


def _named_in_strings(name: str, texts: list[str]) -> bool:
    """Whether a quoted string in any text is the package or a path inside it."""
    # '~pkg/x' (webpack) and 'node_modules/pkg/x' (Sass, angular.json) name it too
    prefix = r"""['"`](?:~|(?:\.\./)*(?:\./)?node_modules/)?"""
    pattern = re.compile(prefix + re.escape(name) + r"""(?:/[^'"`\s]*)?['"`]""")
    return any(pattern.search(text) for text in texts)


def _run_by_scripts(name: str, scripts: str) -> bool:
    unscoped = name.rsplit("/", 1)[-1]
    words = {name, unscoped, unscoped.removesuffix("-cli"), *_BINARIES.get(name, ())}
    return any(
        re.search(r"(?<![\w@/.-])" + re.escape(w) + r"(?![\w/-])", scripts) for w in words if w
    )


def unused_node_dependencies(
    package_json: dict[str, Any], sources: Mapping[str, bytes | str]
) -> list[str]:
    """Runtime ``dependencies`` of a package.json that nothing in ``sources`` uses, in order."""
    deps = package_json.get("dependencies")
    if not isinstance(deps, dict) or not deps:
        return []
    texts = [
        data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        for data in sources.values()
    ]
    scripts_table = package_json.get("scripts")
    scripts = (
        "\n".join(v for v in scripts_table.values() if isinstance(v, str))
        if isinstance(scripts_table, dict)
        else ""
    )
    # Other package.json fields can name packages: "jest": {"preset": "ts-jest"}, "prettier".
    rest = {k: v for k, v in package_json.items() if k not in (*_DEPENDENCY_SECTIONS, "scripts")}
    texts.append(json.dumps(rest))
    everything = {**_table(package_json.get("devDependencies")), **deps}
    implicit: set[str] = set()
    for framework, peers in _FRAMEWORK_PEERS.items():
        if framework in everything:
            implicit.update(peers)
    for prefix, peers in _PEER_PREFIXES.items():
        if any(isinstance(n, str) and n.startswith(prefix) and n not in peers for n in everything):
            implicit.update(peers)
    if any(path.endswith(_JSX) for path in sources):
        # the compiler imports the JSX runtime; react-dom renders what it builds
        implicit.update({"react", "react-dom", "preact"})
    unused = []
    for name in deps:
        if not isinstance(name, str) or _is_tool(name) or name in implicit:
            continue
        if _run_by_scripts(name, scripts) or _named_in_strings(name, texts):
            continue
        unused.append(name)
    return unused


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
