"""Question bank import and export: JSON and CSV, all or nothing, every bad row with its line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rooms import importing
from rooms.models import BankQuestion

from ..factories import UserFactory, host_client

pytestmark = pytest.mark.django_db

HEADER = "type,prompt,choices,answer,tolerance,points,difficulty,mystery,time_limit_s,tags"

# Every question type, mystery and time limits, and the characters CSV and `|` lists must survive.
QUESTIONS: list[dict[str, Any]] = [
    {
        "type": "choice",
        "prompt": "Line one\nline two, with a comma",
        "choices": ["A|B", "C\\D", "E\\"],
        "answer": [0, 2],
        "points": 150,
        "difficulty": "hard",
        "time_limit_s": 30,
        "tags": ["music", "a|b", 'quoted "tag"'],
    },
    {"type": "choice", "prompt": "Any that apply", "choices": ["x", "y"], "answer": [1], "multiple": True},
    {"type": "numeric", "prompt": "Pi?", "answer": 3.14159, "tolerance": 0.001, "tags": ["maths"]},
    {"type": "numeric", "prompt": "Below zero", "answer": -40, "tags": []},
    {"type": "text", "prompt": "Capital of France", "answer": ["Paris", "Paris, France"], "tags": ["geo"]},
    {"type": "text", "prompt": "=starts like a formula", "answer": "x", "mystery": True, "difficulty": "easy"},
    {"type": "essay", "prompt": "Why?", "points": 50, "max_length": 300, "tags": ["t" * 40] * 20},
]
CODE_QUESTION = {
    "type": "code",
    "prompt": "Add two numbers",
    "languages": ["python", "c"],
    "tests": [{"input": "1 2\n", "output": "3\n", "sample": True}, {"input": "2 2\n", "output": "4\n"}],
    "points": 300,
    "tags": ["code"],
}


def _host() -> Any:
    return host_client(UserFactory())


def _upload(client: Any, name: str, content: bytes | str) -> Any:
    data = content.encode() if isinstance(content, str) else content
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post("/api/v1/bank/import", {"file": upload}, format="multipart")


def _json_file(questions: list[dict[str, Any]]) -> str:
    return json.dumps({"questions": questions}, indent=2)


def _created(response: Any) -> list[int]:
    body = response.json()
    assert response.status_code == 201, body
    assert body["questions"] == len(body["ids"])
    return list(body["ids"])


def _problems(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    assert response.status_code == 400, body
    assert body["code"] == "invalid_import", body
    return list(body["fields"]["errors"])


def _export_json(client: Any) -> dict[str, Any]:
    response = client.get("/api/v1/bank/export.json")
    assert response.status_code == 200, response.content
    return dict(response.json())


# --- Happy paths ------------------------------------------------------------------------


def test_json_file_import_adds_every_question_with_its_tags() -> None:
    client = _host()

    ids = _created(_upload(client, "bank.json", _json_file([*QUESTIONS, CODE_QUESTION])))

    questions = list(BankQuestion.objects.filter(pk__in=ids).order_by("pk"))
    assert [q.pk for q in questions] == ids
    assert len({q.owner_id for q in questions}) == 1
    assert [q.prompt for q in questions] == [q["prompt"] for q in [*QUESTIONS, CODE_QUESTION]]
    choice, *_, mystery, essay, code = questions
    assert (choice.tags, choice.key, choice.time_limit_s) == (["music", "a|b", 'quoted "tag"'], {"answer": [0, 2]}, 30)
    assert (mystery.mystery, mystery.tags, mystery.key) == (True, [], {"answer": ["x"]})
    assert len(essay.tags) == 20
    assert code.content["samples"] == [{"input": "1 2\n", "output": "3\n"}]


def test_json_can_be_sent_as_the_raw_body() -> None:
    client = _host()

    response = client.post("/api/v1/bank/import", data=_json_file(QUESTIONS[:2]), content_type="application/json")

    assert len(_created(response)) == 2


def test_csv_import_reads_question_columns_and_tags() -> None:
    client = _host()
    csv_text = "\ufeff" + "\r\n".join(  # Excel's "CSV UTF-8" starts with a byte order mark
        [
            "Tags,TYPE,prompt,choices,answer,tolerance,points,difficulty,mystery,time_limit_s,multiple,max_length",
            "music|instruments,choice,Which is a drum?,Snare|Flute|Harp,0,,200,easy,,20,,",
            "geo | europe,text,Capital of France?,,Paris|Paris\\|France,,,,true,,,",
            ',numeric,"How many strings, on a violin?",,4,0.5,,,,,,',
            "a\\|b,essay,Describe Rome,,,,50,hard,,,,300",
        ]
    )

    ids = _created(_upload(client, "bank.CSV", csv_text))

    drum, france, strings, rome = BankQuestion.objects.filter(pk__in=ids).order_by("pk")
    assert (drum.content["choices"], drum.key, drum.points, drum.time_limit_s, drum.tags) == (
        ["Snare", "Flute", "Harp"],
        {"answer": [0]},
        200,
        20,
        ["music", "instruments"],
    )
    assert (france.mystery, france.key, france.tags) == (True, {"answer": ["Paris", "Paris|France"]}, ["geo", "europe"])
    assert (strings.prompt, strings.key, strings.tags) == (
        "How many strings, on a violin?",
        {"answer": 4.0, "tolerance": 0.5},
        [],
    )
    assert (rome.content, rome.tags) == ({"max_length": 300}, ["a|b"])


def test_csv_can_be_sent_as_the_raw_body_without_a_tags_column() -> None:
    client = _host()
    csv_text = "type,prompt,choices,answer,tolerance,points,difficulty,mystery,time_limit_s\ntext,Say hi,,hi,,,,,\n"

    response = client.post("/api/v1/bank/import", data=csv_text, content_type="text/csv")

    (only,) = _created(response)
    assert BankQuestion.objects.get(pk=only).tags == []


# --- All or nothing, every problem with its line ----------------------------------------


def test_json_with_several_bad_questions_lists_each_with_its_line_and_creates_nothing() -> None:
    client = _host()
    text = """{
  "questions": [
    {"type": "choice", "prompt": "Fine", "choices": ["a", "b"], "answer": [0], "tags": ["ok"]},
    {"type": "choice", "prompt": "P", "choices": ["a", "b"], "answer": [5]},
    {
      "type": "numeric",
      "prompt": "N",
      "answer": "many",
      "tags": "not a list"
    },
    {"type": "essay", "prompt": "E", "tags": ["LONG_TAG"]},
    {"type": "essay", "prompt": "E", "tags": MANY_TAGS},
    {"type": "essay", "prompt": "E", "answr": "typo"},
    "not a question",
    {"type": "essay", "prompt": "Fine too"}
  ]
}""".replace("LONG_TAG", "x" * 41).replace("MANY_TAGS", json.dumps([f"t{i}" for i in range(21)]))
    before = BankQuestion.objects.count()

    response = _upload(client, "bad.json", text)

    problems = _problems(response)
    assert [(p["line"], p["path"], sorted(p["errors"])) for p in problems] == [
        (4, "questions[1]", ["answer"]),
        (5, "questions[2]", ["answer", "tags"]),
        (11, "questions[3]", ["tags"]),
        (12, "questions[4]", ["tags"]),
        (13, "questions[5]", ["answr"]),
        (14, "questions[6]", ["non_field_errors"]),
    ]
    assert problems[0]["errors"] == {"answer": ["Indexes must be below 2."]}
    assert problems[2]["errors"] == {"tags": {"0": ["Ensure this field has no more than 40 characters."]}}
    assert "6 problems" in response.json()["detail"]
    assert BankQuestion.objects.count() == before


def test_csv_with_several_bad_rows_lists_each_with_its_line_and_creates_nothing() -> None:
    client = _host()
    csv_text = "\n".join(
        [
            HEADER,
            "text,Fine,,x,,,,,,ok",  # line 2
            'choice,"Pick',  # a quoted prompt over two lines: lines 3-4
            'one",A|B,7,,,,,,',
            "",
            "numeric,N,,lots,,,,,,",  # line 6
            "essay,Too many cells,,,,,,,,,extra",  # line 7
            f"essay,Long tag,,,,,,,,ok|{'x' * 41}",  # line 8
            f"essay,Many tags,,,,,,,,{'|'.join(f't{i}' for i in range(21))}",  # line 9
            "code,Write code,,,,,,,,",  # line 10
            "riddle,Unknown type,,,,,,,,",  # line 11
            "essay,Fine too,,,,,,,,",  # line 12
        ]
    )
    before = BankQuestion.objects.count()

    response = _upload(client, "bad.csv", csv_text)

    problems = _problems(response)
    assert [(p["line"], p["path"], sorted(p["errors"])) for p in problems] == [
        (3, "questions[1]", ["answer"]),
        (6, "questions[2]", ["answer"]),
        (7, "questions[3]", ["non_field_errors"]),
        (8, "questions[4]", ["tags"]),
        (9, "questions[5]", ["tags"]),
        (10, "questions[6]", ["type"]),
        (11, "questions[7]", ["type"]),
    ]
    assert problems[3]["errors"] == {"tags": {"1": ["Ensure this field has no more than 40 characters."]}}
    assert BankQuestion.objects.count() == before


def test_csv_row_of_type_code_is_an_error_naming_its_line() -> None:
    client = _host()
    csv_text = f"{HEADER}\ntext,Fine,,x,,,,,,\ncode,Add two numbers,,,,,,,,code\n"

    response = _upload(client, "code.csv", csv_text)

    (only,) = _problems(response)
    assert (only["line"], only["path"]) == (3, "questions[1]")
    assert only["errors"] == {
        "type": ["Code questions need test cases, which CSV cannot hold; import them from a JSON file."]
    }
    assert BankQuestion.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "line", "says"),
    [
        ("broken.json", '{"questions": [\n  {"type": "essay",,}\n]}', 2, "not valid JSON"),
        ("rounds.json", '{"rounds": []}', 1, '{"questions": [...]}'),
        ("extra.json", '{"questions": [], "rounds": []}', 1, 'Unknown top-level field "rounds"'),
        ("latin1.csv", f"{HEADER}\ntext,Caf\xe9,,x,,,,,,\n".encode("latin-1"), 2, "UTF-8"),
        ("contest.csv", f"round,kind,{HEADER}\nR,pool,text,P,,x,,,,,,\n", 1, "Unknown columns round, kind"),
        ("header.csv", "type,prompt\ntext,P\n", 1, "lacks the columns choices"),
        ("empty.csv", "\n\n", None, "empty"),
        ("header-only.csv", HEADER + "\n", None, "no questions"),
        ("empty.json", '{"questions": []}', None, "no questions"),
    ],
)
def test_a_broken_file_is_one_clear_problem(name: str, content: str | bytes, line: int | None, says: str) -> None:
    client = _host()

    response = _upload(client, name, content)

    (only,) = _problems(response)
    assert only["line"] == line
    assert says in only["errors"]["file"][0]
    assert BankQuestion.objects.count() == 0


def test_a_file_with_over_2000_questions_is_refused() -> None:
    client = _host()
    csv_text = HEADER + "\n" + "text,Q,,x,,,,,,\n" * (importing.MAX_IMPORT_QUESTIONS + 1)

    response = _upload(client, "many.csv", csv_text)

    (only,) = _problems(response)
    assert "2001 questions" in only["errors"]["file"][0]
    assert BankQuestion.objects.count() == 0


# --- Export, the round trip, and whose bank ---------------------------------------------


def test_json_export_then_import_gives_equal_questions_in_the_same_order() -> None:
    client = _host()
    _created(_upload(client, "bank.json", _json_file([*QUESTIONS, CODE_QUESTION])))
    exported = _export_json(client)
    other = _host()

    _created(_upload(other, "export.json", json.dumps(exported)))

    assert _export_json(other) == exported
    assert [q["prompt"] for q in exported["questions"]] == [q["prompt"] for q in [*QUESTIONS, CODE_QUESTION]]
    assert exported["questions"][0]["tags"] == ["music", "a|b", 'quoted "tag"']
    assert "id" not in exported["questions"][0]


def test_csv_export_then_import_gives_equal_questions() -> None:
    client = _host()
    _created(_upload(client, "bank.json", _json_file(QUESTIONS)))

    response = client.get("/api/v1/bank/export.csv", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="question-bank.csv"'
    assert response.content.decode("utf-8-sig").splitlines()[0] == (
        "type,prompt,choices,answer,tolerance,points,difficulty,mystery,time_limit_s,multiple,max_length,tags"
    )
    other = _host()
    _created(_upload(other, "export.csv", response.content))
    assert _export_json(other) == _export_json(client)


def test_json_export_is_an_attachment_in_the_import_format() -> None:
    client = _host()
    _created(_upload(client, "one.json", _json_file([{"type": "essay", "prompt": "Why?", "tags": ["t"]}])))

    response = client.get("/api/v1/bank/export.json")

    assert response["Content-Disposition"] == 'attachment; filename="question-bank.json"'
    assert response.json() == {
        "questions": [
            {
                "type": "essay",
                "prompt": "Why?",
                "points": 100,
                "difficulty": "medium",
                "mystery": False,
                "max_length": 5000,
                "tags": ["t"],
            }
        ]
    }


def test_csv_export_refuses_a_bank_with_code_questions() -> None:
    client = _host()
    _created(_upload(client, "bank.json", _json_file([QUESTIONS[0], CODE_QUESTION])))

    response = client.get("/api/v1/bank/export.csv")

    assert (response.status_code, response.json()["code"]) == (409, "export_needs_json")
    assert "“Add two numbers”" in response.json()["detail"]


def test_each_quizmaster_imports_into_and_exports_only_their_own_bank() -> None:
    alice, bob = _host(), _host()
    alice_ids = _created(_upload(alice, "a.json", _json_file([{"type": "essay", "prompt": "Alice's"}])))
    bob_ids = _created(_upload(bob, "b.csv", f"{HEADER}\nessay,Bob's,,,,,,,,bob\n"))

    assert [q["prompt"] for q in _export_json(alice)["questions"]] == ["Alice's"]
    assert [q["prompt"] for q in _export_json(bob)["questions"]] == ["Bob's"]
    assert "Alice's" not in bob.get("/api/v1/bank/export.csv").content.decode()
    assert [q["id"] for q in alice.get("/api/v1/bank").json()] == alice_ids
    assert [q["id"] for q in bob.get("/api/v1/bank").json()] == bob_ids
    assert BankQuestion.objects.get(pk=alice_ids[0]).owner != BankQuestion.objects.get(pk=bob_ids[0]).owner
