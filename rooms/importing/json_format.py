"""The JSON import format, read with the line where each round and question starts.

`{"rounds": [{"kind", "title", "exclusive", "claim_limit", "mystery_boxes",
"questions": [<question definition>, …]}, …]}` — the round fields are those of
`POST /contests/{id}/rounds`, the questions those of `POST /rounds/{id}/questions`.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from typing import Any

from .common import (
    ROUND_FIELDS,
    Errors,
    Problem,
    RoundPlan,
    check_limits,
    file_error,
    invalid_import,
    kind_given,
    merge_errors,
    problem,
    question_check,
    round_check,
)

ROUND_KEYS = ROUND_FIELDS | {"questions"}


def json_plans(text: str) -> list[RoundPlan]:
    """Validate a JSON file → plans. Raises InvalidImport listing every bad round and question."""
    rounds = _rounds_of(_load(text))
    check_limits(
        rounds=len(rounds),
        questions=sum(
            len(r["questions"]) for r in rounds if isinstance(r, dict) and isinstance(r.get("questions"), list)
        ),
    )
    positions = JsonPositions(text)
    problems: list[Problem] = []
    plans = [_round_plan(item, index, positions, problems) for index, item in enumerate(rounds)]
    if problems:
        raise invalid_import(problems)
    return [plan for plan in plans if plan is not None]


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise file_error(f"This is not valid JSON: {exc.msg} (column {exc.colno}).", line=exc.lineno) from None
    except RecursionError:
        raise file_error("The JSON is nested too deeply.") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise file_error(f"This is not valid JSON: {exc}.") from None


def _rounds_of(document: Any) -> list[Any]:
    if not isinstance(document, dict) or not isinstance(document.get("rounds"), list):
        raise file_error('The file must be a JSON object with a list of rounds: {"rounds": [...]}.', line=1)
    unknown = sorted(set(document) - {"rounds"})
    if unknown:
        raise file_error(f'Unknown top-level field "{unknown[0]}"; the file holds only "rounds".', line=1)
    return list(document["rounds"])


def _round_plan(item: Any, index: int, positions: JsonPositions, problems: list[Problem]) -> RoundPlan | None:
    """Validate one round and its questions, appending their problems; a plan if all is well."""
    path, line = f"rounds[{index}]", positions.round_line(index)
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
            where = positions.question_line(index, number)
            problems.append(problem(where, f"{path}.questions[{number}]", question_errors))
    return RoundPlan(fields, definitions) if fields is not None and not errors else None


_WHITESPACE = re.compile(r"[ \t\n\r]*")


class JsonPositions:
    """Line numbers of the round and question objects in a JSON text that parsed cleanly.

    The json module keeps no positions, so this walks the text along the one path that
    matters (top object → "rounds" → each round → "questions" → each question) and lets
    the module's own decoder step over every other value. Duplicate keys resolve as in
    `json.loads`: the last one wins.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._decode = json.JSONDecoder().raw_decode  # one value at an offset → (value, end)
        self._newlines = [match.start() for match in re.finditer("\n", text)]
        self._rounds = self._items(self._member(self._skip(0), "rounds"))
        self._questions = [self._items(self._member(offset, "questions")) for offset in self._rounds]

    def round_line(self, index: int) -> int | None:
        return self._line(self._rounds[index]) if index < len(self._rounds) else None

    def question_line(self, index: int, number: int) -> int | None:
        questions = self._questions[index] if index < len(self._questions) else []
        return self._line(questions[number]) if number < len(questions) else None

    def _line(self, offset: int) -> int:
        return bisect_left(self._newlines, offset) + 1

    def _skip(self, offset: int) -> int:
        """Past any whitespace at `offset`."""
        match = _WHITESPACE.match(self._text, offset)
        return match.end() if match else offset

    def _after(self, offset: int) -> int:
        """Past the value at `offset` and the comma (if any) that follows it."""
        end = self._skip(self._decode(self._text, offset)[1])
        return self._skip(end + 1) if self._text[end] == "," else end

    def _member(self, offset: int | None, name: str) -> int | None:
        """Where the value of `name` starts in the object at `offset` (None: no such member)."""
        if offset is None or self._text[offset] != "{":
            return None
        found, i = None, self._skip(offset + 1)
        while self._text[i] != "}":
            key, i = self._decode(self._text, i)
            i = self._skip(self._skip(i) + 1)  # past the colon
            found = i if key == name else found
            i = self._after(i)
        return found

    def _items(self, offset: int | None) -> list[int]:
        """Where each item of the array at `offset` starts (empty when it is not an array)."""
        if offset is None or self._text[offset] != "[":
            return []
        starts, i = [], self._skip(offset + 1)
        while self._text[i] != "]":
            starts.append(i)
            i = self._after(i)
        return starts
