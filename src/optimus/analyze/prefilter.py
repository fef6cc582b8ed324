"""Which file rules may match a file: every rule's byte tokens searched in one pass.

Each rule declares cheap byte-level prefilters (``prefilter``, ``prefilter_also``: at least
one token of each must occur; ``prefilter_pattern``: a regex that must match). Searching
each token with ``in`` scans the whole file once per absent token, about fifty passes over
every Python file; one Aho-Corasick automaton over all the tokens of a file kind finds the
tokens present in a single pass (measured on the bench corpus: 0.17 s instead of 2.7 s for
106 MB of Python). The regexes run afterwards, only for rules whose tokens were found.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ahocorasick_rs import BytesAhoCorasick

from optimus.rules.base import Rule


@dataclass(frozen=True)
class _Gate:
    """One rule's prefilter as token indexes into its kind's automaton."""

    rule: Rule
    first: frozenset[int]
    also: frozenset[int]


@dataclass(frozen=True)
class Prefilter:
    """The tokens of a set of rules, compiled once per process."""

    tokens: tuple[bytes, ...]
    automaton: BytesAhoCorasick | None
    gates: tuple[_Gate, ...]

    def found(self, data: bytes) -> frozenset[int]:
        """Indexes of the tokens that occur in ``data``."""
        if self.automaton is None:
            return frozenset()
        matches = self.automaton.find_matches_as_indexes(data, overlapping=True)
        return frozenset(m[0] for m in matches)

    def applicable(self, data: bytes) -> list[Rule]:
        """The rules whose prefilters let them look at a file with these bytes, in order."""
        present = self.found(data)
        chosen = []
        for gate in self.gates:
            if gate.first and present.isdisjoint(gate.first):
                continue
            if gate.also and present.isdisjoint(gate.also):
                continue
            pattern = gate.rule.prefilter_pattern
            if pattern is not None and pattern.search(data) is None:
                continue
            chosen.append(gate.rule)
        return chosen


@cache
def prefilter_for(rules: tuple[Rule, ...]) -> Prefilter:
    """The compiled prefilter of these rules (a kind's file rules; cached per process)."""
    tokens = sorted({t for r in rules for t in (*r.prefilter, *r.prefilter_also) if t})
    index = {t: i for i, t in enumerate(tokens)}
    gates = tuple(
        _Gate(rule, _indexes(rule.prefilter, index), _indexes(rule.prefilter_also, index))
        for rule in rules
    )
    automaton = BytesAhoCorasick(tokens) if tokens else None
    return Prefilter(tuple(tokens), automaton, gates)


def _indexes(tokens: tuple[bytes, ...], index: dict[bytes, int]) -> frozenset[int]:
    """Token indexes of one gate; empty (no gate) when a token is empty, as b"" is in
    every file."""
    if any(not t for t in tokens):
        return frozenset()
    return frozenset(index[t] for t in tokens)
