"""Contests, their rounds and questions, the question bank, and the contest event log."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


class ContestStatus(models.TextChoices):
    DRAFT = "draft"
    LOBBY = "lobby"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


def epoch_new() -> int:
    return secrets.randbelow(2**31 - 1) + 1


class Contest(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contests")
    title = models.CharField(max_length=200)
    # Eight characters of CODE_ALPHABET, stored without the dash that is shown (ABCD-EFGH).
    code = models.CharField(max_length=8, unique=True)
    status = models.CharField(max_length=16, choices=ContestStatus.choices, default=ContestStatus.DRAFT)
    settings = models.JSONField(default=dict, blank=True)
    # Sequence number of the newest ContestEvent; allocated with an atomic UPDATE.
    last_seq = models.BigIntegerField(default=0)
    # `seq` of the newest public event: the `prev` of the next one (see ContestEvent.prev).
    last_public_seq = models.BigIntegerField(default=0)
    # Names this contest's event log. Socket clients keep (epoch, seq); a different epoch
    # means their positions mean nothing here (another database, a rebuilt log): snapshot.
    epoch = models.PositiveIntegerField(default=epoch_new)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ContestStatus.values), name="contest_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.display_code})"

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class RoundKind(models.TextChoices):
    LIVE = "live"
    POOL = "pool"


class RoundStatus(models.TextChoices):
    PENDING = "pending"
    ACTIVE = "active"
    CLOSED = "closed"


class Round(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="rounds")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=RoundKind.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=RoundStatus.choices, default=RoundStatus.PENDING)
    # Pool rounds: with `exclusive`, a question goes to exactly one team.
    exclusive = models.BooleanField(default=True)
    # Pool rounds: how many unanswered questions a team may hold at once (null: no limit).
    claim_limit = models.PositiveIntegerField(null=True, blank=True, default=1)
    settings = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["contest_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "position"], name="round_position_unique"),
            models.CheckConstraint(condition=Q(kind__in=RoundKind.values), name="round_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title} ({self.kind})"


class Difficulty(models.TextChoices):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class MysteryBox(models.Model):
    """A pool round's offer: pay `cost` points for a random mystery question worth `reward`."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="mystery_boxes")
    difficulty = models.CharField(max_length=8, choices=Difficulty.choices)
    cost = models.PositiveIntegerField()
    reward = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "difficulty"], name="mystery_box_unique_difficulty"),
        ]

    def __str__(self) -> str:
        return f"{self.difficulty} box: cost {self.cost}, reward {self.reward}"


class QuestionType(models.TextChoices):
    CHOICE = "choice"
    NUMERIC = "numeric"
    TEXT = "text"
    CODE = "code"
    ESSAY = "essay"


class QuestionFields(models.Model):
    """What a question is, shared by round questions and the quizmaster's bank.

    `content` is what teams may see (choices, languages, sample tests); `key` holds what
    they must not see before the reveal (accepted answers, tolerance, hidden tests).
    Keeping them apart means no serializer can leak the key by including "the spec".
    """

    type = models.CharField(max_length=8, choices=QuestionType.choices)
    prompt = models.TextField()
    points = models.PositiveIntegerField(default=100)
    difficulty = models.CharField(max_length=8, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    time_limit_s = models.PositiveIntegerField(null=True, blank=True)
    mystery = models.BooleanField(default=False)
    content = models.JSONField(default=dict, blank=True)
    key = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class BankQuestion(QuestionFields):
    """A question in a quizmaster's reusable bank; copied into rounds."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bank")
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"[bank] {self.prompt[:60]}"


class Question(QuestionFields):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    source = models.ForeignKey(BankQuestion, null=True, blank=True, on_delete=models.SET_NULL)
    # Exclusive pool and mystery questions: set in the transaction that creates the claim.
    # Claims select on `taken = false … FOR UPDATE SKIP LOCKED`, so a row taken by a
    # transaction that committed after the select's snapshot is re-checked and skipped.
    taken = models.BooleanField(default=False)

    class Meta:
        ordering = ["round_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="question_position_unique"),
            models.CheckConstraint(condition=Q(type__in=QuestionType.values), name="question_type_valid"),
        ]
        indexes = [
            # The next pool question, and a mystery draw, read only untaken rows: without
            # these, each claim filters past every question taken before it.
            models.Index(
                fields=["round", "position"], condition=Q(taken=False, mystery=False), name="question_pool_next_idx"
            ),
            models.Index(
                fields=["round", "difficulty"], condition=Q(taken=False, mystery=True), name="question_mystery_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.position} {self.prompt[:60]}"


class LiveStatus(models.TextChoices):
    OPEN = "open"  # the timer runs; answers are taken
    PAUSED = "paused"  # the timer is stopped with `remaining_ms` left; answers are refused
    CLOSED = "closed"  # no more answers; scored by a task
    REVEALED = "revealed"  # the accepted answer is public
    SKIPPED = "skipped"  # abandoned: its answers are never scored


class LiveQuestion(models.Model):
    """One question's play in a live round: the state machine and its stored deadline.

    The server's clock decides: `deadline` is when answers stop for teams without extra
    time; a team with `Team.extra_time_s` answers until `deadline` plus that. The question
    closes for everyone at `closes_at` (the latest team deadline), by a timer task or by the
    quizmaster. While paused, both are null and `remaining_ms` holds the time left.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="live_questions")
    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="live")
    status = models.CharField(max_length=8, choices=LiveStatus.choices, default=LiveStatus.OPEN)
    # The answering time: the question's limit, plus every extension.
    time_limit_ms = models.PositiveIntegerField()
    # The most extra time any team had when the question opened: `closes_at - deadline`.
    extra_ms = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    remaining_ms = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LiveStatus.values), name="live_status_valid"),
            # At most one question of a round is being answered at a time.
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(status__in=[LiveStatus.OPEN, LiveStatus.PAUSED]),
                name="live_one_running_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["closes_at"], condition=Q(status=LiveStatus.OPEN), name="live_open_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"live {self.question_id} ({self.status})"


class EventScope(models.TextChoices):
    PUBLIC = "public"  # anyone watching the contest
    TEAM = "team"  # one team's devices (and hosts)
    HOST = "host"  # quizmasters only


class ContestEvent(models.Model):
    """Append-only log of a contest's state changes, numbered per contest by `seq`."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=48)
    scope = models.CharField(max_length=8, choices=EventScope.choices, default=EventScope.PUBLIC)
    team = models.ForeignKey("teams.Team", null=True, blank=True, on_delete=models.CASCADE)
    payload = models.JSONField(default=dict)
    # The `seq` of the previous event in this event's stream (the public stream, or the
    # team's own), 0 for the first; null for host events, whose stream is the whole log.
    # A socket client that sees `prev` differ from the last seq it holds knows it missed one.
    prev = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contest_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "seq"], name="contest_event_seq_unique"),
            models.CheckConstraint(
                condition=~Q(scope=EventScope.TEAM) | Q(team__isnull=False), name="contest_event_team_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type}"


class HostToken(models.Model):
    """An API token of a quizmaster. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="host_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"token of {self.user}"
