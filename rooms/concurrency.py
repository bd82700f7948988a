"""How many HTTP requests one server process works on at once.

ASGI gives every request its own thread and every thread its own database connection
from the process's pool. Past the pool's size, requests wait for a connection while
holding a thread, and so does everything else that needs one: the coalesced
leaderboard push, a socket's snapshot. Under a burst the board then stops moving for
seconds (measured: 0.1 pushes/s at 50 answers/s on one process). Requests past
HTTP_MAX_CONCURRENCY wait here instead, before they take a thread or a connection, in
arrival order; the pool keeps room for the pushes and the sockets.
"""

from __future__ import annotations

import asyncio
from typing import Any

from . import broadcast


class HttpConcurrencyLimit:
    """ASGI middleware: at most `limit` HTTP requests at a time in this process."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # The server's loop, for pushes sent by requests (rooms.broadcast's outbox).
        broadcast.loop_bind(asyncio.get_running_loop())
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)
