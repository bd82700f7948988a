"""Contest import and export: JSON and CSV, all or nothing, every bad row with its line."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rooms import importing
from rooms.importing.csv_common import values_join, values_split
from rooms.importing.json_common import JsonPositions
from rooms.models import Contest, ContestEvent, Question, Round

from ..factories import UserFactory, contest_make, host_client, pool_round

pytestmark = pytest.mark.django_db

HEADER = "round,kind,type,prompt,choices,answer,tolerance,points,difficulty,mystery,time_limit_s"

# Every question type and round setting, with the characters CSV and `|` lists must survive.
ROUNDS: list[dict[str, Any]] = [
    {
        "kind": "live",
        "title": 'Warm-up, "quoted"',
        "questions": [
            {
                "type": "choice",
                "prompt": "Line one\nline two, with a comma",
                "choices": ["A|B", "C\\D", "E\\"],
                "answer": [0, 2],
                "points": 150,
                "difficulty": "hard",
                "time_limit_s": 30,
            },
            {"type": "choice", "prompt": "Any that apply", "choices": ["x", "y"], "answer": [1], "multiple": True},
            {"type": "numeric", "prompt": "Pi?", "answer": 3.14159, "tolerance": 0.001},
            {"type": "numeric", "prompt": "Below zero", "answer": -40},
            {"type": "text", "prompt": "Capital of France", "answer": ["Paris", "Paris, France", "a|b"]},
            {"type": "essay", "prompt": "Why?", "points": 50, "max_length": 300},
        ],
    },
    {
        "kind": "pool",
        "title": "Pool",
        "exclusive": False,
        "claim_limit": None,
        "mystery_boxes": [
            {"difficulty": "hard", "cost": 100, "reward": 300},
            {"difficulty": "easy", "cost": 10, "reward": 40},
        ],
        "questions": [
            {"type": "text", "prompt": "=starts like a formula", "answer": "x", "mystery": True, "difficulty": "easy"},
            {"type": "choice", "prompt": "Plain", "choices": ["1", "2", "3"], "answer": [2]},
        ],
    },
    {"kind": "pool", "title": "Filled in later", "claim_limit": 3},
]

CODE_ROUND = {
    "kind": "pool",
    "title": "Code",
    "questions": [
        {
            "type": "code",
            "prompt": "Add two numbers",
            "languages": ["python", "c"],
            "tests": [{"input": "1 2\n", "output": "3\n", "sample": True}, {"input": "2 2\n", "output": "4\n"}],
            "points": 300,
        }
    ],
}


def _counts() -> tuple[int, int, int]:
    return Round.objects.count(), Question.objects.count(), ContestEvent.objects.count()


def _host_and_contest(**kwargs: Any) -> tuple[Any, Contest]:
    user = UserFactory()
    return host_client(user), contest_make(owner=user, **kwargs)


def _upload(client: Any, contest: Contest, name: str, content: bytes | str, content_type: str = "") -> Any:
    data = content.encode() if isinstance(content, str) else content
    upload = SimpleUploadedFile(name, data, content_type=content_type or "application/octet-stream")
    return client.post(f"/api/v1/contests/{contest.pk}/import", {"file": upload}, format="multipart")


def _json_file(rounds: list[dict[str, Any]]) -> str:
    return json.dumps({"rounds": rounds}, indent=2)


def _problems(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    assert response.status_code == 400, body
    assert body["code"] == "invalid_import", body
    return list(body["fields"]["errors"])


def _export_json(client: Any, contest: Contest) -> dict[str, Any]:
    response = client.get(f"/api/v1/contests/{contest.pk}/export.json")
    assert response.status_code == 200, response.content
    return dict(response.json())


# --- Happy paths ------------------------------------------------------------------------


def test_json_file_import_creates_every_round_and_question() -> None:
    client, contest = _host_and_contest(status="draft")
    pool_round(contest, questions=1, active=False, title="Already there")

    response = _upload(client, contest, "night.json", _json_file([*ROUNDS, CODE_ROUND]))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["questions"] == 9
    assert [(r["title"], r["position"], r["question_count"]) for r in body["rounds"]] == [
        ('Warm-up, "quoted"', 2, 6),
        ("Pool", 3, 2),
        ("Filled in later", 4, 0),
        ("Code", 5, 1),
    ]
    pool = Round.objects.get(contest=contest, title="Pool")
    assert (pool.exclusive, pool.claim_limit) == (False, None)
    assert sorted(pool.mystery_boxes.values_list("difficulty", "cost", "reward")) == [
        ("easy", 10, 40),
        ("hard", 100, 300),
    ]
    mystery = pool.questions.get(position=1)
    assert (mystery.mystery, mystery.key) == (True, {"answer": ["x"]})
    code = Question.objects.get(round__contest=contest, type="code")
    assert code.content["samples"] == [{"input": "1 2\n", "output": "3\n"}]


def test_json_can_be_sent_as_the_raw_body() -> None:
    client, contest = _host_and_contest()

    response = client.post(
        f"/api/v1/contests/{contest.pk}/import", data=_json_file(ROUNDS[:1]), content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["questions"] == 6


def test_csv_import_groups_rows_into_rounds_by_title() -> None:
    client, contest = _host_and_contest(status="draft")
    csv_text = "\ufeff" + "\r\n".join(  # Excel's "CSV UTF-8" starts with a byte order mark
        [
            HEADER + ",claim_limit,mystery_boxes",
            "Music,live,choice,Which is a drum?,Snare|Flute|Harp,0,,200,easy,,20,,",
            "Capitals,pool,text,Capital of France?,,Paris|Paris\\|France,,,,true,,unlimited,easy:10:50",
            'Music,,numeric,"How many strings, on a violin?",,4,0.5,,,,,,',
            "Capitals,pool,essay,Describe Rome,,,,50,hard,,,,",
            "Empty,pool,,,,,,,,,,,",
        ]
    )

    response = _upload(client, contest, "quiz.CSV", csv_text)

    assert response.status_code == 201, response.json()
    assert response.json()["questions"] == 4
    music, capitals, empty = Round.objects.filter(contest=contest).order_by("position")
    assert (music.title, music.kind, capitals.kind, capitals.claim_limit) == ("Music", "live", "pool", None)
    assert list(capitals.mystery_boxes.values_list("difficulty", "cost", "reward")) == [("easy", 10, 50)]
    assert empty.questions.count() == 0
    drum, strings = music.questions.order_by("position")
    assert (drum.content["choices"], drum.key, drum.points, drum.time_limit_s) == (
        ["Snare", "Flute", "Harp"],
        {"answer": [0]},
        200,
        20,
    )
    assert (strings.prompt, strings.key) == ("How many strings, on a violin?", {"answer": 4.0, "tolerance": 0.5})
    france, rome = capitals.questions.order_by("position")
    assert (france.mystery, france.key) == (True, {"answer": ["Paris", "Paris|France"]})
    assert (rome.type, rome.points, rome.difficulty) == ("essay", 50, "hard")


def test_csv_can_be_sent_as_the_raw_body() -> None:
    client, contest = _host_and_contest()
    csv_text = f"{HEADER}\nR,pool,text,Say hi,,hi,,,,,\n"

    response = client.post(f"/api/v1/contests/{contest.pk}/import", data=csv_text, content_type="text/csv")

    assert response.status_code == 201, response.json()
    assert response.json()["questions"] == 1


# --- All or nothing, every problem with its line ----------------------------------------


def test_json_with_several_bad_items_lists_each_with_its_line_and_creates_nothing() -> None:
    client, contest = _host_and_contest()
    pool_round(contest, questions=2, active=False)
    text = """{
  "rounds": [
    {"kind": "pool", "title": "Fine so far",
     "questions": [
        {"type": "choice", "prompt": "P", "choices": ["a", "b"], "answer": [0]},
        {"type": "choice", "prompt": "{not a question start}", "choices": ["a", "b"], "answer": [5]},
        {
          "type": "numeric",
          "prompt": "N",
          "answer": "many"
        }
     ]},
    {"kind": "live", "title": "", "exclusiv": true, "questions": [
      {"type": "essay", "prompt": "E", "mystery": true}]},
    {"kind": "live", "title": "Boxes", "mystery_boxes": [{"difficulty": "easy", "cost": 1, "reward": 2}]},
    "not a round"
  ]
}"""
    before = _counts()

    response = _upload(client, contest, "bad.json", text)

    assert [(p["line"], p["path"]) for p in _problems(response)] == [
        (6, "rounds[0].questions[1]"),
        (7, "rounds[0].questions[2]"),
        (13, "rounds[1]"),
        (14, "rounds[1].questions[0]"),
        (15, "rounds[2]"),
        (16, "rounds[3]"),
    ]
    problems = _problems(response)
    assert problems[0]["errors"] == {"answer": ["Indexes must be below 2."]}
    assert set(problems[2]["errors"]) == {"title", "exclusiv"}
    assert set(problems[3]["errors"]) == {"mystery"}
    assert set(problems[4]["errors"]) == {"mystery_boxes"}
    assert "6 problems" in response.json()["detail"]
    assert _counts() == before


def test_csv_with_several_bad_rows_lists_each_with_its_line_and_creates_nothing() -> None:
    client, contest = _host_and_contest()
    pool_round(contest, questions=2, active=False)
    csv_text = "\n".join(
        [
            HEADER,
            'R1,live,choice,"Pick',  # a quoted prompt over two lines: lines 2-3
            'one",A|B,0,,,,,',
            "R1,live,choice,Bad index,A|B,7,,,,,",  # line 4
            "",
            'R2,pool,numeric,"N',  # lines 6-8
            "",
            'more",,lots,,,,,',
            "R2,live,text,Wrong kind,,x,,,,,",  # line 9
            "R3,live,text,Mystery live,,x,,,,true,",  # line 10
            "R1,,code,Write code,,,,,,,",  # line 11
            ",pool,text,No round,,x,,,,,",  # line 12
            "R4,,text,No kind,,x,,,,,",  # line 13
        ]
    )
    before = _counts()

    response = _upload(client, contest, "bad.csv", csv_text)

    problems = _problems(response)
    assert [(p["line"], sorted(p["errors"])) for p in problems] == [
        (4, ["answer"]),
        (6, ["answer"]),
        (9, ["kind"]),
        (10, ["mystery"]),
        (11, ["type"]),
        (12, ["round"]),
        (13, ["kind"]),
    ]
    assert "line 6" in problems[2]["errors"]["kind"][0]
    assert "JSON" in problems[4]["errors"]["type"][0]
    assert _counts() == before


def test_quoted_multiline_cells_keep_line_numbers_right() -> None:
    client, contest = _host_and_contest()
    csv_text = "\r\n".join(
        [
            HEADER,
            'R,pool,text,"A prompt\r\nover\r\nthree lines",,x,,,,,',  # lines 2-4
            'R,pool,choice,"Two\nlines",A|B,9,,,,,',  # lines 5-6 (a bare \n inside quotes is a line too)
            'R,pool,text,"""Quoted"", then one bad cell",,x,,lots,,,',  # line 7
        ]
    )

    response = _upload(client, contest, "multi.csv", csv_text)

    assert [(p["line"], p["path"]) for p in _problems(response)] == [
        (5, "rounds[0].questions[1]"),
        (7, "rounds[0].questions[2]"),
    ]


def test_csv_row_of_type_code_is_an_error_naming_its_line() -> None:
    client, contest = _host_and_contest()
    csv_text = f"{HEADER}\nR,pool,text,Fine,,x,,,,,\nR,pool,code,Add two numbers,,,,,,,\n"

    response = _upload(client, contest, "code.csv", csv_text)

    (only,) = _problems(response)
    assert only["line"] == 3
    assert only["errors"] == {
        "type": ["Code questions need test cases, which CSV cannot hold; import them from a JSON file."]
    }
    assert response.json()["detail"].startswith("The file has 1 problem; nothing was imported. The first, on line 3")


@pytest.mark.parametrize(
    ("name", "content", "line", "says"),
    [
        ("broken.json", '{"rounds": [\n  {"kind": "live",,}\n]}', 2, "not valid JSON"),
        ("list.json", "[]", 1, '{"rounds": [...]}'),
        ("latin1.csv", f"{HEADER}\nR,pool,text,Caf\xe9,,x,,,,,\n".encode("latin-1"), 2, "UTF-8"),
        ("header.csv", "round;kind;type\nR;live;text\n", 1, "commas"),
        ("header.csv", "round,kind,type,prompt\nR,live,text,P\n", 1, "lacks the columns choices"),
        ("quote.csv", f'{HEADER}\nR,pool,text,"never closed,,x,,,,,\n', 2, "never closed"),
        ("empty.csv", "\n\n", None, "empty"),
        ("empty.json", '{"rounds": []}', None, "no rounds"),
    ],
)
def test_a_broken_file_is_one_clear_problem(name: str, content: str | bytes, line: int | None, says: str) -> None:
    client, contest = _host_and_contest()

    response = _upload(client, contest, name, content)

    (only,) = _problems(response)
    assert only["line"] == line
    assert says in only["errors"]["file"][0]
    assert says in response.json()["detail"]


def test_a_lone_surrogate_in_a_field_name_is_reported_escaped() -> None:
    client, contest = _host_and_contest()
    text = '{"rounds": [{"kind": "live", "title": "T", "questions": [{"type": "essay", "prompt": "x", "\\ud800": 1}]}]}'

    response = _upload(client, contest, "odd.json", text)

    assert _problems(response)[0]["errors"] == {"\\ud800": ["Unknown field."]}


def test_trailing_empty_cells_from_a_spreadsheet_are_ignored() -> None:
    client, contest = _host_and_contest()
    csv_text = f"{HEADER},,\nR,pool,text,Say hi,,hi,,,,,,,\n"

    response = _upload(client, contest, "sheet.csv", csv_text)

    assert response.status_code == 201, response.json()


# --- Limits and refusals ----------------------------------------------------------------


def test_a_file_over_one_mib_is_refused() -> None:
    client, contest = _host_and_contest()
    text = _json_file([{"kind": "live", "title": "Big", "questions": []}])
    oversize = text.encode() + b" " * (importing.MAX_IMPORT_BYTES + 1 - len(text))
    before = _counts()

    for response in (
        _upload(client, contest, "big.json", oversize),
        client.post(f"/api/v1/contests/{contest.pk}/import", data=oversize, content_type="application/json"),
    ):
        (only,) = _problems(response)
        assert "larger than 1 MiB" in only["errors"]["file"][0]
    assert _counts() == before


def test_a_file_with_over_2000_questions_is_refused() -> None:
    client, contest = _host_and_contest()
    csv_text = HEADER + "\n" + "R,pool,text,Q,,x,,,,,\n" * (importing.MAX_IMPORT_QUESTIONS + 1)

    response = _upload(client, contest, "many.csv", csv_text)

    (only,) = _problems(response)
    assert "2001 questions" in only["errors"]["file"][0]
    assert Round.objects.filter(contest=contest).count() == 0


def test_a_finished_contest_takes_no_import() -> None:
    client, contest = _host_and_contest(status="finished")

    response = _upload(client, contest, "night.json", _json_file(ROUNDS))

    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


def test_an_unknown_file_type_is_refused() -> None:
    client, contest = _host_and_contest()

    response = _upload(client, contest, "night.xlsx", b"PK\x03\x04")

    assert "*.json or *.csv" in _problems(response)[0]["errors"]["file"][0]


def test_another_quizmasters_contest_is_not_found() -> None:
    _, contest = _host_and_contest()
    stranger = host_client(UserFactory())
    before = _counts()

    responses = [
        _upload(stranger, contest, "night.json", _json_file(ROUNDS)),
        stranger.get(f"/api/v1/contests/{contest.pk}/export.json"),
        stranger.get(f"/api/v1/contests/{contest.pk}/export.csv"),
    ]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(404, "not_found")] * 3
    assert _counts() == before


# --- Export, and the round trip ---------------------------------------------------------


def test_json_export_then_import_gives_equal_definitions() -> None:
    client, source = _host_and_contest(status="draft")
    assert _upload(client, source, "night.json", _json_file([*ROUNDS, CODE_ROUND])).status_code == 201
    exported = _export_json(client, source)
    target = contest_make(owner=source.owner, status="lobby")

    response = _upload(client, target, "export.json", json.dumps(exported))

    assert response.status_code == 201, response.json()
    assert _export_json(client, target) == exported
    assert exported["rounds"][1]["mystery_boxes"] == [  # in difficulty order
        {"difficulty": "easy", "cost": 10, "reward": 40},
        {"difficulty": "hard", "cost": 100, "reward": 300},
    ]


def test_csv_export_then_import_gives_equal_definitions() -> None:
    client, source = _host_and_contest(status="draft")
    assert _upload(client, source, "night.json", _json_file(ROUNDS)).status_code == 201

    response = client.get(f"/api/v1/contests/{source.pk}/export.csv", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="contest-{source.code}.csv"'
    target = contest_make(owner=source.owner, status="draft")
    imported = _upload(client, target, "export.csv", response.content)
    assert imported.status_code == 201, imported.json()
    assert _export_json(client, target) == _export_json(client, source)


def test_csv_export_refuses_a_contest_with_code_questions() -> None:
    client, contest = _host_and_contest(status="draft")
    assert _upload(client, contest, "night.json", _json_file([ROUNDS[0], CODE_ROUND])).status_code == 201

    response = client.get(f"/api/v1/contests/{contest.pk}/export.csv")

    assert (response.status_code, response.json()["code"]) == (409, "export_needs_json")
    assert "Round 2 (“Code”) has code questions" in response.json()["detail"]


def test_csv_export_refuses_two_rounds_with_one_title() -> None:
    client, contest = _host_and_contest(status="draft")
    twins = [copy.deepcopy(ROUNDS[2]), copy.deepcopy(ROUNDS[2])]
    assert _upload(client, contest, "twins.json", _json_file(twins)).status_code == 201

    response = client.get(f"/api/v1/contests/{contest.pk}/export.csv")

    assert (response.status_code, response.json()["code"]) == (409, "export_needs_json")


def test_json_export_is_an_attachment_in_the_import_format() -> None:
    client, contest = _host_and_contest(status="draft")
    pool_round(contest, questions=1, active=False, title="Only")

    response = client.get(f"/api/v1/contests/{contest.pk}/export.json")

    assert response["Content-Disposition"] == f'attachment; filename="contest-{contest.code}.json"'
    assert response.json() == {
        "rounds": [
            {
                "kind": "pool",
                "title": "Only",
                "exclusive": True,
                "claim_limit": 1,
                "mystery_boxes": [],
                "questions": [
                    {
                        "type": "choice",
                        "prompt": "Question 0",
                        "points": 100,
                        "difficulty": "medium",
                        "mystery": False,
                        "choices": ["A", "B", "C"],
                        "multiple": False,
                        "answer": [1],
                    }
                ],
            }
        ]
    }


# --- The pieces -------------------------------------------------------------------------


def test_json_positions_find_objects_however_the_text_is_laid_out() -> None:
    text = (
        '{"title": "{\\"rounds\\": [", "rounds": [{"questions": [{"a": "[{"}, \n'
        ' {"b": {"questions": [1, 2]}}]},\n'
        "\n"
        '  {"kind": "live"}, 7, {"questions": "no"}, {"questions": [\n'
        "   {}]}]}"
    )
    positions = JsonPositions(text, ("rounds", "questions"))

    assert [positions.line(i) for i in range(6)] == [1, 4, 4, 4, 4, None]
    assert [positions.line(0, 0), positions.line(0, 1), positions.line(4, 0)] == [1, 2, 5]
    assert positions.line(2, 0) is None


@pytest.mark.parametrize("values", [["a", "b"], ["a|b", "c"], ["back\\slash", "end\\"], ["", "x"], ["\\|"]])
def test_pipe_lists_survive_join_and_split(values: list[str]) -> None:
    assert values_split(values_join(values)) == values
