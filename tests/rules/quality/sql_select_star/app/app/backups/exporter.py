"""A backup exporter reads every column on purpose; bookkeeping tables are read whole."""

from sqlalchemy import text


class AlchemyExporter:
    def dump_schema(self, connection):
        rows = connection.execute(text("SELECT * FROM alembic_version")).mappings()
        return [dict(row) for row in rows]

    def dump(self, connection, table: str):
        return [dict(r) for r in connection.execute(text("SELECT * FROM recipes")).mappings()]

    def exportUsers(self, cur):
        cur.execute("SELECT * FROM users")
        return cur.fetchall()

    def copy_rows(self, cur):
        cur.execute("SELECT * FROM ingredients")
        return cur.fetchall()

    def backup(self, cur):
        cur.execute("SELECT * FROM events")
        return cur.fetchall()


def migration_state(cur):
    cur.execute("SELECT * FROM schema_migrations ORDER BY version")
    cur.execute("SELECT * FROM __diesel_schema_migrations")
    cur.execute("SELECT * FROM public.flyway_schema_history")
    cur.execute("SELECT * FROM django_migrations")
    cur.execute("SELECT * FROM goose_db_version")
    return cur.fetchall()


def dumpling_recipes(cur):
    # "dumpling" is not "dump": still reported
    cur.execute("SELECT * FROM recipes")  # optimus-expect: sql-select-star
    return cur.fetchall()
