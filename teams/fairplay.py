"""Fair-play signals: a team device reports that it left the quiz page and for how long.

The team app sends one report when the page comes back (so `away_ms` is known); hosts
see each as a `team.focus` event and a summary per team and device beside presence. A
report is a signal for a person to look into, never a penalty by itself.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum

from rooms.events import event_append
from rooms.models import Contest, EventScope

from .models import FocusReport, Team


def focus_report(*, team: Team, device: str, kind: str, away_ms: int) -> FocusReport:
    """Record one report and tell the contest's hosts. Locks: the contest row (event seq)."""
    with transaction.atomic():
        report = FocusReport.objects.create(team=team, device=device, kind=kind, away_ms=away_ms)
        event_append(
            contest_id=team.contest_id,
            type="team.focus",
            payload={"team": team.pk, "device": device, "kind": kind, "away_ms": away_ms},
            scope=EventScope.HOST,
        )
    return report


def focus_summary_get(*, contest: Contest) -> list[dict[str, Any]]:
    """Per team and device: how many times it left, for how long in all, and when last."""
    rows = (
        FocusReport.objects.filter(team__contest=contest)
        .values("team_id", "device")
        .annotate(count=Count("id"), away_ms=Sum("away_ms"), last_at=Max("created_at"))
        .order_by("team_id", "device")
    )
    teams: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        teams.setdefault(row["team_id"], []).append(
            {
                "device": row["device"],
                "count": row["count"],
                "away_ms": row["away_ms"],
                "last_at": row["last_at"].isoformat(),
            }
        )
    return [{"team": team_id, "devices": devices} for team_id, devices in teams.items()]
