"""deps-unused, Node part: which package.json dependencies nothing uses."""

from __future__ import annotations

import json
from pathlib import Path

from optimus.rules.deps._node_imports import unused_node_dependencies


def test_imports_requires_and_dynamic_imports_count() -> None:
    package = {
        "dependencies": {
            "lodash": "^4",
            "@scope/pkg": "^1",
            "express": "^4",
            "dayjs": "^1",
            "chalk": "^5",
            "left-pad": "^1",
            "zod": "^3",
            "unused-one": "^1",
            "@scope/unused": "^1",
        }
    }
    sources = {
        "src/a.ts": (
            b"import { map } from 'lodash/fp';\nimport type { X } from \"@scope/pkg/sub\";\n"
        ),
        "src/b.js": b"const express = require('express');\nexport * from 'zod';\n",
        "src/c.mjs": b"const d = await import(`dayjs`);\nimport 'chalk';\n",
        "src/d.cjs": b"module.exports = require.resolve('left-pad')\n",
        "src/e.ts": b"// unused-one, named without quotes\nimport x from 'lodashx';\n",
    }
    assert unused_node_dependencies(package, sources) == ["unused-one", "@scope/unused"]


def test_prefix_names_do_not_count_as_use() -> None:
    package = {"dependencies": {"react": "^18", "react-router": "^6"}}
    sources = {"src/app.js": b"import { Router } from 'react-router-dom';\n"}
    assert unused_node_dependencies(package, sources) == ["react", "react-router"]


def test_tools_types_and_plugins_are_never_reported() -> None:
    names = [
        "typescript",
        "@types/node",
        "eslint",
        "eslint-plugin-react",
        "@typescript-eslint/parser",
        "prettier",
        "@babel/runtime",
        "babel-plugin-macros",
        "webpack",
        "css-loader",
        "vite",
        "@vitejs/plugin-react",
        "tslib",
        "core-js",
        "tailwindcss",
        "postcss-nested",
        "jest",
        "@testing-library/react",
    ]
    package = {"dependencies": dict.fromkeys(names, "*")}
    assert unused_node_dependencies(package, {}) == []


def test_scripts_binaries_and_config_fields() -> None:
    package = {
        "scripts": {
            "start": "node dist/server.js",
            "build": "tsc -p . && ng build",
            "db": "knex migrate:latest && sequelize db:migrate",
            "serve": "NODE_ENV=production pm2-runtime start ecosystem.config.js",
        },
        "jest": {"preset": "ts-jest"},
        "dependencies": {
            "@angular/cli": "^17",
            "knex": "^3",
            "sequelize-cli": "^6",
            "pm2-runtime-missing": "^1",
            "ts-jest": "^29",
            "@nestjs/cli": "^10",
        },
    }
    assert unused_node_dependencies(package, {}) == ["pm2-runtime-missing", "@nestjs/cli"]


def test_config_files_and_css_imports() -> None:
    package = {"dependencies": {"babel-preset-x": "*", "bootstrap": "^5", "nprogress": "*"}}
    sources = {
        ".babelrc": json.dumps({"presets": ["babel-preset-x"]}).encode(),
        "src/styles.scss": b'@import "~bootstrap/scss/bootstrap";\n',
    }
    assert unused_node_dependencies(package, sources) == ["nprogress"]


def test_frameworks_load_their_peers() -> None:
    next_app = {"dependencies": {"next": "14", "react": "18", "react-dom": "18", "swr": "2"}}
    assert unused_node_dependencies(next_app, {"pages/index.js": b"export default 1\n"}) == ["swr"]
    vite_react = {"dependencies": {"react": "18", "react-dom": "18"}}
    sources = {"src/main.tsx": b"import { createRoot } from 'react-dom/client';\n"}
    assert unused_node_dependencies(vite_react, sources) == []  # JSX runtime uses react
    assert unused_node_dependencies(vite_react, {"src/main.js": b""}) == ["react", "react-dom"]


def test_only_runtime_dependencies_are_judged() -> None:
    package = {"devDependencies": {"left-pad": "*"}, "peerDependencies": {"react": "*"}}
    assert unused_node_dependencies(package, {}) == []
    assert unused_node_dependencies({"dependencies": []}, {}) == []


def test_real_package_shape(tmp_path: Path) -> None:
    """A package.json as npm writes it, with an express server using every dependency."""
    package = {
        "name": "api",
        "version": "1.0.0",
        "main": "index.js",
        "scripts": {"start": "node index.js", "dev": "nodemon index.js"},
        "dependencies": {"express": "^4.19.2", "cors": "^2.8.5", "dotenv": "^16.4.5"},
        "devDependencies": {"nodemon": "^3.1.0"},
    }
    sources = {
        "index.js": (
            b"require('dotenv').config();\nconst express = require('express');\n"
            b'const cors = require("cors");\n'
        )
    }
    assert unused_node_dependencies(package, sources) == []


def test_real_world_cases() -> None:
    """Cases met on real projects (paperless-ngx, an Angular starter, Astro, react-email)."""
    sass = {"src/styles.scss": b'@import "node_modules/bootstrap/dist/css/bootstrap.css";\n'}
    assert unused_node_dependencies({"dependencies": {"bootstrap": "5"}}, sass) == []
    angular = {
        "dependencies": {
            "@angular/core": "17",
            "@angular/common": "17",
            "@angular/compiler": "17",
            "rxjs": "7",
            "zone.js": "0.14",
            "@angular/forms": "17",
        }
    }
    app = {"src/main.ts": b"import { enableProdMode } from '@angular/core';\n"}
    assert unused_node_dependencies(angular, app) == ["@angular/forms"]
    astro = {"dependencies": {"astro": "5", "sharp": "0.33", "@astrojs/react": "4"}}
    assert unused_node_dependencies(astro, {"astro.config.mjs": b""}) == ["@astrojs/react"]
    emails = {
        "scripts": {"dev": "email dev --port 3333"},
        "dependencies": {"react-email": "6", "react": "19", "react-dom": "19"},
    }
    assert unused_node_dependencies(emails, {"emails/welcome.tsx": b""}) == []


def test_peer_dependencies_of_used_packages() -> None:
    package = {
        "dependencies": {
            "@opentelemetry/sdk-node": "*",
            "@opentelemetry/api": "*",
            "sequelize": "*",
            "pg": "*",
            "pg-hstore": "*",
            "@apollo/server": "*",
            "graphql": "*",
        }
    }
    sources = {
        "index.js": (
            b"require('@opentelemetry/sdk-node');\nconst { Sequelize } = require('sequelize');\n"
            b"const { ApolloServer } = require('@apollo/server');\n"
        )
    }
    assert unused_node_dependencies(package, sources) == []
    alone = {"dependencies": {"@opentelemetry/api": "*", "pg": "*"}}
    assert unused_node_dependencies(alone, {"index.js": b""}) == ["@opentelemetry/api", "pg"]
