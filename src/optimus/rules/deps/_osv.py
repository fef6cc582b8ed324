"""Match exact package versions against an offline OSV export, without any network.

The data is what OSV publishes per ecosystem, ``<dir>/<ecosystem>/all.zip`` (a zip of JSON
records in the OSV schema, https://ossf.github.io/osv-schema/), for ``PyPI``, ``npm`` and
``crates.io``. :func:`load_osv` returns an :class:`OsvIndex` that reads an ecosystem's zip
the first time it is asked about it and keeps only what matching needs. :func:`vulnerable`
applies the schema's evaluation algorithm (section "Evaluation"): a version is affected when
it is listed in ``affected[].versions`` or falls in one of ``affected[].ranges`` of type
``ECOSYSTEM`` or ``SEMVER`` (``GIT`` ranges need the repository and are skipped). PyPI
versions are ordered by PEP 440 (``packaging``), npm and crates.io versions by SemVer 2.0
(``semver``). Withdrawn records are skipped; records that alias each other (a PYSEC and a
GHSA id for one CVE) are reported once.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from optimus.rules.deps._lockfiles import CRATES, NPM, PYPI, Locked, locked_versions

__all__ = [
    "ECOSYSTEMS",
    "Advisory",
    "Locked",
    "OsvIndex",
    "load_osv",
    "locked_versions",
    "normalize_name",
    "vulnerable",
]

ECOSYSTEMS = (PYPI, NPM, CRATES)


def normalize_name(ecosystem: str, name: str) -> str:
    """The key a package name is looked up by: PEP 503 for PyPI, lower case otherwise."""
    if ecosystem == PYPI:
        return re.sub(r"[-_.]+", "-", name).lower()
    return name.lower()


# --- versions -----------------------------------------------------------------------------


def _pep440(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _semver(text: str) -> Any:
    """A semver.Version (SemVer 2.0 precedence), or None; imported here so a missing
    ``semver`` only disables npm and crates.io matching."""
    try:
        import semver
    except ImportError:
        return None
    text = text.strip().removeprefix("v")
    try:
        return semver.Version.parse(text, optional_minor_and_patch=True)
    except (ValueError, TypeError):
        return None


def _parser(ecosystem: str) -> Callable[[str], Any]:
    return _pep440 if ecosystem == PYPI else _semver


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Range:
    """One ECOSYSTEM/SEMVER range: its events as (kind, version text) in the record's order."""

    events: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Affected:
    """What one record says about one package: its ranges and listed versions."""

    ranges: tuple[_Range, ...]
    versions: frozenset[str]


@dataclass(frozen=True)
class _Record:
    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str | None
    url: str | None


@dataclass(frozen=True)
class Advisory:
    """An advisory that affects a given package version."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    #: The database's label where it gives one: CRITICAL, HIGH, MODERATE, LOW (GHSA).
    severity: str | None
    #: The lowest version above the affected one that fixes it, or None when none is known.
    fixed: str | None
    url: str | None = None

    @property
    def is_critical(self) -> bool:
        """Whether the advisory labels itself CRITICAL."""
        return (self.severity or "").upper() == "CRITICAL"


def _severity(doc: dict[str, Any], affected: dict[str, Any]) -> str | None:
    """The database's severity label (GHSA puts it in ``database_specific.severity``)."""
    for holder in (
        affected.get("database_specific"),
        affected.get("ecosystem_specific"),
        doc.get("database_specific"),
    ):
        label = holder.get("severity") if isinstance(holder, dict) else None
        if isinstance(label, str) and label:
            return label.upper()
    return None


def _advisory_url(doc: dict[str, Any]) -> str | None:
    for ref in doc.get("references") or []:
        if isinstance(ref, dict) and ref.get("type") == "ADVISORY":
            url = ref.get("url")
            if isinstance(url, str):
                return url
    return None


#: The package object of an ``affected`` entry holds no nested object, so a regex over the raw
#: bytes finds every package name without parsing the JSON (the npm export is ~200 MB zipped).
_PACKAGE_NAME = re.compile(rb'"package"\s*:\s*\{[^{}]*?"name"\s*:\s*"((?:[^"\\]|\\.)*)"')


def parse_record(ecosystem: str, name: str, doc: Any) -> list[tuple[_Record, _Affected]]:
    """The parts of one OSV record (a parsed JSON object) about one package."""
    if not isinstance(doc, dict) or doc.get("withdrawn") or not isinstance(doc.get("id"), str):
        return []
    key = normalize_name(ecosystem, name)
    out = []
    for affected in doc.get("affected") or []:
        package = affected.get("package") if isinstance(affected, dict) else None
        if not isinstance(package, dict) or package.get("ecosystem") != ecosystem:
            continue
        if not isinstance(package.get("name"), str):
            continue
        if normalize_name(ecosystem, package["name"]) != key:
            continue
        summary = str(doc.get("summary") or doc.get("details") or "").strip()
        record = _Record(
            doc["id"],
            tuple(a for a in doc.get("aliases") or [] if isinstance(a, str)),
            summary.splitlines()[0] if summary else "",
            _severity(doc, affected),
            _advisory_url(doc),
        )
        ranges = tuple(
            _Range(
                tuple(
                    (kind, str(value))
                    for event in r.get("events") or []
                    if isinstance(event, dict)
                    for kind, value in event.items()
                )
            )
            for r in affected.get("ranges") or []
            if isinstance(r, dict) and r.get("type") in ("ECOSYSTEM", "SEMVER")
        )
        versions = frozenset(v for v in affected.get("versions") or [] if isinstance(v, str))
        out.append((record, _Affected(ranges, versions)))
    return out


@dataclass
class OsvIndex:
    """Advisories of an OSV export folder.

    The first question about an ecosystem reads its ``all.zip`` once to map package names to
    the records that name them (a regex over the raw bytes, no JSON parse); each package's
    records are parsed when that package is asked about, and kept.
    """

    folder: str
    _members: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _entries: dict[tuple[str, str], list[tuple[_Record, _Affected]]] = field(default_factory=dict)
    #: Files that could not be read, as "<file>: <reason>".
    problems: list[str] = field(default_factory=list)
    _archives: dict[str, zipfile.ZipFile] = field(default_factory=dict)

    def _zip(self, ecosystem: str) -> str:
        return os.path.join(self.folder, ecosystem, "all.zip")

    def has(self, ecosystem: str) -> bool:
        """Whether the folder holds data for this ecosystem."""
        return os.path.isfile(self._zip(ecosystem))

    def _names(self, ecosystem: str) -> dict[str, list[str]]:
        names = self._members.get(ecosystem)
        if names is not None:
            return names
        names = self._members[ecosystem] = {}
        if not self.has(ecosystem):
            return names
        archive: zipfile.ZipFile | None = None
        try:
            # kept open: reading the central directory of a 200k-entry zip again per package
            # would cost more than the lookups themselves
            archive = zipfile.ZipFile(self._zip(ecosystem))
            for info in archive.infolist():
                if not info.filename.endswith(".json"):
                    continue
                found = {
                    normalize_name(ecosystem, m.decode("utf-8", "replace"))
                    for m in _PACKAGE_NAME.findall(archive.read(info))
                }
                for name in found:
                    names.setdefault(name, []).append(info.filename)
            self._archives[ecosystem] = archive
        except (OSError, zipfile.BadZipFile) as exc:
            self.problems.append(f"{self._zip(ecosystem)}: {exc}")
            if archive is not None:
                archive.close()
            self._archives.pop(ecosystem, None)
        return names

    def close(self) -> None:
        """Close the zip files kept open for lookups."""
        for archive in self._archives.values():
            archive.close()
        self._archives.clear()

    def entries(self, ecosystem: str, name: str) -> list[tuple[_Record, _Affected]]:
        """What the data says about one package (any version)."""
        key = (ecosystem, normalize_name(ecosystem, name))
        cached = self._entries.get(key)
        if cached is not None:
            return cached
        members = self._names(ecosystem).get(key[1], [])
        out: list[tuple[_Record, _Affected]] = []
        archive = self._archives.get(ecosystem)
        for member in members if archive is not None else []:
            try:
                doc = json.loads(archive.read(member))
            except (ValueError, OSError, zipfile.BadZipFile, KeyError):
                continue
            out += parse_record(ecosystem, name, doc)
        self._entries[key] = out
        return out


_CACHE: dict[tuple[str, tuple[float, ...]], OsvIndex] = {}


def load_osv(folder: str) -> OsvIndex:
    """The OSV index of an export folder; reused while its zips are unchanged."""
    folder = os.path.realpath(folder)
    stamps = tuple(
        os.path.getmtime(p) if os.path.isfile(p) else 0.0
        for p in (os.path.join(folder, e, "all.zip") for e in ECOSYSTEMS)
    )
    key = (folder, stamps)
    if key not in _CACHE:
        for old in _CACHE.values():
            old.close()
        _CACHE.clear()  # one export at a time: the PyPI data alone is large
        _CACHE[key] = OsvIndex(folder)
    return _CACHE[key]


# --- evaluation (OSV schema, "Evaluation") ------------------------------------------------


def _range_verdict(version: Any, events: tuple[tuple[str, str], ...], parse: Any) -> Any:
    """(affected, fixed versions above ``version``) for one range, or None if unreadable."""
    parsed: list[tuple[Any, str, str]] = []
    for kind, text in events:
        if kind == "introduced" and text == "0":
            parsed.append((None, kind, text))  # sorts before every version
            continue
        value = parse(text) if not (kind == "limit" and "*" in text) else None
        if value is None and kind != "limit":
            return None  # an event we cannot order: no verdict rather than a guess
        parsed.append((value, kind, text))
    limits = [v for v, k, t in parsed if k == "limit"]
    if limits and not any(v is None or version < v for v in limits):
        return False, []
    ordered = sorted(
        (p for p in parsed if p[1] != "limit"),
        key=lambda p: (p[0] is not None, p[0] if p[0] is not None else 0),
    )
    affected = False
    for value, kind, _ in ordered:
        if kind == "introduced" and (value is None or version >= value):
            affected = True
        elif (kind == "fixed" and version >= value) or (
            kind == "last_affected" and version > value
        ):
            affected = False
    fixed = [(v, t) for v, k, t in parsed if k == "fixed" and v is not None and v > version]
    return affected, fixed


def _matches(ecosystem: str, version: str, entry: _Affected) -> tuple[bool, str | None]:
    parse = _parser(ecosystem)
    parsed = parse(version)
    listed = version in entry.versions or (
        parsed is not None and any(parse(v) == parsed for v in entry.versions if v[:1].isdigit())
    )
    if parsed is None:
        return listed, None
    hit, fixes = listed, []
    for rng in entry.ranges:
        verdict = _range_verdict(parsed, rng.events, parse)
        if verdict is None:
            continue
        affected, fixed = verdict
        if affected:
            hit = True
            fixes += fixed
    best = min(fixes, key=lambda f: f[0])[1] if fixes else None
    return hit, best


def vulnerable(index: OsvIndex, ecosystem: str, name: str, version: str) -> list[Advisory]:
    """The advisories affecting ``name`` at ``version``; aliased records reported once."""
    found: list[Advisory] = []
    seen_ids: set[str] = set()
    for record, entry in index.entries(ecosystem, name):
        hit, fixed = _matches(ecosystem, version, entry)
        if not hit:
            continue
        ids = {record.id, *record.aliases}
        if ids & seen_ids:
            _merge(found, ids, record, fixed)
        else:
            found.append(
                Advisory(
                    record.id, record.aliases, record.summary, record.severity, fixed, record.url
                )
            )
        seen_ids |= ids
    return found


def _merge(found: list[Advisory], ids: set[str], record: _Record, fixed: str | None) -> None:
    """Fold an aliasing record into the advisory already found: keep the GHSA id and label."""
    for i, adv in enumerate(found):
        if {adv.id, *adv.aliases} & ids:
            prefer_new = record.id.startswith("GHSA-") and not adv.id.startswith("GHSA-")
            primary = record.id if prefer_new else adv.id
            aliases = tuple(sorted(({adv.id, *adv.aliases} | ids) - {primary}))
            found[i] = Advisory(
                primary,
                aliases,
                adv.summary or record.summary,
                adv.severity or record.severity,
                adv.fixed or fixed,
                adv.url or record.url,
            )
            return
