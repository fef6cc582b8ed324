"""The literals a regex needs, read from its parse."""

from __future__ import annotations

import re

from optimus.analyze.regex_literals import Branch, branches


def test_plain_literal_branches_and_needs() -> None:
    found = branches(re.compile(rb"ForeignKey|\bREFERENCES\b|(?i:\breferences\s+\w+\s*\()"))
    assert found == [
        Branch(b"ForeignKey", ()),
        Branch(None, (frozenset({(b"REFERENCES", False)}),)),
        Branch(None, (frozenset({(b"references", True)}), frozenset({(b"(", True)}))),
    ]


def test_groups_alternations_and_repeats() -> None:
    (branch,) = branches(re.compile(rb"\b(?:select|SELECT)\s+(?:distinct\s+)?x+\*"))
    assert branch.needs == (
        frozenset({(b"select", False), (b"SELECT", False)}),
        frozenset({(b"x", False)}),
        frozenset({(b"*", False)}),
    )  # the optional group needs nothing


def test_a_global_ignorecase_folds_every_literal() -> None:
    (branch,) = branches(re.compile(rb"Redis\.KEYS", re.IGNORECASE))
    assert branch == Branch(None, (frozenset({(b"redis.keys", True)}),))


def test_an_alternative_that_needs_nothing_makes_its_alternation_need_nothing() -> None:
    (branch,) = branches(re.compile(rb"x(?:abc|\d+)y"))
    assert branch.needs == (frozenset({(b"x", False)}), frozenset({(b"y", False)}))


def test_unreadable_patterns_always_run() -> None:
    assert branches(re.compile("text")) is None  # a str pattern
