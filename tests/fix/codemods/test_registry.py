"""The codemods' registration: real rules, one safety each, and a catalogue that matches."""

from __future__ import annotations

import re
from pathlib import Path

from optimus.fix.base import registered_fixers
from optimus.fix.codemods import load_codemods
from optimus.model import Applicability
from optimus.registry import all_rules

CATALOGUE = Path(__file__).resolve().parents[3] / "docs" / "fixes-catalogue.md"


def test_every_module_loads_and_registers_once() -> None:
    names = load_codemods()
    assert "optimus.fix.codemods.docker_hygiene" in names
    assert not any(n.rsplit(".", 1)[-1].startswith("_") for n in names)
    fixers = registered_fixers()
    funcs = [f.func for f in fixers]
    assert len(funcs) == len(set(funcs)), "a module was registered twice"
    modules = {f.func.__module__ for f in fixers}
    assert modules == set(names)


def test_fixers_name_real_rules_with_a_fix_level() -> None:
    known = {r.name for r in all_rules()}
    for fx in registered_fixers():
        assert fx.rule in known, fx.rule
        assert fx.applicability in (Applicability.SAFE, Applicability.UNSAFE)
    rules = [fx.rule for fx in registered_fixers()]
    # one fixer per rule, except blocking-call-in-async whose two fixers split its findings
    assert {r for r in rules if rules.count(r) > 1} == {"blocking-call-in-async"}


def test_catalogue_lists_every_fixer_with_its_safety() -> None:
    rows = re.findall(
        r"^\| ([a-z0-9-]+)[^|]*\| (safe|unsafe) \| ([a-z0-9_]+\.py) \|$",
        CATALOGUE.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    listed = {(rule, safety, module) for rule, safety, module in rows}
    actual = {
        (fx.rule, str(fx.applicability), fx.func.__module__.rsplit(".", 1)[-1] + ".py")
        for fx in registered_fixers()
    }
    assert listed == actual
