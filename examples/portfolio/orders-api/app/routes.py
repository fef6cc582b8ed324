import asyncio
import csv
import io
import logging
import os
import time
from decimal import Decimal
from pathlib import Path

import requests
from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Order, SessionLocal, get_session

log = logging.getLogger(__name__)

PAYMENTS_URL = os.environ.get("PAYMENTS_URL", "http://payments.internal:9000")
RECEIPTS_DIR = Path(os.environ.get("RECEIPTS_DIR", "/var/lib/orders/receipts"))
RETRY_DELAY_SECONDS = 2

router = APIRouter(prefix="/orders", tags=["orders"])


class OrderIn(BaseModel):
    customer_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)
    total: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    currency: str = Field(default="EUR", min_length=3, max_length=3)


class OrderOut(BaseModel):
    id: int
    customer_email: str
    total: Decimal
    currency: str
    status: str


def _to_out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.id,
        customer_email=order.customer_email,
        total=order.total,
        currency=order.currency,
        status=order.status,
    )


def _load(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="order not found")
    return order


def _set_status(order_id: int, status: str) -> OrderOut:
    with SessionLocal() as session:
        order = _load(session, order_id)
        order.status = status
        session.commit()
        return _to_out(order)


# Plain `def` handlers: FastAPI runs them in its threadpool, so blocking here is fine.


@router.post("", response_model=OrderOut, status_code=201)
def create_order(payload: OrderIn, session: Session = Depends(get_session)) -> OrderOut:
    order = Order(
        customer_email=payload.customer_email,
        total=payload.total,
        currency=payload.currency.upper(),
    )
    session.add(order)
    session.commit()
    return _to_out(order)


@router.get("/export.csv")
def export_orders(session: Session = Depends(get_session)) -> Response:
    rates = requests.get(f"{PAYMENTS_URL}/fx-rates", timeout=5).json()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "email", "total", "currency", "total_eur", "status"])
    for order in session.scalars(select(Order).order_by(Order.id)):
        rate = Decimal(str(rates.get(order.currency, 1)))
        total_eur = order.total * rate
        writer.writerow(
            [order.id, order.customer_email, order.total, order.currency, total_eur, order.status]
        )
    return Response(buffer.getvalue(), media_type="text/csv")


@router.get("/{order_id}", response_model=OrderOut)
def get_order(order_id: int, session: Session = Depends(get_session)) -> OrderOut:
    return _to_out(_load(session, order_id))


@router.post("/{order_id}/receipt/archive", status_code=204)
def archive_receipt(order_id: int) -> None:
    source = RECEIPTS_DIR / f"{order_id}.pdf"
    with open(source, "rb") as fh:
        data = fh.read()
    time.sleep(0.05)  # give the NFS mount a moment before writing the copy
    (RECEIPTS_DIR / "archive" / source.name).write_bytes(data)


# `async def` handlers run on the event loop: a blocking call here stalls every request.


@router.post("/{order_id}/pay", response_model=OrderOut)
async def pay_order(order_id: int) -> OrderOut:
    order = await asyncio.to_thread(_set_status, order_id, "paying")
    resp = requests.post(
        f"{PAYMENTS_URL}/charges",
        json={"order_id": order.id, "amount": str(order.total), "currency": order.currency},
        timeout=10,
    )
    if resp.status_code == 409:
        log.info("charge for order %s already captured", order.id)
    elif resp.status_code >= 400:
        await asyncio.to_thread(_set_status, order_id, "pending")
        raise HTTPException(status_code=502, detail="payment provider error")
    return await asyncio.to_thread(_set_status, order_id, "paid")


@router.post("/{order_id}/pay/retry", response_model=OrderOut)
async def retry_payment(order_id: int) -> OrderOut:
    for attempt in range(3):
        status = requests.get(f"{PAYMENTS_URL}/charges/{order_id}", timeout=5).json()["status"]
        if status != "pending":
            break
        log.info("charge for order %s still pending (attempt %d)", order_id, attempt + 1)
        time.sleep(RETRY_DELAY_SECONDS)
    return await pay_order(order_id)


@router.get("/{order_id}/receipt")
async def download_receipt(order_id: int) -> Response:
    try:
        with open(RECEIPTS_DIR / f"{order_id}.pdf", "rb") as fh:
            body = fh.read()
    except FileNotFoundError:
        raise HTTPException(status_code=404, detail="receipt not generated yet") from None
    return Response(body, media_type="application/pdf")


# Correct async code: the blocking work is handed to a thread, or the wait is awaited.


def _render_receipt(order_id: int) -> bytes:
    RECEIPTS_DIR.mkdir(parents=True, exist_ok=True)
    body = f"%PDF-1.4\n% receipt for order {order_id}\n".encode()
    with open(RECEIPTS_DIR / f"{order_id}.pdf", "wb") as fh:
        fh.write(body)
    return body


@router.post("/{order_id}/receipt", status_code=201)
async def render_receipt(order_id: int) -> dict[str, int]:
    body = await asyncio.to_thread(_render_receipt, order_id)
    return {"order_id": order_id, "bytes": len(body)}


@router.post("/{order_id}/notify", status_code=202)
async def notify_customer(order_id: int) -> dict[str, str]:
    def send() -> None:
        requests.post(f"{PAYMENTS_URL}/notifications", json={"order_id": order_id}, timeout=5)

    await asyncio.sleep(0.1)
    await asyncio.to_thread(send)
    return {"status": "queued"}


# Refunds go through the payments service too.


class RefundIn(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    reason: str = Field(default="requested_by_customer", max_length=200)


@router.post("/{order_id}/refunds", status_code=201)
def refund_order(order_id: int, payload: RefundIn) -> dict[str, str]:
    with requests.Session() as payments:
        payments.headers["User-Agent"] = "orders-api/0.9.2"
        resp = payments.post(
            f"{PAYMENTS_URL}/refunds",
            json={"order_id": order_id, "amount": str(payload.amount), "reason": payload.reason},
            timeout=10,
        )
    if resp.status_code >= 400:
        raise HTTPException(status_code=502, detail="payment provider error")
    _set_status(order_id, "refunded")
    return {"refund_id": resp.json()["id"]}


@router.get("/{order_id}/refunds")
def list_refunds(order_id: int) -> list[dict[str, str]]:
    return requests.get(f"{PAYMENTS_URL}/charges/{order_id}/refunds").json()
