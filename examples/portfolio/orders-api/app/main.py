import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import reports, routes, shipping
from app.db import init_schema

logging.basicConfig(level=logging.INFO)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await asyncio.to_thread(init_schema)
    yield


app = FastAPI(title="orders-api", version="0.9.2", lifespan=lifespan)
app.include_router(routes.router)
app.include_router(reports.router)
app.include_router(shipping.router)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
