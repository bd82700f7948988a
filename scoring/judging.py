"""Code answers: judged on the `judge` queue, scored once per team and question.

A code answer is recorded like any other (`answer_submit`, 202) with a `Judging` row, and
a task is enqueued when the transaction commits. The task claims the judging with a
conditional UPDATE (its Celery id as the token), judges outside any transaction (the slow
part), and settles under the team lock with a second conditional UPDATE that only the
claim's holder passes. So a duplicated or redelivered task, a worker killed mid-judging
and retried, or a reconciler re-enqueue all end in exactly one verdict and one set of rows.

Points: an attempt is worth the points its tests earned (by weight, or all or nothing)
less the question's wrong-attempt penalty for each wrong attempt before it, never below
0. A team holds the best of its attempts: each settle writes the difference between that
best and what the ledger holds for the question, so a worse later attempt changes nothing
and a rejudge moves the score to the recomputed best.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rooms.events import event_append
from rooms.models import EventScope, Question
from teams.models import Team

from .errors import AttemptsExhausted, JudgeUnavailable
from .grading import answer_max_points
from .judge.backends import judge_backend, judge_unavailable_reason
from .judge.types import (
    WRONG_VERDICTS,
    CompareMode,
    JudgeInternalError,
    JudgeRequest,
    JudgeResult,
    TestCase,
    Verdict,
)
from .ledger import answer_id_of, answer_rows, answer_source, ledger_append
from .models import Answer, AnswerStatus, Judging, JudgingState, LedgerReason, ScoreEvent
from .selectors import answer_view
from .strategies import ScoringOptions

# --- At submission (inside answer_submit's transaction, the team row locked) --------------


def judge_available_check() -> None:
    """Refuse a code submission up front when nothing can judge it: never run it unsandboxed."""
    reason = judge_unavailable_reason()
    if reason is not None:
        raise JudgeUnavailable(reason)


def code_attempt_next(*, question: Question, earlier: list[Answer]) -> int:
    """The number of the team's next attempt at a code question; AttemptsExhausted past the
    question's limit. `earlier`: the team's answers to it, read under the team lock."""
    limit = question.content.get("max_attempts")
    if limit is not None and len(earlier) >= limit:
        raise AttemptsExhausted(f"This question allows {limit} attempts; your team has used them all.")
    return len(earlier) + 1


def judging_create(*, answer: Answer) -> Judging:
    judging = Judging.objects.create(answer=answer, language=answer.payload["language"], enqueued_at=timezone.now())
    judging_enqueue_on_commit(answer_id=answer.pk)
    return judging


def judging_enqueue_on_commit(*, answer_id: int) -> None:
    from .tasks import judge_answer_task  # tasks import this module

    transaction.on_commit(lambda: judge_answer_task.delay(answer_id))


# --- The judge task ----------------------------------------------------------------------


def judging_run(*, answer_id: int, token: str) -> Verdict | None:
    """Claim, judge and settle one code answer; None when another run holds or finished it.

    Safe to run twice: only a queued judging, one this token already holds (a redelivered
    task), or one whose holder went silent past the task's time limit can be claimed.
    After JUDGE_MAX_ATTEMPTS claims the verdict is IE, worth nothing.
    """
    judging = _judging_claim(answer_id=answer_id, token=token)
    if judging is None:
        return None
    if judging.attempts > settings.JUDGE_MAX_ATTEMPTS:
        result = JudgeResult(Verdict.IE, detail=f"judging failed {judging.attempts - 1} times")
    else:
        try:
            result = _judge(judging=judging)
        except JudgeInternalError as error:
            if judging.attempts < settings.JUDGE_MAX_ATTEMPTS:
                _judging_release(answer_id=answer_id, token=token)
                raise
            result = JudgeResult(Verdict.IE, detail=str(error))
    return result.verdict if judging_settle(answer_id=answer_id, token=token, result=result) else None


def _judging_claim(*, answer_id: int, token: str) -> Judging | None:
    """The conditional UPDATE that takes the work. Locks: the judging row, then the answer row."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.JUDGE_TASK_TIME_LIMIT_S + 60)
    running = Q(state=JudgingState.RUNNING) & (Q(token=token) | Q(started_at__lt=stale))
    with transaction.atomic():
        claimed = (
            Judging.objects.filter(pk=answer_id)
            .filter(Q(state=JudgingState.QUEUED) | running)
            .update(state=JudgingState.RUNNING, token=token, attempts=F("attempts") + 1, started_at=now)
        )
        if not claimed:
            return None
        Answer.objects.filter(pk=answer_id).update(status=AnswerStatus.RUNNING)
    return Judging.objects.select_related("answer__question__round", "answer__claim").get(pk=answer_id)


def _judging_release(*, answer_id: int, token: str) -> None:
    """Give the work back after a failure of the judge itself; the task is retried."""
    with transaction.atomic():
        released = Judging.objects.filter(pk=answer_id, state=JudgingState.RUNNING, token=token).update(
            state=JudgingState.QUEUED, token=""
        )
        if released:
            Answer.objects.filter(pk=answer_id).update(status=AnswerStatus.QUEUED)


def _judge(*, judging: Judging) -> JudgeResult:
    backend = judge_backend()
    if backend is None:
        raise JudgeInternalError("code judging is turned off (JUDGE_BACKEND=off)")
    reason = backend.unavailable_reason()
    if reason is not None:
        raise JudgeInternalError(reason)
    return backend.judge(judge_request(question=judging.answer.question, payload=judging.answer.payload))


def judge_request(*, question: Question, payload: dict[str, str], samples_only: bool = False) -> JudgeRequest:
    content = question.content
    tests = [
        TestCase(input=t["input"], output=t["output"], weight=t.get("weight", 1), sample=t.get("sample", False))
        for t in question.key["tests"]
        if t.get("sample", False) or not samples_only
    ]
    return JudgeRequest(
        language=payload["language"],
        source=payload["source"],
        tests=tests,
        time_limit_ms=content["time_limit_ms"],
        memory_mb=content["memory_mb"],
        compare=CompareMode(content.get("compare", CompareMode.WHITESPACE)),
        tolerance=content.get("tolerance", 1e-6),
        stop_on_failure=content.get("all_or_nothing", False) and not samples_only,
        show_output=samples_only,
    )


def judging_settle(*, answer_id: int, token: str, result: JudgeResult) -> bool:
    """Store the verdict and move the team's score to its best attempt; False when this
    token no longer holds the judging (a rejudge reset it, or a stale claim was taken over).

    Locks, in order: the team row, the judging row (the conditional UPDATE), the answer
    row, the contest row (event seq).
    """
    answer = Answer.objects.select_related("question__round", "claim").get(pk=answer_id)
    now = timezone.now()
    with transaction.atomic():
        team = Team.objects.select_for_update(of=("self",)).get(pk=answer.team_id)
        settled = Judging.objects.filter(pk=answer_id, state=JudgingState.RUNNING, token=token).update(
            state=JudgingState.DONE,
            verdict=result.verdict.value,
            score=_tests_score(answer=answer, result=result),
            tests=[test.as_dict() for test in result.tests],
            compile_output=result.compile_output,
            detail=result.detail,
            time_ms=result.time_ms(),
            memory_kb=result.memory_kb(),
            backend=settings.JUDGE_BACKEND,
            finished_at=now,
        )
        if not settled:
            return False
        _points_settle(team=team, answer=answer)
        answer.refresh_from_db()
        event_append(
            contest_id=team.contest_id,
            type="answer.scored",
            payload={"team": team.pk, "answer": answer_view(answer), "score": team.score},
            scope=EventScope.TEAM,
            team_id=team.pk,
        )
    return True


def _tests_score(*, answer: Answer, result: JudgeResult) -> int:
    """Points the tests earned: by weight, or all or nothing; none for CE and IE."""
    if result.verdict in (Verdict.CE, Verdict.IE) or not result.tests:
        return 0
    most = answer_max_points(answer) * ScoringOptions.of(answer.question.round).multiplier
    if answer.question.content.get("all_or_nothing", False):
        return round(most) if result.verdict == Verdict.AC else 0
    weights = [t["weight"] for t in answer.question.key["tests"]]
    passed = sum(w for w, test in zip(weights, result.tests, strict=True) if test.verdict == Verdict.AC)
    return round(most * passed / sum(weights))


def attempt_values(answers: list[Answer]) -> dict[int, int]:
    """What each judged attempt is worth: its tests' points less the penalty for every wrong
    attempt before it (in attempt order, whatever order they were judged in), at least 0."""
    values: dict[int, int] = {}
    wrong_before = 0
    for answer in sorted(answers, key=lambda a: a.attempt):
        judging = answer.judging
        penalty = answer.question.content.get("wrong_attempt_penalty", 0)
        if judging.state == JudgingState.DONE:
            values[answer.pk] = max(0, (judging.score or 0) - penalty * wrong_before)
        if judging.verdict in WRONG_VERDICTS:
            wrong_before += 1
    return values


def _points_settle(*, team: Team, answer: Answer) -> None:
    """Write the difference between the team's best attempt and what the ledger holds for
    the question, on the answer just judged; then each attempt's points are its rows' sum."""
    attempts = list(
        Answer.objects.filter(team=team, question_id=answer.question_id).select_related("judging", "question")
    )
    rows = list(ScoreEvent.objects.filter(team=team).filter(_rows_of(attempts)).values_list("source", "points"))
    best = max(attempt_values(attempts).values(), default=0)
    difference = best - sum(points for _, points in rows)
    if difference:
        generation = next(a.judging.generation for a in attempts if a.pk == answer.pk)
        first = generation == 0 and all(source != answer_source(answer.pk) for source, _ in rows)
        ledger_append(
            team=team,
            reason=LedgerReason.ANSWER if first else LedgerReason.REGRADE,
            source=answer_source(answer.pk) if first else answer_source(answer.pk, "rejudge", generation),
            points=difference,
            round_id=answer.question.round_id,
            note="" if first else "code rejudged",
        )
    held = sum(points for source, points in rows if answer_id_of(source) == answer.pk) + difference
    verdict = next(a.judging.verdict for a in attempts if a.pk == answer.pk)
    Answer.objects.filter(pk=answer.pk).update(
        status=AnswerStatus.SCORED, correct=verdict == Verdict.AC, points=held, scored_at=timezone.now()
    )


def _rows_of(answers: list[Answer]) -> Q:
    condition = Q(pk__in=[])
    for answer in answers:
        condition |= answer_rows(answer.pk)
    return condition


# --- Rejudge and reconcile ---------------------------------------------------------------


def rejudge_request(*, answers: list[int]) -> int:
    """Judge these code answers again (a fixed test, a judge fault); returns how many were
    queued. Each is reset to queued with a new generation, so a run still holding the old
    claim cannot settle; the new judging writes its difference as a correction row.
    Locks: the judging rows, then the answer rows."""
    with transaction.atomic():
        ids = list(
            Judging.objects.select_for_update()
            .filter(pk__in=answers)
            .exclude(state=JudgingState.QUEUED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Judging.objects.filter(pk__in=ids).update(
            state=JudgingState.QUEUED,
            token="",
            attempts=0,
            generation=F("generation") + 1,
            enqueued_at=timezone.now(),
        )
        Answer.objects.filter(pk__in=ids).update(status=AnswerStatus.QUEUED)
        for answer_id in ids:
            judging_enqueue_on_commit(answer_id=answer_id)
    return len(ids)


def judgings_reconcile() -> int:
    """Re-enqueue judgings left behind: queued longer than JUDGE_QUEUED_STALE_S (a lost
    message), or running past the task's time limit (a worker that died). A re-enqueued
    task that finds the work taken does nothing. Returns how many were re-enqueued."""
    now = timezone.now()
    queued_before = now - timedelta(seconds=settings.JUDGE_QUEUED_STALE_S)
    running_before = now - timedelta(seconds=settings.JUDGE_TASK_TIME_LIMIT_S + 60)
    with transaction.atomic():
        stuck = list(
            Judging.objects.filter(
                Q(state=JudgingState.QUEUED, enqueued_at__lt=queued_before)
                | Q(state=JudgingState.RUNNING, started_at__lt=running_before)
            ).values_list("pk", flat=True)[:1000]
        )
        Judging.objects.filter(pk__in=stuck, state=JudgingState.QUEUED).update(enqueued_at=now)
        for answer_id in stuck:
            judging_enqueue_on_commit(answer_id=answer_id)
    return len(stuck)
