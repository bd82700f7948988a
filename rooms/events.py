"""The contest event log: append-only, numbered per contest."""

from __future__ import annotations

from typing import Any

from django.db import connection

from .models import ContestEvent, EventScope


def event_append(
    *,
    contest_id: int,
    type: str,
    payload: dict[str, Any],
    scope: str = EventScope.PUBLIC,
    team_id: int | None = None,
) -> ContestEvent:
    """Append one event inside the caller's transaction.

    Locks: the contest row, through the UPDATE that allocates the next `seq`, until the
    caller's transaction ends. Callers append last, after their other writes, so that the
    contest row is held as briefly as possible and always after any team row they lock.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rooms_contest SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq",
            [contest_id],
        )
        (seq,) = cursor.fetchone()
    return ContestEvent.objects.create(
        contest_id=contest_id, seq=seq, type=type, payload=payload, scope=scope, team_id=team_id
    )
