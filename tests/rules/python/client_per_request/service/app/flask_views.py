"""Flask blueprint views."""

import psycopg2
import requests
from flask import Blueprint, g

bp = Blueprint("api", __name__)


@bp.route("/items")
def items():
    conn = psycopg2.connect("dbname=app")  # optimus-expect: client-per-request
    with conn.cursor() as cur:
        cur.execute("select 1")
        return {"n": cur.fetchone()[0]}


@bp.route("/proxy", methods=["POST"])
def proxy():
    session = requests.Session()  # optimus-expect: client-per-request
    return session.get("https://up.example", timeout=5).text


def get_db():
    """Flask's `g` pattern: one connection per app context, stored on g."""
    if "db" not in g:
        g.db = psycopg2.connect("dbname=app")
    return g.db
