"""The contest event log: append-only, numbered per contest, pushed to sockets on commit."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from .models import Contest, ContestEvent, EventScope


def event_append(
    *,
    contest_id: int,
    type: str,
    payload: dict[str, Any],
    scope: str = EventScope.PUBLIC,
    team_id: int | None = None,
) -> ContestEvent:
    """Append one event inside the caller's transaction; it is broadcast once that commits.

    `seq` numbers the whole log without gaps. `prev` links the event to the previous one
    of its stream (public, or the team's own) so that a socket client, which sees only
    its streams, can still tell a missed message from one it was never meant to get.

    Locks: the contest row, through the UPDATE that allocates the next `seq`, until the
    caller's transaction ends. Callers append last, after their other writes, so that the
    contest row is held as briefly as possible and always after any team row they lock.
    A team event also writes the team row, which its callers have locked already.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rooms_contest SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq, last_public_seq, epoch",
            [contest_id],
        )
        seq, last_public, epoch = cursor.fetchone()
    prev: int | None = None
    if scope == EventScope.PUBLIC:
        prev = last_public
        Contest.objects.filter(pk=contest_id).update(last_public_seq=seq)
    elif scope == EventScope.TEAM:
        prev = _team_stream_advance(team_id=team_id, seq=seq)
    event = ContestEvent.objects.create(
        contest_id=contest_id, seq=seq, prev=prev, type=type, payload=payload, scope=scope, team_id=team_id
    )
    from . import broadcast  # broadcast reads selectors that import services: import late

    transaction.on_commit(lambda: broadcast.event_publish(event=event, epoch=epoch))
    return event


def _team_stream_advance(*, team_id: int | None, seq: int) -> int:
    if team_id is None:
        raise ValueError("A team event needs its team.")
    if connection.vendor != "postgresql":  # SQLite, the embedded default: one writer at a time
        from teams.models import Team  # teams depends on rooms, not the other way round

        prev = Team.objects.filter(pk=team_id).values_list("last_event_seq", flat=True).get()
        Team.objects.filter(pk=team_id).update(last_event_seq=seq)
        return prev
    # One round trip: the FROM subquery locks the team row and reads the stream's head as
    # it was before the UPDATE moves it. (A CTE would not do: it runs after the UPDATE
    # and cannot see the row the statement itself changed.)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE teams_team SET last_event_seq = %s "
            "FROM (SELECT last_event_seq FROM teams_team WHERE id = %s FOR UPDATE) AS before "
            "WHERE teams_team.id = %s RETURNING before.last_event_seq",
            [seq, team_id, team_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise ValueError(f"No team {team_id}.")
    return int(row[0])
