"""Bearer secrets: random, shown once, stored only as SHA-256.

The tokens carry 256 random bits, so a fast hash is enough: nobody can guess their way
to a preimage, and lookups stay a single indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """Return (token to show once, hash to store)."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)
