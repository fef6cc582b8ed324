"""Small text and money helpers shared by the shop's Python services."""

from cleanlib.money import Money, allocate
from cleanlib.retry import retry_async
from cleanlib.text import slugify, truncate

__all__ = ["Money", "allocate", "retry_async", "slugify", "truncate"]
__version__ = "1.2.0"
