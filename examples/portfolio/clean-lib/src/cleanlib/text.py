"""Text helpers for URLs and listings."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """A lower-case, ASCII, dash-separated form of ``text`` for use in URLs."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters, on a word boundary where possible."""
    if limit < len(ellipsis):
        raise ValueError("limit is shorter than the ellipsis")
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    if not text[len(cut)].isspace():
        space = cut.rfind(" ")
        if space > len(cut) // 2:
            cut = cut[:space]
    return cut.rstrip(" ,.;:") + ellipsis
