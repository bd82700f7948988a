"""Code answers: judged in the sandbox, scored once, best attempt kept, rejudged, reconciled.

These tests run the judge service in the test process (as a judge worker would, on real
boxes); tests/scoring/test_judge_worker.py runs it on a real Celery worker.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from rooms.models import Contest, ContestEvent, Question
from rooms.protocol import server_message_validate
from rooms.realtime import HOST, TEAM, event_text
from scoring.judge.types import JudgeResult, Verdict
from scoring.judging import judging_run, judgings_reconcile, rejudge_request
from scoring.models import Answer, AnswerStatus, Judging, JudgingState, LedgerReason, SampleRun, ScoreEvent
from scoring.sample_runs import sample_run_execute, sample_run_start, sample_runs_expire
from scoring.services import answer_submit
from teams.models import Team
from teams.services import claim_next

from ..factories import contest_make, pool_round, team_client, team_make

ADD = "a, b = map(int, input().split())\nprint(a + b)\n"
ADD_WRONG = "a, b = map(int, input().split())\nprint(a - b)\n"
# Right only when the sum is large: passes the weight-3 test, fails the weight-1 test.
ADD_HALF = "a, b = map(int, input().split())\nprint(a + b if a + b > 5 else 0)\n"
SYNTAX_ERROR = "print(\n"
HIDDEN_OUTPUT = "4711-secret"


def code_question(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "code",
        "prompt": "Add two numbers",
        "points": 100,
        "languages": ["python", "c"],
        "tests": [
            {"input": "1 2\n", "output": "3\n", "weight": 1, "sample": True},
            {"input": "4700 11\n", "output": "4711\n", "weight": 3},
        ],
        "time_limit_ms": 1000,
        "memory_mb": 64,
        **overrides,
    }


@pytest.fixture(autouse=True)
def judge_settings(settings: Any) -> Iterator[None]:
    # Box uids pass through the work directory's parents: pytest's tmp_path (0700) would stop them.
    work = Path(tempfile.mkdtemp(prefix="quizserver-judge-"))
    settings.JUDGE_BACKEND = "sandbox"
    settings.JUDGE_WORK_DIR = work
    settings.JUDGE_UID_BASE = 61000
    settings.JUDGE_SLOTS = 2
    yield
    shutil.rmtree(work, ignore_errors=True)


def _setup(**question: Any) -> tuple[Contest, Team, Question]:
    contest = contest_make()
    round_ = pool_round(contest, questions=[code_question(**question)])
    team = team_make(contest=contest, name="Coders")
    claim = claim_next(team=team, round_id=round_.pk)
    return contest, team, claim.question


def _submit(team: Team, question: Question, source: str, key: str, language: str = "python") -> int:
    result = answer_submit(
        team=team, question_id=question.pk, payload={"language": language, "source": source}, idempotency_key=key
    )
    assert result.status == 202, result.body
    return int(result.body["answer"]["id"])


def _judge(answer_id: int, token: str = "task-1") -> Verdict | None:  # noqa: S107 - a task id
    return judging_run(answer_id=answer_id, token=token)


def _score(team: Team) -> int:
    team.refresh_from_db()
    return team.score


pytestmark = pytest.mark.django_db


def test_an_accepted_answer_is_scored_once_and_pushed_with_its_verdict() -> None:
    contest, team, question = _setup()
    start = _score(team)
    answer_id = _submit(team, question, ADD, "k1")
    assert Answer.objects.get(pk=answer_id).status == AnswerStatus.QUEUED
    assert _judge(answer_id) == Verdict.AC
    answer = Answer.objects.select_related("judging").get(pk=answer_id)
    assert (answer.status, answer.correct, answer.points) == (AnswerStatus.SCORED, True, 100)
    assert [t["verdict"] for t in answer.judging.tests] == ["AC", "AC"]
    assert all(t["time_ms"] > 0 and t["memory_kb"] > 0 for t in answer.judging.tests)
    assert _score(team) == start + 100
    rows = ScoreEvent.objects.filter(team=team, reason=LedgerReason.ANSWER)
    assert [(r.source, r.points) for r in rows] == [(f"answer:{answer_id}", 100)]
    event = ContestEvent.objects.filter(contest=contest, type="answer.scored").get()
    assert event.payload["answer"]["judge"]["verdict"] == "AC"
    assert event.payload["answer"]["attempt"] == 1
    # The task again (a redelivered message) and a second task: nothing changes.
    assert _judge(answer_id) is None
    assert _judge(answer_id, token="task-2") is None
    assert _score(team) == start + 100
    assert ContestEvent.objects.filter(contest=contest, type="answer.scored").count() == 1


def test_partial_points_follow_the_weights_of_the_tests_passed() -> None:
    _, team, question = _setup()
    start = _score(team)
    answer_id = _submit(team, question, ADD_HALF, "k1")
    assert _judge(answer_id) == Verdict.WA
    assert Answer.objects.get(pk=answer_id).points == 75  # 3 of 4 weight
    assert _score(team) == start + 75


def test_all_or_nothing_gives_nothing_for_a_partly_right_program_and_skips_the_rest() -> None:
    _, team, question = _setup(
        all_or_nothing=True,
        tests=[
            {"input": "1 2\n", "output": "3\n", "weight": 1},
            {"input": "4700 11\n", "output": "4711\n", "weight": 3},
        ],
    )
    start = _score(team)
    answer_id = _submit(team, question, ADD_HALF, "k1")
    assert _judge(answer_id) == Verdict.WA
    judging = Judging.objects.get(pk=answer_id)
    assert [t["verdict"] for t in judging.tests] == ["WA", None]  # the second test never ran
    assert _score(team) == start


def test_the_best_attempt_counts_and_a_worse_later_one_never_lowers_it() -> None:
    _, team, question = _setup()
    start = _score(team)
    half = _submit(team, question, ADD_HALF, "k1")
    assert _judge(half) == Verdict.WA
    assert _score(team) == start + 75
    full = _submit(team, question, ADD, "k2")
    assert _judge(full) == Verdict.AC
    assert _score(team) == start + 100
    assert Answer.objects.get(pk=full).points == 25  # what it added over the best before it
    worse = _submit(team, question, ADD_WRONG, "k3")
    assert _judge(worse) == Verdict.WA
    assert _score(team) == start + 100
    assert Answer.objects.get(pk=worse).points == 0
    assert Answer.objects.filter(team=team, question=question).count() == 3


def test_wrong_attempts_cost_the_penalty_and_a_compilation_error_costs_nothing() -> None:
    _, team, question = _setup(wrong_attempt_penalty=10)
    start = _score(team)
    for key, source, verdict in [("k1", ADD_WRONG, Verdict.WA), ("k2", SYNTAX_ERROR, Verdict.CE)]:
        assert _judge(_submit(team, question, source, key)) == verdict
    assert _score(team) == start
    assert _judge(_submit(team, question, ADD, "k3")) == Verdict.AC
    assert _score(team) == start + 90  # one wrong attempt before it; the CE does not count


def test_the_attempt_limit_refuses_one_more_and_writes_nothing() -> None:
    _, team, question = _setup(max_attempts=1)
    _submit(team, question, ADD_WRONG, "k1")
    answers = Answer.objects.count()
    response = team_client(team).post(
        "/api/v1/me/answers",
        {"question": question.pk, "answer": {"language": "python", "source": ADD}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "attempts_exhausted"
    assert Answer.objects.count() == answers


def test_with_judging_turned_off_a_code_answer_is_refused_and_nothing_is_written(settings: Any) -> None:
    settings.JUDGE_BACKEND = "off"
    _, team, question = _setup()
    response = team_client(team).post(
        "/api/v1/me/answers",
        {"question": question.pk, "answer": {"language": "python", "source": ADD}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "judge_unavailable"
    assert "JUDGE_BACKEND=off" in body["detail"]
    assert not Answer.objects.exists()
    assert not Judging.objects.exists()


def test_with_tasks_in_process_and_no_sandbox_a_code_answer_is_refused(settings: Any, monkeypatch: Any) -> None:
    """The embedded default judges in the server's own process: without bubblewrap there,
    code is refused, never run unsandboxed."""
    import scoring.judge.sandbox as sandbox

    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setattr(sandbox, "BWRAP", "/nonexistent/bwrap")
    _, team, question = _setup()
    response = team_client(team).post(
        "/api/v1/me/answers",
        {"question": question.pk, "answer": {"language": "python", "source": ADD}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert response.status_code == 503
    assert "bubblewrap is not installed" in response.json()["detail"]
    assert not Answer.objects.exists()


def test_a_team_sees_verdicts_but_never_a_hidden_tests_data() -> None:
    _, team, question = _setup(
        tests=[
            {"input": "1 2\n", "output": "3\n", "sample": True},
            {"input": "4700 11\n", "output": HIDDEN_OUTPUT + "\n"},
        ]
    )
    # Prints its input and more, to stdout and stderr: none of it may reach the team.
    leaky = "import sys\ndata = sys.stdin.read()\nprint(data)\nprint(data, file=sys.stderr)\n"
    answer_id = _submit(team, question, leaky, "k1")
    _judge(answer_id)
    body = team_client(team).get(f"/api/v1/me/answers/{answer_id}").json()
    assert body["judge"]["verdict"] == "WA"
    assert [set(t) for t in body["judge"]["tests"]] == [{"verdict", "time_ms", "memory_kb"}] * 2
    text = str(body) + str(list(ContestEvent.objects.values_list("payload", flat=True)))
    assert "4700" not in text
    assert HIDDEN_OUTPUT not in text


def test_a_rejudge_after_a_test_is_fixed_moves_the_score_to_the_new_best() -> None:
    _, team, question = _setup()
    start = _score(team)
    answer_id = _submit(team, question, ADD_HALF, "k1")
    _judge(answer_id)
    assert _score(team) == start + 75
    # The quizmaster finds the first test wrong (the program's 0 was meant to be right).
    question.key["tests"][0]["output"] = "0\n"
    question.save(update_fields=["key"])
    assert rejudge_request(answers=[answer_id]) == 1
    assert Answer.objects.get(pk=answer_id).status == AnswerStatus.QUEUED
    assert _judge(answer_id, token="rejudge-1") == Verdict.AC
    assert _score(team) == start + 100
    rows = list(ScoreEvent.objects.filter(team=team, source__startswith=f"answer:{answer_id}").order_by("id"))
    assert [(r.source, r.reason, r.points) for r in rows] == [
        (f"answer:{answer_id}", LedgerReason.ANSWER, 75),
        (f"answer:{answer_id}:rejudge:1", LedgerReason.REGRADE, 25),
    ]
    assert Answer.objects.get(pk=answer_id).points == 100
    # Rejudged again with nothing changed: no row, same score.
    rejudge_request(answers=[answer_id])
    _judge(answer_id, token="rejudge-2")
    assert _score(team) == start + 100
    assert ScoreEvent.objects.filter(team=team, source__startswith=f"answer:{answer_id}").count() == 2


def test_a_run_holding_an_old_claim_cannot_settle_after_a_rejudge() -> None:
    from scoring.judging import _judging_claim, judging_settle

    _, team, question = _setup()
    answer_id = _submit(team, question, ADD, "k1")
    assert _judging_claim(answer_id=answer_id, token="old") is not None
    rejudge_request(answers=[answer_id])
    assert not judging_settle(answer_id=answer_id, token="old", result=JudgeResult(Verdict.AC))
    assert _judge(answer_id, token="new") == Verdict.AC
    assert ScoreEvent.objects.filter(source__startswith=f"answer:{answer_id}").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_tasks_at_once_judge_once() -> None:
    _, team, question = _setup()
    start = _score(team)
    answer_id = _submit(team, question, ADD, "k1")
    barrier = threading.Barrier(2)
    verdicts: list[Verdict | None] = []

    def run(token: str) -> None:
        barrier.wait()
        try:
            verdicts.append(_judge(answer_id, token=token))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"task-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(verdicts, key=str) == sorted([Verdict.AC, None], key=str)
    assert _score(team) == start + 100
    assert Judging.objects.get(pk=answer_id).attempts == 1


def test_a_judging_that_keeps_failing_ends_as_ie_worth_nothing(settings: Any) -> None:
    _, team, question = _setup()
    start = _score(team)
    answer_id = _submit(team, question, ADD, "k1")
    Judging.objects.filter(pk=answer_id).update(attempts=settings.JUDGE_MAX_ATTEMPTS)
    assert _judge(answer_id) == Verdict.IE
    answer = Answer.objects.select_related("judging").get(pk=answer_id)
    assert (answer.status, answer.points, answer.judging.verdict) == (AnswerStatus.SCORED, 0, "IE")
    assert _score(team) == start


def test_the_reconciler_requeues_lost_and_abandoned_judgings_only() -> None:
    _, team, question = _setup()
    fresh, lost, abandoned, done = (_submit(team, question, ADD, f"k{i}") for i in range(4))
    long_ago = timezone.now() - timedelta(hours=2)
    Judging.objects.filter(pk=lost).update(enqueued_at=long_ago)
    Judging.objects.filter(pk=abandoned).update(state=JudgingState.RUNNING, token="dead", started_at=long_ago)
    _judge(done)
    Judging.objects.filter(pk=done).update(enqueued_at=long_ago)
    assert judgings_reconcile() == 2
    # The abandoned one is taken over by a new task; the fresh queued one is left to its own task.
    assert _judge(abandoned, token="reconciler") == Verdict.AC
    assert Judging.objects.get(pk=abandoned).attempts == 1
    assert Judging.objects.get(pk=fresh).state == JudgingState.QUEUED


def test_a_sample_run_shows_the_samples_output_and_scores_nothing() -> None:
    contest, team, question = _setup()
    start = _score(team)
    response = team_client(team).post(
        "/api/v1/me/runs",
        {"question": question.pk, "answer": {"language": "python", "source": "print(input())\n"}},
        format="json",
    )
    assert response.status_code == 202, response.json()
    run_id = response.json()["run"]["id"]
    again = team_client(team).post(
        "/api/v1/me/runs",
        {"question": question.pk, "answer": {"language": "python", "source": ADD}},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "run_in_progress"
    run = sample_run_execute(run_id=run_id)
    assert run is not None
    assert run.verdict == "WA"
    assert len(run.tests) == 1  # the sample only
    assert run.tests[0]["stdout"] == "1 2\n"
    assert sample_run_execute(run_id=run_id) is None
    body = team_client(team).get(f"/api/v1/me/runs/{run_id}").json()["run"]
    assert body["status"] == "done"
    assert ContestEvent.objects.filter(contest=contest, type="run.done").count() == 1
    assert _score(team) == start
    assert not Answer.objects.exists()


def test_a_sample_run_left_behind_expires_so_the_team_can_run_again() -> None:
    _, team, question = _setup()
    run = sample_run_start(team=team, question_id=question.pk, payload={"language": "python", "source": ADD})
    SampleRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert sample_runs_expire() == 1
    assert SampleRun.objects.get(pk=run.pk).verdict == "IE"
    sample_run_start(team=team, question_id=question.pk, payload={"language": "python", "source": ADD})


def test_every_event_the_judge_writes_fits_the_protocol_for_each_role() -> None:
    contest, team, question = _setup()
    _judge(_submit(team, question, ADD, "k1"))
    _judge(_submit(team, question, SYNTAX_ERROR, "k2"))
    run = sample_run_start(team=team, question_id=question.pk, payload={"language": "python", "source": ADD})
    sample_run_execute(run_id=run.pk)
    events = list(
        ContestEvent.objects.filter(contest=contest, type__in=("answer.recorded", "answer.scored", "run.done"))
    )
    assert sorted({e.type for e in events}) == ["answer.recorded", "answer.scored", "run.done"]
    for event in events:
        for role in (HOST, TEAM):
            server_message_validate(event_text(event=event, epoch=1, role=role))


def test_a_failing_judge_gives_the_work_back_then_ends_as_ie(settings: Any) -> None:
    from scoring.judge.types import JudgeInternalError

    _, team, question = _setup()
    start = _score(team)
    answer_id = _submit(team, question, ADD, "k1")
    hidden = Path(tempfile.mkdtemp(prefix="quizserver-judge-hidden-"))  # 0700: boxes cannot reach it
    settings.JUDGE_WORK_DIR = hidden / "judge"
    try:
        for attempt in range(1, settings.JUDGE_MAX_ATTEMPTS):
            with pytest.raises(JudgeInternalError, match="cannot pass through"):
                _judge(answer_id, token=f"try-{attempt}")
            judging = Judging.objects.get(pk=answer_id)
            assert (judging.state, judging.attempts, judging.token) == (JudgingState.QUEUED, attempt, "")
            assert Answer.objects.get(pk=answer_id).status == AnswerStatus.QUEUED
        assert _judge(answer_id, token="last") == Verdict.IE
    finally:
        shutil.rmtree(hidden)
    judging = Judging.objects.get(pk=answer_id)
    assert "cannot pass through" in judging.detail
    assert _score(team) == start


def test_in_process_judging_retries_at_once_and_ends_as_ie_without_an_error(settings: Any) -> None:
    """The embedded default runs the task in the request (eager): a failing judge must not
    turn an acknowledged answer into a 500; it is tried again at once, then IE."""
    from scoring.tasks import judge_answer_task

    _, team, question = _setup()
    answer_id = _submit(team, question, ADD, "k1")
    hidden = Path(tempfile.mkdtemp(prefix="quizserver-judge-hidden-"))
    settings.JUDGE_WORK_DIR = hidden / "judge"
    try:
        judge_answer_task.apply(args=(answer_id,), throw=True)
    finally:
        shutil.rmtree(hidden)
    judging = Judging.objects.get(pk=answer_id)
    assert (judging.state, judging.verdict) == (JudgingState.DONE, "IE")
    assert judging.attempts == settings.JUDGE_MAX_ATTEMPTS  # the last failure is the IE


# Right only when the sum is large: passes the weight-3 test, fails the weight-1 test.
HALF_RIGHT = {
    "python": ADD_HALF,
    "c": '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b>5?a+b:0);}\n',
    "cpp": "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<(a+b>5?a+b:0)<<'\\n';}\n",
    "java": (
        "import java.util.*;\npublic class Main{public static void main(String[] x){Scanner s=new Scanner(System.in);"
        "long a=s.nextLong(),b=s.nextLong();System.out.println(a+b>5?a+b:0);}}\n"
    ),
    "javascript": (
        "const [a,b]=require('fs').readFileSync(0,'utf8').trim().split(/\\s+/).map(Number);console.log(a+b>5?a+b:0);\n"
    ),
}


@pytest.mark.parametrize("language", sorted(HALF_RIGHT))
def test_partial_points_by_weights_in_every_language(language: str) -> None:
    _, team, question = _setup(languages=sorted(HALF_RIGHT))
    start = _score(team)
    answer_id = _submit(team, question, HALF_RIGHT[language], "k1", language=language)
    assert _judge(answer_id) == Verdict.WA
    assert [t["verdict"] for t in Judging.objects.get(pk=answer_id).tests] == ["WA", "AC"]
    assert _score(team) == start + 75  # 3 of the 4 weight
