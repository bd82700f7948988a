"""Question types: how each is defined, what teams may see of it, and how an answer is checked.

One class per type in a registry (`QUESTION_TYPES`). A definition is split into
`content` (shown to teams) and `key` (never shown before the reveal).
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any, ClassVar

from rest_framework import serializers

from .errors import DomainError
from .models import Difficulty, QuestionFields, QuestionType
from .serializers import FiniteFloatField, StrictSerializer

LANGUAGES = ("python", "c", "cpp", "java", "javascript")
COMPARE_MODES = ("exact", "whitespace", "float")
# A submission's tests together may take this much CPU time at most (the judge task's limit
# leaves room for compiling and for waiting programs).
MAX_JUDGING_MS = 300_000
MAX_PROMPT = 5000


class InvalidAnswer(DomainError):
    code = "invalid_answer"
    status = 400
    message = "The answer does not fit this question."


class CommonDefinition(serializers.Serializer):
    """Fields every question has."""

    type = serializers.ChoiceField(choices=QuestionType.values)
    prompt = serializers.CharField(max_length=MAX_PROMPT)
    points = serializers.IntegerField(min_value=0, max_value=100_000, default=100)
    difficulty = serializers.ChoiceField(choices=Difficulty.values, default=Difficulty.MEDIUM)
    time_limit_s = serializers.IntegerField(min_value=1, max_value=3600, required=False, allow_null=True)
    mystery = serializers.BooleanField(default=False)


class DefinitionSerializer(StrictSerializer):
    """The fields of one question type; the common fields are validated by CommonDefinition."""

    also_allowed = frozenset(CommonDefinition().fields)


class ChoiceDefinition(DefinitionSerializer):
    choices = serializers.ListField(child=serializers.CharField(max_length=500), min_length=2, max_length=12)
    answer = serializers.ListField(child=serializers.IntegerField(min_value=0), min_length=1, max_length=12)
    multiple = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        answer, choices = attrs["answer"], attrs["choices"]
        if len(set(answer)) != len(answer):
            raise serializers.ValidationError({"answer": "Each choice index may appear once."})
        if any(i >= len(choices) for i in answer):
            raise serializers.ValidationError({"answer": f"Indexes must be below {len(choices)}."})
        attrs.setdefault("multiple", len(answer) > 1)
        if not attrs["multiple"] and len(answer) > 1:
            raise serializers.ValidationError({"answer": "A single-choice question has one correct index."})
        return attrs


class NumericDefinition(DefinitionSerializer):
    answer = FiniteFloatField()
    tolerance = FiniteFloatField(min_value=0, default=0)


class TextDefinition(DefinitionSerializer):
    answer = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1, max_length=50)

    def to_internal_value(self, data: Any) -> Any:
        # A single accepted answer may be given as a plain string.
        if isinstance(data, dict) and isinstance(data.get("answer"), str):
            data = {**data, "answer": [data["answer"]]}
        return super().to_internal_value(data)


class CodeTest(serializers.Serializer):
    input = serializers.CharField(max_length=1_000_000, allow_blank=True, trim_whitespace=False)
    output = serializers.CharField(max_length=1_000_000, allow_blank=True, trim_whitespace=False)
    weight = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    sample = serializers.BooleanField(default=False)


class CodeDefinition(DefinitionSerializer):
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGES), min_length=1, max_length=len(LANGUAGES)
    )
    tests = serializers.ListField(child=CodeTest(), min_length=1, max_length=200)
    time_limit_ms = serializers.IntegerField(min_value=100, max_value=20_000, default=2000)
    memory_mb = serializers.IntegerField(min_value=16, max_value=2048, default=256)
    # How output is compared: byte for byte, by tokens, or by tokens with numbers within `tolerance`.
    compare = serializers.ChoiceField(choices=COMPARE_MODES, default="whitespace")
    tolerance = FiniteFloatField(min_value=0, max_value=1, default=1e-6)
    # Points for all tests passed only; else by the weights of the tests passed.
    all_or_nothing = serializers.BooleanField(default=False)
    max_attempts = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True)
    wrong_attempt_penalty = serializers.IntegerField(min_value=0, max_value=100_000, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        budget_ms = len(attrs["tests"]) * attrs["time_limit_ms"]
        if budget_ms > MAX_JUDGING_MS:
            most, asked = MAX_JUDGING_MS // 1000, budget_ms // 1000
            raise serializers.ValidationError(
                {"tests": f"The tests times the time limit may be at most {most} s per submission, not {asked} s."}
            )
        return attrs


class EssayDefinition(DefinitionSerializer):
    max_length = serializers.IntegerField(min_value=1, max_value=20_000, default=5000)


def normalize_text(value: str) -> str:
    """Casefold, drop accents, collapse whitespace, trim surrounding punctuation."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    collapsed = " ".join(stripped.casefold().split())
    return collapsed.strip(".,;:!?\"'()[]{} ")


class QuestionTypeSpec:
    """How one question type is defined, shown and checked."""

    name: ClassVar[str]
    definition: ClassVar[type[DefinitionSerializer]]
    auto_scored: ClassVar[bool] = True

    def split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Validated definition fields → (content for teams, secret key)."""
        raise NotImplementedError

    def parse_answer(self, question: QuestionFields, raw: Any) -> Any:
        raise NotImplementedError

    def is_correct(self, question: QuestionFields, answer: Any) -> bool | None:
        """True/False for auto-scored types; None when a person or the judge decides."""
        return None

    def export(self, question: QuestionFields) -> dict[str, Any]:
        return {**question.content, **question.key}

    def reveal(self, question: QuestionFields) -> dict[str, Any]:
        """What everyone sees once the question is revealed: the accepted answer."""
        return dict(question.key)


class ChoiceType(QuestionTypeSpec):
    name = QuestionType.CHOICE
    definition = ChoiceDefinition

    def split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"choices": data["choices"], "multiple": data["multiple"]}, {"answer": sorted(data["answer"])}

    def parse_answer(self, question: QuestionFields, raw: Any) -> list[int]:
        count = len(question.content["choices"])
        if not isinstance(raw, list) or not raw or not all(_is_int(i) for i in raw):
            raise InvalidAnswer("Send a list of choice indexes, e.g. [0].")
        if len(set(raw)) != len(raw) or any(i < 0 or i >= count for i in raw):
            raise InvalidAnswer(f"Choice indexes must be distinct and between 0 and {count - 1}.")
        if not question.content["multiple"] and len(raw) != 1:
            raise InvalidAnswer("This question takes exactly one choice.")
        return sorted(raw)

    def is_correct(self, question: QuestionFields, answer: Any) -> bool:
        return bool(answer == question.key["answer"])


class NumericType(QuestionTypeSpec):
    name = QuestionType.NUMERIC
    definition = NumericDefinition

    def split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {}, {"answer": data["answer"], "tolerance": data["tolerance"]}

    def parse_answer(self, question: QuestionFields, raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise InvalidAnswer("Send a number, e.g. 3.14.")
        try:
            value = float(raw)  # a JSON integer beyond a float's range raises OverflowError
        except OverflowError:
            raise InvalidAnswer("That number is too large.") from None
        if not math.isfinite(value):
            raise InvalidAnswer("Send a finite number, e.g. 3.14.")
        return value

    def is_correct(self, question: QuestionFields, answer: Any) -> bool:
        key = question.key
        return abs(answer - key["answer"]) <= key["tolerance"] + 1e-9 * max(1.0, abs(key["answer"]))


class TextType(QuestionTypeSpec):
    name = QuestionType.TEXT
    definition = TextDefinition

    def split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {}, {"answer": data["answer"]}

    def parse_answer(self, question: QuestionFields, raw: Any) -> str:
        if not isinstance(raw, str) or not raw.strip() or len(raw) > 500:
            raise InvalidAnswer("Send a non-empty text of at most 500 characters.")
        return raw.strip()

    def is_correct(self, question: QuestionFields, answer: Any) -> bool:
        given = normalize_text(answer)
        return any(given == normalize_text(accepted) for accepted in question.key["answer"])


class CodeType(QuestionTypeSpec):
    name = QuestionType.CODE
    definition = CodeDefinition
    auto_scored = False  # judged in the sandbox by the judge queue

    def split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        tests = [dict(t) for t in data["tests"]]
        content = {
            "languages": data["languages"],
            "samples": [{"input": t["input"], "output": t["output"]} for t in tests if t["sample"]],
            "time_limit_ms": data["time_limit_ms"],
            "memory_mb": data["memory_mb"],
            "compare": data["compare"],
            "tolerance": data["tolerance"],
            "all_or_nothing": data["all_or_nothing"],
            "max_attempts": data.get("max_attempts"),
            "wrong_attempt_penalty": data["wrong_attempt_penalty"],
        }
        return content, {"tests": tests}

    def parse_answer(self, question: QuestionFields, raw: Any) -> dict[str, str]:
        languages = question.content["languages"]
        if not isinstance(raw, dict) or set(raw) != {"language", "source"}:
            raise InvalidAnswer('Send {"language": …, "source": …}.')
        if raw["language"] not in languages:
            raise InvalidAnswer(f"Language must be one of: {', '.join(languages)}.")
        if not isinstance(raw["source"], str) or not raw["source"].strip() or len(raw["source"]) > 65_536:
            raise InvalidAnswer("Source must be non-empty text of at most 64 KiB.")
        return {"language": raw["language"], "source": raw["source"]}

    def export(self, question: QuestionFields) -> dict[str, Any]:
        content = {k: v for k, v in question.content.items() if k != "samples"}
        return {**content, "tests": question.key["tests"]}

    def reveal(self, question: QuestionFields) -> dict[str, Any]:
        return {}  # hidden tests stay hidden: they judge every later submission too


class EssayType(QuestionTypeSpec):
    name = QuestionType.ESSAY
    definition = EssayDefinition
    auto_scored = False  # graded by hand

    def split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"max_length": data["max_length"]}, {}

    def parse_answer(self, question: QuestionFields, raw: Any) -> str:
        limit = question.content.get("max_length", 5000)
        if not isinstance(raw, str) or not raw.strip() or len(raw) > limit:
            raise InvalidAnswer(f"Send a non-empty text of at most {limit} characters.")
        return raw


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


QUESTION_TYPES: dict[str, QuestionTypeSpec] = {
    spec.name: spec for spec in (ChoiceType(), NumericType(), TextType(), CodeType(), EssayType())
}


def question_definition_validate(data: Any) -> dict[str, Any]:
    """Validate one question definition; return model field values. Raises ValidationError."""
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["A question must be a JSON object."]})
    common = CommonDefinition(data=data)
    common.is_valid(raise_exception=True)
    spec = QUESTION_TYPES[common.validated_data["type"]]
    specific = spec.definition(data=data)
    specific.is_valid(raise_exception=True)
    content, key = spec.split(specific.validated_data)
    return {**common.validated_data, "content": content, "key": key}


def question_public(question: QuestionFields) -> dict[str, Any]:
    """What a team may see of a question before its reveal: never the key."""
    return {
        "id": question.pk,
        "type": question.type,
        "prompt": question.prompt,
        "points": question.points,
        "difficulty": question.difficulty,
        "time_limit_s": question.time_limit_s,
        **question.content,
    }


def question_reveal(question: QuestionFields) -> dict[str, Any]:
    return QUESTION_TYPES[question.type].reveal(question)


def question_export(question: QuestionFields) -> dict[str, Any]:
    """The full definition, answer included, in the shape that import accepts."""
    data: dict[str, Any] = {
        "type": question.type,
        "prompt": question.prompt,
        "points": question.points,
        "difficulty": question.difficulty,
        "mystery": question.mystery,
    }
    if question.time_limit_s is not None:
        data["time_limit_s"] = question.time_limit_s
    return {**data, **QUESTION_TYPES[question.type].export(question)}
