"""ORM models declared in one module, and which of their attributes are lazy relations.

For orm-n-plus-one (PY010). SQLAlchemy/SQLModel: class attributes assigned
``relationship(...)``/``Relationship(...)`` (and ``backref=`` names on the target class),
lazy unless ``lazy=`` says ``selectin``/``joined``/``subquery``/``immediate`` (loaded with the
row) or ``raise``/``noload``/``dynamic``/``write_only`` (never loaded on access). Django:
``ForeignKey``/``OneToOneField`` (forward, fixed with ``select_related``), ``ManyToManyField``
and reverse managers (``<model>_set`` or ``related_name``, fixed with ``prefetch_related``).
Plain columns and fields are never relations. Subclasses inherit their bases' relations.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from optimus.parse.pyast import walk
from optimus.rules.python._astutil import const_str, import_map, kwarg, last_name

#: ``lazy=`` values that load the relation with the parent rows (no per-row query).
_EAGER = frozenset({"joined", "selectin", "subquery", "immediate", False})
#: ``lazy=`` values where attribute access never runs a lazy SELECT.
_NEVER = frozenset({"raise", "raise_on_sql", "noload", "dynamic", "write_only", None})
_NOT_LAZY_ANNOTATIONS = frozenset({"WriteOnlyMapped", "DynamicMapped"})
_FORWARD = frozenset({"ForeignKey", "OneToOneField"})


@dataclass(frozen=True)
class Relation:
    """A relation attribute that runs a query when read: how to load it up front."""

    model: str
    name: str
    kind: str  # "sqlalchemy", "forward" (select_related) or "many" (prefetch_related)


@dataclass
class Models:
    """Lazy relations per model class name, by framework."""

    sqlalchemy: dict[str, dict[str, Relation]] = field(default_factory=dict)
    django: dict[str, dict[str, Relation]] = field(default_factory=dict)


def _lazy_value(call: ast.Call) -> object:
    """The ``lazy=`` setting of a relationship call ("select" when not given)."""
    value = kwarg(call, "lazy")
    extra = kwarg(call, "sa_relationship_kwargs")  # SQLModel
    if value is None and isinstance(extra, ast.Dict):
        for key, item in zip(extra.keys, extra.values, strict=True):
            if key is not None and const_str(key) == "lazy":
                value = item
    if value is None:
        return "select"
    if isinstance(value, ast.Constant):
        return value.value
    return "unknown"


def _is_lazy(call: ast.Call) -> bool:
    lazy = _lazy_value(call)
    return lazy not in _EAGER and lazy not in _NEVER and lazy != "unknown"


def _target_class(expr: ast.expr | None) -> str | None:
    """``Child`` for ``"Child"``, ``Child``, ``"app.Child"`` or ``"Child.id"``-like text."""
    text = const_str(expr)
    if text is not None:
        return text.split(".")[-1] if "." in text and text[:1].isupper() else text.split(".")[0]
    return last_name(expr) if expr is not None else None


def _assignments(cls: ast.ClassDef) -> list[tuple[str, ast.expr, ast.expr | None]]:
    """(name, value, annotation) of the simple assignments of a class body."""
    out = []
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                out.append((target.id, stmt.value, None))
        elif (
            isinstance(stmt, ast.AnnAssign)
            and stmt.value is not None
            and isinstance(stmt.target, ast.Name)
        ):
            out.append((stmt.target.id, stmt.value, stmt.annotation))
    return out


def _annotation_head(annotation: ast.expr | None) -> str | None:
    if isinstance(annotation, ast.Subscript):
        return last_name(annotation.value)
    return None


def _sqlalchemy(classes: list[ast.ClassDef], models: Models) -> None:
    for cls in classes:
        rels = models.sqlalchemy.setdefault(cls.name, {})
        for name, value, annotation in _assignments(cls):
            if not isinstance(value, ast.Call) or last_name(value.func) not in (
                "relationship",
                "Relationship",
            ):
                continue
            if _is_lazy(value) and _annotation_head(annotation) not in _NOT_LAZY_ANNOTATIONS:
                rels[name] = Relation(cls.name, name, "sqlalchemy")
            backref = kwarg(value, "backref")
            target = _target_class(value.args[0] if value.args else kwarg(value, "argument"))
            if backref is None or target is None:
                continue
            back_name, back_lazy = const_str(backref), True
            if isinstance(backref, ast.Call) and backref.args:  # backref("name", lazy=...)
                back_name, back_lazy = const_str(backref.args[0]), _is_lazy(backref)
            if back_name and back_lazy:
                models.sqlalchemy.setdefault(target, {})[back_name] = Relation(
                    target, back_name, "sqlalchemy"
                )


def _django(classes: list[ast.ClassDef], models: Models) -> None:
    names = {c.name for c in classes}
    for cls in classes:
        rels = models.django.setdefault(cls.name, {})
        for name, value, _ in _assignments(cls):
            if not isinstance(value, ast.Call):
                continue
            kind = last_name(value.func)
            if kind in _FORWARD:
                rels[name] = Relation(cls.name, name, "forward")
            elif kind == "ManyToManyField":
                rels[name] = Relation(cls.name, name, "many")
            else:
                continue
            target = _target_class(value.args[0] if value.args else kwarg(value, "to"))
            target = cls.name if target == "self" else target
            if target not in names:
                continue
            related = kwarg(value, "related_name")
            if related is not None:
                reverse = const_str(related)
                if reverse is None or reverse.endswith("+") or "%(" in reverse:
                    continue
            else:
                reverse = cls.name.lower() + ("" if kind == "OneToOneField" else "_set")
            back_kind = "forward" if kind == "OneToOneField" else "many"
            assert target is not None
            models.django.setdefault(target, {})[reverse] = Relation(target, reverse, back_kind)


def _is_django_model(cls: ast.ClassDef, known: set[str]) -> bool:
    for base in cls.bases:
        name = last_name(base) or ""
        if name in known or name.endswith("Model"):
            return True
    return False


def _inherit(classes: list[ast.ClassDef], table: dict[str, dict[str, Relation]]) -> None:
    """Give each class the relations of its bases declared in the same module."""
    bases = {c.name: [last_name(b) for b in c.bases] for c in classes}

    def collect(name: str, seen: set[str]) -> dict[str, Relation]:
        merged: dict[str, Relation] = {}
        for base in bases.get(name, []):
            if base and base in table and base not in seen:
                merged.update(collect(base, seen | {base}))
        merged.update(table.get(name, {}))
        return merged

    for cls in classes:
        table[cls.name] = {
            attr: Relation(cls.name, attr, rel.kind)
            for attr, rel in collect(cls.name, {cls.name}).items()
        }


def collect_models(module: ast.Module) -> Models:
    """The lazy relations of the SQLAlchemy and Django models a module declares."""
    models = Models()
    roots = {q.split(".", 1)[0] for q in import_map(module).values()}
    classes = [n for n in walk(module) if isinstance(n, ast.ClassDef)]
    if roots & {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"}:
        _sqlalchemy(classes, models)
        _inherit(classes, models.sqlalchemy)
    if "django" in roots:
        known: set[str] = set()
        django_classes = []
        for cls in classes:  # in order, so a model may derive from one defined above
            if _is_django_model(cls, known):
                known.add(cls.name)
                django_classes.append(cls)
        _django(django_classes, models)
        _inherit(django_classes, models.django)
    models.sqlalchemy = {k: v for k, v in models.sqlalchemy.items() if v}
    models.django = {k: v for k, v in models.django.items() if v}
    return models
