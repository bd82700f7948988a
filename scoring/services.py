"""Writes on scores: answers, mystery boxes, manual adjustments."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from rooms.errors import NotFound
from rooms.events import event_append
from rooms.live import team_deadline
from rooms.models import EventScope, LiveQuestion, LiveStatus, Question, QuestionType, RoundKind
from rooms.question_types import QUESTION_TYPES
from teams.models import Claim, ClaimKind, ClaimStatus, Team
from teams.selectors import claim_view
from teams.services import team_can_play, team_can_play_round, team_playable_round

from .errors import (
    AlreadyAnswered,
    IdempotencyKeyReused,
    NoMysteryLeft,
    NotEnoughPoints,
    QuestionClosed,
    QuestionNotClaimed,
    QuestionNotOpen,
    UnknownBox,
)
from .judging import code_attempt_next, judge_available_check, judging_create
from .ledger import answer_source, ledger_append
from .models import Answer, AnswerStatus, LedgerReason, ScoreEvent
from .selectors import answer_view, given_capped, team_rank_get
from .strategies import ScoringContext, strategy_for


@dataclass(frozen=True)
class SubmitResult:
    status: int  # 201 scored now, 202 scored later
    body: dict[str, Any]


def request_fingerprint(*, question_id: Any, answer: Any) -> str:
    canonical = json.dumps({"question": question_id, "answer": answer}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _earlier_answer(*, team: Team, question: Question, idempotency_key: str, fingerprint: str) -> SubmitResult | int:
    """The stored response for a replayed key; else the number of this new attempt (1, or
    the next one for a code question, which takes several). AlreadyAnswered for a second
    answer to any other question."""
    earlier = list(Answer.objects.filter(Q(idempotency_key=idempotency_key) | Q(question=question), team=team))
    for answer in earlier:
        if answer.idempotency_key == idempotency_key:
            if answer.request_hash != fingerprint:
                raise IdempotencyKeyReused()
            assert answer.response is not None and answer.response_status is not None
            return SubmitResult(answer.response_status, answer.response)
    if question.type == QuestionType.CODE:
        return code_attempt_next(question=question, earlier=earlier)
    if earlier:
        raise AlreadyAnswered()
    return 1


def answer_submit(*, team: Team, question_id: int, payload: Any, idempotency_key: str) -> SubmitResult:
    """Record a team's answer; score it at once when its type and round allow.

    Exactly once: the team row is locked before anything is checked or written, so the
    team's concurrent submissions run one after another. A replayed key returns the
    stored first response whatever has happened since (the round may have ended), so it
    is looked up before any rule about the game's state; only the answer's shape, which
    a replay shares with its original, is checked first. The unique constraints on
    (team, key) and (team, question, attempt) back this up. A code answer is queued for
    the judge (scoring.judging) once this commits; a team may answer a code question
    again, up to its attempt limit. Locks, in order: the team row, then
    the contest row (event seq).
    """
    fingerprint = request_fingerprint(question_id=question_id, answer=payload)
    try:
        question = Question.objects.select_related("round__contest").get(
            pk=question_id, round__contest_id=team.contest_id
        )
    except Question.DoesNotExist:
        raise NotFound("This contest has no such question.") from None
    spec = QUESTION_TYPES[question.type]
    parsed = spec.parse_answer(question, payload)
    is_live = question.round.kind == RoundKind.LIVE
    is_code = question.type == QuestionType.CODE
    with transaction.atomic():
        live = _live_for_answer(question_id=question.pk) if is_live else None
        team = Team.objects.select_for_update(of=("self",)).select_related("contest").get(pk=team.pk)
        attempt = _earlier_answer(
            team=team, question=question, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
        if isinstance(attempt, SubmitResult):
            return attempt
        if is_code:
            judge_available_check()  # nothing can judge it: refused, never run unsandboxed
        team_can_play_round(team=team, round_=question.round)
        now = timezone.now()
        claim = None if is_live else _held_claim(team=team, question=question, again=attempt > 1)
        answer = Answer.objects.create(
            team=team,
            question=question,
            contest_id=team.contest_id,
            claim=claim,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
            payload=parsed,
            received_at=now,
            attempt=attempt,
            **(_live_timing(live=live, team=team, now=now) if is_live else {}),
        )
        if claim is not None:
            Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.ANSWERED)
        if spec.auto_scored and not is_live:  # live answers are scored together at the close
            _score_now(team=team, answer=answer, correct=bool(spec.is_correct(question, parsed)))
        if is_code:
            judging_create(answer=answer)
        result = _submit_result(team=team, answer=answer)
        answer.response, answer.response_status = result.body, result.status
        answer.save(update_fields=["status", "correct", "points", "scored_at", "response", "response_status"])
        # The team's own stream only; what it sent rides along unless it is too large for
        # a push (then `given_size`, and its devices read it over HTTP).
        event_append(
            contest_id=team.contest_id,
            type="answer.recorded",
            payload={"team": team.pk, **result.body, "answer": given_capped(result.body["answer"])},
            scope=EventScope.TEAM,
            team_id=team.pk,
        )
    return result


def _held_claim(*, team: Team, question: Question, again: bool) -> Claim:
    """Pool questions are answered by the team holding them; a code question's later
    attempts go to the claim its first answered."""
    statuses = (ClaimStatus.HELD, ClaimStatus.ANSWERED) if again else (ClaimStatus.HELD,)
    try:  # one claim per (team, question), by constraint
        return Claim.objects.get(team=team, question=question, status__in=statuses)
    except Claim.DoesNotExist:
        raise QuestionNotClaimed() from None


def _live_for_answer(*, question_id: int) -> LiveQuestion | None:
    """The question's live play, locked FOR SHARE: answers to it proceed side by side, but a
    close (an UPDATE of this row) waits until they commit, so the scoring task that the close
    enqueues sees every answer taken before it. Taken before the team row, the order the
    close and scoring tasks lock in. SQLite, the embedded default, has one writer at a time."""
    if connection.vendor != "postgresql":
        return LiveQuestion.objects.filter(question_id=question_id).first()
    sql = "SELECT * FROM rooms_livequestion WHERE question_id = %s FOR SHARE"
    return next(iter(LiveQuestion.objects.raw(sql, [question_id])), None)


def _live_timing(*, live: LiveQuestion | None, team: Team, now: datetime) -> dict[str, Any]:
    """Refuse an answer the server's clock says is late; else what the speed bonus reads:
    the question's clock when it arrived (pauses left out) and the team's answering time."""
    if live is None:
        raise QuestionNotOpen("This live question has not been opened yet.")
    if live.status == LiveStatus.PAUSED:
        raise QuestionClosed("The question is paused: answers are taken again when it resumes.")
    deadline = team_deadline(live=live, extra_time_s=team.extra_time_s)
    if live.status != LiveStatus.OPEN or deadline is None or now > deadline:
        raise QuestionClosed("Time is up for this question: answers are no longer taken.")
    assert live.deadline is not None
    elapsed_ms = live.time_limit_ms - round((live.deadline - now).total_seconds() * 1000)
    extra_ms = round((deadline - live.deadline).total_seconds() * 1000)
    return {
        "elapsed_ms": max(0, elapsed_ms),
        "time_limit_ms": live.time_limit_ms + extra_ms,
        "speed_exempt": team.speed_exempt,
    }


def _score_now(*, team: Team, answer: Answer, correct: bool) -> None:
    """Grade and write the ledger; the caller saves the answer's new fields."""
    answer.correct = correct
    round_ = answer.question.round
    lines = strategy_for(round_).lines(answer=answer, round_=round_, context=ScoringContext())
    for line in lines:
        ledger_append(
            team=team,
            reason=line.reason,
            source=answer_source(answer.pk),
            points=line.points,
            round_id=answer.question.round_id,
        )
    answer.points = sum(line.points for line in lines)
    answer.status = AnswerStatus.SCORED
    answer.scored_at = timezone.now()


def _submit_result(*, team: Team, answer: Answer) -> SubmitResult:
    scored = answer.status == AnswerStatus.SCORED
    body = {"answer": answer_view(answer, full=True), "score": team.score, "rank": team_rank_get(team=team)}
    return SubmitResult(201 if scored else 202, body)


@dataclass(frozen=True)
class MysteryResult:
    claim: Claim
    cost: int
    reward: int
    score: int


def mystery_open(*, team: Team, round_id: int, difficulty: str) -> MysteryResult:
    """Pay for a mystery box and draw a random untaken mystery question, in one transaction.

    Locks, in order: the team row (its points are read and spent), then one mystery
    question with `FOR UPDATE SKIP LOCKED`, then the contest row (event seq). If no
    question is left the transaction rolls back and nothing is paid; a team whose
    points are short is refused before anything is written, so no box takes a team
    below zero. Events: `mystery.opened` to the team, then `mystery.remaining` to everyone.
    """
    round_ = team_playable_round(team=team, round_id=round_id, kind=RoundKind.POOL)
    box = round_.mystery_boxes.filter(difficulty=difficulty).first()
    if box is None:
        raise UnknownBox(f"This round has no {difficulty} mystery box.")
    with transaction.atomic():
        team = Team.objects.select_for_update(of=("self",)).select_related("contest").get(pk=team.pk)
        team_can_play(team=team, contest=team.contest)
        if team.score < box.cost:
            raise NotEnoughPoints(f"The {difficulty} box costs {box.cost}; your team has {team.score}.")
        question = (
            Question.objects.filter(round=round_, mystery=True, difficulty=difficulty, taken=False)
            .order_by("?")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if question is None:
            raise NoMysteryLeft(f"No {difficulty} mystery question is left in this round; nothing was taken.")
        Question.objects.filter(pk=question.pk).update(taken=True)
        claim = Claim.objects.create(
            team=team,
            question=question,
            round=round_,
            kind=ClaimKind.MYSTERY,
            exclusive=True,
            cost=box.cost,
            reward=box.reward,
        )
        ledger_append(
            team=team,
            reason=LedgerReason.MYSTERY_COST,
            source=f"claim:{claim.pk}",
            points=-box.cost,
            round_id=round_.pk,
        )
        event_append(
            contest_id=team.contest_id,
            type="mystery.opened",
            payload={
                "team": team.pk,
                "claim": claim_view(claim),
                "difficulty": difficulty,
                "cost": box.cost,
                "score": team.score,
            },
            scope=EventScope.TEAM,
            team_id=team.pk,
        )
        _mystery_remaining_append(contest_id=team.contest_id, round_id=round_.pk, difficulty=difficulty)
    return MysteryResult(claim=claim, cost=box.cost, reward=box.reward, score=team.score)


def _mystery_remaining_append(*, contest_id: int, round_id: int, difficulty: str) -> None:
    """Tell every team's shop how many boxes of this difficulty are left: a public event
    that names no team.

    Counted after the caller's first event_append, which holds the contest row until
    commit: every box opened with a smaller seq has committed and is counted, one with a
    larger seq has not got that far, so `remaining` is exactly the count as of this
    event's seq, and the latest event is always right.
    """
    remaining = Question.objects.filter(round_id=round_id, mystery=True, difficulty=difficulty, taken=False).count()
    event_append(
        contest_id=contest_id,
        type="mystery.remaining",
        payload={"round": round_id, "difficulty": difficulty, "remaining": remaining},
        scope=EventScope.PUBLIC,
    )


def adjustment_create(
    *, team: Team, points: int, reason: str, author: User, idempotency_key: str | None = None
) -> ScoreEvent:
    """A quizmaster's manual correction, with its reason and author.

    With an idempotency key, a repeated request (a double click, a retry) returns the row
    it created the first time. Locks: the team row, then the contest row (event seq).
    """
    source = f"adjustment:{idempotency_key or uuid.uuid4().hex}"
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        existing = ScoreEvent.objects.filter(team=team, reason=LedgerReason.ADJUSTMENT, source=source).first()
        if existing is not None:
            return existing
        row = ledger_append(
            team=team, reason=LedgerReason.ADJUSTMENT, source=source, points=points, author=author, note=reason
        )
        event_append(
            contest_id=team.contest_id,
            type="score.adjusted",
            payload={"team": team.pk, "points": points, "reason": reason, "score": team.score},
            scope=EventScope.TEAM,
            team_id=team.pk,
        )
    return row
