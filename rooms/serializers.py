"""Serializer building blocks shared by the apps' APIs."""

from __future__ import annotations

import math
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


class FiniteFloatField(serializers.FloatField):
    """A JSON number that fits a float: no booleans, no NaN or infinity, no 1e400."""

    default_error_messages = {"invalid": "A finite number is required."}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool):
            self.fail("invalid")
        try:
            value = float(data)
        except (TypeError, ValueError, OverflowError):
            self.fail("invalid")
        if not math.isfinite(value):
            self.fail("invalid")
        return super().to_internal_value(value)
