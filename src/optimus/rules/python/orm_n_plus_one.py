"""orm-n-plus-one: a loop over ORM query results that reads a lazy relation of each row.

Models come from the same module (``_orm_models``); queries are recognised by
``_orm_queries``, directly or through a name assigned once in the same function:

- SQLAlchemy: ``session.scalars(select(X)...)``, ``session.execute(select(X)...).scalars()``,
  ``session.query(X)...`` and Flask-SQLAlchemy ``X.query...`` (with ``.all()``, ``.unique()``,
  filters, ordering, joins); loader options (``selectinload``, ``joinedload``,
  ``subqueryload``, ``immediateload``, ``raiseload``, ``contains_eager``) cover the relation
  they name, an option the rule does not know covers everything (no finding). Awaited
  (``AsyncSession``) queries are skipped: lazy loading raises there instead of querying.
- Django: ``X.objects.all()/filter()/exclude()/order_by()...`` without ``values()``; with
  ``select_related(...)``/``prefetch_related(...)`` covering the relation, or
  ``select_related()`` with no argument for forward relations.

A ``for`` loop or comprehension over such a query that reads ``row.<relation>`` is reported
once per relation, at the first read. Test files and migrations (which run once) are skipped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from optimus.model import Category, Confidence, Severity
from optimus.parse.pyast import walk
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.python._astutil import is_test_or_fixture, last_name
from optimus.rules.python._orm_models import Relation, collect_models
from optimus.rules.python._orm_queries import ALL, ALL_FORWARD, Query, QueryReader

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own(body: list[ast.AST]) -> Iterator[ast.AST]:
    """Nodes of a body that run in its scope (nested def/lambda/class bodies excluded)."""
    stack = [n for n in body if not isinstance(n, _SCOPES)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _SCOPES))


def _assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    """Values assigned to each plain name in a function (or module) body."""
    out: dict[str, list[ast.expr]] = {}
    body = getattr(scope, "body", [])
    for node in _own(body):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in walk(target):
                    if isinstance(name, ast.Name):
                        out.setdefault(name.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.value is not None:
                out.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.For | ast.comprehension | ast.withitem | ast.NamedExpr):
            target = getattr(node, "target", None) or getattr(node, "optional_vars", None)
            for name in walk(target) if target is not None else ():
                if isinstance(name, ast.Name):
                    out.setdefault(name.id, []).append(ast.Constant(None))
    return out


@dataclass(frozen=True)
class NPlusOne:
    """A relation read per row in a loop over a query."""

    access: ast.Attribute
    relation: Relation
    query: Query


def _loop_var(target: ast.expr, iterable: ast.expr) -> tuple[str, ast.expr] | None:
    """(row variable, query expression) of `for row in q` or `for i, row in enumerate(q)`."""
    if isinstance(target, ast.Name):
        return target.id, iterable
    if (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and isinstance(target.elts[1], ast.Name)
        and isinstance(iterable, ast.Call)
        and last_name(iterable.func) == "enumerate"
        and iterable.args
    ):
        return target.elts[1].id, iterable.args[0]
    return None


def _reads(
    body: list[ast.AST], var: str, relations: dict[str, Relation]
) -> Iterator[ast.Attribute]:
    for node in sorted(
        _own(body), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))
    ):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and node.value.id == var
            and node.attr in relations
        ):
            yield node


def _covered(query: Query, relation: Relation) -> bool:
    if ALL in query.loaded or relation.name in query.loaded:
        return True
    return relation.kind == "forward" and ALL_FORWARD in query.loaded


def find_n_plus_one(module: ast.Module) -> Iterator[NPlusOne]:
    """Every relation read per row in a loop over a query of the module's own models."""
    models = collect_models(module)
    if not models.sqlalchemy and not models.django:
        return
    reader = QueryReader(models)
    scopes: list[ast.AST] = [module] + [
        n for n in walk(module) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    for scope in scopes:
        assigns = _assignments(scope)
        for node in _own(getattr(scope, "body", [])):
            loops: list[tuple[ast.expr, ast.expr, list[ast.AST]]] = []
            if isinstance(node, ast.For):
                loops.append((node.target, node.iter, list(node.body)))
            elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
                gen = node.generators[0]
                parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
                loops.append((gen.target, gen.iter, [*parts, *gen.ifs, *node.generators[1:]]))
            for target, iterable, body in loops:
                found = _loop_var(target, iterable)
                if found is None:
                    continue
                query = reader.query(found[1], assigns)
                if query is None:
                    continue
                table = models.sqlalchemy if query.framework == "sqlalchemy" else models.django
                relations = table.get(query.model, {})
                seen: set[str] = set()
                for access in _reads(body, found[0], relations):
                    relation = relations[access.attr]
                    if access.attr not in seen and not _covered(query, relation):
                        seen.add(access.attr)
                        yield NPlusOne(access, relation, query)


def _is_migration(module: ast.Module) -> bool:
    """An Alembic or Django migration: it runs once, so a per-row query costs little."""
    for node in module.body:
        if isinstance(node, ast.ImportFrom) and node.module in ("alembic", "django.db"):
            if node.module == "alembic" or any(a.name == "migrations" for a in node.names):
                return True
        elif isinstance(node, ast.Import) and any(a.name == "alembic" for a in node.names):
            return True
    return False


def _message(item: NPlusOne) -> str:
    rel, query = item.relation, item.query
    read = f"`{ast.unparse(item.access)}`"
    head = f"{read} in a loop over `{query.text}` runs one more query per row (N+1)"
    if rel.kind == "sqlalchemy":
        return (
            f"{head}: `{rel.model}.{rel.name}` is lazy-loaded; add "
            f"`.options(selectinload({rel.model}.{rel.name}))` to the query (`joinedload` "
            'for a many-to-one), or set `lazy="selectin"` on the relationship'
        )
    fix = "select_related" if rel.kind == "forward" else "prefetch_related"
    return (
        f'{head}: add `.{fix}("{rel.name}")` to the queryset so Django loads `{rel.name}` up front'
    )


@rule
class OrmNPlusOne(Rule):
    name = "orm-n-plus-one"
    code = "PY010"
    category = Category.PERFORMANCE
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 20
    kinds = frozenset({"python"})
    prefilter = (
        b"relationship",
        b"Relationship",
        b"ForeignKey",
        b"ManyToManyField",
        b"OneToOneField",
    )
    # Only files that also run queries can loop over their results.
    prefilter_pattern = re.compile(rb"\.objects\b|\.query\b|\.scalars\(|\bselect\(|\.execute\(")
    preview = True
    summary = "A loop over ORM query results reads a lazy relation of each row (N+1 queries)."
    doc = {
        "What it finds": (
            "A `for` loop or comprehension over an ORM query that reads a relation of each "
            "row, when the query does not load that relation up front. Models and queries "
            "must be in the same module. SQLAlchemy: `relationship(...)` attributes (and "
            "`backref` names) with the default lazy loading, read in a loop over "
            "`session.scalars(select(X))`, `session.execute(select(X)).scalars()`, "
            "`session.query(X)` or Flask-SQLAlchemy `X.query`, without a `selectinload`/"
            "`joinedload`/`subqueryload`/`immediateload`/`raiseload`/`contains_eager` option "
            "for it. Django: `ForeignKey`/`OneToOneField` attributes, `ManyToManyField`s and "
            "reverse managers (`book_set`, `related_name`) read in a loop over "
            "`X.objects.all()/filter()/...` without `select_related`/`prefetch_related` for "
            "them. Columns and plain fields are never reported; relationships declared with "
            '`lazy="selectin"`/`"joined"` (or `raise`, `noload`, `dynamic`) are skipped; '
            "so are awaited (async) queries, Alembic and Django migrations (they run once) "
            "and test files."
        ),
        "Why": (
            "A lazy relation runs its own SELECT the first time it is read on each row, so a "
            "loop over N rows runs 1 + N queries, each a network round trip. Django's "
            "optimization guide says to retrieve everything at once if you know you will "
            "need it, with `select_related` (a join, for foreign keys and one-to-one) and "
            "`prefetch_related` (one extra query for many-valued relations). SQLAlchemy's "
            "relationship loading guide describes lazy loading as the default and the N+1 "
            "problem it causes, and offers `selectinload`/`joinedload` to load related "
            "objects with the parent rows, and `raiseload` to forbid lazy loads. The cost "
            "grows with the number of rows; Optimus has not measured it."
        ),
        "Example": (
            "```python\n"
            "for book in Book.objects.filter(published=True):\n"
            "    print(book.title, book.author.name)  # one query per book\n"
            "```"
        ),
        "Instead": (
            "Django: `Book.objects.filter(published=True).select_related('author')` (or "
            "`prefetch_related('tags')` for many-valued relations). SQLAlchemy: "
            "`session.scalars(select(Book).options(selectinload(Book.author)))`, `joinedload` "
            "for a many-to-one, or `lazy='selectin'` on the relationship when it is always "
            "needed; `raiseload('*')` makes any forgotten lazy load fail loudly in tests."
        ),
        "When not to": (
            "Loops over a handful of rows, relations that are almost always empty or already "
            "in the session's identity map, and code where loading the relation up front "
            "would fetch far more than the loop reads (a `break` after the first match). The "
            "rule only sees models declared in the scanned module, queries written in the "
            "shapes above, and rows read directly in the loop (not in helper functions)."
        ),
    }
    references = (
        Reference(
            "Django: Database access optimization - Retrieve everything at once",
            "https://docs.djangoproject.com/en/5.0/topics/db/optimization/"
            "#retrieve-everything-at-once-if-you-know-you-will-need-it",
        ),
        Reference(
            "SQLAlchemy: Relationship Loading Techniques",
            "https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if is_test_or_fixture(src) or _is_migration(src.python):
            return
        for item in sorted(find_n_plus_one(src.python), key=lambda i: i.access.lineno):
            yield Hit(_message(item), line=item.access.lineno, end_line=item.access.end_lineno)
