"""Serializer building blocks shared by the apps' APIs."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is an error instead of silently ignored."""

    # Names that another serializer reads from the same object (not an error here).
    also_allowed: ClassVar[frozenset[str]] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields) - self.also_allowed)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)
