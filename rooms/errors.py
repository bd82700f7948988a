"""Domain errors and their one mapping to HTTP.

Every failure a person can cause has its own exception type with a stable `code`; the
API answers it as `{"code", "detail", "fields"}` with the type's status.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    code = "error"
    status = 400
    message = "The request could not be completed."

    def __init__(self, detail: str | None = None, *, fields: dict[str, Any] | None = None) -> None:
        self.detail = detail or self.message
        self.fields = fields or {}
        super().__init__(self.detail)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = "No such object, or it is not yours."


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    message = "That action is not possible in the current state."


class ContestInProgress(DomainError):
    code = "contest_in_progress"
    status = 409
    message = "A running or paused contest cannot be deleted; finish it first."


class ContestNotFinished(DomainError):
    code = "contest_not_finished"
    status = 409
    message = "The contest is not finished yet; its replay is available once it is."


class ContestNotRunning(DomainError):
    code = "contest_not_running"
    status = 409
    message = "The contest is not running."


class RoundNotActive(DomainError):
    code = "round_not_active"
    status = 409
    message = "This round is not open for play."


class WrongRoundKind(DomainError):
    code = "wrong_round_kind"
    status = 409
    message = "This action is not available in this kind of round."


class InvalidImport(DomainError):
    code = "invalid_import"
    status = 400
    message = "The file has errors; nothing was imported."


def _error_body(code: str, detail: Any, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "detail": str(detail), "fields": fields or {}}


# DRF exceptions that reach the handler, by class, with the code we publish for them.
_DRF_CODES: list[tuple[type[drf.APIException], str, str | None]] = [
    (drf.NotAuthenticated, "not_authenticated", "Send Authorization: Token <token> or Bearer <team token>."),
    (drf.AuthenticationFailed, "invalid_token", None),
    (drf.PermissionDenied, "forbidden", None),
    (drf.NotFound, "not_found", None),
    (drf.MethodNotAllowed, "method_not_allowed", None),
    (drf.NotAcceptable, "not_acceptable", None),
    (drf.UnsupportedMediaType, "unsupported_media_type", None),
    (drf.Throttled, "rate_limited", None),
    (drf.ParseError, "malformed_request", None),
]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error leaves the API in one shape."""
    if isinstance(exc, DomainError):
        return Response(_error_body(exc.code, exc.detail, exc.fields), status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            _error_body("request_too_large", "The request body is larger than the server accepts."), status=413
        )
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if isinstance(exc, drf.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response(_error_body("validation_error", _first_message(fields), fields), status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c, _ in _DRF_CODES if isinstance(exc, cls)), "error")
    hint = next((h for cls, _, h in _DRF_CODES if isinstance(exc, cls) and h), None)
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    if hint:
        detail = f"{detail} {hint}"
    response.data = _error_body(code, detail)
    return response


def _first_message(fields: Any) -> str:
    """A human sentence naming the first bad field, for clients that show only `detail`."""
    if isinstance(fields, dict):
        for name, value in fields.items():
            inner = _first_message(value)
            return inner if name == "non_field_errors" else f"{name}: {inner}"
    if isinstance(fields, list) and fields:
        return _first_message(fields[0])
    return str(fields) if fields else "Invalid input."


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(_error_body("not_found", "No such page or endpoint."), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_error_body("server_error", "The server failed; the error was logged."), status=500)


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(_error_body("bad_request", "The request could not be understood."), status=400)
