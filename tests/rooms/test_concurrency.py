"""The per-process limit on HTTP requests in progress."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rooms.concurrency import HttpConcurrencyLimit

pytestmark = pytest.mark.asyncio


async def test_requests_past_the_limit_wait_their_turn_and_sockets_do_not() -> None:
    running = 0
    most = 0
    order: list[int] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.02)
        order.append(scope["n"])
        running -= 1

    limited = HttpConcurrencyLimit(app, limit=3)
    await asyncio.gather(*(limited({"type": "http", "n": n}, None, None) for n in range(12)))
    assert most == 3
    assert sorted(order) == list(range(12))

    running = most = 0
    await asyncio.gather(*(limited({"type": "websocket", "n": n}, None, None) for n in range(6)))
    assert most == 6, "sockets are long-lived and are not counted"


async def test_a_limit_of_zero_means_no_limit() -> None:
    running = 0
    most = 0

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    await asyncio.gather(*(HttpConcurrencyLimit(app, limit=0)({"type": "http"}, None, None) for _ in range(8)))
    assert most == 8
