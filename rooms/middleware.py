"""The innermost middleware: it keeps the whole middleware stack synchronous under ASGI.

Django adapts each middleware to the mode of the handler below it, and below the stack
sits its asynchronous core. So without this, every middleware that can run both ways
(sessions, CSRF, authentication, messages, ...) runs asynchronously, and each of its
hooks hops to a worker thread and back: about ten hops per request. Being innermost and
synchronous only, this makes every middleware above it synchronous: the stack runs in one
worker thread, and the views (sync, as DRF's are) run there too. Measured in
docs/PERFORMANCE.md.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SyncStackMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
