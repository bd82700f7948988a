"""OpenAPI helpers: the one error shape, documented per endpoint with its codes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, snake_case reason; switch on this.")
    detail = serializers.CharField(help_text="A sentence a person can act on.")
    fields = serializers.DictField(help_text="Per-field problems, for validation errors.")


_COMMON = {
    400: ["validation_error", "malformed_request"],
    401: ["not_authenticated", "invalid_token"],
    403: ["forbidden"],
    404: ["not_found"],
}


def errors(**codes: list[str]) -> dict[int, Any]:
    """`errors(e409=["invalid_transition"])` → responses for that status and the common ones."""
    table: dict[int, list[str]] = {status: list(names) for status, names in _COMMON.items()}
    for key, names in codes.items():
        table.setdefault(int(key[1:]), []).extend(names)
    return {
        status: OpenApiResponse(ErrorSerializer, description="Error codes: " + ", ".join(f"`{n}`" for n in names))
        for status, names in sorted(table.items())
    }
