"""What both import formats share: limits, validation, and the shape of a reported problem.

A problem is one bad round, question or row:
`{"line": 1-based line or None, "path": "rounds[0].questions[2]" or None, "errors": {field: [message, …]}}`.
`InvalidImport.fields["errors"]` lists every problem in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from ..errors import DomainError, InvalidImport
from ..models import RoundKind
from ..question_types import question_definition_validate
from ..serializers import RoundInputSerializer

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_QUESTIONS = 2000
# Each round costs several writes, so a file of many empty rounds needs its own bound.
MAX_IMPORT_ROUNDS = 200

Problem = dict[str, Any]
Errors = dict[str, Any]

# The round fields a file may set: exactly those the rounds endpoint accepts.
ROUND_FIELDS = frozenset(RoundInputSerializer().fields)


class ExportNeedsJson(DomainError):
    code = "export_needs_json"
    status = 409
    message = "This contest cannot be written as CSV; export it as JSON instead."


@dataclass(frozen=True)
class RoundPlan:
    """One validated round: `round_create` arguments and validated question definitions."""

    round: dict[str, Any]
    questions: list[dict[str, Any]]


def check_limits(*, rounds: int, questions: int) -> None:
    """Refuse an oversized file before validating it row by row."""
    if questions > MAX_IMPORT_QUESTIONS:
        raise file_error(
            f"The file has {questions} questions; one import takes at most {MAX_IMPORT_QUESTIONS}. "
            "Split it into several files."
        )
    if rounds > MAX_IMPORT_ROUNDS:
        raise file_error(
            f"The file has {rounds} rounds; one import takes at most {MAX_IMPORT_ROUNDS}. Split it into several files."
        )


def round_check(data: dict[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
    """Validate round fields by the rounds endpoint's own rules → (round_create kwargs, errors).

    Also refuses what `round_create` would refuse, so that it is reported with its line
    instead of stopping the import at the first such round.
    """
    serializer = RoundInputSerializer(data=data)
    if not serializer.is_valid():
        return None, plain_errors(serializer.errors)
    fields = dict(serializer.validated_data)
    if fields.get("mystery_boxes") and fields["kind"] != RoundKind.POOL:
        return None, {"mystery_boxes": ["Mystery boxes belong to pool rounds; make this a pool round."]}
    return fields, {}


def kind_given(fields: dict[str, Any] | None, raw: Any) -> str | None:
    """The round's kind for checking its questions: also when the round has other errors,
    so that a mystery question in a live round is reported in the same pass."""
    if fields is not None:
        return str(fields["kind"])
    return str(raw) if isinstance(raw, str) and raw in RoundKind.values else None


def question_check(data: Any, *, kind: str | None) -> tuple[dict[str, Any] | None, Errors]:
    """Validate one question of a round of `kind` (None when the round itself is invalid)."""
    try:
        definition = question_definition_validate(data)
    except serializers.ValidationError as exc:
        return None, plain_errors(exc.detail)
    if definition["mystery"] and kind == RoundKind.LIVE:
        return None, {"mystery": ["Mystery questions belong to pool rounds; this round is live."]}
    return definition, {}


def plain_errors(detail: Any) -> Errors:
    """DRF error details → plain `{field: [message, …]}` (nested where a list item is bad)."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return str(value)

    if isinstance(detail, dict):
        return {str(k): plain(v) if isinstance(v, dict | list) else [str(v)] for k, v in detail.items()}
    return {"non_field_errors": plain(detail if isinstance(detail, list) else [detail])}


def merge_errors(into: Errors, more: Errors) -> None:
    """Add `more` to `into`, keeping each message once."""
    for name, messages in more.items():
        existing = into.setdefault(name, [])
        if isinstance(existing, list) and isinstance(messages, list):
            existing.extend(m for m in messages if m not in existing)
        else:
            into[name] = messages


def problem(line: int | None, path: str | None, errors: Errors) -> Problem:
    return {"line": line, "path": path, "errors": errors}


def file_error(message: str, *, line: int | None = None) -> InvalidImport:
    """A problem with the file as a whole: size, encoding, syntax, header."""
    return InvalidImport(
        message if line is None else f"Line {line}: {message}",
        fields={"errors": [problem(line, None, {"file": [message]})]},
    )


def invalid_import(problems: list[Problem]) -> InvalidImport:
    """Every problem in one error; `detail` names the first, for clients that show only it."""
    first = problems[0]
    name, messages = next(iter(first["errors"].items()))
    message = messages[0] if isinstance(messages, list) and messages and isinstance(messages[0], str) else messages
    where = f"line {first['line']}" + (f" ({first['path']})" if first["path"] else "")
    count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
    return InvalidImport(
        _encodable(f"The file has {count}; nothing was imported. The first, on {where}: {name}: {message}"),
        fields={"errors": _encodable(problems)},
    )


def _encodable(value: Any) -> Any:
    """Messages and field names echo the file, and valid JSON may hold a lone surrogate
    (`"\\ud800"`), which no UTF-8 response can carry: show such characters escaped."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    return value
