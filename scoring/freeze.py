"""Freezing the standings by hand, and the reveal that ends a freeze (ICPC resolver style).

During a freeze, teams and the audience see the standings as they were at `freeze_at`
(`scoring.selectors.board_get`); the quizmaster sees them live. Unfreezing publishes the
true standings one team at a time, from the bottom of the board up, as the steps of the
`contest.unfrozen` event, which the projector animates.

The reveal's ranking is pure (`reveal_steps` over `RevealEntry` values) so it is tested
without a database; `reveal_entries` reads what it needs in one query.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from rooms.broadcast import board_touch_on_commit
from rooms.errors import DomainError
from rooms.events import event_append
from rooms.models import Contest, ContestEvent

from .models import LedgerReason

# The frozen board is defined once, in selectors; the reveal must start from exactly it.
from .selectors import _frozen_board, board_get, freeze_time


class AlreadyFrozen(DomainError):
    code = "already_frozen"
    status = 409
    message = "The standings are already frozen; unfreeze them before freezing again."


class NotFrozen(DomainError):
    code = "not_frozen"
    status = 409
    message = "The standings are not frozen and no freeze is scheduled; there is nothing to unfreeze."


class NoReveal(DomainError):
    code = "no_reveal"
    status = 404
    message = "This contest has not unfrozen its standings yet; there is no reveal to show."


# --- The reveal, pure ------------------------------------------------------------------


@dataclass(frozen=True)
class BoardScore:
    """A team's score and when it reached it (the tie-break)."""

    score: int
    reached_at: datetime


@dataclass(frozen=True)
class RevealEntry:
    """One active team: what the frozen board shows of it, and what is true."""

    team: int
    name: str
    frozen: BoardScore
    true: BoardScore

    @property
    def hidden(self) -> bool:
        return self.frozen != self.true


Place = tuple[int, datetime, int]


def _place(team: int, score: BoardScore) -> Place:
    """The sort key of BOARD_ORDER ("-score", "score_reached_at", "id"): lower ranks higher."""
    return (-score.score, score.reached_at, team)


def reveal_steps(*, entries: Sequence[RevealEntry]) -> list[dict[str, Any]]:
    """The reveal: from the frozen board, repeatedly show the true standing of the team
    ranked lowest among those with a hidden change, re-rank, and record the move. Applied
    in order to the frozen board, the steps end at the true board; a team with nothing
    hidden gets no step.

    A team still to be revealed keeps its frozen place, so the order of those teams among
    themselves never changes: the lowest-ranked of them is always the next one in frozen
    order from the bottom, and only the board (a sorted list of places) needs updating.
    """
    board = sorted(_place(e.team, e.frozen) for e in entries)
    pending = sorted((e for e in entries if e.hidden), key=lambda e: _place(e.team, e.frozen), reverse=True)
    steps: list[dict[str, Any]] = []
    for entry in pending:
        from_index = bisect_left(board, _place(entry.team, entry.frozen))
        del board[from_index]
        to_place = _place(entry.team, entry.true)
        to_index = bisect_left(board, to_place)
        board.insert(to_index, to_place)
        steps.append(
            {
                "team": entry.team,
                "name": entry.name,
                "from_score": entry.frozen.score,
                "to_score": entry.true.score,
                "from_rank": from_index + 1,
                "to_rank": to_index + 1,
            }
        )
    return steps


# --- Reads -------------------------------------------------------------------------------


def reveal_entries(*, contest_id: int, at: datetime) -> list[RevealEntry]:
    """Every active team's frozen standing (its ledger up to `at`, as the frozen board
    counts it) and its true one (the live board's `score`, `score_reached_at`), in one
    query, so both come from one snapshot of the database.

    A team with no hidden ledger row (none after `at` that moved its score) takes its
    live tie-break as its frozen one: the frozen board falls back to the team's
    `created_at` where a team has no scoring row at all, microseconds away from its
    `score_reached_at`, and that is no change to reveal.
    """
    hidden = Q(ledger__created_at__gt=at) & ~Q(ledger__points=0) & ~Q(ledger__reason=LedgerReason.STARTING_POINTS)
    rows = (
        _frozen_board(contest_id=contest_id, at=at)
        .annotate(hidden_rows=Count("ledger", filter=hidden))
        .values_list("id", "name", "board_score", "board_reached", "score", "score_reached_at", "hidden_rows")
    )
    return [
        RevealEntry(
            team=team_id,
            name=name,
            frozen=BoardScore(frozen_score, frozen_reached if hidden_rows else reached_at),
            true=BoardScore(score, reached_at),
        )
        for team_id, name, frozen_score, frozen_reached, score, reached_at, hidden_rows in rows
    ]


def freeze_state_get(*, contest: Contest) -> dict[str, Any]:
    """Whether the standings are frozen now, since when, and the freeze setting as stored."""
    frozen_at = freeze_time(contest=contest)
    return {
        "id": contest.pk,
        "code": contest.display_code,
        "frozen": frozen_at is not None,
        "frozen_at": frozen_at.isoformat() if frozen_at else None,
        "freeze_at": contest.settings.get("freeze_at"),
    }


def reveal_view(event: ContestEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.created_at.isoformat(),
        "frozen_at": event.payload["frozen_at"],
        "steps": event.payload["steps"],
    }


def reveal_latest(*, contest: Contest) -> dict[str, Any]:
    """The newest reveal of the contest (its latest `contest.unfrozen` event)."""
    event = ContestEvent.objects.filter(contest=contest, type="contest.unfrozen").order_by("-seq").first()
    if event is None:
        raise NoReveal()
    return reveal_view(event)


# --- Writes ------------------------------------------------------------------------------


def _freeze_at_set(contest: Contest, value: str | None) -> None:
    contest.settings = {**contest.settings, "freeze_at": value}
    contest.save(update_fields=["settings", "updated_at"])


def contest_freeze(*, contest: Contest) -> Contest:
    """Freeze the standings now: teams and the audience keep seeing them as they are.

    A freeze scheduled for later is replaced by this one. Locks: the contest row, first
    and only (event_append's seq counter is on the same row).
    """
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        now = timezone.now()
        since = freeze_time(contest=contest, now=now)
        if since is not None:
            raise AlreadyFrozen(f"The standings have been frozen since {since.isoformat()}; unfreeze them first.")
        _freeze_at_set(contest, now.isoformat())
        event_append(contest_id=contest.pk, type="contest.frozen", payload={"frozen_at": now.isoformat()})
        # Screens learn `frozen_at` from the next push; the scores in it do not move.
        board_touch_on_commit(contest_id=contest.pk)
    return contest


@dataclass(frozen=True)
class Unfrozen:
    contest: Contest
    reveal: dict[str, Any] | None  # None: only a freeze scheduled for later was cancelled
    board: dict[str, Any]  # the true top of the board


def contest_unfreeze(*, contest: Contest) -> Unfrozen:
    """End a freeze: the true standings go public, as the reveal steps of `contest.unfrozen`.

    A freeze scheduled for later is only cancelled: nothing was hidden yet, so there is no
    reveal (and a `contest.updated` event, as for any change of settings).

    Locks: the contest row, first and only. Team rows are read, not locked: an answer or
    adjustment in flight holds its team row and waits for the contest row (its event),
    so it commits after the reveal and shows on the live board that follows it.
    """
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if not contest.settings.get("freeze_at"):
            raise NotFrozen()
        frozen_at = freeze_time(contest=contest)
        _freeze_at_set(contest, None)
        reveal = None
        if frozen_at is None:
            event_append(contest_id=contest.pk, type="contest.updated", payload={"title": contest.title})
        else:
            steps = reveal_steps(entries=reveal_entries(contest_id=contest.pk, at=frozen_at))
            event = event_append(
                contest_id=contest.pk,
                type="contest.unfrozen",
                payload={"frozen_at": frozen_at.isoformat(), "steps": steps},
            )
            reveal = reveal_view(event)
        board_touch_on_commit(contest_id=contest.pk)
        board = board_get(contest=contest, live=True).top(settings.LEADERBOARD_HOST_TOP)
    return Unfrozen(contest=contest, reveal=reveal, board=board)
