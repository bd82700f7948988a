"""Celery tasks of live rounds: the timers that close questions without a person.

A question closes at its deadline through an ETA task, scheduled when it opens (and again
when it resumes or is extended): it fires at the deadline itself, where a periodic tick
would close up to a whole tick late and make every answer's deadline fuzzy. ETA tasks live
in the worker's memory until due, so one can be lost with its worker; `live_timers_sweep`,
run by Celery beat every LIVE_SWEEP_INTERVAL_S, closes any question whose timer was lost.
Both call `live_close_due`, which closes only a question that is open and overdue, so a
stale, early, repeated or lost timer never closes the wrong thing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .broadcast import later
from .live import live_close_due, live_overdue_ids

logger = logging.getLogger(__name__)


@shared_task(name="rooms.live_question_close_due", ignore_result=True, time_limit=30, soft_time_limit=25)
def live_question_close_due(live_id: int) -> None:
    live_close_due(live_id=live_id)


@shared_task(name="rooms.live_timers_sweep", ignore_result=True, time_limit=60, soft_time_limit=50)
def live_timers_sweep() -> None:
    # Grace: a timer that is merely due this instant is its ETA task's to run.
    for live_id in live_overdue_ids(grace_s=settings.LIVE_SWEEP_INTERVAL_S):
        if live_close_due(live_id=live_id):
            logger.warning("Live question %s closed by the sweep: its timer was lost", live_id)


def live_timer_schedule(*, live_id: int, at: datetime) -> None:
    """Close the question at `at`, whoever is there to do it."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The embedded default has no worker to hold a task until its ETA (eager
        # apply_async would run it at once): the server process keeps the timer itself.
        delay = max(0.0, (at - timezone.now()).total_seconds())
        later(delay, live_close_due, live_id=live_id)
        return
    live_question_close_due.apply_async(args=(live_id,), eta=at)
