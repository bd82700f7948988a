"""Writes on contests, rounds, questions and the question bank."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max

from .broadcast import board_touch_on_commit
from .codes import code_new
from .errors import ContestInProgress, InvalidTransition, WrongRoundKind
from .events import event_append
from .live import live_pause_all, live_running_locked
from .models import (
    BankQuestion,
    Contest,
    ContestEvent,
    ContestStatus,
    EventScope,
    LiveStatus,
    MysteryBox,
    Question,
    Round,
    RoundKind,
    RoundStatus,
)
from .question_types import question_definition_validate, question_export

# The contest lifecycle: action → (statuses it may start from, status it leads to).
CONTEST_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({ContestStatus.DRAFT}), ContestStatus.LOBBY),
    "start": (frozenset({ContestStatus.LOBBY}), ContestStatus.RUNNING),
    "pause": (frozenset({ContestStatus.RUNNING}), ContestStatus.PAUSED),
    "resume": (frozenset({ContestStatus.PAUSED}), ContestStatus.RUNNING),
    "finish": (frozenset({ContestStatus.RUNNING, ContestStatus.PAUSED}), ContestStatus.FINISHED),
}

ROUND_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({RoundStatus.PENDING}), RoundStatus.ACTIVE),
    "end": (frozenset({RoundStatus.ACTIVE}), RoundStatus.CLOSED),
}

DEFAULT_CONTEST_SETTINGS: dict[str, Any] = {
    "starting_points": 1000,
    "wrong_answer_penalty": 0,
    "allow_late_join": True,
    "freeze_at": None,
}


def contest_create(*, owner: User, title: str, settings: dict[str, Any]) -> Contest:
    """Create a draft contest with a fresh join code (retried on the rare code collision)."""
    for _ in range(8):
        try:
            with transaction.atomic():
                contest = Contest.objects.create(
                    owner=owner,
                    title=title,
                    code=code_new(),
                    settings={**DEFAULT_CONTEST_SETTINGS, **settings},
                )
                event_append(contest_id=contest.pk, type="contest.created", payload={"status": contest.status})
                return contest
        except IntegrityError:
            continue
    raise RuntimeError("Could not allocate a unique join code after 8 attempts.")


def contest_update(*, contest: Contest, title: str | None = None, settings: dict[str, Any] | None = None) -> Contest:
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if title is not None:
            contest.title = title
        if settings is not None:
            contest.settings = {**contest.settings, **settings}
        contest.save(update_fields=["title", "settings", "updated_at"])
        event_append(contest_id=contest.pk, type="contest.updated", payload={"title": contest.title})
        if settings is not None:
            board_touch_on_commit(contest_id=contest.pk)  # a freeze changes what teams see
    return contest


def announcement_post(*, contest: Contest, text: str) -> ContestEvent:
    """Tell everyone watching the contest something: a public event, pushed on commit.

    Locks: the contest row (event seq)."""
    with transaction.atomic():
        return event_append(contest_id=contest.pk, type="announcement", payload={"text": text})


def contest_delete(*, contest: Contest) -> None:
    """Delete a contest that is not being played, with everything in it."""
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.status in (ContestStatus.RUNNING, ContestStatus.PAUSED):
            raise ContestInProgress()
        contest.delete()


def contest_transition(*, contest: Contest, action: str) -> Contest:
    """Move a contest along its lifecycle. A pause also pauses the open live questions
    (resumed by the quizmaster, question by question). Locks: those questions' rows, then
    the contest row."""
    if action not in CONTEST_TRANSITIONS:
        raise InvalidTransition(f"Unknown action {action!r}; use one of {', '.join(CONTEST_TRANSITIONS)}.")
    sources, target = CONTEST_TRANSITIONS[action]
    with transaction.atomic():
        # A pause stops the clocks of open live questions too; their rows are locked first.
        running = live_running_locked(contest_id=contest.pk) if action == "pause" else []
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.status not in sources:
            raise InvalidTransition(
                f"Cannot {action} a contest that is {contest.status}; "
                f"{action} needs it to be {' or '.join(sorted(sources))}."
            )
        previous, contest.status = contest.status, target
        contest.save(update_fields=["status", "updated_at"])
        event_append(contest_id=contest.pk, type="contest.status", payload={"status": target, "previous": previous})
        live_pause_all(questions=running)
    return contest


def round_create(
    *,
    contest: Contest,
    kind: str,
    title: str,
    exclusive: bool = True,
    claim_limit: int | None = 1,
    mystery_boxes: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
) -> Round:
    """Append a round to the contest. Locks: the contest row (to number rounds)."""
    if mystery_boxes and kind != RoundKind.POOL:
        raise WrongRoundKind("Mystery boxes belong to pool rounds.")
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.status == ContestStatus.FINISHED:
            raise InvalidTransition("The contest is finished; rounds can no longer be added.")
        position = (contest.rounds.aggregate(m=Max("position"))["m"] or 0) + 1
        round_ = Round.objects.create(
            contest=contest,
            position=position,
            kind=kind,
            title=title,
            exclusive=exclusive if kind == RoundKind.POOL else False,
            claim_limit=claim_limit,
            settings=settings or {},
        )
        MysteryBox.objects.bulk_create(MysteryBox(round=round_, **box) for box in mystery_boxes or [])
        event_append(
            contest_id=contest.pk,
            type="round.created",
            payload={"round": round_.pk, "kind": kind, "title": title, "position": position},
        )
    return round_


def round_transition(*, round_: Round, action: str) -> Round:
    """Start or end a round. Locks: the round row, then the contest row (event seq)."""
    if action not in ROUND_TRANSITIONS:
        raise InvalidTransition(f"Unknown round action {action!r}.")
    sources, target = ROUND_TRANSITIONS[action]
    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("contest").get(pk=round_.pk)
        if round_.contest.status == ContestStatus.FINISHED:
            raise InvalidTransition("The contest is finished.")
        if round_.status not in sources:
            raise InvalidTransition(f"Cannot {action} a round that is {round_.status}.")
        if round_.live_questions.filter(status__in=(LiveStatus.OPEN, LiveStatus.PAUSED)).exists():
            raise InvalidTransition("A question of this round is still open: close or skip it first.")
        round_.status = target
        round_.save(update_fields=["status"])
        event_append(contest_id=round_.contest_id, type="round.status", payload={"round": round_.pk, "status": target})
    return round_


def questions_create(*, round_: Round, definitions: list[dict[str, Any]]) -> list[Question]:
    """Append validated question definitions to a round, in order. Locks: the round row."""
    if round_.kind != RoundKind.POOL and any(d.get("mystery") for d in definitions):
        raise WrongRoundKind("Mystery questions belong to pool rounds.")
    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("contest").get(pk=round_.pk)
        if round_.contest.status == ContestStatus.FINISHED:
            raise InvalidTransition("The contest is finished; questions can no longer be added.")
        start = (round_.questions.aggregate(m=Max("position"))["m"] or 0) + 1
        questions = Question.objects.bulk_create(
            Question(round=round_, position=start + i, **definition) for i, definition in enumerate(definitions)
        )
        event_append(
            contest_id=round_.contest_id,
            type="round.questions_added",
            payload={"round": round_.pk, "count": len(questions)},
            scope=EventScope.HOST,
        )
    return questions


def question_update(*, question: Question, changes: dict[str, Any]) -> Question:
    """Change a question's definition (its accepted answer, points, prompt...); answers
    already scored keep their points until a regrade. Its type cannot change. Hosts get
    `question.updated`, so every console open on the contest shows the change. Locks:
    the question row, then the contest row (event seq)."""
    if "type" in changes and changes["type"] != question.type:
        raise InvalidTransition("A question's type cannot change; add a new question instead.")
    with transaction.atomic():
        question = Question.objects.select_for_update().select_related("round").get(pk=question.pk)
        definition = question_definition_validate({**question_export(question), **changes})
        for field, value in definition.items():
            setattr(question, field, value)
        question.save()
        event_append(
            contest_id=question.round.contest_id,
            type="question.updated",
            payload={"round": question.round_id, "question": question.pk, "fields": sorted(changes)},
            scope=EventScope.HOST,
        )
    return question


def bank_question_create(*, owner: User, definition: dict[str, Any], tags: list[str]) -> BankQuestion:
    return BankQuestion.objects.create(owner=owner, tags=tags, **definition)


def bank_questions_create(*, owner: User, questions: list[tuple[dict[str, Any], list[str]]]) -> list[BankQuestion]:
    """Add validated definitions, each with its tags, to the owner's bank in order, all or
    none (bank import). Locks: none; the rows are new and nothing is numbered."""
    with transaction.atomic():
        return BankQuestion.objects.bulk_create(
            BankQuestion(owner=owner, tags=tags, **definition) for definition, tags in questions
        )


def bank_question_delete(*, question: BankQuestion) -> None:
    question.delete()
