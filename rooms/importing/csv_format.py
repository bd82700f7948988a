"""The contest CSV format: one question per row, rows grouped into rounds by title.

A header row names the columns (any order, any case). Required: round, kind, type,
prompt, choices, answer, tolerance, points, difficulty, mystery, time_limit_s. Optional,
and always written by export so that a contest survives the round trip: multiple,
max_length, exclusive, claim_limit, mystery_boxes. The question columns, `|` lists and
line numbers are those of every CSV format (`csv_common`).

- Rows with the same `round` title form one round, in order of first appearance. The
  round columns (kind, exclusive, claim_limit, mystery_boxes) are read from the round's
  first row; later rows leave them blank or repeat the same value.
- A row whose question columns are all blank only declares its round (an empty round).
- `claim_limit` is a number or `unlimited`; `mystery_boxes` is `easy:50:100|hard:100:300`
  (difficulty:cost:reward).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import QuestionType
from .common import (
    Errors,
    ExportNeedsJson,
    Problem,
    RoundPlan,
    check_limits,
    invalid_import,
    kind_given,
    merge_errors,
    problem,
    round_check,
)
from .csv_common import (
    QUESTION_COLUMNS,
    QUESTION_OPTIONAL,
    QUESTION_REQUIRED,
    csv_bool,
    csv_header,
    csv_rows,
    csv_text,
    question_cells,
    question_read,
    row_cells,
)

REQUIRED_COLUMNS = ("round", "kind", *QUESTION_REQUIRED)
OPTIONAL_COLUMNS = (*QUESTION_OPTIONAL, "exclusive", "claim_limit", "mystery_boxes")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
ROUND_COLUMNS = ("kind", "exclusive", "claim_limit", "mystery_boxes")
UNLIMITED = "unlimited"
BOXES_HELP = "Write boxes as difficulty:cost:reward separated by |, e.g. easy:50:100|hard:200:500."


# --- Reading ----------------------------------------------------------------------------


def csv_plans(text: str) -> list[RoundPlan]:
    """Validate a CSV file → plans. Raises InvalidImport listing every bad row."""
    rows = csv_rows(text)
    columns = csv_header(rows, required=REQUIRED_COLUMNS, known=COLUMNS)
    body = rows[1:]
    titles = {cells[columns["round"]].strip() for _, cells in body if len(cells) > columns["round"]}
    check_limits(rounds=len(titles), questions=len(body))
    builder = _RoundsBuilder(columns)
    for line, cells in body:
        builder.add(line, cells)
    if builder.problems:
        raise invalid_import(builder.problems)
    return builder.plans()


@dataclass
class _Round:
    index: int
    line: int  # where the round was first seen
    cells: dict[str, str]  # its round columns, as written on that row
    fields: dict[str, Any] | None  # validated round_create kwargs (None: invalid)
    questions: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0  # question rows seen, for paths


class _RoundsBuilder:
    """Groups rows into rounds, validating each row; one problem per bad row."""

    def __init__(self, columns: dict[str, int]) -> None:
        self.columns = columns
        self.rounds: dict[str, _Round] = {}
        self.problems: list[Problem] = []

    def add(self, line: int, raw: list[str]) -> None:
        cells, errors = row_cells(raw, self.columns, known=COLUMNS)
        title = cells["round"].strip()
        if not title:
            errors["round"] = ["Name the round this row belongs to."]
            self.problems.append(problem(line, None, errors))
            return
        round_ = self.rounds.get(title)
        if round_ is None:
            round_ = self.rounds[title] = self._start(title, line, cells, errors)
        else:
            merge_errors(errors, _round_repeat(round_, title, cells))
        path = f"rounds[{round_.index}]"
        if any(cells[column].strip() for column in QUESTION_COLUMNS):
            path, round_.rows = f"{path}.questions[{round_.rows}]", round_.rows + 1
            kind = kind_given(round_.fields, round_.cells["kind"])
            definition, question_errors = question_read(cells, kind=kind)
            merge_errors(errors, question_errors)
            if definition is not None:
                round_.questions.append(definition)
        if errors:
            self.problems.append(problem(line, path, errors))

    def plans(self) -> list[RoundPlan]:
        return [RoundPlan(r.fields, r.questions) for r in self.rounds.values() if r.fields is not None]

    def _start(self, title: str, line: int, cells: dict[str, str], errors: Errors) -> _Round:
        fields, round_errors = _round_fields(title, cells)
        merge_errors(errors, round_errors)
        round_cells = {column: cells[column].strip() for column in ROUND_COLUMNS}
        return _Round(index=len(self.rounds), line=line, cells=round_cells, fields=fields)


def _round_fields(title: str, cells: dict[str, str]) -> tuple[dict[str, Any] | None, Errors]:
    """A round's first row → (round_create kwargs, errors), by the rounds endpoint's rules."""
    data: dict[str, Any] = {"kind": cells["kind"].strip(), "title": title}
    errors: Errors = {}
    if exclusive := cells["exclusive"].strip():
        data["exclusive"] = exclusive
    if limit := cells["claim_limit"].strip():
        data["claim_limit"] = None if limit.lower() == UNLIMITED else limit
    if boxes := cells["mystery_boxes"].strip():
        parsed = _boxes_read(boxes)
        if parsed is None:
            errors["mystery_boxes"] = [BOXES_HELP]
        else:
            data["mystery_boxes"] = parsed
    fields, round_errors = round_check(data)
    if "title" in round_errors:  # the CSV calls the title `round`
        round_errors["round"] = round_errors.pop("title")
    if not data["kind"] and "kind" in round_errors:
        round_errors["kind"] = ["Write live or pool on the round's first row."]
    merge_errors(errors, round_errors)
    return (None if errors else fields), errors


def _round_repeat(round_: _Round, title: str, cells: dict[str, str]) -> Errors:
    """A later row of a round may leave the round columns blank or repeat them."""
    errors: Errors = {}
    for column in ROUND_COLUMNS:
        value, first = cells[column].strip(), round_.cells[column]
        if value and value.casefold() != first.casefold():
            was = f"“{first}”" if first else "it blank"
            errors[column] = [
                f"Round “{title}” starts on line {round_.line} with {was}; leave this cell blank or repeat that."
            ]
    return errors


def _boxes_read(cell: str) -> list[dict[str, str]] | None:
    boxes = []
    for item in cell.split("|"):
        parts = [part.strip() for part in item.split(":")]
        if len(parts) != 3:
            return None
        boxes.append({"difficulty": parts[0], "cost": parts[1], "reward": parts[2]})
    return boxes


# --- Writing ----------------------------------------------------------------------------


def csv_write(rounds: list[dict[str, Any]]) -> str:
    """Exported rounds (the JSON format's `rounds`) → the CSV format, every column written."""
    _refuse_unwritable(rounds)
    rows = []
    for round_ in rounds:
        base = _round_cells(round_)
        rows += [{**base, **(question_cells(q) if q else {})} for q in round_["questions"] or [None]]
    return csv_text(COLUMNS, rows)


def _refuse_unwritable(rounds: list[dict[str, Any]]) -> None:
    """CSV groups rows by round title and has no room for code tests: say so, never drop data."""
    seen: dict[str, int] = {}
    for number, round_ in enumerate(rounds, start=1):
        title = round_["title"]
        if title in seen:
            raise ExportNeedsJson(
                f"Rounds {seen[title]} and {number} are both titled “{title}”, and CSV groups rows by round "
                "title; rename one or export the contest as JSON."
            )
        seen[title] = number
        if any(q["type"] == QuestionType.CODE for q in round_["questions"]):
            raise ExportNeedsJson(
                f"Round {number} (“{title}”) has code questions, whose test cases CSV cannot hold; "
                "export the contest as JSON."
            )


def _round_cells(round_: dict[str, Any]) -> dict[str, str]:
    limit = round_["claim_limit"]
    return {
        "round": round_["title"],
        "kind": round_["kind"],
        "exclusive": csv_bool(round_["exclusive"]),
        "claim_limit": UNLIMITED if limit is None else str(limit),
        "mystery_boxes": "|".join(f"{b['difficulty']}:{b['cost']}:{b['reward']}" for b in round_["mystery_boxes"]),
    }
