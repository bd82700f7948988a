"""Answers scored at once, replays, the leaderboard and its tie-break, adjustments, results."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from rooms.question_types import question_definition_validate
from rooms.services import contest_update as update_contest
from rooms.services import questions_create, round_create, round_transition
from scoring.models import Answer, LedgerReason, ScoreEvent
from teams.models import Team

from ..factories import contest_make, host_client, pool_round, team_client, team_make

pytestmark = pytest.mark.django_db

SINGLE = {"type": "choice", "prompt": "B?", "choices": ["A", "B", "C"], "answer": [1], "points": 100}
MULTI = {"type": "choice", "prompt": "Primes", "choices": ["2", "4", "5"], "answer": [0, 2], "points": 100}
NUMERIC = {"type": "numeric", "prompt": "Pi", "answer": 3.14, "tolerance": 0.01, "points": 100}
TEXT = {"type": "text", "prompt": "Capital of France", "answer": ["Paris", "Ville Lumière"], "points": 100}


def _answer(client: Any, question: int, answer: Any, key: str = "k") -> Any:
    return client.post(
        "/api/v1/me/answers", {"question": question, "answer": answer}, format="json", headers={"Idempotency-Key": key}
    )


def _claim_and_answer(definition: dict, answer: Any, settings: dict | None = None) -> tuple[Any, Team]:
    contest = contest_make(settings=settings or {})
    round_ = pool_round(contest, questions=[definition])
    team = team_make(contest=contest)
    client = team_client(team)
    question = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]["question"]
    return _answer(client, question["id"], answer), team


@pytest.mark.parametrize(
    ("definition", "answer", "correct"),
    [
        (SINGLE, [1], True),
        (SINGLE, [2], False),
        (MULTI, [2, 0], True),
        (MULTI, [0], False),
        (NUMERIC, 3.149, True),
        (NUMERIC, 3.16, False),
        (NUMERIC, 3, False),
        (TEXT, "  paris ", True),
        (TEXT, "ville lumiere", True),
        (TEXT, "PARIS.", True),
        (TEXT, "Lyon", False),
    ],
)
def test_auto_scored_answers_are_scored_in_the_request(definition: dict, answer: Any, correct: bool) -> None:
    response, _team = _claim_and_answer(definition, answer)
    assert response.status_code == 201
    body = response.json()
    assert body["answer"]["correct"] is correct and body["answer"]["status"] == "scored"
    assert body["answer"]["points"] == (100 if correct else 0)
    assert body["score"] == 1000 + body["answer"]["points"] and body["rank"] == 1


def test_a_wrong_answer_costs_the_contests_penalty() -> None:
    response, team = _claim_and_answer(SINGLE, [0], settings={"wrong_answer_penalty": 30})
    assert response.json()["answer"]["points"] == -30 and response.json()["score"] == 970
    assert ScoreEvent.objects.get(team=team, reason=LedgerReason.WRONG_ANSWER).points == -30


@pytest.mark.parametrize(
    ("definition", "answer"),
    [
        ({"type": "essay", "prompt": "Why?"}, "Because."),
        (
            {"type": "code", "prompt": "Add", "languages": ["python"], "tests": [{"input": "1 2", "output": "3"}]},
            {"language": "python", "source": "print(3)"},
        ),
    ],
)
def test_essay_and_code_answers_are_accepted_for_scoring_later(definition: dict, answer: Any) -> None:
    response, team = _claim_and_answer(definition, answer)
    assert response.status_code == 202
    assert response.json()["answer"]["status"] == "queued" and response.json()["answer"]["correct"] is None
    assert not ScoreEvent.objects.filter(team=team).exclude(reason=LedgerReason.STARTING_POINTS).exists()


@pytest.mark.parametrize(
    ("definition", "answer"),
    [(SINGLE, [7]), (SINGLE, [0, 1]), (SINGLE, "B"), (NUMERIC, "3.14"), (NUMERIC, True), (TEXT, ""), (TEXT, 42)],
)
def test_an_answer_that_does_not_fit_the_question_is_refused_and_keeps_the_claim(definition: dict, answer: Any) -> None:
    response, team = _claim_and_answer(definition, answer)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_answer")
    assert not Answer.objects.filter(team=team).exists()


def test_a_replayed_key_returns_the_first_response_even_after_the_score_moved() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=2, claim_limit=2)
    team = team_make(contest=contest)
    client = team_client(team)
    first_q = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]["question"]["id"]
    second_q = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]["question"]["id"]
    first = _answer(client, first_q, [1], key="a")
    _answer(client, second_q, [1], key="b")
    replay = _answer(client, first_q, [1], key="a")
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay.json()["score"] == 1100
    reused = _answer(client, second_q, [0], key="a")
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    assert Answer.objects.filter(team=team).count() == 2


def test_answering_needs_a_claim_and_live_questions_need_to_be_open() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1)
    client = team_client(team_make(contest=contest))
    question = round_.questions.get().pk
    assert _answer(client, question, [1]).json()["code"] == "question_not_claimed"
    live = round_create(contest=contest, kind="live", title="Live")
    (live_question,) = questions_create(round_=live, definitions=[question_definition_validate(SINGLE)])
    round_transition(round_=live, action="start")
    refused = _answer(client, live_question.pk, [1], key="live")
    assert (refused.status_code, refused.json()["code"]) == (409, "question_not_open")


def test_a_team_reads_its_own_answers_and_not_another_teams() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1)
    mine, theirs = team_make(contest=contest), team_make(contest=contest)
    client = team_client(mine)
    question = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]["question"]["id"]
    answer_id = _answer(client, question, [1]).json()["answer"]["id"]
    assert client.get(f"/api/v1/me/answers/{answer_id}").json()["correct"] is True
    assert team_client(theirs).get(f"/api/v1/me/answers/{answer_id}").status_code == 404


def test_equal_scores_rank_whoever_reached_the_score_first() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=2)
    early, late, behind = (team_make(contest=contest) for _ in range(3))
    # `late` joined before `early` scores, so only the time of reaching 1100 separates them.
    for team in (early, late):
        client = team_client(team)
        question = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()
        _answer(client, question["claim"]["question"]["id"], [1])
    board = APIClient().get(f"/api/v1/public/{contest.display_code}/leaderboard").json()["teams"]
    assert [(row["id"], row["rank"], row["score"]) for row in board] == [
        (early.pk, 1, 1100),
        (late.pk, 2, 1100),
        (behind.pk, 3, 1000),
    ]
    assert team_client(late).get("/api/v1/me").json()["rank"] == 2


def test_an_adjustment_is_a_ledger_row_with_its_reason_and_author() -> None:
    contest = contest_make()
    team = team_make(contest=contest)
    response = host_client(contest.owner).post(
        f"/api/v1/teams/{team.pk}/adjustments", {"points": -75, "reason": "Used a phone"}, format="json"
    )
    assert response.status_code == 201
    row = ScoreEvent.objects.get(team=team, reason=LedgerReason.ADJUSTMENT)
    assert (row.points, row.note, row.author_id) == (-75, "Used a phone", contest.owner.pk)
    team.refresh_from_db()
    assert team.score == 925


def test_results_csv_lists_standings_with_points_per_round_and_defuses_formulas() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1, title="Pool one")
    winner = team_make(contest=contest, name="=HYPERLINK(evil)")
    team_make(contest=contest, name="Second")
    client = team_client(winner)
    question = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]["question"]
    _answer(client, question["id"], [1])
    response = host_client(contest.owner).get(f"/api/v1/contests/{contest.pk}/results.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode()), "a BOM, so spreadsheets read UTF-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["rank", "team", "status", "score", "Pool one", "other"]
    assert rows[1] == ["1", "'=HYPERLINK(evil)", "active", "1100", "100", "1000"]
    assert rows[2] == ["2", "Second", "active", "1000", "0", "1000"]


def test_during_a_freeze_teams_and_the_audience_see_the_frozen_board_and_hosts_see_it_live() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=2, exclusive=False)
    leader, chaser = team_make(contest=contest), team_make(contest=contest)
    client = team_client(leader)
    question = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]["question"]
    _answer(client, question["id"], [1])
    update_contest(contest=contest, settings={"freeze_at": timezone.now().isoformat()})
    late = team_make(contest=contest, name="Latecomers")

    chaser_client = team_client(chaser)
    question = chaser_client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]
    _answer(chaser_client, question["question"]["id"], [1], key="after")
    second = chaser_client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]
    after_freeze = _answer(chaser_client, second["question"]["id"], [1], key="after-2").json()

    public = APIClient().get(f"/api/v1/public/{contest.code}/leaderboard").json()
    assert public["frozen_at"] is not None
    assert [(r["id"], r["score"]) for r in public["teams"]] == [(leader.pk, 1100), (chaser.pk, 1000), (late.pk, 1000)]
    assert after_freeze["score"] == 1200, "a team sees its own score"
    assert after_freeze["rank"] == 2, "but its rank among the others as of the freeze"
    assert team_client(chaser).get("/api/v1/me").json()["rank"] == 2
    live = host_client(contest.owner).get(f"/api/v1/contests/{contest.pk}/leaderboard").json()
    assert live["frozen_at"] is None
    assert [(r["id"], r["score"]) for r in live["teams"]] == [(chaser.pk, 1200), (leader.pk, 1100), (late.pk, 1000)]


def test_a_replay_after_the_round_ended_still_gets_the_first_response() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1)
    client = team_client(team_make(contest=contest))
    question = client.post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]["question"]
    first = _answer(client, question["id"], [1], key="before-the-end")
    round_transition(round_=round_, action="end")
    replay = _answer(client, question["id"], [1], key="before-the-end")
    assert (replay.status_code, replay.json()) == (201, first.json())
    fresh = _answer(client, question["id"], [1], key="after-the-end")
    assert (fresh.status_code, fresh.json()["code"]) == (409, "already_answered")
