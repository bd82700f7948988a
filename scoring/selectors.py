"""Reads: leaderboards, ranks, results."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Sum

from rooms.models import Contest
from teams.models import Team, TeamStatus

from .models import Answer, ScoreEvent

# Tie-break: equal scores rank by who reached that score first, then by who joined first.
BOARD_ORDER = ("-score", "score_reached_at", "id")


def _ranked_teams(*, contest_id: int) -> QuerySet[Team]:
    return Team.objects.filter(contest_id=contest_id, status=TeamStatus.ACTIVE).order_by(*BOARD_ORDER)


def leaderboard_get(*, contest: Contest, limit: int | None = None) -> list[dict[str, Any]]:
    teams = _ranked_teams(contest_id=contest.pk).values("id", "name", "score")
    if limit is not None:
        teams = teams[:limit]
    return [{"rank": i, **team} for i, team in enumerate(teams, start=1)]


def team_rank_get(*, team: Team) -> int | None:
    """1-based position on the board; None for a disqualified team."""
    if team.status != TeamStatus.ACTIVE:
        return None
    ahead = (
        Team.objects.filter(contest_id=team.contest_id, status=TeamStatus.ACTIVE)
        .filter(
            Q(score__gt=team.score)
            | Q(score=team.score, score_reached_at__lt=team.score_reached_at)
            | Q(score=team.score, score_reached_at=team.score_reached_at, id__lt=team.pk)
        )
        .count()
    )
    return ahead + 1


def results_get(*, contest: Contest) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Final standings with per-round points: (rounds, rows). Disqualified teams come last."""
    rounds: list[dict[str, Any]] = [{"id": r.pk, "title": r.title} for r in contest.rounds.all()]
    sums: dict[tuple[int, int | None], int] = {
        (row["team_id"], row["round_id"]): row["total"]
        for row in ScoreEvent.objects.filter(contest=contest)
        .values("team_id", "round_id")
        .annotate(total=Sum("points"))
    }
    teams = Team.objects.filter(contest=contest).order_by("status", *BOARD_ORDER)
    rows: list[dict[str, Any]] = []
    for position, team in enumerate(teams, start=1):
        rows.append(
            {
                "rank": position if team.status == TeamStatus.ACTIVE else None,
                "team": team.name,
                "status": team.status,
                "score": team.score,
                "rounds": [sums.get((team.pk, r["id"]), 0) for r in rounds],
                "other": sums.get((team.pk, None), 0),
            }
        )
    return rounds, rows


def answer_view(answer: Answer) -> dict[str, Any]:
    """A team's view of its own answer: its result, never the question's key."""
    return {
        "id": answer.pk,
        "question": answer.question_id,
        "status": answer.status,
        "correct": answer.correct,
        "points": answer.points,
        "received_at": answer.received_at.isoformat(),
        "scored_at": answer.scored_at.isoformat() if answer.scored_at else None,
    }


def ledger_row_view(row: ScoreEvent) -> dict[str, Any]:
    return {
        "id": row.pk,
        "team": row.team_id,
        "reason": row.reason,
        "points": row.points,
        "note": row.note,
        "author": row.author.get_username() if row.author else None,
        "created_at": row.created_at.isoformat(),
    }
