"""Sample runs: a team runs its code against a question's sample tests before submitting.

Not scored and not an attempt: the team sees each sample's verdict and its program's output
(samples are public), over the socket (`run.done`) and by GET. A team has one run at a
time; the view's throttle limits how often it starts one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rooms.errors import NotFound
from rooms.events import event_append
from rooms.models import EventScope, Question, QuestionType, RoundKind
from rooms.question_types import QUESTION_TYPES
from teams.models import Claim, ClaimStatus, Team
from teams.services import team_can_play_round

from .errors import NotCode, QuestionNotClaimed, QuestionNotOpen, RunInProgress
from .judge.backends import judge_backend
from .judge.types import JudgeInternalError, JudgeResult, Verdict
from .judging import judge_available_check, judge_request
from .models import SampleRun, SampleRunStatus


def sample_run_start(*, team: Team, question_id: int, payload: Any) -> SampleRun:
    """Queue a run of the team's code on the question's samples.

    The question must be one the team may answer now (held in a pool round, open in a live
    round). Locks: the team row (one run at a time per team), then the contest row (event).
    """
    question = (
        Question.objects.select_related("round__contest")
        .filter(pk=question_id, round__contest_id=team.contest_id)
        .first()
    )
    if question is None:
        raise NotFound("This contest has no such question.")
    if question.type != QuestionType.CODE:
        raise NotCode()
    parsed = QUESTION_TYPES[question.type].parse_answer(question, payload)
    with transaction.atomic():
        team = Team.objects.select_for_update(of=("self",)).select_related("contest").get(pk=team.pk)
        team_can_play_round(team=team, round_=question.round)
        _may_answer(team=team, question=question)
        if SampleRun.objects.filter(team=team, status__in=(SampleRunStatus.QUEUED, SampleRunStatus.RUNNING)).exists():
            raise RunInProgress()
        judge_available_check()
        run = SampleRun.objects.create(
            team=team, question=question, language=parsed["language"], source=parsed["source"]
        )
        from .tasks import judge_sample_run_task  # tasks import this module

        transaction.on_commit(lambda: judge_sample_run_task.delay(run.pk))
    return run


def _may_answer(*, team: Team, question: Question) -> None:
    if question.round.kind == RoundKind.LIVE:
        live = getattr(question, "live", None)
        if live is None or live.status != "open":
            raise QuestionNotOpen("Runs are taken while the question is open.")
    elif not Claim.objects.filter(
        team=team, question=question, status__in=(ClaimStatus.HELD, ClaimStatus.ANSWERED)
    ).exists():
        raise QuestionNotClaimed()


def sample_run_execute(*, run_id: int) -> SampleRun | None:
    """Run it (claimed by a conditional UPDATE; None when another run took it). A failure
    of the judge itself ends the run as IE: it is only a trial, not worth a retry."""
    claimed = SampleRun.objects.filter(pk=run_id, status=SampleRunStatus.QUEUED).update(status=SampleRunStatus.RUNNING)
    if not claimed:
        return None
    run = SampleRun.objects.select_related("question").get(pk=run_id)
    payload = {"language": run.language, "source": run.source}
    request = judge_request(question=run.question, payload=payload, samples_only=True)
    backend = judge_backend()
    try:
        if backend is None or not request.tests:
            raise JudgeInternalError("nothing to run" if backend else "code judging is turned off")
        result = backend.judge(request)
    except JudgeInternalError as error:
        result = JudgeResult(Verdict.IE, detail=str(error))
    return _sample_run_finish(run=run, result=result)


def _sample_run_finish(*, run: SampleRun, result: JudgeResult) -> SampleRun | None:
    with transaction.atomic():
        finished = SampleRun.objects.filter(pk=run.pk, status=SampleRunStatus.RUNNING).update(
            status=SampleRunStatus.DONE,
            verdict=result.verdict.value,
            tests=[test.as_dict() for test in result.tests],
            compile_output=result.compile_output,
            finished_at=timezone.now(),
        )
        if not finished:
            return None
        run.refresh_from_db()
        event_append(
            contest_id=run.question.round.contest_id,
            type="run.done",
            payload={"team": run.team_id, "run": sample_run_view(run)},
            scope=EventScope.TEAM,
            team_id=run.team_id,
        )
    return run


def sample_runs_expire() -> int:
    """Runs stuck queued or running (a lost message, a dead worker) end as IE, so the team
    can start another."""
    before = timezone.now() - timedelta(seconds=settings.JUDGE_TASK_TIME_LIMIT_S + 60)
    return SampleRun.objects.filter(
        status__in=(SampleRunStatus.QUEUED, SampleRunStatus.RUNNING), created_at__lt=before
    ).update(status=SampleRunStatus.DONE, verdict=Verdict.IE.value, finished_at=timezone.now())


def sample_run_get(*, team: Team, run_id: int) -> SampleRun:
    run = SampleRun.objects.filter(pk=run_id, team=team).first()
    if run is None:
        raise NotFound("Your team has no sample run with this id.")
    return run


def sample_run_view(run: SampleRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "question": run.question_id,
        "language": run.language,
        "status": run.status,
        "verdict": run.verdict or None,
        "tests": run.tests,
        "compile_output": run.compile_output,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }
