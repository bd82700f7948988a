"""Celery tasks of scoring: each takes ids, calls one service, and is safe to run twice
(the services claim their work with a conditional UPDATE in the transaction that does it).

Judge tasks go to the `judge` queue (CELERY_TASK_ROUTES), served by workers that may run
boxes: acknowledged late and rejected if the worker dies, so a killed worker's judging is
delivered again, and the claim lets exactly one run settle it.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings

from .judge.sandbox import sandbox_unavailable_reason, slots_sweep
from .judge.types import JudgeInternalError
from .judging import judging_run, judgings_reconcile
from .rescoring import live_question_score, regrade_run
from .sample_runs import sample_run_execute, sample_runs_expire

log = logging.getLogger(__name__)


@shared_task(name="scoring.live_question_score", ignore_result=True, time_limit=120, soft_time_limit=100)
def live_question_score_task(live_id: int) -> None:
    live_question_score(live_id=live_id)


@shared_task(name="scoring.regrade_run", ignore_result=True, time_limit=600, soft_time_limit=570)
def regrade_run_task(regrade_id: int) -> None:
    regrade_run(regrade_id=regrade_id)


@shared_task(
    name="scoring.judge_answer",
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.JUDGE_TASK_TIME_LIMIT_S,
    soft_time_limit=settings.JUDGE_TASK_TIME_LIMIT_S - 5,
    max_retries=None,  # the judging's own attempt counter ends it as IE
)
def judge_answer_task(self: Task[Any, Any], answer_id: int) -> None:
    token = self.request.id or ""
    # In the embedded default (eager) there is no worker to retry on, nor a beat to reconcile:
    # try again at once. The judging's attempt counter ends the loop with IE.
    for _ in range(settings.JUDGE_MAX_ATTEMPTS if self.request.is_eager else 1):
        try:
            judging_run(answer_id=answer_id, token=token)
            return
        except JudgeInternalError as error:
            log.warning("judging of answer %s failed, retrying: %s", answer_id, error)
            failure = error
    if not self.request.is_eager:
        raise self.retry(countdown=5) from failure


@shared_task(
    name="scoring.judge_sample_run",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.JUDGE_TASK_TIME_LIMIT_S,
    soft_time_limit=settings.JUDGE_TASK_TIME_LIMIT_S - 5,
)
def judge_sample_run_task(run_id: int) -> None:
    sample_run_execute(run_id=run_id)


@shared_task(name="scoring.reconcile_judgings", ignore_result=True, time_limit=60, soft_time_limit=50)
def reconcile_judgings_task() -> None:
    requeued, expired = judgings_reconcile(), sample_runs_expire()
    if requeued or expired:
        log.warning("reconciler: %s judgings re-enqueued, %s sample runs expired", requeued, expired)


@worker_ready.connect
def _judge_worker_ready(sender: Any = None, **_: Any) -> None:
    """A worker that serves the judge queue sweeps what dead workers left in the boxes."""
    app = getattr(sender, "app", None)
    consumed = set(app.amqp.queues.consume_from) if app is not None else set()
    if "judge" not in consumed or settings.JUDGE_BACKEND != "sandbox":
        return
    reason = sandbox_unavailable_reason()
    if reason is not None:
        log.error("this worker serves the judge queue but cannot run boxes: %s", reason)
        return
    slots_sweep()
