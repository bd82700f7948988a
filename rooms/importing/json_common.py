"""What the JSON import formats share: decoding, the top-level list, and line numbers.

Both formats are one JSON object holding one list (`{"rounds": [...]}` for a contest,
`{"questions": [...]}` for the bank), and both report each bad item with the line where
it starts.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from typing import Any

from .common import file_error


def json_load(text: str) -> Any:
    """Parse the file, or InvalidImport with the line of the syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise file_error(f"This is not valid JSON: {exc.msg} (column {exc.colno}).", line=exc.lineno) from None
    except RecursionError:
        raise file_error("The JSON is nested too deeply.") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise file_error(f"This is not valid JSON: {exc}.") from None


def json_items(document: Any, name: str) -> list[Any]:
    """The list a file holds under `name`, its only top-level field."""
    if not isinstance(document, dict) or not isinstance(document.get(name), list):
        raise file_error(f'The file must be a JSON object with a list of {name}: {{"{name}": [...]}}.', line=1)
    unknown = sorted(set(document) - {name})
    if unknown:
        raise file_error(f'Unknown top-level field "{unknown[0]}"; the file holds only "{name}".', line=1)
    return list(document[name])


_WHITESPACE = re.compile(r"[ \t\n\r]*")

# One level of the walk: each item's offset in the text, with the items nested under it.
_Level = list[tuple[int, "_Level"]]


class JsonPositions:
    """Line numbers of the objects along one path of a JSON text that parsed cleanly.

    `JsonPositions(text, ("rounds", "questions"))` finds each round in the top object's
    "rounds" and each question in a round's "questions"; `line(2)` is where round 2
    starts, `line(2, 0)` where its first question does. The json module keeps no
    positions, so this walks the text along the path and lets the module's own decoder
    step over every other value. Duplicate keys resolve as in `json.loads`: the last
    one wins.
    """

    def __init__(self, text: str, path: tuple[str, ...]) -> None:
        self._text = text
        self._decode = json.JSONDecoder().raw_decode  # one value at an offset → (value, end)
        self._newlines = [match.start() for match in re.finditer("\n", text)]
        self._top = self._walk(self._skip(0), path)

    def line(self, *indexes: int) -> int | None:
        """The line of the item at `indexes` along the path (None: the text has no such item)."""
        level, offset = self._top, None
        for index in indexes:
            if index >= len(level):
                return None
            offset, level = level[index]
        return None if offset is None else bisect_left(self._newlines, offset) + 1

    def _walk(self, offset: int | None, path: tuple[str, ...]) -> _Level:
        if not path:
            return []
        return [(start, self._walk(start, path[1:])) for start in self._items(self._member(offset, path[0]))]

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
