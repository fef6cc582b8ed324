import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, HTTPException, Query

from app.ranking import load_model, rank, similar

EVENTS_URL = os.environ.get("EVENTS_URL", "http://events.internal:8080")
MODEL_PATH = Path(os.environ.get("MODEL_PATH", "/models/co_occurrence.json"))


class State:
    model: dict[str, dict[str, int]] = {}
    events: httpx.AsyncClient | None = None


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    State.model = await asyncio.to_thread(load_model, MODEL_PATH)
    async with httpx.AsyncClient(base_url=EVENTS_URL, timeout=2.0) as client:
        State.events = client
        yield
    State.events = None


app = FastAPI(title="recommender", version="2.1.0", lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok" if State.model else "loading"}


@app.get("/users/{user_id}/recommendations")
async def recommendations(user_id: str, limit: int = Query(10, ge=1, le=50)) -> dict:
    assert State.events is not None
    resp = await State.events.get(f"/users/{user_id}/purchases")
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail="unknown user")
    resp.raise_for_status()
    history = [p["sku"] for p in resp.json()["purchases"]]
    items = await asyncio.to_thread(rank, State.model, history, limit)
    return {"user_id": user_id, "items": items}


@app.get("/items/{sku}/similar")
def similar_items(sku: str, limit: int = Query(10, ge=1, le=50)) -> dict:
    return {"sku": sku, "items": similar(State.model, sku, limit)}


@app.post("/admin/reload", status_code=202)
def reload_model() -> dict[str, str]:
    State.model = load_model(MODEL_PATH)
    return {"status": "reloaded"}
