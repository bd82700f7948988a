"""Serializer building blocks shared by the apps' APIs."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from rest_framework import serializers

from scoring.strategies import SPEED_CURVES, STRATEGIES

from .models import Difficulty, RoundKind


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


class TextField(serializers.CharField):
    """A CharField that takes only JSON strings: DRF's would turn 5 into "5"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonIntegerField(serializers.IntegerField):
    """A JSON integer only: DRF's IntegerField would also take "40" and 40.0."""

    default_error_messages = {"invalid": "A whole number is required."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


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


class MysteryBoxSerializer(StrictSerializer):
    difficulty = serializers.ChoiceField(choices=Difficulty.values)
    cost = serializers.IntegerField(min_value=0, max_value=1_000_000)
    reward = serializers.IntegerField(min_value=0, max_value=1_000_000)


class ScoringSettingsSerializer(StrictSerializer):
    """A round's scoring rules (scoring/strategies.py): the strategy and its options."""

    strategy = serializers.ChoiceField(choices=sorted(STRATEGIES))
    speed_bonus = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    speed_curve = serializers.ChoiceField(choices=SPEED_CURVES, required=False)
    streak_bonus = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    streak_cap = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    wrong_answer_penalty = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True)
    multiplier = serializers.FloatField(min_value=0, max_value=100, required=False)


class RoundSettingsSerializer(StrictSerializer):
    # Live rounds: the time of a question that has no time limit of its own.
    time_limit_s = serializers.IntegerField(min_value=1, max_value=3600, required=False)
    scoring = ScoringSettingsSerializer(required=False)


class RoundInputSerializer(StrictSerializer):
    """A round as the rounds endpoint and contest import take it."""

    kind = serializers.ChoiceField(choices=RoundKind.values)
    title = serializers.CharField(max_length=200)
    exclusive = serializers.BooleanField(default=True)
    claim_limit = serializers.IntegerField(min_value=1, max_value=1000, allow_null=True, default=1)
    mystery_boxes = serializers.ListField(child=MysteryBoxSerializer(), required=False, max_length=3)
    settings = RoundSettingsSerializer(required=False)

    def validate_mystery_boxes(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        difficulties = [box["difficulty"] for box in value]
        if len(set(difficulties)) != len(difficulties):
            raise serializers.ValidationError("One box per difficulty.")
        return value


class BankTagsSerializer(serializers.Serializer):
    """A bank question's tags, as the bank endpoint and bank import take them."""

    tags = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    """Validate `data` or raise ValidationError (answered as 400 validation_error)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
