"""OpenAPI helpers: the one error shape, documented per endpoint with its codes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

# The one error body. (A Serializer cannot declare a field called `fields`, so the
# schema is written out.)
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "detail", "fields"],
    "properties": {
        "code": {"type": "string", "description": "Stable, snake_case reason; switch on this."},
        "detail": {"type": "string", "description": "A sentence a person can act on."},
        "fields": {"type": "object", "description": "Per-field problems, for validation errors."},
    },
}


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
        status: OpenApiResponse(ERROR_SCHEMA, description="Error codes: " + ", ".join(f"`{n}`" for n in names))
        for status, names in sorted(table.items())
    }


OBJECT_LIST = {"type": "array", "items": {"type": "object"}}


class QuizAutoSchema(AutoSchema):
    """Names a view's nested InputSerializer/OutputSerializer after the view (JoinInput)."""

    def get_serializer_name(self, serializer: serializers.Serializer, direction: Any) -> str:
        name = super().get_serializer_name(serializer, direction)
        if type(serializer).__name__ in ("InputSerializer", "OutputSerializer"):
            view = type(self.view).__name__.removesuffix("View")
            return view + type(serializer).__name__.removesuffix("Serializer")
        return name


class HostTokenScheme(OpenApiAuthenticationExtension):
    target_class = "rooms.auth.HostTokenAuthentication"
    name = "quizmasterToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` from POST /api/v1/auth/token.",
        }


class TeamTokenScheme(OpenApiAuthenticationExtension):
    target_class = "teams.auth.TeamTokenAuthentication"
    name = "teamToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "description": "The team token returned by POST /api/v1/join."}
