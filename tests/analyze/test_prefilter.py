"""The one-pass prefilter decides exactly what each rule's own prefilter would decide."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from optimus.analyze.files import rules_for_kind
from optimus.analyze.prefilter import prefilter_for
from optimus.model import Category, Severity
from optimus.rules.base import Rule


def _rule(name: str, first: tuple[bytes, ...], also: tuple[bytes, ...] = (), pattern=None) -> Rule:
    attrs = {
        "name": name,
        "code": name.upper(),
        "category": Category.PERFORMANCE,
        "severity": Severity.LOW,
        "prefilter": first,
        "prefilter_also": also,
        "prefilter_pattern": pattern,
    }
    return type(name, (Rule,), attrs)()


RULES = (
    _rule("a", (b"async def", b"await")),
    _rule("b", (b"Session", b"session("), (b"requests", b"httpx")),
    _rule("c", (), (b"torch",)),
    _rule("d", (b"ab", b"b"), (), re.compile(rb"\bab\b")),
    _rule("e", ()),
    _rule("f", (b"", b"zz")),  # an empty token is in every file
    _rule("g", (b"abab",)),  # overlaps itself and "ab"
    # Patterns whose literals the prefilter reads: plain-literal branches, case-insensitive
    # ones, needs under groups and repeats, and branches that need nothing it can search.
    _rule("h", (b"ab",), (), re.compile(rb"(?i:redis)|\bKEYS\b|abab|ss?ion\(")),
    _rule("i", (), (), re.compile(rb"(?:sess|ses)ion+\s*\(|[xz]{2}")),
    _rule("j", (), (), re.compile(rb"(?i)SesSion\(", re.MULTILINE)),
    _rule("k", (), (), re.compile(rb"a(?:bab)?b|q(?-i:uu)", re.IGNORECASE)),
    _rule("l", (), (), re.compile(rb"(?:redis){1,2}\.k[e]ys\b")),
)
ALPHABET = b"ab def:SesionrquKEYSdt(xzyhp \n"


def _reference(rules: tuple[Rule, ...], data: bytes) -> list[str]:
    return [r.name for r in rules if r.wants(data)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*(bytes([c]) for c in ALPHABET), b"redis", b"ReDiS", b"KEYS", b".keys"])
    ).map(b"".join)
)
def test_same_decisions_as_each_rules_own_prefilter(data: bytes) -> None:
    chosen = [r.name for r in prefilter_for(RULES).applicable(data)]
    assert chosen == _reference(RULES, data)


def test_examples() -> None:
    pf = prefilter_for(RULES)
    names = lambda data: [r.name for r in pf.applicable(data)]  # noqa: E731
    assert names(b"") == ["e", "f"]
    assert names(b"import requests\ns = Session()\n") == ["b", "e", "f", "j"]
    assert names(b"async def f(): await torch.x") == ["a", "c", "e", "f"]
    assert names(b"x = ab + abab") == ["d", "e", "f", "g", "h", "k"]
    assert names(b"x = abab") == ["e", "f", "g", "h", "k"]  # d: tokens found, no match
    assert names(b"ab REDIS") == ["d", "e", "f", "h", "k"]


def test_the_shipped_rules_agree_on_real_files() -> None:
    samples = [
        b"import torch\n\nasync def f():\n    requests.get(url)\n",
        b"from sqlalchemy import create_engine\nSELECT * FROM t\n",
        b"fn main() { x.unwrap(); let y = serde_json::from_str(s); }\n",
        b"",
    ]
    for kind in ("python", "rust", "javascript"):
        rules = rules_for_kind(kind)
        for data in samples:
            assert prefilter_for(rules).applicable(data) == [r for r in rules if r.wants(data)]
