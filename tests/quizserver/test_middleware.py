"""The middleware stack under ASGI."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from django.test import AsyncClient


@pytest.mark.asyncio
async def test_under_asgi_a_request_hops_to_a_thread_for_the_stack_not_for_each_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """rooms.middleware.SyncStackMiddleware, innermost, keeps the stack synchronous: one hop
    to a worker thread for the whole stack. Without it each hook of each middleware hops
    there and back (15 hops for this request instead of 5)."""
    hops: list[str] = []
    original = SyncToAsync.__call__

    async def counted(self: SyncToAsync[Any, Any], *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    response = await AsyncClient().get("/no-such-page")
    assert response.status_code == 404
    assert "convert_exception_to_response.<locals>.inner" in hops  # the stack, in one hop
    assert [hop for hop in hops if "Middleware." in hop] == []
