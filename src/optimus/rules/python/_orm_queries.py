"""ORM queries whose results are model instances, and what they load up front.

For orm-n-plus-one (PY010): SQLAlchemy ``session.scalars(select(X))``,
``session.execute(select(X)).scalars()``, ``session.query(X)`` and Flask-SQLAlchemy
``X.query`` chains with their loader options; Django ``X.objects`` querysets with their
``select_related``/``prefetch_related``. A name assigned once in the same function is followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from optimus.rules.python._astutil import const_str, last_name, short
from optimus.rules.python._orm_models import Models

_SA_CHAIN = frozenset(
    {
        "where", "filter", "filter_by", "order_by", "limit", "offset", "join", "outerjoin",
        "distinct", "group_by", "having", "execution_options", "select_from", "join_from",
        "correlate", "all", "unique", "yield_per", "enable_eagerloads", "params",
        "with_for_update", "fetch", "slice",
    }
)  # fmt: skip
_DJANGO_CHAIN = frozenset(
    {
        "all", "filter", "exclude", "order_by", "distinct", "reverse", "using", "defer",
        "only", "annotate", "alias", "select_for_update", "iterator", "none", "extra",
        "complex_filter",
    }
)  # fmt: skip
_EAGER_LOADERS = frozenset(
    {"selectinload", "joinedload", "subqueryload", "immediateload", "raiseload", "contains_eager"}
)
_NEUTRAL_OPTIONS = frozenset(
    {"lazyload", "defaultload", "load_only", "defer", "undefer", "undefer_group", "noload"}
    | {"with_loader_criteria", "with_expression"}
)
ALL = "*"  # a loaded-set entry meaning "every relation"
ALL_FORWARD = "*forward"  # Django select_related() without arguments


@dataclass(frozen=True)
class Query:
    """An ORM query whose results are model instances."""

    framework: str  # "sqlalchemy" or "django"
    model: str
    loaded: frozenset[str]  # relations loaded up front; may hold ALL or ALL_FORWARD
    text: str


def _loaded_by_option(option: ast.expr) -> set[str]:
    """Relations one ``.options(...)`` argument loads; {ALL} when it cannot tell."""
    if not isinstance(option, ast.Call):
        return {ALL}
    chain = option
    while isinstance(chain.func, ast.Attribute) and isinstance(chain.func.value, ast.Call):
        chain = chain.func.value  # joinedload(A.b).selectinload(B.c): the first-level loader
    loader = last_name(chain.func)
    if loader == "Load":  # Load(User).selectinload(User.orders)
        return {ALL}
    if loader in _NEUTRAL_OPTIONS:
        return set()
    if loader not in _EAGER_LOADERS or not chain.args:
        return {ALL}
    arg = chain.args[0]
    text = const_str(arg)
    if text is not None:
        return {ALL} if text == "*" else {text.split(".")[0]}
    if isinstance(arg, ast.Attribute):
        return {arg.attr}
    return {ALL}


def _sqlalchemy_select(expr: ast.expr, models: Models) -> tuple[str, set[str]] | None:
    """(model, loaded) of ``select(X).where(...).options(...)``."""
    loaded: set[str] = set()
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        method = expr.func.attr
        if method == "options":
            for option in expr.args:
                loaded |= _loaded_by_option(option)
        elif method not in _SA_CHAIN:
            return None
        expr = expr.func.value
    if (
        isinstance(expr, ast.Call)
        and last_name(expr.func) == "select"
        and len(expr.args) == 1
        and isinstance(expr.args[0], ast.Name)
        and expr.args[0].id in models.sqlalchemy
    ):
        return expr.args[0].id, loaded
    return None


class QueryReader:
    """Recognises ORM queries, following names assigned once in the same function."""

    def __init__(self, models: Models) -> None:
        self.models = models

    def query(self, expr: ast.expr, assigns: dict[str, list[ast.expr]]) -> Query | None:
        text = short(expr)
        if isinstance(expr, ast.Subscript):  # qs[:10]
            expr = expr.value
        if isinstance(expr, ast.Name):
            values = assigns.get(expr.id, [])
            if len(values) != 1:
                return None
            expr = values[0]
        found = self._sqlalchemy(expr, assigns) or self._django(expr)
        if found is None:
            return None
        framework, model, loaded = found
        return Query(framework, model, frozenset(loaded), text)

    def _sqlalchemy(
        self, expr: ast.expr, assigns: dict[str, list[ast.expr]]
    ) -> tuple[str, str, set[str]] | None:
        loaded: set[str] = set()
        scalars = False  # execute(...) yields rows, not models, unless .scalars() follows
        while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            method, receiver = expr.func.attr, expr.func.value
            if (method == "scalars" or (method == "execute" and scalars)) and expr.args:
                statement = expr.args[0]
                if isinstance(statement, ast.Name) and len(assigns.get(statement.id, [])) == 1:
                    statement = assigns[statement.id][0]
                found = _sqlalchemy_select(statement, self.models)
                if found is None:
                    return None
                return "sqlalchemy", found[0], loaded | found[1]
            if method == "query" and len(expr.args) == 1 and isinstance(expr.args[0], ast.Name):
                model = expr.args[0].id
                return ("sqlalchemy", model, loaded) if model in self.models.sqlalchemy else None
            if method == "options":
                for option in expr.args:
                    loaded |= _loaded_by_option(option)
            elif method == "scalars":
                scalars = True
            elif method not in _SA_CHAIN:
                return None
            expr = receiver
        # Flask-SQLAlchemy: Model.query.filter(...)
        if (
            isinstance(expr, ast.Attribute)
            and expr.attr == "query"
            and isinstance(expr.value, ast.Name)
            and expr.value.id in self.models.sqlalchemy
        ):
            return "sqlalchemy", expr.value.id, loaded
        return None

    def _django(self, expr: ast.expr) -> tuple[str, str, set[str]] | None:
        loaded: set[str] = set()
        while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            method = expr.func.attr
            if method in ("select_related", "prefetch_related"):
                if method == "select_related" and not expr.args:
                    loaded.add(ALL_FORWARD)
                for arg in expr.args:
                    text = const_str(arg)
                    if text is None and isinstance(arg, ast.Call) and arg.args:
                        text = const_str(arg.args[0])  # Prefetch("books", queryset=...)
                    loaded.add(text.split("__")[0] if text else ALL)
            elif method not in _DJANGO_CHAIN:
                return None
            expr = expr.func.value
        if (
            isinstance(expr, ast.Attribute)
            and expr.attr == "objects"
            and isinstance(expr.value, ast.Name)
            and expr.value.id in self.models.django
        ):
            return "django", expr.value.id, loaded
        return None
