"""Celery tasks of scoring: each takes ids, calls one service, and is safe to run twice
(the services claim their work with a conditional UPDATE in the transaction that does it)."""

from __future__ import annotations

from celery import shared_task

from .rescoring import live_question_score, regrade_run


@shared_task(name="scoring.live_question_score", ignore_result=True, time_limit=120, soft_time_limit=100)
def live_question_score_task(live_id: int) -> None:
    live_question_score(live_id=live_id)


@shared_task(name="scoring.regrade_run", ignore_result=True, time_limit=600, soft_time_limit=570)
def regrade_run_task(regrade_id: int) -> None:
    regrade_run(regrade_id=regrade_id)
