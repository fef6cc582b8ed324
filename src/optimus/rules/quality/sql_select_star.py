"""sql-select-star: ``SELECT *`` in the outermost query of raw SQL (Python strings, .sql files).

Like sqlfluff's AM04 (``ambiguous.column_count``), only the outermost select list counts:
``EXISTS (SELECT * ...)``, ``count(*)`` and wildcards inside subqueries and CTEs are fine, and
so is ``SELECT * FROM cte`` when the CTE lists its columns. Wildcards over set-returning
functions (``generate_series(...)``), subqueries, system catalogs and the bookkeeping tables of
migration tools (``alembic_version``, ``schema_migrations``...) are left alone, and so are
queries in functions named for a dump, export, backup or copy (which want every column) and
SQL migration files (run once: ``migrations/<id>/up.sql``, ``down.sql``, ``V1__x.sql``). ORM
queries (``select(User)``) are not strings and never match. In Python, string literals (and
f-strings) that start like a query (``SELECT ... FROM``, ``WITH name AS (``) are read;
docstrings are not. sqlc query files (``-- name: GetAuthor :one``) are skipped: sqlc expands
the ``*`` into columns when it generates code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from optimus.model import Category, Confidence, Severity
from optimus.parse.pyast import walk
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.python._astutil import is_test_or_fixture
from optimus.rules.python._fk_sql import is_sql_migration
from optimus.rules.python._sql import Token, closing, line_at, mask, qualified, tokenize

_SELECT_END = frozenset(
    {"FROM", "INTO", "WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "WINDOW", "UNION"}
    | {"INTERSECT", "EXCEPT", "OFFSET", "FETCH", "FOR", "RETURNING"}
)
_FROM_END = frozenset(
    {"WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "WINDOW", "UNION", "INTERSECT"}
    | {"EXCEPT", "OFFSET", "FETCH", "FOR", "RETURNING", "ON", "USING", "SELECT"}
)
_REF_SKIP = frozenset({"LATERAL", "ONLY"})
#: Tokens that start a driver placeholder or a format field where a table name would be.
_PLACEHOLDERS = frozenset({"%", "{", "?", ":", "$"})
#: Stands for an f-string's ``{expression}`` in the text read as SQL.
DYNAMIC = "optimus_dynamic_expression"
_JOIN = frozenset({"JOIN", ","})
_STAR_AFTER = frozenset({"SELECT", "DISTINCT", "ALL", ",", "."})
_CATALOGS = ("information_schema", "pg_", "sqlite_", "sys")
#: Tables migration tools keep for their own bookkeeping: a version or two per row, read whole.
_BOOKKEEPING = frozenset(
    {
        "alembic_version",
        "schema_migrations",
        "__diesel_schema_migrations",
        "_sqlx_migrations",
        "flyway_schema_history",
        "django_migrations",
        "goose_db_version",
        "knex_migrations",
        "_prisma_migrations",
        "ar_internal_metadata",
    }
)
#: Words of a function name that say it copies rows whole (``dump_schema``, ``export_table``,
#: ``backup``, ``copyRows``): there every column is wanted.
_WHOLE_ROW_WORDS = frozenset(
    {"dump", "dumps", "export", "exports", "exporter", "backup", "backups", "copy"}
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_LOOKS_SELECT = re.compile(r"^\s*\(?\s*select\s", re.IGNORECASE)
_LOOKS_WITH = re.compile(
    r"^\s*with\s+(recursive\s+)?[\w\"]+\s*(\([^)]*\)\s*)?as\s+(not\s+)?(materialized\s+)?\(",
    re.IGNORECASE,
)
_HAS_FROM = re.compile(r"\bfrom\b", re.IGNORECASE)
_SQLC = re.compile(r"(--|/\*)\s*name:\s*\w+\s+:(one|many|exec\w*|batch\w*|copyfrom)\b")


def _ctes(tokens: list[Token], known: dict[str, bool]) -> int:
    """Read ``WITH a AS (...), b (x, y) AS (...)`` from index 1; record which CTEs have known
    columns; return the index where the main query starts."""
    i, n = 1, len(tokens)
    if i < n and tokens[i].upper == "RECURSIVE":
        i += 1
    while i + 2 < n and tokens[i].is_word:
        name = tokens[i].name
        i += 1
        listed = tokens[i].text == "("
        if listed:
            i = closing(tokens, i) + 1
        if i >= n or tokens[i].upper != "AS":
            return i
        i += 1
        while i < n and tokens[i].upper in ("NOT", "MATERIALIZED"):
            i += 1
        if i >= n or tokens[i].text != "(":
            return i
        end = closing(tokens, i)
        known[name] = listed or not wildcards(tokens[i + 1 : end], known)[0]
        i = end + 1
        if i < n and tokens[i].text == ",":
            i += 1
            continue
        break
    return i


def _from_refs(tokens: list[Token], i: int, known: dict[str, bool]) -> tuple[list[str], int]:
    """What the FROM clause starting at ``i`` reads: (kinds and names, index after it).

    Each entry is a table name, or "" for a subquery, function, known CTE or catalog (whose
    columns a ``*`` does not make unknown)."""
    refs: list[str] = []
    depth, expect = 0, True
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if depth == 0 and tok.upper in _FROM_END:
            if tok.upper in ("ON", "USING"):
                expect = False
                i += 1
                continue
            break
        if tok.text == "(":
            if depth == 0 and expect:
                refs.append("")  # a subquery or VALUES list
                expect = False
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif depth == 0 and (tok.upper in _JOIN):
            expect = True
        elif depth == 0 and expect and tok.text in _PLACEHOLDERS:
            refs.append("")  # FROM %s / {table} / ? : a table chosen at run time
            expect = False
        elif depth == 0 and expect and tok.is_word and tok.upper not in _REF_SKIP:
            name, after = qualified(tokens, i)
            function = after < n and tokens[after].text == "("
            catalog = tokens[i].name.startswith(_CATALOGS) or name.startswith(_CATALOGS)
            catalog = catalog or name in _BOOKKEEPING
            dynamic = DYNAMIC in (tokens[i].name, name)
            refs.append("" if function or catalog or dynamic or known.get(name) else name)
            expect = False
            i = after
            continue
        i += 1
    return refs, i


def wildcards(
    tokens: list[Token], known: dict[str, bool] | None = None
) -> tuple[list[Token], list[str]]:
    """The unresolved ``*`` of a query's outermost select lists, and the tables they read."""
    known = dict(known or {})
    start = _ctes(tokens, known) if tokens and tokens[0].upper == "WITH" else 0
    found: list[Token] = []
    tables: list[str] = []
    depth, i, n = 0, start, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif depth == 0 and tok.upper == "SELECT":
            stars: list[Token] = []
            j, inner = i + 1, 0
            while j < n:
                cur = tokens[j]
                if cur.text == "(":
                    inner += 1
                elif cur.text == ")":
                    inner -= 1
                elif inner == 0 and cur.upper in _SELECT_END:
                    break
                elif inner == 0 and cur.text == "*" and _is_wildcard(tokens, j):
                    stars.append(cur)
                j += 1
            if stars and j < n and tokens[j].upper == "FROM":
                refs, j = _from_refs(tokens, j + 1, known)
                named = [r for r in refs if r]
                if named:
                    found += stars
                    tables += named
            i = j
            continue
        i += 1
    return found, tables


def _is_wildcard(tokens: list[Token], j: int) -> bool:
    prev = tokens[j - 1].upper
    if prev in _STAR_AFTER:
        return True
    return j >= 2 and tokens[j - 1].text.isdigit() and tokens[j - 2].upper == "TOP"


def find_in_sql(text: str) -> Iterator[tuple[int, list[str]]]:
    """(offset of the ``*``, tables read) for each outermost ``SELECT *`` of SQL text."""
    tokens = tokenize(mask(text))
    statement: list[Token] = []
    for tok in [*tokens, Token(";", len(text))]:
        if tok.text != ";":
            statement.append(tok)
            continue
        if statement and statement[0].upper in ("SELECT", "WITH"):
            stars, tables = wildcards(statement)
            for star in stars:
                yield star.pos, tables
        statement = []


def _python_strings(module: ast.Module) -> Iterator[tuple[ast.expr, str]]:
    """(node, text) of every string literal and f-string that is not a bare statement."""
    skip: set[int] = set()
    for node in walk(module):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant | ast.JoinedStr):
            skip.add(id(node.value))  # docstrings and bare strings
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in walk(node) if v is not node)
    for node in walk(module):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node, node.value
        elif isinstance(node, ast.JoinedStr):
            parts = [
                v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else DYNAMIC
                for v in node.values
            ]
            yield node, "".join(parts)


def _whole_row_strings(module: ast.Module) -> set[int]:
    """ids of the nodes inside functions named for a dump, export, backup or copy."""
    inside: set[int] = set()
    for node in walk(module):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            words = {w.lower() for w in _NAME_WORDS.findall(node.name)}
            if words & _WHOLE_ROW_WORDS:
                inside.update(id(n) for n in walk(node))
    return inside


def looks_like_query(text: str) -> bool:
    """Whether a string starts like a query (SELECT ... FROM, WITH name AS ( ...)."""
    if not _HAS_FROM.search(text):
        return False
    return bool(_LOOKS_SELECT.match(text) or _LOOKS_WITH.match(text))


def _message(tables: list[str]) -> str:
    names = ", ".join(f"`{t}`" for t in dict.fromkeys(tables))
    return (
        f"`SELECT *` in the outermost query reads every column of {names}: the database "
        "reads and sends columns the code may not use (wide text/JSON columns included), "
        "cannot answer from an index alone, and the result changes shape when the table "
        "does; list the columns this code needs"
    )


@rule
class SqlSelectStar(Rule):
    name = "sql-select-star"
    code = "MT003"
    category = Category.PERFORMANCE
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 10
    kinds = frozenset({"python", "code"})
    prefilter = (b"SELECT", b"select", b"Select")
    # Spelled out instead of (?i): case-insensitive matching is several times slower.
    prefilter_pattern = re.compile(
        rb"\b(?:select|SELECT|Select)\s+(?:(?:distinct|DISTINCT|Distinct)\s+)?"
        rb"(?:[\w\"`]+\.)?\*"
    )
    preview = True
    summary = "`SELECT *` in the outermost query of raw SQL in Python strings or .sql files."
    doc = {
        "What it finds": (
            "A `*` or `table.*` in the outermost select list of raw SQL: Python string "
            "literals and f-strings that start like a query (`SELECT ... FROM`, "
            "`WITH name AS (`), passed to `execute`, `text()`, `read_sql` or anything else, "
            "and queries in `.sql` files. As in sqlfluff's AM04 (`ambiguous.column_count`), "
            "only the outermost query counts: `EXISTS (SELECT * ...)`, `count(*)`, wildcards "
            "in subqueries and CTEs, and `SELECT * FROM cte` where the CTE's columns are known "
            "do not fire; nor do wildcards over a set-returning function "
            "(`generate_series(...)`), a subquery, a system catalog (`information_schema`, "
            "`pg_*`, `sqlite_master`), a migration tool's bookkeeping table "
            "(`alembic_version`, `schema_migrations`, `__diesel_schema_migrations`, "
            "`flyway_schema_history`, `django_migrations`, `goose_db_version`...) or a table "
            "chosen at run time (`FROM %s`, `FROM {table}`: generic code that cannot list "
            "columns). ORM queries (`select(User)`) are not strings and never match. "
            "Docstrings, test files, files under `testdata`/`fixtures` folders, queries inside "
            "functions named for a dump, export, backup or copy (`dump_schema`, "
            "`export_rows`: they want every column), SQL migration files (a `migrations` "
            "folder, `up.sql`/`down.sql`, `V1__x.sql`: run once), and sqlc query files "
            "(`-- name: X :one`, whose `*` sqlc expands at generation time) are skipped."
        ),
        "Why": (
            "`*` reads every column, including ones the code never uses: the database reads "
            "and ships them and the driver decodes them, which costs most with wide text, "
            "JSON or bytea columns (PostgreSQL stores large values out of line in TOAST, and "
            "fetching them is extra work). A query that names only indexed columns can be "
            "answered by an index-only scan; `*` rules that out. And the result changes shape "
            "when a column is added, dropped or reordered, which sqlfluff gives as AM04's "
            'reason ("can cause slow performance, cause important schema changes to go '
            'undetected, or break production code"). How much it costs depends on the table; '
            "Optimus has not measured it."
        ),
        "Example": (
            "```python\n"
            "rows = conn.execute(text('SELECT * FROM users WHERE team_id = :t'), {'t': t})\n"
            "emails = [row.email for row in rows]\n"
            "```"
        ),
        "Instead": (
            "Name the columns the code reads: `SELECT id, email FROM users WHERE team_id = :t`. "
            "With an ORM, select the entity or `load_only(...)`/`.only(...)` the columns. A "
            "`SELECT * FROM cte` at the end of a query is fine when the CTE names its columns."
        ),
        "When not to": (
            "Ad-hoc and admin scripts, data exports that really want every column, and small "
            "tables. Also queries whose `*` is expanded by a tool before they run (sqlc). "
            "Suppress one with `# optimus: ignore[sql-select-star]`; in a .sql file end the "
            "line with `-- # optimus: ignore[sql-select-star]` (suppressions are read from "
            "`#` and `//` comments)."
        ),
    }
    references = (
        Reference(
            "sqlfluff: AM04 ambiguous.column_count",
            "https://docs.sqlfluff.com/en/stable/reference/rules.html#rule-ambiguous.column_count",
        ),
        Reference(
            "PostgreSQL: SELECT (the select list and `*`)",
            "https://www.postgresql.org/docs/current/sql-select.html#SQL-SELECT-LIST",
        ),
        Reference(
            "PostgreSQL: Index-Only Scans and Covering Indexes",
            "https://www.postgresql.org/docs/current/indexes-index-only-scans.html",
        ),
        Reference(
            "PostgreSQL: TOAST", "https://www.postgresql.org/docs/current/storage-toast.html"
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if is_test_or_fixture(src):
            return
        if src.kind == "code":
            if not src.path.lower().endswith(".sql") or _SQLC.search(src.text):
                return
            if is_sql_migration(src.path, src.text):
                return  # a migration runs once: its reads are not a hot path
            for pos, tables in find_in_sql(src.text):
                yield Hit(_message(tables), line=line_at(src.text, pos))
            return
        whole_rows = _whole_row_strings(src.python)
        for node, text in _python_strings(src.python):
            if id(node) in whole_rows or not looks_like_query(text):
                continue
            for pos, tables in find_in_sql(text):
                line = min(node.lineno + text.count("\n", 0, pos), node.end_lineno or node.lineno)
                yield Hit(_message(tables), line=line)
