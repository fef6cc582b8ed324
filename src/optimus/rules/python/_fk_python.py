"""Foreign keys and index-leading columns in Python: SQLAlchemy, SQLModel, Django, Alembic.

For fk-without-index (PY011). One module at a time:

- SQLAlchemy/SQLModel models and ``Table(...)``: a ``Column``/``mapped_column`` with a
  ``ForeignKey(...)`` argument (or SQLModel ``Field(foreign_key=...)``) is indexed when it has
  ``index=True``, ``unique=True``, is the first primary-key column, or leads an ``Index``,
  ``UniqueConstraint`` or ``PrimaryKeyConstraint`` in ``__table_args__``, the ``Table``
  arguments, or anywhere in the module (``Index("ix", Book.author_id)``).
- Django: a ``ForeignKey(..., db_index=False)`` not leading a ``Meta`` index or unique set.
- Alembic migrations (their ``upgrade()``): ``op.create_table``/``op.add_column`` columns as
  above, ``op.create_foreign_key`` on a column this migration creates, indexes from
  ``op.create_index``/``create_unique_constraint``/``create_primary_key`` and SQL run with
  ``op.execute``; ``batch_alter_table`` blocks included.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from optimus.parse.pyast import walk
from optimus.rules.python._astutil import const_str, import_map, kwarg, last_name
from optimus.rules.python._fk_sql import ForeignKey, Schema, norm, read_sql

_COLUMN = frozenset({"Column", "mapped_column"})
_LEADING = frozenset({"Index", "UniqueConstraint", "PrimaryKeyConstraint"})


def _true(call: ast.Call, name: str) -> bool:
    value = kwarg(call, name)
    return isinstance(value, ast.Constant) and value.value is True


def _name(call: ast.Call) -> str | None:
    return last_name(call.func)


def _strings(expr: ast.expr | None) -> list[str]:
    """["a", "b"] for a list or tuple of string literals, ["a"] for "a"."""
    if isinstance(expr, ast.List | ast.Tuple):
        return [s for e in expr.elts if (s := const_str(e)) is not None]
    text = const_str(expr)
    return [text] if text is not None else []


def _target(expr: ast.expr | None) -> str:
    """The referenced table of ``ForeignKey("author.id")`` / ``ForeignKey(Author.id)``."""
    text = const_str(expr)
    if text is not None:
        parts = text.split(".")
        return parts[-2] if len(parts) >= 2 else parts[0]
    if isinstance(expr, ast.Attribute):
        return last_name(expr.value) or "?"
    return last_name(expr) if expr is not None else "?"


class PythonSchema:
    """Reads one module's foreign keys and indexes into a :class:`Schema`."""

    def __init__(self, module: ast.Module) -> None:
        self.schema = Schema()
        self.imports = import_map(module)
        self.done: set[int] = set()  # Index/constraint calls already read in a table context
        #: Python names of tables: class name or Table variable -> (table, attribute -> column)
        self.tables: dict[str, tuple[str, dict[str, str]]] = {}
        self.created: set[tuple[str, str]] = set()  # alembic: columns this migration creates
        self.migration_fks: list[ForeignKey] = []
        roots = {q.split(".", 1)[0] for q in self.imports.values()}
        self.kind = "alembic" if "alembic" in roots else "orm"
        if "alembic" in roots:
            self._alembic(module)
        else:
            if roots & {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"}:
                self._sqlalchemy(module)
            if "django" in roots:
                self._django(module)

    # -- SQLAlchemy ---------------------------------------------------------------------

    def _column(self, table: str, call: ast.Call, attr: str | None, label: str) -> str | None:
        """Record one Column/mapped_column/Field; returns its column name."""
        name = const_str(call.args[0]) if call.args else None
        column = name or attr
        if column is None:
            return None
        fk_target: str | None = None
        for arg in call.args:
            if isinstance(arg, ast.Call) and _name(arg) == "ForeignKey":
                fk_target = _target(arg.args[0] if arg.args else kwarg(arg, "column"))
        if _name(call) == "Field" and const_str(kwarg(call, "foreign_key")):
            fk_target = _target(kwarg(call, "foreign_key"))
        if _true(call, "index") or _true(call, "unique"):
            self.schema.lead(table, column)
        if fk_target is not None:
            self.schema.foreign_keys.append(
                ForeignKey(
                    table,
                    (column,),
                    fk_target,
                    call.lineno,
                    call.end_lineno or call.lineno,
                    f"`{label}.{attr or column}`",
                    self.kind,
                )
            )
        return column

    def _is_column(self, value: ast.expr) -> bool:
        if not isinstance(value, ast.Call):
            return False
        name = _name(value)
        return name in _COLUMN or (name == "Field" and kwarg(value, "foreign_key") is not None)

    def _constraint(self, table: str, call: ast.Call, attrs: dict[str, str]) -> None:
        """Index/UniqueConstraint/PrimaryKeyConstraint/ForeignKeyConstraint in a table."""
        self.done.add(id(call))
        name = _name(call)
        if name == "ForeignKeyConstraint" and call.args:
            columns = [self._column_ref(e, attrs)[1] for e in _elements(call.args[0])]
            target = _elements(call.args[1])[0] if len(call.args) > 1 else None
            if columns and all(columns):
                self.schema.foreign_keys.append(
                    ForeignKey(
                        table,
                        tuple(c for c in columns if c),
                        _target(target),
                        call.lineno,
                        call.end_lineno or call.lineno,
                        f"`{table}` ({', '.join(c for c in columns if c)})",
                        self.kind,
                    )
                )
            return
        args = call.args[1:] if name == "Index" else call.args
        if args:
            ref_table, column = self._column_ref(args[0], attrs)
            if column:
                self.schema.lead(ref_table if ref_table is not None else table, column)

    def _column_ref(self, expr: ast.expr, attrs: dict[str, str]) -> tuple[str | None, str | None]:
        """(table or None for "this table", column) of a column reference."""
        text = const_str(expr)
        if text is not None:
            return None, text
        if isinstance(expr, ast.Name):
            return None, attrs.get(expr.id, expr.id)
        if isinstance(expr, ast.Attribute):
            owner = expr.value
            if isinstance(owner, ast.Attribute) and owner.attr == "c":  # table.c.col
                owner = owner.value
            key = last_name(owner)
            if key in self.tables:
                table, owner_attrs = self.tables[key]
                return table, owner_attrs.get(expr.attr, expr.attr)
            return "", expr.attr
        return None, None

    def _table_items(self, table: str, items: list[ast.expr], label: str) -> None:
        """Columns and constraints given to Table(...) or op.create_table(...)."""
        pk: list[str] = []
        explicit_pk = False
        for item in items:
            if not isinstance(item, ast.Call):
                continue
            if self._is_column(item):
                column = self._column(table, item, None, label)
                if column and _true(item, "primary_key"):
                    pk.append(column)
                if column:
                    self.created.add((norm(table), norm(column)))
            elif _name(item) in _LEADING or _name(item) == "ForeignKeyConstraint":
                explicit_pk |= _name(item) == "PrimaryKeyConstraint"
                self._constraint(table, item, {})
        if pk and not explicit_pk:
            self.schema.lead(table, pk[0])

    def _sqlalchemy(self, module: ast.Module) -> None:
        classes = [n for n in walk(module) if isinstance(n, ast.ClassDef)]
        for cls in classes:  # names first, so Index(..., Other.col) resolves in any order
            table = cls.name
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and [_target_name(t) for t in stmt.targets] == [
                    "__tablename__"
                ]:
                    table = const_str(stmt.value) or table
            self.tables[cls.name] = (table, {})
        for node in walk(module):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                call = node.value
                if _name(call) == "Table" and const_str(call.args[0] if call.args else None):
                    table = const_str(call.args[0]) or ""
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.tables[target.id] = (table, {})
        for cls in classes:
            self._model(cls)
        for node in walk(module):
            if isinstance(node, ast.Call) and _name(node) == "Table" and node.args:
                table = const_str(node.args[0])
                if table is not None:
                    self._table_items(table, node.args[2:], table)
        for node in walk(module):
            if isinstance(node, ast.Call) and id(node) not in self.done and _name(node) in _LEADING:
                self._constraint("", node, {})

    def _model(self, cls: ast.ClassDef) -> None:
        table, attrs = self.tables[cls.name]
        pk: list[str] = []
        table_args: ast.expr | None = None
        for stmt in cls.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else None
            if isinstance(stmt, ast.AnnAssign):
                target = stmt.target
            attr = _target_name(target) if target is not None else None
            value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
            if attr == "__table_args__":
                table_args = value
            elif attr and value is not None and self._is_column(value):
                assert isinstance(value, ast.Call)
                column = self._column(table, value, attr, cls.name)
                if column:
                    attrs[attr] = column
                    if _true(value, "primary_key"):
                        pk.append(column)
        explicit_pk = False
        for item in _elements(table_args):
            if isinstance(item, ast.Call) and (
                _name(item) in _LEADING or _name(item) == "ForeignKeyConstraint"
            ):
                explicit_pk |= _name(item) == "PrimaryKeyConstraint"
                self._constraint(table, item, attrs)
        if pk and not explicit_pk:
            self.schema.lead(table, pk[0])

    # -- Django -------------------------------------------------------------------------

    def _django(self, module: ast.Module) -> None:
        for cls in (n for n in walk(module) if isinstance(n, ast.ClassDef)):
            meta = next(
                (s for s in cls.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None
            )
            abstract = False
            if meta is not None:
                self._django_meta(cls.name, meta)
                abstract = any(
                    isinstance(s, ast.Assign)
                    and _target_name(s.targets[0]) == "abstract"
                    and isinstance(s.value, ast.Constant)
                    and s.value.value is True
                    for s in meta.body
                )
            for stmt in cls.body:
                if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)):
                    continue
                call, attr = stmt.value, _target_name(stmt.targets[0])
                if attr is None or _name(call) != "ForeignKey":
                    continue
                db_index = kwarg(call, "db_index")
                if isinstance(db_index, ast.Constant) and db_index.value is False:
                    if _true(call, "unique") or _true(call, "primary_key"):
                        continue
                    # an abstract model's fields live in its subclasses' tables, whose
                    # Meta.indexes may cover them: match an index of any model here
                    self.schema.foreign_keys.append(
                        ForeignKey(
                            "" if abstract else cls.name,
                            (attr,),
                            _target(call.args[0] if call.args else kwarg(call, "to")),
                            call.lineno,
                            call.end_lineno or call.lineno,
                            f"`{cls.name}.{attr}`",
                            "django",
                        )
                    )

    def _django_meta(self, model: str, meta: ast.ClassDef) -> None:
        for stmt in meta.body:
            if not isinstance(stmt, ast.Assign):
                continue
            name = _target_name(stmt.targets[0])
            if name in ("unique_together", "index_together"):
                groups = _elements(stmt.value)
                if groups and all(const_str(g) for g in groups):
                    groups = [stmt.value]  # unique_together = ("a", "b")
                for group in groups:
                    self._django_lead(model, _strings(group))
            elif name in ("indexes", "constraints"):
                for item in _elements(stmt.value):
                    if isinstance(item, ast.Call):
                        self._django_lead(model, _strings(kwarg(item, "fields")))

    def _django_lead(self, model: str, fields: list[str]) -> None:
        if fields:
            field_name = fields[0].lstrip("-")
            self.schema.lead(model, field_name)
            self.schema.lead(model, field_name.removesuffix("_id"))

    # -- Alembic ------------------------------------------------------------------------

    def _alembic(self, module: ast.Module) -> None:
        upgrade = next(
            (
                n
                for n in module.body
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == "upgrade"
            ),
            None,
        )
        scope: ast.AST = upgrade if upgrade is not None else module
        # each `with op.batch_alter_table("t") as batch_op:` block has its own table
        batch_of: dict[int, str] = {}
        for node in walk(scope):
            if not isinstance(node, ast.With):
                continue
            for item in node.items:
                call = item.context_expr
                if not (
                    isinstance(call, ast.Call)
                    and _name(call) == "batch_alter_table"
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    continue
                table = const_str(call.args[0] if call.args else kwarg(call, "table_name")) or ""
                alias = item.optional_vars.id
                for inner in walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Attribute)
                        and last_name(inner.func.value) == alias
                    ):
                        batch_of[id(inner)] = table
        for node in walk(scope):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                self._operation(node, batch_of.get(id(node)))
        for fk in self.migration_fks:
            if (norm(fk.table), norm(fk.columns[0])) in self.created:
                self.schema.foreign_keys.append(fk)

    def _operation(self, call: ast.Call, batch: str | None) -> None:
        """One ``op.<operation>(...)`` (``batch`` is the table of a batch_op receiver)."""
        name = _name(call)
        args = list(call.args)
        if batch is not None:
            args.insert(1 if name != "add_column" else 0, ast.Constant(batch))

        def arg(i: int, key: str) -> ast.expr | None:
            return args[i] if len(args) > i else kwarg(call, key)

        if name == "create_table" and args:
            table = const_str(args[0]) or ""
            self._table_items(table, args[1:], table)
        elif name == "add_column" and len(args) > 1 and isinstance(args[1], ast.Call):
            table = const_str(args[0]) or ""
            column = self._column(table, args[1], None, table)
            if column:
                self.created.add((norm(table), norm(column)))
        elif name == "create_foreign_key":
            # op: (name, source, referent, local_cols, remote_cols); a batch_op has no
            # source argument, and its table was inserted above
            source = const_str(arg(1, "source_table")) or ""
            local = _strings(arg(3, "local_cols"))
            if local:
                self.migration_fks.append(
                    ForeignKey(
                        source,
                        tuple(local),
                        const_str(arg(2, "referent_table")) or "?",
                        call.lineno,
                        call.end_lineno or call.lineno,
                        f"`{source}.{local[0]}`"
                        if len(local) == 1
                        else f"`{source}` ({', '.join(local)})",
                        "alembic",
                    )
                )
        elif name in ("create_index", "create_unique_constraint", "create_primary_key"):
            table = const_str(arg(1, "table_name")) or ""
            columns = _strings(arg(2, "columns"))
            if columns:
                self.schema.lead(table, columns[0])
        elif name == "execute" and args:
            sql = args[0]
            if isinstance(sql, ast.Call) and sql.args:  # op.execute(sa.text("..."))
                sql = sql.args[0]
            text = const_str(sql)
            if text is not None:
                # SQL may add a foreign key to an old column that an earlier migration
                # indexed, so its keys count only on columns this migration creates
                found = read_sql(text, base_line=sql.lineno)
                self.schema.leading |= found.leading
                self.migration_fks += [replace(fk, kind="alembic") for fk in found.foreign_keys]


def _target_name(target: ast.expr | None) -> str | None:
    return target.id if isinstance(target, ast.Name) else None


def _elements(expr: ast.expr | None) -> list[ast.expr]:
    if isinstance(expr, ast.Tuple | ast.List):
        return list(expr.elts)
    return [expr] if isinstance(expr, ast.Call | ast.Constant) else []


def read_python(module: ast.Module) -> Schema:
    """Foreign keys and index-leading columns declared by a Python module."""
    return PythonSchema(module).schema
