"""Shipping fees for the checkout quote."""

from decimal import Decimal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

router = APIRouter(prefix="/shipping", tags=["shipping"])

EU = frozenset({"AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "LU", "PL", "PT", "SE"})
FREE_SHIPPING_FROM = Decimal("60.00")


class Quote(BaseModel):
    country: str
    fee: Decimal
    days: int


def shipping_fee(
    country: str, weight_grams: int, subtotal: Decimal, express: bool, member: bool
) -> tuple[Decimal, int]:
    """Fee and delivery days for one parcel shipped from the Rotterdam warehouse."""
    if weight_grams <= 0:
        raise ValueError("weight must be positive")
    if country == "NL":
        fee, days = Decimal("4.95"), 1
    elif country in EU:
        fee, days = Decimal("9.95"), 3
    elif country in ("GB", "CH", "NO"):
        fee, days = Decimal("14.95"), 5
    else:
        fee, days = Decimal("24.95"), 8
    if weight_grams > 20_000:
        fee += Decimal("15.00")
    elif weight_grams > 5_000:
        fee += Decimal("5.00")
    if express:
        if country != "NL" and country not in EU:
            raise ValueError("express shipping is only available within the EU")
        fee *= 2
        days = max(1, days - 2)
    if member and not express:
        fee = Decimal("0.00")
    elif subtotal >= FREE_SHIPPING_FROM and country in EU and weight_grams <= 5_000:
        fee = Decimal("0.00")
    return fee.quantize(Decimal("0.01")), days


@router.get("/quote", response_model=Quote)
def quote(
    country: str = Query(min_length=2, max_length=2),
    weight_grams: int = Query(gt=0),
    subtotal: Decimal = Query(ge=0),
    express: bool = False,
    member: bool = False,
) -> Quote:
    try:
        fee, days = shipping_fee(country.upper(), weight_grams, subtotal, express, member)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return Quote(country=country.upper(), fee=fee, days=days)
