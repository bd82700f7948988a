"""Teams and their claims on pool and mystery questions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from rooms.models import Contest, Question, Round


class TeamStatus(models.TextChoices):
    ACTIVE = "active"
    DISQUALIFIED = "disqualified"


class Team(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=64)
    members = models.JSONField(default=list, blank=True)
    # SHA-256 of the team's bearer token; the token itself is shown once, at join.
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=TeamStatus.choices, default=TeamStatus.ACTIVE)
    # A cache of the sum of this team's ScoreEvent rows, written in the same transaction.
    score = models.BigIntegerField(default=0)
    # When the team reached its current score: the leaderboard's tie-break.
    score_reached_at = models.DateTimeField()
    # `seq` of the newest event addressed to this team: the `prev` of its next one.
    last_event_seq = models.BigIntegerField(default=0)
    # Accommodations set by the quizmaster: more time on every live question (its own
    # deadline), and scoring without the speed bonus's dependence on time.
    extra_time_s = models.PositiveIntegerField(default=0)
    speed_exempt = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), "contest", name="team_name_unique_ci"),
        ]
        indexes = [
            models.Index(fields=["contest", "-score", "score_reached_at", "id"], name="team_board_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == TeamStatus.ACTIVE


class ClaimKind(models.TextChoices):
    POOL = "pool"
    MYSTERY = "mystery"


class ClaimStatus(models.TextChoices):
    HELD = "held"
    ANSWERED = "answered"


class Claim(models.Model):
    """A team's hold on a pool question or a mystery question it bought."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="claims")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="claims")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=8, choices=ClaimKind.choices, default=ClaimKind.POOL)
    # Copied from the round (and always true for mystery questions) so that the database
    # can enforce "one team per exclusive question" with a partial unique index.
    exclusive = models.BooleanField()
    status = models.CharField(max_length=8, choices=ClaimStatus.choices, default=ClaimStatus.HELD)
    # Mystery claims: what the box cost, and what a correct answer is worth.
    cost = models.PositiveIntegerField(default=0)
    reward = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "question"], name="claim_once_per_team"),
            models.UniqueConstraint(fields=["question"], condition=Q(exclusive=True), name="claim_exclusive_question"),
            models.CheckConstraint(
                condition=~Q(kind=ClaimKind.MYSTERY) | Q(exclusive=True, reward__isnull=False),
                name="claim_mystery_exclusive",
            ),
        ]
        indexes = [models.Index(fields=["team", "status"], name="claim_team_status_idx")]

    def __str__(self) -> str:
        return f"{self.team} holds {self.question_id}"


class FocusKind(models.TextChoices):
    HIDDEN = "hidden"  # the page was hidden: another tab or app, the screen locked
    BLUR = "blur"  # the window lost focus (another window in front)


class FocusReport(models.Model):
    """A team device's report that it left the quiz page, and for how long: a fair-play
    signal for the quizmaster, not proof of anything."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="focus_reports")
    device = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=FocusKind.choices)
    away_ms = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["team", "device"], name="focus_team_device")]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.device} {self.kind} {self.away_ms} ms"
