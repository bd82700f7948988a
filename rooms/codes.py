"""Join codes: eight characters of Crockford's base32 (no I, L, O or U), shown as ABCD-EFGH."""

from __future__ import annotations

import secrets

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
# Letters people type for the digits they resemble.
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalize(raw: str) -> str | None:
    """`abcd-efgh`, `ABCD EFGH` and `ABCDEFGH` are one code; None if it cannot be a code."""
    if not isinstance(raw, str) or len(raw) > 32:
        return None
    cleaned = "".join(ch for ch in raw.upper() if ch not in "- ").translate(_CONFUSABLE)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned
