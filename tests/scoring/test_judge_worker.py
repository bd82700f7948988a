"""Judging on a real Celery worker of the `judge` queue, killed with SIGKILL mid-judging."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from quizserver.celery import app
from rooms.models import ContestEvent
from scoring.judge.sandbox import uid_processes
from scoring.models import Answer, Judging, JudgingState, ScoreEvent
from scoring.services import answer_submit
from teams.services import claim_next

from ..factories import contest_make, pool_round, team_make
from ..worker import database_url, worker_running
from .test_judging import code_question

pytestmark = pytest.mark.django_db(transaction=True)

UID_BASE = 61100
SLOTS = 2
# Slow enough to be caught mid-judging: each test sleeps before it answers.
SLOW_ADD = "import time\ntime.sleep(1)\na, b = map(int, input().split())\nprint(a + b)\n"


@pytest.fixture
def work_dir() -> Iterator[Path]:
    work = Path(tempfile.mkdtemp(prefix="quizserver-judge-"))
    yield work
    shutil.rmtree(work, ignore_errors=True)


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _box_processes() -> list[int]:
    return [pid for slot in range(SLOTS) for pid in uid_processes(UID_BASE + slot)]


def test_a_worker_killed_mid_judging_leaves_one_verdict_and_one_ledger_row(work_dir: Path, tmp_path: Path) -> None:
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("judge")  # type: ignore[attr-defined]
    contest = contest_make()
    round_ = pool_round(contest, questions=[code_question(time_limit_ms=2000)])
    team = team_make(contest=contest, name="Survivors")
    question = claim_next(team=team, round_id=round_.pk).question
    start = team.score
    result = answer_submit(
        team=team, question_id=question.pk, payload={"language": "python", "source": SLOW_ADD}, idempotency_key="k"
    )
    answer_id = result.body["answer"]["id"]
    env = {
        "JUDGE_WORK_DIR": str(work_dir),
        "JUDGE_UID_BASE": str(UID_BASE),
        "JUDGE_SLOTS": str(SLOTS),
        # The killed worker's message is delivered again this long after it was taken.
        "CELERY_VISIBILITY_TIMEOUT_S": "6",
    }
    log = tmp_path / "judge-worker.log"
    worker_args: dict[str, Any] = {"queues": "judge", "log": log, "database_url": database_url(), "env": env}

    with worker_running(**worker_args, name="judge-1") as worker:
        _wait_for(lambda: bool(_box_processes()), 60, "a box running the submission")
        assert Judging.objects.get(pk=answer_id).state == JudgingState.RUNNING
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert Judging.objects.get(pk=answer_id).state == JudgingState.RUNNING  # nobody settled it

    time.sleep(7)  # past the visibility timeout: Redis gives the unacknowledged task back
    with worker_running(**worker_args, name="judge-2"):
        _wait_for(lambda: Judging.objects.get(pk=answer_id).state == JudgingState.DONE, 60, "the verdict")
        time.sleep(2)  # a second delivery, if there were one, would have settled by now
    print(log.read_text()[-3000:])

    judging = Judging.objects.get(pk=answer_id)
    assert judging.verdict == "AC"
    assert judging.attempts == 2  # taken by the killed worker, then by its successor
    rows = ScoreEvent.objects.filter(team=team, source__startswith=f"answer:{answer_id}")
    assert [(r.source, r.points) for r in rows] == [(f"answer:{answer_id}", 100)]
    assert ContestEvent.objects.filter(contest=contest, type="answer.scored").count() == 1
    assert Answer.objects.get(pk=answer_id).points == 100
    team.refresh_from_db()
    assert team.score == start + 100
    assert _box_processes() == []  # the killed worker's box was swept
