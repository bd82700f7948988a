"""Scoring from stored answers: a live question at its close, and regrades.

Both rest on one function, `round_expected`, that recomputes from scratch what every scored
answer of a round is worth under the round's strategy and the questions' current keys
(streaks included, in the order the live questions were played). Scoring a question writes
its answers' lines; a regrade writes, per answer, the difference between that and what the
ledger holds, as a correction row. So a regrade run twice, or after any change of a key,
leaves every score equal to a recompute from scratch.

Ledger rows about an answer have the source `answer:<id>` (first scoring) or
`answer:<id>:<cause>` (corrections: `:regrade:<n>`, `:grade:<n>`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rooms.events import event_append
from rooms.models import Contest, EventScope, LiveQuestion, LiveStatus, Question, Round, RoundKind
from rooms.question_types import QUESTION_TYPES
from teams.models import Team

from .ledger import ANSWER_PREFIX, answer_id_of, answer_source, ledger_append
from .models import Answer, AnswerStatus, LedgerReason, Regrade, RegradeStatus, ScoreEvent
from .selectors import answer_view
from .strategies import LedgerLine, ScoringContext, strategy_for


@dataclass(frozen=True)
class Expected:
    """What an answer is worth, recomputed."""

    correct: bool | None
    lines: list[LedgerLine]

    @property
    def points(self) -> int:
        return sum(line.points for line in self.lines)


def answer_expected(*, answer: Answer, round_: Round, streak: int = 0) -> Expected:
    """One answer's worth, from its stored payload and the question's current key."""
    question = answer.question
    spec = QUESTION_TYPES[question.type]
    if not spec.auto_scored:
        # Graded by hand (or by the judge): the grade stands as given.
        points = answer.graded_points if answer.graded_points is not None else answer.points
        return Expected(answer.correct, [LedgerLine(LedgerReason.ANSWER, points)] if points else [])
    answer.correct = bool(spec.is_correct(question, answer.payload))
    lines = strategy_for(round_).lines(answer=answer, round_=round_, context=ScoringContext(streak=streak))
    return Expected(answer.correct, lines)


def round_expected(*, round_: Round) -> dict[int, Expected]:
    """Every scored answer of the round (and, mid-scoring, the question being scored), by id."""
    answers = Answer.objects.filter(question__round=round_).select_related("question", "claim")
    if round_.kind == RoundKind.POOL:
        return {a.pk: answer_expected(answer=a, round_=round_) for a in answers if a.status == AnswerStatus.SCORED}
    played = list(
        LiveQuestion.objects.filter(round=round_, scored_at__isnull=False)
        .exclude(status=LiveStatus.SKIPPED)
        .order_by("id")
        .values_list("question_id", flat=True)
    )
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers.filter(question_id__in=played):
        by_question[answer.question_id].append(answer)
    streaks: dict[int, int] = defaultdict(int)
    expected: dict[int, Expected] = {}
    for question_id in played:
        answered = set()
        for answer in by_question[question_id]:
            worth = answer_expected(answer=answer, round_=round_, streak=streaks[answer.team_id])
            expected[answer.pk] = worth
            answered.add(answer.team_id)
            streaks[answer.team_id] = streaks[answer.team_id] + 1 if worth.correct else 0
        for team_id in set(streaks) - answered:
            streaks[team_id] = 0  # a question left unanswered breaks the run
    return expected


def live_question_score(*, live_id: int) -> int:
    """Score every answer of a closed live question; returns how many were scored.

    Exactly once: the conditional UPDATE that claims the work (`scored_at` from null) is in
    the transaction that writes the rows, so a second run finds it claimed and changes
    nothing, and a crash undoes claim and rows together for the retry. Answers of a type
    graded by hand wait for their grade. Locks, in order: the LiveQuestion row, the
    answering teams' rows (by id), the contest row (events). The board is pushed once,
    after commit (ledger rows coalesce their pushes).
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = LiveQuestion.objects.filter(
            pk=live_id, status__in=(LiveStatus.CLOSED, LiveStatus.REVEALED), scored_at__isnull=True
        ).update(scored_at=now)
        if not claimed:
            return 0
        live = LiveQuestion.objects.select_related("round__contest", "question").get(pk=live_id)
        if not QUESTION_TYPES[live.question.type].auto_scored:
            return 0
        answers = list(
            Answer.objects.filter(question_id=live.question_id, status=AnswerStatus.QUEUED).select_related("question")
        )
        teams = _teams_locked(team_ids=[a.team_id for a in answers])
        expected = round_expected(round_=live.round)
        for answer in answers:
            worth = expected[answer.pk]
            _write_lines(team=teams[answer.team_id], answer=answer, lines=worth.lines, source=answer_source(answer.pk))
            answer.correct, answer.points = worth.correct, worth.points
            answer.status, answer.scored_at = AnswerStatus.SCORED, now
            answer.save(update_fields=["correct", "points", "status", "scored_at"])
            _answer_scored_event(team=teams[answer.team_id], answer=answer)
    return len(answers)


def _teams_locked(*, team_ids: list[int]) -> dict[int, Team]:
    # In id order: two transactions locking the same teams never wait on each other in a circle.
    return {t.pk: t for t in Team.objects.select_for_update().filter(pk__in=set(team_ids)).order_by("pk")}


def _write_lines(*, team: Team, answer: Answer, lines: list[LedgerLine], source: str) -> None:
    for line in lines:
        ledger_append(
            team=team, reason=line.reason, source=source, points=line.points, round_id=answer.question.round_id
        )


def _answer_scored_event(*, team: Team, answer: Answer) -> None:
    event_append(
        contest_id=team.contest_id,
        type="answer.scored",
        payload={"team": team.pk, "answer": answer_view(answer), "score": team.score},
        scope=EventScope.TEAM,
        team_id=team.pk,
    )


# --- Regrade ----------------------------------------------------------------------------


def regrade_request(*, contest: Contest, question: Question | None, author: User | None, reason: str) -> Regrade:
    """Queue a regrade of one question (its whole round, as streaks chain its answers) or of
    the whole contest; the task runs once this commits."""
    from .tasks import regrade_run_task  # tasks import this module

    with transaction.atomic():
        regrade = Regrade.objects.create(contest=contest, question=question, author=author, reason=reason)
        transaction.on_commit(lambda: regrade_run_task.delay(regrade.pk))
    return regrade


def regrade_run(*, regrade_id: int) -> Regrade | None:
    """Recompute the regrade's rounds from stored answers and write each difference from the
    ledger as a `regrade` row. Returns None when the regrade was already done.

    Exactly once: claimed by a conditional UPDATE in the transaction that writes the rows.
    Locks, in order: the regrade row, the contest's teams with answers that change (by id),
    the contest row (events).
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = Regrade.objects.filter(pk=regrade_id, status=RegradeStatus.QUEUED).update(
            status=RegradeStatus.DONE, finished_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            return None
        regrade = Regrade.objects.select_related("contest", "question__round").get(pk=regrade_id)
        rounds = [regrade.question.round] if regrade.question else list(regrade.contest.rounds.all())
        changes = _corrections_write(regrade=regrade, rounds=rounds)
        regrade.changes = {str(team_id): points for team_id, points in sorted(changes.items())}
        regrade.save(update_fields=["changes"])
        event_append(
            contest_id=regrade.contest_id,
            type="regrade.done",
            payload={"regrade": regrade.pk, "question": regrade.question_id, "changes": regrade.changes},
            scope=EventScope.HOST,
        )
    return regrade


def _corrections_write(*, regrade: Regrade, rounds: list[Round]) -> dict[int, int]:
    expected: dict[int, Expected] = {}
    for round_ in rounds:
        round_.contest = regrade.contest
        expected.update(round_expected(round_=round_))
    held = answer_ledger_totals(contest_id=regrade.contest_id, answer_ids=expected.keys())
    answers = Answer.objects.filter(pk__in=expected.keys()).select_related("question")
    differing = [a for a in answers if _differs(a, expected[a.pk], held.get(a.pk, 0))]
    teams = _teams_locked(team_ids=[a.team_id for a in differing])
    changes: dict[int, int] = defaultdict(int)
    for answer in sorted(differing, key=lambda a: a.pk):
        worth, team = expected[answer.pk], teams[answer.team_id]
        difference = worth.points - held.get(answer.pk, 0)
        if difference:
            source = answer_source(answer.pk, "regrade", regrade.pk)
            round_id = answer.question.round_id
            ledger_append(team=team, reason=LedgerReason.REGRADE, source=source, points=difference, round_id=round_id)
            changes[team.pk] += difference
        answer.correct, answer.points = worth.correct, worth.points
        answer.save(update_fields=["correct", "points"])
        _answer_scored_event(team=team, answer=answer)
    return changes


def _differs(answer: Answer, worth: Expected, held: int) -> bool:
    return worth.points != held or worth.points != answer.points or worth.correct != answer.correct


def answer_ledger_totals(*, contest_id: int, answer_ids: object) -> dict[int, int]:
    """Points the ledger holds per answer, first scoring and corrections together."""
    ids = set(answer_ids)  # type: ignore[call-overload]
    totals: dict[int, int] = defaultdict(int)
    rows = ScoreEvent.objects.filter(contest_id=contest_id, source__startswith=ANSWER_PREFIX)
    for source, points in rows.values_list("source", "points"):
        answer_id = answer_id_of(source)
        if answer_id is not None and answer_id in ids:
            totals[answer_id] += points
    return dict(totals)
