"""Live rounds: the state machine, the server's clock, speed scoring, regrade (rooms/live.py,
scoring/rescoring.py). The clock is moved with time-machine, never slept on; the end-to-end
rounds with a real Celery worker and in the embedded default are in test_live_e2e.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from rooms.live import live_action, live_close_due
from rooms.models import LiveQuestion, LiveStatus, Round
from rooms.tasks import live_timers_sweep
from scoring.models import Answer, LedgerReason, ScoreEvent
from scoring.rescoring import live_question_score, regrade_request, regrade_run
from scoring.tasks import live_question_score_task
from teams.models import Team
from tests.factories import choice_question, contest_make, host_client, live_round, team_client, team_make

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)
SPEED = {"scoring": {"strategy": "speed", "speed_bonus": 50, "speed_curve": "linear"}}


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def answer(team: Team, question_id: int, choice: int) -> Any:
    return team_client(team).post(
        "/api/v1/me/answers",
        {"question": question_id, "answer": [choice]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )


def game(
    *, teams: int = 2, questions: int = 2, time_limit_s: int = 20, scoring: dict[str, Any] | None = None
) -> tuple[Round, list[Team]]:
    contest = contest_make(settings={"starting_points": 0})
    round_ = live_round(
        contest,
        questions=[choice_question(prompt=f"Q{i}", time_limit_s=time_limit_s) for i in range(questions)],
        settings={"scoring": {**SPEED["scoring"], **(scoring or {})}},
    )
    return round_, [team_make(contest=contest) for _ in range(teams)]


def points(team: Team) -> int:
    team.refresh_from_db()
    return team.score


def test_a_paused_question_resumes_with_its_remaining_time(clock: Any) -> None:
    round_, (team, other) = game()
    live = live_action(round_=round_, action="next")
    assert live.deadline == T0 + timedelta(seconds=20)
    clock.shift(5)
    live = live_action(round_=round_, action="pause")
    assert (live.status, live.remaining_ms, live.deadline) == (LiveStatus.PAUSED, 15_000, None)
    clock.shift(60)
    refused = answer(team, live.question_id, 1)
    assert (refused.status_code, refused.json()["code"]) == (409, "question_closed")
    assert not Answer.objects.exists()
    live = live_action(round_=round_, action="resume")
    assert live.deadline == T0 + timedelta(seconds=65 + 15)
    clock.shift(14)
    assert answer(team, live.question_id, 1).status_code == 202
    assert Answer.objects.get().elapsed_ms == 19_000  # 5 s before the pause, 14 s after it
    clock.shift(2)
    late = answer(other, live.question_id, 1)
    assert (late.status_code, late.json()["code"]) == (409, "question_closed")


def test_a_contest_pause_stops_the_question_clock_until_the_quizmaster_resumes_it(clock: Any) -> None:
    round_, (team, _) = game()
    live = live_action(round_=round_, action="next")
    clock.shift(5)
    host = host_client(round_.contest.owner)
    assert host.post(f"/api/v1/contests/{round_.contest_id}/pause").status_code == 200
    live.refresh_from_db()
    assert (live.status, live.remaining_ms) == (LiveStatus.PAUSED, 15_000)
    clock.shift(600)  # a long break: the timer firing now changes nothing
    assert live_close_due(live_id=live.pk) is False
    assert host.post(f"/api/v1/contests/{round_.contest_id}/resume").status_code == 200
    assert LiveQuestion.objects.get(pk=live.pk).status == LiveStatus.PAUSED  # the quizmaster resumes it
    live = live_action(round_=round_, action="resume")
    assert live.deadline == T0 + timedelta(seconds=605 + 15)
    assert answer(team, live.question_id, 1).status_code == 202


def test_the_deadline_closes_the_question_without_a_person(clock: Any) -> None:
    round_, (team, other) = game()
    live = live_action(round_=round_, action="next")
    clock.shift(19.999)
    assert answer(team, live.question_id, 1).status_code == 202
    assert live_close_due(live_id=live.pk) is False  # not due: a timer that fires early does nothing
    clock.shift(0.002)
    late = answer(other, live.question_id, 1)
    assert (late.status_code, late.json()["code"]) == (409, "question_closed")
    assert live_close_due(live_id=live.pk) is True
    assert live_close_due(live_id=live.pk) is False  # and a second timer does nothing either
    live.refresh_from_db()
    assert (live.status, live.closed_at) == (LiveStatus.CLOSED, T0 + timedelta(seconds=20.001))


def test_beats_sweep_closes_a_question_whose_timer_was_lost(clock: Any, settings: Any) -> None:
    round_, _ = game()
    live = live_action(round_=round_, action="next")
    clock.shift(20 + settings.LIVE_SWEEP_INTERVAL_S - 1)
    live_timers_sweep.apply()
    assert LiveQuestion.objects.get(pk=live.pk).status == LiveStatus.OPEN  # its own timer's to close
    clock.shift(2)
    live_timers_sweep.apply()
    assert LiveQuestion.objects.get(pk=live.pk).status == LiveStatus.CLOSED


def test_an_extension_moves_the_deadline_and_makes_the_old_timer_stale(clock: Any) -> None:
    round_, (team, _) = game()
    live = live_action(round_=round_, action="next")
    live_action(round_=round_, action="extend", seconds=10)
    clock.shift(25)
    assert live_close_due(live_id=live.pk) is False  # the timer set for 20 s
    assert answer(team, live.question_id, 1).status_code == 202
    clock.shift(5)
    assert live_close_due(live_id=live.pk) is True


def test_extra_time_is_one_teams_own_deadline(clock: Any) -> None:
    round_, (slow, other) = game()
    Team.objects.filter(pk=slow.pk).update(extra_time_s=10)
    live = live_action(round_=round_, action="next")
    assert live.closes_at == live.deadline + timedelta(seconds=10)  # type: ignore[operator]
    clock.shift(25)
    assert answer(slow, live.question_id, 1).status_code == 202
    assert answer(other, live.question_id, 1).json()["code"] == "question_closed"
    assert live_close_due(live_id=live.pk) is False  # still open for the team with extra time
    clock.shift(6)
    assert live_close_due(live_id=live.pk) is True


def test_speed_bonus_by_the_servers_receive_time_and_the_exempt_team(clock: Any) -> None:
    round_, (fast, slow, exempt, wrong) = game(teams=4)
    Team.objects.filter(pk=exempt.pk).update(speed_exempt=True)
    live = live_action(round_=round_, action="next")
    clock.shift(5)  # a quarter of 20 s: 75% of the bonus
    assert answer(fast, live.question_id, 1).status_code == 202
    assert answer(exempt, live.question_id, 1).status_code == 202
    clock.shift(10)  # three quarters: 25%
    assert answer(slow, live.question_id, 1).status_code == 202
    assert answer(wrong, live.question_id, 0).status_code == 202
    assert [points(t) for t in (fast, slow, exempt, wrong)] == [0, 0, 0, 0]  # nothing before the close
    live_action(round_=round_, action="close")
    assert live_question_score(live_id=live.pk) == 4
    # 100 points; the bonus is 50% of them, times the share of the time left.
    assert [points(t) for t in (fast, slow, exempt, wrong)] == [100 + 38, 100 + 12, 100, 0]
    assert ScoreEvent.objects.filter(team=exempt, reason=LedgerReason.SPEED_BONUS).count() == 0


def test_the_close_and_score_tasks_twice_change_nothing(clock: Any) -> None:
    round_, (team, other) = game()
    live = live_action(round_=round_, action="next")
    answer(team, live.question_id, 1)
    answer(other, live.question_id, 0)
    clock.shift(21)
    assert live_close_due(live_id=live.pk)
    live_question_score_task.apply(args=(live.pk,))
    rows = list(ScoreEvent.objects.order_by("id").values_list("team_id", "reason", "points"))
    scores = (points(team), points(other))
    live_close_due(live_id=live.pk)
    live_question_score_task.apply(args=(live.pk,))
    assert list(ScoreEvent.objects.order_by("id").values_list("team_id", "reason", "points")) == rows
    assert (points(team), points(other)) == scores == (100 + 50, 0)  # answered at the opening instant


def test_streaks_multiplier_and_penalty(clock: Any) -> None:
    round_, (team, breaker) = game(questions=4, scoring={"speed_bonus": 0, "streak_bonus": 10, "streak_cap": 15})
    expected = {team.pk: 0, breaker.pk: 0}
    for index, (team_choice, breaker_choice) in enumerate([(1, 1), (1, None), (1, 1), (1, 1)]):
        live = live_action(round_=round_, action="next")
        answer(team, live.question_id, team_choice)
        if breaker_choice is not None:
            answer(breaker, live.question_id, breaker_choice)
        live_action(round_=round_, action="close")
        live_question_score(live_id=live.pk)
        live_action(round_=round_, action="reveal")
        expected[team.pk] += 100 + min(10 * index, 15)
    expected[breaker.pk] = 100 + 100 + 110  # the question it left unanswered broke its run
    assert {t.pk: points(t) for t in (team, breaker)} == expected


def test_skipped_questions_are_never_scored(clock: Any) -> None:
    round_, (team, _) = game()
    live = live_action(round_=round_, action="next")
    answer(team, live.question_id, 1)
    live_action(round_=round_, action="skip")
    assert live_question_score(live_id=live.pk) == 0
    assert points(team) == 0
    assert live_action(round_=round_, action="next").question.position == 2


def test_regrade_after_the_accepted_answer_changes_equals_a_recompute(clock: Any) -> None:
    round_, (first, second) = game(questions=2, scoring={"streak_bonus": 10, "streak_cap": 100})
    played = []
    for choices in ([1, 2], [1, 1]):  # first answers B, B; second answers C, B
        live = live_action(round_=round_, action="next")
        clock.shift(10)  # half the time: 25 points of speed bonus
        for team, choice in zip((first, second), choices, strict=True):
            answer(team, live.question_id, choice)
        live_action(round_=round_, action="close")
        live_question_score(live_id=live.pk)
        played.append(live)
    assert (points(first), points(second)) == (125 + 135, 125)
    host = host_client(round_.contest.owner)
    changed = host.patch(f"/api/v1/questions/{played[0].question_id}", {"answer": [2]}, format="json")
    assert changed.status_code == 200, changed.json()
    queued = host.post(f"/api/v1/questions/{played[0].question_id}/regrade", {"reason": "C was right"}, format="json")
    assert queued.status_code == 202
    regrade_run(regrade_id=queued.json()["id"])
    # From scratch: question 1 is now won by the second team, and its streak continues.
    assert (points(first), points(second)) == (125, 125 + 135)
    assert ScoreEvent.objects.filter(reason=LedgerReason.REGRADE).count() == 4
    assert regrade_run(regrade_id=queued.json()["id"]) is None  # a second run changes nothing
    again = regrade_request(contest=round_.contest, question=None, author=round_.contest.owner, reason="")
    regrade_run(regrade_id=again.pk)
    assert (points(first), points(second)) == (125, 125 + 135)
    assert ScoreEvent.objects.filter(reason=LedgerReason.REGRADE).count() == 4
    detail = host.get(f"/api/v1/regrades/{queued.json()['id']}").json()
    assert (detail["status"], detail["changes"]) == ("done", {str(first.pk): -135, str(second.pk): 135})


@pytest.mark.parametrize(
    ("steps", "action", "body", "code"),
    [
        ([], "reveal", {}, "invalid_transition"),
        (["next"], "next", {}, "question_open"),
        (["next"], "reveal", {}, "invalid_transition"),
        (["next", "close"], "pause", {}, "invalid_transition"),
        (["next", "skip", "next", "skip"], "next", {}, "no_question_left"),
    ],
)
def test_live_actions_out_of_order_are_refused(steps: list[str], action: str, body: dict[str, Any], code: str) -> None:
    round_, _ = game()
    for step in steps:
        live_action(round_=round_, action=step)
    before = list(LiveQuestion.objects.values_list("id", "status", "deadline"))
    response = host_client(round_.contest.owner).post(f"/api/v1/rounds/{round_.pk}/{action}", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, code)
    assert list(LiveQuestion.objects.values_list("id", "status", "deadline")) == before


@pytest.mark.parametrize(
    ("action", "body"),
    [("extend", {}), ("extend", {"seconds": 0}), ("extend", {"seconds": 99_999}), ("close", {"seconds": 5})],
)
def test_bad_live_action_bodies_are_refused(action: str, body: dict[str, Any]) -> None:
    round_, _ = game()
    live_action(round_=round_, action="next")
    response = host_client(round_.contest.owner).post(f"/api/v1/rounds/{round_.pk}/{action}", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")
    assert LiveQuestion.objects.get().status == LiveStatus.OPEN


def test_a_question_not_opened_yet_cannot_be_answered() -> None:
    round_, (team, _) = game()
    response = answer(team, round_.questions.first().pk, 1)  # type: ignore[union-attr]
    assert (response.status_code, response.json()["code"]) == (409, "question_not_open")


def test_the_public_view_shows_the_question_and_the_answer_only_once_revealed() -> None:
    round_, _ = game()
    live = live_action(round_=round_, action="next")
    public = host_client(round_.contest.owner).get(f"/api/v1/public/{round_.contest.code}").json()
    assert public["live"]["live"]["status"] == "open"
    assert public["live"]["answer"] is None and "answer" not in public["current_question"]
    live_action(round_=round_, action="close")
    live_question_score(live_id=live.pk)
    live_action(round_=round_, action="reveal")
    public = host_client(round_.contest.owner).get(f"/api/v1/public/{round_.contest.code}").json()
    assert public["live"]["answer"] == {"answer": [1]}


def test_accommodations_by_the_quizmaster() -> None:
    round_, (team, _) = game()
    host = host_client(round_.contest.owner)
    response = host.post(f"/api/v1/teams/{team.pk}/accommodations", {"extra_time_s": 15}, format="json")
    assert response.status_code == 200
    assert (response.json()["extra_time_s"], response.json()["speed_exempt"]) == (15, False)
    for bad in ({}, {"extra_time_s": -1}, {"speed_exempt": "yes please"}, {"extra_time_s": 10, "colour": "red"}):
        refused = host.post(f"/api/v1/teams/{team.pk}/accommodations", bad, format="json")
        assert (refused.status_code, refused.json()["code"]) == (400, "validation_error")
    team.refresh_from_db()
    assert (team.extra_time_s, team.speed_exempt) == (15, False)


def test_replay_returns_a_finished_contests_log_in_order() -> None:
    round_, _ = game()
    contest = round_.contest
    host = host_client(contest.owner)
    assert host.get(f"/api/v1/contests/{contest.pk}/replay").json()["code"] == "contest_not_finished"
    live_action(round_=round_, action="next")
    host.post(f"/api/v1/contests/{contest.pk}/finish")
    first = host.get(f"/api/v1/contests/{contest.pk}/replay", {"limit": 3}).json()
    rest = host.get(f"/api/v1/contests/{contest.pk}/replay", {"after": first["next_after"], "limit": 1000}).json()
    events = first["events"] + rest["events"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert {"contest.created", "question.opened", "team.joined", "contest.status"} <= {e["type"] for e in events}
    assert rest["next_after"] is None
    for bad in ({"limit": 0}, {"after": -1}, {"after": "x"}, {"limit": 5001}):
        refused = host.get(f"/api/v1/contests/{contest.pk}/replay", bad)
        assert (refused.status_code, refused.json()["code"]) == (400, "validation_error")


@pytest.mark.django_db(transaction=True)
def test_a_reveal_while_the_close_is_being_scored_waits_instead_of_deadlocking() -> None:
    """The scoring task holds the question's row and then writes ledger rows that reference
    the round (a FOR KEY SHARE on the round); a reveal holds the round and asks for the
    question's row. Found by the console's browser test as a 500 at a quick reveal."""
    import threading
    import time

    from django.db import connection, transaction
    from django.utils import timezone

    round_ = live_round(contest_make(), questions=[choice_question()])
    team = team_make(contest=round_.contest)
    live_action(round_=round_, action="next")
    live = live_action(round_=round_, action="close")
    holding, errors = threading.Event(), []

    def scoring_like() -> None:
        try:
            with transaction.atomic():
                LiveQuestion.objects.filter(pk=live.pk).update(scored_at=timezone.now())
                holding.set()
                time.sleep(0.5)  # the reveal is now waiting for the question's row, holding the round
                ScoreEvent.objects.create(
                    contest_id=team.contest_id, team=team, round_id=round_.pk, reason="answer", source="x", points=0
                )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def reveal() -> None:
        holding.wait()
        try:
            live_action(round_=Round.objects.get(pk=round_.pk), action="reveal")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scoring_like), threading.Thread(target=reveal)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert LiveQuestion.objects.get(pk=live.pk).status == LiveStatus.REVEALED
