"""fk-without-index: a foreign key whose referencing column no index starts with.

PostgreSQL (like SQLite and SQL Server) does not index the referencing side of a foreign key;
MySQL's InnoDB does, so files that are clearly MySQL are skipped (``ENGINE=``/
``AUTO_INCREMENT`` in SQL; any mention of ``mysql``/``mariadb`` in a Python module). Reads SQL
DDL files (``_fk_sql``) and SQLAlchemy/SQLModel models, Django models and Alembic migrations
(``_fk_python``); keys found in migrations (Alembic, and SQL migration histories: Diesel,
sqlx, golang-migrate, Flyway, Prisma, ``db/migrate``) are not reported (see
``REPORT_MIGRATIONS``), and ``down.sql`` files are never read. Everything is judged within
one file: an index created in another file is not seen, which is why the confidence is medium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.python._astutil import is_test_or_fixture
from optimus.rules.python._fk_python import PythonSchema
from optimus.rules.python._fk_sql import (
    MYSQL_DDL,
    ForeignKey,
    is_down_migration,
    is_sql_migration,
    read_sql,
)

_MYSQL_PY = re.compile(r"mysql|mariadb", re.IGNORECASE)
#: Whether foreign keys found in migrations (Alembic, SQL migration folders such as Diesel's
#: ``migrations/<id>/up.sql``) are reported. Off: a migration is
#: history (the fix is a new migration, never an edit of an old one), a later migration
#: often adds the index (49 of 60 migration findings in mealie; in Lemmy's Diesel history,
#: at least 73 of 118), and the models or schema file of the same
#: project report the same keys in their current state. Migrations are still read, so an
#: index they create is known; a project rule that reads every migration could turn this on.
REPORT_MIGRATIONS = False
_WHY = (
    "PostgreSQL does not index the referencing columns of a foreign key, so each delete or "
    "key update of a row in `{target}` scans `{table}` to check it, and lookups and joins by "
    "this column scan too"
)


def _message(fk: ForeignKey, how: str) -> str:
    table = fk.table or "the tables of its models"
    why = _WHY.format(target=fk.target, table=table)
    return (
        f"{fk.label} references `{fk.target}` but no index in this file starts with it: "
        f"{why}; {how}"
    )


def _how(fk: ForeignKey, source: str) -> str:
    column = fk.columns[0]
    columns = ", ".join(fk.columns)
    if source == "sql":
        return f"add `CREATE INDEX ON {fk.table} ({columns});`"
    if source == "django":
        return (
            "drop `db_index=False` (Django indexes foreign keys by default) or add a "
            f'`Meta.indexes` entry that starts with "{column}"'
        )
    if source == "alembic":
        return (
            f'add `op.create_index(op.f("ix_{fk.table}_{column}"), "{fk.table}", ["{column}"])` '
            "in a new migration (and `index=True` on the model's column)"
        )
    return (
        "add `index=True` to the column, or an `Index(...)` in `__table_args__` that starts with it"
    )


@rule
class FkWithoutIndex(Rule):
    name = "fk-without-index"
    code = "PY011"
    category = Category.PERFORMANCE
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 15
    kinds = frozenset({"python", "code"})
    prefilter = (
        b"ForeignKey",
        b"REFERENCES",
        b"references",
        b"create_foreign_key",
        b"foreign_key=",
    )
    # "references" alone is common prose; in SQL it is followed by a table and a column list.
    prefilter_pattern = re.compile(
        rb"ForeignKey|create_foreign_key|foreign_key=|\bREFERENCES\b|"
        rb"(?i:\breferences\s+[\w\"`.]+\s*\()"
    )
    summary = "A foreign key column with no index that starts with it (PostgreSQL-style schemas)."
    doc = {
        "What it finds": (
            "Foreign keys whose referencing column is not the first column of any index, "
            "primary key or unique constraint declared in the same file: SQLAlchemy "
            "`Column(ForeignKey(...))`/`mapped_column(ForeignKey(...))` and SQLModel "
            "`Field(foreign_key=...)` without `index=True`/`unique=True`, not the first "
            "primary-key column, and not leading an `Index`/`UniqueConstraint`/"
            "`PrimaryKeyConstraint` in `__table_args__`, `Table(...)` or the module; Django "
            "`ForeignKey(..., db_index=False)` not leading a `Meta` index or unique set; and "
            "SQL DDL files (`REFERENCES` in `CREATE TABLE`/`ALTER TABLE`) with no `CREATE "
            "INDEX` leading with the column. Migrations are read but not reported: Alembic "
            "migrations, and SQL files of a migration history (a `migrations`/`migration` or "
            "`db/migrate` folder, Diesel's `up.sql`, golang-migrate's `0001_x.up.sql`, "
            "Flyway's `V1__x.sql`, goose/sql-migrate/dbmate section markers); `down.sql` and "
            "`*.down.sql` files are not read at all. A migration is history, a later one often "
            "adds the index, and the models or schema file show the current schema (the fix "
            "is `index=True` there, or a new migration). Files that "
            "are clearly MySQL/MariaDB are skipped: "
            "`ENGINE=`/`AUTO_INCREMENT` in SQL or a `mysql`/`mariadb` folder, any mention of "
            "mysql or mariadb in Python. Test files and `testdata`/`fixtures` folders are "
            "skipped."
        ),
        "Why": (
            "The PostgreSQL documentation: a foreign key must reference columns that are a "
            "primary key or unique constraint, so the referenced side always has an index, but "
            '"the declaration of a foreign key constraint does not automatically create an '
            'index on the referencing columns". Each `DELETE` or key `UPDATE` of a referenced '
            "row must find the referencing rows, which without an index is a scan of the "
            "referencing table, and joins and lookups by the foreign key (loading an author's "
            "books) scan as well; so it is often a good idea to index the referencing columns. "
            "MySQL's InnoDB, by contrast, requires an index on foreign keys and creates one "
            "itself, hence the dialect check. Django creates the index unless "
            "`db_index=False`. The cost grows with the referencing table; Optimus has not "
            "measured it."
        ),
        "Example": (
            "```python\n"
            "class Book(Base):\n"
            "    __tablename__ = 'book'\n"
            "    id = mapped_column(Integer, primary_key=True)\n"
            "    author_id = mapped_column(ForeignKey('author.id'))  # no index\n"
            "```"
        ),
        "Instead": (
            "Index the referencing column: `mapped_column(ForeignKey('author.id'), "
            "index=True)`, `Index('ix_book_author_id', 'author_id')` in `__table_args__`, "
            "`op.create_index(...)` in a new migration, `CREATE INDEX ON book "
            "(author_id);` in SQL (`CONCURRENTLY` on a live table), or drop `db_index=False` "
            "in Django. A composite index or primary key that starts with the column covers it."
        ),
        "When not to": (
            "Small, rarely changed lookup tables (a handful of rows is scanned quickly), and "
            "referenced rows that are never deleted or re-keyed when nothing queries by the "
            "column. An index created in another file (a later migration, a separate "
            "indexes.sql) is not seen: suppress the finding with "
            "`# optimus: ignore[fk-without-index]` (in SQL, end the line with "
            "`-- # optimus: ignore[fk-without-index]`). MySQL projects whose files do not say so "
            "may also see findings; InnoDB indexes foreign keys by itself."
        ),
    }
    references = (
        Reference(
            "PostgreSQL: Foreign Keys (the referencing columns are not indexed automatically)",
            "https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-FK",
        ),
        Reference(
            "MySQL: FOREIGN KEY Constraints (InnoDB requires and creates an index)",
            "https://dev.mysql.com/doc/refman/8.0/en/create-table-foreign-keys.html",
        ),
        Reference(
            "Django: ForeignKey (a database index is created automatically)",
            "https://docs.djangoproject.com/en/5.0/ref/models/fields/#foreignkey",
        ),
        Reference(
            "SQLAlchemy: Column.index",
            "https://docs.sqlalchemy.org/en/20/core/metadata.html#sqlalchemy.schema.Column.params.index",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if is_test_or_fixture(src):
            return
        if src.kind == "code":
            if not src.path.lower().endswith(".sql") or MYSQL_DDL.search(src.text):
                return
            folders = src.project_path.lower().split("/")[:-1]
            if any(f in ("mysql", "mariadb") for f in folders):
                return  # db/mysql/schema.sql: InnoDB indexes foreign keys itself
            if is_down_migration(src.path):
                return  # undoes a migration: never the schema that runs
            if is_sql_migration(src.path, src.text) and not REPORT_MIGRATIONS:
                return  # history: a later migration often adds the index
            for fk in read_sql(src.text).unindexed():
                yield Hit(_message(fk, _how(fk, "sql")), line=fk.line, end_line=fk.end_line)
            return
        if _MYSQL_PY.search(src.text):
            return
        for fk in PythonSchema(src.python).schema.unindexed():
            if fk.kind == "alembic" and not REPORT_MIGRATIONS:
                continue
            yield Hit(_message(fk, _how(fk, fk.kind)), line=fk.line, end_line=fk.end_line)
