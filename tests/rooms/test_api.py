"""Quizmaster API: auth, contest lifecycle, rounds, questions, bank, public contest data."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from rooms.api import LoginThrottle
from rooms.models import Contest, ContestEvent, ContestStatus, Question
from rooms.services import CONTEST_TRANSITIONS

from ..factories import PASSWORD, choice_question, contest_make, host_client, pool_round, user_make

pytestmark = pytest.mark.django_db


def test_a_quizmaster_exchanges_a_password_for_a_token_that_works() -> None:
    user = user_make()
    response = APIClient().post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/contests").status_code == 200
    wrong = APIClient().post("/api/v1/auth/token", {"username": user.username, "password": "nope"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"


def test_host_tokens_are_stored_hashed() -> None:
    user = user_make()
    token = (
        APIClient()
        .post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD}, format="json")
        .json()["token"]
    )
    stored = user.host_tokens.get().key_hash
    assert token not in stored and len(stored) == 64


def test_creating_a_contest_gives_a_draft_with_a_join_code_and_default_settings() -> None:
    client = host_client(user_make())
    response = client.post(
        "/api/v1/contests", {"title": "Friday quiz", "settings": {"starting_points": 200}}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", body["code"])
    assert body["status"] == "draft"
    assert body["settings"]["starting_points"] == 200
    assert body["settings"]["wrong_answer_penalty"] == 0


def test_the_lifecycle_runs_draft_lobby_running_paused_running_finished() -> None:
    user = user_make()
    client = host_client(user)
    contest_id = client.post("/api/v1/contests", {"title": "Q"}, format="json").json()["id"]
    for action, status in [
        ("open", "lobby"),
        ("start", "running"),
        ("pause", "paused"),
        ("resume", "running"),
        ("finish", "finished"),
    ]:
        response = client.post(f"/api/v1/contests/{contest_id}/{action}")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == status
    statuses = [e.payload["status"] for e in ContestEvent.objects.filter(contest_id=contest_id, type="contest.status")]
    assert statuses == ["lobby", "running", "paused", "running", "finished"]


REFUSED = [
    (status, action)
    for status in ContestStatus.values
    for action, (sources, _) in sorted(CONTEST_TRANSITIONS.items())
    if status not in sources
]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_every_transition_not_in_the_table_is_refused_and_changes_nothing(status: str, action: str) -> None:
    contest = contest_make(status=status)
    seq = contest.last_seq
    response = host_client(contest.owner).post(f"/api/v1/contests/{contest.pk}/{action}")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    contest.refresh_from_db()
    assert (contest.status, contest.last_seq) == (status, seq)


def test_an_unknown_action_is_an_invalid_transition() -> None:
    contest = contest_make(status="draft")
    response = host_client(contest.owner).post(f"/api/v1/contests/{contest.pk}/explode")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_patch_merges_settings_and_a_running_contest_cannot_be_deleted() -> None:
    contest = contest_make()
    client = host_client(contest.owner)
    response = client.patch(f"/api/v1/contests/{contest.pk}", {"settings": {"wrong_answer_penalty": 25}}, format="json")
    assert response.json()["settings"]["wrong_answer_penalty"] == 25
    assert response.json()["settings"]["starting_points"] == 1000
    refused = client.delete(f"/api/v1/contests/{contest.pk}")
    assert refused.status_code == 409 and refused.json()["code"] == "contest_in_progress"
    draft = contest_make(owner=contest.owner, status="draft")
    assert client.delete(f"/api/v1/contests/{draft.pk}").status_code == 204
    assert not Contest.objects.filter(pk=draft.pk).exists()


def test_rounds_are_numbered_and_mystery_boxes_belong_to_pool_rounds() -> None:
    contest = contest_make(status="draft")
    client = host_client(contest.owner)
    pool = client.post(
        f"/api/v1/contests/{contest.pk}/rounds",
        {"kind": "pool", "title": "Pool", "mystery_boxes": [{"difficulty": "hard", "cost": 100, "reward": 400}]},
        format="json",
    )
    assert pool.status_code == 201 and pool.json()["position"] == 1
    assert pool.json()["mystery_boxes"] == [{"difficulty": "hard", "cost": 100, "reward": 400}]
    live = client.post(
        f"/api/v1/contests/{contest.pk}/rounds",
        {"kind": "live", "title": "Live", "mystery_boxes": [{"difficulty": "easy", "cost": 1, "reward": 2}]},
        format="json",
    )
    assert live.status_code == 409 and live.json()["code"] == "wrong_round_kind"
    second = client.post(f"/api/v1/contests/{contest.pk}/rounds", {"kind": "live", "title": "Live"}, format="json")
    assert second.json()["position"] == 2


def test_a_round_starts_once_and_ends_once() -> None:
    contest = contest_make()
    round_ = pool_round(contest, active=False)
    client = host_client(contest.owner)
    assert client.post(f"/api/v1/rounds/{round_.pk}/start").json()["status"] == "active"
    assert client.post(f"/api/v1/rounds/{round_.pk}/start").json()["code"] == "invalid_transition"
    assert client.post(f"/api/v1/rounds/{round_.pk}/end").json()["status"] == "closed"


QUESTIONS = [
    choice_question(),
    {"type": "choice", "prompt": "Primes?", "choices": ["2", "4", "5"], "answer": [0, 2], "points": 50},
    {"type": "numeric", "prompt": "Pi?", "answer": 3.14, "tolerance": 0.01},
    {"type": "text", "prompt": "Capital of France?", "answer": ["Paris", "Paris, France"]},
    {
        "type": "code",
        "prompt": "Add",
        "languages": ["python", "c"],
        "tests": [{"input": "1 2\n", "output": "3\n", "sample": True}, {"input": "2 2\n", "output": "4\n"}],
    },
    {"type": "essay", "prompt": "Why?", "points": 50},
]


def test_questions_of_every_type_are_added_in_one_request_and_read_back_with_answers() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=[], active=False)
    client = host_client(contest.owner)
    response = client.post(f"/api/v1/rounds/{round_.pk}/questions", QUESTIONS, format="json")
    assert response.status_code == 201, response.json()
    listed = client.get(f"/api/v1/rounds/{round_.pk}/questions").json()
    assert [q["position"] for q in listed] == [1, 2, 3, 4, 5, 6]
    assert listed[1]["answer"] == [0, 2] and listed[1]["multiple"] is True
    assert listed[4]["tests"][1] == {"input": "2 2\n", "output": "4\n", "weight": 1, "sample": False}
    code = Question.objects.get(round=round_, type="code")
    assert code.content["samples"] == [{"input": "1 2\n", "output": "3\n"}]


def test_one_bad_question_in_a_batch_rejects_the_batch_and_names_it() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=[], active=False)
    bad = {"type": "choice", "prompt": "?", "choices": ["a", "b"], "answer": [5]}
    response = host_client(contest.owner).post(
        f"/api/v1/rounds/{round_.pk}/questions", [QUESTIONS[0], bad], format="json"
    )
    assert response.status_code == 400
    assert "answer" in response.json()["fields"]["1"]
    assert not Question.objects.filter(round=round_).exists()


def test_bank_questions_are_copied_into_rounds() -> None:
    contest = contest_make()
    client = host_client(contest.owner)
    bank = client.post("/api/v1/bank", {**QUESTIONS[3], "tags": ["geo"]}, format="json")
    assert bank.status_code == 201
    round_ = pool_round(contest, questions=[], active=False)
    added = client.post(f"/api/v1/rounds/{round_.pk}/questions", [{"bank_question": bank.json()["id"]}], format="json")
    assert added.status_code == 201
    question = Question.objects.get(round=round_)
    assert question.key == {"answer": ["Paris", "Paris, France"]} and question.source_id == bank.json()["id"]
    other = host_client(user_make())
    stolen = other.post(f"/api/v1/rounds/{round_.pk}/questions", [{"bank_question": bank.json()["id"]}], format="json")
    assert stolen.status_code == 404


@pytest.mark.parametrize("shape", ["{}", "{}".lower(), "{}".replace("-", ""), " {} "])
def test_the_public_page_accepts_the_code_as_people_type_it(shape: str) -> None:
    contest = contest_make()
    code = shape.format(contest.display_code)
    response = APIClient().get(f"/api/v1/public/{code.strip()}")
    assert response.status_code == 200
    assert response.json()["join"]["code"] == contest.display_code


def test_event_sequence_numbers_are_gapless_per_contest() -> None:
    first, second = contest_make(), contest_make()
    pool_round(first)
    pool_round(second)
    for contest in (first, second):
        seqs = list(ContestEvent.objects.filter(contest=contest).values_list("seq", flat=True))
        contest.refresh_from_db()
        assert seqs == list(range(1, contest.last_seq + 1))


def test_password_guessing_is_slowed_per_address(monkeypatch: pytest.MonkeyPatch) -> None:
    # DRF reads the rates into the throttle class when it is imported.
    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {"login": "3/min"})
    user = user_make()
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token", {"username": user.username, "password": f"guess {i}"}, format="json")
        for i in range(4)
    ]
    assert [r.status_code for r in statuses] == [400, 400, 400, 429]
    assert statuses[-1].json()["code"] == "rate_limited" and statuses[-1].has_header("Retry-After")
