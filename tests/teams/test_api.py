"""Joining, the team snapshot, claims, disqualification."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from teams.models import Team

from ..factories import contest_make, host_client, pool_round, team_client, team_make

pytestmark = pytest.mark.django_db


def _join(code: str, name: str) -> tuple[int, dict]:
    response = APIClient().post("/api/v1/join", {"code": code, "team_name": name, "members": ["Ann"]}, format="json")
    return response.status_code, response.json()


def test_joining_returns_a_token_once_and_stores_only_its_hash() -> None:
    contest = contest_make(status="lobby", settings={"starting_points": 300})
    status, body = _join(contest.display_code, "  The   Owls ")
    assert status == 201
    assert body["team"]["name"] == "The Owls" and body["team"]["score"] == 300
    team = Team.objects.get(pk=body["team"]["id"])
    assert team.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in str(Team.objects.filter(pk=team.pk).values().get())
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.get("/api/v1/me").json()["team"]["id"] == team.pk


def test_team_names_are_unique_per_contest_ignoring_case_and_spacing() -> None:
    contest, other = contest_make(status="lobby"), contest_make(status="lobby")
    assert _join(contest.code, "Quiz Team")[0] == 201
    status, body = _join(contest.code, "quiz   TEAM")
    assert (status, body["code"]) == (409, "name_taken")
    assert _join(other.code, "QUIZ TEAM")[0] == 201


@pytest.mark.parametrize(
    ("status", "settings", "expected"),
    [
        ("draft", {}, (403, "not_accepting")),
        ("finished", {}, (403, "not_accepting")),
        ("running", {"allow_late_join": False}, (403, "not_accepting")),
        ("running", {}, (201, None)),
        ("paused", {}, (201, None)),
    ],
)
def test_who_may_join_depends_on_the_contest_status(status: str, settings: dict, expected: tuple) -> None:
    contest = contest_make(status=status, settings=settings)
    got_status, body = _join(contest.code, "Late")
    assert (got_status, body.get("code")) == expected


def test_an_unknown_code_is_named_as_such() -> None:
    status, body = _join("ZZZZ-ZZZZ", "Nobody")
    assert (status, body["code"]) == (404, "unknown_contest")


def test_a_claim_shows_the_question_without_its_answer() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=2)
    claim = team_client(team_make(contest=contest)).post("/api/v1/me/claims", {"round": round_.pk}, format="json")
    assert claim.status_code == 201
    question = claim.json()["claim"]["question"]
    assert question["choices"] == ["A", "B", "C"]
    assert "answer" not in question and "key" not in question


def test_non_exclusive_pools_give_every_team_the_same_questions_in_order() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=2, exclusive=False)
    firsts = [
        team_client(team_make(contest=contest)).post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()
        for _ in range(3)
    ]
    assert len({c["claim"]["question"]["id"] for c in firsts}) == 1


def test_claims_need_a_running_contest_and_an_active_pool_round() -> None:
    contest = contest_make()
    pending = pool_round(contest, active=False)
    team = team_make(contest=contest)
    client = team_client(team)
    assert client.post("/api/v1/me/claims", {"round": pending.pk}, format="json").json()["code"] == "round_not_active"
    active = pool_round(contest)
    host_client(contest.owner).post(f"/api/v1/contests/{contest.pk}/pause")
    assert client.post("/api/v1/me/claims", {"round": active.pk}, format="json").json()["code"] == (
        "contest_not_running"
    )


def test_a_disqualified_team_leaves_the_board_and_can_no_longer_act() -> None:
    contest = contest_make()
    round_ = pool_round(contest)
    team, other = team_make(contest=contest), team_make(contest=contest)
    response = host_client(contest.owner).post(
        f"/api/v1/teams/{team.pk}/disqualify", {"reason": "Phones"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "disqualified"
    refused = team_client(team).post("/api/v1/me/claims", {"round": round_.pk}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "team_disqualified")
    board = APIClient().get(f"/api/v1/public/{contest.code}/leaderboard").json()["teams"]
    assert [row["id"] for row in board] == [other.pk]


def test_the_snapshot_holds_only_the_teams_own_claims_and_answers() -> None:
    contest = contest_make()
    round_ = pool_round(contest, questions=4)
    mine, theirs = team_make(contest=contest), team_make(contest=contest)
    team_client(theirs).post("/api/v1/me/claims", {"round": round_.pk}, format="json")
    claimed = team_client(mine).post("/api/v1/me/claims", {"round": round_.pk}, format="json").json()["claim"]
    snapshot = team_client(mine).get("/api/v1/me").json()
    assert [c["id"] for c in snapshot["claims"]] == [claimed["id"]]
    assert snapshot["rank"] in (1, 2) and snapshot["contest"]["code"] == contest.display_code
