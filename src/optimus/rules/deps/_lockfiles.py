"""Read exact versions out of lockfiles and pinned manifests, and judge requirements files.

:func:`locked_versions` turns the text of one file into :class:`Locked` entries (ecosystem as
OSV spells it, package name, exact version, 1-based line) for: ``requirements*.txt`` (``==``
pins), ``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``pylock.toml`` / ``pylock.*.toml``
(PEP 751), ``Pipfile.lock``, ``pyproject.toml`` (``==`` pins), ``package-lock.json`` /
``npm-shrinkwrap.json``, ``yarn.lock`` (v1 and Berry), ``pnpm-lock.yaml`` (v5 to v9),
``bun.lock``, ``package.json`` (exact versions), ``Cargo.lock`` and ``Cargo.toml`` (``=x.y.z``).
Only packages that come from the ecosystem's registry are kept: path, git, workspace and
editable entries are the project's own code or unversioned, so no advisory can match them.
Nothing here reads a file or imports scanned code; callers pass the text.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any, NamedTuple

from optimus.rules.deps._requirements import requirement_lines, requirement_pin

PYPI, NPM, CRATES = "PyPI", "npm", "crates.io"


class Locked(NamedTuple):
    """One exact package version found in a file (``line`` is 1-based, or None)."""

    ecosystem: str
    name: str
    version: str
    line: int | None = None


def _requirements(text: str) -> list[Locked]:
    out = []
    for number, line in requirement_lines(text):
        pin = requirement_pin(line)
        if pin is not None:
            out.append(Locked(PYPI, pin[0], pin[1], number))
    return out


# --- TOML lockfiles -----------------------------------------------------------------------


def _header_lines(text: str, header: str) -> list[int]:
    """Line numbers of each ``[[header]]`` table, in order."""
    pattern = re.compile(r"^\s*\[\[\s*" + re.escape(header) + r"\s*\]\]\s*(?:#.*)?$")
    return [n for n, raw in enumerate(text.splitlines(), start=1) if pattern.match(raw)]


def _toml_packages(text: str, key: str, keep: Any) -> list[Locked]:
    """Packages of a TOML lockfile's ``[[key]]`` array that ``keep(table)`` accepts."""
    doc = tomllib.loads(text)
    tables = doc.get(key)
    if not isinstance(tables, list):
        return []
    lines = _header_lines(text, key)
    out = []
    for index, table in enumerate(tables):
        if not isinstance(table, dict):
            continue
        name, version = table.get("name"), table.get("version")
        if isinstance(name, str) and isinstance(version, str) and keep(table):
            out.append(Locked("", name, version, lines[index] if index < len(lines) else None))
    return out


def _uv_keep(table: dict[str, Any]) -> bool:
    source = table.get("source")
    # The project itself and path/git packages have "editable", "virtual", "directory",
    # "path" or "git" sources; only index packages ("registry") have advisories.
    return not isinstance(source, dict) or "registry" in source


def _poetry_keep(table: dict[str, Any]) -> bool:
    source = table.get("source")
    return not isinstance(source, dict) or source.get("type") in (None, "legacy")


def _pylock_keep(table: dict[str, Any]) -> bool:
    return not any(k in table for k in ("vcs", "directory", "archive")) or "wheels" in table


def _cargo_keep(table: dict[str, Any]) -> bool:
    # Workspace members have no source; git crates are "git+..."; crates.io is
    # "registry+https://github.com/rust-lang/crates.io-index" or "sparse+https://index.crates.io/".
    source = table.get("source")
    return isinstance(source, str) and ("crates.io-index" in source or "index.crates.io" in source)


def _with(ecosystem: str, items: list[Locked]) -> list[Locked]:
    return [item._replace(ecosystem=ecosystem) for item in items]


# --- JSON lockfiles -----------------------------------------------------------------------


def _json_line_finder(text: str) -> dict[str, int]:
    """First line of each quoted key in a JSON text (cheap: keys are looked up by string)."""
    lines: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r'"((?:[^"\\]|\\.)*)"\s*:', raw):
            lines.setdefault(match.group(1), number)
    return lines


def _npm_lock(text: str) -> list[Locked]:
    doc = json.loads(text)
    if not isinstance(doc, dict):
        return []
    key_lines = _json_line_finder(text)
    out: list[Locked] = []
    packages = doc.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        for path, entry in packages.items():
            if not path or "node_modules/" not in path or not isinstance(entry, dict):
                continue
            if entry.get("link") or not isinstance(entry.get("version"), str):
                continue
            resolved = entry.get("resolved")
            if isinstance(resolved, str) and not resolved.startswith(("http://", "https://")):
                continue  # file: and git dependencies
            name = entry.get("name")  # set for aliases (npm:real@1)
            if not isinstance(name, str):
                name = path.rsplit("node_modules/", 1)[-1]
            out.append(Locked(NPM, name, entry["version"], key_lines.get(path)))
        return out

    def walk(deps: Any) -> None:  # lockfileVersion 1: nested "dependencies"
        if not isinstance(deps, dict):
            return
        for name, entry in deps.items():
            if not isinstance(entry, dict):
                continue
            version = entry.get("version")
            if isinstance(version, str) and re.match(r"\d", version):
                out.append(Locked(NPM, name, version, key_lines.get(name)))
            walk(entry.get("dependencies"))

    walk(doc.get("dependencies"))
    return out


def _pipfile_lock(text: str) -> list[Locked]:
    doc = json.loads(text)
    key_lines = _json_line_finder(text)
    out = []
    for section in ("default", "develop"):
        for name, entry in (doc.get(section) or {}).items():
            version = entry.get("version") if isinstance(entry, dict) else None
            if isinstance(version, str) and version.startswith("=="):
                out.append(Locked(PYPI, name, version[2:], key_lines.get(name)))
    return out


def _bun_lock(text: str) -> list[Locked]:
    # bun.lock is JSON with trailing commas; "packages": {"key": ["name@version", ...]}.
    out = []
    in_packages = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if re.match(r'^\s*"packages"\s*:', raw):
            in_packages = True
            continue
        if in_packages:
            match = re.match(r'^\s*"[^"]+"\s*:\s*\[\s*"(@?[^"@]+)@(\d[^"]*)"', raw)
            if match:
                out.append(Locked(NPM, match.group(1), match.group(2), number))
    return out


def _package_json(text: str) -> list[Locked]:
    doc = json.loads(text)
    if not isinstance(doc, dict):
        return []
    key_lines = _json_line_finder(text)
    out = []
    for section in ("dependencies", "devDependencies", "optionalDependencies"):
        deps = doc.get(section)
        if not isinstance(deps, dict):
            continue
        for name, spec in deps.items():
            if isinstance(spec, str) and re.fullmatch(r"=?v?\d+\.\d+\.\d+(?:[-+][\w.+-]*)?", spec):
                out.append(Locked(NPM, name, spec.lstrip("=v"), key_lines.get(name)))
    return out


# --- yarn and pnpm ------------------------------------------------------------------------

_SPEC_NAME = re.compile(r"^(@[^@/\s]+/[^@\s]+|[^@\s]+)@")


def _yarn_lock(text: str) -> list[Locked]:
    out: list[Locked] = []
    names: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw and not raw[0].isspace() and raw.rstrip().endswith(":") and not raw.startswith("#"):
            names, start = [], number
            for spec in raw.rstrip()[:-1].split(","):
                spec = spec.strip().strip('"')
                if any(p in spec for p in ("@workspace:", "@link:", "@portal:", "@file:")):
                    continue
                if "@patch:" in spec or spec == "__metadata":
                    continue
                aliased = re.search(r"@npm:(@?[^@]+)@", spec)
                match = _SPEC_NAME.match(spec)
                if aliased:
                    names.append(aliased.group(1))
                elif match:
                    names.append(match.group(1))
            continue
        version = re.match(r'^\s+version:?\s+"?([^"\s]+)"?\s*$', raw)
        if version and names:
            for name in dict.fromkeys(names):
                out.append(Locked(NPM, name, version.group(1), start))
            names = []
    return out


_PNPM_KEY = re.compile(r"""^ {2}['"]?/?(@[^@/\s'"]+/[^@/\s'"(]+|[^@/\s'"(]+)[@/](\d[^\s'"(_:]*)""")


def _pnpm_lock(text: str) -> list[Locked]:
    out = []
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw and not raw[0].isspace():
            section = raw.split(":", 1)[0].strip()
            continue
        if section not in ("packages", "snapshots"):
            continue
        match = _PNPM_KEY.match(raw)
        if match:
            out.append(Locked(NPM, match.group(1), match.group(2), number))
    return _dedupe(out)


# --- manifests with exact pins ------------------------------------------------------------


def _pyproject(text: str) -> list[Locked]:
    doc = tomllib.loads(text)
    project = doc.get("project")
    deps = project.get("dependencies") if isinstance(project, dict) else None
    if not isinstance(deps, list):
        return []
    lines = text.splitlines()
    out = []
    for requirement in deps:
        if not isinstance(requirement, str):
            continue
        pin = requirement_pin(requirement)
        if pin is None:
            continue
        line = next(
            (n for n, raw in enumerate(lines, start=1) if requirement in raw.split("#", 1)[0]),
            None,
        )
        out.append(Locked(PYPI, pin[0], pin[1], line))
    return out


def _cargo_toml(text: str) -> list[Locked]:
    doc = tomllib.loads(text)
    out = []
    tables = [doc.get("dependencies"), (doc.get("workspace") or {}).get("dependencies")]
    for table in tables:
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            version = spec.get("version") if isinstance(spec, dict) else spec
            if isinstance(spec, dict) and ("git" in spec or "path" in spec):
                continue
            if isinstance(version, str) and re.fullmatch(r"=\s*\d+\.\d+\.\d+\S*", version):
                crate = spec.get("package", name) if isinstance(spec, dict) else name
                line = next(
                    (
                        n
                        for n, raw in enumerate(text.splitlines(), start=1)
                        if re.match(r"\s*" + re.escape(name) + r"\s*=", raw)
                    ),
                    None,
                )
                out.append(Locked(CRATES, crate, version.lstrip("= "), line))
    return out


def _dedupe(items: list[Locked]) -> list[Locked]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for item in items:
        key = (item.ecosystem, item.name, item.version)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


#: Lockfile names (lower case) this module reads, by ecosystem.
LOCKFILES = {
    "uv.lock": PYPI,
    "poetry.lock": PYPI,
    "pdm.lock": PYPI,
    "pipfile.lock": PYPI,
    "pylock.toml": PYPI,
    "package-lock.json": NPM,
    "npm-shrinkwrap.json": NPM,
    "yarn.lock": NPM,
    "pnpm-lock.yaml": NPM,
    "bun.lock": NPM,
    "cargo.lock": CRATES,
}


def is_pylock(name: str) -> bool:
    """PEP 751 lockfile names: pylock.toml and pylock.<name>.toml."""
    return bool(re.fullmatch(r"pylock(?:\.[^.]+)?\.toml", name.lower()))


def locked_versions(filename: str, text: str) -> list[Locked]:
    """The exact package versions a file pins, by its base name; [] for other files.

    Raises ValueError (a JSON or TOML error) when a known file does not parse.
    """
    name = filename.rsplit("/", 1)[-1].lower()
    if name.startswith("requirements") and name.endswith(".txt"):
        items = _requirements(text)
    elif name == "uv.lock":
        items = _with(PYPI, _toml_packages(text, "package", _uv_keep))
    elif name in ("poetry.lock", "pdm.lock"):
        items = _with(PYPI, _toml_packages(text, "package", _poetry_keep))
    elif is_pylock(name):
        items = _with(PYPI, _toml_packages(text, "packages", _pylock_keep))
    elif name == "pipfile.lock":
        items = _pipfile_lock(text)
    elif name == "pyproject.toml":
        items = _pyproject(text)
    elif name in ("package-lock.json", "npm-shrinkwrap.json"):
        items = _npm_lock(text)
    elif name == "yarn.lock":
        items = _yarn_lock(text)
    elif name == "pnpm-lock.yaml":
        items = _pnpm_lock(text)
    elif name == "bun.lock":
        items = _bun_lock(text)
    elif name == "package.json":
        items = _package_json(text)
    elif name == "cargo.lock":
        items = _with(CRATES, _toml_packages(text, "package", _cargo_keep))
    elif name == "cargo.toml":
        items = _cargo_toml(text)
    else:
        return []
    return _dedupe(items)
