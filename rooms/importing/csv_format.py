"""The CSV import format: one question per row, rows grouped into rounds by title.

A header row names the columns (any order, any case). Required: round, kind, type,
prompt, choices, answer, tolerance, points, difficulty, mystery, time_limit_s. Optional,
and always written by export so that a contest survives the round trip: multiple,
max_length, exclusive, claim_limit, mystery_boxes.

- Rows with the same `round` title form one round, in order of first appearance. The
  round columns (kind, exclusive, claim_limit, mystery_boxes) are read from the round's
  first row; later rows leave them blank or repeat the same value.
- A row whose question columns are all blank only declares its round (an empty round).
- `choices`, a choice `answer` (0-based indexes, `0|2`) and a text `answer` (accepted
  alternatives, `Paris|Paris, France`) separate values with `|`; write `\\|` for a `|`
  inside a value and `\\\\` for a backslash before one.
- Blank cells take the defaults of the JSON format; `claim_limit` is a number or
  `unlimited`; `mystery_boxes` is `easy:50:100|hard:100:300` (difficulty:cost:reward).
- Code questions need test cases and are JSON-only.

Lines are physical lines of the file (the header is line 1), so a quoted cell that
spans lines moves the following rows' numbers as an editor shows them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from ..models import QuestionType
from .common import (
    Errors,
    ExportNeedsJson,
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

REQUIRED_COLUMNS = (
    "round",
    "kind",
    "type",
    "prompt",
    "choices",
    "answer",
    "tolerance",
    "points",
    "difficulty",
    "mystery",
    "time_limit_s",
)
OPTIONAL_COLUMNS = ("multiple", "max_length", "exclusive", "claim_limit", "mystery_boxes")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
ROUND_COLUMNS = ("kind", "exclusive", "claim_limit", "mystery_boxes")
QUESTION_COLUMNS = tuple(c for c in COLUMNS if c != "round" and c not in ROUND_COLUMNS)
# Question fields read from a cell as they are (the serializers parse numbers and booleans).
SCALAR_COLUMNS = ("tolerance", "points", "difficulty", "mystery", "time_limit_s", "multiple", "max_length")
# Types whose answer cell holds several values.
LIST_ANSWER_TYPES = frozenset({QuestionType.CHOICE, QuestionType.TEXT})
UNLIMITED = "unlimited"
BOXES_HELP = "Write boxes as difficulty:cost:reward separated by |, e.g. easy:50:100|hard:200:500."


# --- Reading ----------------------------------------------------------------------------


def csv_plans(text: str) -> list[RoundPlan]:
    """Validate a CSV file → plans. Raises InvalidImport listing every bad row."""
    rows = _rows(text)
    if not rows:
        raise file_error("The file has no header row; the first row must name the columns.")
    header_line, header = rows[0]
    columns = _columns(header, header_line)
    body = rows[1:]
    titles = {cells[columns["round"]].strip() for _, cells in body if len(cells) > columns["round"]}
    check_limits(rounds=len(titles), questions=len(body))
    builder = _RoundsBuilder(columns)
    for line, cells in body:
        builder.add(line, cells)
    if builder.problems:
        raise invalid_import(builder.problems)
    return builder.plans()


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows, each with the physical line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, start = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        hint = "; a quoted cell is never closed" if "unexpected end of data" in str(exc) else ""
        raise file_error(f"This is not valid CSV: {exc}{hint}.", line=start) from None
    return rows


def _columns(header: list[str], line: int) -> dict[str, int]:
    """Column name → index, or InvalidImport naming what is wrong with the header."""
    names = [cell.strip().lower() for cell in header]
    while names and not names[-1]:  # spreadsheets often end every row with empty cells
        names.pop()
    if len(names) == 1 and ";" in names[0]:
        raise file_error("The header is one cell with “;” in it: save the file with commas between cells.", line=line)
    messages = []
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        messages.append(f"the header lacks the columns {', '.join(missing)}")
    unknown = [name or f"(blank, column {i + 1})" for i, name in enumerate(names) if name not in COLUMNS]
    if unknown:
        messages.append(f"unknown columns {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    repeated = sorted({name for name in names if names.count(name) > 1 and name in COLUMNS})
    if repeated:
        messages.append(f"repeated columns {', '.join(repeated)}")
    if messages:
        message = "; ".join(messages)
        raise file_error(message[0].upper() + message[1:] + ".", line=line)
    return {name: index for index, name in enumerate(names)}


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
        cells, errors = self._cells(raw)
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
            definition, question_errors = _question(cells, kind=kind)
            merge_errors(errors, question_errors)
            if definition is not None:
                round_.questions.append(definition)
        if errors:
            self.problems.append(problem(line, path, errors))

    def plans(self) -> list[RoundPlan]:
        return [RoundPlan(r.fields, r.questions) for r in self.rounds.values() if r.fields is not None]

    def _cells(self, raw: list[str]) -> tuple[dict[str, str], Errors]:
        cells = dict.fromkeys(COLUMNS, "")
        cells.update({name: raw[index] for name, index in self.columns.items() if index < len(raw)})
        errors: Errors = {}
        if any(cell.strip() for cell in raw[len(self.columns) :]):
            errors["non_field_errors"] = [
                f"This row has {len(raw)} cells but the header has {len(self.columns)}; "
                "put cells that contain commas in double quotes."
            ]
        return cells, errors

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


def _question(cells: dict[str, str], *, kind: str | None) -> tuple[dict[str, Any] | None, Errors]:
    if cells["type"].strip() == QuestionType.CODE:
        return None, {"type": ["Code questions need test cases, which CSV cannot hold; import them from a JSON file."]}
    return question_check(_definition(cells), kind=kind)


def _definition(cells: dict[str, str]) -> dict[str, Any]:
    """A row's question cells → a definition for `question_definition_validate`."""
    qtype = cells["type"].strip()
    data: dict[str, Any] = {"type": qtype, "prompt": cells["prompt"]}
    data.update({column: cells[column].strip() for column in SCALAR_COLUMNS if cells[column].strip()})
    if cells["choices"].strip():
        data["choices"] = values_split(cells["choices"])
    if answer := cells["answer"].strip():
        data["answer"] = values_split(answer) if qtype in LIST_ANSWER_TYPES else answer
    return data


def _boxes_read(cell: str) -> list[dict[str, str]] | None:
    boxes = []
    for item in cell.split("|"):
        parts = [part.strip() for part in item.split(":")]
        if len(parts) != 3:
            return None
        boxes.append({"difficulty": parts[0], "cost": parts[1], "reward": parts[2]})
    return boxes


def values_split(cell: str) -> list[str]:
    """`a|b\\|c` → ["a", "b|c"]: `|` separates, a backslash escapes `|` or a backslash."""
    values, current, i = [], [], 0
    while i < len(cell):
        char = cell[i]
        if char == "\\" and cell[i + 1 : i + 2] in ("|", "\\"):
            current.append(cell[i + 1])
            i += 2
            continue
        if char == "|":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    values.append("".join(current))
    return values


def values_join(values: list[Any]) -> str:
    return "|".join(str(v).replace("\\", "\\\\").replace("|", "\\|") for v in values)


# --- Writing ----------------------------------------------------------------------------


def csv_write(rounds: list[dict[str, Any]]) -> str:
    """Exported rounds (the JSON format's `rounds`) → the CSV format, every column written."""
    _refuse_unwritable(rounds)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for round_ in rounds:
        base = _round_cells(round_)
        for question in round_["questions"] or [None]:
            cells = {**base, **(_question_cells(question) if question else {})}
            writer.writerow([cells.get(column, "") for column in COLUMNS])
    return out.getvalue()


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
        "exclusive": _bool(round_["exclusive"]),
        "claim_limit": UNLIMITED if limit is None else str(limit),
        "mystery_boxes": "|".join(f"{b['difficulty']}:{b['cost']}:{b['reward']}" for b in round_["mystery_boxes"]),
    }


def _question_cells(question: dict[str, Any]) -> dict[str, str]:
    """One exported definition (`question_export`) → its cells."""
    cells = {
        "type": question["type"],
        "prompt": question["prompt"],
        "points": str(question["points"]),
        "difficulty": question["difficulty"],
        "mystery": _bool(question["mystery"]),
        "time_limit_s": str(question.get("time_limit_s") or ""),
    }
    qtype = question["type"]
    if qtype == QuestionType.CHOICE:
        answer = question["answer"]
        multiple = question.get("multiple", len(answer) > 1)
        cells.update(choices=values_join(question["choices"]), answer=values_join(answer), multiple=_bool(multiple))
    elif qtype == QuestionType.NUMERIC:
        cells.update(answer=_number(question["answer"]), tolerance=_number(question["tolerance"]))
    elif qtype == QuestionType.TEXT:
        cells.update(answer=values_join(question["answer"]))
    elif qtype == QuestionType.ESSAY:
        cells.update(max_length=str(question["max_length"]))
    return cells


def _number(value: float) -> str:
    """Whole numbers without a trailing `.0`; others in the shortest form that reads back exactly."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _bool(value: bool) -> str:
    return "true" if value else "false"
