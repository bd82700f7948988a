"""Reads for teams: their own snapshot and claims."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from rooms.errors import NotFound
from rooms.models import Question, Round, RoundKind
from rooms.question_types import question_public
from rooms.selectors import contest_get
from scoring.models import Answer
from scoring.selectors import answer_view, team_rank_get

from .models import Claim, ClaimKind, Team


def claim_view(claim: Claim) -> dict[str, Any]:
    """A team's view of a claim: the question without its key; a mystery shows its reward."""
    question = question_public(claim.question)
    if claim.kind == ClaimKind.MYSTERY:
        question["points"] = claim.reward
    return {
        "id": claim.pk,
        "round": claim.round_id,
        "kind": claim.kind,
        "status": claim.status,
        "cost": claim.cost,
        "reward": claim.reward,
        "question": question,
        "created_at": claim.created_at.isoformat(),
    }


def team_view(team: Team) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "members": team.members,
        "score": team.score,
        "status": team.status,
        "extra_time_s": team.extra_time_s,
        "speed_exempt": team.speed_exempt,
    }


def team_snapshot_get(*, team: Team) -> dict[str, Any]:
    """Everything a team's device needs to draw its screen: never another team's data.
    Its answers carry what it sent while small enough (scoring.selectors.answer_view)."""
    contest = team.contest
    rounds = Round.objects.filter(contest=contest).prefetch_related("mystery_boxes")
    remaining = {
        (row["round_id"], row["difficulty"]): row["left"]
        for row in Question.objects.filter(round__contest=contest, mystery=True, taken=False)
        .values("round_id", "difficulty")
        .annotate(left=Count("id"))
    }
    claims = Claim.objects.filter(team=team).select_related("question")
    answers = Answer.objects.filter(team=team)
    return {
        "contest": {"code": contest.display_code, "title": contest.title, "status": contest.status},
        "team": team_view(team),
        "score": team.score,
        "rank": team_rank_get(team=team),
        "rounds": [
            {
                "id": r.pk,
                "kind": r.kind,
                "title": r.title,
                "status": r.status,
                # Pool rounds: how many unanswered questions a team may hold at once (null:
                # no limit) and whether a question goes to one team only.
                "claim_limit": r.claim_limit if r.kind == RoundKind.POOL else None,
                "exclusive": r.exclusive,
                "mystery_boxes": [
                    {
                        "difficulty": b.difficulty,
                        "cost": b.cost,
                        "reward": b.reward,
                        "remaining": remaining.get((r.pk, b.difficulty), 0),
                    }
                    for b in r.mystery_boxes.all()
                ],
            }
            for r in rounds
        ],
        "claims": [claim_view(c) for c in claims],
        "answers": [answer_view(a) for a in answers],
    }


def team_get_for_host(*, owner: Any, team_id: int) -> Team:
    team = Team.objects.select_related("contest").filter(pk=team_id, contest__owner=owner).first()
    if team is None:
        raise NotFound("No team with this id is in one of your contests.")
    return team


def team_list_for_host(*, owner: Any, contest_id: int) -> list[Team]:
    contest = contest_get(owner=owner, contest_id=contest_id)
    return list(contest.teams.order_by("created_at"))
