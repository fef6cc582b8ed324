"""Raw SQL queries. A docstring that says SELECT * FROM users is not a query."""

import pandas as pd
from sqlalchemy import select, text

from app.models import User

ACTIVE = "SELECT * FROM users WHERE active"  # optimus-expect: sql-select-star
COUNT = "SELECT count(*) FROM users"
EXISTS = "SELECT 1 WHERE EXISTS (SELECT * FROM users WHERE team_id = %s)"
NAMED = "SELECT id, email FROM users WHERE team_id = %s"
LABEL = "Select an item from the menu to continue"


def by_team(conn, team_id: int):
    return conn.execute(text("SELECT u.* FROM users u WHERE u.team_id = :t"), {"t": team_id})  # optimus-expect: sql-select-star


def report(conn, day: str):
    return pd.read_sql(f"SELECT * FROM events WHERE day = '{day}'", conn)  # optimus-expect: sql-select-star


def generic_over_tables(conn, cur, table: str):
    # the table is chosen at run time: generic code cannot list its columns
    cur.execute("SELECT * FROM %s LIMIT 1" % table)
    return pd.read_sql(f"SELECT * FROM {table} ORDER BY id", conn)


def multi_line(cur):
    cur.execute(
        """
        WITH recent AS (
            SELECT * FROM orders WHERE created_at > now() - interval '1 day'
        )
        SELECT id, total
        FROM recent
        """
    )
    cur.execute(
        """
        SELECT o.id,
               c.*  -- optimus-expect: sql-select-star
        FROM orders o
        JOIN customers c ON c.id = o.customer_id
        """
    )


def cte_with_known_columns(cur):
    cur.execute(
        "WITH final AS (SELECT id, total FROM orders) SELECT * FROM final"
    )


def orm(session):
    return session.scalars(select(User)).all()


def functions_and_catalogs(cur):
    cur.execute("SELECT * FROM generate_series(1, 10)")
    cur.execute("SELECT * FROM information_schema.columns WHERE table_name = %s")
    cur.execute("SELECT * FROM (SELECT id FROM users) AS s")
    cur.execute("SELECT price * quantity FROM order_lines")
