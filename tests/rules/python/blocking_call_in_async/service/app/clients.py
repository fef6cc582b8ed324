"""Sessions, clients and connections followed through variables and attributes."""

import sqlite3

import httpx
import psycopg2
import requests

session = requests.Session()
shared = httpx.Client(base_url="https://api.example.com")
async_client = httpx.AsyncClient()


async def use_module_clients() -> str:
    first = session.get("https://example.com/a")  # optimus-expect: blocking-call-in-async
    second = shared.post("/b", json={})  # optimus-expect: blocking-call-in-async
    third = await async_client.get("/c")
    return first.text + second.text + third.text


async def local_session() -> str:
    with requests.Session() as s:
        return s.get("https://example.com").text  # optimus-expect: blocking-call-in-async


SQL = "select * from users where id = %s"


async def query(user_id: int) -> list:
    conn = psycopg2.connect("dbname=app")  # optimus-expect: blocking-call-in-async
    cur = conn.cursor()
    cur.execute(SQL, (user_id,))  # optimus-expect: blocking-call-in-async
    rows = cur.fetchall()  # optimus-expect: blocking-call-in-async
    conn.commit()  # optimus-expect: blocking-call-in-async
    return rows


class Repository:
    def __init__(self) -> None:
        self.db = sqlite3.connect("app.db")
        self.http = httpx.Client()

    async def count(self) -> int:
        # Two findings on the next line: execute() and fetchone() on its cursor.
        # optimus-expect-next: blocking-call-in-async
        row = self.db.execute("select count(*) from t").fetchone()
        self.http.get("https://example.com/ping")  # optimus-expect: blocking-call-in-async
        return row[0]

    def count_sync(self) -> int:
        return self.db.execute("select count(*) from t").fetchone()[0]
