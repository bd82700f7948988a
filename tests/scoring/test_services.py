"""Exactly-once scoring (Guarantee 2) and mystery boxes paid and drawn together."""

from __future__ import annotations

import json
from collections import Counter
from functools import partial

import pytest
from django.db import IntegrityError, transaction

from rooms.models import Question
from scoring.models import Answer, LedgerReason, ScoreEvent
from scoring.services import adjustment_create
from teams.models import Claim, ClaimKind, Team

from ..concurrency import post_outcome, race
from ..factories import choice_question, contest_make, pool_round, team_client, team_make, user_make

pytestmark = pytest.mark.django_db(transaction=True)

SUBMITTERS = 50


def _claimed(team: Team, round_id: int) -> int:
    response = team_client(team).post("/api/v1/me/claims", {"round": round_id}, format="json")
    assert response.status_code == 201, response.json()
    return int(response.json()["claim"]["question"]["id"])


def test_50_concurrent_submissions_with_one_key_score_once_and_all_get_the_first_response() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1)
    team = team_make(contest=contest)
    question = _claimed(team, round_.pk)
    client = team_client(team)

    def submit() -> tuple[int, dict]:
        response = client.post(
            "/api/v1/me/answers",
            {"question": question, "answer": [1]},
            format="json",
            headers={"Idempotency-Key": "same-key"},
        )
        return response.status_code, response.json()

    results = race([submit for _ in range(SUBMITTERS)])

    assert {status for status, _ in results} == {201}
    assert len({json.dumps(body, sort_keys=True) for _, body in results}) == 1, (
        "every replay returns the first response"
    )
    assert Answer.objects.filter(team=team).count() == 1
    assert ScoreEvent.objects.filter(team=team, reason=LedgerReason.ANSWER).count() == 1
    team.refresh_from_db()
    assert team.score == 1000 + 100


def test_50_concurrent_submissions_with_different_keys_score_once() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1)
    team = team_make(contest=contest)
    question = _claimed(team, round_.pk)
    client = team_client(team)

    outcomes = race(
        [
            partial(
                post_outcome,
                client,
                "/api/v1/me/answers",
                {"question": question, "answer": [1]},
                **{"Idempotency-Key": f"key-{i}"},
            )
            for i in range(SUBMITTERS)
        ]
    )

    assert Counter(outcomes) == {(201, ""): 1, (409, "already_answered"): SUBMITTERS - 1}
    assert Answer.objects.filter(team=team).count() == 1
    assert ScoreEvent.objects.filter(team=team, reason=LedgerReason.ANSWER).count() == 1


def test_the_database_refuses_a_second_answer_and_a_second_ledger_row_for_one_cause() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=1)
    team = team_make(contest=contest)
    question = Question.objects.get(pk=_claimed(team, round_.pk))
    team_client(team).post(
        "/api/v1/me/answers", {"question": question.pk, "answer": [1]}, format="json", headers={"Idempotency-Key": "k1"}
    )
    answer = Answer.objects.get(team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            team=team,
            question=question,
            contest=contest,
            idempotency_key="k2",
            request_hash="x",
            payload=[1],
            received_at=answer.received_at,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreEvent.objects.create(
            contest=contest, team=team, reason=LedgerReason.ANSWER, source=f"answer:{answer.pk}", points=100
        )


def _mystery_round(contest, *, easy: int, cost: int, reward: int = 300):  # type: ignore[no-untyped-def]
    definitions = [choice_question(prompt=f"Mystery {i}", mystery=True, difficulty="easy") for i in range(easy)]
    return pool_round(
        contest, questions=definitions, mystery_boxes=[{"difficulty": "easy", "cost": cost, "reward": reward}]
    )


def test_concurrent_boxes_beyond_a_teams_points_never_take_it_below_zero() -> None:
    contest = contest_make(settings={"starting_points": 250})
    round_ = _mystery_round(contest, easy=10, cost=100)
    team = team_make(contest=contest)
    client = team_client(team)

    outcomes = race(
        [
            partial(post_outcome, client, "/api/v1/me/mystery", {"round": round_.pk, "difficulty": "easy"})
            for _ in range(20)
        ]
    )

    assert Counter(outcomes) == {(201, ""): 2, (409, "not_enough_points"): 18}
    team.refresh_from_db()
    assert team.score == 50
    _assert_every_draw_paid_and_every_payment_drawn(team)


def test_concurrent_boxes_beyond_the_questions_left_take_no_payment_without_a_question() -> None:
    contest = contest_make(settings={"starting_points": 5000})
    round_ = _mystery_round(contest, easy=3, cost=100)
    teams = [team_make(contest=contest) for _ in range(4)]
    clients = [team_client(t) for t in teams]

    outcomes = race(
        [
            partial(post_outcome, clients[i % 4], "/api/v1/me/mystery", {"round": round_.pk, "difficulty": "easy"})
            for i in range(24)
        ]
    )

    assert Counter(outcomes) == {(201, ""): 3, (409, "no_mystery_left"): 21}
    assert Claim.objects.filter(kind=ClaimKind.MYSTERY).values("question").distinct().count() == 3
    for team in teams:
        _assert_every_draw_paid_and_every_payment_drawn(team)
    assert sum(Team.objects.filter(pk__in=[t.pk for t in teams]).values_list("score", flat=True)) == 4 * 5000 - 300


def _assert_every_draw_paid_and_every_payment_drawn(team: Team) -> None:
    claims = {
        f"claim:{pk}" for pk in Claim.objects.filter(team=team, kind=ClaimKind.MYSTERY).values_list("pk", flat=True)
    }
    payments = set(
        ScoreEvent.objects.filter(team=team, reason=LedgerReason.MYSTERY_COST).values_list("source", flat=True)
    )
    assert claims == payments


def test_a_mystery_question_answered_correctly_pays_the_box_reward() -> None:
    contest = contest_make(settings={"starting_points": 500})
    round_ = _mystery_round(contest, easy=1, cost=100, reward=300)
    team = team_make(contest=contest)
    client = team_client(team)
    opened = client.post("/api/v1/me/mystery", {"round": round_.pk, "difficulty": "easy"}, format="json").json()
    assert opened["score"] == 400 and opened["claim"]["question"]["points"] == 300
    response = client.post(
        "/api/v1/me/answers",
        {"question": opened["claim"]["question"]["id"], "answer": [1]},
        format="json",
        headers={"Idempotency-Key": "m1"},
    )
    assert response.status_code == 201
    assert response.json()["score"] == 700
    assert ScoreEvent.objects.filter(team=team, reason=LedgerReason.MYSTERY_REWARD, points=300).count() == 1


def test_an_adjustment_with_a_repeated_key_is_written_once() -> None:
    contest = contest_make()
    team = team_make(contest=contest)
    author = user_make()
    first = adjustment_create(team=team, points=-50, reason="Phone out", author=author, idempotency_key="adj-1")
    again = adjustment_create(team=team, points=-50, reason="Phone out", author=author, idempotency_key="adj-1")
    assert first.pk == again.pk
    team.refresh_from_db()
    assert team.score == 950
