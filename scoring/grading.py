"""Hand grading of essays: the quizmaster's queue (a selector) and a grade (a service).

`answer_submit` records an essay as "queued"; a quizmaster grades it here. The grade
reaches the team's score only through the ledger, as the difference between the grade
and what the ledger already holds for the answer, so grading again (a correction, a
double click, two tabs at once) always leaves the answer's rows summing to the last grade.

Ledger sources follow the convention regrades rely on: the first grade is the answer's
own row (`answer:<id>`), every later change a REGRADE row `answer:<id>:grade:<n>`.
"""

from __future__ import annotations

from typing import Any, Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rooms.errors import NotFound
from rooms.events import event_append
from rooms.models import Contest, EventScope, QuestionType
from teams.models import ClaimKind, Team

from .errors import NotGradable, PointsOutOfRange
from .ledger import answer_rows, answer_source, ledger_append
from .models import Answer, AnswerStatus, LedgerReason, ScoreEvent
from .selectors import answer_view

GradingFilter = Literal["pending", "graded", "all"]
GRADING_FILTERS: tuple[GradingFilter, ...] = ("pending", "graded", "all")
FEEDBACK_MAX_LENGTH = 2000


# --- Reads ---------------------------------------------------------------------------


def answer_max_points(answer: Answer) -> int:
    """What an answer can earn: a mystery question is worth the reward its box promised
    (the team was shown that, and StandardScoring pays it), any other its question's points."""
    claim = answer.claim
    if claim is not None and claim.kind == ClaimKind.MYSTERY and claim.reward is not None:
        return claim.reward
    return answer.question.points


def grading_item_view(answer: Answer) -> dict[str, Any]:
    """An essay answer as the quizmaster grades it: who wrote what, and the grade so far."""
    return {
        "id": answer.pk,
        "team": {"id": answer.team_id, "name": answer.team.name},
        "question": {
            "id": answer.question_id,
            "prompt": answer.question.prompt,
            "max_points": answer_max_points(answer),
        },
        "text": answer.payload,
        "received_at": answer.received_at.isoformat(),
        "status": answer.status,
        "graded_points": answer.graded_points,
        "feedback": answer.feedback,
        "graded_by": answer.graded_by.get_username() if answer.graded_by else None,
        "scored_at": answer.scored_at.isoformat() if answer.scored_at else None,
    }


def _essays() -> QuerySet[Answer]:
    return Answer.objects.filter(question__type=QuestionType.ESSAY).select_related(
        "team", "question", "claim", "graded_by"
    )


def grading_queue_get(*, contest: Contest, status: GradingFilter) -> list[dict[str, Any]]:
    """The contest's essay answers, oldest first: `pending` (not graded yet), `graded`, or `all`."""
    answers = _essays().filter(contest=contest)
    if status == "pending":
        answers = answers.filter(graded_points__isnull=True)
    elif status == "graded":
        answers = answers.filter(graded_points__isnull=False)
    return [grading_item_view(answer) for answer in answers.order_by("received_at", "pk")]


# --- Writes --------------------------------------------------------------------------


def answer_grade(*, answer_id: int, owner: User, points: int, feedback: str) -> Answer:
    """Grade an essay answer by hand, or change its grade; return the graded answer.

    Locks, in order: the answer's team row (`select_for_update`), then the contest row
    (event seq, through `event_append`). The answer is read again under the team lock,
    so concurrent grades of one answer run one after the other and each writes the
    difference from what the one before it left: the ledger ends at the last grade.
    The same points and feedback again write nothing and append no event.
    """
    answer = _owned_essay(answer_id=answer_id, owner=owner)
    _points_check(answer=answer, points=points)
    with transaction.atomic():
        team = Team.objects.select_for_update(of=("self",)).get(pk=answer.team_id)
        answer = _essays().get(pk=answer.pk)
        rows = _answer_ledger(team_id=team.pk, answer_id=answer.pk)
        if _grade_unchanged(answer=answer, rows=rows, points=points, feedback=feedback):
            return answer  # a double click, or a second tab that lost the race with the same grade
        _ledger_to_grade(team=team, answer=answer, rows=rows, points=points, author=owner)
        _answer_graded(answer=answer, points=points, feedback=feedback, author=owner)
        event_append(
            contest_id=team.contest_id,
            type="answer.scored",
            payload={"team": team.pk, "answer": answer_view(answer), "score": team.score},
            scope=EventScope.TEAM,
            team_id=team.pk,
        )
    return answer


def _owned_essay(*, answer_id: int, owner: User) -> Answer:
    answer = Answer.objects.select_related("question", "claim").filter(pk=answer_id, contest__owner=owner).first()
    if answer is None:
        raise NotFound("You have no answer with this id.")
    if answer.question.type != QuestionType.ESSAY:
        raise NotGradable()
    return answer


def _points_check(*, answer: Answer, points: int) -> None:
    most = answer_max_points(answer)
    if not 0 <= points <= most:
        raise PointsOutOfRange(
            f"Give between 0 and {most} points for this answer.",
            fields={"points": [f"Between 0 and {most}."]},
        )


def _answer_ledger(*, team_id: int, answer_id: int) -> list[tuple[str, int]]:
    """(source, points) of every ledger row about this answer: its own rows and every correction."""
    return list(ScoreEvent.objects.filter(answer_rows(answer_id), team_id=team_id).values_list("source", "points"))


def _grade_unchanged(*, answer: Answer, rows: list[tuple[str, int]], points: int, feedback: str) -> bool:
    held = sum(row_points for _, row_points in rows)
    return answer.graded_points == points and answer.feedback == feedback and held == points


def _ledger_to_grade(*, team: Team, answer: Answer, rows: list[tuple[str, int]], points: int, author: User) -> None:
    """Write the one row that takes the answer's ledger total to `points`, if it is not there.

    The first grade is the answer's own row (ANSWER, `answer:<id>`; a first grade of 0
    writes none). A change of a grade is a REGRADE row numbered after the earlier ones:
    rows are only added, and only under the team lock, so counting them is safe.
    """
    difference = points - sum(row_points for _, row_points in rows)
    if difference == 0:
        return
    base = answer_source(answer.pk)
    if answer.graded_points is None and all(source != base for source, _ in rows):
        reason, source, note = LedgerReason.ANSWER, base, "essay graded"
    else:
        earlier = sum(1 for source, _ in rows if source.startswith(f"{base}:grade:"))
        reason, source, note = (
            LedgerReason.REGRADE,
            answer_source(answer.pk, "grade", earlier + 1),
            "essay grade changed",
        )
    ledger_append(
        team=team,
        reason=reason,
        source=source,
        points=difference,
        round_id=answer.question.round_id,
        author=author,
        note=note,
    )


def _answer_graded(*, answer: Answer, points: int, feedback: str, author: User) -> None:
    answer.status = AnswerStatus.SCORED
    answer.correct = points > 0
    answer.points = points
    answer.graded_points = points
    answer.feedback = feedback
    answer.graded_by = author
    answer.scored_at = timezone.now()
    answer.save(update_fields=["status", "correct", "points", "graded_points", "feedback", "graded_by", "scored_at"])
