"""Reads on contests and rounds. Quizmasters see only their own contests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from .codes import code_normalize
from .errors import ContestNotFinished, NotFound
from .live import live_state_public
from .models import BankQuestion, Contest, ContestStatus, Question, Round, RoundKind, RoundStatus


def contest_list(*, owner: User) -> QuerySet[Contest]:
    return Contest.objects.filter(owner=owner).order_by("-created_at")


def contest_get(*, owner: User, contest_id: int) -> Contest:
    contest = Contest.objects.filter(pk=contest_id, owner=owner).first()
    if contest is None:
        raise NotFound("You have no contest with this id.")
    return contest


def round_get(*, owner: User, round_id: int) -> Round:
    round_ = Round.objects.select_related("contest").filter(pk=round_id, contest__owner=owner).first()
    if round_ is None:
        raise NotFound("You have no round with this id.")
    return round_


def question_get(*, owner: User, question_id: int) -> Question:
    try:
        return Question.objects.select_related("round__contest").get(pk=question_id, round__contest__owner=owner)
    except Question.DoesNotExist:
        raise NotFound("You have no question with this id.") from None


def contest_replay_get(*, contest: Contest, after: int, limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """A finished contest's event log in order, from `after`: every event with its scope and
    payload as stored, enough to replay the evening. Returns (events, the next `after` or None)."""
    if contest.status != ContestStatus.FINISHED:
        raise ContestNotFinished()
    rows = list(contest.events.filter(seq__gt=after).order_by("seq")[: limit + 1])
    more = len(rows) > limit
    events = [
        {
            "seq": e.seq,
            "type": e.type,
            "scope": e.scope,
            "team": e.team_id,
            "payload": e.payload,
            "at": e.created_at.isoformat(),
        }
        for e in rows[:limit]
    ]
    return events, (events[-1]["seq"] if more else None)


def bank_question_get(*, owner: User, question_id: int) -> BankQuestion:
    question = BankQuestion.objects.filter(pk=question_id, owner=owner).first()
    if question is None:
        raise NotFound("Your question bank has no question with this id.")
    return question


def bank_list(*, owner: User) -> QuerySet[BankQuestion]:
    return BankQuestion.objects.filter(owner=owner).order_by("-created_at")


def contest_by_code(*, code: str) -> Contest:
    normalized = code_normalize(code)
    contest = Contest.objects.filter(code=normalized).first() if normalized else None
    if contest is None:
        raise NotFound("No contest has this code.")
    return contest


def public_contest_get(*, contest: Contest) -> dict[str, Any]:
    """What anyone may see of a contest: no answers, no team's private data."""
    rounds = list(contest.rounds.all())
    current = next((r for r in rounds if r.status == RoundStatus.ACTIVE), None)
    live = live_state_public(round_=current) if current and current.kind == RoundKind.LIVE else None
    return {
        "code": contest.display_code,
        "title": contest.title,
        "status": contest.status,
        "teams": contest.teams.filter(status="active").count(),
        "rounds": [_round_public(r) for r in rounds],
        "current_round": _round_public(current) if current else None,
        "current_question": live["question"] if live else None,
        "live": live,
        "join": {
            "code": contest.display_code,
            "path": f"/play/?code={contest.code}",
            "instructions": f"Open this server's /play/ page and enter the code {contest.display_code}.",
        },
    }


def _round_public(round_: Round) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "position": round_.position,
        "kind": round_.kind,
        "title": round_.title,
        "status": round_.status,
    }
