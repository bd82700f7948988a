"""The question bank's file formats: JSON and CSV, read with lines; CSV also written.

- JSON: `{"questions": [<question definition, with optional "tags": [str, …]>, …]}`, each
  item what `POST /bank` takes.
- CSV: the question columns of the contest CSV format and `tags` (`|`-separated, as
  `choices`), no round columns. Required: type, prompt, choices, answer, tolerance,
  points, difficulty, mystery, time_limit_s. Optional, and always written by export:
  multiple, max_length, tags. Code questions are JSON-only, as for contests.

Tags follow the bank endpoint's rules (at most 20, each at most 40 characters). A bank
has no rounds, so a mystery question is simply stored as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models import QuestionType
from ..serializers import BankTagsSerializer
from .common import (
    Errors,
    ExportNeedsJson,
    Problem,
    check_limits,
    invalid_import,
    merge_errors,
    plain_errors,
    problem,
    question_check,
)
from .csv_common import (
    QUESTION_COLUMNS,
    QUESTION_REQUIRED,
    csv_header,
    csv_rows,
    csv_text,
    question_cells,
    question_read,
    row_cells,
    values_join,
    values_split,
)
from .json_common import JsonPositions, json_items, json_load

BANK_COLUMNS = (*QUESTION_COLUMNS, "tags")


@dataclass(frozen=True)
class BankPlan:
    """One validated bank question: its definition (model field values) and its tags."""

    definition: dict[str, Any]
    tags: list[str]


# --- Reading ----------------------------------------------------------------------------


def bank_json_plans(text: str) -> list[BankPlan]:
    """Validate a JSON file → plans. Raises InvalidImport listing every bad question."""
    items = json_items(json_load(text), "questions")
    check_limits(rounds=0, questions=len(items))
    positions = JsonPositions(text, ("questions",))
    plans: list[BankPlan] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        is_object = isinstance(item, dict)
        definition = {name: value for name, value in item.items() if name != "tags"} if is_object else item
        plan, errors = _with_tags(question_check(definition, kind=None), item.get("tags", []) if is_object else [])
        if plan is None:
            problems.append(problem(positions.line(index), f"questions[{index}]", errors))
        else:
            plans.append(plan)
    if problems:
        raise invalid_import(problems)
    return plans


def bank_csv_plans(text: str) -> list[BankPlan]:
    """Validate a CSV file → plans. Raises InvalidImport listing every bad row."""
    rows = csv_rows(text)
    columns = csv_header(rows, required=QUESTION_REQUIRED, known=BANK_COLUMNS)
    body = rows[1:]
    check_limits(rounds=0, questions=len(body))
    plans: list[BankPlan] = []
    problems: list[Problem] = []
    for index, (line, raw) in enumerate(body):
        cells, errors = row_cells(raw, columns, known=BANK_COLUMNS)
        tags = values_split(cells["tags"]) if cells["tags"].strip() else []
        plan, question_errors = _with_tags(question_read(cells, kind=None), tags)
        merge_errors(errors, question_errors)
        if errors:
            problems.append(problem(line, f"questions[{index}]", errors))
        elif plan is not None:
            plans.append(plan)
    if problems:
        raise invalid_import(problems)
    return plans


def _with_tags(checked: tuple[dict[str, Any] | None, Errors], tags: Any) -> tuple[BankPlan | None, Errors]:
    """A checked definition (no round: a mystery question is allowed) and the question's
    tags, checked by the bank endpoint's rules → a plan, or the errors of both."""
    definition, errors = checked
    serializer = BankTagsSerializer(data={"tags": tags})
    if not serializer.is_valid():
        errors = {**errors, **plain_errors(serializer.errors)}
    if definition is None or errors:
        return None, errors
    return BankPlan(definition, list(serializer.validated_data["tags"])), {}


# --- Writing ----------------------------------------------------------------------------


def bank_csv_write(questions: list[dict[str, Any]]) -> str:
    """Exported bank questions (the JSON format's `questions`) → the CSV format, every column
    written. Raises ExportNeedsJson for code questions rather than leave them out."""
    code = [question for question in questions if question["type"] == QuestionType.CODE]
    if code:
        first = code[0]["prompt"][:60]
        raise ExportNeedsJson(
            f"Your bank has {len(code)} code question(s) (the first: “{first}”), whose test cases CSV cannot "
            "hold; export the bank as JSON."
        )
    rows = [{**question_cells(question), "tags": values_join(question["tags"])} for question in questions]
    return csv_text(BANK_COLUMNS, rows)
