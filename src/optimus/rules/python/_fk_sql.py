"""Foreign keys and index-leading columns in SQL DDL, for fk-without-index (PY011).

Reads ``CREATE TABLE`` (inline ``REFERENCES``, ``FOREIGN KEY (...)``, ``PRIMARY KEY``,
``UNIQUE``, MySQL ``KEY``/``INDEX`` and ``EXCLUDE`` entries), ``ALTER TABLE ... ADD`` (constraint
or column) and ``CREATE [UNIQUE] INDEX ... ON table (...)``. Only the leading column of an
index matters: an index on (a, b) serves lookups by ``a``, not by ``b``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from optimus.rules.python._sql import (
    Token,
    closing,
    line_at,
    mask,
    qualified,
    split_top,
    statements,
    tokenize,
)

#: MySQL-only DDL: InnoDB creates an index for every foreign key by itself.
MYSQL_DDL = re.compile(r"\bENGINE\s*=|\bAUTO_INCREMENT\b", re.IGNORECASE)
_TABLE_PREFIX = frozenset({"UNLOGGED", "TEMP", "TEMPORARY", "GLOBAL", "LOCAL"})
_INLINE_INDEX = frozenset({"KEY", "INDEX", "FULLTEXT", "SPATIAL"})
#: Folders that hold a migration history (Diesel, sqlx, golang-migrate, Prisma, Rails'
#: ``db/migrate``, Flyway's ``db/migration``).
_MIGRATION_DIRS = frozenset({"migrations", "migration"})
#: File names of migration tools: Diesel's ``up.sql``/``down.sql``, golang-migrate's
#: ``0001_x.up.sql``, Flyway's ``V1__x.sql``/``V1_2__x.sql`` and undo ``U1__x.sql``.
_MIGRATION_FILE = re.compile(
    r"^(?:up|down)\.sql$|\.(?:up|down)\.sql$|^[vu]\d+(?:[._]\d+)*__.*\.sql$"
)
#: Files that only undo a migration: never the schema anyone runs on.
_DOWN_FILE = re.compile(r"^down\.sql$|\.down\.sql$|^u\d+(?:[._]\d+)*__.*\.sql$")
#: Section markers of goose (``-- +goose Up``), sql-migrate (``-- +migrate Up``) and dbmate
#: (``-- migrate:up``), whose migration files may sit in any folder.
_MIGRATION_MARK = re.compile(r"^\s*--\s*(?:\+goose|\+migrate|migrate:)\s*up\b", re.I | re.M)


def is_down_migration(path: str) -> bool:
    """Whether a SQL file only reverts a migration (``down.sql``, ``x.down.sql``, ``U1__x.sql``)."""
    return bool(_DOWN_FILE.search(path.lower().rsplit("/", 1)[-1]))


def is_sql_migration(path: str, text: str = "") -> bool:
    """Whether a SQL file is one step of a migration history rather than a schema file.

    Files in a ``migrations``/``migration`` or ``db/migrate`` folder, files named like a
    migration tool names them (``up.sql``, ``0001_x.up.sql``, ``V1__x.sql``), and files with
    goose, sql-migrate or dbmate section markers. ``schema.sql``, ``init.sql`` and
    ``structure.sql`` elsewhere are the schema itself."""
    parts = path.lower().split("/")
    folders = parts[:-1]
    if any(f in _MIGRATION_DIRS for f in folders):
        return True
    if any(a == "db" and b == "migrate" for a, b in itertools.pairwise(folders)):
        return True
    return bool(_MIGRATION_FILE.search(parts[-1]) or _MIGRATION_MARK.search(text))


def norm(name: str) -> str:
    """A name as the database compares it here: quotes dropped, lower case."""
    if name[:1] in '"`[' and len(name) > 1:
        name = name[1:-1]
    return name.lower()


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key: the referencing table and columns, what it references, where it is."""

    table: str  # referencing table as written ("" when unknown)
    columns: tuple[str, ...]  # as written, quotes included
    target: str
    line: int
    end_line: int
    label: str = ""  # how a message names it, e.g. "`Book.author_id`"
    kind: str = "sql"  # where it was declared: sql, orm, django or alembic


@dataclass
class Schema:
    """What one file declares: foreign keys, and the (table, column) pairs that lead an index."""

    foreign_keys: list[ForeignKey] = field(default_factory=list)
    leading: set[tuple[str, str]] = field(default_factory=set)

    def lead(self, table: str, column: str) -> None:
        self.leading.add((norm(table), norm(column)))

    def indexed(self, fk: ForeignKey) -> bool:
        """Whether an index (or a key) of this file starts with the foreign key's first column."""
        table, column = norm(fk.table), norm(fk.columns[0])
        if not table:
            return any(c == column for _, c in self.leading)
        return (table, column) in self.leading or ("", column) in self.leading

    def unindexed(self) -> list[ForeignKey]:
        """The foreign keys no index of this file covers, one per (table, column)."""
        seen: set[tuple[str, str]] = set()
        out = []
        for fk in self.foreign_keys:
            key = (norm(fk.table), norm(fk.columns[0]))
            if key not in seen and not self.indexed(fk):
                seen.add(key)
                out.append(fk)
        return out


def _columns(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """Names in the parenthesised list at ``i`` (the first word of each entry)."""
    if i >= len(tokens) or tokens[i].text != "(":
        return [], i
    end = closing(tokens, i)
    names = []
    for part in split_top(tokens[i + 1 : end]):
        # an expression such as lower(email) leads with a function: not a plain column
        if part[0].is_word and not (len(part) > 1 and part[1].text == "("):
            names.append(part[0].text)
        else:
            names.append("")
    return names, end + 1


class _Reader:
    def __init__(self, text: str, schema: Schema, base_line: int) -> None:
        self.text = text
        self.schema = schema
        self.base = base_line

    def line(self, tok: Token) -> int:
        return self.base + line_at(self.text, tok.pos) - 1

    def fk(self, table: str, columns: list[str], part: list[Token], at: int) -> None:
        ref = next((k for k in range(at, len(part)) if part[k].upper == "REFERENCES"), None)
        if ref is None or not columns or not all(columns):
            return
        target, _ = qualified(part, ref + 1, raw=True)
        self.schema.foreign_keys.append(
            ForeignKey(
                table,
                tuple(columns),
                target,
                self.line(part[at]),
                self.line(part[-1]),
                f"`{table}.{columns[0]}`"
                if len(columns) == 1
                else f"`{table}` ({', '.join(columns)})",
            )
        )

    def table_entry(self, table: str, part: list[Token]) -> None:
        """One entry of CREATE TABLE (...) or one ALTER TABLE ... ADD action."""
        i = 0
        if part[0].upper == "ADD":
            i = 1
            if i < len(part) and part[i].upper == "COLUMN":
                i += 1
            while i < len(part) and part[i].upper in ("IF", "NOT", "EXISTS"):
                i += 1
        if i < len(part) and part[i].upper == "CONSTRAINT":
            i += 2
        if i >= len(part):
            return
        head = part[i].upper
        if head in ("PRIMARY", "UNIQUE", "FOREIGN") or head in _INLINE_INDEX or head == "EXCLUDE":
            j = i + 1
            while j < len(part) and part[j].text != "(":
                j += 1  # KEY, INDEX, name, USING gist
            columns, _ = _columns(part, j)
            if head == "FOREIGN":
                self.fk(table, columns, part, i)
            elif columns and columns[0]:
                self.schema.lead(table, columns[0])
            return
        if head in ("CHECK", "LIKE", "PERIOD", "DROP", "ALTER", "RENAME", "SET", "VALIDATE"):
            return
        column = part[i].text
        uppers = [t.upper for t in part[i + 1 :]]
        if "REFERENCES" in uppers:
            self.fk(table, [column], part, i)
        if ("PRIMARY" in uppers and "KEY" in uppers) or "UNIQUE" in uppers:
            self.schema.lead(table, column)

    def statement(self, stmt: list[Token]) -> None:
        up = [t.upper for t in stmt[:8]]
        if up[:1] == ["CREATE"]:
            k = 1
            while k < len(up) and up[k] in _TABLE_PREFIX:
                k += 1
            if k < len(up) and up[k] == "TABLE":
                self.create_table(stmt, k + 1)
            elif "INDEX" in up[1:3]:
                self.create_index(stmt)
        elif up[:2] == ["ALTER", "TABLE"]:
            k = 2
            while k < len(stmt) and stmt[k].upper in ("IF", "EXISTS", "ONLY"):
                k += 1
            table, k = qualified(stmt, k, raw=True)
            for part in split_top(stmt[k:]):
                if part[0].upper == "ADD":
                    self.table_entry(table, part)

    def create_table(self, stmt: list[Token], k: int) -> None:
        while k < len(stmt) and stmt[k].upper in ("IF", "NOT", "EXISTS"):
            k += 1
        table, k = qualified(stmt, k, raw=True)
        if k >= len(stmt) or stmt[k].text != "(":
            return
        end = closing(stmt, k)
        for part in split_top(stmt[k + 1 : end]):
            self.table_entry(table, part)

    def create_index(self, stmt: list[Token]) -> None:
        on = next((k for k, t in enumerate(stmt) if t.upper == "ON"), None)
        if on is None:
            return
        k = on + 1
        if k < len(stmt) and stmt[k].upper == "ONLY":
            k += 1
        table, k = qualified(stmt, k, raw=True)
        while k < len(stmt) and stmt[k].text != "(":
            k += 1  # USING btree
        columns, _ = _columns(stmt, k)
        if columns and columns[0]:
            self.schema.lead(table, columns[0])


def read_sql(text: str, schema: Schema | None = None, base_line: int = 1) -> Schema:
    """Foreign keys and index-leading columns of SQL DDL text (lines offset by ``base_line``)."""
    schema = schema if schema is not None else Schema()
    reader = _Reader(text, schema, base_line)
    for stmt in statements(tokenize(mask(text))):
        reader.statement(stmt)
    return schema
