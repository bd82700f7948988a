"""Comparing a program's output with the expected output of a test."""

from __future__ import annotations

import math
import re

from .types import CompareMode

# A number as programs print them, ASCII only: Python's float() also takes "1_000", "١٢"
# and "infinity", which a judge must not read as numbers.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def outputs_match(*, got: str, expected: str, mode: CompareMode, tolerance: float = 1e-6) -> bool:
    if mode == CompareMode.EXACT:
        return got == expected
    got_tokens, expected_tokens = got.split(), expected.split()
    if len(got_tokens) != len(expected_tokens):
        return False
    if mode == CompareMode.WHITESPACE:
        return got_tokens == expected_tokens
    return all(_tokens_match(g, e, tolerance) for g, e in zip(got_tokens, expected_tokens, strict=True))


def _tokens_match(got: str, expected: str, tolerance: float) -> bool:
    """Numbers within `tolerance`, absolute or relative; anything else exactly."""
    if got == expected:
        return True
    if not (_NUMBER.fullmatch(got) and _NUMBER.fullmatch(expected)):
        return False
    g, e = float(got), float(expected)
    if not (math.isfinite(g) and math.isfinite(e)):
        return False
    return math.isclose(g, e, rel_tol=tolerance, abs_tol=tolerance)
