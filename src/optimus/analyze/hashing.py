"""Content hashes for the cache (BLAKE3: fast enough to hash a whole tree on every scan)."""

from __future__ import annotations

from blake3 import blake3


def digest_bytes(data: bytes) -> str:
    """A short hex digest of some bytes."""
    return blake3(data).hexdigest(length=16)
