"""Live rounds: the quizmaster opens one question at a time for every team, a timer runs,
answers lock, the question is scored and revealed, then the next one opens.

States of a question's play (`LiveQuestion.status`):

    (none) --next--> open <--pause/resume--> paused
    open, paused --close (quizmaster, or the timer at `closes_at`)--> closed --reveal--> revealed
    open, paused --skip--> skipped                (its answers are never scored)

`next` opens the round's next unplayed question once the current one is closed, revealed
or skipped. Deadlines are stored; the server's clock decides (scoring/services.py refuses
an answer after the team's deadline or while paused). Closing enqueues the scoring task.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .errors import ContestNotRunning, InvalidTransition, WrongRoundKind
from .events import event_append
from .models import ContestStatus, LiveQuestion, LiveStatus, Question, Round, RoundKind, RoundStatus
from .question_types import question_public, question_reveal

LIVE_ACTIONS = ("next", "close", "reveal", "pause", "resume", "skip", "extend")
RUNNING = (LiveStatus.OPEN, LiveStatus.PAUSED)
MAX_EXTENSION_S = 3600


class QuestionStillOpen(InvalidTransition):
    code = "question_open"
    message = "The current question is still open: close or skip it first."


class NoQuestionLeft(InvalidTransition):
    code = "no_question_left"
    message = "Every question of this round has been played; add questions or end the round."


def _ms(delta: timedelta) -> int:
    return max(0, round(delta.total_seconds() * 1000))


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def live_view(live: LiveQuestion) -> dict[str, Any]:
    return {
        "id": live.pk,
        "round": live.round_id,
        "question": live.question_id,
        "position": live.question.position,
        "status": live.status,
        "time_limit_ms": live.time_limit_ms,
        "opened_at": live.opened_at.isoformat(),
        "deadline": _iso(live.deadline),
        "closes_at": _iso(live.closes_at),
        "remaining_ms": live.remaining_ms,
        "closed_at": _iso(live.closed_at),
        "revealed_at": _iso(live.revealed_at),
    }


def live_current_get(*, round_: Round) -> LiveQuestion | None:
    """The round's newest question in play (whatever its state), or None before the first."""
    return LiveQuestion.objects.select_related("question").filter(round=round_).order_by("-id").first()


def live_state_public(*, round_: Round) -> dict[str, Any] | None:
    """The current live question as anyone may see it: the answer only once revealed."""
    live = live_current_get(round_=round_)
    if live is None:
        return None
    revealed = live.status == LiveStatus.REVEALED
    return {
        "live": live_view(live),
        "question": question_public(live.question),
        "answer": question_reveal(live.question) if revealed else None,
    }


def team_deadline(*, live: LiveQuestion, extra_time_s: int) -> datetime | None:
    """When this team's answers stop: the question's deadline plus the team's extra time,
    never past `closes_at` (extra time granted after the question opened waits for the next)."""
    if live.deadline is None or live.closes_at is None:
        return None
    return min(live.deadline + timedelta(seconds=extra_time_s), live.closes_at)


def live_action(*, round_: Round, action: str, seconds: int | None = None) -> LiveQuestion:
    """Run one quizmaster action on a live round (LIVE_ACTIONS) and push it to everyone.

    Locks, in order: the round row (FOR NO KEY UPDATE), the current LiveQuestion row, then
    the contest row (event seq). Answers take the LiveQuestion row FOR SHARE, so a close waits for the
    answers already being written and the scoring task, enqueued on commit, sees them all.
    """
    if action not in LIVE_ACTIONS:
        raise InvalidTransition(f"Unknown action {action!r}; use one of {', '.join(LIVE_ACTIONS)}.")
    now = timezone.now()
    with transaction.atomic():
        # FOR NO KEY UPDATE: the scoring task, holding the question's row, inserts ledger rows
        # that reference this round (FOR KEY SHARE on it); a plain FOR UPDATE here waited on the
        # question while the task waited on the round: a deadlock at a quick reveal.
        round_ = Round.objects.select_for_update(of=("self",), no_key=True).select_related("contest").get(pk=round_.pk)
        _check_round(round_=round_, action=action)
        if action == "next":
            return _open_next(round_=round_, now=now)
        live = LiveQuestion.objects.select_for_update(of=("self",)).select_related("question").filter(round=round_)
        current = live.order_by("-id").first()
        if current is None:
            raise InvalidTransition("No question has been opened in this round yet; open one with next.")
        current.round = round_
        STEPS[action](current, now, seconds)
        _publish(live=current, action=action, by="host")
    return current


def _check_round(*, round_: Round, action: str) -> None:
    if round_.kind != RoundKind.LIVE:
        raise WrongRoundKind("Questions are opened one by one only in live rounds.")
    if round_.status != RoundStatus.ACTIVE:
        raise InvalidTransition(f"This round is {round_.status}; start it first.")
    running = round_.contest.status == ContestStatus.RUNNING
    if action in ("next", "resume") and not running:
        raise ContestNotRunning(f"The contest is {round_.contest.status}; {action} needs it running.")
    if round_.contest.status not in (ContestStatus.RUNNING, ContestStatus.PAUSED):
        raise ContestNotRunning(f"The contest is {round_.contest.status}.")


def _open_next(*, round_: Round, now: datetime) -> LiveQuestion:
    current = LiveQuestion.objects.select_for_update().filter(round=round_).order_by("-id").first()
    if current is not None and current.status in RUNNING:
        raise QuestionStillOpen()
    question = Question.objects.filter(round=round_, live__isnull=True).order_by("position").first()
    if question is None:
        raise NoQuestionLeft()
    limit_s = question.time_limit_s or round_.settings.get("time_limit_s") or settings.LIVE_DEFAULT_TIME_LIMIT_S
    extra_s = round_.contest.teams.filter(status="active").aggregate(m=Max("extra_time_s"))["m"] or 0
    deadline = now + timedelta(seconds=limit_s)
    live = LiveQuestion.objects.create(
        round=round_,
        question=question,
        time_limit_ms=limit_s * 1000,
        extra_ms=extra_s * 1000,
        opened_at=now,
        deadline=deadline,
        closes_at=deadline + timedelta(seconds=extra_s),
    )
    event_append(
        contest_id=round_.contest_id,
        type="question.opened",
        payload={"live": live_view(live), "question": question_public(question)},
    )
    _timer_on_commit(live)
    return live


def _require(live: LiveQuestion, action: str, *states: str) -> None:
    if live.status not in states:
        raise InvalidTransition(f"Cannot {action} a question that is {live.status}; it must be {' or '.join(states)}.")


def _pause(live: LiveQuestion, now: datetime, seconds: int | None) -> None:
    _require(live, "pause", LiveStatus.OPEN)
    assert live.deadline is not None
    live.remaining_ms = _ms(live.deadline - now)
    live.status, live.deadline, live.closes_at = LiveStatus.PAUSED, None, None
    live.save(update_fields=["status", "remaining_ms", "deadline", "closes_at"])


def _resume(live: LiveQuestion, now: datetime, seconds: int | None) -> None:
    _require(live, "resume", LiveStatus.PAUSED)
    live.deadline = now + timedelta(milliseconds=live.remaining_ms or 0)
    live.closes_at = live.deadline + timedelta(milliseconds=live.extra_ms)
    live.status, live.remaining_ms = LiveStatus.OPEN, None
    live.save(update_fields=["status", "remaining_ms", "deadline", "closes_at"])
    _timer_on_commit(live)


def _extend(live: LiveQuestion, now: datetime, seconds: int | None) -> None:
    _require(live, "extend", *RUNNING)
    if seconds is None or not 1 <= seconds <= MAX_EXTENSION_S:
        raise InvalidTransition(f"Extend by 1 to {MAX_EXTENSION_S} seconds.")
    more = timedelta(seconds=seconds)
    live.time_limit_ms += seconds * 1000
    if live.status == LiveStatus.PAUSED:
        live.remaining_ms = (live.remaining_ms or 0) + seconds * 1000
    else:
        assert live.deadline is not None and live.closes_at is not None
        live.deadline, live.closes_at = live.deadline + more, live.closes_at + more
        _timer_on_commit(live)
    live.save(update_fields=["time_limit_ms", "remaining_ms", "deadline", "closes_at"])


def _close(live: LiveQuestion, now: datetime, seconds: int | None) -> None:
    _require(live, "close", *RUNNING)
    live.status, live.closed_at = LiveStatus.CLOSED, now
    live.save(update_fields=["status", "closed_at"])
    _score_on_commit(live)


def _skip(live: LiveQuestion, now: datetime, seconds: int | None) -> None:
    _require(live, "skip", *RUNNING)
    live.status, live.closed_at = LiveStatus.SKIPPED, now
    live.save(update_fields=["status", "closed_at"])


def _reveal(live: LiveQuestion, now: datetime, seconds: int | None) -> None:
    _require(live, "reveal", LiveStatus.CLOSED)
    live.status, live.revealed_at = LiveStatus.REVEALED, now
    live.save(update_fields=["status", "revealed_at"])


STEPS: dict[str, Callable[[LiveQuestion, datetime, int | None], None]] = {
    "pause": _pause,
    "resume": _resume,
    "extend": _extend,
    "close": _close,
    "skip": _skip,
    "reveal": _reveal,
}


def _publish(*, live: LiveQuestion, action: str, by: str) -> None:
    contest_id = live.round.contest_id
    if action == "reveal":
        payload = {
            "live": live_view(live),
            "question": question_public(live.question),
            "answer": question_reveal(live.question),
        }
        event_append(contest_id=contest_id, type="question.revealed", payload=payload)
        return
    status: dict[str, Any] = {"live": live_view(live), "action": action, "by": by}
    event_append(contest_id=contest_id, type="question.status", payload=status)


def live_running_locked(*, contest_id: int) -> list[LiveQuestion]:
    """The contest's open questions, locked: what a contest pause must stop. Taken before the
    contest row, in the order answers and the close lock in."""
    running = LiveQuestion.objects.select_for_update(of=("self",)).select_related("question", "round")
    return list(running.filter(round__contest_id=contest_id, status=LiveStatus.OPEN).order_by("id"))


def live_pause_all(*, questions: list[LiveQuestion]) -> None:
    """Pause questions (locked by `live_running_locked`) because the contest paused: a break
    must not run their clocks out. The quizmaster resumes each when play goes on."""
    now = timezone.now()
    for live in questions:
        _pause(live, now, None)
        _publish(live=live, action="pause", by="host")


def live_close_due(*, live_id: int) -> bool:
    """Close a live question whose time is up: what its timer runs. Returns whether it closed.

    Safe to run twice, early or late: the conditional UPDATE closes only a question that is
    still open and whose `closes_at` has passed, so a timer made stale by a pause or an
    extension (which set a timer of its own) changes nothing. Locks: the LiveQuestion row
    (the UPDATE waits for answers holding it FOR SHARE), then the contest row (event seq).
    """
    now = timezone.now()
    with transaction.atomic():
        closed = LiveQuestion.objects.filter(pk=live_id, status=LiveStatus.OPEN, closes_at__lte=now).update(
            status=LiveStatus.CLOSED, closed_at=now
        )
        if not closed:
            return False
        live = LiveQuestion.objects.select_related("question", "round").get(pk=live_id)
        _publish(live=live, action="close", by="timer")
        _score_on_commit(live)
    return True


def live_overdue_ids(*, grace_s: float) -> list[int]:
    """Open questions whose `closes_at` passed more than `grace_s` ago: timers that were lost."""
    cutoff = timezone.now() - timedelta(seconds=grace_s)
    return list(LiveQuestion.objects.filter(status=LiveStatus.OPEN, closes_at__lte=cutoff).values_list("pk", flat=True))


def _timer_on_commit(live: LiveQuestion) -> None:
    from .tasks import live_timer_schedule  # tasks import this module

    live_id, at = live.pk, live.closes_at
    assert at is not None
    transaction.on_commit(lambda: live_timer_schedule(live_id=live_id, at=at))


def _score_on_commit(live: LiveQuestion) -> None:
    from scoring.tasks import live_question_score_task  # scoring imports rooms: import late

    live_id = live.pk
    transaction.on_commit(lambda: live_question_score_task.delay(live_id))
