"""Reads: leaderboards, ranks, results."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from rooms.models import Contest
from teams.models import Team, TeamStatus

from .models import Answer, Judging, LedgerReason, ScoreEvent

# Tie-break: equal scores rank by who reached that score first, then by who joined first.
BOARD_ORDER = ("-score", "score_reached_at", "id")


def freeze_time(*, contest: Contest, now: datetime | None = None) -> datetime | None:
    """When the standings froze, if they are frozen now (`settings.freeze_at` has passed)."""
    raw = contest.settings.get("freeze_at")
    if not raw:
        return None
    at = datetime.fromisoformat(raw)
    return at if at <= (now or timezone.now()) else None


def _active_teams(*, contest_id: int) -> QuerySet[Team]:
    return Team.objects.filter(contest_id=contest_id, status=TeamStatus.ACTIVE)


def _frozen_board(*, contest_id: int, at: datetime) -> QuerySet[Any]:
    """Teams ranked by their ledger up to `at`: the standings as they were at the freeze.

    Starting points count whenever they were given, so a team that joined after the
    freeze shows with what it started with, not with nothing.
    """
    counted = Q(ledger__created_at__lte=at) | Q(ledger__reason=LedgerReason.STARTING_POINTS)
    return (
        _active_teams(contest_id=contest_id)
        .annotate(
            board_score=Coalesce(Sum("ledger__points", filter=counted), 0),
            board_reached=Coalesce(Max("ledger__created_at", filter=counted & ~Q(ledger__points=0)), F("created_at")),
        )
        .order_by("-board_score", "board_reached", "id")
    )


@dataclass(frozen=True)
class Board:
    """Every active team ranked, as one audience may see them (frozen or live)."""

    frozen_at: str | None
    rows: list[dict[str, Any]]

    def top(self, limit: int | None) -> dict[str, Any]:
        rows = self.rows if limit is None else self.rows[:limit]
        return {"frozen_at": self.frozen_at, "total": len(self.rows), "teams": rows}

    def standing(self, team_id: int, *, score: int = 0) -> dict[str, Any]:
        """A team's place and the teams just above and below it; `score` stands in for a
        team that is not on the board (disqualified)."""
        index = self._index().get(team_id)
        if index is None:
            return {
                "frozen_at": self.frozen_at,
                "total": len(self.rows),
                "rank": None,
                "score": score,
                "neighbours": [],
            }
        row = self.rows[index]
        neighbours = self.rows[max(0, index - 1) : index] + self.rows[index + 1 : index + 2]
        return {
            "frozen_at": self.frozen_at,
            "total": len(self.rows),
            "rank": row["rank"],
            "score": row["score"],
            "neighbours": neighbours,
        }

    def _index(self) -> dict[int, int]:
        cached: dict[int, int] | None = self.__dict__.get("_by_team")
        if cached is None:
            cached = {row["id"]: i for i, row in enumerate(self.rows)}
            object.__setattr__(self, "_by_team", cached)
        return cached


def board_get(*, contest: Contest, live: bool = False) -> Board:
    """All active teams ranked. During a freeze, the standings of the freeze unless `live`
    (quizmasters see live standings; teams and the audience never do)."""
    frozen_at = None if live else freeze_time(contest=contest)
    if frozen_at is None:
        rows = _active_teams(contest_id=contest.pk).order_by(*BOARD_ORDER).values_list("id", "name", "score")
    else:
        rows = _frozen_board(contest_id=contest.pk, at=frozen_at).values_list("id", "name", "board_score")
    ranked = [
        {"rank": rank, "id": team_id, "name": name, "score": score}
        for rank, (team_id, name, score) in enumerate(rows, start=1)
    ]
    return Board(frozen_at.isoformat() if frozen_at else None, ranked)


def leaderboard_get(*, contest: Contest, limit: int | None = None, live: bool = False) -> dict[str, Any]:
    """The top `limit` of `board_get`, as the HTTP leaderboard shows it."""
    top = board_get(contest=contest, live=live).top(limit)
    return {"frozen_at": top["frozen_at"], "teams": top["teams"]}


def team_scores(*, contest_id: int, among: Iterable[int], exclude: Iterable[int]) -> list[tuple[int, int]]:
    """(id, score) of the teams in `among` but not in `exclude`: those that left the board."""
    ids = set(among) - set(exclude)
    if not ids:
        return []
    return list(Team.objects.filter(contest_id=contest_id, pk__in=ids).values_list("id", "score"))


def team_rank_get(*, team: Team) -> int | None:
    """1-based position on the board the team may see; None for a disqualified team.

    During a freeze this is the team's place in the frozen standings: a live rank would
    tell it how the others scored since.
    """
    if team.status != TeamStatus.ACTIVE:
        return None
    frozen_at = freeze_time(contest=team.contest)
    if frozen_at is not None:
        order = list(_frozen_board(contest_id=team.contest_id, at=frozen_at).values_list("id", flat=True))
        return order.index(team.pk) + 1
    ahead = (
        _active_teams(contest_id=team.contest_id)
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


# A team's own answer rides in its pushes (`answer.recorded`, `answer.scored`) and its
# snapshot while its JSON (UTF-8, compact) takes at most this many bytes; a longer one (a
# long program or essay) is named by its size, `given_size`, and a device reads it from
# GET /api/v1/me/answers/{id}. That keeps every socket frame small.
GIVEN_INLINE_MAX_BYTES = 16 * 1024


def given_size(payload: Any) -> int:
    """Bytes of an answer's JSON as `GIVEN_INLINE_MAX_BYTES` counts them."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


def answer_view(answer: Answer, *, full: bool = False) -> dict[str, Any]:
    """A team's view of its own answer: its result and what the team sent (`given`, as the
    server parsed it), never the question's key. A code answer adds its attempt number and
    what the judge found.

    Unless `full` (the team's own HTTP requests), a `given` larger than
    GIVEN_INLINE_MAX_BYTES is left out and `given_size` says how large it is. Only the
    team's own devices and hosts may receive this view.
    """
    view = {
        "id": answer.pk,
        "question": answer.question_id,
        "status": answer.status,
        "correct": answer.correct,
        "points": answer.points,
        "received_at": answer.received_at.isoformat(),
        "scored_at": answer.scored_at.isoformat() if answer.scored_at else None,
        "feedback": answer.feedback or None,
        "given": answer.payload,
    }
    judging = Judging.objects.filter(pk=answer.pk).first() if _is_code_payload(answer.payload) else None
    if judging is not None:
        view["attempt"] = answer.attempt
        view["judge"] = judging_view(judging)
    return view if full else given_capped(view)


def given_capped(view: dict[str, Any]) -> dict[str, Any]:
    """An answer's view as pushes and snapshots carry it: a `given` larger than
    GIVEN_INLINE_MAX_BYTES is replaced by `given_size`."""
    size = given_size(view["given"])
    if size <= GIVEN_INLINE_MAX_BYTES:
        return view
    capped = {key: value for key, value in view.items() if key != "given"}
    capped["given_size"] = size
    return capped


def _is_code_payload(payload: Any) -> bool:
    return isinstance(payload, dict) and set(payload) == {"language", "source"}


def judging_view(judging: Judging) -> dict[str, Any]:
    """What a team sees of a judging: verdicts, per-test time and memory, its compiler's
    messages; never a hidden test's data or the program's output on it."""
    return {
        "language": judging.language,
        "verdict": judging.verdict or None,
        "score": judging.score,
        "tests": judging.tests,
        "compile_output": judging.compile_output,
        "time_ms": judging.time_ms,
        "memory_kb": judging.memory_kb,
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
