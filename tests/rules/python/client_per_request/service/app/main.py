"""FastAPI handlers: clients made per request, and the shapes that are fine."""

from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import create_engine as make_engine

API = "https://api.example.com"
shared = httpx.AsyncClient(base_url=API)  # module level: created once
engine = make_engine("postgresql+psycopg://app@db/app", pool_pre_ping=True)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.client = httpx.AsyncClient()  # lifespan: once per process
    yield
    await app.state.client.aclose()


app = FastAPI(lifespan=lifespan)
router = APIRouter()


@app.get("/users/{uid}")
async def user(uid: int):
    async with httpx.AsyncClient() as client:  # optimus-expect: client-per-request
        r = await client.get(f"{API}/users/{uid}")
    return r.json()


@router.post("/report")
def report():
    db = make_engine("postgresql://app@db/app")  # optimus-expect: client-per-request
    with db.connect() as conn:
        return conn.exec_driver_sql("select 1").scalar()


@router.get("/raw")
async def raw():
    conn = await asyncpg.connect("postgresql://app@db/app")  # optimus-expect: client-per-request
    try:
        return await conn.fetchval("select 1")
    finally:
        await conn.close()


@app.get("/chained")
def chained():
    return httpx.Client().get(API).json()  # optimus-expect: client-per-request


@app.get("/shared")
async def use_shared():
    return (await shared.get("/x")).json()  # reuses the module client


async def get_client():
    """A generator dependency: FastAPI scopes it; not a handler anyway."""
    async with httpx.AsyncClient() as client:
        yield client


@app.get("/dep")
async def with_dep(client: httpx.AsyncClient = Depends(get_client)):
    return (await client.get(API)).json()


@app.post("/reload")
def reload_client():
    global shared
    shared = httpx.AsyncClient(base_url=API)  # kept in a global: a deliberate swap
    return {"ok": True}


@app.post("/state")
async def state():
    app.state.client = httpx.AsyncClient()  # stored on app.state
    return {}


@app.get("/fan-out")
def fan_out(ids: list[int]):
    out = []
    for uid in ids:
        out.append(httpx.get(f"{API}/users/{uid}").json())  # optimus-expect: client-per-request
    return out


@app.get("/rows")
def rows(ids: list[int]):
    results = []
    for uid in ids:
        s = httpx.Client()  # optimus-expect: client-per-request
        results.append(s.get(f"{API}/{uid}").json())
    return results


@app.get("/patch-like")
def not_a_route_decorator():
    return {}


async def fetch_user(uid: int) -> dict:
    """A helper that makes a client per call: a per-request client when a handler calls it."""
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{API}/users/{uid}")).json()


@app.get("/via-helper/{uid}")
async def via_helper(uid: int):
    return await fetch_user(uid)  # optimus-expect: client-per-request
