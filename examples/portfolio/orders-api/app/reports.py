"""Back-office reports: daily totals (cached in Redis), the pick list and stale orders."""

import json
import os
from datetime import date, datetime, timedelta, timezone

import redis
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import get_session, units_by_order

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
CACHE_TTL_SECONDS = 300

cache = redis.Redis.from_url(REDIS_URL, decode_responses=True)
router = APIRouter(prefix="/reports", tags=["reports"])

DAILY_TOTALS = text(
    "SELECT currency, count(*) AS orders, sum(total) AS total FROM orders "
    "WHERE date(created_at) = :day GROUP BY currency"
)
STALE_PENDING = text("SELECT * FROM orders WHERE status = 'pending' AND created_at < :cutoff")


@router.get("/daily/{day}")
def daily_totals(day: date, session: Session = Depends(get_session)) -> JSONResponse:
    key = f"report:daily:{day.isoformat()}"
    cached = cache.get(key)
    if cached is None:
        rows = session.execute(DAILY_TOTALS, {"day": day.isoformat()})
        currencies = {r.currency: {"orders": r.orders, "total": str(r.total)} for r in rows}
        cached = json.dumps({"day": day.isoformat(), "currencies": currencies})
        cache.set(key, cached, ex=CACHE_TTL_SECONDS)
    return JSONResponse(json.loads(cached))


@router.delete("/cache", status_code=204)
def clear_report_cache() -> None:
    keys = cache.keys("report:*")
    if keys:
        cache.delete(*keys)


@router.get("/pick-list")
def pick_list(session: Session = Depends(get_session)) -> dict[int, int]:
    return units_by_order(session, "paid")


@router.get("/stale")
def stale_orders(hours: int = 48, session: Session = Depends(get_session)) -> list[dict[str, str]]:
    cutoff = datetime.now(timezone.utc) - timedelta(hours=hours)
    rows = session.execute(STALE_PENDING, {"cutoff": cutoff}).mappings()
    return [{"id": str(r["id"]), "customer_email": r["customer_email"]} for r in rows]
