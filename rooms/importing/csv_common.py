"""What the CSV import formats share: rows with their lines, the header, and question cells.

Both formats hold one question per row under a header that names the columns (any
order, any case), and share the question columns:

- `choices`, a choice `answer` (0-based indexes, `0|2`) and a text `answer` (accepted
  alternatives, `Paris|Paris, France`) separate values with `|`; write `\\|` for a `|`
  inside a value and `\\\\` for a backslash before one.
- Blank cells take the defaults of the JSON format.
- Code questions need test cases and are JSON-only.

Lines are physical lines of the file (the header is line 1), so a quoted cell that
spans lines moves the following rows' numbers as an editor shows them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..models import QuestionType
from .common import Errors, file_error, question_check

# The question columns every format requires, and those it may leave out (export writes them).
QUESTION_REQUIRED = (
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
QUESTION_OPTIONAL = ("multiple", "max_length")
QUESTION_COLUMNS = QUESTION_REQUIRED + QUESTION_OPTIONAL
# Question fields read from a cell as they are (the serializers parse numbers and booleans).
SCALAR_COLUMNS = ("tolerance", "points", "difficulty", "mystery", "time_limit_s", "multiple", "max_length")
# Types whose answer cell holds several values.
LIST_ANSWER_TYPES = frozenset({QuestionType.CHOICE, QuestionType.TEXT})
CODE_IS_JSON_ONLY = "Code questions need test cases, which CSV cannot hold; import them from a JSON file."


# --- Reading ----------------------------------------------------------------------------


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
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


def csv_header(
    rows: list[tuple[int, list[str]]], *, required: tuple[str, ...], known: tuple[str, ...]
) -> dict[str, int]:
    """The first row's column names → their indexes, or InvalidImport naming what is wrong."""
    if not rows:
        raise file_error("The file has no header row; the first row must name the columns.")
    line, header = rows[0]
    names = [cell.strip().lower() for cell in header]
    while names and not names[-1]:  # spreadsheets often end every row with empty cells
        names.pop()
    if len(names) == 1 and ";" in names[0]:
        raise file_error("The header is one cell with “;” in it: save the file with commas between cells.", line=line)
    messages = []
    missing = [name for name in required if name not in names]
    if missing:
        messages.append(f"the header lacks the columns {', '.join(missing)}")
    unknown = [name or f"(blank, column {i + 1})" for i, name in enumerate(names) if name not in known]
    if unknown:
        messages.append(f"unknown columns {', '.join(unknown)} (known: {', '.join(known)})")
    repeated = sorted({name for name in names if names.count(name) > 1 and name in known})
    if repeated:
        messages.append(f"repeated columns {', '.join(repeated)}")
    if messages:
        message = "; ".join(messages)
        raise file_error(message[0].upper() + message[1:] + ".", line=line)
    return {name: index for index, name in enumerate(names)}


def row_cells(raw: list[str], columns: dict[str, int], *, known: tuple[str, ...]) -> tuple[dict[str, str], Errors]:
    """One row → every known column's cell ("" when absent), and an error if it has extra cells."""
    cells = dict.fromkeys(known, "")
    cells.update({name: raw[index] for name, index in columns.items() if index < len(raw)})
    errors: Errors = {}
    if any(cell.strip() for cell in raw[len(columns) :]):
        errors["non_field_errors"] = [
            f"This row has {len(raw)} cells but the header has {len(columns)}; "
            "put cells that contain commas in double quotes."
        ]
    return cells, errors


def question_read(cells: dict[str, str], *, kind: str | None) -> tuple[dict[str, Any] | None, Errors]:
    """A row's question cells → (validated definition, errors), for a round of `kind`."""
    if cells["type"].strip() == QuestionType.CODE:
        return None, {"type": [CODE_IS_JSON_ONLY]}
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


# --- Writing ----------------------------------------------------------------------------


def csv_text(header: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    """Rows of cells by column name → CSV text with `header` as its first row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([row.get(column, "") for column in header] for row in rows)
    return out.getvalue()


def question_cells(question: dict[str, Any]) -> dict[str, str]:
    """One exported definition (`question_export`, not code) → its cells."""
    cells = {
        "type": question["type"],
        "prompt": question["prompt"],
        "points": str(question["points"]),
        "difficulty": question["difficulty"],
        "mystery": csv_bool(question["mystery"]),
        "time_limit_s": str(question.get("time_limit_s") or ""),
    }
    qtype = question["type"]
    if qtype == QuestionType.CHOICE:
        answer = question["answer"]
        multiple = question.get("multiple", len(answer) > 1)
        cells.update(choices=values_join(question["choices"]), answer=values_join(answer), multiple=csv_bool(multiple))
    elif qtype == QuestionType.NUMERIC:
        cells.update(answer=_number(question["answer"]), tolerance=_number(question["tolerance"]))
    elif qtype == QuestionType.TEXT:
        cells.update(answer=values_join(question["answer"]))
    elif qtype == QuestionType.ESSAY:
        cells.update(max_length=str(question["max_length"]))
    return cells


def values_join(values: list[Any]) -> str:
    return "|".join(str(v).replace("\\", "\\\\").replace("|", "\\|") for v in values)


def _number(value: float) -> str:
    """Whole numbers without a trailing `.0`; others in the shortest form that reads back exactly."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def csv_bool(value: bool) -> str:
    return "true" if value else "false"
