"""The points ledger: the only way a team's score changes."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, Sum

from rooms.broadcast import board_touch_on_commit
from teams.models import Team

from .models import ScoreEvent


def ledger_append(
    *,
    team: Team,
    reason: str,
    source: str,
    points: int,
    round_id: int | None = None,
    author: User | None = None,
    note: str = "",
) -> ScoreEvent:
    """Add a ledger row and move the team's cached score with it.

    Precondition: the caller is inside a transaction and holds the team row's lock
    (`select_for_update`), and `team` is that locked instance. The (team, reason, source)
    unique constraint refuses a second row for the same cause. The board is pushed once
    the transaction commits (coalesced with other changes, see rooms.broadcast).
    """
    row = ScoreEvent.objects.create(
        contest_id=team.contest_id,
        team=team,
        round_id=round_id,
        reason=reason,
        source=source,
        points=points,
        author=author,
        note=note,
    )
    if points:
        team.score += points
        team.score_reached_at = row.created_at
        team.save(update_fields=["score", "score_reached_at"])
    board_touch_on_commit(contest_id=team.contest_id)
    return row


def ledger_sum(*, team_id: int) -> int:
    """The score a team has by its ledger, whatever its cached `score` says."""
    return ScoreEvent.objects.filter(team_id=team_id).aggregate(total=Sum("points"))["total"] or 0


# Ledger rows about an answer: `answer:<id>` for its first scoring, `answer:<id>:<cause>:<n>`
# for each later correction (a regrade, a changed grade). Regrades and hand grading sum an
# answer's rows by this convention, so it is spelled here only.
ANSWER_PREFIX = "answer:"


def answer_source(answer_id: int, *correction: object) -> str:
    return ANSWER_PREFIX + ":".join(str(part) for part in (answer_id, *correction))


def answer_rows(answer_id: int) -> Q:
    """Every ledger row about this answer (`answer:1:` as the prefix: `answer:1` would take 12's)."""
    base = answer_source(answer_id)
    return Q(source=base) | Q(source__startswith=f"{base}:")


def answer_id_of(source: str) -> int | None:
    """The answer a ledger row is about, if it is about one."""
    if not source.startswith(ANSWER_PREFIX):
        return None
    return int(source[len(ANSWER_PREFIX) :].split(":")[0])
