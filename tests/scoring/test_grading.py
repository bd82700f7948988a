"""Essays graded by hand: the grading queue, grades and their changes on the ledger,
the team's devices told, concurrent grades, and bad input refused with nothing changed."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db.models import Q
from rest_framework.test import APIClient

from rooms.models import Contest, ContestEvent, Round
from scoring.ledger import ledger_sum
from scoring.models import Answer, LedgerReason, ScoreEvent
from scoring.services import answer_submit, mystery_open
from teams.models import Team
from teams.services import claim_next

from ..concurrency import post_outcome, race
from ..factories import choice_question, contest_make, host_client, pool_round, team_client, team_make, user_make
from ..realtime import drain, receive_type, socket_open

ESSAY = {"type": "essay", "prompt": "Why is the sky blue?", "points": 100}
START = 1000  # the contests' default starting points


# --- Helpers -------------------------------------------------------------------------


def essay_contest(*, teams: int = 1, owner: User | None = None) -> tuple[Contest, Round, list[Team]]:
    """A running contest whose pool round holds an essay then a choice question; every
    team may claim both (not exclusive, no claim limit), in that order."""
    contest = contest_make(owner=owner) if owner else contest_make()
    round_ = pool_round(contest, questions=[ESSAY, choice_question()], exclusive=False, claim_limit=None)
    return contest, round_, [team_make(contest=contest, name=f"Team {i}") for i in range(teams)]


def answer_next(team: Team, round_: Round, payload: Any) -> Answer:
    """Claim the team's next question of the round and answer it."""
    claim = claim_next(team=team, round_id=round_.pk)
    result = answer_submit(team=team, question_id=claim.question_id, payload=payload, idempotency_key=f"k-{claim.pk}")
    return Answer.objects.get(pk=result.body["answer"]["id"])


def essay_answer(team: Team, round_: Round, text: str = "Rayleigh scattering.") -> Answer:
    answer = answer_next(team, round_, text)
    assert answer.question.type == "essay" and answer.status == "queued"
    return answer


def owner_client(contest: Contest) -> APIClient:
    return host_client(contest.owner)


def grade(client: APIClient, answer: Answer | int, body: Any) -> Any:
    answer_id = answer if isinstance(answer, int) else answer.pk
    return client.post(f"/api/v1/answers/{answer_id}/grade", body, format="json")


def queue(client: APIClient, contest: Contest, query: str = "") -> Any:
    return client.get(f"/api/v1/contests/{contest.pk}/grading{query}")


def answer_rows(answer: Answer) -> list[tuple[str, str, int]]:
    """(reason, source, points) of the ledger rows about this answer, oldest first."""
    base = f"answer:{answer.pk}"
    rows = ScoreEvent.objects.filter(Q(source=base) | Q(source__startswith=f"{base}:"), team_id=answer.team_id)
    return list(rows.order_by("pk").values_list("reason", "source", "points"))


def scored_events(contest: Contest) -> list[dict[str, Any]]:
    events = ContestEvent.objects.filter(contest=contest, type="answer.scored").order_by("seq")
    return [event.payload for event in events]


def state(contest: Contest) -> dict[str, Any]:
    """What a refused request must leave as it was: the contest's answers, ledger, scores
    and event log."""
    contest.refresh_from_db()
    return {
        "answers": list(Answer.objects.filter(contest=contest).order_by("pk").values()),
        "ledger": list(ScoreEvent.objects.filter(contest=contest).order_by("pk").values()),
        "scores": dict(Team.objects.filter(contest=contest).values_list("pk", "score")),
        "last_seq": contest.last_seq,
    }


# --- The queue -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_lists_only_this_contests_essays_not_yet_graded_oldest_first() -> None:
    contest, round_, (first, second) = essay_contest(teams=2)
    earlier = essay_answer(first, round_, "First essay.")
    later = essay_answer(second, round_, "Second essay.")
    answer_next(first, round_, [1])  # a choice answer: scored at once, never queued
    # An essay of another contest of the same quizmaster.
    _elsewhere, other_round, (stranger,) = essay_contest(owner=contest.owner)
    essay_answer(stranger, other_round, "Not this contest.")
    client = owner_client(contest)

    pending = queue(client, contest)

    assert pending.status_code == 200
    assert pending.json()["status"] == "pending"
    assert [item["id"] for item in pending.json()["answers"]] == [earlier.pk, later.pk]
    assert pending.json()["answers"][0] == {
        "id": earlier.pk,
        "team": {"id": first.pk, "name": first.name},
        "question": {"id": earlier.question_id, "prompt": ESSAY["prompt"], "max_points": 100},
        "text": "First essay.",
        "received_at": earlier.received_at.isoformat(),
        "status": "queued",
        "graded_points": None,
        "feedback": "",
        "graded_by": None,
        "scored_at": None,
    }

    assert grade(client, earlier, {"points": 60, "feedback": "Good."}).status_code == 200

    assert [item["id"] for item in queue(client, contest).json()["answers"]] == [later.pk]
    graded = queue(client, contest, "?status=graded").json()["answers"]
    assert [(item["id"], item["graded_points"], item["graded_by"]) for item in graded] == [
        (earlier.pk, 60, contest.owner.username)
    ]
    everything = queue(client, contest, "?status=all").json()["answers"]
    assert [item["id"] for item in everything] == [earlier.pk, later.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [("?status=done", "status"), ("?status=PENDING", "status"), ("?stauts=all", "stauts")],
)
def test_a_bad_queue_filter_is_refused_naming_the_parameter(query: str, field: str) -> None:
    contest, round_, (team,) = essay_contest()
    essay_answer(team, round_)

    refused = queue(owner_client(contest), contest, query)

    assert (refused.status_code, refused.json()["code"]) == (400, "validation_error")
    assert field in refused.json()["fields"]


@pytest.mark.django_db
def test_only_the_contests_quizmaster_sees_its_queue() -> None:
    contest, round_, (team,) = essay_contest()
    essay_answer(team, round_, "Private thoughts.")

    stranger = queue(host_client(user_make()), contest)
    as_team = queue(team_client(team), contest)

    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_found")
    assert (as_team.status_code, as_team.json()["code"]) == (403, "forbidden")
    assert "Private thoughts." not in stranger.content.decode() + as_team.content.decode()


# --- Grading -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_grade_writes_one_ledger_row_moves_the_score_and_reaches_the_team() -> None:
    contest, round_, (team,) = essay_contest()
    answer = essay_answer(team, round_)

    response = grade(owner_client(contest), answer, {"points": 40, "feedback": "Right idea, no detail."})

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["graded_points"]) == (answer.pk, "scored", 40)
    assert body["feedback"] == "Right idea, no detail." and body["graded_by"] == contest.owner.username
    assert answer_rows(answer) == [(LedgerReason.ANSWER, f"answer:{answer.pk}", 40)]
    assert ScoreEvent.objects.get(source=f"answer:{answer.pk}").author == contest.owner
    team.refresh_from_db()
    assert team.score == START + 40 == ledger_sum(team_id=team.pk)
    answer.refresh_from_db()
    assert (answer.status, answer.correct, answer.points, answer.graded_points) == ("scored", True, 40, 40)
    assert answer.graded_by == contest.owner and answer.scored_at is not None
    mine = team_client(team).get(f"/api/v1/me/answers/{answer.pk}").json()
    assert (mine["points"], mine["correct"], mine["feedback"]) == (40, True, "Right idea, no detail.")
    (event,) = scored_events(contest)
    assert event["answer"]["feedback"] == "Right idea, no detail." and event["score"] == START + 40


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_teams_devices_receive_the_grade_with_its_feedback_and_another_team_does_not() -> None:
    contest, round_, (team, rival) = await sync_to_async(essay_contest)(teams=2)
    answer = await sync_to_async(essay_answer)(team, round_)
    client = await sync_to_async(owner_client)(contest)
    phone = await socket_open(contest.code, token=team.raw_token)  # type: ignore[attr-defined]
    laptop = await socket_open(contest.code, token=team.raw_token)  # type: ignore[attr-defined]
    other = await socket_open(contest.code, token=rival.raw_token)  # type: ignore[attr-defined]
    for comm in (phone, laptop, other):
        await receive_type(comm, "snapshot")

    feedback = "Scattering-Feedback-For-Team-0"
    response = await sync_to_async(grade)(client, answer, {"points": 70, "feedback": feedback})

    assert response.status_code == 200
    for device in (phone, laptop):
        scored = await receive_type(device, "answer.scored")
        assert scored["stream"] == "team" and scored["data"]["team"] == team.pk
        assert scored["data"]["score"] == START + 70
        pushed = scored["data"]["answer"]
        assert (pushed["id"], pushed["points"], pushed["correct"], pushed["feedback"]) == (
            answer.pk,
            70,
            True,
            feedback,
        )
    rival_saw = await drain(other)
    assert all(message["type"] != "answer.scored" for message in rival_saw)
    assert not any(feedback in str(message) for message in rival_saw)
    for comm in (phone, laptop, other):
        await comm.disconnect()


@pytest.mark.django_db
def test_a_changed_grade_writes_exactly_the_difference_as_a_numbered_regrade_row() -> None:
    contest, round_, (team,) = essay_contest()
    answer = essay_answer(team, round_)
    client = owner_client(contest)

    for points in (30, 45, 10):
        assert grade(client, answer, {"points": points, "feedback": f"Worth {points}."}).status_code == 200

    base = f"answer:{answer.pk}"
    assert answer_rows(answer) == [
        (LedgerReason.ANSWER, base, 30),
        (LedgerReason.REGRADE, f"{base}:grade:1", 15),
        (LedgerReason.REGRADE, f"{base}:grade:2", -35),
    ]
    team.refresh_from_db()
    answer.refresh_from_db()
    assert team.score == ledger_sum(team_id=team.pk) == START + 10
    assert (answer.points, answer.graded_points, answer.feedback) == (10, 10, "Worth 10.")
    assert [event["answer"]["points"] for event in scored_events(contest)] == [30, 45, 10]


@pytest.mark.django_db
def test_a_first_grade_of_zero_writes_no_row_and_a_later_grade_is_a_regrade() -> None:
    contest, round_, (team,) = essay_contest()
    answer = essay_answer(team, round_)
    client = owner_client(contest)

    zero = grade(client, answer, {"points": 0, "feedback": "Off topic."})

    assert zero.status_code == 200 and zero.json()["status"] == "scored"
    assert answer_rows(answer) == []
    answer.refresh_from_db()
    assert (answer.status, answer.correct, answer.graded_points) == ("scored", False, 0)
    assert len(scored_events(contest)) == 1, "the team still learns its essay was graded"

    assert grade(client, answer, {"points": 25, "feedback": "On reflection, partly."}).status_code == 200

    assert answer_rows(answer) == [(LedgerReason.REGRADE, f"answer:{answer.pk}:grade:1", 25)]
    team.refresh_from_db()
    assert team.score == START + 25


@pytest.mark.django_db
def test_the_same_grade_again_changes_nothing_and_tells_no_one() -> None:
    contest, round_, (team,) = essay_contest()
    answer = essay_answer(team, round_)
    client = owner_client(contest)
    first = grade(client, answer, {"points": 50, "feedback": "Half."})
    before = state(contest)

    again = grade(client, answer, {"points": 50, "feedback": "Half."})

    assert again.status_code == 200 and again.json() == first.json()
    assert state(contest) == before


@pytest.mark.django_db
def test_new_feedback_with_the_same_points_writes_no_row_but_reaches_the_team() -> None:
    contest, round_, (team,) = essay_contest()
    answer = essay_answer(team, round_)
    client = owner_client(contest)
    grade(client, answer, {"points": 50, "feedback": "Half."})

    changed = grade(client, answer, {"points": 50, "feedback": "Half: cite a source next time."})

    assert changed.json()["feedback"] == "Half: cite a source next time."
    assert answer_rows(answer) == [(LedgerReason.ANSWER, f"answer:{answer.pk}", 50)]
    assert [event["answer"]["feedback"] for event in scored_events(contest)] == [
        "Half.",
        "Half: cite a source next time.",
    ]


@pytest.mark.django_db
def test_a_mystery_essay_is_graded_up_to_the_reward_its_box_promised() -> None:
    contest = contest_make()
    mystery_essay = {**ESSAY, "mystery": True, "difficulty": "easy"}
    box = {"difficulty": "easy", "cost": 10, "reward": 300}
    round_ = pool_round(contest, questions=[mystery_essay], mystery_boxes=[box])
    team = team_make(contest=contest)
    drawn = mystery_open(team=team, round_id=round_.pk, difficulty="easy")
    result = answer_submit(team=team, question_id=drawn.claim.question_id, payload="Because.", idempotency_key="m")
    answer_id = result.body["answer"]["id"]
    client = owner_client(contest)

    assert queue(client, contest).json()["answers"][0]["question"]["max_points"] == 300
    too_many = grade(client, answer_id, {"points": 301, "feedback": ""})
    assert (too_many.status_code, too_many.json()["code"]) == (400, "points_out_of_range")
    assert grade(client, answer_id, {"points": 300, "feedback": ""}).status_code == 200
    team.refresh_from_db()
    assert team.score == START - 10 + 300


# --- Concurrency ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_grades_of_one_answer_end_with_the_ledger_at_the_last_grade() -> None:
    contest, round_, (team,) = essay_contest()
    answer = essay_answer(team, round_)
    client = owner_client(contest)
    grades = [5, 15, 25, 35, 45, 55, 65, 75]
    path = f"/api/v1/answers/{answer.pk}/grade"

    outcomes = race([partial(post_outcome, client, path, {"points": p, "feedback": f"Worth {p}."}) for p in grades])

    assert outcomes == [(200, "")] * len(grades)
    answer.refresh_from_db()
    team.refresh_from_db()
    last = scored_events(contest)[-1]["answer"]
    assert answer.graded_points == last["points"] and answer.feedback == last["feedback"]
    assert sum(points for _, _, points in answer_rows(answer)) == answer.graded_points == answer.points
    assert team.score == ledger_sum(team_id=team.pk) == START + answer.graded_points
    # Each grade changed the one committed before it: one row and one event each.
    base = f"answer:{answer.pk}"
    assert [source for _, source, _ in answer_rows(answer)] == [base] + [f"{base}:grade:{n}" for n in range(1, 8)]
    assert len(scored_events(contest)) == len(grades)


@pytest.mark.django_db(transaction=True)
def test_a_double_click_graded_twice_at_once_writes_one_row_and_one_event() -> None:
    contest, round_, (team,) = essay_contest()
    answer = essay_answer(team, round_)
    client = owner_client(contest)
    body = {"points": 80, "feedback": "Very good."}

    outcomes = race([partial(post_outcome, client, f"/api/v1/answers/{answer.pk}/grade", body) for _ in range(2)])

    assert outcomes == [(200, "")] * 2
    assert answer_rows(answer) == [(LedgerReason.ANSWER, f"answer:{answer.pk}", 80)]
    assert len(scored_events(contest)) == 1
    team.refresh_from_db()
    assert team.score == START + 80


# --- Bad input -----------------------------------------------------------------------

VALID = {"points": 40, "feedback": "Fine."}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({**VALID, "points": 101}, "points", "points_out_of_range"),
        ({**VALID, "points": -1}, "points", "points_out_of_range"),
        ({**VALID, "points": 2**64}, "points", "points_out_of_range"),
        ({**VALID, "points": "40"}, "points", "validation_error"),
        ({**VALID, "points": 40.5}, "points", "validation_error"),
        ({**VALID, "points": 40.0}, "points", "validation_error"),
        ({**VALID, "points": True}, "points", "validation_error"),
        ({**VALID, "points": None}, "points", "validation_error"),
        ({"feedback": "Fine."}, "points", "validation_error"),
        ({**VALID, "feedback": "x" * 2001}, "feedback", "validation_error"),
        ({**VALID, "feedback": 5}, "feedback", "validation_error"),
        ({**VALID, "feedback": None}, "feedback", "validation_error"),
        ({**VALID, "feedback": "Fi\x00ne"}, "feedback", "validation_error"),
        ({"points": 40}, "feedback", "validation_error"),
        ({**VALID, "grade": "A"}, "grade", "validation_error"),
    ],
)
def test_a_bad_grade_is_refused_naming_the_field_and_changes_nothing(body: dict, field: str, code: str) -> None:
    contest, round_, (team,) = essay_contest()
    answer = essay_answer(team, round_)
    before = state(contest)

    refused = grade(owner_client(contest), answer, body)

    assert (refused.status_code, refused.json()["code"]) == (400, code)
    assert field in refused.json()["fields"] and refused.json()["detail"]
    assert state(contest) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("label", "status", "code"),
    [
        ("an auto-scored answer", 409, "not_gradable"),
        ("another quizmaster's answer", 404, "not_found"),
        ("an unknown answer", 404, "not_found"),
        ("a team token", 403, "forbidden"),
    ],
)
def test_grading_what_is_not_yours_to_grade_is_refused_and_changes_nothing(label: str, status: int, code: str) -> None:
    contest, round_, (team,) = essay_contest()
    essay = essay_answer(team, round_)
    choice = answer_next(team, round_, [1])
    target: int = {"an auto-scored answer": choice.pk, "an unknown answer": 987_654_321}.get(label, essay.pk)
    owner: User = contest.owner
    client = {
        "another quizmaster's answer": host_client(user_make()),
        "a team token": team_client(team),
    }.get(label) or host_client(owner)
    before = state(contest)

    refused = grade(client, target, VALID)

    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert state(contest) == before
