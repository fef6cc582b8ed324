"""orm-n-plus-one: SQLAlchemy, Flask-SQLAlchemy and Django fixtures, plus message checks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from optimus.model import ScanResult
from optimus.registry import get_rule
from optimus.rules.python.orm_n_plus_one import find_n_plus_one
from optimus.testing.harness import assert_rule_matches

RULE = "orm-n-plus-one"
FIXTURES = Path(__file__).parent / "orm_n_plus_one"


def assert_no_duplicates(result: ScanResult) -> None:
    """The harness compares sets: check that no place is reported twice."""
    places = [(f.path, f.line, f.message) for f in result.findings]
    assert len(places) == len(set(places)), places


@pytest.mark.parametrize("project", ["sqlalchemy_app", "django_app"])
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert result.findings
    assert_no_duplicates(result)


def test_messages() -> None:
    sa = assert_rule_matches(str(FIXTURES / "sqlalchemy_app"), RULE)
    book = next(f.message for f in sa.findings if "`book.author`" in f.message)
    assert "selectinload(Book.author)" in book and "N+1" in book
    assert "session.scalars(select(Book).where(Book.id > 0))" in book
    dj = assert_rule_matches(str(FIXTURES / "django_app"), RULE)
    messages = [f.message for f in dj.findings]
    assert any('.select_related("customer")' in m for m in messages)
    assert any('.prefetch_related("products")' in m for m in messages)
    assert any('.prefetch_related("line_set")' in m for m in messages)
    assert any('.prefetch_related("orders")' in m for m in messages)


def _count(code: str) -> int:
    return len(list(find_n_plus_one(ast.parse(code))))


def test_models_must_be_in_the_module() -> None:
    code = (
        "from sqlalchemy import select\n"
        "from app.models import Book\n"
        "def f(s):\n"
        "    return [b.author for b in s.scalars(select(Book))]\n"
    )
    assert _count(code) == 0


def test_backref_lazy_option() -> None:
    code = (
        "from sqlalchemy import select\n"
        "from sqlalchemy.orm import relationship, backref\n"
        "class Book:\n"
        "    author = relationship('Author', backref=backref('books', lazy='selectin'))\n"
        "class Author:\n"
        "    pass\n"
        "def f(s):\n"
        "    return [a.books for a in s.scalars(select(Author))]\n"
    )
    assert _count(code) == 0


def test_metadata() -> None:
    r = get_rule(RULE)
    assert r is not None and r.code == "PY010" and r.preview
