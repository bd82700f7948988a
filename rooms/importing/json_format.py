"""The JSON import format, read with the line where each round and question starts.

`{"rounds": [{"kind", "title", "exclusive", "claim_limit", "mystery_boxes",
"questions": [<question definition>, …]}, …]}` — the round fields are those of
`POST /contests/{id}/rounds`, the questions those of `POST /rounds/{id}/questions`.
"""

from __future__ import annotations

from typing import Any

from .common import (
    ROUND_FIELDS,
    Errors,
    Problem,
    RoundPlan,
    check_limits,
    invalid_import,
    kind_given,
    merge_errors,
    problem,
    question_check,
    round_check,
)
from .json_common import JsonPositions, json_items, json_load

ROUND_KEYS = ROUND_FIELDS | {"questions"}


def json_plans(text: str) -> list[RoundPlan]:
    """Validate a JSON file → plans. Raises InvalidImport listing every bad round and question."""
    rounds = json_items(json_load(text), "rounds")
    check_limits(
        rounds=len(rounds),
        questions=sum(
            len(r["questions"]) for r in rounds if isinstance(r, dict) and isinstance(r.get("questions"), list)
        ),
    )
    positions = JsonPositions(text, ("rounds", "questions"))
    problems: list[Problem] = []
    plans = [_round_plan(item, index, positions, problems) for index, item in enumerate(rounds)]
    if problems:
        raise invalid_import(problems)
    return [plan for plan in plans if plan is not None]


def _round_plan(item: Any, index: int, positions: JsonPositions, problems: list[Problem]) -> RoundPlan | None:
    """Validate one round and its questions, appending their problems; a plan if all is well."""
    path, line = f"rounds[{index}]", positions.line(index)
    if not isinstance(item, dict):
        problems.append(problem(line, path, {"non_field_errors": ["A round must be a JSON object."]}))
        return None
    errors: Errors = {name: ["Unknown field."] for name in sorted(set(item) - ROUND_KEYS)}
    questions = item.get("questions", [])
    if not isinstance(questions, list):
        errors["questions"] = ["Must be a list of question objects."]
        questions = []
    fields, round_errors = round_check({k: v for k, v in item.items() if k in ROUND_FIELDS})
    merge_errors(errors, round_errors)
    if errors:
        problems.append(problem(line, path, errors))
    kind = kind_given(fields, item.get("kind"))
    definitions = []
    for number, question in enumerate(questions):
        definition, question_errors = question_check(question, kind=kind)
        if definition is not None:
            definitions.append(definition)
        else:
            where = positions.line(index, number)
            problems.append(problem(where, f"{path}.questions[{number}]", question_errors))
    return RoundPlan(fields, definitions) if fields is not None and not errors else None
