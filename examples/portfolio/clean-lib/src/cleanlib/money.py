"""Exact money amounts in minor units, and fair splitting of totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal


@dataclass(frozen=True, order=True)
class Money:
    """An amount in minor units (cents) of one currency."""

    minor: int
    currency: str

    @classmethod
    def parse(cls, amount: str, currency: str) -> Money:
        cents = (Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return cls(int(cents), currency.upper())

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __str__(self) -> str:
        sign = "-" if self.minor < 0 else ""
        whole, cents = divmod(abs(self.minor), 100)
        return f"{sign}{whole}.{cents:02d} {self.currency}"

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")


def allocate(total: Money, weights: list[int]) -> list[Money]:
    """Split ``total`` in proportion to ``weights``; the parts always add up to ``total``."""
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    whole = sum(weights)
    parts = [total.minor * w // whole for w in weights]
    remainder = total.minor - sum(parts)
    for i in range(remainder):
        parts[i % len(parts)] += 1
    return [Money(p, total.currency) for p in parts]
