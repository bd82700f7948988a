"""Run one call from many threads released together, and collect what each got."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def race(calls: list[Callable[[], Any]], *, timeout: float = 120) -> list[Any]:
    """Start every call at the same moment (a Barrier); return results in call order.

    Each thread closes its database connections when done, so the test database can be
    dropped afterwards.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as exc:  # report, do not lose, a thread's failure
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a racing thread did not finish"
    return results


def post_outcome(client: Any, path: str, body: dict[str, Any], **headers: str) -> tuple[int, str]:
    response = client.post(path, body, format="json", headers=headers)
    return response.status_code, response.json().get("code", "")
