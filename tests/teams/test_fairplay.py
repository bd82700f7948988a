"""Fair-play signals: a team device reports leaving the page; hosts see it, teams never do."""

from __future__ import annotations

import pytest

from rooms.models import ContestEvent, EventScope
from rooms.protocol import server_message_validate
from rooms.realtime import HOST, event_text
from teams.models import FocusReport

from ..factories import contest_make, host_client, team_client, team_make

pytestmark = pytest.mark.django_db


def test_a_report_is_stored_pushed_to_hosts_only_and_summed_per_device() -> None:
    contest = contest_make()
    team, other = team_make(contest=contest, name="Owls"), team_make(contest=contest, name="Larks")
    client = team_client(team)
    for device, kind, away in [("phone-1", "hidden", 4000), ("phone-1", "blur", 1500), ("laptop", "hidden", 60000)]:
        response = client.post("/api/v1/me/focus", {"device": device, "kind": kind, "away_ms": away}, format="json")
        assert response.status_code == 202
    team_client(other).post("/api/v1/me/focus", {"device": "x", "kind": "blur", "away_ms": 10}, format="json")

    events = list(ContestEvent.objects.filter(contest=contest, type="team.focus"))
    assert len(events) == 4
    assert {e.scope for e in events} == {EventScope.HOST}
    for event in events:
        server_message_validate(event_text(event=event, epoch=1, role=HOST))

    body = host_client(contest.owner).get(f"/api/v1/contests/{contest.pk}/focus").json()
    owls = next(t for t in body["teams"] if t["team"] == team.pk)
    devices = {d["device"]: (d["count"], d["away_ms"]) for d in owls["devices"]}
    assert devices == {"phone-1": (2, 5500), "laptop": (1, 60000)}


@pytest.mark.parametrize(
    "body",
    [
        {"device": "phone 1", "kind": "hidden", "away_ms": 5},  # a space
        {"device": "", "kind": "hidden", "away_ms": 5},
        {"device": "d" * 65, "kind": "hidden", "away_ms": 5},
        {"device": "d", "kind": "minimised", "away_ms": 5},
        {"device": "d", "kind": "hidden", "away_ms": -1},
        {"device": "d", "kind": "hidden", "away_ms": "5"},
        {"device": "d", "kind": "hidden"},
        {"device": "d", "kind": "hidden", "away_ms": 5, "extra": 1},
    ],
)
def test_a_bad_report_is_refused_and_changes_nothing(body: dict[str, object]) -> None:
    team = team_make(contest=contest_make())
    response = team_client(team).post("/api/v1/me/focus", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert not FocusReport.objects.exists()
    assert not ContestEvent.objects.filter(type="team.focus").exists()


def test_reports_are_rate_limited_per_team_across_its_devices(settings: object) -> None:
    from django.core.cache import cache

    cache.clear()
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])  # type: ignore[attr-defined]
    rates["focus_reports"] = "3/min"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}  # type: ignore[attr-defined]
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        team = team_make(contest=contest_make())
        statuses = [
            team_client(team)
            .post("/api/v1/me/focus", {"device": f"d{i % 2}", "kind": "blur", "away_ms": 1}, format="json")
            .status_code
            for i in range(4)
        ]
        assert statuses == [202, 202, 202, 429]
        assert FocusReport.objects.count() == 3
    finally:
        ScopedRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]  # type: ignore[attr-defined]
        cache.clear()
