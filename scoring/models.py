"""Answers and the append-only points ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rooms.models import Contest, Question, Round
from teams.models import Claim, Team


class AnswerStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SCORED = "scored"


class Answer(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="answers")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL)
    idempotency_key = models.CharField(max_length=128)
    # SHA-256 of the canonical request body: a replayed key must carry the same body.
    request_hash = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=AnswerStatus.choices, default=AnswerStatus.QUEUED)
    correct = models.BooleanField(null=True)
    points = models.IntegerField(default=0)
    # The body of the first 2xx response, returned again for a replayed key.
    response = models.JSONField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()
    # Code questions take several submissions, numbered from 1; every other type takes one.
    attempt = models.PositiveSmallIntegerField(default=1)
    # Live questions: the question's clock when the answer arrived (ms since it opened,
    # pauses left out), and the answering time the team had. The speed bonus reads these,
    # so a regrade recomputes it exactly.
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True)
    time_limit_ms = models.PositiveIntegerField(null=True, blank=True)
    speed_exempt = models.BooleanField(default=False)
    scored_at = models.DateTimeField(null=True, blank=True)
    # Hand grading (essays): the quizmaster's points and feedback.
    graded_points = models.IntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "idempotency_key"], name="answer_idempotency_key_unique"),
            models.UniqueConstraint(fields=["team", "question", "attempt"], name="answer_once_per_attempt"),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk} by {self.team_id} to {self.question_id}"


class LedgerReason(models.TextChoices):
    STARTING_POINTS = "starting_points"
    ANSWER = "answer"
    WRONG_ANSWER = "wrong_answer"
    SPEED_BONUS = "speed_bonus"
    STREAK_BONUS = "streak_bonus"
    MYSTERY_COST = "mystery_cost"
    MYSTERY_REWARD = "mystery_reward"
    ADJUSTMENT = "adjustment"
    REGRADE = "regrade"


class ScoreEvent(models.Model):
    """One change of a team's points. Rows are only ever added; a team's score is their sum."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="ledger")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="ledger")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=24, choices=LedgerReason.choices)
    # What caused the row ("answer:17", "claim:4", "adjustment:<uuid>"): with team and
    # reason it is unique, so a retried task or request cannot add the same row twice.
    source = models.CharField(max_length=80)
    points = models.IntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "reason", "source"], name="ledger_row_once"),
            models.CheckConstraint(condition=Q(reason__in=LedgerReason.values), name="ledger_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.points:+d} ({self.reason})"


class RegradeStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class Regrade(models.Model):
    """The audit entry of a regrade: who asked, what for, and what it changed."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="regrades")
    # Null: the whole contest.
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=8, choices=RegradeStatus.choices, default=RegradeStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Per team: the points the correction rows moved ({team id: points}).
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"regrade {self.pk} ({self.status})"


class Verdicts(models.TextChoices):
    AC = "AC", "accepted"
    WA = "WA", "wrong answer"
    TLE = "TLE", "time limit exceeded"
    MLE = "MLE", "memory limit exceeded"
    OLE = "OLE", "output limit exceeded"
    RE = "RE", "runtime error"
    CE = "CE", "compilation error"
    IE = "IE", "internal error"


class JudgingState(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class Judging(models.Model):
    """The judge's work on one code answer: who holds it, how often it was tried, and what
    it found. The answer's `status` says queued, running or scored."""

    answer = models.OneToOneField(Answer, primary_key=True, on_delete=models.CASCADE, related_name="judging")
    language = models.CharField(max_length=16)
    verdict = models.CharField(max_length=3, choices=Verdicts.choices, blank=True)
    # Points the tests earned (by weight, or all or nothing), before any wrong-attempt penalty.
    score = models.IntegerField(null=True, blank=True)
    tests = models.JSONField(default=list, blank=True)  # per test: verdict, time_ms, memory_kb
    compile_output = models.TextField(blank=True)
    detail = models.TextField(blank=True)  # what failed, for an IE (quizmasters only)
    backend = models.CharField(max_length=16, blank=True)
    time_ms = models.PositiveIntegerField(null=True, blank=True)
    memory_kb = models.PositiveIntegerField(null=True, blank=True)
    # The claim, taken and checked by conditional UPDATEs of this row: its state, the task
    # holding it (its Celery id), and how many times it was taken.
    state = models.CharField(max_length=8, choices=JudgingState.choices, default=JudgingState.QUEUED)
    token = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Rejudges asked for: each judging after the first writes its correction as its own row.
    generation = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "enqueued_at"], name="judging_state_enqueued")]

    def __str__(self) -> str:
        return f"judging of answer {self.answer_id} ({self.verdict or 'pending'})"


class SampleRunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class SampleRun(models.Model):
    """A team's code run against a question's sample tests: shown to the team, never scored."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sample_runs")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="sample_runs")
    language = models.CharField(max_length=16)
    source = models.TextField()
    status = models.CharField(max_length=8, choices=SampleRunStatus.choices, default=SampleRunStatus.QUEUED)
    verdict = models.CharField(max_length=3, choices=Verdicts.choices, blank=True)
    tests = models.JSONField(default=list, blank=True)  # per sample: verdict, time, memory, output
    compile_output = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"sample run {self.pk} ({self.status})"
